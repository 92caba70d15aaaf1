"""CloudWatch alarms as webstack builds them: one recipe for services, the edge, NAT and the data tier.

Every alarm has an explicit name (``{project}-{stack}-{scope}-{role}``, computed in Python, so an ECS
service can list its deployment alarms without waiting for them: no dependency cycle), a description
that says what to check first, and sends both ALARM and OK to the stack's topic.

Metric facts used below (AWS CloudWatch and ELB docs; /work/shared aws-traps section 7):

- ALB metrics take ``LoadBalancer`` = the load balancer's ``arn_suffix`` and ``TargetGroup`` = the
  target group's ``arn_suffix``, never full ARNs; ``HTTPCode_*`` counts are reported only when non-zero,
  hence ``notBreaching`` and ``FILL(m, 0)``.
- A metric-math alarm (``metric_queries``) has no top-level metric name, namespace, period or
  statistic, and exactly one query returns data; query ids start with a lowercase letter.
- ``AWS/ECS`` CPU and memory use ``ClusterName`` + ``ServiceName`` (names, not ARNs);
  ``ECS/ContainerInsights`` has ``RunningTaskCount`` and ``DesiredTaskCount``.
- ``AWS/NATGateway`` ``ErrorPortAllocation`` and ``PacketsDropCount`` use ``NatGatewayId``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .pure import db_instances
from .pure.thresholds import ServiceThresholds

ALB = "AWS/ApplicationELB"
ECS = "AWS/ECS"
CONTAINER_INSIGHTS = "ECS/ContainerInsights"
NAT = "AWS/NATGateway"
RDS = "AWS/RDS"
ELASTICACHE = "AWS/ElastiCache"
MINUTE = 60

Dimensions = Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric and the statistic an alarm or widget reads from it."""

    namespace: str
    name: str
    dimensions: Dimensions
    stat: str = "Sum"
    """``Sum``, ``Average``, ``Maximum``, ``Minimum`` or a percentile such as ``p99``."""


@dataclass(frozen=True)
class Alarm:
    """What an alarm watches and when it fires (resource-free, so tests and the plan can read it)."""

    role: str
    """Names the alarm: ``{prefix}-{role}``, and its logical name ``{parent}-alarm-{role}``."""
    description: str
    """What happened and what to check first."""
    threshold: float
    metric: Metric | None = None
    """The single metric watched; or None with ``expression`` over ``inputs``."""
    expression: str | None = None
    """Metric math over ``inputs`` (their keys are the ids), e.g. a rate in percent."""
    inputs: Mapping[str, Metric] | None = None
    comparison: str = "GreaterThanThreshold"
    period: int = MINUTE
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3
    treat_missing_data: str = "notBreaching"

    def __post_init__(self) -> None:
        # CloudWatch refuses more datapoints to alarm than periods evaluated.
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"alarm {self.role!r}: datapoints_to_alarm must be 1..evaluation_periods")
        if (self.metric is None) == (self.expression is None):
            raise ValueError(f"alarm {self.role!r}: give a metric or an expression, not both")


def alarm_name(prefix: str, role: str) -> str:
    """The alarm's name in CloudWatch, known before deployment (an ECS service lists it)."""
    return f"{prefix}-{role}"


def stack_prefix(scope: str) -> str:
    """``{project}-{stack}-{scope}``: alarm names are unique per account and region."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-{scope}"


def _stat_args(stat: str) -> dict[str, str]:
    return {"extended_statistic": stat} if stat.startswith("p") else {"statistic": stat}


def _query(query_id: str, metric: Metric, period: int) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            metric_name=metric.name,
            namespace=metric.namespace,
            period=period,
            stat=metric.stat,
            dimensions=metric.dimensions,
        ),
        return_data=False,
    )


def create_alarm(
    spec: Alarm,
    parent_name: str,
    prefix: str,
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: Mapping[str, str] | None = None,
) -> aws.cloudwatch.MetricAlarm:
    """The alarm ``spec`` describes, named ``{prefix}-{role}``, notifying ``topic_arn`` of ALARM and OK."""
    common = {
        "name": alarm_name(prefix, spec.role),
        "alarm_description": spec.description,
        "comparison_operator": spec.comparison,
        "threshold": spec.threshold,
        "evaluation_periods": spec.evaluation_periods,
        "datapoints_to_alarm": spec.datapoints_to_alarm,
        "treat_missing_data": spec.treat_missing_data,
        "alarm_actions": [topic_arn],
        "ok_actions": [topic_arn],
        "tags": dict(tags or {}),
        "opts": pulumi.ResourceOptions(parent=parent),
    }
    logical = f"{parent_name}-alarm-{spec.role}"
    if spec.metric is not None:
        metric = spec.metric
        return aws.cloudwatch.MetricAlarm(
            logical,
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions=metric.dimensions,
            period=spec.period,
            **_stat_args(metric.stat),
            **common,
        )
    queries = [_query(query_id, metric, spec.period) for query_id, metric in (spec.inputs or {}).items()]
    queries.append(
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="result", expression=spec.expression, label=spec.role, return_data=True
        )
    )
    return aws.cloudwatch.MetricAlarm(logical, metric_queries=queries, **common)


# --- Service alarms -------------------------------------------------------------------------------


DEPLOYMENT_ALARM_ROLES = ("5xx-rate", "unhealthy-hosts")
"""The alarms ECS watches during a deployment and rolls back on (on top of the circuit breaker)."""


def target_alarms(
    service: str,
    thresholds: ServiceThresholds,
    load_balancer: pulumi.Input[str],
    target_group: pulumi.Input[str],
) -> list[Alarm]:
    """What the load balancer sees of a service: errors, latency, health. Needs no ECS name."""
    lb = {"LoadBalancer": load_balancer, "TargetGroup": target_group}
    return [
        Alarm(
            role="5xx-rate",
            description=(
                f"More than {thresholds.error_rate_percent}% of requests to {service} got a 5xx from its "
                "tasks in 3 of 5 minutes. ECS rolls back a deployment on this alarm. Check first: the "
                f"latest deployment of {service}, then its log group for exceptions."
            ),
            threshold=thresholds.error_rate_percent,
            expression="IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
            inputs={
                "errors": Metric(ALB, "HTTPCode_Target_5XX_Count", lb),
                "requests": Metric(ALB, "RequestCount", lb),
            },
        ),
        Alarm(
            role="p99-latency",
            description=(
                f"The slowest 1% of {service} responses took over {thresholds.latency_p99_ms} ms in 3 of 5 "
                f"minutes. Check first: {service}'s CPU and memory, then the database and anything it calls."
            ),
            threshold=thresholds.latency_p99_ms / 1000,
            metric=Metric(ALB, "TargetResponseTime", lb, stat="p99"),
        ),
        Alarm(
            role="unhealthy-hosts",
            description=(
                f"A {service} task failed the load balancer's health check for "
                f"{thresholds.unhealthy_minutes} minutes. ECS rolls back a deployment on this alarm. "
                f"Check first: the stopped tasks' reason in the ECS console and {service}'s health check "
                "path in its logs."
            ),
            threshold=0,
            metric=Metric(ALB, "UnHealthyHostCount", lb, stat="Maximum"),
            evaluation_periods=thresholds.unhealthy_minutes,
            datapoints_to_alarm=thresholds.unhealthy_minutes,
        ),
    ]


def task_alarms(
    service: str,
    thresholds: ServiceThresholds,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    app_errors: Metric,
) -> list[Alarm]:
    """What ECS and the service's logs say: tasks missing, CPU, memory, application errors."""
    ecs = {"ClusterName": cluster_name, "ServiceName": service_name}
    return [
        Alarm(
            role="tasks-below-desired",
            description=(
                f"{service} has run fewer tasks than desired for 5 minutes. Check first: the service's "
                "events in the ECS console (capacity, image pull, failing health checks). No data also "
                "alarms: Container Insights must be on for the cluster."
            ),
            threshold=0,
            expression="FILL(desired, 0) - FILL(running, 0)",
            inputs={
                "desired": Metric(CONTAINER_INSIGHTS, "DesiredTaskCount", ecs, stat="Average"),
                "running": Metric(CONTAINER_INSIGHTS, "RunningTaskCount", ecs, stat="Average"),
            },
            datapoints_to_alarm=5,
            treat_missing_data="breaching",
        ),
        Alarm(
            role="cpu-high",
            description=(
                f"{service}'s tasks averaged over {thresholds.cpu_percent}% CPU for 5 minutes. Check first: "
                "whether autoscaling is at maxCount, then recent traffic and deployments."
            ),
            threshold=thresholds.cpu_percent,
            metric=Metric(ECS, "CPUUtilization", ecs, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="memory-high",
            description=(
                f"{service}'s tasks averaged over {thresholds.memory_percent}% memory for 5 minutes. Check "
                "first: a leak after the latest deployment, then whether the task needs more memory."
            ),
            threshold=thresholds.memory_percent,
            metric=Metric(ECS, "MemoryUtilization", ecs, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="app-errors",
            description=(
                f"{service} logged more than {thresholds.app_errors_per_5_minutes} error lines in 5 "
                f"minutes. Check first: {service}'s log group for the errors, then its latest deployment."
            ),
            threshold=thresholds.app_errors_per_5_minutes,
            metric=app_errors,
            period=5 * MINUTE,
            evaluation_periods=1,
            datapoints_to_alarm=1,
        ),
    ]


# --- Edge, NAT and data tier ----------------------------------------------------------------------

EDGE_5XX_PER_MINUTE = 10
"""Load balancer 5xx (no healthy target, timeouts) per minute, in 3 of 5 minutes."""
EDGE_REJECTED_PER_MINUTE = 0
"""Any rejected connection means the load balancer hit its connection limit."""
EDGE_TLS_ERRORS_PER_5_MINUTES = 100
"""Failed TLS handshakes: some come from scanners and ancient clients, a burst means a cert problem."""
NAT_DROPPED_PERCENT = 0.01
"""AWS's suggested NAT alarm: dropped packets above 0.01% of the packets the gateway handled."""
DB_CPU_PERCENT = 80
DB_FREEABLE_MEMORY_BYTES = 256 * 1024 * 1024
CACHE_CPU_PERCENT = 80
CACHE_MEMORY_PERCENT = 80


def edge_alarms(load_balancer: pulumi.Input[str], https: bool) -> list[Alarm]:
    """The load balancer itself: its own 5xx, rejected connections and (with HTTPS) TLS errors."""
    lb = {"LoadBalancer": load_balancer}
    alarms = [
        Alarm(
            role="5xx",
            description=(
                f"The load balancer itself answered more than {EDGE_5XX_PER_MINUTE} 5xx a minute in 3 of 5 "
                "minutes (502/503/504: no healthy target, or targets timing out). Check first: the "
                "services' unhealthy-hosts alarms and target health in the EC2 console."
            ),
            threshold=EDGE_5XX_PER_MINUTE,
            metric=Metric(ALB, "HTTPCode_ELB_5XX_Count", lb),
        ),
        Alarm(
            role="rejected-connections",
            description=(
                "The load balancer rejected connections: it reached its connection limit. Check first: "
                "traffic in the dashboard (an attack or a spike), then idle timeout and client keep-alive."
            ),
            threshold=EDGE_REJECTED_PER_MINUTE,
            metric=Metric(ALB, "RejectedConnectionCount", lb),
        ),
    ]
    if https:
        alarms.append(
            Alarm(
                role="tls-errors",
                description=(
                    f"More than {EDGE_TLS_ERRORS_PER_5_MINUTES} TLS handshakes failed in 5 minutes. Check "
                    "first: the certificate (expired, wrong name) and the listener's TLS policy against "
                    "what clients support."
                ),
                threshold=EDGE_TLS_ERRORS_PER_5_MINUTES,
                metric=Metric(ALB, "ClientTLSNegotiationErrorCount", lb),
                period=5 * MINUTE,
                evaluation_periods=1,
                datapoints_to_alarm=1,
            )
        )
    return alarms


def nat_alarms(zone: str, nat_gateway_id: pulumi.Input[str]) -> list[Alarm]:
    """One NAT gateway: source ports exhausted, packets dropped."""
    nat = {"NatGatewayId": nat_gateway_id}
    return [
        Alarm(
            role="port-allocation",
            description=(
                f"The NAT gateway in zone {zone} could not allocate a source port: too many concurrent "
                "connections to one destination. Check first: which tasks open many connections (connection "
                "pooling, retries), then spread traffic over more destinations or gateways."
            ),
            threshold=0,
            metric=Metric(NAT, "ErrorPortAllocation", nat),
            evaluation_periods=1,
            datapoints_to_alarm=1,
            period=5 * MINUTE,
        ),
        Alarm(
            role="packets-dropped",
            description=(
                f"The NAT gateway in zone {zone} dropped more than {NAT_DROPPED_PERCENT}% of its packets. "
                "Check first: the AWS Health Dashboard for a NAT gateway event in that zone."
            ),
            threshold=NAT_DROPPED_PERCENT,
            expression="IF(source + destination > 0, 100 * FILL(dropped, 0) / (source + destination), 0)",
            inputs={
                "dropped": Metric(NAT, "PacketsDropCount", nat),
                "source": Metric(NAT, "PacketsInFromSource", nat),
                "destination": Metric(NAT, "PacketsInFromDestination", nat),
            },
            period=5 * MINUTE,
        ),
    ]


@dataclass(frozen=True)
class DatabaseTarget:
    """A database the data tier created, as its alarms need it."""

    name: str
    """Names its alarms and dashboard lines, e.g. ``db``. Required."""
    dimensions: Dimensions
    """``{"DBInstanceIdentifier": id}``, or ``{"DBClusterIdentifier": id}`` for Aurora. Required."""
    max_connections: int
    """Alarm when connections exceed this (about 80% of the engine's max_connections). Required."""
    min_free_storage_bytes: int
    """Alarm when free storage falls below this (Aurora grows storage itself: use 0 to skip). Required."""


@dataclass(frozen=True)
class CacheTarget:
    """A cache the data tier created, as its alarms need it."""

    name: str
    """Names its alarms and dashboard lines, e.g. ``main-001``. Required."""
    dimensions: Dimensions
    """``{"CacheClusterId": id}`` (node-based) or ``{"clusterId": name}`` (serverless). Required."""


def instance_memory_gib(instance_class: str) -> int:
    """Nominal memory of an RDS class (see :mod:`components.pure.db_instances`)."""
    return db_instances.memory_gib(instance_class)


def database_target(
    name: str,
    identifier: str,
    instance_class: str,
    allocated_storage_gb: int,
    max_connections: int | None = None,
) -> DatabaseTarget:
    """A PostgreSQL instance's alarm target: connections at 80% of the instance's max_connections (the
    parameter group's value if it sets one, else the engine default on the class's usable memory, which
    is below its nominal memory), free storage below 10% of the allocated size (where storage
    autoscaling acts; if it keeps firing, autoscaling reached maxAllocatedStorage)."""
    limit = max_connections or db_instances.default_max_connections(instance_class)
    return DatabaseTarget(
        name=name,
        dimensions={"DBInstanceIdentifier": identifier},
        max_connections=limit * 8 // 10,
        min_free_storage_bytes=allocated_storage_gb * 10**9 // 10,
    )


def cache_targets(name: str, replication_group_id: pulumi.Input[str], nodes: int) -> tuple[CacheTarget, ...]:
    """One target per node: ElastiCache names a replication group's members ``<id>-001``, ``-002``..."""
    return tuple(
        CacheTarget(
            name=f"{name}-{index:03d}",
            dimensions={"CacheClusterId": pulumi.Output.concat(replication_group_id, f"-{index:03d}")},
        )
        for index in range(1, nodes + 1)
    )


def database_alarms(db: DatabaseTarget) -> list[Alarm]:
    """CPU, free storage, freeable memory and connections of one database."""
    alarms = [
        Alarm(
            role="cpu-high",
            description=(
                f"Database {db.name} averaged over {DB_CPU_PERCENT}% CPU for 5 minutes. Check first: "
                "Performance Insights' top SQL, then the services' p99 latency."
            ),
            threshold=DB_CPU_PERCENT,
            metric=Metric(RDS, "CPUUtilization", db.dimensions, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="freeable-memory-low",
            description=(
                f"Database {db.name} had under {DB_FREEABLE_MEMORY_BYTES // 2**20} MiB of freeable memory "
                "for 5 minutes. Check first: connection count and work_mem, then a larger instance class."
            ),
            threshold=DB_FREEABLE_MEMORY_BYTES,
            comparison="LessThanThreshold",
            metric=Metric(RDS, "FreeableMemory", db.dimensions, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="connections-high",
            description=(
                f"Database {db.name} held over {db.max_connections} connections for 5 minutes. Check first: "
                "connection pooling in the services and how many tasks autoscaling runs."
            ),
            threshold=db.max_connections,
            metric=Metric(RDS, "DatabaseConnections", db.dimensions, stat="Maximum"),
            datapoints_to_alarm=5,
        ),
    ]
    if db.min_free_storage_bytes > 0:
        alarms.append(
            Alarm(
                role="free-storage-low",
                description=(
                    f"Database {db.name} has under {db.min_free_storage_bytes // 2**30} GiB of free storage. "
                    "Check first: table and WAL growth, then raise allocated or max storage."
                ),
                threshold=db.min_free_storage_bytes,
                comparison="LessThanThreshold",
                metric=Metric(RDS, "FreeStorageSpace", db.dimensions, stat="Minimum"),
                evaluation_periods=1,
                datapoints_to_alarm=1,
                period=5 * MINUTE,
            )
        )
    return alarms


def cache_alarms(cache: CacheTarget) -> list[Alarm]:
    """Engine CPU, memory use and evictions of one cache."""
    return [
        Alarm(
            role="cpu-high",
            description=(
                f"Cache {cache.name}'s engine averaged over {CACHE_CPU_PERCENT}% CPU for 5 minutes. Check "
                "first: slow or O(N) commands (SLOWLOG), then a larger node."
            ),
            threshold=CACHE_CPU_PERCENT,
            metric=Metric(ELASTICACHE, "EngineCPUUtilization", cache.dimensions, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="memory-high",
            description=(
                f"Cache {cache.name} used over {CACHE_MEMORY_PERCENT}% of its memory for 5 minutes. Check "
                "first: keys without a TTL, then a larger node."
            ),
            threshold=CACHE_MEMORY_PERCENT,
            metric=Metric(ELASTICACHE, "DatabaseMemoryUsagePercentage", cache.dimensions, stat="Average"),
            datapoints_to_alarm=5,
        ),
        Alarm(
            role="evictions",
            description=(
                f"Cache {cache.name} evicted keys: it is full and dropping data. Check first: memory use "
                "and keys without a TTL."
            ),
            threshold=0,
            metric=Metric(ELASTICACHE, "Evictions", cache.dimensions),
            evaluation_periods=1,
            datapoints_to_alarm=1,
            period=5 * MINUTE,
        ),
    ]


def create_alarms(
    specs: Sequence[Alarm],
    parent_name: str,
    prefix: str,
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: Mapping[str, str] | None = None,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """Every alarm of ``specs``, by role."""
    return {spec.role: create_alarm(spec, parent_name, prefix, topic_arn, parent, tags) for spec in specs}
