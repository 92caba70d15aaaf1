"""The cluster, the queues between services and the services themselves (callees first)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.cluster import Cluster, ClusterArgs
from components.edge import Edge
from components.observability import ServiceMonitoring
from components.queue import Queue
from components.service import QueueAccess, Service, ServiceArgs, ServiceSettings, call_order, route_key
from stack.config import StackSettings
from stack.wiring.data import DataTier, queue_args
from stack.wiring.foundation import Foundation, tags_of


@dataclass(frozen=True)
class Apps:
    """The queues and the services by name (callees before callers)."""

    queues: dict[str, Queue]
    services: dict[str, Service]


def build_cluster(settings: StackSettings, foundation: Foundation) -> Cluster:
    """The ECS cluster, with EC2 capacity in the private subnets when the stack asks for it."""
    cluster = settings.cluster
    return Cluster(
        "cluster",
        ClusterArgs(
            capacity=cluster.capacity,
            container_insights=cluster.container_insights,
            exec_enabled=cluster.exec_enabled,
            exec_log_retention_days=cluster.exec_log_retention_days,
            kms_key_arn=foundation.stack_key.arn,
            service_connect=any(service.config.calls for service in settings.services),
            off_hours=cluster.off_hours,
            tags=tags_of(settings),
            default_tags=settings.aws.default_tags,
            ec2=cluster.ec2,
            vpc_id=foundation.network.vpc_id,
            subnet_ids=foundation.network.private_subnet_ids,
        ),
    )


def build_apps(
    settings: StackSettings, foundation: Foundation, data: DataTier, cluster: Cluster, edge: Edge
) -> Apps:
    """Queues first (services send to and consume them), then each service, callees first."""
    tags = tags_of(settings)
    queues = {queue.name: Queue(queue.name, queue_args(queue, tags)) for queue in settings.queues}
    access = {
        name: QueueAccess(name=name, arn=queue.arn, url=queue.url, queue_name=queue.queue_name)
        for name, queue in queues.items()
    }
    services: dict[str, Service] = {}
    for service in call_order(settings.services):  # callees first: callers reference them
        services[service.name] = Service(
            service.name,
            _service_args(settings, service, foundation, data, cluster, edge, access, services),
        )
    return Apps(queues, services)


def _service_args(
    settings: StackSettings,
    service: ServiceSettings,
    foundation: Foundation,
    data: DataTier,
    cluster: Cluster,
    edge: Edge,
    access: dict[str, QueueAccess],
    services: dict[str, Service],
) -> ServiceArgs:
    routed = service.name in edge.target_group_arns
    return ServiceArgs(
        settings=service,
        cluster=cluster,
        vpc_id=foundation.network.vpc_id,
        subnet_ids=foundation.network.private_subnet_ids,
        edge_security_group_id=edge.security_group_id if routed else None,
        target_group_arn=edge.target_group_arns.get(service.name),
        routing_ready=[
            edge.rules[key]
            for key in (
                service.name,
                *(route_key(service.name, port) for port, _ in service.extra_routes),
            )
            if key in edge.rules
        ],
        extra_target_groups={
            port.name: edge.target_group_arns[route_key(service.name, port)]
            for port, _ in service.extra_routes
        },
        request_count_label=pulumi.Output.concat(
            edge.load_balancer_arn_suffix, "/", edge.target_group_arn_suffixes[service.name]
        )
        if routed
        else None,
        region=settings.aws.region,
        monitoring=ServiceMonitoring(
            app_error_pattern=settings.observability.app_error_pattern,
            load_balancer_arn_suffix=edge.load_balancer_arn_suffix,
            target_group_arn_suffix=edge.target_group_arn_suffixes.get(service.name),
            topic_arn=foundation.alarm_topic,
        ),
        tags=tags_of(settings),
        data_stores=tuple(
            store.link()
            for store in (
                data.databases.get(service.config.database or ""),
                data.caches.get(service.config.cache or ""),
            )
            if store is not None
        ),
        callees=[services[callee].as_callee() for callee in service.config.calls],
        consumes=access[service.consumes] if service.consumes else None,
        sends_to=[access[queue.name] for queue in settings.queues if service.name in queue.senders],
    )
