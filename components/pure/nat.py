"""How private subnets reach the internet (pure Python, no Pulumi imports): the NAT modes the Network
component takes and the stack schema offers, and which zones hold a NAT gateway in each."""

import enum
from collections.abc import Sequence


class NatMode(enum.StrEnum):
    """How private subnets reach the internet."""

    NONE = "none"
    """No NAT gateway: private subnets reach only the VPC and its endpoints."""
    SINGLE = "single"
    """One NAT gateway in the first zone serves every zone (cheap; one zone's outage cuts egress)."""
    PER_AZ = "per_az"
    """One NAT gateway per zone, each zone routing through its own (highly available)."""


def nat_zones(mode: NatMode, zones: Sequence[str]) -> list[str]:
    """The zones that hold a NAT gateway: none, the first zone, or every zone (in zone order)."""
    return {
        NatMode.NONE: [],
        NatMode.SINGLE: [zones[0]],
        NatMode.PER_AZ: list(zones),
    }[mode]
