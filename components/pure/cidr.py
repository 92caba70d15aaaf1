"""Stable CIDR planning for the Network component (pure Python, no Pulumi imports).

The plan gives every (tier, zone) pair a fixed slot inside the VPC. A subnet's CIDR depends only on
the VPC CIDR, its tier and the *letter* of its availability zone (``a`` -> slot 0, ``b`` -> slot 1,
...), never on how many zones or tiers exist. So growing from 2 to 3 zones, listing zones in another
order, or adding a tier later never changes the CIDR of a subnet that already exists: peers that
re-split the VPC on every change force subnet replacement, which takes the whole service down.

Layout of a VPC with prefix ``/p`` (``/16`` shown in brackets)::

    first half         private tier: 8 zone slots of /(p+4)   [/20 = 4,096 addresses each]
    third quarter      public tier: first 8 of 32 slots of /(p+7)  [/23 = 512 addresses each]
    fourth quarter     isolated tier: first 8 of 32 slots of /(p+7)  [/23 = 512 addresses each];
                       the rest of the quarter stays free for a future tier

The isolated tier (databases and caches: no route out of the VPC) exists only when a data component
does; adding it moves no other subnet, because every tier owns its own region of the VPC.

Private subnets get the large share because every Fargate task takes one private IP; public subnets
only hold load-balancer nodes and NAT gateways.
"""

from __future__ import annotations

import enum
import ipaddress
import itertools
from dataclasses import dataclass

MAX_ZONE_SLOTS = 8
"""Zone letters ``a`` to ``h`` have a slot; no AWS region has more zones than that."""

MIN_VPC_PREFIX = 16
"""AWS does not allow a VPC larger than /16."""

MIN_SUBNET_SIZE_FOR_ALB = 27
"""An Application Load Balancer needs subnets of /27 or larger (8 free addresses per zone)."""


class Tier(enum.StrEnum):
    """A subnet tier. Adding a tier means giving it a region of the VPC that no other tier uses."""

    PUBLIC = "public"
    PRIVATE = "private"
    ISOLATED = "isolated"
    """Data stores: only the VPC-local route (no NAT, internet gateway or endpoint)."""


BASE_TIERS = (Tier.PUBLIC, Tier.PRIVATE)
"""The tiers every network has; :attr:`Tier.ISOLATED` is added when a data component exists."""


@dataclass(frozen=True)
class TierLayout:
    """Where a tier lives inside the VPC, in bits relative to the VPC prefix."""

    region_bits: int
    """The tier's region is the VPC split into ``2**region_bits`` equal blocks..."""
    region_index: int
    """...and this is the index of the block the tier owns."""
    subnet_bits: int
    """Each zone's subnet has the VPC prefix plus this many bits."""


TIER_LAYOUT: dict[Tier, TierLayout] = {
    Tier.PRIVATE: TierLayout(region_bits=1, region_index=0, subnet_bits=4),
    Tier.PUBLIC: TierLayout(region_bits=2, region_index=2, subnet_bits=7),
    # Data stores take few addresses (an RDS instance or cache node: one or two each), so the tier
    # gets public-sized subnets and three quarters of its quarter stay free.
    Tier.ISOLATED: TierLayout(region_bits=2, region_index=3, subnet_bits=7),
}

MAX_VPC_PREFIX = MIN_SUBNET_SIZE_FOR_ALB - max(layout.subnet_bits for layout in TIER_LAYOUT.values())
"""The smallest VPC (largest prefix) whose smallest subnets still fit a load balancer: /20."""


def zone_slot(zone_name: str) -> int:
    """The slot of an availability zone, from its trailing letter (``eu-west-1c`` -> 2).

    Raises ValueError when the name does not end in a letter from ``a`` to ``h``.
    """
    letter = zone_name[-1:]
    if not letter.isascii() or not letter.isalpha() or not letter.islower():
        raise ValueError(f"zone name {zone_name!r} does not end in a zone letter")
    slot = ord(letter) - ord("a")
    if slot >= MAX_ZONE_SLOTS:
        raise ValueError(
            f"zone {zone_name!r} has letter {letter!r}; only zones 'a' to "
            f"{chr(ord('a') + MAX_ZONE_SLOTS - 1)!r} have an address slot"
        )
    return slot


def vpc_prefix_problem(vpc: ipaddress.IPv4Network) -> str | None:
    """Why this VPC cannot hold the subnet plan, or None when it can."""
    if vpc.prefixlen < MIN_VPC_PREFIX:
        return f"AWS VPCs can be at most /{MIN_VPC_PREFIX}"
    if vpc.prefixlen > MAX_VPC_PREFIX:
        smallest = vpc.prefixlen + TIER_LAYOUT[Tier.PUBLIC].subnet_bits
        return (
            f"a /{vpc.prefixlen} leaves /{smallest} public subnets, and a load balancer needs "
            f"/{MIN_SUBNET_SIZE_FOR_ALB} or larger"
        )
    return None


def subnet_cidr(vpc: ipaddress.IPv4Network, tier: Tier, slot: int) -> ipaddress.IPv4Network:
    """The CIDR of the ``tier`` subnet in zone slot ``slot``; depends on nothing else."""
    if not 0 <= slot < MAX_ZONE_SLOTS:
        raise ValueError(f"zone slot {slot} is outside 0..{MAX_ZONE_SLOTS - 1}")
    problem = vpc_prefix_problem(vpc)
    if problem:
        raise ValueError(f"{vpc}: {problem}")
    layout = TIER_LAYOUT[tier]
    region = list(vpc.subnets(prefixlen_diff=layout.region_bits))[layout.region_index]
    subnets = region.subnets(prefixlen_diff=layout.subnet_bits - layout.region_bits)
    return next(itertools.islice(subnets, slot, None))


@dataclass(frozen=True)
class SubnetPlan:
    """One planned subnet."""

    tier: Tier
    zone: str
    cidr: ipaddress.IPv4Network


def plan_subnets(
    vpc: ipaddress.IPv4Network, zones: list[str], tiers: tuple[Tier, ...] = BASE_TIERS
) -> list[SubnetPlan]:
    """Every listed tier's subnet in every zone, tier by tier, zones in the order given."""
    slots = [zone_slot(zone) for zone in zones]
    if len(set(slots)) != len(slots):
        raise ValueError(f"zones {zones} repeat a zone letter; each zone needs its own slot")
    return [
        SubnetPlan(tier=tier, zone=zone, cidr=subnet_cidr(vpc, tier, slot))
        for tier in tiers
        for zone, slot in zip(zones, slots, strict=True)
    ]
