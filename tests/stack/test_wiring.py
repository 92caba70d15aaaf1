"""Semantic wiring of the fixture stacks: each resource is attached to the stack's own VPC, cluster,
roles and logs (mocks accept a missing `vpc_id` or `cluster=`; AWS would put the resource in the
default VPC or cluster, or refuse it)."""

from __future__ import annotations

import functools
import json

import pytest

from components.service.task_definition import STOP_TIMEOUT_SECONDS
from plan.engine import Run, run_stack
from tests.support.fixture_stacks import FIXTURES

IN_VPC = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:lb/targetGroup:TargetGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
)


@pytest.fixture(params=["dev", "prod", "data-prod"])
def stack(request: pytest.FixtureRequest) -> Run:
    if request.param == "data-prod":
        return run_stack("data-prod", root=FIXTURES)
    return request.getfixturevalue(request.param)


def test_every_security_group_target_group_subnet_and_flow_log_is_in_the_stacks_vpc(stack: Run):
    vpc = stack.named("webstack-vpc").id
    placed = [r for r in stack.resources if r.type in IN_VPC]
    assert {r.type for r in placed} >= {IN_VPC[0], IN_VPC[1], IN_VPC[2]}
    assert [r.name for r in placed if r.inputs.get("vpcId") != vpc] == []


def test_every_service_runs_in_the_stacks_cluster_on_its_own_task_definition_and_target_group(stack: Run):
    cluster = stack.named("cluster-ecs").state["arn"]
    for service in stack.of_type("aws:ecs/service:Service"):
        name = service.name.removesuffix("-service")
        assert service.inputs["cluster"] == cluster
        assert service.inputs["taskDefinition"] == stack.named(f"{name}-task").state["arn"]
        (balancer,) = service.inputs["loadBalancers"]
        group = stack.named(f"edge-tg-{name}")
        assert (balancer["targetGroupArn"], balancer["containerName"]) == (group.state["arn"], name)
        assert balancer["containerPort"] == group.inputs["port"]


def test_every_task_definition_has_its_own_execution_and_task_roles(stack: Run):
    for task in stack.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        name = task.name.removesuffix("-task")
        assert task.inputs["executionRoleArn"] == stack.named(f"{name}-execution-role").state["arn"]
        assert task.inputs["taskRoleArn"] == stack.named(f"{name}-task-role").state["arn"]
        assert (task.inputs["cpu"], task.inputs["memory"]) != (None, None)


def test_every_container_is_essential_stops_gracefully_and_logs_with_its_own_stream_prefix(stack: Run):
    for task in stack.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        name = task.name.removesuffix("-task")
        (container,) = json.loads(task.inputs["containerDefinitions"])
        assert (container["name"], container["essential"]) == (name, True)
        assert container["stopTimeout"] == STOP_TIMEOUT_SECONDS
        options = container["logConfiguration"]["options"]
        assert options["awslogs-stream-prefix"] == name
        assert options["awslogs-group"] == stack.named(f"{name}-logs").state["name"]


def test_every_role_policy_and_attachment_is_on_a_role_of_the_stack(stack: Run):
    roles = {role.id for role in stack.of_type("aws:iam/role:Role")}
    attached = stack.of_type("aws:iam/rolePolicy:RolePolicy") + stack.of_type(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    )
    assert attached and [r.name for r in attached if r.inputs["role"] not in roles] == []


def test_the_flow_log_delivers_through_its_role_into_its_group_every_minute(stack: Run):
    (flow,) = stack.of_type("aws:ec2/flowLog:FlowLog")
    assert flow.inputs["iamRoleArn"] == stack.named("webstack-flow-logs-role").state["arn"]
    assert flow.inputs["logDestination"] == stack.named("webstack-flow-logs").state["arn"]
    assert (flow.inputs["trafficType"], flow.inputs["maxAggregationInterval"]) == ("ALL", 60)


def test_the_load_balancer_is_an_application_load_balancer_with_a_bounded_idle_timeout(stack: Run):
    alb = stack.named("edge-alb").inputs
    assert alb["loadBalancerType"] == "application"
    assert 1 <= alb["idleTimeout"] <= 4000
    for group in stack.of_type("aws:lb/targetGroup:TargetGroup"):
        check = group.inputs["healthCheck"]
        assert (check["protocol"], check["port"], check["timeout"]) == ("HTTP", "traffic-port", 5)
        assert check["timeout"] < check["interval"]


TAGGED_FIXTURES = ("example-prod", "data-prod", "workers-dev", "reference-apigw-ec2", "private-dev")
"""Fixtures that between them hold every kind of resource webstack makes."""


@functools.cache
def _fixture_run(fixture: str) -> Run:
    return run_stack(fixture, root=FIXTURES)


def _takes_tags(type_: str) -> bool:
    """Whether the pulumi_aws resource class of ``type_`` has a ``tags`` argument."""
    import importlib
    import inspect

    package, _, rest = type_.partition(":")
    if package != "aws":
        return False
    module, _, name = rest.partition(":")
    package_module = module.split("/")[0]
    if package_module == "lambda":  # a Python keyword: the SDK's module is lambda_
        package_module = "lambda_"
    resource = getattr(importlib.import_module(f"pulumi_aws.{package_module}"), name, None)
    return resource is not None and "tags" in inspect.signature(resource._internal_init).parameters


@pytest.mark.parametrize("fixture", TAGGED_FIXTURES)
def test_every_resource_that_takes_tags_carries_the_stack_tag(fixture: str):
    run = _fixture_run(fixture)
    untagged = []
    for resource in (r for r in run.resources if r.custom and _takes_tags(r.type)):
        tags = resource.inputs.get("tags")
        if isinstance(tags, list):  # an Auto Scaling group's tag blocks
            tags = {tag["key"]: tag["value"] for tag in tags}
        if not isinstance(tags, dict) or tags.get("Stack") != fixture:
            untagged.append(f"{resource.type} {resource.name}")
    assert untagged == []


@pytest.mark.parametrize("fixture", TAGGED_FIXTURES)
def test_every_security_group_and_rule_says_what_it_is_for(fixture: str):
    kinds = (
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    )
    rules = [r for r in _fixture_run(fixture).resources if r.type in kinds]
    assert len(rules) > 5
    # pulumi_aws fills an absent security-group description with "Managed by Pulumi": that says nothing.
    vague = {"", "Managed by Pulumi"}
    assert [r.name for r in rules if str(r.inputs.get("description") or "") in vague] == []
    assert [r.name for r in rules if len(str(r.inputs.get("description") or "")) < 10] == []
