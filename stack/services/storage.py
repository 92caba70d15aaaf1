"""What a service declares about app storage: the buckets it reads or writes (``services.<name>.buckets``)."""

from __future__ import annotations

import enum


class BucketAccessMode(enum.StrEnum):
    """How a service uses a bucket of ``webstack:buckets``."""

    READ = "read"
    """List the bucket, get objects and their versions."""
    WRITE = "write"
    """Read, and put, delete and abort uploads of objects (never delete old versions)."""


__all__ = ["BucketAccessMode"]
