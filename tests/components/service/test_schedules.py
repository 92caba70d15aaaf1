"""A service's scheduled tasks (components/service/schedules.py).

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_each_schedule_runs_the_worker_task_privately_with_retries_and_a_dead_letter_queue(run: Run):
    schedules = {s.name: s.inputs for s in run.of_type("aws:scheduler/schedule:Schedule")}
    assert sorted(schedules) == ["worker-schedule-nightly", "worker-schedule-quarter-hourly"]
    nightly = schedules["worker-schedule-nightly"]
    assert nightly["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert nightly["scheduleExpressionTimezone"] == "Europe/Paris"
    assert nightly["flexibleTimeWindow"] == {"mode": "OFF"}
    for inputs in schedules.values():
        target = inputs["target"]
        assert target["arn"] == run.named("cluster-ecs").state["arn"]
        assert target["roleArn"] == run.named("worker-scheduler-role").state["arn"]
        ecs = target["ecsParameters"]
        assert ecs["taskDefinitionArn"] == run.named("worker-task").state["arn"]
        assert ecs["networkConfiguration"] == {
            "subnets": run.outputs["privateSubnetIds"],
            "securityGroups": [run.named("worker-sg").id],
            "assignPublicIp": False,
        }
        assert target["retryPolicy"] == {"maximumRetryAttempts": 2, "maximumEventAgeInSeconds": 3600}
        assert target["deadLetterConfig"] == {"arn": run.named("worker-schedules-dlq").state["arn"]}
    assert json.loads(nightly["target"]["input"]) == {
        "containerOverrides": [{"name": "worker", "command": ["python", "server.py", "job"]}]
    }
    assert "input" not in schedules["worker-schedule-quarter-hourly"]["target"]


def test_the_scheduler_role_may_run_exactly_that_family_and_pass_exactly_its_two_roles(run: Run):
    trust = run.named("worker-scheduler-role").inputs["assumeRolePolicy"]
    (statement,) = policy_statements(trust)
    assert statement["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ["111111111111"]
    policy = run.named("worker-scheduler-policy")
    assert policy.inputs["role"] == run.named("worker-scheduler-role").id
    run_task, pass_role, tag, send = policy_statements(policy.inputs["policy"])
    family = run.named("worker-task").state["arnWithoutRevision"]
    cluster = run.named("cluster-ecs").state["arn"]
    assert (run_task["Action"], run_task["Resource"]) == (["ecs:RunTask"], [f"{family}:*"])
    assert run_task["Condition"] == {"ArnEquals": {"ecs:cluster": [cluster]}}
    assert pass_role["Action"] == ["iam:PassRole"]
    assert pass_role["Resource"] == [
        run.named("worker-execution-role").state["arn"],
        run.named("worker-task-role").state["arn"],
    ]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com"]}}
    assert tag["Action"] == ["ecs:TagResource"]
    assert tag["Resource"] == [cluster.replace(":cluster/", ":task/") + "/*"]
    assert tag["Condition"] == {"StringEquals": {"ecs:CreateAction": ["RunTask"]}}
    assert send["Resource"] == [run.named("worker-schedules-dlq").state["arn"]]


def test_schedules_start_only_after_their_role_may_run_the_task(run: Run):
    policy_urn = run.named("worker-scheduler-policy").urn
    for schedule in run.of_type("aws:scheduler/schedule:Schedule"):
        assert policy_urn in schedule.options["dependsOn"]
