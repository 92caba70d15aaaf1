"""The one place stack configuration is read, typed and validated.

Everything a stack can set is declared here with its type, default and meaning; the README's config
table mirrors these declarations. Validation happens in two steps, both before any resource exists:

1. :func:`parse_settings` checks everything that needs only the stack file (pure, no AWS calls);
2. :func:`resolve_zones` checks the zones against the ones the region really offers.

Every problem is collected and reported at once, each line naming the full key, the bad value and the
fix, e.g. ``webstack:network.azCount: got 7, but eu-west-1 offers 3 availability zones; use 2 or 3.``
"""

from __future__ import annotations

import difflib
import enum
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import pulumi
import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from components import cidr, fargate, regions
from components.fargate import CapacityStrategy

PROJECT = "webstack"
"""The config namespace of this project (``webstack:<key>``)."""
PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Where Pulumi.yaml lives; build contexts are relative to it."""


class Environment(enum.StrEnum):
    """Which kind of account a stack deploys to; selects defaults and, for prod, invariants."""

    DEV = "dev"
    PROD = "prod"


class NatMode(enum.StrEnum):
    """How private subnets reach the internet."""

    NONE = "none"
    """No NAT gateway: private subnets reach only the VPC and its endpoints."""
    SINGLE = "single"
    """One NAT gateway in the first zone serves every zone (cheap; one zone's outage cuts egress)."""
    PER_AZ = "per_az"
    """One NAT gateway per zone, each zone routing through its own (highly available)."""


# fmt: off
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
# fmt: on
"""The retention periods CloudWatch Logs accepts (0, "never expire", is deliberately not allowed)."""

DEFAULT_VPC_CIDR = "10.0.0.0/16"
PROD_MIN_ZONES = 2
PROD_MIN_LOG_RETENTION_DAYS = 90
REQUIRED_TAGS = ("Environment", "Project", "ManagedBy")


class ContainerInsights(enum.StrEnum):
    """Container Insights level of the cluster (it is never off)."""

    ENABLED = "enabled"
    ENHANCED = "enhanced"


@dataclass(frozen=True)
class EnvironmentDefaults:
    """The values an environment uses for keys a stack does not set."""

    az_count: int
    nat_mode: NatMode
    flow_log_retention_days: int
    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool
    desired_count: int
    min_count: int
    max_count: int
    log_retention_days: int
    deletion_protection: bool
    access_logs: bool


ENVIRONMENT_DEFAULTS: dict[Environment, EnvironmentDefaults] = {
    Environment.DEV: EnvironmentDefaults(
        az_count=2,
        nat_mode=NatMode.SINGLE,
        flow_log_retention_days=30,
        capacity=CapacityStrategy.SPOT_PREFERRED,
        container_insights=ContainerInsights.ENABLED,
        exec_enabled=True,
        desired_count=1,
        min_count=1,
        max_count=2,
        log_retention_days=14,
        deletion_protection=False,
        access_logs=False,
    ),
    Environment.PROD: EnvironmentDefaults(
        az_count=3,
        nat_mode=NatMode.PER_AZ,
        flow_log_retention_days=365,
        capacity=CapacityStrategy.ON_DEMAND,
        container_insights=ContainerInsights.ENHANCED,
        exec_enabled=False,
        desired_count=2,
        min_count=2,
        max_count=6,
        log_retention_days=365,
        deletion_protection=True,
        access_logs=True,
    ),
}
PROD_MIN_TASKS = 2


class ConfigError(pulumi.RunError):
    """Invalid stack configuration. Raised before any resource is registered.

    A ``RunError`` makes Pulumi print the message alone, without a Python traceback.
    """

    def __init__(self, stack: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"stack '{stack}' has invalid configuration; nothing was created. Fix these keys in "
            f"Pulumi.{stack}.yaml:\n{lines}"
        )


# --- The schema of `webstack:*` keys --------------------------------------------------------------


class StrictModel(BaseModel):
    """A config object: unknown keys are errors, values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


def _known_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError("CloudWatch Logs does not offer that retention period")
    return days


RetentionDays = Annotated[StrictInt, AfterValidator(_known_retention)]
"""A CloudWatch Logs retention period in days."""
RETENTION_FIX = f"use one of CloudWatch's periods: {', '.join(map(str, LOG_RETENTION_DAYS))}"


class NetworkConfig(StrictModel):
    """``webstack:network``: the VPC and its subnets."""

    cidr: StrictStr = Field(
        default=DEFAULT_VPC_CIDR,
        description=f"IPv4 CIDR of the VPC, a private range from /16 to /{cidr.MAX_VPC_PREFIX}. "
        f"Default {DEFAULT_VPC_CIDR}.",
        json_schema_extra={"fix": "use a private range such as 10.0.0.0/16"},
    )
    az_count: StrictInt | None = Field(
        default=None,
        alias="azCount",
        description="How many availability zones to use. Default: dev 2, prod 3 (prod needs 2+).",
        json_schema_extra={"fix": "use a whole number such as 3"},
    )
    availability_zones: tuple[StrictStr, ...] | None = Field(
        default=None,
        alias="availabilityZones",
        description="Explicit zone names (e.g. [eu-west-1a, eu-west-1b]). Default: the first "
        "azCount zones the region offers.",
        json_schema_extra={"fix": "list zone names of the stack's region, e.g. [eu-west-1a, eu-west-1b]"},
    )
    nat_mode: NatMode | None = Field(
        default=None,
        alias="natMode",
        description="none | single | per_az. Default: dev single, prod per_az (prod requires per_az).",
        json_schema_extra={"fix": "use one of none, single, per_az"},
    )
    flow_log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="flowLogRetentionDays",
        description=f"Days VPC flow logs are kept. Default: dev 30, prod 365 (prod needs "
        f"{PROD_MIN_LOG_RETENTION_DAYS}+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )

    @field_validator("cidr")
    @classmethod
    def _valid_vpc_cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as error:
            if "has host bits set" in str(error):
                suggestion = ipaddress.IPv4Network(value, strict=False)
                raise ValueError(f"it has host bits set; did you mean {suggestion}?") from None
            raise ValueError("it is not an IPv4 CIDR such as 10.0.0.0/16") from None
        if not network.is_private:
            raise ValueError("it is not a private (RFC 1918) range")
        problem = cidr.vpc_prefix_problem(network)
        if problem:
            raise ValueError(f"{problem}; use a prefix from /{cidr.MIN_VPC_PREFIX} to /{cidr.MAX_VPC_PREFIX}")
        return value

    @field_validator("az_count")
    @classmethod
    def _positive_zone_count(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= cidr.MAX_ZONE_SLOTS:
            raise ValueError(f"it must be from 1 to {cidr.MAX_ZONE_SLOTS}")
        return value

    @field_validator("availability_zones")
    @classmethod
    def _distinct_zones(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("the list is empty; leave the key out to use the region's zones")
        if len(set(value)) != len(value):
            raise ValueError("a zone is listed twice")
        for zone in value:
            cidr.zone_slot(zone)  # raises ValueError naming the zone
        return value


class BuildConfig(StrictModel):
    """``services.<name>.build``: build the image from a Dockerfile context and push it to ECR."""

    context: StrictStr = Field(
        description="Directory of the Docker build context, relative to the project (required).",
        json_schema_extra={"fix": "point context at a directory of this project that holds a Dockerfile"},
    )
    dockerfile: StrictStr = Field(
        default="Dockerfile",
        description="Dockerfile path inside the context. Default Dockerfile.",
        json_schema_extra={"fix": "name a file inside the context, e.g. Dockerfile"},
    )
    platform: Literal["linux/amd64", "linux/arm64"] = Field(
        default="linux/amd64",
        description="Target platform of the image and the task. Default linux/amd64.",
        json_schema_extra={"fix": "use linux/amd64 or linux/arm64"},
    )


MAX_RULE_VALUES = 5
"""An ALB listener rule allows 5 condition values in all."""


class RoutingConfig(StrictModel):
    """``services.<name>.routing``: which requests on the shared entry point go to the service."""

    path_patterns: tuple[StrictStr, ...] = Field(
        default=(),
        alias="pathPatterns",
        description="ALB path patterns, e.g. [/api/*]. Default: [/*] for a service without routing.",
        json_schema_extra={"fix": "list patterns that start with /, e.g. [/api/*]"},
    )
    host_headers: tuple[StrictStr, ...] = Field(
        default=(),
        alias="hostHeaders",
        description="Host names, e.g. [api.example.com]. Default: any host.",
        json_schema_extra={"fix": "list host names, e.g. [api.example.com]"},
    )

    @field_validator("path_patterns")
    @classmethod
    def _paths_start_with_slash(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            if not pattern.startswith("/"):
                raise ValueError(f"pattern {pattern!r} does not start with /")
        return value

    @model_validator(mode="after")
    def _something_to_match(self) -> RoutingConfig:
        values = len(self.path_patterns) + len(self.host_headers)
        if values == 0:
            raise ValueError(
                "routing needs pathPatterns or hostHeaders; leave routing out for the default route"
            )
        if values > MAX_RULE_VALUES:
            raise ValueError(
                f"a load balancer rule matches at most {MAX_RULE_VALUES} paths and hosts in all, got {values}"
            )
        return self


class AutoscalingConfig(StrictModel):
    """``services.<name>.autoscaling``: target tracking between minCount and maxCount."""

    cpu_target: StrictInt = Field(
        default=70,
        alias="cpuTarget",
        ge=10,
        le=95,
        description="Average CPU % to hold. Default 70.",
        json_schema_extra={"fix": "use a percentage from 10 to 95"},
    )
    memory_target: StrictInt | None = Field(
        default=None,
        alias="memoryTarget",
        ge=10,
        le=95,
        description="Average memory % to hold. Default: not tracked.",
        json_schema_extra={"fix": "use a percentage from 10 to 95"},
    )
    requests_per_target: StrictInt | None = Field(
        default=None,
        alias="requestsPerTarget",
        ge=1,
        description="ALB requests per task per minute to hold. Default: not tracked.",
        json_schema_extra={"fix": "use a whole number of requests, e.g. 1000"},
    )
    scale_out_cooldown: StrictInt = Field(
        default=60,
        alias="scaleOutCooldown",
        ge=0,
        le=3600,
        description="Seconds between scale-outs. Default 60.",
        json_schema_extra={"fix": "use seconds from 0 to 3600"},
    )
    scale_in_cooldown: StrictInt = Field(
        default=300,
        alias="scaleInCooldown",
        ge=0,
        le=3600,
        description="Seconds between scale-ins. Default 300.",
        json_schema_extra={"fix": "use seconds from 0 to 3600"},
    )


class StatementConfig(StrictModel):
    """One IAM statement added to a service's task role."""

    effect: Literal["Allow", "Deny"] = Field(
        default="Allow",
        description="Allow or Deny. Default Allow.",
        json_schema_extra={"fix": "use Allow or Deny"},
    )
    actions: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="Exact IAM actions, e.g. [s3:GetObject]; wildcards are refused (least privilege).",
        json_schema_extra={"fix": "list exact actions such as s3:GetObject"},
    )
    resources: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="Resource ARNs the actions apply to.",
        json_schema_extra={"fix": "list the ARNs the actions apply to"},
    )

    @field_validator("actions")
    @classmethod
    def _no_wildcards(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for action in value:
            if fargate.is_wildcard_action(action):
                raise ValueError(f"action {action!r} is a wildcard; list the exact actions the app calls")
            if ":" not in action:
                raise ValueError(f"action {action!r} is not of the form service:Action")
        return value


class ContainerHealthCheckConfig(StrictModel):
    """``services.<name>.containerHealthCheck``: the container's own health command."""

    command: tuple[StrictStr, ...] = Field(
        min_length=2,
        description='e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"] (required).',
        json_schema_extra={"fix": 'use ["CMD-SHELL", "<command>"] or ["CMD", "<exe>", ...]'},
    )
    interval: StrictInt = Field(default=30, ge=5, le=300, description="Seconds between checks. Default 30.")
    timeout: StrictInt = Field(default=5, ge=2, le=60, description="Seconds per check. Default 5.")
    retries: StrictInt = Field(default=3, ge=1, le=10, description="Failures before unhealthy. Default 3.")
    start_period: StrictInt = Field(
        default=10, alias="startPeriod", ge=0, le=300, description="Grace seconds at start. Default 10."
    )

    @field_validator("command")
    @classmethod
    def _known_form(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value[0] not in ("CMD", "CMD-SHELL"):
            raise ValueError("the command must start with CMD or CMD-SHELL")
        return value


class ServiceConfig(StrictModel):
    """``services.<name>``: one containerised service behind the shared entry point."""

    image: StrictStr | None = Field(
        default=None,
        description="Image reference to run (prod: a version tag or digest). Give image or build.",
        json_schema_extra={"fix": "use a reference such as ghcr.io/org/app:1.2.3"},
    )
    build: BuildConfig | None = Field(
        default=None,
        description="Build the image from a local Dockerfile context into the service's ECR repository.",
        json_schema_extra={"fix": "give build: {context: ./app}"},
    )
    port: StrictInt = Field(
        ge=1,
        le=65535,
        description="Container port the app listens on (required).",
        json_schema_extra={"fix": "use a port from 1 to 65535"},
    )
    cpu: StrictInt = Field(
        default=256,
        description="Fargate CPU units. Default 256.",
        json_schema_extra={"fix": fargate.describe_sizes()},
    )
    memory: StrictInt = Field(
        default=512,
        description="Fargate memory in MiB, valid for the cpu. Default 512.",
        json_schema_extra={"fix": "pick a memory size the cpu allows"},
    )
    desired_count: StrictInt | None = Field(
        default=None,
        alias="desiredCount",
        ge=0,
        description="Tasks at first deploy. Default: dev 1, prod 2 (prod needs 2+).",
        json_schema_extra={"fix": "use a whole number between minCount and maxCount"},
    )
    min_count: StrictInt | None = Field(
        default=None,
        alias="minCount",
        ge=0,
        description="Autoscaling minimum. Default: dev 1, prod 2 (prod needs 2+).",
        json_schema_extra={"fix": "use a whole number no larger than maxCount"},
    )
    max_count: StrictInt | None = Field(
        default=None,
        alias="maxCount",
        ge=1,
        description="Autoscaling maximum. Default: dev 2, prod 6.",
        json_schema_extra={"fix": "use a whole number no smaller than minCount"},
    )
    health_check_path: StrictStr = Field(
        default="/",
        alias="healthCheckPath",
        description="Path the load balancer checks. Default /.",
        json_schema_extra={"fix": "use a path that starts with /, e.g. /health"},
    )
    health_check_grace_period: StrictInt = Field(
        default=60,
        alias="healthCheckGracePeriod",
        ge=0,
        le=7200,
        description="Seconds ECS ignores failing load-balancer checks after a task starts. Default 60.",
        json_schema_extra={"fix": "use seconds from 0 to 7200"},
    )
    routing: RoutingConfig | None = Field(
        default=None,
        description="Paths and/or hosts routed to the service. Default: the catch-all /* (one service only).",
        json_schema_extra={"fix": "give routing: {pathPatterns: [/api/*]}"},
    )
    environment: dict[StrictStr, StrictStr] = Field(
        default_factory=dict,
        description="Plain environment variables (never secrets: names like *PASSWORD*/*TOKEN* are refused).",
        json_schema_extra={"fix": "give NAME: value pairs of text"},
    )
    secrets: dict[StrictStr, StrictStr] = Field(
        default_factory=dict,
        description="Env name -> Secrets Manager secret or SSM parameter ARN, injected via valueFrom.",
        json_schema_extra={
            "fix": "map NAME to an ARN such as arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
        },
    )
    task_policy_statements: tuple[StatementConfig, ...] = Field(
        default=(),
        alias="taskPolicyStatements",
        description="Extra IAM statements for the task role. Default: none (the role can do nothing).",
        json_schema_extra={"fix": "give [{actions: [s3:GetObject], resources: [arn:...]}]"},
    )
    scratch_paths: tuple[StrictStr, ...] = Field(
        default=("/tmp",),
        alias="scratchPaths",
        description="Writable scratch volumes on the read-only root filesystem. Default [/tmp].",
        json_schema_extra={"fix": "list absolute container paths, e.g. [/tmp]"},
    )
    autoscaling: AutoscalingConfig = Field(
        default_factory=AutoscalingConfig,
        description="Target tracking settings: see the autoscaling.* keys.",
        json_schema_extra={"fix": "give autoscaling: {cpuTarget: 70}"},
    )
    container_health_check: ContainerHealthCheckConfig | None = Field(
        default=None,
        alias="containerHealthCheck",
        description="The container's own health command. Default: none (the load balancer checks).",
        json_schema_extra={"fix": 'give containerHealthCheck: {command: ["CMD-SHELL", "..."]}'},
    )
    log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="logRetentionDays",
        description="Days the service's logs are kept. Default: dev 14, prod 365 (prod needs 90+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )

    @field_validator("health_check_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("it does not start with /")
        return value

    @field_validator("scratch_paths")
    @classmethod
    def _absolute_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for path in value:
            if not path.startswith("/") or path == "/":
                raise ValueError(f"{path!r} is not an absolute path below /")
        return value

    @field_validator("cpu")
    @classmethod
    def _fargate_cpu(cls, value: int) -> int:
        if value not in fargate.FARGATE_SIZES:
            raise ValueError(f"it is not a Fargate size; {fargate.describe_sizes()}")
        return value


class ClusterConfig(StrictModel):
    """``webstack:cluster``: the ECS cluster all services share."""

    capacity: CapacityStrategy | None = Field(
        default=None,
        description="on_demand | balanced | spot_preferred. Default: dev spot_preferred, prod on_demand "
        "(prod refuses spot_preferred: it keeps a FARGATE base).",
        json_schema_extra={"fix": "use one of on_demand, balanced, spot_preferred"},
    )
    container_insights: ContainerInsights | None = Field(
        default=None,
        alias="containerInsights",
        description="enabled | enhanced. Default: dev enabled, prod enhanced.",
        json_schema_extra={"fix": "use enabled or enhanced"},
    )
    exec_enabled: StrictBool | None = Field(
        default=None,
        alias="execEnabled",
        description="Allow ECS Exec into tasks (sessions are logged). Default: dev true, prod false.",
        json_schema_extra={"fix": "use true or false"},
    )
    exec_log_retention_days: RetentionDays = Field(
        default=365,
        alias="execLogRetentionDays",
        description="Days ECS Exec session logs are kept. Default 365.",
        json_schema_extra={"fix": RETENTION_FIX},
    )


class EdgeConfig(StrictModel):
    """``webstack:edge``: the internet-facing load balancer."""

    certificate_arn: StrictStr | None = Field(
        default=None,
        alias="certificateArn",
        description="ACM certificate for HTTPS, in the stack's region and account. Required in prod; "
        "dev without one runs HTTP-only (and says so).",
        json_schema_extra={
            "fix": "use an ACM ARN such as arn:aws:acm:eu-west-1:111111111111:certificate/<id>"
        },
    )
    access_logs: StrictBool | None = Field(
        default=None,
        alias="accessLogs",
        description="Write ALB access logs to a private S3 bucket. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false"},
    )
    access_log_expiration_days: StrictInt = Field(
        default=90,
        alias="accessLogExpirationDays",
        ge=1,
        le=3650,
        description="Days before access logs expire. Default 90.",
        json_schema_extra={"fix": "use days from 1 to 3650"},
    )
    deletion_protection: StrictBool | None = Field(
        default=None,
        alias="deletionProtection",
        description="Protect the load balancer from deletion. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false"},
    )
    idle_timeout: StrictInt = Field(
        default=60,
        alias="idleTimeout",
        ge=1,
        le=4000,
        description="Seconds an idle connection stays open. Default 60.",
        json_schema_extra={"fix": "use seconds from 1 to 4000"},
    )


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
        description="The load balancer: see the edge.* keys.",
        json_schema_extra={"fix": "make webstack:edge an object, e.g. {certificateArn: arn:aws:acm:...}"},
    )
    services: dict[StrictStr, ServiceConfig] = Field(
        default_factory=dict,
        description="Named services: see the services.<name>.* keys. Default: none (network only).",
        json_schema_extra={"fix": "make webstack:services a map of name -> {image or build, port, ...}"},
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
class NetworkSettings:
    """The network as validated; zones are resolved later against the region."""

    cidr: ipaddress.IPv4Network
    az_count: int
    availability_zones: tuple[str, ...] | None
    nat_mode: NatMode
    flow_log_retention_days: int


@dataclass(frozen=True)
class ClusterSettings:
    """The cluster as validated, environment defaults applied."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool
    exec_log_retention_days: int


@dataclass(frozen=True)
class EdgeSettings:
    """The load balancer as validated, environment defaults applied."""

    certificate_arn: str | None
    access_logs: bool
    access_log_expiration_days: int
    deletion_protection: bool
    idle_timeout: int


@dataclass(frozen=True)
class Route:
    """Which requests reach a service. Rules are evaluated by ascending priority."""

    path_patterns: tuple[str, ...]
    host_headers: tuple[str, ...]
    priority: int


@dataclass(frozen=True)
class ServiceSettings:
    """One service as validated: its config plus everything resolved from the environment."""

    name: str
    config: ServiceConfig
    desired_count: int
    min_count: int
    max_count: int
    log_retention_days: int
    route: Route
    secret_resource_arns: tuple[str, ...]
    """What the execution role may read: exactly the configured secrets."""
    build_context: Path | None
    """Absolute build context, when the image is built here."""


@dataclass(frozen=True)
class StackSettings:
    """All validated settings of one stack."""

    stack: str
    environment: Environment
    aws: AwsSettings
    network: NetworkSettings
    cluster: ClusterSettings
    edge: EdgeSettings
    services: tuple[ServiceSettings, ...]


# --- Parsing --------------------------------------------------------------------------------------

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


def _network_settings(config: NetworkConfig, environment: Environment) -> tuple[NetworkSettings, list[str]]:
    defaults = ENVIRONMENT_DEFAULTS[environment]
    problems: list[str] = []
    zones = config.availability_zones
    az_count = config.az_count
    if zones is not None and az_count is not None and az_count != len(zones):
        problems.append(
            f"webstack:network.azCount: got {az_count}, but availabilityZones lists {len(zones)} "
            "zone(s); set one of the two, not both"
        )
    if az_count is None:
        az_count = len(zones) if zones is not None else defaults.az_count
    nat_mode = config.nat_mode or defaults.nat_mode
    retention = config.flow_log_retention_days or defaults.flow_log_retention_days

    if environment is Environment.PROD:
        if az_count < PROD_MIN_ZONES:
            problems.append(
                f"webstack:network.azCount: got {az_count}, but prod needs at least {PROD_MIN_ZONES} "
                "availability zones to survive a zone outage; use 2 or more (default 3)"
            )
        if nat_mode is not NatMode.PER_AZ:
            problems.append(
                f"webstack:network.natMode: got '{nat_mode.value}', but prod must use 'per_az' so that "
                "losing one zone does not cut every zone's egress; use per_az (the prod default)"
            )
        if retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"webstack:network.flowLogRetentionDays: got {retention}, but prod keeps flow logs at "
                f"least {PROD_MIN_LOG_RETENTION_DAYS} days for incident response; use 90 or more"
            )
    settings = NetworkSettings(
        cidr=ipaddress.IPv4Network(config.cidr),
        az_count=az_count,
        availability_zones=zones,
        nat_mode=nat_mode,
        flow_log_retention_days=retention,
    )
    return settings, problems


def _cluster_settings(config: ClusterConfig, environment: Environment) -> tuple[ClusterSettings, list[str]]:
    defaults = ENVIRONMENT_DEFAULTS[environment]
    capacity = config.capacity or defaults.capacity
    problems = []
    if environment is Environment.PROD and capacity is CapacityStrategy.SPOT_PREFERRED:
        problems.append(
            "webstack:cluster.capacity: got 'spot_preferred', but prod keeps a FARGATE base so that a "
            "Spot reclaim cannot stop every task; use on_demand (default) or balanced"
        )
    exec_enabled = defaults.exec_enabled if config.exec_enabled is None else config.exec_enabled
    settings = ClusterSettings(
        capacity=capacity,
        container_insights=config.container_insights or defaults.container_insights,
        exec_enabled=exec_enabled,
        exec_log_retention_days=config.exec_log_retention_days,
    )
    return settings, problems


_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[0-9a-f-]{36}$")


def _edge_settings(
    config: EdgeConfig, environment: Environment, aws: AwsSettings
) -> tuple[EdgeSettings, list[str]]:
    defaults = ENVIRONMENT_DEFAULTS[environment]
    problems = []
    arn = config.certificate_arn
    if arn is not None:
        match = _CERTIFICATE_ARN.match(arn)
        if not match:
            problems.append(
                f"webstack:edge.certificateArn: got {json.dumps(arn)}, but it is not an ACM certificate ARN; "
                "use arn:aws:acm:<region>:<account>:certificate/<id>"
            )
        elif aws.region and match.group(1) != aws.region:
            problems.append(
                f"webstack:edge.certificateArn: got a certificate in {match.group(1)}, but a load balancer "
                f"in {aws.region} needs one from its own region; request or import it in {aws.region}"
            )
        elif aws.allowed_account_ids and match.group(2) not in aws.allowed_account_ids:
            problems.append(
                f"webstack:edge.certificateArn: got a certificate of account {match.group(2)}, which is not "
                f"in aws:allowedAccountIds {list(aws.allowed_account_ids)}; use this account's certificate"
            )
    access_logs = defaults.access_logs if config.access_logs is None else config.access_logs
    protection = (
        defaults.deletion_protection if config.deletion_protection is None else config.deletion_protection
    )
    if environment is Environment.PROD:
        if arn is None:
            problems.append(
                "webstack:edge.certificateArn: missing, but prod serves HTTPS only; set it to an ACM "
                "certificate ARN of the prod account and region"
            )
        if not access_logs:
            problems.append(
                "webstack:edge.accessLogs: got false, but prod keeps load balancer access logs for "
                "incident response; remove the key or set it to true"
            )
        if not protection:
            problems.append(
                "webstack:edge.deletionProtection: got false, but prod protects its load balancer from "
                "deletion; remove the key or set it to true"
            )
    settings = EdgeSettings(
        certificate_arn=arn,
        access_logs=access_logs,
        access_log_expiration_days=config.access_log_expiration_days,
        deletion_protection=protection,
        idle_timeout=config.idle_timeout,
    )
    return settings, problems


_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
CATCH_ALL = "/*"


def _routes(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, Route], list[str]]:
    """Each service's route, checked for clashes, with priorities: most specific first."""
    problems: list[str] = []
    claims: dict[tuple[str, str], str] = {}
    matches: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for name, service in services.items():
        routing = service.routing
        paths = routing.path_patterns if routing else (CATCH_ALL,)
        hosts = routing.host_headers if routing else ()
        matches[name] = (paths, hosts)
        for host in hosts or ("*",):
            for path in paths or (CATCH_ALL,):
                owner = claims.setdefault((host.lower(), path), name)
                if owner != name:
                    shown = f"path {path}" + (f" on host {host}" if host != "*" else "")
                    problems.append(
                        f"webstack:services.{name}.routing: claims {shown}, which "
                        f"webstack:services.{owner} already claims; give each service its own paths or hosts"
                        + (" (a service without routing takes /*)" if path == CATCH_ALL else "")
                    )

    def specificity(name: str) -> tuple[int, int, str]:
        paths, hosts = matches[name]
        longest = max((len(p.rstrip("*")) for p in paths), default=0)
        return (0 if hosts else 1, -longest, name)

    ordered = sorted(matches, key=specificity)
    routes = {
        name: Route(path_patterns=matches[name][0], host_headers=matches[name][1], priority=10 * (index + 1))
        for index, name in enumerate(ordered)
    }
    return routes, problems


def _service_settings(
    name: str, config: ServiceConfig, route: Route, environment: Environment, project_root: Path
) -> tuple[ServiceSettings, list[str]]:
    defaults = ENVIRONMENT_DEFAULTS[environment]
    key = f"webstack:services.{name}"
    problems: list[str] = []
    if not _SERVICE_NAME.match(name):
        problems.append(
            f"{key}: the name {json.dumps(name)} is not usable in AWS resource names; use 1-16 lowercase "
            "letters, digits and dashes, starting with a letter"
        )
    min_count = defaults.min_count if config.min_count is None else config.min_count
    max_count = defaults.max_count if config.max_count is None else config.max_count
    desired = config.desired_count
    if desired is None:
        desired = min(max(defaults.desired_count, min_count), max_count)
    if min_count > max_count:
        problems.append(
            f"{key}.minCount: got {min_count}, but maxCount is {max_count}; minCount must not exceed maxCount"
        )
    elif not min_count <= desired <= max_count:
        problems.append(
            f"{key}.desiredCount: got {desired}, but it must lie between minCount {min_count} and "
            f"maxCount {max_count}"
        )
    retention = config.log_retention_days or defaults.log_retention_days

    if (config.image is None) == (config.build is None):
        problems.append(
            f"{key}.image: give exactly one of image (a reference such as ghcr.io/org/app:1.2.3) or "
            "build (a Dockerfile context such as {context: app})"
        )
    if config.memory not in fargate.FARGATE_SIZES[config.cpu]:
        problems.append(
            f"{key}.memory: got {config.memory}, but Fargate does not run that with cpu {config.cpu}; "
            f"{fargate.describe_sizes(config.cpu)}"
        )
    for env_name in config.environment:
        if not fargate.ENV_NAME.match(env_name):
            problems.append(
                f"{key}.environment.{env_name}: not a valid variable name; use letters, digits, _"
            )
        elif fargate.SECRET_LIKE_NAME.search(env_name):
            problems.append(
                f"{key}.environment.{env_name}: looks like a secret given as plain text; store it in Secrets "
                f"Manager or SSM and map it under {key}.secrets.{env_name} to its ARN instead"
            )
    resources: list[str] = []
    for env_name, arn in config.secrets.items():
        resource = fargate.secret_resource_arn(arn)
        if not fargate.ENV_NAME.match(env_name):
            problems.append(f"{key}.secrets.{env_name}: not a valid variable name; use letters, digits, _")
        if env_name in config.environment:
            problems.append(f"{key}.secrets.{env_name}: also set in environment; keep it only in secrets")
        if resource is None:
            problems.append(
                f"{key}.secrets.{env_name}: got {json.dumps(arn)}, but it is not a Secrets Manager secret or "
                "SSM parameter ARN; use arn:aws:secretsmanager:<region>:<account>:secret:<name> or "
                "arn:aws:ssm:<region>:<account>:parameter/<name>"
            )
        elif resource not in resources:
            resources.append(resource)

    if config.image is not None:
        problem = fargate.image_problem(config.image, pinned=environment is Environment.PROD)
        if problem:
            problems.append(f"{key}.image: got {json.dumps(config.image)}, but {problem}")
    build_context = None
    if config.build is not None:
        build_context = (project_root / config.build.context).resolve()
        if not (build_context / config.build.dockerfile).is_file():
            problems.append(
                f"{key}.build.context: got {json.dumps(config.build.context)}, but "
                f"{config.build.dockerfile} is not a file there; point it at a directory with a Dockerfile "
                "(relative to Pulumi.yaml)"
            )

    if environment is Environment.PROD:
        if min_count < PROD_MIN_TASKS:
            problems.append(
                f"{key}.minCount: got {min_count}, but prod runs at least {PROD_MIN_TASKS} tasks so one can "
                "fail or deploy while another serves; use 2 or more"
            )
        if retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"{key}.logRetentionDays: got {retention}, but prod keeps logs at least "
                f"{PROD_MIN_LOG_RETENTION_DAYS} days; use 90 or more"
            )

    settings = ServiceSettings(
        name=name,
        config=config,
        desired_count=desired,
        min_count=min_count,
        max_count=max_count,
        log_retention_days=retention,
        route=route,
        secret_resource_arns=tuple(resources),
        build_context=build_context,
    )
    return settings, problems


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
    network, network_problems = _network_settings(webstack.network, env)
    cluster, cluster_problems = _cluster_settings(webstack.cluster, env)
    edge, edge_problems = _edge_settings(webstack.edge, env, aws)
    routes, route_problems = _routes(webstack.services)
    problems += network_problems + cluster_problems + edge_problems + route_problems
    services = []
    for name, service in webstack.services.items():
        resolved, service_problems = _service_settings(name, service, routes[name], env, project_root)
        services.append(resolved)
        problems += service_problems
    if problems:
        raise ConfigError(stack, problems)
    return StackSettings(
        stack=stack,
        environment=env,
        aws=aws,
        network=network,
        cluster=cluster,
        edge=edge,
        services=tuple(services),
    )


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
    zones = aws.get_availability_zones(state="available", region=settings.aws.region)
    resolved = resolve_zones(settings, list(zones.names))
    network = replace(settings.network, az_count=len(resolved), availability_zones=resolved)
    return replace(settings, network=network)


__all__ = [
    "ConfigError",
    "Environment",
    "NatMode",
    "NetworkConfig",
    "StackSettings",
    "WebstackConfig",
    "load_settings",
    "parse_settings",
    "resolve_zones",
]
