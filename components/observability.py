"""Knowing when the stack breaks: the alarm topic, alarms outside the services, and a dashboard.

Also the schema of ``webstack:observability`` and of ``webstack:services.<name>.alarms``.

- :class:`Notifications` (built before the services, which alarm into it): an SNS topic encrypted with
  the stack key, that only CloudWatch alarms (and AWS Budgets, when the budget alert is on) of this
  account may publish to, with the configured email and HTTPS subscriptions, and the optional monthly
  budget alert.
- Each :class:`components.service.Service` builds its own alarms (it must name its deployment alarms).
- :class:`Observability` (built last): edge, NAT gateway and data-tier alarms, and one dashboard.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from stack.schema import Environment, StrictModel

from . import alarms
from .alarms import CacheTarget, DatabaseTarget, Metric, ServiceThresholds
from .encryption import CLOUDWATCH_ALARMS
from .iam import Statement, account_policy
from .pure.naming import child_name, member_name, type_token, zone_letter

BUDGETS = "budgets.amazonaws.com"
DEFAULT_APP_ERROR_PATTERN = "?ERROR ?Error ?Exception"
"""CloudWatch Logs filter pattern: any line containing one of these terms."""
APP_ERRORS_METRIC = "AppErrors"

# --- Config: `webstack:services.<name>.alarms` ----------------------------------------------------


class ServiceAlarmsConfig(StrictModel):
    """``services.<name>.alarms``: when the service's alarms fire."""

    error_rate_percent: StrictInt = Field(
        default=5,
        alias="errorRatePercent",
        ge=1,
        le=100,
        description="Target 5xx as % of requests, in 3 of 5 minutes. Default 5. A deployment alarm.",
        json_schema_extra={"fix": "use a percentage from 1 to 100"},
    )
    latency_p99_ms: StrictInt = Field(
        default=2000,
        alias="latencyP99Ms",
        ge=10,
        le=60000,
        description="p99 target response time in ms, in 3 of 5 minutes. Default 2000.",
        json_schema_extra={"fix": "use milliseconds from 10 to 60000"},
    )
    unhealthy_minutes: StrictInt = Field(
        default=3,
        alias="unhealthyMinutes",
        ge=1,
        le=60,
        description="Minutes a task may fail health checks before alarming. Default 3. A deployment alarm.",
        json_schema_extra={"fix": "use minutes from 1 to 60"},
    )
    cpu_percent: StrictInt = Field(
        default=85,
        alias="cpuPercent",
        ge=10,
        le=100,
        description="Average CPU % over 5 minutes. Default 85.",
        json_schema_extra={"fix": "use a percentage from 10 to 100"},
    )
    memory_percent: StrictInt = Field(
        default=85,
        alias="memoryPercent",
        ge=10,
        le=100,
        description="Average memory % over 5 minutes. Default 85.",
        json_schema_extra={"fix": "use a percentage from 10 to 100"},
    )
    app_errors_per_5_minutes: StrictInt = Field(
        default=10,
        alias="appErrorsPer5Minutes",
        ge=1,
        description="Log lines matching the error pattern in 5 minutes. Default 10.",
        json_schema_extra={"fix": "use a whole number of lines, e.g. 10"},
    )

    def thresholds(self) -> ServiceThresholds:
        return ServiceThresholds(
            error_rate_percent=self.error_rate_percent,
            latency_p99_ms=self.latency_p99_ms,
            unhealthy_minutes=self.unhealthy_minutes,
            cpu_percent=self.cpu_percent,
            memory_percent=self.memory_percent,
            app_errors_per_5_minutes=self.app_errors_per_5_minutes,
        )


# --- Config: `webstack:observability` -------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BudgetConfig(StrictModel):
    """``observability.budget``: a monthly cost alert for the whole account, to the alarm topic."""

    monthly_limit_usd: StrictInt = Field(
        alias="monthlyLimitUsd",
        ge=1,
        description="The account's expected monthly cost in USD (required).",
        json_schema_extra={"fix": "give the monthly amount in whole USD, e.g. 500"},
    )
    threshold_percent: StrictInt = Field(
        default=80,
        alias="thresholdPercent",
        ge=1,
        le=1000,
        description="Alert when actual cost passes this % of the limit (and when the forecast passes "
        "100%). Default 80.",
        json_schema_extra={"fix": "use a percentage from 1 to 1000"},
    )


class ObservabilityConfig(StrictModel):
    """``webstack:observability``: alarms, who hears about them, and the optional budget alert."""

    alarms: StrictBool | None = Field(
        default=None,
        description="Create alarms, deployment alarms and the alarm topic. Default: dev false, prod true "
        "(prod cannot turn them off).",
        json_schema_extra={"fix": "use true or false"},
    )
    emails: tuple[StrictStr, ...] = Field(
        default=(),
        description="Email addresses subscribed to the alarm topic (each confirms once by email).",
        json_schema_extra={"fix": "list addresses, e.g. [oncall@example.com]"},
    )
    https_endpoints: tuple[StrictStr, ...] = Field(
        default=(),
        alias="httpsEndpoints",
        description="HTTPS endpoints (chat tools, incident managers) subscribed to the alarm topic.",
        json_schema_extra={"fix": "list https:// URLs"},
    )
    app_error_pattern: StrictStr = Field(
        default=DEFAULT_APP_ERROR_PATTERN,
        alias="appErrorPattern",
        min_length=1,
        max_length=1024,
        description=f"CloudWatch Logs filter pattern counted as application errors in every service's logs. "
        f"Default '{DEFAULT_APP_ERROR_PATTERN}'.",
        json_schema_extra={"fix": "use a CloudWatch Logs filter pattern, e.g. '?ERROR ?Exception'"},
    )
    budget: BudgetConfig | None = Field(
        default=None,
        description="Monthly AWS Budgets alert for the account, to the alarm topic. Default: off.",
        json_schema_extra={"fix": "give budget: {monthlyLimitUsd: 500}"},
    )

    @field_validator("emails")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an email address; use name@example.com")
        if len(set(value)) != len(value):
            raise ValueError("an address is listed twice")
        return value

    @field_validator("https_endpoints")
    @classmethod
    def _https_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not re.match(r"^https://[^\s/]+", url):
                raise ValueError(f"{url!r} is not an https:// URL; alarms leave the account over TLS only")
        if len(set(value)) != len(value):
            raise ValueError("an endpoint is listed twice")
        return value


@dataclass(frozen=True)
class BudgetSettings:
    monthly_limit_usd: int
    threshold_percent: int


@dataclass(frozen=True)
class ObservabilitySettings:
    """Observability as validated, environment defaults applied."""

    alarms: bool
    emails: tuple[str, ...]
    https_endpoints: tuple[str, ...]
    app_error_pattern: str
    budget: BudgetSettings | None

    @property
    def topic(self) -> bool:
        """Whether the stack has an alarm topic (alarms or the budget alert publish to it)."""
        return self.alarms or self.budget is not None

    @property
    def publishers(self) -> tuple[str, ...]:
        """The AWS services that publish to the topic (the stack key must let them encrypt)."""
        return (CLOUDWATCH_ALARMS, BUDGETS) if self.budget else (CLOUDWATCH_ALARMS,)


ALARMS_DEFAULT = {Environment.DEV: False, Environment.PROD: True}
"""Dev is for breaking things: alarms (and rollbacks on them) are opt-in there; prod always has them."""


def observability_settings(
    config: ObservabilityConfig, environment: Environment
) -> tuple[ObservabilitySettings, list[str]]:
    """Observability with its environment's defaults applied, and every problem found."""
    problems = []
    enabled = ALARMS_DEFAULT[environment] if config.alarms is None else config.alarms
    if environment is Environment.PROD and not enabled:
        problems.append(
            "webstack:observability.alarms: got false, but prod must tell someone when it breaks and roll "
            "back deployments that fail; remove the key or set it to true"
        )
    if not enabled and (config.emails or config.https_endpoints) and config.budget is None:
        problems.append(
            "webstack:observability.emails: subscriptions are set, but alarms are off and no budget alert "
            "is on, so nothing would ever be sent; set webstack:observability.alarms: true"
        )
    budget = config.budget
    settings = ObservabilitySettings(
        alarms=enabled,
        emails=config.emails,
        https_endpoints=config.https_endpoints,
        app_error_pattern=config.app_error_pattern,
        budget=BudgetSettings(budget.monthly_limit_usd, budget.threshold_percent) if budget else None,
    )
    return settings, problems


# --- Notifications --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationsArgs:
    """What Notifications builds."""

    kms_key_arn: pulumi.Input[str]
    """The stack key; its policy must let every publisher use it (``StackKeyArgs.publishers``)."""
    region: str
    emails: tuple[str, ...] = ()
    https_endpoints: tuple[str, ...] = ()
    budget: BudgetSettings | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def _endpoint_key(endpoint: str) -> str:
    """A short stable name part per endpoint, so adding or removing one never renames the others."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:8]


def topic_policy_statements(topic_arn: str, account_id: str, region: str, budget: bool) -> list[Statement]:
    """Only this account's CloudWatch alarms (and Budgets) may publish, and only over TLS."""
    principal = aws.iam.GetPolicyDocumentStatementPrincipalArgs
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    publishers = [(CLOUDWATCH_ALARMS, f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*", "Alarms")]
    if budget:
        publishers.append((BUDGETS, f"arn:aws:budgets::{account_id}:*", "Budgets"))
    statements = [
        Statement(
            sid=f"{label}OfThisAccountPublish",
            effect="Allow",
            actions=["sns:Publish"],
            principals=[principal(type="Service", identifiers=[service])],
            resources=[topic_arn],
            conditions=[
                condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id]),
                condition(test="ArnLike", variable="aws:SourceArn", values=[source]),
            ],
        )
        for service, source, label in publishers
    ]
    statements.append(
        Statement(
            sid="DenyInsecureTransport",
            effect="Deny",
            actions=["sns:Publish"],
            principals=[principal(type="*", identifiers=["*"])],
            resources=[topic_arn],
            conditions=[condition(test="Bool", variable="aws:SecureTransport", values=["false"])],
        )
    )
    return statements


class Notifications(pulumi.ComponentResource):
    """The stack's alarm topic (KMS-encrypted), its publish policy, subscriptions and budget alert."""

    topic_arn: pulumi.Output[str]
    """Where every alarm sends ALARM and OK."""

    def __init__(
        self, name: str, args: NotificationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("Notifications"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(
            child_name(name, "topic"),
            # The stack key, not alias/aws/sns: CloudWatch cannot publish to a topic under the AWS key.
            kms_master_key_id=args.kms_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        policy = account_policy(
            lambda account: topic.arn.apply(
                lambda arn: topic_policy_statements(arn, account, args.region, args.budget is not None)
            ),
            self,
        )
        aws.sns.TopicPolicy(child_name(name, "topic-policy"), arn=topic.arn, policy=policy, opts=child)
        if not args.emails and not args.https_endpoints:
            pulumi.log.warn(
                f"{name}: the alarm topic has no subscriptions, so alarms reach nobody; add "
                "webstack:observability.emails or httpsEndpoints",
                resource=self,
            )
        for protocol, endpoints in (("email", args.emails), ("https", args.https_endpoints)):
            for endpoint in endpoints:
                aws.sns.TopicSubscription(
                    member_name(name, protocol, _endpoint_key(endpoint)),
                    topic=topic.arn,
                    protocol=protocol,
                    endpoint=endpoint,
                    opts=child,
                )
        if args.budget is not None:
            self._budget(name, args.budget, topic.arn, args.tags, child)
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})

    def _budget(
        self,
        name: str,
        budget: BudgetSettings,
        topic_arn: pulumi.Output[str],
        tags: Mapping[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        """The account's monthly cost: actual past the threshold, or forecast past the limit."""
        notify = [
            ("ACTUAL", budget.threshold_percent),
            ("FORECASTED", 100),
        ]
        aws.budgets.Budget(
            child_name(name, "budget"),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=str(budget.monthly_limit_usd),
            limit_unit="USD",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[topic_arn],
                )
                for kind, percent in notify
            ],
            tags=dict(tags),
            opts=child,
        )


# --- Observability: edge, NAT and data alarms, and the dashboard -----------------------------------


@dataclass(frozen=True)
class ServiceMonitoring:
    """What a Service needs to watch itself (``ServiceArgs.monitoring``)."""

    app_error_pattern: str
    """Log lines matching this count as application errors."""
    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str] | None
    """The service's target group; None for a worker (no load-balancer alarms)."""
    topic_arn: pulumi.Input[str] | None = None
    """The alarm topic; None: no alarms (the error metric is still counted)."""


@dataclass(frozen=True)
class ServiceMetrics:
    """What the dashboard needs to chart one service."""

    name: str
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str] | None
    """None for a worker: it has no load-balancer lines."""


@dataclass(frozen=True)
class ObservabilityArgs:
    """What Observability builds. Counts (zones, services, data targets) are plain values."""

    region: str
    topic_arn: pulumi.Input[str] | None
    """The alarm topic; None builds no alarms (the dashboard still)."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    https: bool = False
    nat_gateways: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Zone -> NAT gateway id."""
    services: tuple[ServiceMetrics, ...] = ()
    databases: tuple[DatabaseTarget, ...] = ()
    """The data tier's databases (none until it exists)."""
    caches: tuple[CacheTarget, ...] = ()
    """The data tier's caches (none until it exists)."""
    tags: Mapping[str, str] = field(default_factory=dict)


def app_errors_metric(service: str) -> Metric:
    """The count of error lines in a service's logs (published by its log metric filter)."""
    return Metric(f"{pulumi.get_project()}/{pulumi.get_stack()}", f"{service}-{APP_ERRORS_METRIC}", {})


class Observability(pulumi.ComponentResource):
    """Edge, NAT gateway and data-tier alarms into the topic, and the stack's dashboard."""

    dashboard_name: pulumi.Output[str]
    alarm_names: list[str]
    """Names of the alarms this component created."""

    def __init__(
        self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("Observability"), name, None, opts)
        self.alarm_names = []
        if args.topic_arn is not None:
            self._alarms(name, args, args.topic_arn)
        dashboard = aws.cloudwatch.Dashboard(
            child_name(name, "dashboard"),
            dashboard_name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
            dashboard_body=pulumi.Output.json_dumps(dashboard_body(args)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs({"dashboardName": self.dashboard_name, "alarmNames": self.alarm_names})

    def _alarms(self, name: str, args: ObservabilityArgs, topic_arn: pulumi.Input[str]) -> None:
        groups: list[tuple[str, list[alarms.Alarm]]] = []
        if args.load_balancer_arn_suffix is not None:
            groups.append(("edge", alarms.edge_alarms(args.load_balancer_arn_suffix, args.https)))
        for zone, nat_id in args.nat_gateways.items():
            groups.append((f"nat-{zone_letter(zone)}", alarms.nat_alarms(zone, nat_id)))
        groups += [(f"db-{db.name}", alarms.database_alarms(db)) for db in args.databases]
        groups += [(f"cache-{cache.name}", alarms.cache_alarms(cache)) for cache in args.caches]
        for scope, specs in groups:
            prefix = alarms.stack_prefix(scope)
            alarms.create_alarms(specs, f"{name}-{scope}", prefix, topic_arn, self, args.tags)
            self.alarm_names += [alarms.alarm_name(prefix, spec.role) for spec in specs]


# --- The dashboard --------------------------------------------------------------------------------

WIDGET_WIDTH = 12
WIDGET_HEIGHT = 6


def _line(metric: Metric, label: str) -> list[Any]:
    """One line of a metric widget: ``[namespace, name, dim, value, ..., {stat, label}]``."""
    line: list[Any] = [metric.namespace, metric.name]
    for key, value in metric.dimensions.items():
        line += [key, value]
    return [*line, {"stat": metric.stat, "label": label}]


def _widget(title: str, region: str, lines: list[list[Any]], index: int) -> dict[str, Any]:
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


def dashboard_body(args: ObservabilityArgs) -> dict[str, Any]:
    """Requests, 5xx, latency, health, tasks, CPU, memory, app errors per service; edge, NAT, data."""
    alb = args.load_balancer_arn_suffix
    panels: list[tuple[str, list[list[Any]]]] = []
    routed = [(s, s.target_group_arn_suffix) for s in args.services if s.target_group_arn_suffix is not None]
    if alb is not None and routed:

        def per_target(metric: str, stat: str, label: str) -> list[list[Any]]:
            return [
                _line(
                    Metric(
                        alarms.ALB,
                        metric,
                        {"TargetGroup": group, "LoadBalancer": alb},
                        stat,
                    ),
                    f"{s.name} {label}".strip(),
                )
                for s, group in routed
            ]

        panels += [
            ("Requests", per_target("RequestCount", "Sum", "")),
            (
                "5xx responses",
                [
                    *per_target("HTTPCode_Target_5XX_Count", "Sum", "target 5xx"),
                    _line(
                        Metric(alarms.ALB, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb}),
                        "load balancer 5xx",
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
    if args.services:

        def per_service(namespace: str, metric: str, stat: str, label: str) -> list[list[Any]]:
            return [
                _line(
                    Metric(
                        namespace,
                        metric,
                        {"ClusterName": s.cluster_name, "ServiceName": s.service_name},
                        stat,
                    ),
                    f"{s.name} {label}".strip(),
                )
                for s in args.services
            ]

        panels += [
            (
                "Running vs desired tasks",
                per_service(alarms.CONTAINER_INSIGHTS, "RunningTaskCount", "Average", "running")
                + per_service(alarms.CONTAINER_INSIGHTS, "DesiredTaskCount", "Average", "desired"),
            ),
            ("CPU % per service", per_service(alarms.ECS, "CPUUtilization", "Average", "")),
            ("Memory % per service", per_service(alarms.ECS, "MemoryUtilization", "Average", "")),
            ("Application errors", [_line(app_errors_metric(s.name), s.name) for s in args.services]),
        ]
    if args.nat_gateways:
        panels.append(
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
        )
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
    header = {
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
    return {
        "widgets": [
            header,
            *(_widget(title, args.region, lines, i) for i, (title, lines) in enumerate(panels)),
        ]
    }
