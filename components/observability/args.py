"""What Observability builds and what a Service needs to watch itself: plain values and the data-tier
alarm targets of :mod:`components.alarms`."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..alarms import CacheTarget, DatabaseTarget


@dataclass(frozen=True)
class ServiceMonitoring:
    """What a Service needs to watch itself (``ServiceArgs.monitoring``)."""

    app_error_pattern: str
    """CloudWatch Logs filter pattern: log lines matching it count as application errors. Required."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """The load balancer's ARN suffix (the ``LoadBalancer`` metric dimension). Required."""
    target_group_arn_suffix: pulumi.Input[str] | None
    """The service's target group's ARN suffix; None for a worker (no load-balancer alarms). Required."""
    topic_arn: pulumi.Input[str] | None = None
    """The alarm topic. Default: None, no alarms (the error metric is still counted)."""


@dataclass(frozen=True)
class ServiceMetrics:
    """What the dashboard needs to chart one service."""

    name: str
    """The service's name in the stack: labels its lines and names its error metric. Required."""
    cluster_name: pulumi.Input[str]
    """The ECS cluster's name (the ``ClusterName`` metric dimension). Required."""
    service_name: pulumi.Input[str]
    """The ECS service's name (the ``ServiceName`` metric dimension). Required."""
    target_group_arn_suffix: pulumi.Input[str] | None
    """The service's target group's ARN suffix; None for a worker: it has no load-balancer lines.
    Required."""


@dataclass(frozen=True)
class ObservabilityArgs:
    """What Observability builds. Counts (zones, services, data targets) are plain values."""

    region: str
    """The stack's region: every dashboard widget names it. Required."""
    topic_arn: pulumi.Input[str] | None
    """The alarm topic; None builds no alarms (the dashboard still). Required."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """The load balancer's ARN suffix, for its alarms and lines. Default: None, no load balancer."""
    https: bool = False
    """Whether the load balancer terminates TLS (then its TLS-error alarm exists). Default: False."""
    nat_gateways: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Zone -> NAT gateway id, for their alarms and lines. Default: none."""
    services: Sequence[ServiceMetrics] = ()
    """The services to chart, in dashboard order. Default: none."""
    databases: Sequence[DatabaseTarget] = ()
    """The data tier's databases, for their alarms and lines. Default: none."""
    caches: Sequence[CacheTarget] = ()
    """The data tier's cache nodes, for their alarms and lines. Default: none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every alarm, on top of the provider's default tags. Default: none."""
