"""Where the test suite keeps its planned runs between sessions (tests/conftest.py)."""

import os
import shutil
from pathlib import Path

SOURCES_FINGERPRINT = "TESTS_SOURCES_FINGERPRINT"
"""The variable that hands the session's plan/sources.py fingerprint to the xdist workers (not a
``WEBSTACK_*`` name: those are part of every run's key)."""


def sources_seed() -> int:
    """A number that changes exactly when a file a run can read changes: the hypothesis tests draw
    the same stacks while the sources stay the same (their runs are kept and a failure reproduces)
    and new ones after every change to them."""
    return int(os.environ.get(SOURCES_FINGERPRINT, "0")[:12] or "0", 16)


def kept_runs_folder(base: Path, fingerprint: str) -> Path:
    """``base/<fingerprint>``, made if missing, after removing every other fingerprint's folder: runs
    planned from other sources are never answered again, and the disk holds one set."""
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.iterdir():
        if stale.name != fingerprint:
            shutil.rmtree(stale, ignore_errors=True)
    folder = base / fingerprint
    folder.mkdir(exist_ok=True)
    return folder
