"""The stack's CloudWatch dashboard: requests, 5xx, latency, health, tasks, CPU, memory and app errors
per service; NAT gateways; each database and cache. And the application-error metric each service's
log filter publishes (its alarm and the dashboard read it)."""

from typing import Any

import pulumi

from .. import alarms
from ..alarms import Metric
from .args import ObservabilityArgs

APP_ERRORS_METRIC = "AppErrors"
WIDGET_WIDTH = 12
WIDGET_HEIGHT = 6

Lines = list[list[Any]]
Panel = tuple[str, Lines]
"""A widget's title and its lines."""


def app_errors_metric(service: str) -> Metric:
    """The count of error lines in a service's logs (published by its log metric filter)."""
    return Metric(f"{pulumi.get_project()}/{pulumi.get_stack()}", f"{service}-{APP_ERRORS_METRIC}", {})


def _line(metric: Metric, label: str) -> list[Any]:
    """One line of a metric widget: ``[namespace, name, dim, value, ..., {stat, label}]``."""
    line: list[Any] = [metric.namespace, metric.name]
    for key, value in metric.dimensions.items():
        line += [key, value]
    return [*line, {"stat": metric.stat, "label": label}]


def _widget(title: str, region: str, lines: Lines, index: int) -> dict[str, Any]:
    """A time-series widget; CloudWatch refuses one without ``region`` or with flat ``metrics``."""
    return {
        "type": "metric",
        "x": (index % 2) * WIDGET_WIDTH,
        "y": 2 + (index // 2) * WIDGET_HEIGHT,
        "width": WIDGET_WIDTH,
        "height": WIDGET_HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": alarms.MINUTE,
            "metrics": lines,
        },
    }


def _header() -> dict[str, Any]:
    """The text widget at the top: which stack, and where its alarms go."""
    return {
        "type": "text",
        "x": 0,
        "y": 0,
        "width": 2 * WIDGET_WIDTH,
        "height": 2,
        "properties": {
            "markdown": f"# {pulumi.get_project()} {pulumi.get_stack()}\nEvery alarm of this stack notifies "
            "its alarm topic; each alarm's description says what to check first."
        },
    }


def _load_balancer_panels(args: ObservabilityArgs) -> list[Panel]:
    """Requests, 5xx, latency percentiles and host health of every routed service."""
    alb = args.load_balancer_arn_suffix
    routed = [(s, s.target_group_arn_suffix) for s in args.services if s.target_group_arn_suffix is not None]
    if alb is None or not routed:
        return []

    def per_target(metric: str, stat: str, label: str) -> Lines:
        return [
            _line(
                Metric(alarms.ALB, metric, {"TargetGroup": group, "LoadBalancer": alb}, stat),
                f"{s.name} {label}".strip(),
            )
            for s, group in routed
        ]

    return [
        ("Requests", per_target("RequestCount", "Sum", "")),
        (
            "5xx responses",
            [
                *per_target("HTTPCode_Target_5XX_Count", "Sum", "target 5xx"),
                _line(
                    Metric(alarms.ALB, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb}), "load balancer 5xx"
                ),
            ],
        ),
        (
            "Latency p50 / p90 / p99 (seconds)",
            [line for p in ("p50", "p90", "p99") for line in per_target("TargetResponseTime", p, p)],
        ),
        (
            "Healthy and unhealthy hosts",
            per_target("HealthyHostCount", "Minimum", "healthy")
            + per_target("UnHealthyHostCount", "Maximum", "unhealthy"),
        ),
    ]


def _service_panels(args: ObservabilityArgs) -> list[Panel]:
    """Running vs desired tasks, CPU, memory and application errors of every service."""
    if not args.services:
        return []

    def per_service(namespace: str, metric: str, stat: str, label: str) -> Lines:
        return [
            _line(
                Metric(
                    namespace, metric, {"ClusterName": s.cluster_name, "ServiceName": s.service_name}, stat
                ),
                f"{s.name} {label}".strip(),
            )
            for s in args.services
        ]

    return [
        (
            "Running vs desired tasks",
            per_service(alarms.CONTAINER_INSIGHTS, "RunningTaskCount", "Average", "running")
            + per_service(alarms.CONTAINER_INSIGHTS, "DesiredTaskCount", "Average", "desired"),
        ),
        ("CPU % per service", per_service(alarms.ECS, "CPUUtilization", "Average", "")),
        ("Memory % per service", per_service(alarms.ECS, "MemoryUtilization", "Average", "")),
        ("Application errors", [_line(app_errors_metric(s.name), s.name) for s in args.services]),
    ]


def _nat_panels(args: ObservabilityArgs) -> list[Panel]:
    """Port allocation errors and dropped packets of every NAT gateway, in one widget."""
    if not args.nat_gateways:
        return []
    return [
        (
            "NAT gateways: port allocation errors and dropped packets",
            [
                _line(Metric(alarms.NAT, metric, {"NatGatewayId": nat_id}), f"{zone} {label}")
                for zone, nat_id in args.nat_gateways.items()
                for metric, label in (
                    ("ErrorPortAllocation", "port errors"),
                    ("PacketsDropCount", "dropped"),
                )
            ],
        )
    ]


def _data_panels(args: ObservabilityArgs) -> list[Panel]:
    """Two widgets per database (CPU and connections; storage and memory), one per cache node."""
    panels: list[Panel] = []
    for db in args.databases:
        panels.append(
            (
                f"Database {db.name}: CPU %, connections",
                [
                    _line(Metric(alarms.RDS, "CPUUtilization", db.dimensions, "Average"), "CPU %"),
                    _line(Metric(alarms.RDS, "DatabaseConnections", db.dimensions, "Maximum"), "connections"),
                ],
            )
        )
        panels.append(
            (
                f"Database {db.name}: free storage and freeable memory (bytes)",
                [
                    _line(Metric(alarms.RDS, "FreeStorageSpace", db.dimensions, "Minimum"), "free storage"),
                    _line(Metric(alarms.RDS, "FreeableMemory", db.dimensions, "Average"), "freeable memory"),
                ],
            )
        )
    for cache in args.caches:
        panels.append(
            (
                f"Cache {cache.name}: engine CPU %, memory %, evictions",
                [
                    _line(
                        Metric(alarms.ELASTICACHE, "EngineCPUUtilization", cache.dimensions, "Average"),
                        "CPU %",
                    ),
                    _line(
                        Metric(
                            alarms.ELASTICACHE, "DatabaseMemoryUsagePercentage", cache.dimensions, "Average"
                        ),
                        "memory %",
                    ),
                    _line(Metric(alarms.ELASTICACHE, "Evictions", cache.dimensions), "evictions"),
                ],
            )
        )
    return panels


def dashboard_body(args: ObservabilityArgs) -> dict[str, Any]:
    """Requests, 5xx, latency, health, tasks, CPU, memory, app errors per service; edge, NAT, data."""
    panels = [*_load_balancer_panels(args), *_service_panels(args), *_nat_panels(args), *_data_panels(args)]
    return {
        "widgets": [
            _header(),
            *(_widget(title, args.region, lines, i) for i, (title, lines) in enumerate(panels)),
        ]
    }
