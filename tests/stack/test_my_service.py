"""An example test for YOUR service: copy this file, put in your service's definition, keep it green.

It adds the service, and the data stores it names, to the example dev stack (a fixture, so your own
stack files stay yours) and asserts what your service promises: its port, the paths the load balancer
routes to it, its health check, that only the load balancer can reach it, that only it reaches its
database, and that its container gets your variables and logs where you expect. The
docs/getting-started.md ("Adapting webstack to your project") points here.
"""

import json

import pytest

from plan import graph, report
from plan.engine import Run, run_stack, stack_config
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

NAME = "admin"
"""Your service's name in webstack:services (becomes the ``{name}-*`` resources)."""

SERVICE = {
    "build": {"context": "app"},
    "port": 8081,
    "healthCheckPath": "/healthz",
    "routing": {"pathPatterns": ["/admin/*"]},
    "environment": {"SERVICE_NAME": "admin", "PORT": "8081"},
    "database": "main",
}
"""Your service exactly as you would write it under webstack:services in a stack file."""

DATA_STORES = {"webstack:databases": {"main": {}}}
"""The webstack:databases / webstack:caches entries your service names (``database:``, ``cache:``),
as in your stack file; ``{}`` when it uses none."""


@pytest.fixture(scope="module")
def stack() -> Run:
    """The example dev stack with your service added next to its own."""
    existing = json.loads(stack_config(EXAMPLE_DEV, FIXTURES)["webstack:services"])
    overrides = {"webstack:services": {**existing, NAME: SERVICE}, **DATA_STORES}
    return run_stack(EXAMPLE_DEV, overrides, root=FIXTURES)


def test_the_load_balancer_routes_my_paths_to_my_service_on_its_port(stack: Run):
    rule = stack.named(f"edge-rule-{NAME}")
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": SERVICE["routing"]["pathPatterns"]}}]
    group = stack.named(f"edge-tg-{NAME}")
    assert (group.inputs["port"], group.inputs["healthCheck"]["path"]) == (SERVICE["port"], "/healthz")
    (action,) = rule.inputs["actions"]
    assert action["targetGroupArn"] == group.state["arn"]


def test_only_the_load_balancer_can_reach_my_service(stack: Run):
    mine = stack.named(f"{NAME}-sg").id
    ingress = [
        r
        for r in stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == mine
    ]
    assert [(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in ingress] == [
        (stack.named("edge-sg").id, SERVICE["port"])
    ]


def test_my_container_listens_on_its_port_and_logs_to_its_own_group(stack: Run):
    (container,) = json.loads(stack.named(f"{NAME}-task").inputs["containerDefinitions"])
    assert container["portMappings"] == [{"containerPort": SERVICE["port"], "protocol": "tcp"}]
    variables = {e["name"]: e["value"] for e in container["environment"]}
    # yours, next to what webstack adds for a database, cache or queue (docs/container-variables.md)
    assert variables.items() >= SERVICE["environment"].items()
    if "database" in SERVICE:
        assert {"DB_HOST", "DB_PORT", "DB_NAME"} <= variables.keys()
        assert {"DB_USER", "DB_PASSWORD"} <= {s["name"] for s in container["secrets"]}
    assert container["logConfiguration"]["options"]["awslogs-group"] == stack.outputs["logGroups"][NAME]


def test_only_my_service_reaches_my_database(stack: Run):
    if "database" not in SERVICE:
        pytest.skip("the service names no database")
    matrix = report.exposure_matrix(graph.graph_from_run(stack, EXAMPLE_DEV, {}))
    database = f"db-{SERVICE['database']}"
    assert [source for (source, destination) in matrix if destination == database] == [NAME]
