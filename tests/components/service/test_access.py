"""Who may reach a service's tasks and where they may go (components/service/access.py): security
groups and their rules in both example stacks, and workers and Service Connect.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

from typing import Any

import pytest

from plan.engine import Recorded, Run, run_stack
from tests.support.fixture_stacks import FIXTURES

STACKS = ["dev", "prod"]
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_each_service_admits_only_the_edge_on_its_own_port(stack):
    _, run = stack
    edge_sg = run.named("edge-sg").id
    for service, port in PORTS.items():
        group = run.named(f"{service}-sg").id
        rules = [r for r in run.of_type(SG_INGRESS) if r.inputs["securityGroupId"] == group]
        assert [
            (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in rules
        ] == [(edge_sg, port, port)]
        assert all("cidrIpv4" not in r.inputs for r in rules)


def test_the_edge_may_send_only_to_the_services_on_their_ports(stack):
    _, run = stack
    edge_sg = run.named("edge-sg").id
    egress = [r for r in run.of_type(SG_EGRESS) if r.inputs["securityGroupId"] == edge_sg]
    targets = sorted(
        (
            run.by_id(r.inputs["referencedSecurityGroupId"]).name,
            int(r.inputs["fromPort"]),
            int(r.inputs["toPort"]),
        )
        for r in egress
    )
    assert targets == [("api-sg", 9090, 9090), ("web-sg", 8080, 8080)]


def test_services_send_only_https_out(stack):
    _, run = stack
    for service in PORTS:
        group = run.named(f"{service}-sg").id
        egress = [r for r in run.of_type(SG_EGRESS) if r.inputs["securityGroupId"] == group]
        assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in egress] == [
            (443, 443, "0.0.0.0/0")
        ]


def test_tasks_run_in_private_subnets_without_public_ips(stack):
    _, run = stack
    private = run.outputs["privateSubnetIds"]
    for service in run.of_type("aws:ecs/service:Service"):
        network = service.inputs["networkConfiguration"]
        assert network["subnets"] == private
        assert network["assignPublicIp"] is False
        assert network["securityGroups"] == [run.named(service.name.replace("-service", "-sg")).id]


def _with_services(services: dict[str, Any]) -> Run:
    return run_stack("example-dev", {"webstack:services": services}, root=FIXTURES)


def _example_services() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((FIXTURES / "Pulumi.example-dev.yaml").read_text())["config"]["webstack:services"]


def test_a_port_change_updates_the_rules_in_place_and_keeps_every_security_group():
    """A group's description is ForceNew (terraform-provider-aws ec2/vpc_security_group.go; plan/
    replacement.py), a rule's ports are not (vpc/security_group_ingress_rule.go updates them with
    ModifySecurityGroupRules): moving web from 8080 to 8081, or making api a worker, must replace no
    group while tasks use it. Groups deployed with a port in their description keep it through
    ignoreChanges (tests/stack/test_upgrade.py)."""
    from plan import replacement

    services = _example_services()
    before = _with_services(services)
    moved = {**services, "web": {**services["web"], "port": 8081}}
    worker = {**services["api"]}
    for key in ("port", "healthCheckPath", "routing"):
        worker.pop(key)
    for after in (_with_services(moved), _with_services({**moved, "api": worker})):
        for old in before.of_type("aws:ec2/securityGroup:SecurityGroup"):
            new = after.named(old.name)
            assert replacement.replacing_changes(old.type, old.inputs, new.inputs) == [], old.name
    assert [before.named(f"{name}-sg").options["ignoreChanges"] for name in PORTS] == [["description"]] * 2
    after = _with_services(moved)
    for name in ("web-in-from-edge", "web-edge-out"):
        old, new = before.named(name), after.named(name)
        assert (new.inputs["fromPort"], new.inputs["toPort"]) == (8081, 8081)
        assert replacement.replacing_changes(old.type, old.inputs, new.inputs) == []


def rules_of(run: Run, kind: str, group: str) -> list[Recorded]:
    return [r for r in run.of_type(kind) if r.inputs["securityGroupId"] == run.named(f"{group}-sg").id]


def test_a_worker_gets_no_target_group_no_listener_rule_and_no_inbound_rule(run: Run):
    groups = sorted(tg.name for tg in run.of_type("aws:lb/targetGroup:TargetGroup"))
    assert groups == ["edge-tg-api", "edge-tg-api-admin", "edge-tg-web"]
    assert len(run.of_type("aws:lb/listenerRule:ListenerRule")) == 3
    assert rules_of(run, SG_INGRESS, "worker") == []
    edge_egress = rules_of(run, SG_EGRESS, "edge")
    assert {run.by_id(r.inputs["referencedSecurityGroupId"]).name for r in edge_egress} == {
        "api-sg",
        "web-sg",
    }


def test_a_worker_sends_only_https_out_and_nfs_to_the_volume_it_mounts(run: Run):
    https, nfs = sorted(rules_of(run, SG_EGRESS, "worker"), key=lambda rule: rule.inputs["fromPort"])
    assert (https.inputs["fromPort"], https.inputs["toPort"], https.inputs["cidrIpv4"]) == (
        443,
        443,
        "0.0.0.0/0",
    )
    # workers-dev's worker mounts the files volume read-only (webstack:volumes, docs/app-storage.md).
    assert (nfs.inputs["fromPort"], nfs.inputs["toPort"], nfs.inputs["referencedSecurityGroupId"]) == (
        2049,
        2049,
        run.named("volume-files-sg").id,
    )


def test_the_stack_has_one_namespace_and_the_caller_and_callee_join_it(run: Run):
    (namespace,) = run.of_type("aws:servicediscovery/httpNamespace:HttpNamespace")
    arn = namespace.state["arn"]
    assert run.named("cluster-ecs").inputs["serviceConnectDefaults"] == {"namespace": arn}
    web = run.named("web-service").inputs["serviceConnectConfiguration"]
    assert web == {"enabled": True, "namespace": arn}
    api = run.named("api-service").inputs["serviceConnectConfiguration"]
    assert api == {
        "enabled": True,
        "namespace": arn,
        "services": [
            {"portName": "http", "discoveryName": "api", "clientAlias": [{"port": 9090, "dnsName": "api"}]}
        ],
    }
    assert "serviceConnectConfiguration" not in run.named("worker-service").inputs


def test_the_declared_pair_gets_exactly_one_rule_each_way_on_the_callee_port(run: Run):
    web_sg, api_sg = run.named("web-sg").id, run.named("api-sg").id
    out = [r for r in rules_of(run, SG_EGRESS, "web") if "referencedSecurityGroupId" in r.inputs]
    # Besides the call, web's only path to another group is NFS to the volume it mounts.
    assert sorted(
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in out
    ) == sorted([(api_sg, 9090, 9090), (run.named("volume-files-sg").id, 2049, 2049)])
    into_api = sorted(
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"])
        for r in rules_of(run, SG_INGRESS, "api")
    )
    assert into_api == sorted(
        [(run.named("edge-sg").id, 9090), (run.named("edge-sg").id, 9091), (web_sg, 9090)]
    )
    assert all(rule.inputs["ipProtocol"] == "tcp" for rule in out)
