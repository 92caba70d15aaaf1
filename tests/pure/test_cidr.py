"""The CIDR plan: sizes, containment, no overlap, and stability under growth."""

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.pure import cidr
from components.pure.cidr import Tier, plan_subnets, subnet_cidr, vpc_prefix_problem, zone_slot

VPC = ipaddress.IPv4Network("10.0.0.0/16")
LETTERS = "abcdefgh"


def zones(letters: str, region: str = "eu-west-1") -> list[str]:
    return [f"{region}{letter}" for letter in letters]


def test_default_vpc_gives_private_subnets_4096_addresses_and_public_subnets_512():
    plan = plan_subnets(VPC, zones("abc"))
    by_tier = {tier: [p.cidr for p in plan if p.tier is tier] for tier in Tier}
    assert [str(c) for c in by_tier[Tier.PRIVATE]] == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert [str(c) for c in by_tier[Tier.PUBLIC]] == ["10.0.128.0/23", "10.0.130.0/23", "10.0.132.0/23"]


def test_the_fourth_quarter_of_the_vpc_holds_only_the_isolated_tier():
    reserved = list(VPC.subnets(prefixlen_diff=2))[3]
    for tier in Tier:
        every_slot = [subnet_cidr(VPC, tier, slot) for slot in range(cidr.MAX_ZONE_SLOTS)]
        inside = [subnet.subnet_of(reserved) for subnet in every_slot]
        assert (
            all(inside)
            if tier is Tier.ISOLATED
            else not any(subnet.overlaps(reserved) for subnet in every_slot)
        )


def test_isolated_subnets_take_the_first_quarter_of_the_reserved_quarter_and_leave_the_rest_free():
    plan = plan_subnets(VPC, zones("abc"), (*cidr.BASE_TIERS, Tier.ISOLATED))
    isolated = [str(p.cidr) for p in plan if p.tier is Tier.ISOLATED]
    assert isolated == ["10.0.192.0/23", "10.0.194.0/23", "10.0.196.0/23"]
    last_slot = subnet_cidr(VPC, Tier.ISOLATED, cidr.MAX_ZONE_SLOTS - 1)
    assert last_slot.broadcast_address < ipaddress.IPv4Address("10.0.208.0")  # 10.0.208.0/20+ stays free


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


tier_sets = st.sampled_from([cidr.BASE_TIERS, (*cidr.BASE_TIERS, Tier.ISOLATED)])


@given(vpc=vpcs, letters=letter_sets, tiers=tier_sets)
def test_with_or_without_the_isolated_tier_subnets_stay_inside_the_vpc_and_never_overlap(vpc, letters, tiers):
    plan = plan_subnets(vpc, zones(letters), tiers)
    assert len(plan) == len(tiers) * len(letters)
    for first, second in itertools.combinations(plan, 2):
        assert not first.cidr.overlaps(second.cidr), (first, second)
    assert all(p.cidr.subnet_of(vpc) for p in plan)


@given(vpc=vpcs, letters=letter_sets)
def test_adding_the_isolated_tier_never_changes_an_existing_subnet(vpc, letters):
    old = {(p.tier, p.zone): p.cidr for p in plan_subnets(vpc, zones(letters))}
    new = {
        (p.tier, p.zone): p.cidr for p in plan_subnets(vpc, zones(letters), (*cidr.BASE_TIERS, Tier.ISOLATED))
    }
    assert {key: new[key] for key in old} == old
    assert {tier for tier, _ in set(new) - set(old)} == {Tier.ISOLATED}
