"""The CIDR plan: sizes, containment, no overlap, and stability under growth."""

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import cidr
from components.cidr import Tier, plan_subnets, subnet_cidr, vpc_prefix_problem, zone_slot

VPC = ipaddress.IPv4Network("10.0.0.0/16")
LETTERS = "abcdefgh"


def zones(letters: str, region: str = "eu-west-1") -> list[str]:
    return [f"{region}{letter}" for letter in letters]


def test_default_vpc_gives_private_subnets_4096_addresses_and_public_subnets_512():
    plan = plan_subnets(VPC, zones("abc"))
    by_tier = {tier: [p.cidr for p in plan if p.tier is tier] for tier in Tier}
    assert [str(c) for c in by_tier[Tier.PRIVATE]] == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert [str(c) for c in by_tier[Tier.PUBLIC]] == ["10.0.128.0/23", "10.0.130.0/23", "10.0.132.0/23"]


def test_the_fourth_quarter_of_the_vpc_is_left_free_for_a_future_tier():
    reserved = list(VPC.subnets(prefixlen_diff=2))[3]
    every_slot = [subnet_cidr(VPC, tier, slot) for tier in Tier for slot in range(cidr.MAX_ZONE_SLOTS)]
    assert not any(subnet.overlaps(reserved) for subnet in every_slot)


def test_a_zones_subnet_depends_on_its_letter_not_on_its_position_in_the_list():
    forward = {(p.tier, p.zone): p.cidr for p in plan_subnets(VPC, zones("ac"))}
    backward = {(p.tier, p.zone): p.cidr for p in plan_subnets(VPC, zones("ca"))}
    assert forward == backward
    assert forward[(Tier.PRIVATE, "eu-west-1c")] == ipaddress.IPv4Network("10.0.32.0/20")


def test_zone_slot_reads_the_trailing_letter():
    assert zone_slot("us-east-1a") == 0
    assert zone_slot("us-east-1f") == 5


@pytest.mark.parametrize("zone", ["us-east-1", "us-east-1i", "us-east-1A", ""])
def test_zone_slot_rejects_names_without_a_usable_letter(zone):
    with pytest.raises(ValueError, match="zone"):
        zone_slot(zone)


def test_a_repeated_zone_letter_is_rejected():
    with pytest.raises(ValueError, match="repeat a zone letter"):
        plan_subnets(VPC, ["eu-west-1a", "eu-west-2a"])


@pytest.mark.parametrize(
    ("network", "expected"),
    [("10.0.0.0/15", "at most /16"), ("10.0.0.0/21", "/28 public subnets"), ("10.0.0.0/24", "/27 or larger")],
)
def test_vpcs_that_cannot_hold_the_plan_are_explained(network, expected):
    problem = vpc_prefix_problem(ipaddress.IPv4Network(network))
    assert problem is not None and expected in problem


def test_the_smallest_vpc_still_gives_load_balancers_a_slash_27():
    smallest = ipaddress.IPv4Network(f"10.0.0.0/{cidr.MAX_VPC_PREFIX}")
    assert vpc_prefix_problem(smallest) is None
    assert subnet_cidr(smallest, Tier.PUBLIC, 7).prefixlen == cidr.MIN_SUBNET_SIZE_FOR_ALB


private_addresses = st.one_of(
    st.integers(int(ipaddress.IPv4Address("10.0.0.0")), int(ipaddress.IPv4Address("10.255.255.255"))),
    st.integers(int(ipaddress.IPv4Address("172.16.0.0")), int(ipaddress.IPv4Address("172.31.255.255"))),
    st.integers(int(ipaddress.IPv4Address("192.168.0.0")), int(ipaddress.IPv4Address("192.168.255.255"))),
)
vpcs = st.builds(
    lambda address, prefix: ipaddress.IPv4Network((address, prefix), strict=False),
    private_addresses,
    st.integers(cidr.MIN_VPC_PREFIX, cidr.MAX_VPC_PREFIX),
)
letter_sets = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=8, unique=True).map("".join)


@given(vpc=vpcs, letters=letter_sets)
def test_every_planned_subnet_lies_inside_the_vpc_and_none_overlap(vpc, letters):
    plan = plan_subnets(vpc, zones(letters))
    assert len(plan) == 2 * len(letters)
    for planned in plan:
        assert planned.cidr.subnet_of(vpc)
        assert planned.cidr.prefixlen <= cidr.MIN_SUBNET_SIZE_FOR_ALB
    for first, second in itertools.combinations(plan, 2):
        assert not first.cidr.overlaps(second.cidr), (first, second)


@given(vpc=vpcs, letters=letter_sets)
def test_private_subnets_always_get_more_addresses_than_public_ones(vpc, letters):
    plan = plan_subnets(vpc, zones(letters))
    smallest_private = min(p.cidr.num_addresses for p in plan if p.tier is Tier.PRIVATE)
    largest_public = max(p.cidr.num_addresses for p in plan if p.tier is Tier.PUBLIC)
    assert smallest_private > largest_public


@given(vpc=vpcs, before=letter_sets, added=letter_sets)
def test_adding_zones_never_changes_an_existing_subnet(vpc, before, added):
    grown = before + "".join(letter for letter in added if letter not in before)
    old = {(p.tier, p.zone): p.cidr for p in plan_subnets(vpc, zones(before))}
    new = {(p.tier, p.zone): p.cidr for p in plan_subnets(vpc, zones(grown))}
    assert {key: new[key] for key in old} == old
