"""The Service component: one containerised app on Fargate, behind the edge, autoscaled.

Each service gets its own log group, roles, security group, task definition, ECS service and
scaling policies, and (when it builds its image here) its own ECR repository. The schema of
``webstack:services`` (its keys, environment defaults, routes and checks) is declared here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
from pydantic import Field, StrictInt, StrictStr, field_validator, model_validator

from components import fargate, priorities
from components.artifacts import context_tag
from components.cluster import Cluster
from components.datastore import DataStoreLink
from components.encryption import encrypted_log_group
from components.guardrails import TASK_EXECUTION_POLICY_ARN
from components.iam import service_trust
from components.naming import IAM_PATH, child_name, tags_with_name, type_token
from components.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    PROD_MIN_TASKS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

HTTPS_PORT = 443
ANYWHERE_IPV4 = "0.0.0.0/0"
ECS_TASKS = "ecs-tasks.amazonaws.com"
ECR_KEEP_IMAGES = 30
ECR_UNTAGGED_EXPIRY_DAYS = 7
EXEC_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
"""What the ECS Exec agent in a task needs; AWS does not scope these to a resource."""
STOP_TIMEOUT_SECONDS = 30


# --- Config: `webstack:services.<name>` -----------------------------------------------------------


@dataclass(frozen=True)
class ServiceDefaults:
    """The values an environment's services use for keys a stack does not set."""

    desired_count: int
    min_count: int
    max_count: int
    log_retention_days: int


SERVICE_DEFAULTS: dict[Environment, ServiceDefaults] = {
    Environment.DEV: ServiceDefaults(desired_count=1, min_count=1, max_count=2, log_retention_days=14),
    Environment.PROD: ServiceDefaults(desired_count=2, min_count=2, max_count=6, log_retention_days=365),
}


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
    priority: StrictInt | None = Field(
        default=None,
        ge=1,
        le=priorities.MAX_PRIORITY,
        description=(
            "Listener rule priority (lower is evaluated first). Default: derived from the service name "
            "and route, so it never changes when other services come and go."
        ),
        json_schema_extra={"fix": "use a whole number from 1 to 50000 that no other service uses"},
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
    database: StrictStr | None = Field(
        default=None,
        description="The webstack:databases entry the service uses: it gets DB_HOST, DB_PORT, DB_NAME, "
        "DB_USER and DB_PASSWORD, and a network path to it on 5432. Default: none.",
        json_schema_extra={"fix": "name a database declared under webstack:databases, e.g. main"},
    )
    cache: StrictStr | None = Field(
        default=None,
        description="The webstack:caches entry the service uses: it gets CACHE_HOST, CACHE_PORT, CACHE_TLS "
        "and CACHE_AUTH_TOKEN, and a network path to it on 6379. Default: none.",
        json_schema_extra={"fix": "name a cache declared under webstack:caches, e.g. main"},
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


_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
CATCH_ALL = "/*"


def service_routes(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, Route], list[str]]:
    """Each service's route, checked for clashes, with a priority that depends on that service alone.

    Priorities come from components/priorities.py (most specific first); adding or removing a service
    never renumbers another one's rule.
    """
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

    routes: dict[str, Route] = {}
    holders: dict[int, str] = {}
    for name, (paths, hosts) in matches.items():
        routing = services[name].routing
        explicit = routing.priority if routing else None
        number = explicit or priorities.priority(name, paths, hosts)
        holder = holders.setdefault(number, name)
        if holder != name:
            problems.append(
                f"webstack:services.{name}.routing.priority: {number} is also the listener rule priority "
                f"of webstack:services.{holder}; set routing.priority on one of them to a free number "
                "(rules are evaluated from the lowest number)"
            )
        routes[name] = Route(path_patterns=paths, host_headers=hosts, priority=number)
    return routes, problems


def service_settings(
    name: str, config: ServiceConfig, route: Route, environment: Environment, project_root: Path
) -> tuple[ServiceSettings, list[str]]:
    """One service with its environment's defaults applied, and every problem found."""
    defaults = SERVICE_DEFAULTS[environment]
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


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceArgs:
    """What a Service builds, and what it attaches to."""

    settings: ServiceSettings
    """The validated service config (image, port, sizes, counts, routing, secrets, statements)."""
    cluster: Cluster
    """The cluster the service runs in (capacity strategy, ECS Exec and its log group)."""
    vpc_id: pulumi.Input[str]
    """The VPC of the service's security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the tasks run in."""
    edge_security_group_id: pulumi.Input[str]
    """The only source the service admits traffic from."""
    target_group_arn: pulumi.Input[str]
    """The edge target group the tasks register in."""
    routing_ready: Sequence[pulumi.Resource]
    """Resources the ECS service must wait for (the listener rule that uses its target group)."""
    request_count_label: pulumi.Input[str] | None
    """``<alb suffix>/<target group suffix>``, for request-count scaling."""
    region: str
    """The stack's region (for the awslogs driver)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    data_stores: Sequence[DataStoreLink] = ()
    """The database and cache the service declares: their variables, secrets and network paths."""


class Service(pulumi.ComponentResource):
    """Task definition, ECS service, security group, roles, logs, autoscaling and image."""

    service_name: pulumi.Output[str]
    """The ECS service's name."""
    log_group_name: pulumi.Output[str]
    """The service's log group."""
    security_group_id: pulumi.Output[str]
    """The service's security group."""
    repository_url: pulumi.Output[str] | None
    """The service's ECR repository, when it builds its image here."""
    image: pulumi.Output[str]
    """The image the task runs."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Service"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings, config = args.settings, args.settings.config
        invoke = pulumi.InvokeOutputOptions(parent=self)

        self.repository_url = None
        self.image = self._image(name, args, child)

        log_group = encrypted_log_group(
            child_name(name, "logs"), settings.log_retention_days, args.cluster.kms_key_arn, self, args.tags
        )

        trust = service_trust(ECS_TASKS, parent=self)
        execution_role = aws.iam.Role(
            child_name(name, "execution-role"),
            description=f"ECS agent for {name}: pull the image, write logs, read its own secrets",
            assume_role_policy=trust,
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        role_policies: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                child_name(name, "execution-managed"),
                role=execution_role.name,
                policy_arn=TASK_EXECUTION_POLICY_ARN,
                opts=child,
            )
        ]
        if settings.secret_resource_arns:
            read_secrets = aws.iam.get_policy_document_output(
                statements=_secret_read_statements(settings), opts=invoke
            )
            role_policies.append(
                aws.iam.RolePolicy(
                    child_name(name, "execution-secrets"),
                    role=execution_role.id,
                    policy=read_secrets.json,
                    opts=child,
                )
            )

        role_policies += self._data_store_access(name, args, execution_role, invoke, child)

        task_role = aws.iam.Role(
            child_name(name, "task-role"),
            description=f"The {name} app itself: only the statements its config lists",
            assume_role_policy=trust,
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        if config.task_policy_statements:
            app_policy = aws.iam.get_policy_document_output(
                statements=[
                    aws.iam.GetPolicyDocumentStatementArgs(
                        effect=statement.effect,
                        actions=list(statement.actions),
                        resources=list(statement.resources),
                    )
                    for statement in config.task_policy_statements
                ],
                opts=invoke,
            )
            role_policies.append(
                aws.iam.RolePolicy(
                    child_name(name, "task-policy"), role=task_role.id, policy=app_policy.json, opts=child
                )
            )
        if args.cluster.exec_enabled:
            exec_policy = aws.iam.get_policy_document_output(
                statements=pulumi.Output.all(args.cluster.exec_log_group_arn, args.cluster.kms_key_arn).apply(
                    lambda arns: _exec_statements(*arns)
                ),
                opts=invoke,
            )
            role_policies.append(
                aws.iam.RolePolicy(
                    child_name(name, "task-exec"), role=task_role.id, policy=exec_policy.json, opts=child
                )
            )

        security_group = self._security_group(name, args, child)
        self._data_store_paths(name, args, security_group, child)

        task_definition = aws.ecs.TaskDefinition(
            child_name(name, "task"),
            family=f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}",
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(config.cpu),
            memory=str(config.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX",
                cpu_architecture="ARM64"
                if config.build and config.build.platform == "linux/arm64"
                else "X86_64",
            ),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            volumes=[
                aws.ecs.TaskDefinitionVolumeArgs(name=_scratch_volume(i))
                for i in range(len(writable_paths(config.scratch_paths, args.cluster.exec_enabled)))
            ],
            container_definitions=pulumi.Output.json_dumps(
                [
                    _container_definition(
                        name,
                        settings,
                        self.image,
                        log_group.name,
                        args.region,
                        args.cluster.exec_enabled,
                        args.data_stores,
                    )
                ]
            ),
            tags=args.tags,
            opts=child,
        )

        service = aws.ecs.Service(
            child_name(name, "service"),
            cluster=args.cluster.arn,
            task_definition=task_definition.arn,
            desired_count=settings.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider=provider, base=base, weight=weight
                )
                for provider, base, weight in args.cluster.capacity_strategy
            ],
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.subnet_ids),
                security_groups=[security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.target_group_arn, container_name=name, container_port=config.port
                )
            ],
            health_check_grace_period_seconds=config.health_check_grace_period,
            # Zero-downtime rolling deploys: start new tasks first, never drop below the current count,
            # and roll back automatically when new tasks keep failing.
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            # `pulumi up` waits until the rollout settles, so a rolled-back deploy fails visibly.
            wait_for_steady_state=True,
            # The provider refuses to change a capacity provider strategy (webstack:cluster.capacity)
            # without a forced deployment (terraform-provider-aws PR 43533); it only takes effect
            # when something else changes, so an unchanged `pulumi up` still deploys nothing.
            force_new_deployment=True,
            enable_execute_command=args.cluster.exec_enabled,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # Autoscaling owns the task count once the service exists.
                ignore_changes=["desiredCount"],
                depends_on=[*args.routing_ready, args.cluster.capacity_providers, *role_policies],
            ),
        )

        self._autoscaling(name, args, service, child)

        self.service_name = service.name
        self.log_group_name = log_group.name
        self.security_group_id = security_group.id
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "logGroupName": self.log_group_name,
                "securityGroupId": self.security_group_id,
                "image": self.image,
                "repositoryUrl": self.repository_url,
            }
        )

    def _image(self, name: str, args: ServiceArgs, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        """The configured image, or one built from the context into the service's own repository."""
        settings, config = args.settings, args.settings.config
        if config.build is None or settings.build_context is None:
            return pulumi.Output.from_input(config.image or "")
        repository = aws.ecr.Repository(
            child_name(name, "repo"),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS")],
            force_delete=False,
            tags=tags_with_name(child_name(name, "repo"), args.tags),
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            child_name(name, "repo-lifecycle"),
            repository=repository.name,
            policy=json.dumps(ECR_LIFECYCLE_POLICY),
            opts=child,
        )
        # Paths relative to the project (the CLI runs there): absolute ones differ between a laptop
        # and CI, which makes docker-build rebuild and push a tag ECR already holds immutably.
        context = PurePosixPath(config.build.context)
        image = awsx.ecr.Image(
            child_name(name, "image"),
            repository_url=repository.repository_url,
            context=context.as_posix(),
            dockerfile=(context / config.build.dockerfile).as_posix(),
            platform=config.build.platform,
            image_tag=context_tag(
                settings.build_context, config.build.dockerfile, config.build.platform, service=name
            ),
            opts=child,
        )
        self.repository_url = repository.repository_url
        return image.image_uri

    def _security_group(
        self, name: str, args: ServiceArgs, child: pulumi.ResourceOptions
    ) -> aws.ec2.SecurityGroup:
        """Admits only the edge, on the container port; sends only HTTPS out (image pulls, AWS APIs)."""
        port = args.settings.config.port
        security_group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description=f"{name} tasks: in only from the edge on {port}; out only HTTPS",
            tags=tags_with_name(child_name(name, "sg"), args.tags),
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            child_name(name, "in-from-edge"),
            security_group_id=security_group.id,
            description="From the edge load balancer",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=args.edge_security_group_id,
            tags=args.tags,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            child_name(name, "out-https"),
            security_group_id=security_group.id,
            description="HTTPS to AWS APIs, the image registry and the internet via NAT",
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            cidr_ipv4=ANYWHERE_IPV4,
            tags=args.tags,
            opts=child,
        )
        # The edge may send to this service, on this port, and to nothing else.
        aws.vpc.SecurityGroupEgressRule(
            child_name(name, "edge-out"),
            security_group_id=args.edge_security_group_id,
            description=f"To the {name} tasks",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group.id,
            tags=args.tags,
            opts=child,
        )
        return security_group

    def _data_store_access(
        self,
        name: str,
        args: ServiceArgs,
        execution_role: aws.iam.Role,
        invoke: pulumi.InvokeOutputOptions,
        child: pulumi.ResourceOptions,
    ) -> list[pulumi.Resource]:
        """The execution role may read exactly each declared store's secret and decrypt with exactly its
        key (the secrets use customer-managed keys, so GetSecretValue alone fails)."""
        if not args.data_stores:
            return []
        statements = pulumi.Output.all(
            secrets=[link.secret_arn for link in args.data_stores],
            keys=[link.key_arn for link in args.data_stores],
        ).apply(
            lambda arns: [
                aws.iam.GetPolicyDocumentStatementArgs(
                    effect="Allow", actions=["secretsmanager:GetSecretValue"], resources=arns["secrets"]
                ),
                aws.iam.GetPolicyDocumentStatementArgs(
                    effect="Allow", actions=["kms:Decrypt"], resources=arns["keys"]
                ),
            ]
        )
        document = aws.iam.get_policy_document_output(statements=statements, opts=invoke)
        return [
            aws.iam.RolePolicy(
                child_name(name, "execution-data"), role=execution_role.id, policy=document.json, opts=child
            )
        ]

    def _data_store_paths(
        self,
        name: str,
        args: ServiceArgs,
        security_group: aws.ec2.SecurityGroup,
        child: pulumi.ResourceOptions,
    ) -> None:
        """To each declared store and nothing more: egress from the tasks to the store's group on its
        port, and the matching ingress on the store's group (security-group references, never CIDRs)."""
        for link in args.data_stores:
            aws.vpc.SecurityGroupEgressRule(
                child_name(name, f"to-{link.kind}-{link.name}"),
                security_group_id=security_group.id,
                description=f"To the {link.name} {link.kind}",
                ip_protocol="tcp",
                from_port=link.port,
                to_port=link.port,
                referenced_security_group_id=link.security_group_id,
                tags=args.tags,
                opts=child,
            )
            aws.vpc.SecurityGroupIngressRule(
                child_name(name, f"{link.kind}-{link.name}-in"),
                security_group_id=link.security_group_id,
                description=f"From the {name} tasks",
                ip_protocol="tcp",
                from_port=link.port,
                to_port=link.port,
                referenced_security_group_id=security_group.id,
                tags=args.tags,
                opts=child,
            )

    def _autoscaling(
        self, name: str, args: ServiceArgs, service: aws.ecs.Service, child: pulumi.ResourceOptions
    ) -> None:
        """Target tracking on CPU, and optionally memory and requests per task."""
        settings, scaling = args.settings, args.settings.config.autoscaling
        target = aws.appautoscaling.Target(
            child_name(name, "scaling"),
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", args.cluster.cluster_name, "/", service.name),
            min_capacity=settings.min_count,
            max_capacity=settings.max_count,
            tags=args.tags,
            opts=child,
        )
        metrics: list[tuple[str, str, float, pulumi.Input[str] | None]] = [
            ("cpu", "ECSServiceAverageCPUUtilization", scaling.cpu_target, None)
        ]
        if scaling.memory_target is not None:
            metrics.append(("memory", "ECSServiceAverageMemoryUtilization", scaling.memory_target, None))
        if scaling.requests_per_target is not None and args.request_count_label is not None:
            metrics.append(
                (
                    "requests",
                    "ALBRequestCountPerTarget",
                    scaling.requests_per_target,
                    args.request_count_label,
                )
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
                    scale_in_cooldown=scaling.scale_in_cooldown,
                    scale_out_cooldown=scaling.scale_out_cooldown,
                ),
                opts=child,
            )


ECR_LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {ECR_UNTAGGED_EXPIRY_DAYS} days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": ECR_UNTAGGED_EXPIRY_DAYS,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the newest {ECR_KEEP_IMAGES} images",
            "selection": {
                "tagStatus": "any",
                "countType": "imageCountMoreThan",
                "countNumber": ECR_KEEP_IMAGES,
            },
            "action": {"type": "expire"},
        },
    ]
}


def writable_paths(scratch_paths: Sequence[str], exec_enabled: bool) -> tuple[str, ...]:
    """The container's writable volumes: its scratch paths, plus the Exec agent's when Exec is on."""
    extra = fargate.EXEC_AGENT_PATHS if exec_enabled else ()
    return tuple(dict.fromkeys((*scratch_paths, *extra)))


def _scratch_volume(index: int) -> str:
    return f"scratch-{index}"


def _secret_read_statements(settings: ServiceSettings) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """Read exactly the configured secrets and parameters, nothing else."""
    secrets = [arn for arn in settings.secret_resource_arns if ":secretsmanager:" in arn]
    parameters = [arn for arn in settings.secret_resource_arns if ":ssm:" in arn]
    statements = []
    if secrets:
        statements.append(
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow", actions=["secretsmanager:GetSecretValue"], resources=secrets
            )
        )
    if parameters:
        statements.append(
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow", actions=["ssm:GetParameters"], resources=parameters
            )
        )
    return statements


def _exec_statements(exec_log_group_arn: str, key_arn: str) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """The ECS Exec agent's channels, and writing session logs to the cluster's exec log group."""
    return [
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=list(EXEC_ACTIONS), resources=["*"]),
        # Sessions are encrypted with the stack key: the agent in the task decrypts the channel
        # (aws/containers-roadmap #1359; AWS ECS "ecs-exec.html", encryption with your own key).
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=["kms:Decrypt"], resources=[key_arn]),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            resources=[f"{exec_log_group_arn}:*"],
        ),
        # The agent checks that the session log group exists; this call has no resource scope.
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow", actions=["logs:DescribeLogGroups"], resources=["*"]
        ),
    ]


def _container_definition(
    name: str,
    settings: ServiceSettings,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: str,
    exec_enabled: bool,
    data_stores: Sequence[DataStoreLink] = (),
) -> dict[str, Any]:
    """The one container of the task: hardened, logging to its group, secrets only via valueFrom."""
    config = settings.config
    environment: dict[str, Any] = dict(config.environment)
    secrets: dict[str, Any] = dict(config.secrets)
    for link in data_stores:
        environment.update(link.environment)
        secrets.update(link.secrets)
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": config.port, "protocol": "tcp"}],
        "readonlyRootFilesystem": True,
        "privileged": False,
        "linuxParameters": {"initProcessEnabled": True},
        "stopTimeout": STOP_TIMEOUT_SECONDS,
        "mountPoints": [
            {"sourceVolume": _scratch_volume(i), "containerPath": path, "readOnly": False}
            for i, path in enumerate(writable_paths(config.scratch_paths, exec_enabled))
        ],
        "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
        "secrets": [{"name": key, "valueFrom": arn} for key, arn in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": name,
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    }
    if config.container_health_check is not None:
        check = config.container_health_check
        container["healthCheck"] = {
            "command": list(check.command),
            "interval": check.interval,
            "timeout": check.timeout,
            "retries": check.retries,
            "startPeriod": check.start_period,
        }
    return container
