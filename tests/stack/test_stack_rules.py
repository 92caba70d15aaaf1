"""Rules over whole fixture stacks (the example stacks and the workers stack): what is open to the
internet, every guardrail, IAM, log retention and the exports.
"""

import pytest

from components.pure.guardrails import check_resource, is_wildcard_action, policy_statements
from plan.engine import Recorded, Run, run_stack
from tests.support.fixture_stacks import FIXTURES

STACKS = ["dev", "prod"]
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def run() -> Run:
    """The fixture stack Pulumi.workers-dev.yaml."""
    return run_stack("workers-dev", root=FIXTURES)


def internet_ingress(run: Run) -> list[Recorded]:
    return [
        r
        for r in run.of_type(SG_INGRESS)
        if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"
    ]


def test_both_stacks_run_two_services_behind_one_edge(stack):
    _, run = stack
    assert sorted(s.name for s in run.of_type("aws:ecs/service:Service")) == ["api-service", "web-service"]
    assert len(run.of_type("aws:lb/loadBalancer:LoadBalancer")) == 1


def test_the_only_group_open_to_the_internet_is_the_edges_and_only_on_web_ports(stack):
    name, run = stack
    edge_sg = run.named("edge-sg")
    open_rules = internet_ingress(run)
    assert {r.inputs["securityGroupId"] for r in open_rules} == {edge_sg.id}
    ports = sorted((int(r.inputs["fromPort"]), int(r.inputs["toPort"])) for r in open_rules)
    assert ports == ([(80, 80), (443, 443)] if name == "prod" else [(80, 80)])
    groups = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in groups), "no inline rules"


def test_every_log_group_keeps_logs_for_a_limited_time(stack):
    name, run = stack
    groups = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    # flow logs, exec sessions, one per service, and the WAF's where the stack has one
    assert len(groups) == 4 + len(run.of_type("aws:wafv2/webAcl:WebAcl"))
    assert all(g.inputs["retentionInDays"] > 0 for g in groups)
    expected = 14 if name == "dev" else 365
    assert [run.named(f"{s}-logs").inputs["retentionInDays"] for s in PORTS] == [expected, expected]


def test_roles_hold_no_wildcard_actions_and_no_broad_managed_policies(stack):
    _, run = stack
    allowed = [
        s for p in run.of_type("aws:iam/rolePolicy:RolePolicy") for s in policy_statements(p.inputs["policy"])
    ]
    assert allowed, "the stack has inline role policies to check"
    for statement in allowed:
        assert statement["Effect"] == "Allow"
        assert not [a for a in statement["Action"] if is_wildcard_action(a)], statement
    attachments = {
        a.inputs["policyArn"] for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert attachments == {"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}


def test_the_stack_exports_url_cluster_services_log_groups_and_repositories(stack):
    _, run = stack
    outputs = run.outputs
    assert outputs["clusterName"] == run.named("cluster-ecs").state["name"]
    assert outputs["serviceNames"] == {s: run.named(f"{s}-service").state["name"] for s in PORTS}
    assert outputs["logGroups"] == {s: run.named(f"{s}-logs").state["name"] for s in PORTS}
    assert outputs["repositoryUrls"] == {s: run.named(f"{s}-repo").state["repositoryUrl"] for s in PORTS}
    assert outputs["url"].endswith(run.named("edge-alb").state["dnsName"])


def test_every_guardrail_holds_in_prod(prod: Run):
    violations = [v for r in prod.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert violations == []


def test_dev_breaks_no_guardrail_but_its_declared_http_only_listener(dev: Run):
    violations = [v for r in dev.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert [(v.rule, v.urn.rsplit("::", 1)[-1]) for v in violations] == [
        ("http-listeners-only-redirect", "edge-http")
    ]


def test_no_rule_anywhere_opens_ssh_or_rdp(stack):
    _, run = stack
    assert not [
        v
        for r in run.resources
        for v in check_resource(r.type, r.inputs, r.urn)
        if v.rule == "no-admin-ports"
    ]
    assert len(run.of_type(SG_INGRESS)) >= 3


def test_every_role_lives_under_the_webstack_path_the_deploy_role_is_scoped_to(stack):
    environment, run = stack
    roles = run.of_type("aws:iam/role:Role")
    # Two per service and the flow logs' role; prod's blue/green services add ECS's load-balancer role.
    assert len(roles) == (7 if environment == "prod" else 5)
    assert {role.inputs["path"] for role in roles} == {"/webstack/"}


def test_every_new_resource_keeps_the_guardrails(run: Run):
    # Dev without a certificate serves plain HTTP: that rule is advisory in dev (policy/config.dev.json).
    violations = [
        v
        for r in run.resources
        for v in check_resource(r.type, r.inputs, r.urn)
        if v.rule != "http-listeners-only-redirect"
    ]
    assert violations == [], violations
