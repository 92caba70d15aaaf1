"""``make benchmark``'s last line: the unit suite's wall time, as ``make unit`` runs it, against the
suite before its runs were memoized and spread over the cores.

Usage: ``venv/bin/python -m tools.suite_benchmark [--workers auto|N]`` (``--workers 0``: one process).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time

from plan.engine import PROJECT_ROOT

BASELINE_SECONDS = 98
BASELINE_TESTS = 954
"""``venv/bin/python -m pytest -q`` in one process on the 2-core development machine, before."""


def summary(output: str) -> str:
    """pytest's closing counts, e.g. ``958 passed, 1 skipped``."""
    found = re.findall(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", output, re.M)
    return found[-1] if found else "no summary line"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.suite_benchmark", description=__doc__)
    parser.add_argument("--workers", default="auto", help="pytest-xdist workers (default: auto)")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", args.workers]
    print(f"unit suite: {' '.join(['pytest', *command[3:]])} ...", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-5000:], done.stderr[-2000:], sep="\n")
        print(f"unit suite FAILED after {seconds:.1f} s: {summary(done.stdout)}")
        return done.returncode
    print(f"unit suite: {seconds:.1f} s ({summary(done.stdout)})")
    print(
        f"before: {BASELINE_SECONDS} s ({BASELINE_TESTS} tests); now {seconds / BASELINE_SECONDS:.2f} of "
        f"that ({BASELINE_SECONDS / seconds:.1f}x faster)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
