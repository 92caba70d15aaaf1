"""``make benchmark``'s last lines: the unit suite's wall time, as ``make unit`` runs it, against the
original suite (before its runs were memoized and spread over the cores) and against the suite of
day two before its second speed-up; first with no kept runs (a fresh clone, CI), then again with the
runs the first session kept (a second ``make unit`` with no source file changed). Each line gives the
CPU time too (user + system of pytest and its workers), which another load on the machine barely
changes.

Usage: ``venv/bin/python -m tools.suite_benchmark [--workers auto|N]`` (``--workers 0``: one process).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plan.engine import PROJECT_ROOT, RUNS_FOLDER

BASELINES = (
    ("the original suite", 126, 954),
    ("day two's suite", 58, 1544),
)
"""(what, seconds, tests): the unit suite's wall time on the quiet 2-core development machine. The
original: 954 tests, whole stacks re-run per test. Day two: 1,544 tests with ``-n auto``
before the ops tests' moto worlds, bytecode and second runs were made cheap."""


def summary(output: str) -> str:
    """pytest's closing counts, e.g. ``958 passed, 1 skipped``."""
    found = re.findall(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", output, re.M)
    return found[-1] if found else "no summary line"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.suite_benchmark", description=__doc__)
    parser.add_argument("--workers", default="auto", help="pytest-xdist workers (default: auto)")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", args.workers]
    with tempfile.TemporaryDirectory(prefix="webstack-benchmark-runs-") as runs:
        environment = {**os.environ, RUNS_FOLDER: runs}
        for session in ("no kept runs", "the runs kept by the first"):
            print(f"unit suite ({session}): {' '.join(['pytest', *command[3:]])} ...", flush=True)
            cpu = _children_cpu()
            started = time.perf_counter()
            done = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True)
            seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
            if done.returncode != 0:
                print(done.stdout[-5000:], done.stderr[-2000:], sep="\n")
                print(f"unit suite FAILED after {seconds:.1f} s: {summary(done.stdout)}")
                return done.returncode
            kept = len(list(Path(runs).glob("*.pickle")))
            print(
                f"unit suite ({session}): {seconds:.1f} s, {cpu:.0f} s CPU ({summary(done.stdout)}; "
                f"{kept} distinct stack runs kept)"
            )
            for what, before, tests in BASELINES:
                print(f"  {what}: {before} s ({tests} tests); now {ratio(seconds, before)}")
    return 0


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (pytest and its workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def ratio(seconds: float, before: float) -> str:
    """``0.45 of that (2.2x faster)``."""
    return f"{seconds / before:.2f} of that ({before / seconds:.1f}x faster)"


if __name__ == "__main__":
    sys.exit(main())
