"""The one place stack configuration is read, typed and validated.

Each component declares the schema of its own section beside itself, with types, defaults and
meaning (``webstack:network`` in :mod:`components.network`, ``webstack:cluster`` in
:mod:`components.cluster`, ``webstack:edge`` in :mod:`stack.edge`, ``webstack:services`` in
:mod:`stack.services`); :class:`WebstackConfig` assembles them, and the README's config table
mirrors these declarations. Validation happens in two steps, both before any resource exists:

1. :func:`parse_settings` checks everything that needs only the stack file (pure, no AWS calls);
2. :func:`resolve_zones` checks the zones against the ones the region really offers.

Every problem of every section is collected and reported at once, each line naming the full key, the
bad value and the fix, e.g. ``webstack:network.azCount: got 7, but eu-west-1 offers 3 availability
zones; use 2 or 3.``
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

import pulumi
import pydantic
from pydantic import BaseModel, Field, StrictStr

from components.pure import cidr, regions
from stack.apigateway import route_keys
from stack.apigateway import service_problems as gateway_service_problems
from stack.caches import CacheConfig, CacheSettings, cache_settings
from stack.cluster import (
    ClusterConfig,
    ClusterSettings,
    ContainerInsights,
    cluster_settings,
    image_platform_problems,
)
from stack.databases import DatabaseConfig, DatabaseSettings, database_settings
from stack.datastores import STORE_NAME, STORE_NAME_FIX
from stack.domain import (
    DomainConfig,
    DomainSettings,
    domain_settings,
    host_in_zone,
    outside_zone_problem,
    zone_lookup_problem,
)
from stack.edge import EdgeConfig, EdgeKind, EdgeSettings, edge_settings
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
    ServiceConfig,
    ServiceSettings,
    route_config_keys,
    route_key,
    service_calls,
    service_routes,
    service_settings,
)
from stack.static import StaticConfig, StaticSettings, static_settings
from stack.waf import WafConfig, WafSettings, waf_settings

PROJECT = "webstack"
"""The config namespace of this project (``webstack:<key>``)."""
PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Where Pulumi.yaml lives; build contexts are relative to it."""
REQUIRED_TAGS = ("Environment", "Project", "ManagedBy")


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


# --- Resolved settings (what the components receive) --------------------------------------------


@dataclass(frozen=True)
class AwsSettings:
    """The provider settings webstack insists on (read from ``aws:*``, which the provider uses)."""

    region: str
    allowed_account_ids: tuple[str, ...]
    default_tags: Mapping[str, str]
    assume_role_arns: tuple[str, ...]


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
    warnings: tuple[str, ...] = ()
    """Things that are valid but probably not meant (the plan and `pulumi up` show them)."""

    @property
    def data_tier(self) -> bool:
        """Whether the network needs its isolated tier."""
        return bool(self.databases or self.caches)


# --- Parsing --------------------------------------------------------------------------------------

AWS_PROVIDER_KEYS = (
    "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle",
    "defaultTags", "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints",
    "forbiddenAccountIds", "httpProxy", "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy",
    "profile", "region", "retryMode", "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey",
    "sharedConfigFiles", "sharedCredentialsFiles", "skipCredentialsValidation", "skipMetadataApiCheck",
    "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "tagPolicyCompliance", "token",
    "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
)  # fmt: skip
"""Every ``aws:*`` key pulumi-aws 7 reads (pulumi_aws/config/vars.py; tests/test_config.py compares the
installed package). Any other ``aws:`` key is a typo the provider would silently ignore."""

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")


def _decode(value: Any) -> Any:
    """Stack-file objects and lists reach the program as JSON text; plain strings stay as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known keys are: {', '.join(choices)}"


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_inside(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds (through Optional, tuple and dict) and whether a dict key comes first."""
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin is dict:
        model, _ = _model_inside(get_args(annotation)[1])
        return model, True
    if origin in (tuple, list, Union) or str(origin) == "<class 'types.UnionType'>":
        for arg in get_args(annotation):
            model, keyed = _model_inside(arg)
            if model is not None:
                return model, keyed
    return None, False


def _field_for(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel], str | None]:
    """The model and field alias that a pydantic error location points at."""
    current: type[BaseModel] = model
    alias: str | None = None
    skip_key = False
    for part in loc:
        if not isinstance(part, str):
            continue
        if skip_key:  # a map key, e.g. the service name in services.<name>.port
            skip_key, alias = False, None
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        if part not in fields:
            return current, None
        alias = part
        inner, skip_key = _model_inside(fields[part].annotation)
        if inner is not None:
            current = inner
    return current, alias


def _key(loc: Sequence[int | str], namespace: str = PROJECT) -> str:
    """``webstack:services.api.taskPolicyStatements[0].actions`` from a pydantic location."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return f"{namespace}:{text}"


def _fix(model: type[BaseModel], alias: str | None) -> str:
    for name, field in model.model_fields.items():
        if (field.alias or name) == alias and isinstance(field.json_schema_extra, dict):
            return str(field.json_schema_extra.get("fix", ""))
    return ""


def explain(error: Any, schema: type[BaseModel], namespace: str = PROJECT) -> str:
    """One line for one pydantic error of ``schema``: full key, bad value, reason, fix."""
    loc = [part for part in error["loc"] if isinstance(part, int | str) and not str(part).startswith("[")]
    key = _key(loc, namespace)
    kind = error["type"]
    if kind == "extra_forbidden":
        owner, _ = _field_for(schema, [*loc[:-1], "\0"])
        return f"{key}: unknown key; {_did_you_mean(str(loc[-1]), _aliases(owner))}"
    owner, alias = _field_for(schema, loc)
    fix = _fix(owner, alias)
    if kind == "missing":
        return f"{key}: missing; {fix}"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("int_type", "int_from_float", "int_parsing"):
        reason = "it must be a whole number"
    elif kind == "enum":
        reason = "that is not one of the allowed values"
    elif kind in ("model_type", "model_attributes_type"):
        reason = "it must be an object"
    elif kind in ("tuple_type", "list_type"):
        reason = "it must be a list"
    elif kind == "string_type" and isinstance(error["input"], bool | int | float):
        name = loc[-1] if loc else "key"
        kind_read = "true/false" if isinstance(error["input"], bool) else "a number"
        reason = f"YAML reads it as {kind_read}, and this must be text: quote it"
        shown = json.dumps(error["input"])
        return f'{key}: got {shown}, but {reason}, e.g. {name}: "{shown}"'
    elif kind == "string_type":
        reason = "it must be text"
    elif kind in ("bool_type", "bool_parsing"):
        reason = "it must be true or false"
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("le"))
        reason = f"it must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}"
    elif kind == "too_short":
        reason = "it must not be empty"
    line = f"{key}: got {json.dumps(error['input'])}, but {reason}"
    # Validators that know the fix already say it after a semicolon.
    return f"{line}; {fix}" if fix and "; " not in reason and fix not in reason else line


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_namespace(
    raw: Mapping[str, Any], schema: type[ModelT], namespace: str = PROJECT
) -> tuple[ModelT | None, list[str]]:
    """Validate every ``<namespace>:*`` key of a stack's config against ``schema``."""
    prefix = f"{namespace}:"
    document = {key[len(prefix) :]: _decode(value) for key, value in raw.items() if key.startswith(prefix)}
    try:
        return schema.model_validate(document), []
    except pydantic.ValidationError as error:
        return None, [explain(item, schema, namespace) for item in error.errors()]


def parse_aws(raw: Mapping[str, Any], environment: Environment | None) -> tuple[AwsSettings, list[str]]:
    """The aws:* keys webstack insists on (region, pinned accounts, tags, deploy roles), and problems."""
    problems: list[str] = []

    region = raw.get("aws:region")
    if not isinstance(region, str) or not _REGION.match(region):
        shown = "missing" if region is None else f"got {json.dumps(region)}, but it is not an AWS region"
        problems.append(
            f"aws:region: {shown}; set the region this stack deploys to, e.g. aws:region: eu-west-1"
        )
        region = ""
    elif region not in regions.ZONE_LETTERS:
        problems.append(regions.unknown_region_problem(region))

    accounts_raw = _decode(raw.get("aws:allowedAccountIds"))
    accounts: tuple[str, ...] = ()
    if accounts_raw is None:
        problems.append(
            "aws:allowedAccountIds: missing; webstack refuses to run without it so that no stack can "
            "deploy into an account it did not name. Add aws:allowedAccountIds: ['<12-digit id>']"
        )
    elif (
        not isinstance(accounts_raw, list)
        or not accounts_raw
        or not all(isinstance(item, str) and _ACCOUNT_ID.match(item) for item in accounts_raw)
    ):
        problems.append(
            f"aws:allowedAccountIds: got {json.dumps(accounts_raw)}, but it must be a non-empty list of "
            "12-digit account ids written as quoted strings, e.g. ['111111111111']"
        )
    else:
        accounts = tuple(accounts_raw)

    tags: dict[str, str] = {}
    default_tags = _decode(raw.get("aws:defaultTags"))
    tag_map = default_tags.get("tags") if isinstance(default_tags, dict) else None
    if default_tags is None:
        problems.append(
            f"aws:defaultTags: missing; add aws:defaultTags: {{tags: {{...}}}} with "
            f"{', '.join(REQUIRED_TAGS)} so every resource says whose it is"
        )
    elif not isinstance(tag_map, dict) or not all(isinstance(v, str) for v in tag_map.values()):
        problems.append(
            f"aws:defaultTags: got {json.dumps(default_tags)}, but it must be an object "
            f"{{tags: {{...}}}} with text values including {', '.join(REQUIRED_TAGS)}"
        )
    else:
        tags = dict(tag_map)
        missing = [tag for tag in REQUIRED_TAGS if tag not in tags]
        if missing:
            problems.append(
                f"aws:defaultTags.tags: missing {', '.join(missing)}; every stack tags all "
                f"resources with {', '.join(REQUIRED_TAGS)}"
            )
        if environment is not None and "Environment" in tags and tags["Environment"] != environment.value:
            problems.append(
                f"aws:defaultTags.tags.Environment: got {json.dumps(tags['Environment'])}, but "
                f"webstack:environment is '{environment.value}'; make them the same"
            )

    problems += [
        f"{key}: unknown key; {_did_you_mean(key, [f'aws:{known}' for known in AWS_PROVIDER_KEYS])}"
        for key in raw
        if key.startswith("aws:") and key != "aws:assumeRole" and key[4:] not in AWS_PROVIDER_KEYS
    ]
    if "aws:assumeRole" in raw:
        problems.append(
            "aws:assumeRole: pulumi-aws 7 rejects this key; use the list form aws:assumeRoles: "
            "[{roleArn: ..., sessionName: ...}]"
        )
    roles = _decode(raw.get("aws:assumeRoles"))
    role_arns: list[str] = []
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(role, dict) for role in roles):
            problems.append(
                f"aws:assumeRoles: got {json.dumps(roles)}, but it must be a list of "
                "{roleArn: ..., sessionName: ...} objects"
            )
        else:
            for index, role in enumerate(roles):
                arn = role.get("roleArn")
                match = _ROLE_ARN.match(arn) if isinstance(arn, str) else None
                if not match:
                    problems.append(
                        f"aws:assumeRoles[{index}].roleArn: got {json.dumps(arn)}, but it "
                        "must be an IAM role ARN such as arn:aws:iam::111111111111:role/deploy"
                    )
                elif accounts and match.group(1) not in accounts:
                    problems.append(
                        f"aws:assumeRoles[{index}].roleArn: got {arn}, but account {match.group(1)} is "
                        f"not in aws:allowedAccountIds {list(accounts)}; assume a role in this "
                        "stack's own account"
                    )
                else:
                    role_arns.append(arn)

    return AwsSettings(region, accounts, tags, tuple(role_arns)), problems


def parse_settings(raw: Mapping[str, Any], stack: str, project_root: Path = PROJECT_ROOT) -> StackSettings:
    """Validate a stack's raw config (``{"webstack:network": "<json>", "aws:region": ...}``).

    Raises ConfigError listing every problem found.
    """
    webstack, problems = parse_namespace(raw, WebstackConfig)
    environment = webstack.environment if webstack else None
    aws, aws_problems = parse_aws(raw, environment)
    problems.extend(aws_problems)
    if webstack is None:
        raise ConfigError(stack, problems)
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
    waf_problems += static_problems
    observability, observability_problems = observability_settings(webstack.observability, env)
    routes, route_problems = service_routes(webstack.services)
    if http_api and edge.api_gateway is not None:
        config_keys = route_config_keys(webstack.services)
        for name, route in routes.items():
            route_problems += route_keys(config_keys[name], route.path_patterns, route.host_headers)[1]
        route_problems += gateway_service_problems(edge.api_gateway, list(routes))
    callers, call_problems = service_calls(webstack.services)
    queues, queue_problems = queue_settings(webstack.queues, webstack.services)
    problems += network_problems + cluster_problems + edge_problems + domain_problems + waf_problems
    problems += route_problems
    problems += call_problems + queue_problems
    problems += observability_problems
    if domain is not None and not webstack.services:
        problems.append(
            "webstack:domain: got a domain, but the stack has no services to serve on it; add "
            "webstack:services or remove webstack:domain"
        )
    consumed = {queue.consumer: queue.name for queue in queues}
    services = []
    for name, service in webstack.services.items():
        resolved, service_problems = service_settings(name, service, routes.get(name), env, project_root)
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
    databases, caches, data_problems, warnings = _data_stores(webstack, network, env)
    problems += data_problems
    platform_problems, platform_warnings = image_platform_problems(
        cluster.ec2,
        {
            service.name: service.config.build.platform if service.config.build else None
            for service in services
        },
    )
    problems += platform_problems
    warnings = (*warnings, *platform_warnings)
    problems += network_problems_with_services(
        network, len(services), sum(1 for service in services if service.config.port is not None)
    )
    problems += image_reach_problems(network, aws.region, {s.name: s.config.image for s in services})
    if problems:
        raise ConfigError(stack, problems)
    return StackSettings(
        stack=stack,
        environment=env,
        aws=aws,
        network=network,
        cluster=cluster,
        edge=edge,
        domain=domain,
        waf=waf,
        static=static,
        observability=observability,
        services=tuple(services),
        databases=databases,
        caches=caches,
        warnings=warnings,
        queues=queues,
    )


MIN_DATABASE_ZONES = 2
"""An RDS DB subnet group needs subnets in at least two availability zones."""


def _data_stores(
    webstack: WebstackConfig, network: NetworkSettings, env: Environment
) -> tuple[tuple[DatabaseSettings, ...], tuple[CacheSettings, ...], list[str], tuple[str, ...]]:
    """Databases and caches, the services' references to them, problems, and warnings."""
    problems: list[str] = []
    warnings: list[str] = []
    databases, caches = [], []
    for name, config in webstack.databases.items():
        if not STORE_NAME.match(name):
            problems.append(
                f"webstack:databases.{name}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}"
            )
        database, found = database_settings(name, config, env)
        databases.append(database)
        problems += found
        warnings += [
            f"database {name}: {shortcut} (a dev-only shortcut)" for shortcut in database.shortcuts()
        ]
    for name, config in webstack.caches.items():
        if not STORE_NAME.match(name):
            problems.append(
                f"webstack:caches.{name}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}"
            )
        cache, found = cache_settings(name, config, env)
        caches.append(cache)
        problems += found
        warnings += [f"cache {name}: {shortcut} (a dev-only shortcut)" for shortcut in cache.shortcuts()]
    if databases and network.az_count < MIN_DATABASE_ZONES:
        problems.append(
            f"webstack:network.azCount: got {network.az_count}, but an RDS database needs subnets in at "
            f"least {MIN_DATABASE_ZONES} availability zones (even single-AZ); use 2 or more"
        )
    for kind, declared, key in (
        ("database", webstack.databases, "databases"),
        ("cache", webstack.caches, "caches"),
    ):
        used = set()
        for service_name, service in webstack.services.items():
            wanted = getattr(service, kind)
            if wanted is None:
                continue
            used.add(wanted)
            if wanted not in declared:
                known = ", ".join(declared) or "none"
                problems.append(
                    f"webstack:services.{service_name}.{kind}: got {json.dumps(wanted)}, but webstack:{key} "
                    f"has no such {kind} (declared: {known}); name one of them or declare it there"
                )
        warnings += [
            f"{kind} {name}: no service declares it (services.<name>.{kind}: {name}), so nothing can reach it"
            for name in declared
            if name not in used
        ]
    return tuple(databases), tuple(caches), problems, tuple(warnings)


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


def load_settings() -> StackSettings:
    """Read, validate and resolve the running stack's config. Registers no resource."""
    import pulumi_aws as aws

    settings = parse_settings(raw_config(), pulumi.get_stack())
    for warning in settings.warnings:
        pulumi.log.warn(warning)
    zones = aws.get_availability_zones(state="available", region=settings.aws.region)
    resolved = resolve_zones(settings, list(zones.names))
    network = replace(settings.network, az_count=len(resolved), availability_zones=resolved)
    return replace(settings, network=network, domain=resolve_domain(settings))


def resolve_domain(settings: StackSettings) -> DomainSettings | None:
    """The domain with its hosted zone looked up: the zone must exist in this account, be public and
    hold the host. A lookup (not an Output) so a wrong zone is a config error before any resource."""
    import pulumi_aws as aws

    domain = settings.domain
    if domain is None:
        return None
    key, value = ("zoneId", domain.zone_id) if domain.zone_id else ("zone", domain.zone or "")
    try:
        if domain.zone_id:
            zone = aws.route53.get_zone(zone_id=domain.zone_id, private_zone=False)
        else:
            zone = aws.route53.get_zone(name=domain.zone, private_zone=False)
    except Exception as error:  # the provider raises a plain invoke error
        raise ConfigError(settings.stack, [zone_lookup_problem(key, value, error)]) from None
    hosts = [domain.host, *([settings.static.host] if settings.static else [])]
    outside = [outside_zone_problem(host, zone.name) for host in hosts if not host_in_zone(host, zone.name)]
    if outside:
        raise ConfigError(settings.stack, outside)
    return replace(domain, zone=zone.name.rstrip("."), zone_id=zone.zone_id)


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
    "load_settings",
    "parse_aws",
    "parse_namespace",
    "parse_settings",
    "raw_config",
    "resolve_zones",
]
