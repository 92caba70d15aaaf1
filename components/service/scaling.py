"""Autoscaling of the service's task count: target tracking on CPU (and optionally memory, requests
per task and queue backlog per task), and scheduled scaling to zero outside working hours."""

import pulumi
import pulumi_aws as aws
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgsDict as MetricQuery,
)

from ..pure import schedules
from ..pure.naming import child_name
from .args import ServiceArgs


def autoscaling(
    name: str, args: ServiceArgs, service_name: pulumi.Input[str], child: pulumi.ResourceOptions
) -> aws.appautoscaling.Target:
    """The scalable target between min_count and max_count, its policies and its off-hours actions."""
    target = aws.appautoscaling.Target(
        child_name(name, "scaling"),
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", args.cluster_name, "/", service_name),
        min_capacity=args.min_count,
        max_capacity=args.max_count,
        tags=args.tags,
        opts=child,
    )
    _tracking_policies(name, args, target, child)
    if args.backlog_per_task is not None and args.consumes is not None:
        _backlog_policy(
            name, args, target, service_name, args.backlog_per_task, args.consumes.queue_name, child
        )
    _off_hours(name, args, target, child)
    return target


def _tracking_policies(
    name: str, args: ServiceArgs, target: aws.appautoscaling.Target, child: pulumi.ResourceOptions
) -> None:
    """One target-tracking policy per predefined metric the service holds."""
    metrics: list[tuple[str, str, float, pulumi.Input[str] | None]] = [
        ("cpu", "ECSServiceAverageCPUUtilization", args.cpu_target, None)
    ]
    if args.memory_target is not None:
        metrics.append(("memory", "ECSServiceAverageMemoryUtilization", args.memory_target, None))
    if args.requests_per_target is not None and args.request_count_label is not None:
        metrics.append(
            ("requests", "ALBRequestCountPerTarget", args.requests_per_target, args.request_count_label)
        )
    for role, metric, value, label in metrics:
        aws.appautoscaling.Policy(
            child_name(name, f"scale-{role}"),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=value,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric, resource_label=label
                ),
                scale_in_cooldown=args.scale_in_cooldown,
                scale_out_cooldown=args.scale_out_cooldown,
            ),
            opts=child,
        )


def _backlog_policy(
    name: str,
    args: ServiceArgs,
    target: aws.appautoscaling.Target,
    service_name: pulumi.Input[str],
    backlog_per_task: int,
    queue_name: pulumi.Input[str],
    child: pulumi.ResourceOptions,
) -> None:
    """Metric math: visible messages / running tasks (AWS application-auto-scaling-target-tracking-
    metric-math.html). The caller keeps min_count >= 1: 0 tasks give no data to scale on."""
    aws.appautoscaling.Policy(
        child_name(name, "scale-backlog"),
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        target_tracking_scaling_policy_configuration={
            "target_value": backlog_per_task,
            "scale_in_cooldown": args.scale_in_cooldown,
            "scale_out_cooldown": args.scale_out_cooldown,
            "customized_metric_specification": {
                "metrics": [
                    _metric_query(
                        "visible",
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        "Sum",
                        {"QueueName": queue_name},
                    ),
                    _metric_query(
                        "tasks",
                        "ECS/ContainerInsights",
                        "RunningTaskCount",
                        "Average",
                        {"ClusterName": args.cluster_name, "ServiceName": service_name},
                    ),
                    {
                        "id": "backlog",
                        "expression": "visible / tasks",
                        "label": "Visible messages per running task",
                        "return_data": True,
                    },
                ]
            },
        },
        opts=child,
    )


def _metric_query(
    query_id: str, namespace: str, metric_name: str, stat: str, dimensions: dict[str, pulumi.Input[str]]
) -> MetricQuery:
    """One metric of a metric-math expression (not returned itself)."""
    return {
        "id": query_id,
        "metric_stat": {
            "metric": {
                "namespace": namespace,
                "metric_name": metric_name,
                "dimensions": [{"name": key, "value": value} for key, value in dimensions.items()],
            },
            "stat": stat,
        },
        "return_data": False,
    }


def _off_hours(
    name: str, args: ServiceArgs, target: aws.appautoscaling.Target, child: pulumi.ResourceOptions
) -> None:
    """Scheduled scaling to zero at the stop cron and back to min-max at the start cron."""
    off_hours = args.off_hours
    if off_hours is None:
        return
    for role, cron, low, high in (
        ("stop", off_hours.stop, 0, 0),
        ("start", off_hours.start, args.min_count, args.max_count),
    ):
        aws.appautoscaling.ScheduledAction(
            child_name(name, f"scale-{role}"),
            name=child_name(name, f"scale-{role}"),
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            schedule=schedules.aws_schedule(cron),
            timezone=off_hours.timezone,
            scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                min_capacity=low, max_capacity=high
            ),
            opts=child,
        )
