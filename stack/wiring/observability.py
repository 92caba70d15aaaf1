"""Last: edge, service, NAT and data-tier alarms, and the dashboard of everything built before."""

from __future__ import annotations

from dataclasses import replace

from components.alarms import cache_targets, database_target
from components.cluster import Cluster
from components.observability import Observability, ObservabilityArgs, ServiceMetrics
from stack.config import StackSettings
from stack.wiring.data import DataTier
from stack.wiring.foundation import Foundation, tags_of
from stack.wiring.front import FrontDoor
from stack.wiring.services import Apps


def build_observability(
    settings: StackSettings,
    foundation: Foundation,
    data: DataTier,
    served: tuple[Cluster, FrontDoor, Apps] | None,
) -> Observability:
    """The alarms and dashboard; with no services, only the network's and the data tier's."""
    watched = ObservabilityArgs(
        region=settings.aws.region, topic_arn=foundation.alarm_topic, tags=tags_of(settings)
    )
    if served is not None:
        cluster, front, apps = served
        edge = front.edge
        watched = replace(
            watched,
            load_balancer_arn_suffix=edge.load_balancer_arn_suffix,
            https=edge.https,
            services=tuple(
                ServiceMetrics(
                    name=name,
                    cluster_name=cluster.cluster_name,
                    service_name=service.service_name,
                    target_group_arn_suffix=edge.target_group_arn_suffixes.get(name),
                )
                for name, service in apps.services.items()
            ),
        )
    watched = replace(
        watched,
        nat_gateways=foundation.network.nat_gateways,
        databases=tuple(
            database_target(
                d.name, data.databases[d.name].identifier, d.config.instance_class, d.config.allocated_storage
            )
            for d in settings.databases
        ),
        caches=tuple(
            target
            for c in settings.caches
            for target in cache_targets(c.name, data.caches[c.name].replication_group_id, c.nodes)
        ),
    )
    return Observability("observability", watched)
