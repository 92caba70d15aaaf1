"""A service's roles (components/service/roles.py): task roles that can do nothing unless
configured, and exactly the queue actions each side of a queue needs.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run

PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_task_roles_can_do_nothing_unless_configured(prod: Run):
    for service in PORTS:
        role = prod.named(f"{service}-task-role")
        assert [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id] == []
        (trust,) = policy_statements(role.inputs["assumeRolePolicy"])
        assert trust["Principal"] == {"Service": ["ecs-tasks.amazonaws.com"]}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ["222222222222"]}}


def sqs_grants(run: Run) -> dict[str, list[tuple[list[str], list[str]]]]:
    """Role policy name -> (actions, resources) of every statement that names an SQS action."""
    found: dict[str, list[tuple[list[str], list[str]]]] = {}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in policy_statements(policy.inputs["policy"]):
            actions = statement["Action"]
            if any(action.startswith("sqs:") for action in actions):
                found.setdefault(policy.name, []).append((actions, statement["Resource"]))
    return found


def test_only_the_consumer_receives_and_only_the_declared_sender_sends(run: Run):
    queue_arn = run.named("jobs-sqs").state["arn"]
    grants = sqs_grants(run)
    assert grants.pop("worker-scheduler-policy") == [
        (["sqs:SendMessage"], [run.named("worker-schedules-dlq").state["arn"]])
    ]
    assert grants == {
        "worker-task-queues": [
            (
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                [queue_arn],
            )
        ],
        "api-task-queues": [(["sqs:SendMessage"], [queue_arn])],
    }
    assert run.named("worker-task-queues").inputs["role"] == run.named("worker-task-role").id
    assert run.named("api-task-queues").inputs["role"] == run.named("api-task-role").id
