"""What the Cluster builds: its Args, with the EC2 capacity and the off-hours schedule as nested
Args. Fields that decide which resources exist are plain values."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..pure.fargate import CapacityStrategy, ContainerInsights
from ..pure.instances import Architecture


@dataclass(frozen=True)
class Ec2CapacityArgs:
    """An Auto Scaling group of ECS-optimized instances behind an ECS capacity provider."""

    instance_types: Sequence[str]
    """EC2 instance types, first preferred, all of ``architecture``. At least one. Required."""
    architecture: Architecture
    """The instances' CPU (x86_64 or arm64): selects the ECS-optimized AMI. Required."""
    min_size: int
    """Fewest instances. Required."""
    max_size: int
    """Most instances. Required."""
    target_capacity: int
    """Percent of instance capacity ECS managed scaling aims to use (100: no spare). Required."""


@dataclass(frozen=True)
class OffHoursArgs:
    """When every service of the cluster scales to zero and back (EventBridge Scheduler cron)."""

    timezone: str
    """IANA time zone the cron expressions are read in, e.g. ``Europe/Dublin``. Required."""
    stop: str
    """Six-field cron at which services scale to zero, e.g. ``0 20 ? * MON-FRI *``. Required."""
    start: str
    """Six-field cron at which services scale back up, e.g. ``0 7 ? * MON-FRI *``. Required."""


@dataclass(frozen=True)
class ClusterArgs:
    """What the Cluster builds."""

    capacity: CapacityStrategy
    """How tasks spread over FARGATE and FARGATE_SPOT (on_demand, balanced or spot_preferred); every
    service uses this strategy. Ignored with ``ec2``: every task runs on the instances. Required."""
    container_insights: ContainerInsights
    """Container Insights level: enabled or enhanced (never off). Required."""
    exec_enabled: bool
    """Whether services allow ECS Exec. Sessions are always logged when it is on. Required."""
    exec_log_retention_days: int
    """Days ECS Exec session logs are kept (one of CloudWatch Logs' retention periods). Required."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: encrypts the exec log group, exec sessions, the instances' volumes and the
    services' log groups. Required."""
    off_hours: OffHoursArgs | None = None
    """When every service scales to zero and back (a cost lever). Default: None, always on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""
    default_tags: Mapping[str, str] = field(default_factory=dict)
    """The provider's default tags (``aws:defaultTags``): the provider applies them to resources, but not
    to a launch template's tag specifications nor to an Auto Scaling group (terraform-provider-aws
    #19387, #32328), so EC2 instances and volumes get them from here. Default: none."""
    service_connect: bool = False
    """Whether services call each other: then the stack gets one Cloud Map namespace for Service
    Connect. Default: False."""
    ec2: Ec2CapacityArgs | None = None
    """EC2 capacity: an Auto Scaling group and its capacity provider, which every task then uses.
    Default: None, Fargate only."""
    ec2_retiring: bool = False
    """With ``ec2``: keep the Auto Scaling group and its provider in the cluster but run every task on
    Fargate (``capacity``). The first of two deploys that take a running cluster off EC2: ECS refuses to
    remove a capacity provider from the cluster while a service uses it, and the services wait for the
    cluster's providers, so one deploy cannot do both. Default: False."""
    vpc_id: pulumi.Input[str] | None = None
    """The VPC of the instances' security group (needed with ``ec2``). Default: None."""
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Private subnets the instances launch in, one per zone (needed with ``ec2``). Default: none."""
