"""The one place stack configuration is read, typed and validated (the program layer; no component
and no Pulumi resource SDK is imported to do it).

Each ``webstack:<section>`` has its own module in ``stack/`` (``stack/network.py``,
``stack/services/``, ``stack/databases.py``, ...) with its pydantic schema, its dev/prod defaults
table and its checks; :class:`WebstackConfig` assembles them, and the configuration reference is
generated from these declarations. Validation happens in two steps, both before any resource exists:

1. :func:`parse_settings` checks everything that needs only the stack file (pure, no AWS calls);
2. :func:`resolve_zones` checks the zones against the ones the region really offers
   (``stack/wiring/load.py`` asks AWS).

Every problem of every section is collected and reported at once, each line naming the full key, the
bad value and the fix, e.g. ``webstack:network.azCount: got 7, but eu-west-1 offers 3 availability
zones; use 2 or 3.``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pulumi
from pydantic import Field, StrictStr

from components.pure import cidr
from stack.apigateway import route_keys
from stack.apigateway import service_problems as gateway_service_problems
from stack.aws import AwsSettings, parse_aws
from stack.backup import OFF as BACKUP_OFF
from stack.backup import BackupConfig, BackupSettings, backup_settings, restore_test_reach_problems
from stack.buckets import BucketConfig, BucketSettings, bucket_access_problems, bucket_settings
from stack.caches import CacheConfig, CacheSettings
from stack.cluster import (
    ClusterConfig,
    ClusterSettings,
    ContainerInsights,
    cluster_settings,
    ec2_retiring_warnings,
    image_platform_problems,
)
from stack.data_tier import data_store_settings
from stack.databases import DatabaseConfig, DatabaseSettings
from stack.domain import (
    DomainConfig,
    DomainSettings,
    domain_settings,
)
from stack.edge import EdgeConfig, EdgeKind, EdgeSettings, edge_settings
from stack.errors import explain, parse_namespace
from stack.jobs import JobConfig, JobSettings, job_settings
from stack.network import (
    NatMode,
    NetworkConfig,
    NetworkSettings,
    image_reach_problems,
    network_problems_with_services,
    network_settings,
)
from stack.observability import ObservabilityConfig, ObservabilitySettings, observability_settings
from stack.queues import QueueConfig, QueueSettings, queue_settings
from stack.schema import PROD_MIN_ZONES, ConfigError, Environment, StrictModel
from stack.services import (
    Route,
    ServiceConfig,
    ServiceSettings,
    route_config_keys,
    route_key,
    secret_reach_problems,
    service_calls,
    service_routes,
    service_settings,
)
from stack.static import StaticConfig, StaticSettings, static_settings
from stack.volumes import VolumeConfig, VolumeSettings, volume_mount_problems, volume_settings
from stack.waf import WafConfig, WafSettings, waf_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Where Pulumi.yaml lives; build contexts are relative to it."""


# --- The schema of `webstack:*` keys, one section per component -----------------------------------


class WebstackConfig(StrictModel):
    """Every ``webstack:*`` key. A key not declared here is an error."""

    environment: Environment = Field(
        description="dev or prod (required). Selects safe defaults; prod enforces invariants.",
        json_schema_extra={"fix": "set webstack:environment to dev or prod"},
    )
    network: NetworkConfig = Field(
        default_factory=NetworkConfig,
        description="The VPC: see the network.* keys.",
        json_schema_extra={"fix": "make webstack:network an object, e.g. {cidr: 10.0.0.0/16}"},
    )
    cluster: ClusterConfig = Field(
        default_factory=ClusterConfig,
        description="The ECS cluster: see the cluster.* keys.",
        json_schema_extra={"fix": "make webstack:cluster an object, e.g. {capacity: on_demand}"},
    )
    edge: EdgeConfig = Field(
        default_factory=EdgeConfig,
        description="The entry point and its load balancer: see the edge.* keys.",
        json_schema_extra={"fix": "make webstack:edge an object, e.g. {certificateArn: arn:aws:acm:...}"},
    )
    domain: DomainConfig | None = Field(
        default=None,
        description="The stack's own host name and certificate: see the domain.* keys. Default: none.",
        json_schema_extra={
            "fix": "make webstack:domain an object, e.g. {zone: example.com, host: app.example.com}"
        },
    )
    static: StaticConfig | None = Field(
        default=None,
        description="Static content on CloudFront: see the static.* keys. Default: none.",
        json_schema_extra={"fix": "make webstack:static an object, e.g. {host: static.example.com}"},
    )
    waf: WafConfig = Field(
        default_factory=WafConfig,
        description="The web application firewall: see the waf.* keys.",
        json_schema_extra={"fix": "make webstack:waf an object, e.g. {enabled: true, rateLimit: 2000}"},
    )
    observability: ObservabilityConfig = Field(
        default_factory=ObservabilityConfig,
        description="Alarms, their notifications and the budget alert: see the observability.* keys.",
        json_schema_extra={
            "fix": "make webstack:observability an object, e.g. {emails: [oncall@example.com]}"
        },
    )
    services: dict[StrictStr, ServiceConfig] = Field(
        default_factory=dict,
        description="Named services: see the services.<name>.* keys. Default: none (network only).",
        json_schema_extra={"fix": "make webstack:services a map of name -> {image or build, port, ...}"},
    )
    databases: dict[StrictStr, DatabaseConfig] = Field(
        default_factory=dict,
        description="Named PostgreSQL databases: see the databases.<name>.* keys. Default: none.",
        json_schema_extra={
            "fix": "make webstack:databases a map of name -> {instanceClass, ...}, e.g. {main: {}}"
        },
    )
    caches: dict[StrictStr, CacheConfig] = Field(
        default_factory=dict,
        description="Named Valkey caches: see the caches.<name>.* keys. Default: none.",
        json_schema_extra={"fix": "make webstack:caches a map of name -> {nodeType, ...}, e.g. {main: {}}"},
    )
    queues: dict[StrictStr, QueueConfig] = Field(
        default_factory=dict,
        description="Named SQS work queues between services: see the queues.<name>.* keys. Default: none.",
        json_schema_extra={"fix": "make webstack:queues a map of name -> {consumer: worker, senders: [api]}"},
    )
    jobs: dict[StrictStr, JobConfig] = Field(
        default_factory=dict,
        description="Named scheduled-only jobs (an ECS task on a schedule, no service running between "
        "runs): see the jobs.<name>.* keys. Default: none.",
        json_schema_extra={
            "fix": "make webstack:jobs a map of name -> {image, command, schedule}, e.g. {report: {image: "
            'ghcr.io/org/app:1.2.3, command: [python, report.py], schedule: "cron(0 3 * * ? *)"}}'
        },
    )
    backup: BackupConfig = Field(
        default_factory=BackupConfig,
        description="AWS Backup of the databases (and app buckets and volumes): see the backup.* keys.",
        json_schema_extra={
            "fix": "make webstack:backup an object, e.g. {copyTarget: {vaultArn: arn:aws:backup:...}}"
        },
    )

    buckets: dict[StrictStr, BucketConfig] = Field(
        default_factory=dict,
        description="Named private S3 buckets the services read or write: see the buckets.<name>.* keys "
        "(docs/app-storage.md). Default: none.",
        json_schema_extra={
            "fix": "make webstack:buckets a map of name -> {noncurrentVersionDays, ...}, e.g. {uploads: {}}"
        },
    )

    volumes: dict[StrictStr, VolumeConfig] = Field(
        default_factory=dict,
        description="Named encrypted EFS volumes the services mount: see the volumes.<name>.* keys "
        "(docs/app-storage.md). Default: none.",
        json_schema_extra={
            "fix": "make webstack:volumes a map of name -> {throughputMode, ...}, e.g. {shared: {}}"
        },
    )


# --- Resolved settings (what the components receive) --------------------------------------------


@dataclass(frozen=True)
class StackSettings:
    """All validated settings of one stack."""

    stack: str
    environment: Environment
    aws: AwsSettings
    network: NetworkSettings
    cluster: ClusterSettings
    edge: EdgeSettings
    domain: DomainSettings | None
    waf: WafSettings
    static: StaticSettings | None
    observability: ObservabilitySettings
    services: tuple[ServiceSettings, ...]
    queues: tuple[QueueSettings, ...] = ()
    databases: tuple[DatabaseSettings, ...] = ()
    caches: tuple[CacheSettings, ...] = ()
    backup: BackupSettings = BACKUP_OFF
    jobs: tuple[JobSettings, ...] = ()
    """Scheduled-only jobs (``webstack:jobs``), each its own Job component."""
    buckets: tuple[BucketSettings, ...] = ()
    volumes: tuple[VolumeSettings, ...] = ()
    warnings: tuple[str, ...] = ()
    """Things that are valid but probably not meant (the plan and `pulumi up` show them)."""

    @property
    def data_tier(self) -> bool:
        """Whether the network needs its isolated tier."""
        return bool(self.databases or self.caches)


def parse_settings(raw: Mapping[str, Any], stack: str, project_root: Path = PROJECT_ROOT) -> StackSettings:
    """Validate a stack's raw config (``{"webstack:network": "<json>", "aws:region": ...}``).

    Raises ConfigError listing every problem found, section by section, then across sections.
    """
    webstack, problems = parse_namespace(raw, WebstackConfig)
    environment = webstack.environment if webstack else None
    aws, aws_problems = parse_aws(raw, environment)
    problems.extend(aws_problems)
    if webstack is None:
        raise ConfigError(stack, problems)
    sections, routes, callers = _sections(webstack, aws, problems)
    services = _services(webstack, sections, routes, callers, project_root, problems)
    databases, caches, data_problems, warnings = data_store_settings(
        webstack.databases,
        webstack.caches,
        webstack.services,
        sections["network"],
        webstack.environment,
        webstack.jobs,  # a store only a job uses is reachable too (stack/jobs.py names a missing one)
    )
    problems += data_problems
    jobs, job_problems = job_settings(
        webstack.jobs,
        webstack.environment,
        project_root,
        {"database": list(webstack.databases), "cache": list(webstack.caches)},
        list(webstack.queues),
    )
    access_problems, bucket_warnings = bucket_access_problems(webstack.buckets, webstack.services)
    mount_problems, volume_warnings = volume_mount_problems(webstack.volumes, webstack.services)
    problems += job_problems + access_problems + mount_problems
    has_data = bool(databases or webstack.buckets or webstack.volumes)
    backup, backup_problems, backup_warnings = backup_settings(
        webstack.backup, webstack.environment, aws.region, aws.allowed_account_ids, has_data=has_data
    )
    problems += backup_problems
    network = sections["network"]
    problems += restore_test_reach_problems(
        backup, bool(databases), network.nat_mode is not NatMode.NONE, network.interface_endpoints
    )
    warnings = (
        *warnings,
        *bucket_warnings,
        *volume_warnings,
        *backup_warnings,
        *_across_sections(sections, services, aws, problems),
        *_job_warnings(sections, jobs),
    )
    if problems:
        raise ConfigError(stack, problems)
    return StackSettings(
        stack=stack,
        environment=webstack.environment,
        aws=aws,
        services=tuple(services),
        databases=databases,
        caches=caches,
        backup=backup,
        jobs=jobs,
        warnings=warnings,
        **sections,
    )


def _sections(
    webstack: WebstackConfig, aws: AwsSettings, problems: list[str]
) -> tuple[dict[str, Any], dict[str, Route], dict[str, tuple[str, ...]]]:
    """Each section on its own (appending its problems in the order users read them), the services'
    routes and who calls whom."""
    env = webstack.environment
    network, network_problems = network_settings(webstack.network, env)
    cluster, cluster_problems = cluster_settings(webstack.cluster, env)
    domain, domain_problems = domain_settings(webstack.domain)
    edge, edge_problems = edge_settings(
        webstack.edge, env, aws.region, aws.allowed_account_ids, has_domain=domain is not None
    )
    http_api = edge.kind is EdgeKind.APIGATEWAY
    waf, waf_problems = waf_settings(webstack.waf, env, http_api_edge=http_api)
    service_hosts = {
        name: tuple(service.routing.host_headers) if service.routing else ()
        for name, service in webstack.services.items()
    }
    static, static_problems = static_settings(webstack.static, domain, service_hosts)
    observability, observability_problems = observability_settings(webstack.observability, env)
    routes, route_problems = service_routes(webstack.services)
    if http_api and edge.api_gateway is not None:
        config_keys = route_config_keys(webstack.services)
        for name, route in routes.items():
            route_problems += route_keys(config_keys[name], route.path_patterns, route.host_headers)[1]
        route_problems += gateway_service_problems(edge.api_gateway, list(routes))
    callers, call_problems = service_calls(webstack.services)
    queues, queue_problems = queue_settings(webstack.queues, webstack.services)
    buckets, bucket_problems = bucket_settings(webstack.buckets, env)
    volumes, volume_problems = volume_settings(webstack.volumes, env)
    problems += network_problems + cluster_problems + edge_problems + domain_problems + waf_problems
    problems += static_problems + route_problems + call_problems + queue_problems + observability_problems
    problems += bucket_problems + volume_problems
    for key, declared in (("buckets", webstack.buckets), ("volumes", webstack.volumes)):
        if declared and not webstack.services:
            problems.append(
                f"webstack:{key}: got {key}, but the stack has no services to use them; add "
                f"webstack:services or remove webstack:{key}"
            )
    if domain is not None and not webstack.services:
        problems.append(
            "webstack:domain: got a domain, but the stack has no services to serve on it; add "
            "webstack:services or remove webstack:domain"
        )
    sections = {
        "network": network,
        "cluster": cluster,
        "edge": edge,
        "domain": domain,
        "waf": waf,
        "static": static,
        "observability": observability,
        "queues": queues,
        "buckets": buckets,
        "volumes": volumes,
    }
    return sections, routes, callers


def _services(
    webstack: WebstackConfig,
    sections: Mapping[str, Any],
    routes: Mapping[str, Route],
    callers: Mapping[str, tuple[str, ...]],
    project_root: Path,
    problems: list[str],
) -> list[ServiceSettings]:
    """Each service resolved, with who calls it, the queue it consumes and its extra ports' routes."""
    consumed = {queue.consumer: queue.name for queue in sections["queues"]}
    services = []
    for name, service in webstack.services.items():
        resolved, service_problems = service_settings(
            name, service, routes.get(name), webstack.environment, project_root
        )
        resolved = replace(
            resolved,
            called_by=callers.get(name, ()),
            consumes=consumed.get(name),
            extra_routes=tuple(
                (port, routes[route_key(name, port)])
                for port in service.extra_ports
                if route_key(name, port) in routes
            ),
        )
        services.append(resolved)
        problems += service_problems + _backlog_problems(resolved)
    return services


def _across_sections(
    sections: Mapping[str, Any], services: Sequence[ServiceSettings], aws: AwsSettings, problems: list[str]
) -> tuple[str, ...]:
    """Checks that need the network, the cluster and the services together; returns warnings."""
    network = sections["network"]
    platform_problems, platform_warnings = image_platform_problems(
        sections["cluster"].ec2,
        {
            service.name: service.config.build.platform if service.config.build else None
            for service in services
        },
    )
    problems += platform_problems
    problems += network_problems_with_services(
        network, len(services), sum(1 for service in services if service.config.port is not None)
    )
    problems += image_reach_problems(network, aws.region, {s.name: s.config.image for s in services})
    secret_problems, secret_warnings = secret_reach_problems(
        services, aws.region, aws.allowed_account_ids, network.nat_mode is not NatMode.NONE
    )
    problems += secret_problems
    return (*platform_warnings, *secret_warnings, *ec2_retiring_warnings(sections["cluster"]))


def _job_warnings(sections: Mapping[str, Any], jobs: Sequence[JobSettings]) -> tuple[str, ...]:
    """A failed run notifies the alarm topic: with alarms off (dev's default) it notifies nobody."""
    if not jobs or sections["observability"].alarms:
        return ()
    names = ", ".join(job.name for job in jobs)
    return (
        f"webstack:jobs ({names}): a failed run notifies the alarm topic, but observability.alarms is off, "
        "so nobody hears of it; set webstack:observability.alarms: true",
    )


def _backlog_problems(service: ServiceSettings) -> list[str]:
    """Backlog scaling needs a queue, and a task running: no scale-out from 0 (no metric data)."""
    if service.config.autoscaling.backlog_per_task is None:
        return []
    key = f"webstack:services.{service.name}"
    if service.consumes is None:
        return [
            f"{key}.autoscaling.backlogPerTask: set, but {service.name} consumes no queue; add "
            f"webstack:queues.<name>.consumer: {service.name} or remove backlogPerTask"
        ]
    if service.min_count < 1:
        # Target tracking does not scale on insufficient data, and backlog / 0 tasks has none
        # (AWS ECS service-autoscaling-targettracking.html).
        return [
            f"{key}.minCount: got {service.min_count}, but backlog scaling cannot start a task from 0 "
            "(backlog per task has no data without one); use 1 or more"
        ]
    return []


def resolve_zones(settings: StackSettings, available: Sequence[str]) -> tuple[str, ...]:
    """The zones the network uses, checked against the zones the region offers (in that order)."""
    network = settings.network
    region = settings.aws.region
    offered = sorted(available)
    if network.availability_zones is not None:
        problems = []
        for zone in network.availability_zones:
            if not zone.startswith(region) or len(zone) != len(region) + 1:
                problems.append(
                    f"webstack:network.availabilityZones: got '{zone}', but it is not a zone of the "
                    f"stack's region {region}; use zones from: {', '.join(offered)}"
                )
            elif zone not in offered:
                problems.append(
                    f"webstack:network.availabilityZones: got '{zone}', but {region} does not offer it "
                    f"now; use zones from: {', '.join(offered)}"
                )
        if problems:
            raise ConfigError(settings.stack, problems)
        return network.availability_zones
    usable = [zone for zone in offered if _has_slot(zone)]
    if network.az_count > len(usable):
        lowest = PROD_MIN_ZONES if settings.environment is Environment.PROD else 1
        choices = f"{lowest} or {len(usable)}" if len(usable) - lowest == 1 else f"{lowest} to {len(usable)}"
        raise ConfigError(
            settings.stack,
            [
                f"webstack:network.azCount: got {network.az_count}, but {region} offers "
                f"{len(usable)} availability zones; use {choices}."
            ],
        )
    return tuple(usable[: network.az_count])


def _has_slot(zone: str) -> bool:
    try:
        cidr.zone_slot(zone)
    except ValueError:
        return False
    return True


def raw_config() -> dict[str, Any]:
    """Every config key of the running stack.

    ``pulumi.Config`` can only look keys up, but unknown keys must be errors, so this reads the
    mapping the Pulumi runtime holds: values set by the engine or by mocks, then ``PULUMI_CONFIG``.
    """
    merged: dict[str, Any] = dict(pulumi.runtime.get_config_env())
    merged.update(pulumi.runtime.config.CONFIG.get())
    return merged


__all__ = [
    "AwsSettings",
    "ConfigError",
    "ContainerInsights",
    "Environment",
    "NatMode",
    "NetworkConfig",
    "ServiceSettings",
    "StackSettings",
    "StrictModel",
    "WebstackConfig",
    "explain",
    "parse_aws",
    "parse_namespace",
    "parse_settings",
    "raw_config",
    "resolve_zones",
]
