"""webstack's offline engine: runs the real program (or one component) with no cloud and no CLI.

Product code: ``python -m plan`` runs on it, and so does every test (through :func:`run_stack`,
:func:`run_program` or :func:`run_component`). The engine:

* answers exactly the invokes the program uses, with realistic camelCase results, and raises on any
  other invoke so that a new lookup cannot silently return nothing;
* answers ``get_availability_zones`` for every commercial region (``components/pure/regions.py``) and
  refuses a region it does not know, as AWS would;
* refuses what the real Pulumi engine refuses and mocks accept: two resources with the same URN
  (including the ``docker-build:index:Image`` child that ``awsx.ecr.Image`` creates, which mocks never
  see), a logical name too long for the provider to autoname, and stack files with duplicate keys;
* records every registered resource with its type, logical name, parent, inputs, options and the
  state the mock returned, plus the stack outputs and the warnings the program logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import runpy
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi

from plan import aws_rules
from plan.mocks import DEFAULT_ACCOUNT, DEFAULT_REGION, WebstackMocks, mock_id
from plan.recording import (
    AutonameTooLongError,
    DuplicateUrnError,
    EngineError,
    Recorded,
    RecordingMonitor,
    Run,
    WarningCollector,
)
from plan.sdk_shortcuts import offline_sdk
from plan.stack_files import (
    PROJECT,
    PROJECT_ROOT,
    project_folder,
    project_name,
    stack_config,
)

__all__ = [
    "PLACEHOLDER_NOTE",
    "PROJECT",
    "PROJECT_ROOT",
    "RUNS_FOLDER",
    "AutonameTooLongError",
    "DuplicateUrnError",
    "EngineError",
    "Recorded",
    "Run",
    "cache_runs",
    "fresh_runs",
    "mock_id",
    "run_component",
    "run_program",
    "run_stack",
    "second_runs",
    "stack_config",
]
"""The engine's API; what a run records (``Run``, ``Recorded``) and refuses lives in plan/recording.py."""

PLACEHOLDER_NOTE = "offline placeholder: the real value is known only after `pulumi up`"
"""How the plan labels ids, ARNs and DNS names the offline engine made up."""


# --- Running things ---------------------------------------------------------------------------------


def _configure(run: Run, config: Mapping[str, str], stack: str, project: str = PROJECT) -> None:
    region = config.get("aws:region", DEFAULT_REGION)
    try:
        accounts = json.loads(config.get("aws:allowedAccountIds", "[]"))
        account = str(accounts[0]) if isinstance(accounts, list) and accounts else DEFAULT_ACCOUNT
    except ValueError:
        account = DEFAULT_ACCOUNT
    mocks = WebstackMocks(region=region, account_id=account)
    # A logger of this run's own, outside logging's registry: a registered one (getLogger) would live
    # as long as the process, keep the run and its graph alive through its handler, and be one more
    # logger that pytest's log capture visits in every phase of every later test.
    logger = logging.Logger("webstack.mocks", logging.WARNING)  # as root's level gave the old one
    logger.addHandler(WarningCollector(run))
    pulumi.runtime.set_all_config(dict(config), [])
    # A fresh root stack per run; otherwise the first run's stack is reused and exports pile up.
    pulumi.runtime.settings.set_root_resource(None)  # pyright: ignore[reportArgumentType]
    pulumi.runtime.set_mocks(
        mocks,
        project=project,
        stack=stack,
        preview=False,
        logger=logger,
        monitor=RecordingMonitor(mocks, run, project, stack),
    )


def run_program(
    config: Mapping[str, str],
    stack: str,
    program: Path = PROJECT_ROOT / "__main__.py",
    run: Run | None = None,
    project: str = PROJECT,
) -> Run:
    """Run a Pulumi program under the mock engine with this config; exceptions propagate.

    Pass your own ``run`` to inspect what was recorded even when the program raises.
    """
    run = run if run is not None else Run()
    memo = _run_cache
    fresh = not (run.resources or run.outputs or run.warnings or run.invokes)
    key = _cache_key(config, stack, program, project) if memo is not None and fresh else None
    stored = memo.get(key) if memo is not None and key is not None else None
    if stored is not None:
        _fill(run, pickle.loads(stored))
        return run
    _configure(run, config, stack, project)

    @pulumi.runtime.test
    def execute() -> pulumi.Output[Any]:
        runpy.run_path(str(program), run_name="__main__")
        # The stack registers its exports only when the real CLI finishes the program, so read them
        # from the root stack resource; the test decorator waits for them and every registration.
        root = pulumi.runtime.settings.get_root_resource()
        exports = dict(getattr(root, "outputs", {}) or {})
        return pulumi.Output.from_input(exports).apply(run.outputs.update)

    with _project_on_path(program.parent), offline_sdk():
        execute()
    aws_rules.check(run.resources)
    if memo is not None and key is not None:
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            memo.put(key, pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL))
    return run


# --- Memoized runs (the test suite) -----------------------------------------------------------------


class _RunCache:
    """Pickled successful runs by :func:`_cache_key`, in memory and, when given a folder, in files
    there that other processes of the same test session (pytest-xdist workers) read too."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.runs: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        if key not in self.runs and self.folder is not None:
            with contextlib.suppress(OSError):
                self.runs[key] = (self.folder / f"{key}.pickle").read_bytes()
        return self.runs.get(key)

    def put(self, key: str, pickled: bytes) -> None:
        self.runs[key] = pickled
        if self.folder is not None:
            with contextlib.suppress(OSError):
                # Written aside and renamed: a reader sees a whole file or none.
                partial = self.folder / f"{key}.{os.getpid()}.partial"
                partial.write_bytes(pickled)
                partial.replace(self.folder / f"{key}.pickle")


_run_cache: _RunCache | None = None
"""None while memoization is off (the default)."""
RUNS_FOLDER = "WEBSTACK_TEST_RUNS"
"""The variable naming the folder the test suite keeps its runs in (tests/conftest.py): where runs are
kept is not an input of a run, so it is left out of the key."""
_generation = ""
"""Which synthesis of a config the memo answers with: "" the first, "second" inside :func:`second_runs`."""


def cache_runs(enabled: bool = True, folder: Path | None = None) -> None:
    """Memoize :func:`run_program` in this process from now on (with an empty cache), or stop.

    The test suite turns this on: many tests run the same fixture stack with the same config, and a
    run is deterministic in everything the key covers (the config, stack, project, the program file's
    text, ``PULUMI_*`` and ``WEBSTACK_*`` variables and the files of every build context the config
    names). Only runs that succeed are kept. Each caller gets its own copy (unpickled from the stored
    bytes), so a test that changes what it was given changes nothing another test sees. ``folder``
    shares the runs with the other processes of the test session and with later sessions: the modules
    the program imports are not in the key, so a folder serves one set of sources only (the suite
    names it by plan/sources.py's fingerprint; ``make mutation``, whose mutants live in memory, gives
    each mutant a new one). Off by default, so ``python -m plan`` and ``make benchmark`` always run
    the program.
    """
    global _run_cache
    _run_cache = _RunCache(folder) if enabled else None


@contextlib.contextmanager
def fresh_runs() -> Iterator[None]:
    """Run the program for real inside this block even when runs are memoized (tests of the engine)."""
    global _run_cache
    kept, _run_cache = _run_cache, None
    try:
        yield
    finally:
        _run_cache = kept


@contextlib.contextmanager
def second_runs() -> Iterator[None]:
    """Inside this block the memo answers with a second synthesis of each config, made by the first
    caller that asks and shared by every other: the tests that plan a stack twice compare the
    session's run with this one (two real runs, each made once per session). Without memoization it
    changes nothing: every run is real anyway."""
    global _generation
    kept, _generation = _generation, "second"
    try:
        yield
    finally:
        _generation = kept


def _cache_key(config: Mapping[str, str], stack: str, program: Path, project: str) -> str:
    """Everything that decides what a run of ``program`` records, hashed (and which synthesis it is)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(("PULUMI_", "WEBSTACK_")) and name != RUNS_FOLDER
    }
    record = os.environ.get("WEBSTACK_PROMOTION")  # stack/promotion.py: the record's content decides,
    if record and Path(record).is_file():  # not where it lies (each test writes it to its own folder)
        environment["WEBSTACK_PROMOTION"] = Path(record).read_text()
    contexts = {str(folder): _files_of(folder) for folder in _build_contexts(config, program)}
    text = program.read_text() if program.is_file() else ""
    material = [sorted(config.items()), stack, str(program.resolve()), text, project, environment, contexts]
    if _generation:
        material.append(_generation)
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _build_contexts(config: Mapping[str, str], program: Path) -> set[Path]:
    """The folders a ``build: {context: ...}`` anywhere in the config may name (the image tag hashes
    their files), resolved against webstack's root and the program's folder."""
    found: set[Path] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            build = value.get("build")
            if isinstance(build, dict) and isinstance(build.get("context"), str):
                found.update((base / build["context"]).resolve() for base in (PROJECT_ROOT, program.parent))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for raw in config.values():
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return found


def _files_of(folder: Path) -> list[tuple[str, int, int, int]]:
    """Each file under ``folder`` with its size, modification time and mode (a change is a new key),
    but bytecode: importing the context's code (a test of app/) writes ``__pycache__`` there, which no
    image tag hashes (components/pure/artifacts.py ALWAYS_IGNORED), so it must not be a new run."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            status = path.stat()
            found.append((str(path.relative_to(folder)), status.st_size, status.st_mtime_ns, status.st_mode))
    return found


def _fill(run: Run, recorded: Run) -> None:
    """Give ``run`` what a memoized run recorded (the caller may have passed its own ``run``)."""
    run.resources.extend(recorded.resources)
    run.outputs.update(recorded.outputs)
    run.warnings.extend(recorded.warnings)
    run.invokes.update(recorded.invokes)


def run_stack(
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    root: Path = PROJECT_ROOT,
    run: Run | None = None,
    project: Path | None = None,
    stack_file: Path | None = None,
) -> Run:
    """Run the program of ``root`` for ``root/Pulumi.<stack>.yaml``; ``overrides`` replace keys.

    An override of None removes the key. The program is the ``__main__.py`` of
    :func:`project_folder`: webstack's for a folder of fixture stack files, ``project``'s if given.
    ``stack_file`` runs ``stack`` with another file's config (an older revision, an edited copy).
    """
    config = stack_config(stack, root, stack_file=stack_file, project=project)
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value if isinstance(value, str) else json.dumps(value)
    folder = project_folder(root, project)
    return run_program(config, stack, folder / "__main__.py", run, project_name(project or root))


def run_component(
    build: Callable[[], Any],
    config: Mapping[str, str] | None = None,
    stack: str = "test",
) -> Run:
    """Build one component (``build`` constructs it) under the mock engine and record everything.

    ``build`` may return an Output (e.g. one that copies the component's outputs somewhere); it is
    resolved before this returns.
    """
    run = Run()
    _configure(run, config or {"aws:region": DEFAULT_REGION}, stack)

    @pulumi.runtime.test
    def execute() -> Any:
        return build()  # an Output returned here is awaited before the run ends

    with offline_sdk():
        execute()
    aws_rules.check(run.resources)
    return run


class _project_on_path:  # noqa: N801 (used as a context manager)
    """Put the program's folder on sys.path, as the Pulumi CLI does (and nothing else, so tests see the
    same imports a real `pulumi up` would)."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)

    def __enter__(self) -> None:
        import sys

        if self.root not in sys.path:
            sys.path.insert(0, self.root)

    def __exit__(self, *exc: object) -> None:
        return None
