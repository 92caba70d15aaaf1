"""The programs run once in a fresh Python, as the Pulumi CLI starts them: what they import.

Two checks need a process with nothing imported yet, and each start of one costs two seconds of CPU,
so they share this one, made once per session by whichever xdist worker asks first (the others wait
for it and read it: :func:`shared_fresh_run`, the recipe of pytest-xdist's documentation):

* the bootstrap program, started from its own folder with only that folder on the path (``-I``: no
  PYTHONPATH, no current directory), must find its shared code (tests/delivery/test_bootstrap.py);
* every project file a real run of webstack or of the bootstrap imports must be part of the sources
  fingerprint that keys the kept runs (tests/plan/test_engine.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from plan.engine import PROJECT_ROOT
from tests.support.fixture_stacks import BOOTSTRAP

PROBE = """
import json, runpy, sys
sys.path.insert(0, '.')  # what the CLI gives a program: its own folder
try:
    runpy.run_path('__main__.py')
    missing = None
except ModuleNotFoundError as error:
    missing = error.name
except Exception:
    missing = None  # past the imports; without an engine the program stops at its config
sys.path.insert(0, {root!r})
from plan.engine import PROJECT_ROOT, run_stack
fixtures = PROJECT_ROOT / 'tests' / 'stacks'
run_stack('example-dev', root=fixtures)  # the modules are imported whatever the config
run_stack('example-prod', root=fixtures / 'bootstrap', project=PROJECT_ROOT / 'bootstrap')
files = [getattr(module, '__file__', None) for module in list(sys.modules.values())]
print(json.dumps({{'missing': missing, 'files': files}}))
"""


@dataclass(frozen=True)
class FreshRun:
    missing_module: str | None
    """The module the bootstrap, started from its own folder, could not import (None: it found all)."""
    imported: frozenset[Path]
    """Every project file the programs imported (resolved; the virtualenv left out)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"imported": sorted(map(str, self.imported))})

    @classmethod
    def from_json(cls, text: str) -> FreshRun:
        answer = json.loads(text)
        return cls(answer["missing_module"], frozenset(map(Path, answer["imported"])))


def shared_fresh_run(session_folder: Path) -> FreshRun:
    """:func:`run_programs_in_a_fresh_interpreter`, once for every process of the session that shares
    ``session_folder`` (under xdist the parent of each worker's temporary folder)."""
    kept = session_folder / "fresh-run.json"
    with FileLock(f"{kept}.lock"):
        if kept.is_file():
            return FreshRun.from_json(kept.read_text())
        found = run_programs_in_a_fresh_interpreter()
        kept.write_text(found.to_json())
        return found


def run_programs_in_a_fresh_interpreter() -> FreshRun:
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROBE.format(root=str(PROJECT_ROOT))],
        cwd=BOOTSTRAP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"the programs failed in a fresh interpreter:\n{done.stderr[-3000:]}"
    answer = json.loads(done.stdout.splitlines()[-1])
    files = {Path(name).resolve() for name in answer["files"] if name}
    imported = {
        path
        for path in files
        if path.is_relative_to(PROJECT_ROOT) and "venv" not in path.relative_to(PROJECT_ROOT).parts
    }
    return FreshRun(answer["missing"], frozenset(imported))
