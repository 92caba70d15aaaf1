"""The alarms: what each reads, its threshold and what happens when it fires; where notifications go."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.graph import Graph
from plan.graph_index import Index
from plan.text import number_text, table

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPARISONS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def _watched(alarm: Mapping[str, Any]) -> tuple[str, Any]:
    """What an alarm reads (metric and statistic, or the expression over its metrics) and its period."""
    inputs = alarm["inputs"]
    if inputs.get("metricQueries"):
        metrics = [q["metric"] for q in inputs["metricQueries"] if q.get("metric")]
        names = ", ".join(f"{m['metricName']} {m.get('stat')}" for m in metrics)
        return f"math over {names}", metrics[0].get("period") if metrics else "?"
    stat = inputs.get("extendedStatistic") or inputs.get("statistic")
    return f"{inputs.get('namespace')} {inputs.get('metricName')} {stat}", inputs.get("period")


def alarm_rows(graph: Graph) -> list[dict[str, str]]:
    """Every alarm: name, what it reads, threshold, period, and what happens when it fires."""
    index = Index(graph)
    topics = {t["outputs"].get("arn"): t["name"] for t in index.of_type("aws:sns/topic:Topic")}
    rollbacks = {
        name: index.owner(service)
        for service in index.of_type("aws:ecs/service:Service")
        if (service["inputs"].get("alarms") or {}).get("rollback")
        for name in service["inputs"]["alarms"].get("alarmNames", [])
    }
    rows = []
    for alarm in sorted(index.of_type(METRIC_ALARM), key=lambda a: a["inputs"].get("name", a["name"])):
        inputs = alarm["inputs"]
        metric, period = _watched(alarm)
        actions = [f"notify {topics.get(arn, arn)}" for arn in inputs.get("alarmActions", [])]
        name = inputs.get("name", alarm["name"])
        if name in rollbacks:
            actions.append(f"roll back {rollbacks[name]}")
        rows.append(
            {
                "alarm": name,
                "metric": metric,
                "threshold": f"{COMPARISONS.get(inputs.get('comparisonOperator'), '?')} "
                f"{number_text(inputs.get('threshold'))}",
                "period": f"{number_text(period)}s, {number_text(inputs.get('datapointsToAlarm'))} of "
                f"{number_text(inputs.get('evaluationPeriods'))}",
                "action": ", ".join(actions) or "none",
            }
        )
    return rows


def notification_targets(graph: Graph) -> list[str]:
    """Where notifications go: each subscription's protocol and endpoint, and the budget alert."""
    index = Index(graph)
    targets = [
        f"{sub['inputs'].get('protocol')}: {sub['inputs'].get('endpoint')}"
        for sub in index.of_type("aws:sns/topicSubscription:TopicSubscription")
    ]
    for budget in index.of_type("aws:budgets/budget:Budget"):
        inputs = budget["inputs"]
        limits = ", ".join(
            f"{n.get('notificationType', '').lower()} > {number_text(n.get('threshold'))}%"
            for n in inputs.get("notifications", [])
        )
        targets.append(f"budget: {inputs.get('limitAmount')} {inputs.get('limitUnit')} a month ({limits})")
    return targets


def alarms(graph: Graph) -> list[str]:
    rows = alarm_rows(graph)
    if not rows:
        return ["Alarms: none (webstack:observability.alarms is off for this stack)."]
    keys = ["alarm", "metric", "threshold", "period", "action"]
    lines = [f"Alarms ({len(rows)}):", *table([keys, *[[row[k] for k in keys] for row in rows]])]
    targets = notification_targets(graph)
    lines.append("Notifications go to:")
    lines += [f"  {target}" for target in targets] or [
        "  nobody: add webstack:observability.emails or httpsEndpoints"
    ]
    return lines
