"""What the Network builds: its Args. Fields that decide resource counts are plain values."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..pure.nat import NatMode


@dataclass(frozen=True)
class NetworkArgs:
    """What the Network builds. Fields decide resource counts, so they are plain values."""

    cidr: str
    """The VPC's IPv4 range, e.g. ``10.0.0.0/16``; subnets are planned inside it by
    :mod:`components.pure.cidr`. Required."""
    zones: Sequence[str]
    """Availability zone names, in the order subnet outputs list them. At least one. Required."""
    nat_mode: NatMode
    """How private subnets reach the internet: none, single or per_az. Required."""
    flow_log_retention_days: int
    """How long VPC flow logs are kept in CloudWatch Logs (one of its retention periods). Required."""
    region: str
    """The stack's region, for the endpoints' service names. Required."""
    kms_key_arn: pulumi.Input[str]
    """The key (:class:`components.encryption.StackKey`) that encrypts the flow logs. Required."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""
    interface_endpoints: Sequence[str] = ()
    """Interface endpoints to create in the private subnets, by service (``ecr.api``, ``logs``, ...).
    Default: none."""
    isolated: bool = False
    """Add the isolated tier (a subnet per zone with no route out of the VPC) for data stores.
    Default: False."""

    def __post_init__(self) -> None:
        if not self.zones:
            raise ValueError("NetworkArgs.zones is empty; a network needs at least one zone")
