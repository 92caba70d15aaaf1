"""Whole stacks: the real __main__.py run under mocks with the real Pulumi.<stack>.yaml files."""

import pytest
import yaml

from components.guardrails import policy_statements
from plan.engine import PROJECT_ROOT, Run, run_stack

STACK_FILES = sorted(PROJECT_ROOT.glob("Pulumi.*.yaml"))
STACKS = [path.name.split(".")[1] for path in STACK_FILES]


def stack_file(stack: str) -> dict:
    return yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


def nat_zones(run: Run) -> list[str]:
    return sorted(
        run.by_id(nat.inputs["subnetId"]).inputs["availabilityZone"]
        for nat in run.of_type("aws:ec2/natGateway:NatGateway")
    )


def test_the_repository_has_exactly_the_dev_and_prod_stacks():
    assert STACKS == ["dev", "prod"]


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


def test_dev_and_prod_pin_different_accounts_and_the_program_sees_the_right_one(dev: Run, prod: Run):
    assert stack_file("dev")["aws:allowedAccountIds"] == ["111111111111"]
    assert stack_file("prod")["aws:allowedAccountIds"] == ["222222222222"]
    for run, account in ((dev, "111111111111"), (prod, "222222222222")):
        trust = run.named("webstack-flow-logs-role").inputs["assumeRolePolicy"]
        (statement,) = policy_statements(trust)
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == [account]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_pins_region_and_tags_its_own_environment(stack: str):
    config = stack_file(stack)
    assert config["aws:region"]
    tags = config["aws:defaultTags"]["tags"]
    assert tags["Environment"] == config["webstack:environment"] == stack
    assert tags["Project"] == "webstack" and tags["ManagedBy"] == "pulumi"
    assert "aws:assumeRole" not in config, "pulumi-aws 7 only accepts the aws:assumeRoles list"


def test_dev_and_prod_use_different_vpc_ranges(dev: Run, prod: Run):
    assert dev.named("webstack-vpc").inputs["cidrBlock"] == "10.10.0.0/16"
    assert prod.named("webstack-vpc").inputs["cidrBlock"] == "10.20.0.0/16"


def test_prod_keeps_flow_logs_for_a_year_and_dev_for_a_month(dev: Run, prod: Run):
    assert dev.named("webstack-flow-logs").inputs["retentionInDays"] == 30
    assert prod.named("webstack-flow-logs").inputs["retentionInDays"] == 365


@pytest.mark.parametrize("stack", STACKS)
def test_what_must_always_hold_holds_in_every_stack(stack: str, request: pytest.FixtureRequest):
    run: Run = request.getfixturevalue(stack)
    subnets = run.of_type("aws:ec2/subnet:Subnet")
    zones = len(run.outputs["availabilityZones"])
    assert len(subnets) == 2 * zones
    assert not any(s.inputs["mapPublicIpOnLaunch"] for s in subnets)
    associated = [
        a.inputs["subnetId"] for a in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    ]
    assert sorted(associated) == sorted(s.id for s in subnets)
    (default_sg,) = run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["ingress"] == [] and default_sg.inputs["egress"] == []
    assert len(run.of_type("aws:ec2/flowLog:FlowLog")) == 1
    assert all(r.parent is not None for r in run.resources if r.custom)


@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_exports_the_network_for_later_components(stack: str, request: pytest.FixtureRequest):
    run: Run = request.getfixturevalue(stack)
    outputs = run.outputs
    assert outputs["environment"] == stack
    assert outputs["vpcId"] == run.named("webstack-vpc").id
    zones = outputs["availabilityZones"]
    assert outputs["publicSubnetIds"] == [f"webstack-public-{zone[-1]}-id" for zone in zones]
    assert outputs["privateSubnetIds"] == [f"webstack-private-{zone[-1]}-id" for zone in zones]
    plan = outputs["cidrPlan"]
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        tier, zone = subnet.inputs["tags"]["Tier"], subnet.inputs["availabilityZone"]
        assert plan[tier][zone] == subnet.inputs["cidrBlock"]


def test_stack_runs_do_not_leak_into_each_other():
    first = run_stack("dev")
    second = run_stack("dev")
    assert len(first.resources) == len(second.resources)
    assert first.outputs == second.outputs


def test_growing_dev_to_three_zones_keeps_every_existing_subnet(dev: Run):
    grown = run_stack("dev", {"webstack:network": {"cidr": "10.10.0.0/16", "azCount": 3}})
    before = {s.name: s.inputs["cidrBlock"] for s in dev.of_type("aws:ec2/subnet:Subnet")}
    after = {s.name: s.inputs["cidrBlock"] for s in grown.of_type("aws:ec2/subnet:Subnet")}
    assert {name: after[name] for name in before} == before
    assert len(after) == len(before) + 2


def test_a_region_with_gaps_in_its_zone_letters_still_plans_stable_subnets():
    run = run_stack("dev", {"aws:region": "ap-northeast-1"})
    assert run.outputs["availabilityZones"] == ["ap-northeast-1a", "ap-northeast-1c"]
    assert run.named("webstack-private-c").inputs["cidrBlock"] == "10.10.32.0/20"
