"""A service's autoscaling (components/service/scaling.py): CPU, requests per task, queue backlog.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import pytest

from plan.engine import Run, run_stack
from tests.support.fixture_stacks import FIXTURES


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


@pytest.mark.parametrize(
    ("stack_name", "service", "expected"),
    [
        ("dev", "web", (1, 1, 2, 70.0)),
        ("dev", "api", (1, 1, 2, 70.0)),
        ("prod", "web", (2, 2, 6, 70.0)),
        ("prod", "api", (2, 2, 10, 70.0)),
    ],
)
def test_scaling_tracks_cpu_between_the_configured_bounds(stack_name, service, expected, request):
    run: Run = request.getfixturevalue(stack_name)
    target = run.named(f"{service}-scaling")
    desired = run.named(f"{service}-service").inputs["desiredCount"]
    cpu = run.named(f"{service}-scale-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert (
        desired,
        target.inputs["minCapacity"],
        target.inputs["maxCapacity"],
        cpu["targetValue"],
    ) == expected
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert (cpu["scaleOutCooldown"], cpu["scaleInCooldown"]) == (60, 300)
    assert (
        target.inputs["resourceId"]
        == f"service/{run.outputs['clusterName']}/{run.outputs['serviceNames'][service]}"
    )


def test_prod_api_also_scales_on_requests_per_task(prod: Run):
    policy = prod.named("api-scale-requests").inputs["targetTrackingScalingPolicyConfiguration"]
    metric = policy["predefinedMetricSpecification"]
    assert (policy["targetValue"], metric["predefinedMetricType"]) == (1000.0, "ALBRequestCountPerTarget")
    assert metric["resourceLabel"] == "app/edge-alb-id/0123abcd/targetgroup/edge-tg-api-id/0123456789abcdef"
    with pytest.raises(KeyError):
        prod.named("web-scale-requests")


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


def test_the_backlog_policy_divides_the_queues_visible_messages_by_the_running_tasks_as_aws_documents(
    run: Run,
):
    """AWS's SQS backlog-per-task example (application-auto-scaling-target-tracking-metric-math.html):
    ApproximateNumberOfMessagesVisible summed, RunningTaskCount of ECS/ContainerInsights averaged, and
    one returned expression over them. The ids and the label name the series in the alarms Application
    Auto Scaling creates for the policy."""
    policy = run.named("worker-scale-backlog").inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["resourceId"] == run.named("worker-scaling").inputs["resourceId"]
    config = policy["targetTrackingScalingPolicyConfiguration"]
    assert (config["scaleOutCooldown"], config["scaleInCooldown"]) == (60, 300)
    visible, tasks, backlog = config["customizedMetricSpecification"]["metrics"]
    assert [(m["id"], m["returnData"]) for m in (visible, tasks, backlog)] == [
        ("visible", False),
        ("tasks", False),
        ("backlog", True),
    ]
    assert (visible["metricStat"]["stat"], tasks["metricStat"]["stat"]) == ("Sum", "Average")
    assert tasks["metricStat"]["metric"]["namespace"] == "ECS/ContainerInsights"
    assert (backlog["expression"], backlog["label"]) == (
        "visible / tasks",
        "Visible messages per running task",
    )


def test_off_hours_scale_each_service_target_to_zero_at_stop_and_back_to_its_range_at_start():
    """The cheap-dev fixture stack's offHours (Europe/Dublin, stop 19:00 and start 07:00 on weekdays):
    one scheduled action per service and role on the service's own scalable target. PutScheduledAction
    needs the target's namespace, dimension and resource id, and names the action (unique per target;
    the name is ForceNew in terraform-provider-aws appautoscaling/scheduled_action.go)."""
    cheap = run_stack("cheap-dev", root=FIXTURES)
    for service in ("web", "api"):
        target = cheap.named(f"{service}-scaling").inputs
        ranges = {}
        for role in ("stop", "start"):
            action = cheap.named(f"{service}-scale-{role}")
            assert action.parent == cheap.named(service).urn
            inputs = action.inputs
            assert inputs["name"] == f"{service}-scale-{role}"
            assert (inputs["serviceNamespace"], inputs["scalableDimension"], inputs["resourceId"]) == (
                target["serviceNamespace"],
                target["scalableDimension"],
                target["resourceId"],
            )
            assert inputs["timezone"] == "Europe/Dublin"
            ranges[role] = (inputs["schedule"], inputs["scalableTargetAction"])
        assert ranges == {
            "stop": ("cron(0 19 ? * MON-FRI *)", {"minCapacity": 0, "maxCapacity": 0}),
            "start": (
                "cron(0 7 ? * MON-FRI *)",
                {"minCapacity": target["minCapacity"], "maxCapacity": target["maxCapacity"]},
            ),
        }
        assert (target["minCapacity"], target["maxCapacity"]) == (1, 2)
