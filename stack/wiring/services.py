"""The cluster, the queues between services and the services themselves (callees first)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pulumi

from components.cluster import Cluster, ClusterArgs, Ec2CapacityArgs, OffHoursArgs
from components.frontdoor.edge import Edge
from components.observability import ServiceMonitoring
from components.queue import Queue
from components.service import (
    CapacityProviderShare,
    ContainerHealthCheck,
    DeploymentStrategy,
    ExtraContainerPort,
    ImageBuild,
    OffHoursScaling,
    PreTrafficCheck,
    QueueAccess,
    ReleaseTask,
    Service,
    ServiceArgs,
    ServiceDeployment,
    TaskPolicyStatement,
    TaskSchedule,
    TrafficShift,
)
from components.storage import AppBucket, Volume
from stack.config import StackSettings
from stack.services import ServiceSettings, call_order, route_key
from stack.wiring.data import DataTier, queue_args
from stack.wiring.foundation import Foundation, tags_of
from stack.wiring.storage import bucket_access, build_buckets, build_volumes, volume_mounts


@dataclass(frozen=True)
class Apps:
    """The queues, the app buckets and the services by name (callees before callers)."""

    queues: dict[str, Queue]
    services: dict[str, Service]
    buckets: dict[str, AppBucket]
    volumes: dict[str, Volume]


def build_cluster(settings: StackSettings, foundation: Foundation) -> Cluster:
    """The ECS cluster, with EC2 capacity in the private subnets when the stack asks for it."""
    cluster = settings.cluster
    ec2, off_hours = cluster.ec2, cluster.off_hours
    return Cluster(
        "cluster",
        ClusterArgs(
            capacity=cluster.capacity,
            container_insights=cluster.container_insights,
            exec_enabled=cluster.exec_enabled,
            exec_log_retention_days=cluster.exec_log_retention_days,
            kms_key_arn=foundation.stack_key.arn,
            service_connect=any(service.config.calls for service in settings.services),
            off_hours=OffHoursArgs(timezone=off_hours.timezone, stop=off_hours.stop, start=off_hours.start)
            if off_hours
            else None,
            tags=tags_of(settings),
            default_tags=settings.aws.default_tags,
            ec2=Ec2CapacityArgs(
                instance_types=ec2.instance_types,
                architecture=ec2.architecture,
                min_size=ec2.min_size,
                max_size=ec2.max_size,
                target_capacity=ec2.target_capacity,
            )
            if ec2
            else None,
            ec2_retiring=ec2 is not None and ec2.retiring,
            vpc_id=foundation.network.vpc_id,
            subnet_ids=foundation.network.private_subnet_ids,
        ),
    )


def build_apps(
    settings: StackSettings, foundation: Foundation, data: DataTier, cluster: Cluster, edge: Edge
) -> Apps:
    """Queues and buckets first (services use them), then each service, callees first."""
    tags = tags_of(settings)
    queues = {queue.name: Queue(queue.name, queue_args(queue, tags)) for queue in settings.queues}
    buckets = build_buckets(settings, foundation.stack_key.arn, tags)
    volumes = build_volumes(settings, foundation, tags)
    access = {
        name: QueueAccess(name=name, arn=queue.arn, url=queue.url, queue_name=queue.queue_name)
        for name, queue in queues.items()
    }
    services: dict[str, Service] = {}
    for service in call_order(settings.services):  # callees first: callers reference them
        args = _service_args(settings, service, foundation, data, cluster, edge, access, services, buckets)
        services[service.name] = Service(
            service.name, replace(args, volume_mounts=volume_mounts(service, volumes))
        )
    return Apps(queues, services, buckets, volumes)


def _service_args(
    settings: StackSettings,
    service: ServiceSettings,
    foundation: Foundation,
    data: DataTier,
    cluster: Cluster,
    edge: Edge,
    access: dict[str, QueueAccess],
    services: dict[str, Service],
    buckets: dict[str, AppBucket],
) -> ServiceArgs:
    """One service's settings (and what it attaches to) as the Service component's Args."""
    config = service.config
    routed = service.name in edge.target_group_arns
    return ServiceArgs(
        **_placement(settings, foundation, cluster),
        **_task(service),
        **_scaling(service),
        edge_security_group_id=edge.security_group_id if routed else None,
        target_group_arn=edge.target_group_arns.get(service.name),
        listener_rules=[
            *(
                edge.rules[key]
                for key in (
                    service.name,
                    *(route_key(service.name, port) for port, _ in service.extra_routes),
                )
                if key in edge.rules
            ),
            *([edge.test_rules[service.name]] if service.name in edge.test_rules else []),
        ],
        **_deployment(service, edge),
        extra_ports=_extra_ports(service, edge),
        request_count_label=pulumi.Output.concat(
            edge.load_balancer_arn_suffix, "/", edge.target_group_arn_suffixes[service.name]
        )
        if routed
        else None,
        health_check_grace_period=config.health_check_grace_period,
        schedules=[
            TaskSchedule(
                name=schedule.name,
                expression=schedule.expression,
                command=schedule.command,
                timezone=schedule.timezone,
                retries=schedule.retries,
            )
            for schedule in config.schedules
        ],
        release=ReleaseTask(
            command=config.release.command,
            timeout=config.release.timeout,
            assume_role_arns=settings.aws.assume_role_arns,
        )
        if config.release is not None
        else None,
        callees=[services[callee].as_callee() for callee in config.calls],
        serves_callers=bool(service.called_by),
        consumes=access[service.consumes] if service.consumes else None,
        sends_to=[access[queue.name] for queue in settings.queues if service.name in queue.senders],
        bucket_access=bucket_access(service, buckets),
        data_stores=tuple(
            store.link()
            for store in (data.databases.get(config.database or ""), data.caches.get(config.cache or ""))
            if store is not None
        ),
        monitoring=ServiceMonitoring(
            app_error_pattern=settings.observability.app_error_pattern,
            load_balancer_arn_suffix=edge.load_balancer_arn_suffix,
            target_group_arn_suffix=edge.target_group_arn_suffixes.get(service.name),
            topic_arn=foundation.alarm_topic,
        ),
        alarm_thresholds=config.alarms.thresholds(),
        tags=tags_of(settings),
    )


STRATEGIES = {
    "rolling": DeploymentStrategy.ROLLING,
    "blue_green": DeploymentStrategy.BLUE_GREEN,
    "canary": DeploymentStrategy.CANARY,
    "linear": DeploymentStrategy.LINEAR,
}
"""``deployment.strategy`` -> the ECS strategy."""


def _deployment(service: ServiceSettings, edge: Edge) -> dict[str, Any]:
    """The rollout, and for a traffic-shifting one the edge's alternate target group and rules."""
    deployment = service.deployment
    shift = None
    if deployment.shifts_traffic and service.name in edge.test_rules:
        shift = TrafficShift(
            alternate_target_group_arn=edge.alternate_target_group_arns[service.name],
            production_listener_rule_arn=edge.rules[service.name].arn,
            test_listener_rule_arn=edge.test_rules[service.name].arn,
            pre_traffic_check=_pre_traffic_check(service, edge),
        )
    return {
        "deployment": ServiceDeployment(
            strategy=STRATEGIES[deployment.strategy.value],
            bake_time_minutes=deployment.bake_time_minutes,
            canary_percent=deployment.canary_percent,
            canary_bake_minutes=deployment.canary_bake_minutes,
            linear_step_percent=deployment.linear_step_percent,
            linear_step_bake_minutes=deployment.linear_step_bake_minutes,
        ),
        "traffic_shift": shift,
    }


def _pre_traffic_check(service: ServiceSettings, edge: Edge) -> PreTrafficCheck | None:
    """The check through the edge's test listener: on an internal load balancer (behind API Gateway) by
    its DNS name; on an internet-facing one by its network interfaces' private addresses (its arn suffix)."""
    check = service.deployment.pre_traffic_check
    if check is None or edge.test_port is None:
        return None
    return PreTrafficCheck(
        load_balancer_dns_name=edge.dns_name,
        load_balancer_security_group_id=edge.security_group_id,
        test_port=edge.test_port,
        https=edge.https,
        path=check.path,
        expect_status=check.expect_status,
        timeout_seconds=check.timeout_seconds,
        host_header=check.host_header,
        load_balancer_arn_suffix=None if edge.internal else edge.load_balancer_arn_suffix,
    )


def _placement(settings: StackSettings, foundation: Foundation, cluster: Cluster) -> dict[str, Any]:
    """Where every service runs: the cluster, its capacity and ECS Exec, the private subnets."""
    off_hours = cluster.off_hours
    return {
        "cluster_arn": cluster.arn,
        "cluster_name": cluster.cluster_name,
        "vpc_id": foundation.network.vpc_id,
        "subnet_ids": foundation.network.private_subnet_ids,
        "region": settings.aws.region,
        "kms_key_arn": cluster.kms_key_arn,
        "launch_compatibility": cluster.launch_compatibility,
        "capacity_provider_strategy": [
            CapacityProviderShare(provider, base, weight)
            for provider, base, weight in cluster.capacity_strategy
        ],
        "platform_version": cluster.platform_version,
        "capacity_providers": cluster.capacity_providers,
        "exec_enabled": cluster.exec_enabled,
        "exec_log_group_arn": cluster.exec_log_group_arn,
        "service_connect_namespace_arn": cluster.namespace_arn,
        "off_hours": OffHoursScaling(off_hours.timezone, off_hours.stop, off_hours.start)
        if off_hours is not None
        else None,
    }


def _task(service: ServiceSettings) -> dict[str, Any]:
    """The image, the container and its sizes, as the service's config and environment resolved them."""
    config = service.config
    build = config.build
    check = config.container_health_check
    return {
        "image": config.image,
        "build": ImageBuild(
            context=build.context,
            context_path=str(service.build_context),
            dockerfile=build.dockerfile,
            platform=build.platform,
            keep_images=service.keep_images,
            prebuilt=service.promoted_image,
        )
        if build is not None and service.build_context is not None
        else None,
        "force_delete_images": service.delete_images_with_repository,
        "cpu": config.cpu,
        "memory": config.memory,
        "port": config.port,
        "command": config.command,
        "entry_point": config.entry_point,
        "working_directory": config.working_directory,
        "user": config.user,
        "environment": config.environment,
        "secrets": config.secrets,
        "secrets_kms_key_arns": config.secrets_kms_key_arns,
        "task_policy_statements": [
            TaskPolicyStatement(
                actions=statement.actions, resources=statement.resources, effect=statement.effect
            )
            for statement in config.task_policy_statements
        ],
        "scratch_paths": config.scratch_paths,
        "container_health_check": ContainerHealthCheck(
            command=check.command,
            interval=check.interval,
            timeout=check.timeout,
            retries=check.retries,
            start_period=check.start_period,
        )
        if check is not None
        else None,
        "log_retention_days": service.log_retention_days,
    }


def _scaling(service: ServiceSettings) -> dict[str, Any]:
    """Counts (environment defaults applied) and the target-tracking settings."""
    scaling = service.config.autoscaling
    return {
        "desired_count": service.desired_count,
        "min_count": service.min_count,
        "max_count": service.max_count,
        "cpu_target": scaling.cpu_target,
        "memory_target": scaling.memory_target,
        "requests_per_target": scaling.requests_per_target,
        "backlog_per_task": scaling.backlog_per_task,
        "scale_out_cooldown": scaling.scale_out_cooldown,
        "scale_in_cooldown": scaling.scale_in_cooldown,
    }


def _extra_ports(service: ServiceSettings, edge: Edge) -> list[ExtraContainerPort]:
    """Each extra port, with the edge target group its tasks register in when it has a route."""
    target_groups = {
        port.name: edge.target_group_arns[route_key(service.name, port)] for port, _ in service.extra_routes
    }
    return [
        ExtraContainerPort(name=port.name, port=port.port, target_group_arn=target_groups.get(port.name))
        for port in service.config.extra_ports
    ]
