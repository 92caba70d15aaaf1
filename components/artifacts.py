"""Versioned image artifacts (pure Python, no Pulumi imports).

Built images get a tag derived from the content of their build context. The same sources always give
the same tag, a change to any file gives a new one, and ECR's IMMUTABLE tags then guarantee that a
tag, once pushed, always means the same image. So every deploy names exactly what it runs, and
re-running ``pulumi up`` without changes pushes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

TAG_LENGTH = 16

IGNORED_PARTS = frozenset({".git", "__pycache__", ".pytest_cache", "node_modules", ".venv", "venv"})
"""Folders that never belong in an image and would make the tag change for no reason."""


def context_tag(context: Path, dockerfile: str = "Dockerfile") -> str:
    """A tag naming the exact content of ``context`` (file paths and bytes) and its Dockerfile."""
    digest = hashlib.sha256()
    digest.update(f"dockerfile={dockerfile}\0".encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        relative = path.relative_to(context)
        if IGNORED_PARTS.intersection(relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"ctx-{digest.hexdigest()[:TAG_LENGTH]}"
