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
    run_task, pass_role, tag, send, decrypt = policy_statements(policy.inputs["policy"])
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
    assert (decrypt["Action"], decrypt["Resource"]) == (
        ["kms:Decrypt"],
        [run.named("stack-key-key").state["arn"]],
    )


def test_each_schedule_encrypts_its_payload_with_the_stacks_key_not_an_aws_owned_one(run: Run):
    """EventBridge Scheduler guide, encryption-rest: the payload (TargetInput) may use a customer
    managed key (kmsKeyArn); the execution role decrypts it (the role test above)."""
    key = run.named("stack-key-key").state["arn"]
    schedules = run.of_type("aws:scheduler/schedule:Schedule")
    assert len(schedules) == 2
    assert {schedule.inputs["kmsKeyArn"] for schedule in schedules} == {key}


def test_schedules_start_only_after_their_role_may_run_the_task(run: Run):
    policy_urn = run.named("worker-scheduler-policy").urn
    for schedule in run.of_type("aws:scheduler/schedule:Schedule"):
        assert policy_urn in schedule.options["dependsOn"]


def test_each_schedule_starts_one_task_on_the_services_own_capacity_and_platform_tagged_like_it(run: Run):
    """A scheduled start must run where and how the service runs (its capacity providers, Spot share
    and platform version), one task per start, and tag the task from its task definition so it is
    found and costed like the service's own (EventBridge Scheduler API_EcsParameters.html: TaskCount,
    CapacityProviderStrategy, PlatformVersion, EnableECSManagedTags, PropagateTags TASK_DEFINITION)."""
    service = run.named("worker-service").inputs
    for schedule in run.of_type("aws:scheduler/schedule:Schedule"):
        assert schedule.inputs["state"] == "ENABLED"
        ecs = schedule.inputs["target"]["ecsParameters"]
        assert ecs["taskCount"] == 1
        assert ecs["capacityProviderStrategies"] == service["capacityProviderStrategies"]
        assert [s["capacityProvider"] for s in ecs["capacityProviderStrategies"]] == [
            "FARGATE",
            "FARGATE_SPOT",
        ]
        assert ecs["platformVersion"] == service["platformVersion"] == "LATEST"
        assert (ecs["enableEcsManagedTags"], ecs["propagateTags"]) == (True, "TASK_DEFINITION")


def test_failed_starts_wait_fourteen_days_in_an_encrypted_dead_letter_queue(run: Run):
    """SQS keeps a message at most 1,209,600 s (SetQueueAttributes MessageRetentionPeriod): the longest
    time to notice a schedule that keeps failing."""
    dead_letter = run.named("worker-schedules-dlq")
    assert dead_letter.parent == run.named("worker").urn
    assert dead_letter.inputs["messageRetentionSeconds"] == 1_209_600
    assert dead_letter.inputs["sqsManagedSseEnabled"] is True
    assert dead_letter.inputs["tags"]["Name"] == "worker-schedules-dlq"


def test_the_scheduler_role_lives_under_the_webstack_path_and_says_what_it_may_do(run: Run):
    """The deploy role may create and pass only roles under /webstack/ (bootstrap/deploy_actions.py)."""
    role = run.named("worker-scheduler-role")
    assert role.inputs["path"] == "/webstack/"
    assert (
        role.inputs["description"]
        == "EventBridge Scheduler for worker: run its task definition, nothing else"
    )
    assert role.parent == run.named("worker").urn
    descriptions = {s.name: s.inputs["description"] for s in run.of_type("aws:scheduler/schedule:Schedule")}
    assert descriptions == {
        "worker-schedule-nightly": "worker: nightly",
        "worker-schedule-quarter-hourly": "worker: quarter-hourly",
    }


def test_what_the_schedules_create_carries_the_stacks_tags(run: Run):
    """The stack's tags (aws:defaultTags aside) mark every resource it owns, the scheduler's too."""
    stack_tags = run.named("worker-task-role").inputs["tags"]
    assert stack_tags == {"Stack": "workers-dev"}
    assert run.named("worker-scheduler-role").inputs["tags"] == stack_tags
    assert run.named("worker-schedules-dlq").inputs["tags"] == {**stack_tags, "Name": "worker-schedules-dlq"}
