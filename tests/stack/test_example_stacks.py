"""The example stacks (fixtures tests/stacks/Pulumi.example-{dev,prod}.yaml): their exact values.

These pin what release 1's examples deploy; the user's own stack files are tested only for what every
valid stack keeps (tests/stack/test_stacks.py).
"""

from components.pure.guardrails import policy_statements
from plan.engine import Run, fresh_runs, run_stack
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES


def nat_zones(run: Run) -> list[str]:
    return sorted(
        run.by_id(nat.inputs["subnetId"]).inputs["availabilityZone"]
        for nat in run.of_type("aws:ec2/natGateway:NatGateway")
    )


def test_dev_runs_two_zones_behind_a_single_nat(dev: Run):
    assert dev.outputs["availabilityZones"] == ["eu-west-1a", "eu-west-1b"]
    assert nat_zones(dev) == ["eu-west-1a"]
    assert len(dev.outputs["natGatewayIds"]) == 1


def test_prod_runs_three_zones_each_with_its_own_nat(prod: Run):
    assert prod.outputs["availabilityZones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert nat_zones(prod) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    for route in prod.of_type("aws:ec2/route:Route"):
        if "natGatewayId" not in route.inputs:
            continue
        table_zone = prod.by_id(route.inputs["routeTableId"]).name[-1]
        nat_zone = prod.by_id(prod.by_id(route.inputs["natGatewayId"]).inputs["subnetId"]).name[-1]
        assert table_zone == nat_zone


def test_dev_and_prod_roles_trust_only_their_own_pinned_account(dev: Run, prod: Run):
    for run, account in ((dev, "111111111111"), (prod, "222222222222")):
        trust = run.named("webstack-flow-logs-role").inputs["assumeRolePolicy"]
        (statement,) = policy_statements(trust)
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == [account]


def test_dev_and_prod_use_different_vpc_ranges(dev: Run, prod: Run):
    assert dev.named("webstack-vpc").inputs["cidrBlock"] == "10.10.0.0/16"
    assert prod.named("webstack-vpc").inputs["cidrBlock"] == "10.20.0.0/16"


def test_prod_keeps_flow_logs_for_a_year_and_dev_for_a_month(dev: Run, prod: Run):
    assert dev.named("webstack-flow-logs").inputs["retentionInDays"] == 30
    assert prod.named("webstack-flow-logs").inputs["retentionInDays"] == 365


def test_stack_runs_do_not_leak_into_each_other():
    with fresh_runs():  # two real runs, not one run memoized for the suite
        first = run_stack(EXAMPLE_DEV, root=FIXTURES)
        second = run_stack(EXAMPLE_DEV, root=FIXTURES)
    assert len(first.resources) == len(second.resources)
    assert first.outputs == second.outputs


def test_growing_dev_to_three_zones_keeps_every_existing_subnet(dev: Run):
    grown = run_stack(
        EXAMPLE_DEV, {"webstack:network": {"cidr": "10.10.0.0/16", "azCount": 3}}, root=FIXTURES
    )
    before = {s.name: s.inputs["cidrBlock"] for s in dev.of_type("aws:ec2/subnet:Subnet")}
    after = {s.name: s.inputs["cidrBlock"] for s in grown.of_type("aws:ec2/subnet:Subnet")}
    assert {name: after[name] for name in before} == before
    assert len(after) == len(before) + 2


def test_a_region_with_gaps_in_its_zone_letters_still_plans_stable_subnets():
    run = run_stack(EXAMPLE_DEV, {"aws:region": "ap-northeast-1"}, root=FIXTURES)
    assert run.outputs["availabilityZones"] == ["ap-northeast-1a", "ap-northeast-1c"]
    assert run.named("webstack-private-c").inputs["cidrBlock"] == "10.10.32.0/20"
