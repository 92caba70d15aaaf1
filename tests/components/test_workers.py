"""Workers, queues, scheduled tasks, Service Connect calls and container options.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from components.pure.guardrails import check_resource, policy_statements
from components.queue import DLQ_RETENTION_SECONDS
from plan import graph, report
from plan.engine import Recorded, Run, run_stack

STACKS = Path(__file__).parents[1] / "stacks"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SERVICES = ("web", "api", "worker")


@pytest.fixture(scope="module")
def run() -> Run:
    return run_stack("workers-dev", root=STACKS)


@pytest.fixture(scope="module")
def plan_graph() -> graph.Graph:
    return graph.capture("workers-dev", root=STACKS)


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def rules_of(run: Run, kind: str, group: str) -> list[Recorded]:
    return [r for r in run.of_type(kind) if r.inputs["securityGroupId"] == run.named(f"{group}-sg").id]


def sqs_grants(run: Run) -> dict[str, list[tuple[list[str], list[str]]]]:
    """Role policy name -> (actions, resources) of every statement that names an SQS action."""
    found: dict[str, list[tuple[list[str], list[str]]]] = {}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in policy_statements(policy.inputs["policy"]):
            actions = statement["Action"]
            if any(action.startswith("sqs:") for action in actions):
                found.setdefault(policy.name, []).append((actions, statement["Resource"]))
    return found


# --- Workers ----------------------------------------------------------------------------------------


def test_a_worker_gets_no_target_group_no_listener_rule_and_no_inbound_rule(run: Run):
    groups = sorted(tg.name for tg in run.of_type("aws:lb/targetGroup:TargetGroup"))
    assert groups == ["edge-tg-api", "edge-tg-api-admin", "edge-tg-web"]
    assert len(run.of_type("aws:lb/listenerRule:ListenerRule")) == 3
    assert rules_of(run, INGRESS, "worker") == []
    edge_egress = rules_of(run, EGRESS, "edge")
    assert {run.by_id(r.inputs["referencedSecurityGroupId"]).name for r in edge_egress} == {
        "api-sg",
        "web-sg",
    }


def test_a_worker_service_has_no_load_balancer_port_or_grace_period(run: Run):
    service = run.named("worker-service").inputs
    assert "loadBalancers" not in service and "healthCheckGracePeriodSeconds" not in service
    assert container(run, "worker")["portMappings"] == []
    # The same description an HTTP service's group has: becoming one later must not replace the group.
    assert run.named("worker-sg").inputs["description"] == run.named("web-sg").inputs["description"].replace(
        "web", "worker"
    )


def test_a_worker_sends_only_https_out_and_nfs_to_the_volume_it_mounts(run: Run):
    https, nfs = sorted(rules_of(run, EGRESS, "worker"), key=lambda rule: rule.inputs["fromPort"])
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


# --- Queues -----------------------------------------------------------------------------------------


def test_the_queue_and_its_dead_letter_queue_are_encrypted_and_redriven(run: Run):
    queue, dlq = run.named("jobs-sqs"), run.named("jobs-dlq")
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] == 60
    assert queue.inputs["messageRetentionSeconds"] == 4 * 24 * 3600
    assert dlq.inputs["messageRetentionSeconds"] == DLQ_RETENTION_SECONDS == 1209600
    redrive = run.named("jobs-redrive").inputs
    assert redrive["queueUrl"] == queue.id
    assert json.loads(redrive["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.state["arn"],
        "maxReceiveCount": 5,
    }
    allow = run.named("jobs-redrive-allow").inputs
    assert allow["queueUrl"] == dlq.id
    assert json.loads(allow["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.state["arn"]],
    }


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


def test_the_consumer_and_the_sender_find_the_queue_url_in_their_environment(run: Run):
    url = run.named("jobs-sqs").state["url"]
    worker = {e["name"]: e["value"] for e in container(run, "worker")["environment"]}
    api = {e["name"]: e["value"] for e in container(run, "api")["environment"]}
    assert (worker["QUEUE_URL"], api["QUEUE_URL_JOBS"]) == (url, url)
    assert not any(e["name"].startswith("QUEUE_URL") for e in container(run, "web")["environment"])


def test_the_worker_scales_on_visible_messages_per_running_task(run: Run):
    target = run.named("worker-scaling").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 4)
    config = run.named("worker-scale-backlog").inputs["targetTrackingScalingPolicyConfiguration"]
    assert config["targetValue"] == 10
    visible, tasks, backlog = config["customizedMetricSpecification"]["metrics"]
    assert visible["metricStat"]["metric"] == {
        "namespace": "AWS/SQS",
        "metricName": "ApproximateNumberOfMessagesVisible",
        "dimensions": [{"name": "QueueName", "value": run.named("jobs-sqs").state["name"]}],
    }
    assert tasks["metricStat"]["metric"]["metricName"] == "RunningTaskCount"
    assert {d["name"]: d["value"] for d in tasks["metricStat"]["metric"]["dimensions"]} == {
        "ClusterName": run.named("cluster-ecs").state["name"],
        "ServiceName": run.named("worker-service").state["name"],
    }
    assert backlog["expression"] == f"{visible['id']} / {tasks['id']}"
    assert [m.get("returnData") for m in (visible, tasks, backlog)] == [False, False, True]


# --- Scheduled tasks --------------------------------------------------------------------------------


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


# --- Service Connect ----------------------------------------------------------------------------------


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


def test_the_called_service_names_its_port_and_others_do_not(run: Run):
    assert container(run, "api")["portMappings"] == [
        {"name": "http", "containerPort": 9090, "protocol": "tcp", "appProtocol": "http"},
        {"containerPort": 9091, "protocol": "tcp"},
    ]
    assert container(run, "web")["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]


def test_the_caller_deploys_after_the_service_it_calls(run: Run):
    assert run.named("api-service").urn in run.named("web-service").options["dependsOn"]
    assert run.named("web-service").urn not in run.named("api-service").options["dependsOn"]


def test_the_declared_pair_gets_exactly_one_rule_each_way_on_the_callee_port(run: Run):
    web_sg, api_sg = run.named("web-sg").id, run.named("api-sg").id
    out = [r for r in rules_of(run, EGRESS, "web") if "referencedSecurityGroupId" in r.inputs]
    # Besides the call, web's only path to another group is NFS to the volume it mounts.
    assert sorted(
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in out
    ) == sorted([(api_sg, 9090, 9090), (run.named("volume-files-sg").id, 2049, 2049)])
    into_api = sorted(
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in rules_of(run, INGRESS, "api")
    )
    assert into_api == sorted(
        [(run.named("edge-sg").id, 9090), (run.named("edge-sg").id, 9091), (web_sg, 9090)]
    )
    assert all(rule.inputs["ipProtocol"] == "tcp" for rule in out)


def test_no_undeclared_pair_of_services_can_talk(plan_graph: graph.Graph):
    matrix = report.exposure_matrix(plan_graph)
    talking = {(source, dest) for source, dest in matrix if source in SERVICES and dest in SERVICES}
    assert talking == {("web", "api")}


def test_the_exposure_matrix_shows_exactly_the_edge_the_declared_call_the_volume_and_https_out(
    plan_graph: graph.Graph,
):
    assert report.exposure_matrix(plan_graph) == {
        ("internet", "edge"): ["tcp/80"],
        ("edge", "web"): ["tcp/8080"],
        ("edge", "api"): ["tcp/9090", "tcp/9091"],
        ("web", "api"): ["tcp/9090"],
        ("web", "internet"): ["tcp/443"],
        ("api", "internet"): ["tcp/443"],
        ("worker", "internet"): ["tcp/443"],
        # The volume both mount (webstack:volumes.files): a data store only they reach, on NFS.
        ("web", "volume-files"): ["tcp/2049"],
        ("worker", "volume-files"): ["tcp/2049"],
    }


def test_the_plan_and_diagram_show_calls_queues_and_schedules(plan_graph: graph.Graph):
    assert [(f.source, f.destination, f.label) for f in report.flows(plan_graph)] == [
        ("api", "jobs", "sends"),
        ("jobs", "worker", "consumes"),
        ("scheduler", "worker", "cron(0 3 * * ? *)"),
        ("scheduler", "worker", "rate(15 minutes)"),
    ]
    mermaid = report.mermaid(plan_graph)
    assert "n_web -->|tcp/9090 Service Connect| n_api" in mermaid
    assert 'n_api -.->|"sends"| n_queue_jobs' in mermaid
    assert 'n_queue_jobs -.->|"consumes"| n_worker' in mermaid
    assert 'scheduler -.->|"cron(0 3 * * ? *)"| n_worker' in mermaid


# --- Container options --------------------------------------------------------------------------------


def test_container_options_reach_the_container_definition(run: Run):
    api = container(run, "api")
    assert api["command"] == ["python", "server.py"]
    assert api["entryPoint"] == ["/usr/bin/env"]
    assert (api["workingDirectory"], api["user"]) == ("/srv", "10001:10001")
    assert not {"command", "entryPoint", "workingDirectory", "user"} & set(container(run, "web"))


def test_health_check_overrides_reach_the_target_group_and_defaults_stay(run: Run):
    api = run.named("edge-tg-api").inputs["healthCheck"]
    assert (api["interval"], api["timeout"], api["healthyThreshold"], api["unhealthyThreshold"]) == (
        30,
        10,
        3,
        4,
    )
    assert (api["matcher"], api["path"]) == ("200,204", "/healthz")
    web = run.named("edge-tg-web").inputs["healthCheck"]
    assert (web["interval"], web["timeout"], web["healthyThreshold"], web["unhealthyThreshold"]) == (
        10,
        5,
        2,
        3,
    )
    assert web["matcher"] == "200-399"


def test_every_new_resource_keeps_the_guardrails(run: Run):
    # Dev without a certificate serves plain HTTP: that rule is advisory in dev (policy/config.dev.json).
    violations = [
        v
        for r in run.resources
        for v in check_resource(r.type, r.inputs, r.urn)
        if v.rule != "http-listeners-only-redirect"
    ]
    assert violations == [], violations


def test_an_extra_port_gets_its_own_target_group_rule_and_edge_path_and_old_names_stay(run: Run):
    admin = run.named("edge-tg-api-admin").inputs
    assert (admin["port"], admin["healthCheck"]["path"]) == (9091, "/admin/healthz")
    (rule,) = [
        r
        for r in run.of_type("aws:lb/listenerRule:ListenerRule")
        if r.inputs["actions"][0]["targetGroupArn"] == run.named("edge-tg-api-admin").state["arn"]
    ]
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/admin/*"]}}]
    balancers = run.named("api-service").inputs["loadBalancers"]
    assert [(b["targetGroupArn"], b["containerPort"]) for b in balancers] == [
        (run.named("edge-tg-api").state["arn"], 9090),
        (run.named("edge-tg-api-admin").state["arn"], 9091),
    ]
    assert rule.urn in run.named("api-service").options["dependsOn"]
    assert [m["containerPort"] for m in container(run, "api")["portMappings"]] == [9090, 9091]
