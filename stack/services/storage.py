"""What a service declares about app storage: the buckets it reads or writes (``services.<name>.buckets``)
and the volumes it mounts (``services.<name>.volumes``)."""

from __future__ import annotations

import enum

from pydantic import Field, StrictBool, StrictStr, field_validator

from stack.schema import StrictModel


class BucketAccessMode(enum.StrEnum):
    """How a service uses a bucket of ``webstack:buckets``."""

    READ = "read"
    """List the bucket, get objects and their versions."""
    WRITE = "write"
    """Read, and put, delete and abort uploads of objects (never delete old versions)."""


class VolumeMountConfig(StrictModel):
    """``services.<name>.volumes.<volume>``: where the service's container sees a volume."""

    path: StrictStr = Field(
        description="Where the container sees the volume: an absolute path below / (required).",
        json_schema_extra={"fix": "give path: /data"},
    )
    read_only: StrictBool = Field(
        default=False,
        alias="readOnly",
        description="Mount it read-only (the task role gets no ClientWrite). Default false.",
        json_schema_extra={"fix": "use true or false"},
    )

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or value == "/":
            raise ValueError(f"{value!r} is not an absolute path below /")
        return value


__all__ = ["BucketAccessMode", "VolumeMountConfig"]
