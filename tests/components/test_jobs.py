"""Scheduled-only jobs (components/job.py) on the data-prod fixture: its nightly report runs on its
schedule as an ECS RunTask of its own task definition, with no ECS service, reaches only the database it
declares, and a failed run notifies the alarm topic."""

import json
from typing import Any

import pytest

from components.job import FAILED_TO_START, JobArgs, as_service_args, failure_pattern
from plan import graph, report
from plan.engine import Recorded, Run, run_stack
from plan.sections.releases import job_rows, releases
from tests.support.fixture_stacks import FIXTURES
from tests.support.iam_policy import Request, allows

ACCOUNT = "222222222222"
JOB = "job-report"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


@pytest.fixture(scope="module")
def prod() -> Run:
    return run_stack("data-prod", root=FIXTURES)


def children_of(run: Run, component: str) -> list[Recorded]:
    (parent,) = [r for r in run.resources if r.name == component and not r.custom]
    return [r for r in run.resources if r.parent == parent.urn]


def statements(policy: Recorded) -> list[dict[str, Any]]:
    return json.loads(policy.inputs["policy"])["Statement"]


def test_the_nightly_report_runs_on_its_cron_in_its_zone_as_a_run_task_of_its_own_task_definition(prod: Run):
    """EventBridge Scheduler's ECS target: ``arn`` is the cluster, ``ecsParameters.taskDefinitionArn``
    the task definition (AWS EventBridge Scheduler guide, "Using templated targets": Amazon ECS
    RunTask); private subnets, the job's own group, no public IP."""
    schedule = prod.named(f"{JOB}-schedule-run")
    assert schedule.inputs["scheduleExpression"] == "cron(30 2 * * ? *)"
    assert schedule.inputs["scheduleExpressionTimezone"] == "Europe/Dublin"
    target = schedule.inputs["target"]
    assert target["arn"] == prod.named("cluster-ecs").state["arn"]
    ecs = target["ecsParameters"]
    assert ecs["taskDefinitionArn"] == prod.named(f"{JOB}-task").state["arn"]
    assert ecs["taskCount"] == 1
    assert ecs["networkConfiguration"]["securityGroups"] == [prod.named(f"{JOB}-sg").id]
    assert ecs["networkConfiguration"]["subnets"] == prod.outputs["privateSubnetIds"]
    assert ecs["networkConfiguration"]["assignPublicIp"] is False
    assert "input" not in target, "the command is the task definition's, not an override"
    assert target["deadLetterConfig"]["arn"] == prod.named(f"{JOB}-schedules-dlq").state["arn"]


def test_no_ecs_service_keeps_a_task_running_between_runs(prod: Run):
    kinds = {r.type for r in children_of(prod, JOB)}
    assert "aws:ecs/service:Service" not in kinds
    assert not any(k.startswith("aws:appautoscaling/") for k in kinds)
    task = prod.named(f"{JOB}-task")
    assert task.inputs["family"] == "webstack-data-prod-job-report"
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]


def test_the_container_gets_the_databases_variables_and_runs_its_command_under_timeout(prod: Run):
    (container,) = json.loads(prod.named(f"{JOB}-task").inputs["containerDefinitions"])
    assert container["entryPoint"] == ["timeout", "1800"]
    assert container["command"] == ["python", "server.py", "report"]
    assert container["image"] == "ghcr.io/example/web:1.0.0"
    assert {"DB_HOST", "DB_PORT", "DB_NAME"} <= {e["name"] for e in container["environment"]}
    assert {s["name"] for s in container["secrets"]} == {"DB_USER", "DB_PASSWORD"}
    assert container["readonlyRootFilesystem"] is True and container["portMappings"] == []
    assert container["logConfiguration"]["options"]["awslogs-group"] == prod.named(f"{JOB}-logs").id


def test_the_scheduler_role_may_run_only_the_jobs_family_in_the_cluster_and_pass_only_its_two_roles(
    prod: Run,
):
    """ECS RunTask authorizes the task definition ARN with the ``ecs:cluster`` condition, and passing the
    two roles is ``iam:PassRole`` with ``iam:PassedToService`` (AWS EventBridge Scheduler guide, "Set up
    the execution role"; AWS ECS guide, CWE_IAM_role)."""
    policy = statements(prod.named(f"{JOB}-scheduler-policy"))
    cluster = prod.named("cluster-ecs").state["arn"]
    family = prod.named(f"{JOB}-task").state["arnWithoutRevision"]
    other_family = prod.named("web-task").state["arnWithoutRevision"]
    in_cluster = {"ecs:cluster": cluster}
    assert allows(policy, Request("ecs:RunTask", f"{family}:7", in_cluster))
    assert not allows(policy, Request("ecs:RunTask", f"{other_family}:1", in_cluster))
    assert not allows(policy, Request("ecs:RunTask", f"{family}:7", {"ecs:cluster": f"{cluster}-other"}))
    to_tasks = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    for role in (f"{JOB}-execution-role", f"{JOB}-task-role"):
        assert allows(policy, Request("iam:PassRole", prod.named(role).state["arn"], to_tasks))
    assert not allows(policy, Request("iam:PassRole", prod.named("api-task-role").state["arn"], to_tasks))
    assert not allows(
        policy,
        Request("iam:PassRole", prod.named(f"{JOB}-task-role").state["arn"], {"iam:PassedToService": "ec2"}),
    )
    trust = json.loads(prod.named(f"{JOB}-scheduler-role").inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["scheduler.amazonaws.com"]}]


def test_the_job_reaches_the_database_it_declares_on_5432_and_nothing_else_reaches_it(prod: Run):
    matrix = report.exposure_matrix(graph.graph_from_run(prod, "data-prod", {}))
    assert {d: p for (s, d), p in matrix.items() if s == JOB} == {
        "db-main": ["tcp/5432"],
        "internet": ["tcp/443"],
    }
    assert [s for (s, d) in matrix if d == JOB] == []
    db_in = [
        r
        for r in prod.of_type(INGRESS)
        if r.inputs["securityGroupId"] == prod.named("db-main-sg").id
        and r.inputs.get("referencedSecurityGroupId") == prod.named(f"{JOB}-sg").id
    ]
    assert [(r.inputs["fromPort"], r.inputs["toPort"]) for r in db_in] == [(5432, 5432)]
    reads = statements(prod.named(f"{JOB}-execution-data"))
    secret = prod.named("db-main-instance").state["masterUserSecrets"][0]["secretArn"]
    assert allows(reads, Request("secretsmanager:GetSecretValue", secret))


def test_a_failed_run_goes_to_the_alarm_topic_through_a_rule_on_the_jobs_stopped_tasks(prod: Run):
    """The event pattern matches the job's STOPPED tasks whose container exited non-zero or that never
    started; the target is the topic itself, without a role (SNS uses its resource policy)."""
    rule = prod.named(f"{JOB}-failed")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern == failure_pattern(prod.named("cluster-ecs").state["arn"], "webstack-data-prod-job-report")
    assert pattern["detail"]["group"] == ["family:webstack-data-prod-job-report"]
    assert pattern["detail"]["$or"] == [
        {"containers": {"exitCode": [{"anything-but": 0}]}},
        {"stopCode": [FAILED_TO_START]},
    ]
    target = prod.named(f"{JOB}-failed-notify")
    assert target.inputs["rule"] == rule.state["name"]
    assert target.inputs["arn"] == prod.outputs["alarmTopicArn"]
    assert "roleArn" not in target.inputs


def test_the_topic_and_its_key_admit_eventbridge_rules_of_this_account_only(prod: Run):
    """EventBridge guide, "Using resource-based policies for Amazon EventBridge" (Amazon SNS
    permissions): the topic policy must allow events.amazonaws.com to publish, and a topic encrypted
    with a customer managed key needs that key to let EventBridge use it."""
    topic = prod.outputs["alarmTopicArn"]
    policy = statements(prod.named("alerts-topic-policy"))
    (events,) = [s for s in policy if s.get("Sid") == "EventRulesOfThisAccountPublish"]
    assert events["Principal"] == {"Service": ["events.amazonaws.com"]}
    assert events["Action"] == ["sns:Publish"] and events["Resource"] == [topic]
    assert events["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [ACCOUNT]},
        "ArnLike": {"aws:SourceArn": [f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*"]},
    }
    key = statements(prod.named("stack-key-key"))
    (events_key,) = [s for s in key if "events.amazonaws.com" in s["Principal"].get("Service", [])]
    assert sorted(events_key["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_the_stack_key_lets_eventbridge_publish_without_the_source_conditions_sns_does_not_support(prod: Run):
    """Amazon SNS developer guide, sns-key-management.html: "Adding the aws:SourceAccount and
    aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics"
    (awslabs/landing-zone-accelerator-on-aws #407: a key statement conditioned on aws:SourceAccount for
    cloudwatch and events left every rule's invocation failing). The topic policy keeps its conditions;
    CloudWatch alarms keep theirs on the key."""
    key = statements(prod.named("stack-key-key"))
    (events_key,) = [s for s in key if "events.amazonaws.com" in s["Principal"].get("Service", [])]
    assert events_key["Principal"] == {"Service": ["events.amazonaws.com"]}
    assert "Condition" not in events_key
    (alarms,) = [s for s in key if s.get("Sid") == "PublishersOfTheEncryptedTopic"]
    assert alarms["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}}


def test_a_stack_without_jobs_keeps_its_topic_and_key_policies_as_they_were():
    run = run_stack("observed-prod", root=FIXTURES)
    assert "events.amazonaws.com" not in run.named("alerts-topic-policy").inputs["policy"]
    assert "events.amazonaws.com" not in run.named("stack-key-key").inputs["policy"]


def test_a_job_is_a_worker_service_without_a_service_to_the_builders_it_reuses():
    args = JobArgs(
        cluster_arn="c",
        cluster_name="c",
        vpc_id="v",
        subnet_ids=["s"],
        region="eu-west-1",
        kms_key_arn="k",
        schedule="rate(1 hour)",
        command=["run"],
        image="x:1",
        timezone="Europe/Paris",
        retries=0,
    )
    service = as_service_args(args)
    assert service.port is None and service.edge_security_group_id is None
    assert service.entry_point is None, "no timeout: the image's ENTRYPOINT stays"
    (schedule,) = service.schedules
    assert (schedule.expression, schedule.timezone, schedule.retries, schedule.command) == (
        "rate(1 hour)",
        "Europe/Paris",
        0,
        None,
    )


def test_the_plan_lists_the_job_with_its_schedule_command_size_image_reach_and_failure_route(prod: Run):
    lines = releases(graph.graph_from_run(prod, "data-prod", {}))
    start = lines.index("Jobs (an ECS task on a schedule; nothing runs between runs):")
    assert lines[start + 1 :] == [
        "  job-report: cron(30 2 * * ? *) Europe/Dublin, python server.py report (timeout 1800 s), "
        "512 CPU / 1024 MiB, image ghcr.io/example/web:1.0.0",
        "    reaches database main; a failed run notifies the alarm topic",
    ]
    assert [
        row.job for row in job_rows(graph.graph_from_run(run_stack("data-dev", root=FIXTURES), "x", {}))
    ] == []


def test_a_stack_with_jobs_and_no_service_gets_the_cluster_and_the_job_and_no_load_balancer():
    """Nothing has to run all day for a nightly job: no service, no edge, only the cluster it runs in."""
    jobs = {
        "report": {"image": "ghcr.io/x/y:1", "command": ["r"], "schedule": "rate(1 day)", "database": "main"}
    }
    overrides = {"webstack:services": None, "webstack:buckets": None, "webstack:jobs": json.dumps(jobs)}
    run = run_stack("data-dev", overrides, root=FIXTURES)
    assert [r.name for r in run.of_type("aws:ecs/cluster:Cluster")] == ["cluster-ecs"]
    assert run.of_type("aws:lb/loadBalancer:LoadBalancer") == []
    assert run.of_type("aws:ecs/service:Service") == []
    schedule = run.named("job-report-schedule-run")
    assert schedule.inputs["target"]["arn"] == run.named("cluster-ecs").state["arn"]
    assert list(run.outputs["jobTaskDefinitions"]) == ["report"]
