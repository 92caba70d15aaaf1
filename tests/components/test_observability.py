"""Alarms, notifications, deployment alarms, the dashboard and the plan's alarm list.

Exact values are pinned on the fixture stacks in tests/stacks (observed-prod: three services with
overrides, subscriptions and a budget; observed-dev: one service with alarms opted in; the release-1
examples: defaults). The per-service properties run over stacks with 1 to 4 services.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from components.alarms import CacheTarget, DatabaseTarget
from components.observability import Observability, ObservabilityArgs
from components.pure.guardrails import policy_statements
from plan import graph, report
from plan.engine import Recorded, Run, run_component, run_stack, stack_config
from stack.observability import ServiceAlarmsConfig
from tests.config.test_config import problems_of, raw

FIXTURES = Path(__file__).parents[1] / "stacks"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SERVICE_ALARMS = {
    "5xx-rate",
    "p99-latency",
    "unhealthy-hosts",
    "tasks-below-desired",
    "cpu-high",
    "memory-high",
    "app-errors",
}
FOUR_SERVICES = {
    name: {
        "image": f"ghcr.io/example/{name}:1.0.0",
        "port": 8000 + i,
        "routing": {"pathPatterns": [f"/{name}/*"]},
    }
    for i, name in enumerate(("one", "two", "three", "four"))
}
ONE_SERVICE = {"solo": {"image": "ghcr.io/example/solo:1.0.0", "port": 8000}}
STACKS: dict[str, tuple[str, dict[str, Any]]] = {
    "observed-prod": ("observed-prod", {}),
    "observed-dev": ("observed-dev", {}),
    "example-prod": ("example-prod", {}),
    "prod-1-service": ("example-prod", {"webstack:services": ONE_SERVICE}),
    "prod-4-services": ("example-prod", {"webstack:services": FOUR_SERVICES}),
}


def _run(key: str) -> tuple[Run, dict[str, str]]:
    stack, overrides = STACKS[key]
    config = stack_config(stack, FIXTURES)
    config.update({k: json.dumps(v) for k, v in overrides.items()})
    return run_stack(stack, overrides, root=FIXTURES), config


@pytest.fixture(scope="module", params=list(STACKS))
def alarmed(request: pytest.FixtureRequest) -> tuple[Run, dict[str, str]]:
    return _run(request.param)


@pytest.fixture(scope="module")
def observed_prod() -> Run:
    return _run("observed-prod")[0]


def topic_arn(run: Run) -> str:
    (topic,) = run.of_type(TOPIC)
    return topic.state["arn"]


def alarms_of(run: Run, scope: str, component: str | None = None) -> dict[str, Recorded]:
    """The alarms named ``{scope}-alarm-{role}`` of a component (``scope`` itself by default), by role."""
    parent = run.named(component or scope)
    return {
        alarm.name.removeprefix(f"{scope}-alarm-"): alarm
        for alarm in run.of_type(ALARM)
        if alarm.parent == parent.urn and alarm.name.startswith(f"{scope}-alarm-")
    }


def test_every_service_of_any_stack_has_its_alarms_with_its_thresholds_and_the_topic_as_action(alarmed):
    run, config = alarmed
    services = json.loads(config["webstack:services"])
    stack = run.named(next(iter(services))).urn.split("::")[0].removeprefix("urn:pulumi:")
    topic = topic_arn(run)
    assert services
    for name, service_config in services.items():
        expected = ServiceAlarmsConfig.model_validate(service_config.get("alarms", {}))
        found = alarms_of(run, name)
        assert set(found) == SERVICE_ALARMS, name
        for role, alarm in found.items():
            assert alarm.inputs["name"] == f"webstack-{stack}-{name}-{role}"
            assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] == [topic]
            assert "Check first" in alarm.inputs["alarmDescription"]
        thresholds = {role: alarm.inputs["threshold"] for role, alarm in found.items()}
        assert thresholds == {
            "5xx-rate": expected.error_rate_percent,
            "p99-latency": expected.latency_p99_ms / 1000,
            "unhealthy-hosts": 0,
            "tasks-below-desired": 0,
            "cpu-high": expected.cpu_percent,
            "memory-high": expected.memory_percent,
            "app-errors": expected.app_errors_per_5_minutes,
        }
        unhealthy = found["unhealthy-hosts"].inputs
        assert unhealthy["evaluationPeriods"] == unhealthy["datapointsToAlarm"] == expected.unhealthy_minutes


def test_each_service_rolls_back_on_its_own_5xx_rate_and_unhealthy_hosts_alarms(alarmed):
    run, config = alarmed
    for name in json.loads(config["webstack:services"]):
        service = run.named(f"{name}-service")
        found = alarms_of(run, name)
        deployment = [found["5xx-rate"], found["unhealthy-hosts"]]
        assert service.inputs["alarms"] == {
            "alarmNames": [alarm.inputs["name"] for alarm in deployment],
            "enable": True,
            "rollback": True,
        }
        assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        # The service waits for its deployment alarms; they never wait for it (no cycle).
        assert {alarm.urn for alarm in deployment} <= set(service.options["dependsOn"])
        assert all(service.urn not in alarm.options["dependsOn"] for alarm in deployment)


def test_service_alarms_read_the_arn_suffixes_and_ecs_names_of_their_own_service(alarmed):
    run, config = alarmed
    alb = run.named("edge-alb").state["arnSuffix"]
    cluster = run.named("cluster-ecs").state["name"]
    for name in json.loads(config["webstack:services"]):
        found = alarms_of(run, name)
        target = {"LoadBalancer": alb, "TargetGroup": run.named(f"edge-tg-{name}").state["arnSuffix"]}
        ecs = {"ClusterName": cluster, "ServiceName": run.named(f"{name}-service").state["name"]}
        rate = {q["id"]: q for q in found["5xx-rate"].inputs["metricQueries"]}
        assert rate["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
        assert rate["requests"]["metric"]["metricName"] == "RequestCount"
        assert all(q["metric"]["dimensions"] == target for q in rate.values() if "metric" in q)
        assert rate["result"]["expression"] == "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"
        assert found["p99-latency"].inputs["extendedStatistic"] == "p99"
        assert found["p99-latency"].inputs["dimensions"] == target
        assert found["unhealthy-hosts"].inputs["dimensions"] == target
        assert found["cpu-high"].inputs["dimensions"] == ecs
        assert found["memory-high"].inputs["dimensions"] == ecs
        tasks = {q["id"]: q for q in found["tasks-below-desired"].inputs["metricQueries"]}
        assert {tasks[i]["metric"]["metricName"] for i in ("desired", "running")} == {
            "DesiredTaskCount",
            "RunningTaskCount",
        }
        assert tasks["desired"]["metric"]["dimensions"] == ecs
        assert found["tasks-below-desired"].inputs["treatMissingData"] == "breaching"


def test_every_alarm_is_either_one_metric_or_metric_math_with_exactly_one_result(alarmed):
    run, _ = alarmed
    for alarm in run.of_type(ALARM):
        inputs = alarm.inputs
        assert 1 <= inputs["datapointsToAlarm"] <= inputs["evaluationPeriods"]
        if "metricQueries" in inputs:
            assert not {"metricName", "namespace", "period", "statistic", "extendedStatistic"} & set(inputs)
            assert [q.get("returnData") for q in inputs["metricQueries"]].count(True) == 1
            assert all(q["id"][0].islower() for q in inputs["metricQueries"])
        else:
            assert inputs["namespace"] and inputs["metricName"] and inputs["period"] >= 60
            assert ("statistic" in inputs) != ("extendedStatistic" in inputs)


def test_the_edge_and_every_nat_gateway_have_their_alarms(alarmed):
    run, _ = alarmed
    edge = alarms_of(run, "observability-edge", "observability")
    https = any(
        listener.inputs["protocol"] == "HTTPS" for listener in run.of_type("aws:lb/listener:Listener")
    )
    assert set(edge) == {"5xx", "rejected-connections"} | ({"tls-errors"} if https else set())
    assert edge["5xx"].inputs["metricName"] == "HTTPCode_ELB_5XX_Count"
    assert edge["5xx"].inputs["dimensions"] == {"LoadBalancer": run.named("edge-alb").state["arnSuffix"]}
    nats = run.of_type("aws:ec2/natGateway:NatGateway")
    assert nats
    for nat in nats:
        letter = nat.name.rsplit("-", 1)[1]
        found = alarms_of(run, f"observability-nat-{letter}", "observability")
        assert set(found) == {"port-allocation", "packets-dropped"}
        assert found["port-allocation"].inputs["metricName"] == "ErrorPortAllocation"
        assert found["port-allocation"].inputs["dimensions"] == {"NatGatewayId": nat.id}
        queries = found["packets-dropped"].inputs["metricQueries"]
        assert {q["metric"]["metricName"] for q in queries if "metric" in q} == {
            "PacketsDropCount",
            "PacketsInFromSource",
            "PacketsInFromDestination",
        }
        assert all(q["metric"]["dimensions"] == {"NatGatewayId": nat.id} for q in queries if "metric" in q)
    assert all(a.inputs["alarmActions"] == [topic_arn(run)] for a in run.of_type(ALARM))


def test_the_topic_is_encrypted_with_the_stack_key_and_only_cloudwatch_and_budgets_may_publish(observed_prod):
    run = observed_prod
    (key,) = run.of_type("aws:kms/key:Key")
    (topic,) = run.of_type(TOPIC)
    assert topic.inputs["kmsMasterKeyId"] == key.state["arn"]
    (policy,) = run.of_type("aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == topic.state["arn"]
    statements = list(policy_statements(policy.inputs["policy"]))
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [
        {"Service": ["cloudwatch.amazonaws.com"]},
        {"Service": ["budgets.amazonaws.com"]},
    ]
    assert all(s["Action"] == ["sns:Publish"] and s["Resource"] == [topic.state["arn"]] for s in allows)
    assert all(s["Condition"]["StringEquals"] == {"aws:SourceAccount": ["222222222222"]} for s in allows)
    assert allows[0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": ["arn:aws:cloudwatch:eu-west-1:222222222222:alarm:*"]
    }
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
    (_, _, publishers) = policy_statements(key.inputs["policy"])
    assert publishers["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]}


def test_subscriptions_are_exactly_the_configured_emails_and_https_endpoints(observed_prod):
    subscriptions = observed_prod.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("email", "oncall@example.com"),
        ("email", "platform@example.com"),
        ("https", "https://hooks.example.com/alarms"),
    ]
    assert {s.inputs["topic"] for s in subscriptions} == {topic_arn(observed_prod)}


def test_the_budget_alert_is_off_by_default_and_alerts_the_topic_when_configured(observed_prod, prod):
    assert prod.of_type("aws:budgets/budget:Budget") == []
    (budget,) = observed_prod.of_type("aws:budgets/budget:Budget")
    assert (budget.inputs["budgetType"], budget.inputs["timeUnit"]) == ("COST", "MONTHLY")
    assert (budget.inputs["limitAmount"], budget.inputs["limitUnit"]) == ("900", "USD")
    assert [(n["notificationType"], n["threshold"]) for n in budget.inputs["notifications"]] == [
        ("ACTUAL", 75),
        ("FORECASTED", 100),
    ]
    topic = topic_arn(observed_prod)
    assert all(n["subscriberSnsTopicArns"] == [topic] for n in budget.inputs["notifications"])


def test_each_service_counts_error_lines_with_the_configured_pattern_and_alarms_on_that_metric(observed_prod):
    run = observed_prod
    for name in ("web", "api", "admin"):
        filter_ = run.named(f"{name}-app-errors").inputs
        assert filter_["pattern"] == "?FATAL ?panic"
        assert filter_["logGroupName"] == run.named(f"{name}-logs").state["name"]
        metric = filter_["metricTransformation"]
        assert (metric["value"], metric["defaultValue"]) == ("1", "0")
        alarm = alarms_of(run, name)["app-errors"].inputs
        assert (alarm["namespace"], alarm["metricName"]) == (metric["namespace"], metric["name"])
        assert (alarm["statistic"], alarm["period"]) == ("Sum", 300)


def test_dev_without_alarms_has_no_topic_and_no_deployment_alarms_but_a_dashboard_and_error_metric():
    run = run_stack("example-dev", root=FIXTURES)
    assert run.of_type(ALARM) == [] and run.of_type(TOPIC) == []
    assert all("alarms" not in s.inputs for s in run.of_type("aws:ecs/service:Service"))
    assert len(run.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")) == 2
    assert run.named("observability-dashboard").inputs["dashboardName"] == "webstack-example-dev"
    assert "alarmTopicArn" not in run.outputs


def test_prod_with_alarms_but_no_subscription_warns_that_alarms_reach_nobody():
    run = run_stack("example-prod", root=FIXTURES)
    assert any("alarms reach nobody" in warning for warning in run.warnings)


def widgets(run: Run) -> list[dict[str, Any]]:
    return json.loads(run.named("observability-dashboard").inputs["dashboardBody"])["widgets"]


def test_every_dashboard_metric_widget_has_a_region_and_metrics_as_arrays_of_arrays(alarmed):
    run, config = alarmed
    metric_widgets = [w for w in widgets(run) if w["type"] == "metric"]
    assert metric_widgets
    for widget in metric_widgets:
        properties = widget["properties"]
        assert properties["region"] == config["aws:region"]
        assert properties["metrics"] and all(isinstance(line, list) for line in properties["metrics"])
        assert all(isinstance(part, str) for line in properties["metrics"] for part in line[:-1])
        assert all(isinstance(line[-1], dict) and line[-1]["stat"] for line in properties["metrics"])


def test_the_dashboard_charts_requests_errors_latency_health_tasks_cpu_and_memory_of_every_service(alarmed):
    run, config = alarmed
    services = list(json.loads(config["webstack:services"]))
    panels = {
        w["properties"]["title"]: w["properties"]["metrics"] for w in widgets(run) if w["type"] == "metric"
    }
    assert set(panels) >= {
        "Requests",
        "5xx responses",
        "Latency p50 / p90 / p99 (seconds)",
        "Healthy and unhealthy hosts",
        "Running vs desired tasks",
        "CPU % per service",
        "Memory % per service",
        "Application errors",
        "NAT gateways: port allocation errors and dropped packets",
    }
    assert [line[-1]["label"] for line in panels["CPU % per service"]] == services
    assert [line[-1]["stat"] for line in panels["Latency p50 / p90 / p99 (seconds)"]] == (
        ["p50"] * len(services) + ["p90"] * len(services) + ["p99"] * len(services)
    )


def test_the_dashboard_widgets_tile_the_24_column_grid_under_the_header_without_gaps_or_overlaps(alarmed):
    """CloudWatch places widgets by x, y, width and height on a 24-column grid (dashboard body
    structure); a widget without width falls back to 6 columns and the layout breaks."""
    run, _ = alarmed
    placed = widgets(run)
    assert all({"x", "y", "width", "height"} <= set(w) for w in placed)
    header, *panels = placed
    assert (header["type"], header["y"], header["x"] + header["width"]) == ("text", 0, 24)
    assert min(w["y"] for w in panels) == header["y"] + header["height"]
    cells = [
        (w["x"] + dx, w["y"] + dy) for w in placed for dx in range(w["width"]) for dy in range(w["height"])
    ]
    assert len(cells) == len(set(cells)), "two widgets overlap"
    assert all(0 <= x < 24 for x, _ in cells)


def test_the_host_health_panel_has_a_healthy_and_an_unhealthy_line_per_routed_service(alarmed):
    run, _ = alarmed
    (panel,) = [w for w in widgets(run) if w["properties"].get("title") == "Healthy and unhealthy hosts"]
    lines = {(line[1], line[-1]["label"]) for line in panel["properties"]["metrics"]}
    routed = {label.rsplit(" ", 1)[0] for _, label in lines}
    assert routed and lines == {
        *(("HealthyHostCount", f"{s} healthy") for s in routed),
        *(("UnHealthyHostCount", f"{s} unhealthy") for s in routed),
    }


def test_each_dashboard_panel_charts_the_cloudwatch_metrics_its_title_names(alarmed):
    """Metric names are CloudWatch's own (ALB, ECS, Container Insights and NAT gateway metric lists): a
    misspelt one draws an empty chart and nothing else fails."""
    run, _ = alarmed
    names = {
        w["properties"]["title"]: {line[1] for line in w["properties"]["metrics"]}
        for w in widgets(run)
        if w["type"] == "metric"
    }
    assert names["Requests"] == {"RequestCount"}
    assert names["5xx responses"] == {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}
    assert names["Latency p50 / p90 / p99 (seconds)"] == {"TargetResponseTime"}
    assert names["Running vs desired tasks"] == {"RunningTaskCount", "DesiredTaskCount"}
    assert names["CPU % per service"] == {"CPUUtilization"}
    assert names["Memory % per service"] == {"MemoryUtilization"}
    assert names["NAT gateways: port allocation errors and dropped packets"] == {
        "ErrorPortAllocation",
        "PacketsDropCount",
    }


def test_data_tier_targets_get_their_alarms_and_dashboard_panels():
    database = DatabaseTarget(
        name="main",
        dimensions={"DBInstanceIdentifier": "webstack-prod-main"},
        max_connections=400,
        min_free_storage_bytes=5 * 2**30,
    )
    cache = CacheTarget(name="sessions", dimensions={"CacheClusterId": "webstack-prod-sessions"})
    topic = "arn:aws:sns:eu-west-1:111111111111:alarms"
    run = run_component(
        lambda: Observability(
            "observability",
            ObservabilityArgs(region="eu-west-1", topic_arn=topic, databases=(database,), caches=(cache,)),
        )
    )
    db = alarms_of(run, "observability-db-main", "observability")
    assert {role: a.inputs["metricName"] for role, a in db.items()} == {
        "cpu-high": "CPUUtilization",
        "freeable-memory-low": "FreeableMemory",
        "connections-high": "DatabaseConnections",
        "free-storage-low": "FreeStorageSpace",
    }
    assert db["connections-high"].inputs["threshold"] == 400
    assert db["free-storage-low"].inputs["comparisonOperator"] == "LessThanThreshold"
    assert all(a.inputs["dimensions"] == {"DBInstanceIdentifier": "webstack-prod-main"} for a in db.values())
    caches = alarms_of(run, "observability-cache-sessions", "observability")
    assert {role: a.inputs["metricName"] for role, a in caches.items()} == {
        "cpu-high": "EngineCPUUtilization",
        "memory-high": "DatabaseMemoryUsagePercentage",
        "evictions": "Evictions",
    }
    assert all(a.inputs["alarmActions"] == [topic] for a in run.of_type(ALARM))
    titles = [w["properties"]["title"] for w in widgets(run) if w["type"] == "metric"]
    assert titles == [
        "Database main: CPU %, connections",
        "Database main: free storage and freeable memory (bytes)",
        "Cache sessions: engine CPU %, memory %, evictions",
    ]


def test_the_plan_lists_every_alarm_with_metric_threshold_period_and_action_and_where_notifications_go():
    captured = graph.capture("observed-prod", root=FIXTURES)
    rows = {row["alarm"]: row for row in report.alarm_rows(captured)}
    assert len(rows) == 3 * 7 + 3 + 2 * 2
    api_rate = rows["webstack-observed-prod-api-5xx-rate"]
    assert api_rate["metric"] == "math over HTTPCode_Target_5XX_Count Sum, RequestCount Sum"
    assert (api_rate["threshold"], api_rate["period"]) == ("> 2", "60s, 3 of 5")
    assert api_rate["action"] == "notify alerts-topic, roll back api"
    assert rows["webstack-observed-prod-api-cpu-high"]["action"] == "notify alerts-topic"
    text = "\n".join(report.alarms(captured))
    assert "email: oncall@example.com" in text and "https: https://hooks.example.com/alarms" in text
    assert "budget: 900 USD a month (actual > 75%, forecasted > 100%)" in text


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"webstack__observability": {"alarms": False}}, "webstack:observability.alarms: got false"),
        ({"webstack__observability": {"emails": ["not-an-address"]}}, "webstack:observability.emails: got"),
        (
            {"webstack__observability": {"httpsEndpoints": ["http://x.example.com"]}},
            "webstack:observability.httpsEndpoints: got",
        ),
        (
            {"webstack__observability": {"alarm": True}},
            "webstack:observability.alarm: unknown key; did you mean",
        ),
        (
            {"webstack__observability": {"budget": {"thresholdPercent": 80}}},
            "webstack:observability.budget.monthlyLimitUsd: missing",
        ),
        (
            {
                "webstack__services": {
                    "api": {"image": "ghcr.io/x/api:1.0.0", "port": 80, "alarms": {"cpuPercent": 5}}
                }
            },
            "webstack:services.api.alarms.cpuPercent: got 5, but it must be at least 10",
        ),
    ],
)
def test_bad_observability_config_is_named_before_any_resource(changes, key):
    found = problems_of(raw("prod", **changes))
    assert any(problem.startswith(key) for problem in found), found


def test_subscriptions_without_alarms_or_a_budget_are_refused_because_nothing_would_be_sent():
    found = problems_of(raw("dev", webstack__observability={"emails": ["a@example.com"]}))
    assert any(
        p.startswith("webstack:observability.emails: subscriptions are set, but alarms are off")
        for p in found
    )


def test_the_data_tier_of_a_prod_stack_has_database_and_per_node_cache_alarms_into_the_topic():
    run = run_stack("data-prod", root=FIXTURES)
    (instance,) = run.of_type("aws:rds/instance:Instance")
    db = alarms_of(run, "observability-db-main", "observability")
    assert set(db) == {"cpu-high", "freeable-memory-low", "connections-high", "free-storage-low"}
    assert all(
        a.inputs["dimensions"] == {"DBInstanceIdentifier": instance.inputs["identifier"]} for a in db.values()
    )
    # db.m7g.large: 8 GiB nominal, about 7.1 GiB usable -> max_connections 796 (not the nominal 901);
    # alarm at 80%.
    assert db["connections-high"].inputs["threshold"] == 636
    assert db["free-storage-low"].inputs["threshold"] == 5 * 10**9  # 10% of 50 GB
    (group,) = run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    nodes = int(group.inputs["numCacheClusters"])
    assert nodes >= 2
    for index in range(1, nodes + 1):
        node = alarms_of(run, f"observability-cache-main-{index:03d}", "observability")
        assert set(node) == {"cpu-high", "memory-high", "evictions"}
        assert node["evictions"].inputs["dimensions"] == {"CacheClusterId": f"{group.id}-{index:03d}"}
    assert all(a.inputs["alarmActions"] == [topic_arn(run)] for a in run.of_type(ALARM))


@pytest.mark.parametrize(
    ("instance_class", "gib"),
    [
        ("db.t4g.micro", 1),
        ("db.t4g.medium", 4),
        ("db.m7g.large", 8),
        ("db.r7g.large", 16),
        ("db.m6i.4xlarge", 64),
    ],
)
def test_rds_class_memory_is_read_from_the_class_name(instance_class, gib):
    from components.alarms import instance_memory_gib

    assert instance_memory_gib(instance_class) == gib
