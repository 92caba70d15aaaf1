"""Where the test suite keeps its planned runs between sessions (tests/conftest.py)."""

import shutil
from pathlib import Path


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
