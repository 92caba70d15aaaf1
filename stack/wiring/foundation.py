"""The stack key, the alarm topic and the network: what every other component is built on."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.encryption import CLOUDWATCH_ALARMS, StackKey, StackKeyArgs
from components.network import Network, NetworkArgs
from components.observability import BUDGETS, EVENTS, BudgetAlertArgs, Notifications, NotificationsArgs
from stack.config import StackSettings
from stack.edge import EdgeKind
from stack.network import endpoint_services

ALERTS = "alerts"
"""The Notifications component's name."""


@dataclass(frozen=True)
class Foundation:
    """The stack key, the optional notifications topic and the network."""

    stack_key: StackKey
    notifications: Notifications | None
    alarm_topic: pulumi.Output[str] | None
    network: Network


def tags_of(settings: StackSettings) -> dict[str, str]:
    """The tags every component adds to its resources (on top of the provider's default tags)."""
    return {"Stack": settings.stack}


def build_foundation(settings: StackSettings) -> Foundation:
    """First the key (every log group, Exec session and the topic use it), then the topic, then the VPC."""
    tags = tags_of(settings)
    observing = settings.observability
    # The services that publish to the topic: the key must let them encrypt.
    publishers = (CLOUDWATCH_ALARMS, BUDGETS) if observing.budget else (CLOUDWATCH_ALARMS,)
    if settings.jobs and observing.alarms:
        publishers = (*publishers, EVENTS)  # each job's failure rule publishes to the alarm topic
    stack_key = StackKey(
        "stack-key", StackKeyArgs(region=settings.aws.region, publishers=publishers, tags=tags)
    )
    # Before the services: they alarm into its topic (and name their deployment alarms).
    notifications = _notifications(settings, stack_key) if observing.topic else None
    alarm_topic = notifications.topic_arn if notifications and observing.alarms else None
    return Foundation(stack_key, notifications, alarm_topic, _network(settings, stack_key))


def _notifications(settings: StackSettings, stack_key: StackKey) -> Notifications:
    observing = settings.observability
    budget = observing.budget
    notifications = Notifications(
        ALERTS,
        NotificationsArgs(
            kms_key_arn=stack_key.arn,
            region=settings.aws.region,
            emails=observing.emails,
            https_endpoints=observing.https_endpoints,
            budget=BudgetAlertArgs(budget.monthly_limit_usd, budget.threshold_percent) if budget else None,
            event_rules=bool(settings.jobs) and observing.alarms,
            tags=tags_of(settings),
        ),
    )
    if not observing.emails and not observing.https_endpoints:
        pulumi.log.warn(
            f"{ALERTS}: the alarm topic has no subscriptions, so alarms reach nobody; add "
            "webstack:observability.emails or httpsEndpoints",
            resource=notifications,
        )
    return notifications


def _network(settings: StackSettings, stack_key: StackKey) -> Network:
    services = settings.services
    return Network(
        "webstack",
        NetworkArgs(
            cidr=str(settings.network.cidr),
            zones=settings.network.availability_zones or (),
            nat_mode=settings.network.nat_mode,
            flow_log_retention_days=settings.network.flow_log_retention_days,
            region=settings.aws.region,
            kms_key_arn=stack_key.arn,
            interface_endpoints=endpoint_services(
                [arn for service in services for arn in service.secret_resource_arns],
                exec_enabled=settings.cluster.exec_enabled and bool(services),
                ec2_capacity=settings.cluster.ec2 is not None and bool(services),
                # Every queue has a consumer service (stack/queues.py), so a queue means SQS calls.
                queues=bool(settings.queues) and bool(services),
                data_store_secrets=any(s.config.database or s.config.cache for s in services),
                restore_tests=settings.backup.enabled
                and settings.backup.restore_tests
                and bool(settings.databases),
                public_pre_traffic_checks=settings.edge.kind is EdgeKind.ALB
                and any(s.deployment.pre_traffic_check is not None for s in services),
            )
            if settings.network.interface_endpoints
            else (),
            tags=tags_of(settings),
            isolated=settings.data_tier,
        ),
    )
