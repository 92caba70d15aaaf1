"""Versioned image artifacts (pure Python, no Pulumi imports).

Built images get a tag derived from everything docker-build hashes when it decides to rebuild: the
paths, bytes and modes of the files it sends (the build context less ``.dockerignore``), the
Dockerfile, the target platform and the base images the Dockerfile starts from. The same inputs
always give the same tag and any change gives a new one. That matters because ECR's IMMUTABLE tags
refuse a second push of a tag even with the same digest: if docker-build rebuilt while our tag stayed
the same, ``pulumi up`` would fail. Re-running ``pulumi up`` without changes pushes nothing.

The tag starts with the service name, because ``awsx.ecr.Image`` names its inner
``docker-build:index:Image`` after the tag and two services building the same context would
otherwise collide on URN (pulumi-awsx issue 1793).
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import stat
from pathlib import Path, PurePosixPath

TAG_LENGTH = 16
DOCKERIGNORE = ".dockerignore"

ALWAYS_IGNORED = ("**/.git", "**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/node_modules", "**/.venv")
"""Patterns every build context ignores; ``app/.dockerignore`` lists exactly these (tested)."""

_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE | re.MULTILINE)


def ignore_patterns(context: Path) -> tuple[str, ...]:
    """The context's ``.dockerignore`` patterns (plus ``ALWAYS_IGNORED``), as Docker reads them.

    Raises ValueError for an exception pattern (``!keep``): the tag could not follow Docker there.
    """
    patterns: list[str] = list(ALWAYS_IGNORED)
    ignore_file = context / DOCKERIGNORE
    if ignore_file.is_file():
        for line in ignore_file.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("!"):
                raise ValueError(
                    f"{ignore_file}: exception patterns such as {line!r} are not supported; list only "
                    "what to leave out"
                )
            patterns.append(line.lstrip("/").removeprefix("./"))
    return tuple(dict.fromkeys(patterns))


def is_ignored(relative: PurePosixPath, patterns: tuple[str, ...]) -> bool:
    """Whether Docker leaves ``relative`` out: a pattern matches the path or a folder above it."""
    candidates = [PurePosixPath(*relative.parts[: i + 1]).as_posix() for i in range(len(relative.parts))]
    for pattern in patterns:
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(
                PurePosixPath(candidate).name, pattern.removeprefix("**/")
            ):
                return True
    return False


def base_images(dockerfile: Path) -> tuple[str, ...]:
    """The images a Dockerfile builds ``FROM`` (``python:3.12-slim``), in order."""
    return tuple(_FROM.findall(dockerfile.read_text())) if dockerfile.is_file() else ()


def is_pinned(image: str) -> bool:
    """Whether a base image is pinned by digest, so its updates are explicit edits."""
    return "@sha256:" in image


def context_tag(
    context: Path, dockerfile: str = "Dockerfile", platform: str = "linux/amd64", service: str = "ctx"
) -> str:
    """``<service>-<hash>``: names the exact build inputs of one service's image."""
    digest = hashlib.sha256()
    digest.update(f"dockerfile={dockerfile}\0platform={platform}\0".encode())
    for image in base_images(context / dockerfile):
        digest.update(f"from={image}\0".encode())
    patterns = ignore_patterns(context)
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        relative = PurePosixPath(path.relative_to(context).as_posix())
        if is_ignored(relative, patterns):
            continue
        digest.update(f"{relative}\0{stat.S_IMODE(path.stat().st_mode):o}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{service}-{digest.hexdigest()[:TAG_LENGTH]}"
