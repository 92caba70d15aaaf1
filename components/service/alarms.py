"""The service's alarms: load-balancer alarms ECS rolls a deployment back on, and the error metric
from its logs with alarms on tasks, CPU, memory and errors (specs: :mod:`components.alarms`)."""

import pulumi
import pulumi_aws as aws

from ..alarms import (
    DEPLOYMENT_ALARM_ROLES,
    ServiceThresholds,
    create_alarms,
    stack_prefix,
    target_alarms,
    task_alarms,
)
from ..observability import app_errors_metric
from ..pure.naming import child_name
from .args import ServiceArgs


def deployment_alarms(
    owner: pulumi.Resource, name: str, args: ServiceArgs
) -> list[aws.cloudwatch.MetricAlarm]:
    """Load-balancer alarms (5xx rate, latency, health); returns the ones ECS rolls back on.

    A worker (no target group) has none: its deployments rely on the circuit breaker.
    """
    monitoring = args.monitoring
    if monitoring is None or monitoring.topic_arn is None or monitoring.target_group_arn_suffix is None:
        return []
    specs = target_alarms(
        name,
        _thresholds(name, args),
        monitoring.load_balancer_arn_suffix,
        monitoring.target_group_arn_suffix,
    )
    created = create_alarms(specs, name, stack_prefix(name), monitoring.topic_arn, owner, args.tags)
    return [created[role] for role in DEPLOYMENT_ALARM_ROLES]


def task_alarms_and_errors(
    owner: pulumi.Resource,
    name: str,
    args: ServiceArgs,
    service_name: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
) -> None:
    """Error lines counted from the logs; with a topic, alarms on tasks, CPU, memory and errors."""
    monitoring = args.monitoring
    if monitoring is None:
        return
    errors = app_errors_metric(name)
    aws.cloudwatch.LogMetricFilter(
        child_name(name, "app-errors"),
        log_group_name=log_group_name,
        pattern=monitoring.app_error_pattern,
        metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
            name=errors.name, namespace=errors.namespace, value="1", default_value="0"
        ),
        opts=pulumi.ResourceOptions(parent=owner),
    )
    if monitoring.topic_arn is None:
        return
    specs = task_alarms(name, _thresholds(name, args), args.cluster_name, service_name, errors)
    create_alarms(specs, name, stack_prefix(name), monitoring.topic_arn, owner, args.tags)


def _thresholds(name: str, args: ServiceArgs) -> ServiceThresholds:
    if args.alarm_thresholds is None:
        raise ValueError(f"{name}: monitoring with an alarm topic needs alarm_thresholds")
    return args.alarm_thresholds
