"""The Network component under mocks: every subnet, route, association and log wire asserted."""

import json
from typing import Any

import pulumi
import pytest

from components.network import NatMode, Network, NetworkArgs
from components.pure.guardrails import policy_statements
from plan.engine import Recorded, Run, mock_id, run_component

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
ACCOUNT = "333333333333"

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/stack-key"


def build(nat_mode: NatMode, zones: tuple[str, ...] = ZONES, isolated: bool = False) -> Run:
    args = NetworkArgs(
        cidr="10.1.0.0/16",
        zones=zones,
        nat_mode=nat_mode,
        flow_log_retention_days=90,
        region="eu-west-1",
        kms_key_arn=KEY_ARN,
        tags={"Team": "platform"},
        isolated=isolated,
    )
    config = {"aws:region": "eu-west-1", "aws:allowedAccountIds": json.dumps([ACCOUNT])}
    return run_component(lambda: Network("net", args), config=config)


@pytest.fixture(scope="module", params=list(NatMode), ids=[mode.value for mode in NatMode])
def any_mode(request) -> tuple[NatMode, Run]:
    return request.param, build(request.param)


@pytest.fixture(scope="module")
def per_az() -> Run:
    return build(NatMode.PER_AZ)


def subnets(run: Run, tier: str) -> list[Recorded]:
    """A tier's subnets in zone order (registration order is not deterministic)."""
    tier_subnets = [r for r in run.of_type(SUBNET) if r.inputs["tags"]["Tier"] == tier]
    return sorted(tier_subnets, key=lambda subnet: subnet.inputs["availabilityZone"])


def default_route(run: Run, route_table: Recorded) -> Recorded | None:
    routes = [r for r in run.of_type(ROUTE) if r.inputs["routeTableId"] == route_table.id]
    assert len(routes) <= 1, "a route table has at most its one default route"
    if routes:
        assert routes[0].inputs["destinationCidrBlock"] == "0.0.0.0/0"
    return routes[0] if routes else None


def route_table_of(run: Run, subnet: Recorded) -> Recorded:
    associations = [a for a in run.of_type(ASSOCIATION) if a.inputs["subnetId"] == subnet.id]
    assert len(associations) == 1, f"{subnet.name} must have exactly one explicit association"
    return run.by_id(associations[0].inputs["routeTableId"])


def test_each_zone_gets_one_public_and_one_private_subnet_from_the_plan(any_mode):
    _, run = any_mode
    public, private = subnets(run, "public"), subnets(run, "private")
    assert [s.inputs["availabilityZone"] for s in public] == list(ZONES)
    assert [s.inputs["availabilityZone"] for s in private] == list(ZONES)
    assert [s.inputs["cidrBlock"] for s in private] == ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/20"]
    assert [s.inputs["cidrBlock"] for s in public] == ["10.1.128.0/23", "10.1.130.0/23", "10.1.132.0/23"]
    vpc = run.named("net-vpc")
    assert all(s.inputs["vpcId"] == vpc.id for s in public + private)


def test_no_subnet_maps_public_ips_on_launch_not_even_public_ones(any_mode):
    _, run = any_mode
    assert len(run.of_type(SUBNET)) == 6
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in run.of_type(SUBNET))


def test_the_vpc_has_dns_support_and_hostnames(any_mode):
    _, run = any_mode
    vpc = run.named("net-vpc")
    assert vpc.inputs["cidrBlock"] == "10.1.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_public_subnets_route_to_the_internet_gateway_through_one_explicit_table(any_mode):
    _, run = any_mode
    igw = run.named("net-igw")
    assert igw.inputs["vpcId"] == run.named("net-vpc").id
    tables = {route_table_of(run, subnet).name for subnet in subnets(run, "public")}
    assert tables == {"net-public-rt"}
    route = default_route(run, run.named("net-public-rt"))
    assert route is not None and route.inputs["gatewayId"] == igw.id
    assert "natGatewayId" not in route.inputs


def test_every_private_subnet_has_its_own_explicitly_associated_route_table(any_mode):
    _, run = any_mode
    tables = [route_table_of(run, subnet).name for subnet in subnets(run, "private")]
    assert tables == ["net-private-rt-a", "net-private-rt-b", "net-private-rt-c"]
    assert len(run.of_type(ASSOCIATION)) == 6


@pytest.mark.parametrize(("mode", "expected"), [(NatMode.NONE, 0), (NatMode.SINGLE, 1), (NatMode.PER_AZ, 3)])
def test_nat_gateway_count_follows_the_nat_mode(mode, expected):
    run = build(mode)
    assert len(run.of_type(NAT)) == expected
    assert len(run.of_type(EIP)) == expected
    assert len([r for r in run.of_type(ROUTE) if "natGatewayId" in r.inputs]) == (0 if expected == 0 else 3)


def test_per_az_routes_each_private_subnet_through_the_nat_in_its_own_zone(per_az):
    for subnet in subnets(per_az, "private"):
        route = default_route(per_az, route_table_of(per_az, subnet))
        assert route is not None
        nat = per_az.by_id(route.inputs["natGatewayId"])
        nat_subnet = per_az.by_id(nat.inputs["subnetId"])
        assert nat_subnet.inputs["tags"]["Tier"] == "public"
        assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]


def test_each_nat_gateway_has_its_own_elastic_ip_and_waits_for_the_internet_gateway(per_az):
    allocations = [nat.inputs["allocationId"] for nat in per_az.of_type(NAT)]
    eips = {eip.state["allocationId"] for eip in per_az.of_type(EIP)}
    assert sorted(allocations) == sorted(eips)
    assert all(eip.inputs["domain"] == "vpc" for eip in per_az.of_type(EIP))
    igw_urn = per_az.named("net-igw").urn
    assert all(igw_urn in nat.options["dependsOn"] for nat in per_az.of_type(NAT))


def test_single_mode_sends_every_zone_through_the_one_nat_in_the_first_zone():
    run = build(NatMode.SINGLE)
    (nat,) = run.of_type(NAT)
    assert run.by_id(nat.inputs["subnetId"]).name == "net-public-a"
    for subnet in subnets(run, "private"):
        route = default_route(run, route_table_of(run, subnet))
        assert route is not None and route.inputs["natGatewayId"] == nat.id


def test_none_mode_leaves_private_subnets_without_any_default_route():
    run = build(NatMode.NONE)
    for subnet in subnets(run, "private"):
        assert default_route(run, route_table_of(run, subnet)) is None


def test_the_default_security_group_is_taken_over_with_no_rules(any_mode):
    _, run = any_mode
    (default_sg,) = run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["vpcId"] == run.named("net-vpc").id
    assert default_sg.inputs["ingress"] == []
    assert default_sg.inputs["egress"] == []


def test_flow_logs_capture_all_traffic_into_a_log_group_with_retention(per_az):
    (flow_log,) = per_az.of_type("aws:ec2/flowLog:FlowLog")
    log_group = per_az.named("net-flow-logs")
    assert flow_log.inputs["vpcId"] == per_az.named("net-vpc").id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == log_group.state["arn"]
    assert flow_log.inputs["iamRoleArn"] == per_az.named("net-flow-logs-role").state["arn"]
    assert log_group.inputs["retentionInDays"] == 90


def test_the_flow_log_role_trusts_only_flow_logs_of_its_own_account(per_az):
    role = per_az.named("net-flow-logs-role")
    (statement,) = policy_statements(role.inputs["assumeRolePolicy"])
    assert statement["Principal"] == {"Service": ["vpc-flow-logs.amazonaws.com"]}
    assert statement["Action"] == ["sts:AssumeRole"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}}


def test_the_flow_log_role_may_write_only_to_its_own_log_group(per_az):
    policy = per_az.named("net-flow-logs-policy")
    assert policy.inputs["role"] == per_az.named("net-flow-logs-role").id
    (statement,) = policy_statements(policy.inputs["policy"])
    arn = per_az.named("net-flow-logs").state["arn"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == [arn, f"{arn}:*"]
    assert all(action.startswith("logs:") and "*" not in action for action in statement["Action"])


def test_an_s3_gateway_endpoint_serves_every_private_route_table(any_mode):
    _, run = any_mode
    (endpoint,) = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert endpoint.inputs["routeTableIds"] == [mock_id(f"net-private-rt-{z}") for z in "abc"]


def test_every_child_is_parented_to_the_component_and_named_after_it(any_mode):
    _, run = any_mode
    component = run.named("net")
    assert component.type == "webstack:components:Network"
    children = [r for r in run.resources if r is not component]
    assert children and all(r.parent == component.urn for r in children)
    assert all(r.name.startswith("net-") for r in children)


def test_tagged_children_carry_a_name_tag_and_the_component_tags(per_az):
    tagged = [r for r in per_az.resources if r.custom and "tags" in r.inputs]
    assert len(tagged) >= 20
    assert all(r.inputs["tags"]["Team"] == "platform" for r in tagged)
    assert per_az.named("net-private-b").inputs["tags"]["Name"] == "net-private-b"


def test_the_component_outputs_subnet_ids_in_zone_order_and_the_cidr_plan():
    captured: dict[str, object] = {}

    def construct() -> pulumi.Output[None]:
        network = Network(
            "net",
            NetworkArgs(
                cidr="10.1.0.0/16",
                zones=("eu-west-1c", "eu-west-1a"),
                nat_mode=NatMode.SINGLE,
                flow_log_retention_days=30,
                region="eu-west-1",
                kms_key_arn=KEY_ARN,
            ),
        )
        captured["plan"] = network.cidr_plan
        return pulumi.Output.all(
            vpc=network.vpc_id,
            public=pulumi.Output.all(*network.public_subnet_ids),
            private=pulumi.Output.all(*network.private_subnet_ids),
            nats=pulumi.Output.all(*network.nat_gateway_ids),
        ).apply(captured.update)

    run_component(construct)
    assert captured["plan"] == {
        "public": {"eu-west-1c": "10.1.132.0/23", "eu-west-1a": "10.1.128.0/23"},
        "private": {"eu-west-1c": "10.1.32.0/20", "eu-west-1a": "10.1.0.0/20"},
    }
    assert captured["vpc"] == mock_id("net-vpc")
    assert captured["public"] == [mock_id("net-public-c"), mock_id("net-public-a")]
    assert captured["private"] == [mock_id("net-private-c"), mock_id("net-private-a")]
    assert captured["nats"] == [mock_id("net-nat-c")]


def test_network_args_without_zones_are_rejected():
    with pytest.raises(ValueError, match="zones is empty"):
        NetworkArgs(
            cidr="10.1.0.0/16",
            zones=(),
            nat_mode=NatMode.NONE,
            flow_log_retention_days=30,
            region="eu-west-1",
            kms_key_arn=KEY_ARN,
        )


# --- The isolated tier (data stores) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def with_isolated() -> Run:
    return build(NatMode.PER_AZ, isolated=True)


def test_without_a_data_store_there_is_no_isolated_tier(any_mode):
    _, run = any_mode
    assert subnets(run, "isolated") == []
    assert not [t for t in run.of_type(ROUTE_TABLE) if "isolated" in t.name]


def test_the_isolated_tier_puts_one_subnet_per_zone_in_the_reserved_quarter(with_isolated):
    isolated = subnets(with_isolated, "isolated")
    assert [s.inputs["availabilityZone"] for s in isolated] == list(ZONES)
    assert [s.inputs["cidrBlock"] for s in isolated] == ["10.1.192.0/23", "10.1.194.0/23", "10.1.196.0/23"]
    assert [s.name for s in isolated] == ["net-isolated-a", "net-isolated-b", "net-isolated-c"]
    assert not any(s.inputs["mapPublicIpOnLaunch"] for s in isolated)


def test_isolated_subnets_share_one_explicit_route_table_with_no_route_at_all(with_isolated):
    tables = {route_table_of(with_isolated, subnet).name for subnet in subnets(with_isolated, "isolated")}
    assert tables == {"net-isolated-rt"}
    table = with_isolated.named("net-isolated-rt")
    assert [r for r in with_isolated.of_type(ROUTE) if r.inputs["routeTableId"] == table.id] == []
    (endpoint,) = with_isolated.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert table.id not in endpoint.inputs["routeTableIds"]
    assert "routes" not in table.inputs or table.inputs["routes"] in ([], None)


def test_adding_the_isolated_tier_changes_no_existing_resource(per_az, with_isolated):
    """Upgrade safety: same logical names, same inputs, for every resource the network had before."""
    before = {r.urn: r.inputs for r in per_az.resources}
    after = {r.urn: r.inputs for r in with_isolated.resources}
    assert {urn: after.get(urn) for urn in before} == before
    added = sorted(r.name for r in with_isolated.resources if r.urn not in before)
    assert added == [
        "net-isolated-a",
        "net-isolated-b",
        "net-isolated-c",
        "net-isolated-rt",
        "net-isolated-rta-a",
        "net-isolated-rta-b",
        "net-isolated-rta-c",
    ]


def test_the_network_outputs_isolated_subnet_ids_and_their_plan():
    captured: dict[str, object] = {}

    def construct() -> pulumi.Output[None]:
        network = Network(
            "net",
            NetworkArgs(
                cidr="10.1.0.0/16",
                zones=("eu-west-1b", "eu-west-1a"),
                nat_mode=NatMode.NONE,
                flow_log_retention_days=30,
                region="eu-west-1",
                kms_key_arn=KEY_ARN,
                isolated=True,
            ),
        )
        captured["plan"] = network.cidr_plan
        return pulumi.Output.all(*network.isolated_subnet_ids).apply(lambda ids: captured.update(ids=ids))

    run_component(construct)
    assert captured["ids"] == [mock_id("net-isolated-b"), mock_id("net-isolated-a")]
    assert captured["plan"]["isolated"] == {"eu-west-1b": "10.1.194.0/23", "eu-west-1a": "10.1.192.0/23"}  # type: ignore[index]


def _without_nat(image: str) -> list[str]:
    from stack.config import parse_settings
    from stack.schema import ConfigError
    from tests.config.test_config import raw

    try:
        parse_settings(
            raw(
                webstack__network={"natMode": "none", "interfaceEndpoints": True},
                webstack__services={"web": {"image": image, "port": 8080}},
            ),
            "test",
        )
    except ConfigError as error:
        return error.problems
    return []


def test_without_nat_an_image_from_a_public_registry_is_a_named_error_with_the_fixes():
    for image in (
        "public.ecr.aws/nginx/nginx:1.27",
        "ghcr.io/org/web:1.0",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0",
    ):
        (problem,) = _without_nat(image)
        assert problem.startswith(f'webstack:services.web.image: got "{image}", but with natMode none')
        assert "webstack:services.web.build" in problem and "natMode single" in problem


def test_without_nat_an_image_in_the_stacks_own_region_of_private_ecr_is_accepted():
    assert _without_nat("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0") == []


# --- No NAT: the endpoints every declared feature calls ---------------------------------------------

PRIVATE_IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/app:1.0.0"


def _natless_endpoints(**config: Any) -> set[str]:
    from plan import graph
    from tests.support.fixture_stacks import FIXTURES

    overrides = {"webstack:network": {"cidr": "10.30.0.0/16", "natMode": "none", "interfaceEndpoints": True}}
    captured = graph.capture("private-dev", FIXTURES, {**overrides, **config})
    return {
        r["inputs"]["serviceName"].removeprefix("com.amazonaws.eu-west-1.")
        for r in captured["resources"]
        if r["type"] == "aws:ec2/vpcEndpoint:VpcEndpoint" and r["inputs"]["vpcEndpointType"] == "Interface"
    }


def test_without_nat_a_queue_adds_the_sqs_endpoint_and_exec_adds_kms_for_its_encrypted_sessions():
    """A worker's SQS calls and ECS Exec's KMS-encrypted channel go to public AWS endpoints; without
    NAT only an interface endpoint reaches them (AWS ECS ecs-exec.html: with interface endpoints and a
    KMS key for Exec, "you must create the interface Amazon VPC endpoint for AWS KMS")."""
    services = {
        "web": {"image": PRIVATE_IMAGE, "port": 8080, "healthCheckPath": "/"},
        "worker": {"image": PRIVATE_IMAGE},
    }
    queues = {"jobs": {"consumer": "worker", "senders": ["web"]}}
    with_queue = _natless_endpoints(**{"webstack:services": services, "webstack:queues": queues})
    assert with_queue == {"ecr.api", "ecr.dkr", "logs", "ssmmessages", "kms", "sqs"}
    without_exec = _natless_endpoints(
        **{
            "webstack:services": services,
            "webstack:queues": queues,
            "webstack:cluster": {"execEnabled": False},
        }
    )
    assert without_exec == {"ecr.api", "ecr.dkr", "logs", "sqs"}


def test_without_nat_a_database_adds_the_secrets_manager_endpoint_its_credentials_come_through():
    """ECS reads the database's managed secret (and a cache's AUTH token) at task start through
    Secrets Manager, even when the service declares no secret of its own."""
    services = {"web": {"image": PRIVATE_IMAGE, "port": 8080, "healthCheckPath": "/", "database": "main"}}
    found = _natless_endpoints(
        **{
            "webstack:services": services,
            "webstack:databases": {"main": {}},
            "webstack:cluster": {"execEnabled": False},
        }
    )
    assert found == {"ecr.api", "ecr.dkr", "logs", "secretsmanager"}


def test_without_nat_a_secret_in_another_region_is_a_named_error_with_the_fixes():
    from stack.config import parse_settings
    from stack.schema import ConfigError
    from tests.config.test_config import raw

    arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/token-AbCdEf"
    with pytest.raises(ConfigError) as caught:
        parse_settings(
            raw(
                webstack__network={"natMode": "none", "interfaceEndpoints": True},
                webstack__services={"web": {"image": PRIVATE_IMAGE, "port": 8080, "secrets": {"TOKEN": arn}}},
            ),
            "test",
        )
    (problem,) = caught.value.problems
    assert problem.startswith(f'webstack:services.web.secrets.TOKEN: got "{arn}", a secret in us-east-1')
    assert "replica" in problem and "natMode single" in problem
