"""``webstack:cluster``: the schema of the ECS cluster section, its environment defaults and checks.

The Cluster component (:mod:`components.cluster`) takes plain Args; ``build_cluster`` in
:mod:`stack.wiring.services` turns the :class:`ClusterSettings` resolved here into them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr, ValidationInfo, field_validator

from components.pure import schedules
from components.pure.fargate import CapacityStrategy, ContainerInsights
from components.pure.instances import IMAGE_PLATFORMS, Architecture, architecture_of, instance_type_problem
from stack.schema import RETENTION_FIX, Environment, RetentionDays, StrictModel


@dataclass(frozen=True)
class ClusterDefaults:
    """The values an environment's cluster uses for keys a stack does not set."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool


CLUSTER_DEFAULTS: dict[Environment, ClusterDefaults] = {
    Environment.DEV: ClusterDefaults(
        capacity=CapacityStrategy.SPOT_PREFERRED,
        container_insights=ContainerInsights.ENABLED,
        exec_enabled=True,
    ),
    Environment.PROD: ClusterDefaults(
        capacity=CapacityStrategy.ON_DEMAND,
        container_insights=ContainerInsights.ENHANCED,
        exec_enabled=False,
    ),
}


class ComputeKind(enum.StrEnum):
    """Where the cluster's tasks run."""

    FARGATE = "fargate"
    """AWS-managed capacity (FARGATE / FARGATE_SPOT, as ``capacity`` says)."""
    EC2 = "ec2"
    """An Auto Scaling group of ECS-optimized instances behind an ECS capacity provider."""


DEFAULT_INSTANCE_TYPE = "m7i.large"


class Ec2CapacityConfig(StrictModel):
    """``webstack:cluster.ec2``: the Auto Scaling group behind the cluster when compute is ec2."""

    instance_types: tuple[StrictStr, ...] = Field(
        default=(DEFAULT_INSTANCE_TYPE,),
        alias="instanceTypes",
        min_length=1,
        description=f"EC2 instance types, first preferred. Default [{DEFAULT_INSTANCE_TYPE}].",
        json_schema_extra={"fix": "list instance types such as [m7g.large, c7g.large]"},
    )
    architecture: Architecture = Field(
        default=Architecture.X86_64,
        description="x86_64 | arm64: the instances' CPU, matching every instance type and image. "
        "Default x86_64.",
        json_schema_extra={"fix": "use x86_64 or arm64"},
    )
    min_size: StrictInt = Field(
        default=1,
        alias="minSize",
        ge=0,
        description="Fewest instances. Default 1.",
        json_schema_extra={"fix": "use a whole number from 0"},
    )
    max_size: StrictInt = Field(
        default=4,
        alias="maxSize",
        ge=1,
        description="Most instances. Default 4.",
        json_schema_extra={"fix": "use a whole number from 1"},
    )
    target_capacity: StrictInt = Field(
        default=100,
        alias="targetCapacity",
        ge=1,
        le=100,
        description="Percent of instance capacity ECS managed scaling aims to use (100: no spare). "
        "Default 100.",
        json_schema_extra={"fix": "use a percentage from 1 to 100"},
    )


class OffHoursConfig(StrictModel):
    """``webstack:cluster.offHours``: scale every dev service to zero outside working hours."""

    timezone: StrictStr = Field(
        description="IANA time zone the cron expressions are read in, e.g. Europe/Dublin. Required.",
        json_schema_extra={"fix": "use an IANA name such as Europe/Dublin"},
    )
    stop: StrictStr = Field(
        description="Six-field cron at which services scale to zero, e.g. '0 20 ? * MON-FRI *'. Required.",
        json_schema_extra={"fix": f"use {schedules.CRON_FORM}"},
    )
    start: StrictStr = Field(
        description="Six-field cron at which services scale back up, e.g. '0 7 ? * MON-FRI *'. Required.",
        json_schema_extra={"fix": f"use {schedules.CRON_FORM}"},
    )

    @field_validator("timezone", "stop", "start")
    @classmethod
    def _schedulable(cls, value: str, info: ValidationInfo) -> str:
        check = schedules.timezone_problem if info.field_name == "timezone" else schedules.weekly_cron_problem
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value


class ClusterConfig(StrictModel):
    """``webstack:cluster``: the ECS cluster all services share."""

    compute: ComputeKind = Field(
        default=ComputeKind.FARGATE,
        description="fargate | ec2: where tasks run. Default fargate.",
        json_schema_extra={"fix": "use fargate or ec2"},
    )
    ec2: Ec2CapacityConfig | None = Field(
        default=None,
        description="The instances when compute is ec2 (with compute fargate: kept for one deploy while "
        "the services move to Fargate, then remove it): see cluster.ec2.*. Default: one "
        f"{DEFAULT_INSTANCE_TYPE} per zone range 1-4.",
        json_schema_extra={"fix": "make webstack:cluster.ec2 an object, e.g. {instanceTypes: [m7g.large]}"},
    )

    capacity: CapacityStrategy | None = Field(
        default=None,
        description="on_demand | balanced | spot_preferred. Default: dev spot_preferred, prod on_demand "
        "(prod refuses spot_preferred: it keeps a FARGATE base).",
        json_schema_extra={"fix": "use one of on_demand, balanced, spot_preferred"},
    )
    container_insights: ContainerInsights | None = Field(
        default=None,
        alias="containerInsights",
        description="enabled | enhanced. Default: dev enabled, prod enhanced.",
        json_schema_extra={"fix": "use enabled or enhanced"},
    )
    exec_enabled: StrictBool | None = Field(
        default=None,
        alias="execEnabled",
        description="Allow ECS Exec into tasks (sessions are logged). Default: dev true, prod false.",
        json_schema_extra={"fix": "use true or false"},
    )
    exec_log_retention_days: RetentionDays = Field(
        default=365,
        alias="execLogRetentionDays",
        description="Days ECS Exec session logs are kept. Default 365.",
        json_schema_extra={"fix": RETENTION_FIX},
    )
    off_hours: OffHoursConfig | None = Field(
        default=None,
        alias="offHours",
        description="{timezone, stop, start}: scale every service to zero at stop and back at start "
        "(dev only). Default: none, services run around the clock.",
        json_schema_extra={"fix": "use {timezone: Europe/Dublin, stop: '0 20 ? * MON-FRI *', ...}"},
    )


@dataclass(frozen=True)
class Ec2Capacity:
    """The validated EC2 capacity of a cluster."""

    instance_types: tuple[str, ...]
    architecture: Architecture
    min_size: int
    max_size: int
    target_capacity: int
    retiring: bool = False
    """Kept in the cluster while services run on Fargate (the first of two deploys off EC2)."""


@dataclass(frozen=True)
class ClusterSettings:
    """The cluster as validated, environment defaults applied."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool
    exec_log_retention_days: int
    compute: ComputeKind = ComputeKind.FARGATE
    ec2: Ec2Capacity | None = None
    """Set when compute is ec2, and while it retires (compute fargate with ``ec2.retiring``)."""
    off_hours: schedules.OffHours | None = None
    """When services scale to zero and back; None runs them around the clock."""


def _ec2_capacity(config: ClusterConfig) -> tuple[Ec2Capacity | None, list[str]]:
    """The EC2 capacity of an ec2 cluster (or of a fargate one whose instances retire) and its
    problems."""
    if config.compute is ComputeKind.FARGATE and config.ec2 is None:
        return None, []
    ec2 = config.ec2 or Ec2CapacityConfig()
    problems = []
    if config.capacity is not None and config.compute is ComputeKind.EC2:
        problems.append(
            f"webstack:cluster.capacity: got {config.capacity.value!r}, but it spreads tasks over "
            "FARGATE and FARGATE_SPOT and webstack:cluster.compute is ec2 (a strategy cannot mix "
            "Auto Scaling group and Fargate providers); remove capacity or use compute: fargate"
        )
    for index, instance_type in enumerate(ec2.instance_types):
        key = f"webstack:cluster.ec2.instanceTypes[{index}]"
        problem = instance_type_problem(instance_type)
        if problem:
            problems.append(f"{key}: got {instance_type!r}, but {problem}; fix the name")
        elif architecture_of(instance_type) is not ec2.architecture:
            problems.append(
                f"{key}: got {instance_type!r}, an {architecture_of(instance_type).value} type (Graviton "
                f"families carry a g after the generation), but cluster.ec2.architecture is "
                f"{ec2.architecture.value}; use {ec2.architecture.value} types only or change architecture"
            )
    if ec2.min_size > ec2.max_size:
        problems.append(
            f"webstack:cluster.ec2.minSize: got {ec2.min_size}, but maxSize is {ec2.max_size}; "
            "use a minSize no larger than maxSize"
        )
    capacity = Ec2Capacity(
        instance_types=ec2.instance_types,
        architecture=ec2.architecture,
        min_size=ec2.min_size,
        max_size=ec2.max_size,
        target_capacity=ec2.target_capacity,
        # compute fargate with ec2 settings: the first of the two deploys off EC2 (see Cluster._capacity).
        retiring=config.compute is ComputeKind.FARGATE,
    )
    return capacity, problems


def cluster_settings(config: ClusterConfig, environment: Environment) -> tuple[ClusterSettings, list[str]]:
    """The cluster with its environment's defaults applied, and every problem found."""
    defaults = CLUSTER_DEFAULTS[environment]
    capacity = config.capacity or defaults.capacity
    ec2, problems = _ec2_capacity(config)
    if environment is Environment.PROD and capacity is CapacityStrategy.SPOT_PREFERRED:
        problems.append(
            "webstack:cluster.capacity: got 'spot_preferred', but prod keeps a FARGATE base so that a "
            "Spot reclaim cannot stop every task; use on_demand (default) or balanced"
        )
    exec_enabled = defaults.exec_enabled if config.exec_enabled is None else config.exec_enabled
    off_hours = config.off_hours and schedules.OffHours(**config.off_hours.model_dump())
    if environment is Environment.PROD and off_hours is not None:
        problems.append(
            "webstack:cluster.offHours: prod services must run around the clock, so prod cannot scale "
            "them to zero; remove offHours from the prod stack (it is a dev cost lever)"
        )
    settings = ClusterSettings(
        capacity=capacity,
        container_insights=config.container_insights or defaults.container_insights,
        exec_enabled=exec_enabled,
        exec_log_retention_days=config.exec_log_retention_days,
        compute=config.compute,
        ec2=ec2,
        off_hours=off_hours,
    )
    return settings, problems


def ec2_retiring_warnings(settings: ClusterSettings) -> list[str]:
    """The instances kept while services leave them: say that they still cost, and the next step."""
    if settings.ec2 is None or not settings.ec2.retiring:
        return []
    return [
        "webstack:cluster.ec2: kept while webstack:cluster.compute is fargate: the services move to "
        "Fargate and the instances and their capacity provider stay in the cluster (and cost) until "
        "you remove webstack:cluster.ec2 in the next deploy (ECS refuses to remove a capacity provider "
        "while services use it, so one deploy cannot do both)"
    ]


def image_platform_problems(
    ec2: Ec2Capacity | None, platforms: Mapping[str, str | None]
) -> tuple[list[str], list[str]]:
    """Services whose image cannot run on the instances' architecture (problems), and services whose
    prebuilt image nobody can check here (warnings). ``platforms``: service -> build.platform, or
    None for a prebuilt image."""
    if ec2 is None or ec2.retiring:  # retiring: the services already run on Fargate
        return [], []
    needed = IMAGE_PLATFORMS[ec2.architecture]
    problems = [
        f"webstack:services.{name}.build.platform: got {platform!r}, but the cluster's instances are "
        f"{ec2.architecture.value} (cluster.ec2.architecture); build for {needed} or change the architecture"
        for name, platform in platforms.items()
        if platform is not None and platform != needed
    ]
    warnings = [
        f"webstack:services.{name}.image: a prebuilt image cannot be checked for {needed} here; make sure "
        f"it has a {needed} variant or the tasks will not start on the {ec2.architecture.value} instances"
        for name, platform in platforms.items()
        if platform is None
    ]
    return problems, warnings


__all__ = [
    "CLUSTER_DEFAULTS",
    "DEFAULT_INSTANCE_TYPE",
    "ClusterConfig",
    "ClusterDefaults",
    "ClusterSettings",
    "ComputeKind",
    "ContainerInsights",
    "Ec2Capacity",
    "Ec2CapacityConfig",
    "OffHoursConfig",
    "cluster_settings",
    "ec2_retiring_warnings",
    "image_platform_problems",
]
