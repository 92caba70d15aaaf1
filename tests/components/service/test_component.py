"""The ECS service itself (components/service/component.py): rollout, exec, and a worker's shape.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json
from typing import Any

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run

STACKS = ["dev", "prod"]


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_deploys_are_zero_downtime_with_circuit_breaker_rollback_and_a_visible_wait(stack):
    _, run = stack
    for service in run.of_type("aws:ecs/service:Service"):
        inputs = service.inputs
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (100, 200)
        assert inputs["waitForSteadyState"] is True
        assert inputs["healthCheckGracePeriodSeconds"] == 60
        assert "desiredCount" in service.options["ignoreChanges"]
        rule = run.named(service.name.replace("-service", "").join(["edge-rule-", ""]))
        assert rule.urn in service.options["dependsOn"], (
            "the target group must be attached to a listener first"
        )


def test_ecs_exec_is_on_in_dev_and_off_in_prod(dev: Run, prod: Run):
    assert all(s.inputs["enableExecuteCommand"] for s in dev.of_type("aws:ecs/service:Service"))
    assert not any(s.inputs["enableExecuteCommand"] for s in prod.of_type("aws:ecs/service:Service"))
    (agent, decrypt, logs, describe) = policy_statements(dev.named("web-task-exec").inputs["policy"])
    assert all(action.startswith("ssmmessages:") for action in agent["Action"])
    assert (decrypt["Action"], decrypt["Resource"]) == (
        ["kms:Decrypt"],
        [dev.named("stack-key-key").state["arn"]],
    )
    assert logs["Resource"] == [dev.named("cluster-exec-logs").state["arn"] + ":*"]
    assert describe["Action"] == ["logs:DescribeLogGroups"]
    with pytest.raises(KeyError):
        prod.named("web-task-exec")


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def test_a_worker_service_has_no_load_balancer_port_or_grace_period(run: Run):
    service = run.named("worker-service").inputs
    assert "loadBalancers" not in service and "healthCheckGracePeriodSeconds" not in service
    assert container(run, "worker")["portMappings"] == []
    # The same description an HTTP service's group has: becoming one later must not replace the group.
    assert run.named("worker-sg").inputs["description"] == run.named("web-sg").inputs["description"].replace(
        "web", "worker"
    )


def test_the_caller_deploys_after_the_service_it_calls(run: Run):
    assert run.named("api-service").urn in run.named("web-service").options["dependsOn"]
    assert run.named("web-service").urn not in run.named("api-service").options["dependsOn"]
