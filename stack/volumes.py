"""``webstack:volumes``: a map of named EFS volumes, their environment defaults and their checks.

Which services mount a volume, where and whether read-only, is declared by each service
(``services.<name>.volumes``); :mod:`stack.wiring.storage` turns :class:`VolumeSettings` into
:class:`components.storage.VolumeArgs`.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictInt

from stack.datastores import STORE_NAME, STORE_NAME_FIX
from stack.schema import Environment, StrictModel

IA_DAYS = (1, 7, 14, 30, 60, 90, 180, 270, 365)
"""The ages EFS lifecycle management accepts (TransitionToIA ``AFTER_<N>_DAYS``: EFS API
LifecyclePolicy)."""


class ThroughputMode(enum.StrEnum):
    """How the file system's throughput is provisioned."""

    ELASTIC = "elastic"
    """Scales with the workload, paid per GB transferred (AWS's recommendation for spiky apps)."""
    BURSTING = "bursting"
    """Grows with the stored size, with burst credits."""


class PerformanceMode(enum.StrEnum):
    """EFS performance mode (ForceNew: a change replaces the file system and its files)."""

    GENERAL_PURPOSE = "generalPurpose"
    MAX_IO = "maxIO"


PROTECT: dict[Environment, bool] = {Environment.DEV: False, Environment.PROD: True}
"""prod: `pulumi up` refuses to delete or replace a file system (and its files)."""


class VolumeConfig(StrictModel):
    """``volumes.<name>``: one encrypted EFS file system the services can mount."""

    throughput_mode: ThroughputMode = Field(
        default=ThroughputMode.ELASTIC,
        alias="throughputMode",
        description="elastic or bursting. Default elastic.",
        json_schema_extra={"fix": "use elastic or bursting"},
    )
    performance_mode: PerformanceMode = Field(
        default=PerformanceMode.GENERAL_PURPOSE,
        alias="performanceMode",
        description="generalPurpose or maxIO (a change replaces the file system). Default generalPurpose.",
        json_schema_extra={"fix": "use generalPurpose or maxIO"},
    )
    transition_to_ia_days: StrictInt | None = Field(
        default=30,
        alias="transitionToInfrequentAccessDays",
        description="Days without access after which a file moves to Infrequent Access (one of "
        f"{', '.join(map(str, IA_DAYS))}); it moves back on first read. Default 30.",
        json_schema_extra={"fix": f"use one of {', '.join(map(str, IA_DAYS))}"},
    )
    uid: StrictInt = Field(
        default=1000,
        ge=0,
        le=4294967295,
        description="The POSIX user every file operation runs as (through each service's access point). "
        "Default 1000.",
        json_schema_extra={"fix": "use a numeric user id, e.g. 1000"},
    )
    gid: StrictInt = Field(
        default=1000,
        ge=0,
        le=4294967295,
        description="The POSIX group every file operation runs as. Default 1000.",
        json_schema_extra={"fix": "use a numeric group id, e.g. 1000"},
    )


@dataclass(frozen=True)
class VolumeSettings:
    """One volume as validated, with its environment's defaults applied."""

    name: str
    throughput_mode: ThroughputMode
    performance_mode: PerformanceMode
    transition_to_ia: str | None
    """``AFTER_<N>_DAYS`` or None."""
    uid: int
    gid: int
    protect: bool


def volume_settings(
    volumes: Mapping[str, VolumeConfig], env: Environment
) -> tuple[tuple[VolumeSettings, ...], list[str]]:
    """Every volume with its defaults applied, and every problem found."""
    problems = []
    resolved = []
    for name, config in volumes.items():
        key = f"webstack:volumes.{name}"
        if not STORE_NAME.match(name):
            problems.append(f"{key}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}")
        days = config.transition_to_ia_days
        if days is not None and days not in IA_DAYS:
            problems.append(
                f"{key}.transitionToInfrequentAccessDays: got {days}, but EFS moves files after one of "
                f"{', '.join(map(str, IA_DAYS))} days; use one of them"
            )
        if (
            config.performance_mode is PerformanceMode.MAX_IO
            and config.throughput_mode is ThroughputMode.ELASTIC
        ):
            # AWS EFS performance.html: Elastic throughput needs General Purpose performance mode.
            problems.append(
                f"{key}.performanceMode: got maxIO, but elastic throughput works only with generalPurpose; "
                "use generalPurpose or throughputMode: bursting"
            )
        resolved.append(
            VolumeSettings(
                name=name,
                throughput_mode=config.throughput_mode,
                performance_mode=config.performance_mode,
                transition_to_ia=f"AFTER_{days}_DAY{'S' if days != 1 else ''}" if days is not None else None,
                uid=config.uid,
                gid=config.gid,
                protect=PROTECT[env],
            )
        )
    return tuple(resolved), problems


def volume_mount_problems(
    volumes: Mapping[str, VolumeConfig], services: Mapping[str, object]
) -> tuple[list[str], list[str]]:
    """Every ``services.<name>.volumes`` entry names a declared volume at a path of its own; warns of
    volumes nobody mounts."""
    problems, used = [], set()
    known = ", ".join(volumes) or "none"
    for service_name, service in services.items():
        mounts = getattr(service, "volumes", {})
        scratch = set(getattr(service, "scratch_paths", ()))
        for wanted, mount in mounts.items():
            key = f"webstack:services.{service_name}.volumes"
            used.add(wanted)
            if wanted not in volumes:
                problems.append(
                    f"{key}: got {json.dumps(wanted)}, but webstack:volumes has no such volume (declared: "
                    f"{known}); name one of them or declare it there"
                )
            if mount.path in scratch:
                problems.append(
                    f"{key}.{wanted}.path: got {json.dumps(mount.path)}, but it is also a scratch path of "
                    f"{service_name}; mount the volume at a path of its own, e.g. /data"
                )
        paths = [mount.path for mount in mounts.values()]
        if len(set(paths)) != len(paths):
            problems.append(
                f"webstack:services.{service_name}.volumes: two volumes share a path; give each its own"
            )
    warnings = [
        f"volume {name}: no service declares it (services.<name>.volumes), so nothing mounts it"
        for name in volumes
        if name not in used
    ]
    return problems, warnings


__all__ = [
    "PerformanceMode",
    "ThroughputMode",
    "VolumeConfig",
    "VolumeSettings",
    "volume_mount_problems",
    "volume_settings",
]
