"""What a synthesis depends on besides its config: webstack's own files and the installed packages.

The test suite keeps planned graphs on disk between sessions (tests/conftest.py, plan/engine.py
``cache_runs``) under this fingerprint: a later session answers a run from disk only while every
file below and every installed distribution is exactly what it was when the run was made.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
from pathlib import Path

from plan.stack_files import PROJECT_ROOT

SKIPPED_FOLDERS = frozenset(
    {".git", "venv", "__pycache__", "out", "tests", "docs", "build", ".hypothesis", ".pytest_cache"}
)
"""Not read by any program the suite synthesizes: the tests themselves (a fixture stack file reaches a
run as its config, which is in every run's key), the docs, what tools write, the virtualenvs."""


def sources_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of every file under ``root`` (but :data:`SKIPPED_FOLDERS` and bytecode), Python's version
    and every installed distribution's name and version."""
    digest = hashlib.sha256(sys.version.encode())
    for distribution in sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    ):
        digest.update(distribution.encode() + b"\0")
    for path in _files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(
            name for name in folders if name not in SKIPPED_FOLDERS and not name.endswith(".egg-info")
        )
        found.extend(Path(folder) / name for name in sorted(files) if not name.endswith(".pyc"))
    return found
