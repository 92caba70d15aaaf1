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

from stack.observability import ServiceAlarmsConfig
from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    PROD_MIN_TASKS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

from .alarms import DEPLOYMENT_ALARM_ROLES, create_alarms, stack_prefix, target_alarms, task_alarms
from .cluster import Cluster
from .datastore import DataStoreLink
from .encryption import encrypted_log_group
from .iam import service_trust
from .network import security_group_path
from .observability import ServiceMonitoring, app_errors_metric
from .pure import fargate, priorities, schedules
from .pure.artifacts import context_tag
from .pure.frontdoor import (
    HEALTH_CHECK_INTERVAL_SECONDS,
    HEALTH_CHECK_MATCHER,
    HEALTH_CHECK_TIMEOUT_SECONDS,
    HEALTHY_THRESHOLD,
    UNHEALTHY_THRESHOLD,
)
from .pure.guardrails import ADMIN_PORTS, TASK_EXECUTION_POLICY_ARN
from .pure.naming import IAM_PATH, child_name, member_name, reserved_by, tags_with_name, type_token
from .queue import CONSUMER_ACTIONS, DLQ_RETENTION_SECONDS, SENDER_ACTIONS

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
    backlog_per_task: StrictInt | None = Field(
        default=None,
        alias="backlogPerTask",
        ge=1,
        description="Visible messages per running task to hold, on the queue the service consumes. "
        "Default: not tracked.",
        json_schema_extra={"fix": "use a whole number of messages, e.g. 10"},
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


class HealthCheckConfig(StrictModel):
    """``services.<name>.healthCheck``: how the load balancer judges a task (the path: healthCheckPath)."""

    interval: StrictInt = Field(
        default=HEALTH_CHECK_INTERVAL_SECONDS,
        ge=5,
        le=300,
        description=f"Seconds between checks (5-300). Default {HEALTH_CHECK_INTERVAL_SECONDS}.",
        json_schema_extra={"fix": "use seconds from 5 to 300"},
    )
    timeout: StrictInt = Field(
        default=HEALTH_CHECK_TIMEOUT_SECONDS,
        ge=2,
        le=120,
        description=f"Seconds without an answer that fail a check (2-120, below interval). "
        f"Default {HEALTH_CHECK_TIMEOUT_SECONDS}.",
        json_schema_extra={"fix": "use seconds from 2 to 120, less than interval"},
    )
    healthy_threshold: StrictInt = Field(
        default=HEALTHY_THRESHOLD,
        alias="healthyThreshold",
        ge=2,
        le=10,
        description=f"Passed checks before a task gets traffic (2-10). Default {HEALTHY_THRESHOLD}.",
        json_schema_extra={"fix": "use a count from 2 to 10"},
    )
    unhealthy_threshold: StrictInt = Field(
        default=UNHEALTHY_THRESHOLD,
        alias="unhealthyThreshold",
        ge=2,
        le=10,
        description=f"Failed checks before a task is replaced (2-10). Default {UNHEALTHY_THRESHOLD}.",
        json_schema_extra={"fix": "use a count from 2 to 10"},
    )
    matcher: StrictStr = Field(
        default=HEALTH_CHECK_MATCHER,
        description=f"HTTP codes that count as healthy, e.g. 200 or 200,204 or 200-299 (200-499). "
        f"Default {HEALTH_CHECK_MATCHER}.",
        json_schema_extra={"fix": "use codes from 200 to 499, e.g. 200 or 200-299"},
    )

    @field_validator("matcher")
    @classmethod
    def _http_codes(cls, value: str) -> str:
        # ALB HTTP target groups take codes 200-499 as a list or range (CreateTargetGroup Matcher.HttpCode).
        for part in value.split(","):
            bounds = part.split("-")
            if len(bounds) > 2 or not all(b.isdigit() and 200 <= int(b) <= 499 for b in bounds):
                raise ValueError(f"{part!r} is not an HTTP code or range from 200 to 499")
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheckConfig:
        # ELB: "Health check timeout must be smaller than the interval" (CreateTargetGroup).
        if self.timeout >= self.interval:
            raise ValueError(
                f"timeout {self.timeout} must be smaller than interval {self.interval}; lower the "
                "timeout or raise the interval"
            )
        return self


SCHEDULE_RETRIES = 2
"""How often EventBridge Scheduler retries a RunTask that failed before the event goes to the DLQ."""


class ScheduleConfig(StrictModel):
    """``services.<name>.schedules[]``: one task EventBridge Scheduler starts on a cron or rate."""

    name: StrictStr = Field(
        description="Name of the schedule, unique within the service (required).",
        json_schema_extra={"fix": "use 1-32 lowercase letters, digits and dashes, e.g. nightly"},
    )
    expression: StrictStr = Field(
        description="cron(min hour day-of-month month day-of-week year) or rate(value unit) (required).",
        json_schema_extra={"fix": 'use e.g. "cron(0 3 * * ? *)" or "rate(15 minutes)"'},
    )
    command: tuple[StrictStr, ...] | None = Field(
        default=None,
        description="Command of the scheduled run (a container override). Default: the service's command.",
        json_schema_extra={"fix": "give a list of strings, e.g. [python, server.py, job]"},
    )
    timezone: StrictStr = Field(
        default="UTC",
        description="IANA time zone a cron expression is read in. Default UTC.",
        json_schema_extra={"fix": "use an IANA zone such as Europe/Paris"},
    )
    retries: StrictInt = Field(
        default=SCHEDULE_RETRIES,
        ge=0,
        le=185,
        description=f"Retries of a failed start before the event goes to the dead-letter queue (0-185). "
        f"Default {SCHEDULE_RETRIES}.",
        json_schema_extra={"fix": "use a count from 0 to 185"},
    )

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        if not _SCHEDULE_NAME.match(value):
            raise ValueError("use 1-32 lowercase letters, digits and dashes, starting with a letter")
        return value

    @field_validator("expression")
    @classmethod
    def _aws_expression(cls, value: str) -> str:
        problem = schedules.expression_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        problem = schedules.timezone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


_SCHEDULE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


class ExtraPortConfig(StrictModel):
    """``services.<name>.extraPorts[]``: a second container port with its own target group and route."""

    name: StrictStr = Field(
        description="Name of the port, unique in the service; names its target group (required).",
        json_schema_extra={"fix": "use 1-16 lowercase letters, digits and dashes, e.g. admin"},
    )
    port: StrictInt = Field(
        ge=1,
        le=65535,
        description="Container port (required; not the service's main port).",
        json_schema_extra={"fix": "use a port from 1 to 65535"},
    )
    routing: RoutingConfig = Field(
        description="Paths and/or hosts routed to this port (required: the catch-all belongs to a service).",
        json_schema_extra={"fix": "give routing: {pathPatterns: [/admin/*]}"},
    )
    health_check_path: StrictStr = Field(
        default="/",
        alias="healthCheckPath",
        description="Path the load balancer checks on this port. Default /.",
        json_schema_extra={"fix": "use a path that starts with /, e.g. /health"},
    )

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        if not _SCHEDULE_NAME.match(value) or len(value) > 16:
            raise ValueError("use 1-16 lowercase letters, digits and dashes, starting with a letter")
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
    port: StrictInt | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Container port the app listens on. Default: none, a worker with no route, target "
        "group or inbound rule.",
        json_schema_extra={"fix": "use a port from 1 to 65535, or leave it out for a worker"},
    )
    command: tuple[StrictStr, ...] | None = Field(
        default=None,
        description="Replaces the image's CMD, e.g. [python, server.py]. Default: the image's.",
        json_schema_extra={"fix": "give a list of strings, e.g. [python, server.py]"},
    )
    entry_point: tuple[StrictStr, ...] | None = Field(
        default=None,
        alias="entryPoint",
        description="Replaces the image's ENTRYPOINT. Default: the image's.",
        json_schema_extra={"fix": "give a list of strings, e.g. [/bin/app]"},
    )
    working_directory: StrictStr | None = Field(
        default=None,
        alias="workingDirectory",
        description="Directory the command runs in. Default: the image's WORKDIR.",
        json_schema_extra={"fix": "use an absolute container path, e.g. /srv"},
    )
    user: StrictStr | None = Field(
        default=None,
        description="User (name, uid or uid:gid) the container runs as. Default: the image's USER.",
        json_schema_extra={"fix": "use e.g. 10001 or 10001:10001 (root is refused)"},
    )
    health_check: HealthCheckConfig = Field(
        default_factory=lambda: HealthCheckConfig(),
        alias="healthCheck",
        description="Timing and matcher of the load balancer's check (the path is healthCheckPath).",
        json_schema_extra={"fix": "give healthCheck: {interval: 10, timeout: 5}"},
    )
    extra_ports: tuple[ExtraPortConfig, ...] = Field(
        default=(),
        alias="extraPorts",
        description="More container ports, each with its own target group and route. Default: none.",
        json_schema_extra={"fix": "give [{name: admin, port: 9091, routing: {pathPatterns: [/admin/*]}}]"},
    )
    calls: tuple[StrictStr, ...] = Field(
        default=(),
        description="Services this one calls over Service Connect (http://<name>:<port>). Default: none.",
        json_schema_extra={"fix": "list service names of this stack, e.g. [api]"},
    )
    schedules: tuple[ScheduleConfig, ...] = Field(
        default=(),
        description="Tasks EventBridge Scheduler runs from this service's task definition. Default: none.",
        json_schema_extra={"fix": 'give [{name: nightly, expression: "cron(0 3 * * ? *)"}]'},
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
    secrets_kms_key_arns: tuple[StrictStr, ...] = Field(
        default=(),
        alias="secretsKmsKeyArns",
        description=(
            "Customer-managed KMS keys that encrypt the service's Secrets Manager secrets; the "
            "execution role may decrypt with exactly these, through Secrets Manager only. Default none "
            "(secrets under the AWS-managed key need no grant)."
        ),
        json_schema_extra={"fix": "list key ARNs such as arn:aws:kms:eu-west-1:111111111111:key/<key id>"},
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
    alarms: ServiceAlarmsConfig = Field(
        default_factory=ServiceAlarmsConfig,
        description="When the service's alarms fire: see the alarms.* keys (used when alarms are on).",
        json_schema_extra={"fix": "give alarms: {errorRatePercent: 5}"},
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


def _worker_problems(key: str, config: ServiceConfig) -> list[str]:
    """A worker (no port) has nothing the load balancer could route to or check."""
    if config.port is not None:
        return []
    http_only = {
        "routing": "routing",
        "health_check_path": "healthCheckPath",
        "health_check": "healthCheck",
        "health_check_grace_period": "healthCheckGracePeriod",
        "extra_ports": "extraPorts",
    }
    problems = [
        f"{key}.{alias}: set on a worker (no port), which gets no load balancer route or check; give "
        f"{key}.port for an HTTP service, or remove {alias}"
        for field_name, alias in http_only.items()
        if field_name in config.model_fields_set
    ]
    if config.autoscaling.requests_per_target is not None:
        problems.append(
            f"{key}.autoscaling.requestsPerTarget: set on a worker (no port), which gets no requests; "
            "scale it on cpuTarget or backlogPerTask instead"
        )
    return problems


_ROOT_USERS = ("root", "0")


def _container_problems(key: str, config: ServiceConfig) -> list[str]:
    """Container options ECS would accept but that break the hardening or fail at start."""
    problems = []
    if config.user is not None and config.user.split(":")[0] in _ROOT_USERS:
        problems.append(
            f"{key}.user: got {json.dumps(config.user)}, but webstack never runs containers as root; use "
            "an unprivileged uid such as 10001"
        )
    if config.working_directory is not None and not config.working_directory.startswith("/"):
        problems.append(
            f"{key}.workingDirectory: got {json.dumps(config.working_directory)}, but it must be an "
            "absolute container path such as /srv"
        )
    for index, extra in enumerate(config.extra_ports):
        if extra.port in ADMIN_PORTS:
            problems.append(
                f"{key}.extraPorts[{index}].port: got {extra.port}, an admin port (SSH/RDP) that webstack "
                "never opens, not even to the load balancer; serve it on another port such as 8081"
            )
        route = f"{key.rsplit('.', 1)[-1]}-{extra.name}"
        if len(route) > ROUTE_KEY_MAX:
            problems.append(
                f"{key}.extraPorts[{index}].name: {json.dumps(extra.name)} makes the target group "
                f"edge-tg-{route}, longer than AWS's 32 characters once Pulumi adds its 8-character suffix; "
                f"keep service name + port name within {ROUTE_KEY_MAX - 1} characters"
            )
    ports = [config.port, *(extra.port for extra in config.extra_ports)]
    names = [extra.name for extra in config.extra_ports]
    if config.port is not None and (len(set(ports)) != len(ports) or len(set(names)) != len(names)):
        problems.append(
            f"{key}.extraPorts: got ports {ports} named {names}, but each port and each name must differ "
            "from the others and from port; give each extra port its own number and name"
        )
    for option, value in (("command", config.command), ("entryPoint", config.entry_point)):
        if value is not None and not value:
            problems.append(f"{key}.{option}: got [], but an empty list runs nothing; remove the key")
    return problems


def service_calls(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Who calls each service (callee -> callers), and every call that cannot work.

    A call needs a callee in this stack with a port (Service Connect serves that port), never the
    caller itself, and no cycle: callers deploy after their callees, because only tasks started after
    the callee's deployment can resolve it (AWS ``service-connect-concepts-deploy.html``).
    """
    problems: list[str] = []
    callers: dict[str, list[str]] = {name: [] for name in services}
    for name, service in services.items():
        for callee in service.calls:
            key = f"webstack:services.{name}.calls"
            if callee == name:
                problems.append(f"{key}: lists {name} itself; a service calls itself on localhost, remove it")
            elif callee not in services:
                known = ", ".join(sorted(n for n in services if n != name)) or "none"
                problems.append(
                    f"{key}: got {json.dumps(callee)}, but no service has that name; call one of: {known}"
                )
            elif services[callee].port is None:
                problems.append(
                    f"{key}: got {json.dumps(callee)}, but {callee} is a worker (no port) and serves "
                    f"nothing; give webstack:services.{callee}.port or remove the call"
                )
            elif name in callers[callee]:
                problems.append(f"{key}: lists {callee} twice; list it once")
            else:
                callers[callee].append(name)
    cycle = _call_cycle(services)
    if cycle:
        problems.append(
            f"webstack:services.{cycle[0]}.calls: the calls form a cycle ({' -> '.join(cycle)}); callers "
            "deploy after the services they call, so one of these calls must go (or go through a queue)"
        )
    return {callee: tuple(sorted(names)) for callee, names in callers.items() if names}, problems


def _call_cycle(services: Mapping[str, ServiceConfig]) -> list[str] | None:
    """A cycle of calls between existing services, as ``[a, b, a]``, or None."""
    edges = {
        name: [c for c in service.calls if c in services and c != name] for name, service in services.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def call_order(services: Sequence[ServiceSettings]) -> list[ServiceSettings]:
    """Services with every callee before its callers (the config loader refuses cycles)."""
    by_name = {service.name: service for service in services}
    ordered: list[ServiceSettings] = []
    placed: set[str] = set()

    def place(service: ServiceSettings) -> None:
        if service.name in placed:
            return
        placed.add(service.name)
        for callee in service.config.calls:
            if callee in by_name:
                place(by_name[callee])
        ordered.append(service)

    for service in services:
        place(service)
    return ordered


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
    route: Route | None
    """Its listener rule; None for a worker (no port)."""
    secret_resource_arns: tuple[str, ...]
    """What the execution role may read: exactly the configured secrets."""
    build_context: Path | None
    """Absolute build context, when the image is built here."""
    extra_routes: tuple[tuple[ExtraPortConfig, Route], ...] = ()
    """Each extra port with its listener rule (target group ``edge-tg-<service>-<port name>``)."""
    called_by: tuple[str, ...] = ()
    """Services that call this one over Service Connect (it then serves its port there)."""
    consumes: str | None = None
    """The queue this service consumes (``webstack:queues.<name>.consumer``), if any."""
    delete_images_with_repository: bool = False
    """dev: destroying the stack deletes the ECR repository with its images; prod keeps them."""

    @property
    def port(self) -> int | None:
        """The container port; None for a worker (no target group, no route, no HTTP alarms)."""
        return self.config.port

    @property
    def is_worker(self) -> bool:
        """A service without a port: nothing reaches it from the edge."""
        return self.config.port is None


_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
ROUTE_KEY_MAX = 16
"""Longest route key (service, or ``<service>-<port name>``): the target group ``edge-tg-<key>`` plus
the provider's ``-`` and 7 random characters must fit AWS's 32 (plan/engine.py AUTONAME_MAX_LENGTH)."""
CATCH_ALL = "/*"


def route_key(service: str, port: ExtraPortConfig | None = None) -> str:
    """What names a route, its rule and its target group: the service, or ``<service>-<port name>``."""
    return service if port is None else f"{service}-{port.name}"


def route_config_keys(services: Mapping[str, ServiceConfig]) -> dict[str, str]:
    """Route name (:func:`route_key`) -> the config key its ``routing`` sits under, for messages:
    ``webstack:services.<service>`` or ``webstack:services.<service>.extraPorts[<index>]``."""
    keys = {}
    for name, service in services.items():
        keys[route_key(name)] = f"webstack:services.{name}"
        for index, port in enumerate(service.extra_ports):
            keys[route_key(name, port)] = f"webstack:services.{name}.extraPorts[{index}]"
    return keys


def service_routes(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, Route], list[str]]:
    """Each route (a service's, and one per extra port), checked for clashes, with a priority that
    depends on that route alone. Keys: :func:`route_key`.

    Priorities come from components/pure/priorities.py (most specific first); adding or removing a service
    never renumbers another one's rule.
    """
    problems: list[str] = []
    claims: dict[tuple[str, str], str] = {}
    matches: dict[str, tuple[tuple[str, ...], tuple[str, ...], RoutingConfig | None, str]] = {}
    for name, service in services.items():
        if service.port is None:
            continue  # a worker has no route (service_settings refuses routing on one)
        entries: list[tuple[str, RoutingConfig | None, str]] = [
            (route_key(name), service.routing, f"webstack:services.{name}")
        ]
        for index, port in enumerate(service.extra_ports):
            key = route_key(name, port)
            if key in services:
                problems.append(
                    f"webstack:services.{name}.extraPorts[{index}].name: {key} is also a service's name "
                    "and would share its target group name; rename the port"
                )
            entries.append((key, port.routing, f"webstack:services.{name}.extraPorts[{index}]"))
        for key, routing, config_key in entries:
            paths = routing.path_patterns if routing else (CATCH_ALL,)
            hosts = routing.host_headers if routing else ()
            matches[key] = (paths, hosts, routing, config_key)
            for host in hosts or ("*",):
                for path in paths or (CATCH_ALL,):
                    owner = claims.setdefault((host.lower(), path), config_key)
                    if owner != config_key:
                        shown = f"path {path}" + (f" on host {host}" if host != "*" else "")
                        problems.append(
                            f"{config_key}.routing: claims {shown}, which {owner} already claims; give each "
                            "service its own paths or hosts"
                            + (" (a service without routing takes /*)" if path == CATCH_ALL else "")
                        )

    routes: dict[str, Route] = {}
    holders: dict[int, str] = {}
    for key, (paths, hosts, routing, config_key) in matches.items():
        explicit = routing.priority if routing else None
        number = explicit or priorities.priority(key, paths, hosts)
        holder = holders.setdefault(number, config_key)
        if holder != config_key:
            problems.append(
                f"{config_key}.routing.priority: {number} is also the listener rule priority "
                f"of {holder}; set routing.priority on one of them to a free number "
                "(rules are evaluated from the lowest number)"
            )
        routes[key] = Route(path_patterns=paths, host_headers=hosts, priority=number)
    return routes, problems


def service_settings(
    name: str, config: ServiceConfig, route: Route | None, environment: Environment, project_root: Path
) -> tuple[ServiceSettings, list[str]]:
    """One service with its environment's defaults applied, and every problem found."""
    defaults = SERVICE_DEFAULTS[environment]
    key = f"webstack:services.{name}"
    problems: list[str] = []
    if config.port in ADMIN_PORTS:
        problems.append(
            f"{key}.port: got {config.port}, an admin port (SSH/RDP) that webstack never opens, not even to "
            "the load balancer; serve the app on another port such as 8080"
        )
    if not _SERVICE_NAME.match(name):
        problems.append(
            f"{key}: the name {json.dumps(name)} is not usable in AWS resource names; use 1-16 lowercase "
            "letters, digits and dashes, starting with a letter"
        )
    elif (component := reserved_by(name)) is not None:
        problems.append(
            f"{key}: the name {json.dumps(name)} is reserved: the {component} component's resources are "
            f"named {component}-*, and a service's would collide with them; rename the service "
            f"(e.g. {json.dumps(f'app-{name}'[:16])})"
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
    problems += _worker_problems(key, config)
    problems += _container_problems(key, config)
    names = [schedule.name for schedule in config.schedules]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{key}.schedules: two schedules are named {duplicate!r}; give each its own name")

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
        elif not fargate.is_complete_secret_arn(resource):
            problems.append(
                f"{key}.secrets.{env_name}: got {json.dumps(arn)}, a partial ARN without the 6-character "
                "suffix AWS adds to every secret; IAM matches the full ARN, so the task would be denied at "
                "start. Use the full ARN (aws secretsmanager describe-secret --secret-id NAME --query ARN)"
            )
        elif resource not in resources:
            resources.append(resource)
    for index, key_arn in enumerate(config.secrets_kms_key_arns):
        if not fargate.is_kms_key_arn(key_arn):
            problems.append(
                f"{key}.secretsKmsKeyArns[{index}]: got {json.dumps(key_arn)}, but it is not a KMS key "
                "ARN; use arn:aws:kms:<region>:<account>:key/<key id> (aliases cannot be granted)"
            )
    if config.secrets_kms_key_arns and not any(":secretsmanager:" in arn for arn in resources):
        problems.append(
            f"{key}.secretsKmsKeyArns: set, but the service reads no Secrets Manager secret; remove it"
        )

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
        delete_images_with_repository=environment is Environment.DEV,
    )
    return settings, problems


# --- The component --------------------------------------------------------------------------------

SERVICE_CONNECT_PORT_NAME = "http"
"""The name of the port a called service serves over Service Connect (``portMappings[].name``)."""
SCHEDULER = "scheduler.amazonaws.com"
SCHEDULE_MAX_EVENT_AGE_SECONDS = 3600
"""A scheduled start still failing after an hour goes to the dead-letter queue instead."""


@dataclass(frozen=True)
class Callee:
    """A service this one calls over Service Connect."""

    name: str
    security_group_id: pulumi.Input[str]
    """The callee's task security group: the pair's rules reference it."""
    port: int
    """The callee's container port (Envoy serves Service Connect on it)."""
    service: pulumi.Resource
    """The callee's ECS service: callers deploy after it, or their tasks cannot resolve it."""


@dataclass(frozen=True)
class QueueAccess:
    """A queue a service consumes or sends to."""

    name: str
    arn: pulumi.Input[str]
    url: pulumi.Input[str]
    """What the app sends to or receives from (``QUEUE_URL`` / ``QUEUE_URL_<NAME>`` in its environment)."""
    queue_name: pulumi.Input[str]
    """The ``QueueName`` metric dimension (backlog scaling)."""


@dataclass(frozen=True)
class ServiceArgs:
    """What a Service builds, and what it attaches to."""

    settings: ServiceSettings
    """The validated service config (image, port, sizes, counts, routing, secrets, statements)."""
    cluster: Cluster
    """The cluster the service runs in (capacity strategy, ECS Exec, Service Connect namespace)."""
    vpc_id: pulumi.Input[str]
    """The VPC of the service's security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the tasks (and its scheduled tasks) run in."""
    edge_security_group_id: pulumi.Input[str] | None
    """The edge's security group, the only internet-side source; None for a worker."""
    target_group_arn: pulumi.Input[str] | None
    """The edge target group the tasks register in; None for a worker."""
    routing_ready: Sequence[pulumi.Resource]
    """Resources the ECS service must wait for (the listener rule that uses its target group)."""
    request_count_label: pulumi.Input[str] | None
    """``<alb suffix>/<target group suffix>``, for request-count scaling."""
    region: str
    """The stack's region (for the awslogs driver)."""
    monitoring: ServiceMonitoring | None = None
    """Error metric from the logs and, with a topic, the service's alarms and deployment alarms."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    data_stores: Sequence[DataStoreLink] = ()
    """The database and cache the service declares: their variables, secrets and network paths."""
    extra_target_groups: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Extra port name -> the edge target group its tasks register in on that port."""
    callees: Sequence[Callee] = ()
    """Services this one calls (``calls``): exactly these pairs get security-group rules."""
    consumes: QueueAccess | None = None
    """The queue the service consumes, if any."""
    sends_to: Sequence[QueueAccess] = ()
    """Queues the service may send to."""


class Service(pulumi.ComponentResource):
    """Task definition, ECS service, security group, roles, logs, autoscaling, image and schedules."""

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
    ecs_service: aws.ecs.Service
    """The ECS service (callers of this service deploy after it)."""
    port: int | None
    """The container port; None for a worker."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Service"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings, config = args.settings, args.settings.config
        self._name = name
        self.port = settings.port

        self.repository_url = None
        self.image = self._image(name, args, child)

        log_group = encrypted_log_group(
            child_name(name, "logs"), settings.log_retention_days, args.cluster.kms_key_arn, self, args.tags
        )
        execution_role, task_role, role_policies = self._roles(name, args, child)
        security_group = self._security_group(name, args, child)
        self._data_store_paths(name, args, security_group, child)
        self._call_rules(name, args, security_group, child)

        task_definition = aws.ecs.TaskDefinition(
            child_name(name, "task"),
            family=f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}",
            requires_compatibilities=[args.cluster.launch_compatibility],
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
                        _queue_environment(args),
                    )
                ]
            ),
            tags=args.tags,
            opts=child,
        )

        load_balanced = args.target_group_arn is not None and settings.port is not None
        deployment_alarms = self._deployment_alarms(name, args)
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
            platform_version=args.cluster.platform_version,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.subnet_ids),
                security_groups=[security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.target_group_arn, container_name=name, container_port=settings.port
                ),
                # Adding an extra port updates the service in place: load_balancer stopped being ForceNew
                # when UpdateService learnt load balancers (terraform-provider-aws #23596, PR #23597).
                *(
                    aws.ecs.ServiceLoadBalancerArgs(
                        target_group_arn=args.extra_target_groups[extra.name],
                        container_name=name,
                        container_port=extra.port,
                    )
                    for extra in config.extra_ports
                    if extra.name in args.extra_target_groups
                ),
            ]
            if load_balanced and args.target_group_arn is not None and settings.port is not None
            else None,
            # Only with a load balancer or a container check: ECS refuses a grace period with neither
            # (cfn-lint #3612, hako #70).
            health_check_grace_period_seconds=config.health_check_grace_period
            if load_balanced or config.container_health_check is not None
            else None,
            service_connect_configuration=self._service_connect(name, args),
            # Zero-downtime rolling deploys: start new tasks first, never drop below the current count,
            # and roll back automatically when new tasks keep failing.
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            # ...and also when the 5xx-rate or unhealthy-hosts alarm fires during the deployment. ECS
            # takes alarm *names*; they are computed in Python, so there is no cycle with the alarms.
            alarms=aws.ecs.ServiceAlarmsArgs(
                alarm_names=[alarm.name for alarm in deployment_alarms], enable=True, rollback=True
            )
            if deployment_alarms
            else None,
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
                # Callees first: only tasks started after a callee's deployment resolve its name
                # (AWS service-connect-concepts-deploy.html).
                depends_on=[
                    *args.routing_ready,
                    args.cluster.capacity_providers,
                    *role_policies,
                    *(callee.service for callee in args.callees),
                    *deployment_alarms,
                ],
            ),
        )

        self._autoscaling(name, args, service, child)
        self._schedules(name, args, task_definition, security_group, execution_role, task_role, child)
        self._task_alarms(name, args, service, log_group)

        self.ecs_service = service
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

    def as_callee(self) -> Callee:
        """What a caller needs of this service: its group, its port and its deployment."""
        if self.port is None:
            raise ValueError(f"{self._name} is a worker (no port); nothing can call it")
        return Callee(
            name=self._name,
            security_group_id=self.security_group_id,
            port=self.port,
            service=self.ecs_service,
        )

    def _roles(
        self, name: str, args: ServiceArgs, child: pulumi.ResourceOptions
    ) -> tuple[aws.iam.Role, aws.iam.Role, list[pulumi.Resource]]:
        """Execution role (the ECS agent) and task role (the app), each with exactly what it needs."""
        settings, config = args.settings, args.settings.config
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
            role_policies.append(
                self._inline_policy(
                    name, "execution-secrets", execution_role, _secret_read_statements(settings, args.region)
                )
            )

        role_policies += self._data_store_access(name, args, execution_role)

        task_role = aws.iam.Role(
            child_name(name, "task-role"),
            description=f"The {name} app itself: only the statements its config lists",
            assume_role_policy=trust,
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        if config.task_policy_statements:
            statements = [
                aws.iam.GetPolicyDocumentStatementArgs(
                    effect=statement.effect,
                    actions=list(statement.actions),
                    resources=list(statement.resources),
                )
                for statement in config.task_policy_statements
            ]
            role_policies.append(self._inline_policy(name, "task-policy", task_role, statements))
        if args.consumes is not None or args.sends_to:
            grants = [(args.consumes.arn, CONSUMER_ACTIONS)] if args.consumes is not None else []
            grants += [(queue.arn, SENDER_ACTIONS) for queue in args.sends_to]
            statements = pulumi.Output.all(*(arn for arn, _ in grants)).apply(
                lambda arns: [
                    aws.iam.GetPolicyDocumentStatementArgs(
                        effect="Allow", actions=list(actions), resources=[arn]
                    )
                    for arn, (_, actions) in zip(arns, grants, strict=True)
                ]
            )
            role_policies.append(self._inline_policy(name, "task-queues", task_role, statements))
        if args.cluster.exec_enabled:
            statements = pulumi.Output.all(args.cluster.exec_log_group_arn, args.cluster.kms_key_arn).apply(
                lambda arns: _exec_statements(*arns)
            )
            role_policies.append(self._inline_policy(name, "task-exec", task_role, statements))
        return execution_role, task_role, role_policies

    def _inline_policy(
        self,
        name: str,
        role_name: str,
        role: aws.iam.Role,
        statements: pulumi.Input[Sequence[aws.iam.GetPolicyDocumentStatementArgs]],
    ) -> aws.iam.RolePolicy:
        """One inline policy ``{name}-{role_name}`` on ``role`` holding exactly ``statements``."""
        document = aws.iam.get_policy_document_output(
            statements=statements, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        return aws.iam.RolePolicy(
            child_name(name, role_name),
            role=role.id,
            policy=document.json,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _deployment_alarms(self, name: str, args: ServiceArgs) -> list[aws.cloudwatch.MetricAlarm]:
        """Load-balancer alarms (5xx rate, latency, health); returns the ones ECS rolls back on.

        A worker (no target group) has none: its deployments rely on the circuit breaker.
        """
        monitoring = args.monitoring
        if monitoring is None or monitoring.topic_arn is None or monitoring.target_group_arn_suffix is None:
            return []
        specs = target_alarms(
            name,
            args.settings.config.alarms.thresholds(),
            monitoring.load_balancer_arn_suffix,
            monitoring.target_group_arn_suffix,
        )
        created = create_alarms(specs, name, stack_prefix(name), monitoring.topic_arn, self, args.tags)
        return [created[role] for role in DEPLOYMENT_ALARM_ROLES]

    def _task_alarms(
        self, name: str, args: ServiceArgs, service: aws.ecs.Service, log_group: aws.cloudwatch.LogGroup
    ) -> None:
        """Error lines counted from the logs; with a topic, alarms on tasks, CPU, memory and errors."""
        monitoring = args.monitoring
        if monitoring is None:
            return
        errors = app_errors_metric(name)
        aws.cloudwatch.LogMetricFilter(
            child_name(name, "app-errors"),
            log_group_name=log_group.name,
            pattern=monitoring.app_error_pattern,
            metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                name=errors.name, namespace=errors.namespace, value="1", default_value="0"
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if monitoring.topic_arn is None:
            return
        specs = task_alarms(
            name, args.settings.config.alarms.thresholds(), args.cluster.cluster_name, service.name, errors
        )
        create_alarms(specs, name, stack_prefix(name), monitoring.topic_arn, self, args.tags)

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
            # dev can be destroyed while it holds images; prod's images outlive a mistaken destroy.
            force_delete=settings.delete_images_with_repository,
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
        """Admits only the edge, on the container port; sends only HTTPS out (image pulls, AWS APIs).

        A worker admits nothing. The description of an existing group never changes (it is ForceNew).
        """
        port = args.settings.port
        security_group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description=f"{name} tasks: in only from the edge on {port}; out only HTTPS"
            if port is not None
            else f"{name} worker tasks: nothing in; out only HTTPS",
            tags=tags_with_name(child_name(name, "sg"), args.tags),
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
        edge = args.edge_security_group_id
        if port is not None and edge is not None:
            # The edge may send to this service, on this port, and to nothing else.
            security_group_path(
                (child_name(name, "edge-out"), f"To the {name} tasks"),
                (child_name(name, "in-from-edge"), "From the edge load balancer"),
                edge,
                security_group.id,
                port,
                args.tags,
                child,
            )
        for extra in args.settings.config.extra_ports:
            if edge is None:
                break
            security_group_path(
                (child_name(name, f"edge-out-{extra.name}"), f"To the {name} tasks on {extra.name}"),
                (
                    child_name(name, f"in-from-edge-{extra.name}"),
                    f"From the edge load balancer to {extra.name}",
                ),
                edge,
                security_group.id,
                extra.port,
                args.tags,
                child,
            )
        return security_group

    def _data_store_access(
        self,
        name: str,
        args: ServiceArgs,
        execution_role: aws.iam.Role,
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
        return [self._inline_policy(name, "execution-data", execution_role, statements)]

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
            security_group_path(
                (child_name(name, f"to-{link.kind}-{link.name}"), f"To the {link.name} {link.kind}"),
                (child_name(name, f"{link.kind}-{link.name}-in"), f"From the {name} tasks"),
                security_group.id,
                link.security_group_id,
                link.port,
                args.tags,
                child,
            )

    def _call_rules(
        self,
        name: str,
        args: ServiceArgs,
        security_group: aws.ec2.SecurityGroup,
        child: pulumi.ResourceOptions,
    ) -> None:
        """Exactly the declared calls: this group may send to each callee's group on its container
        port, and that group admits this one there. Service Connect's proxy listens on the container
        port, not the alias port (AWS service-connect-concepts.html, "Networking")."""
        for callee in args.callees:
            security_group_path(
                (child_name(name, f"calls-{callee.name}-out"), f"To {callee.name} over Service Connect"),
                (child_name(name, f"calls-{callee.name}-in"), f"From {name} over Service Connect"),
                security_group.id,
                callee.security_group_id,
                callee.port,
                args.tags,
                child,
            )

    def _service_connect(
        self, name: str, args: ServiceArgs
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgsDict | None:
        """Callers join the namespace as clients; a called service also serves its named port there."""
        settings, namespace = args.settings, args.cluster.namespace_arn
        if namespace is None or not (args.callees or settings.called_by):
            return None
        if not settings.called_by or settings.port is None:
            return {"enabled": True, "namespace": namespace}
        return {
            "enabled": True,
            "namespace": namespace,
            # client_alias is a list with exactly one alias (SDK ServiceServiceConnectConfigurationService).
            "services": [
                {
                    "port_name": SERVICE_CONNECT_PORT_NAME,
                    "discovery_name": name,
                    "client_alias": [{"port": settings.port, "dns_name": name}],
                }
            ],
        }

    def _autoscaling(
        self, name: str, args: ServiceArgs, service: aws.ecs.Service, child: pulumi.ResourceOptions
    ) -> None:
        """Target tracking on CPU, and optionally memory, requests per task and queue backlog per task."""
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
        if scaling.backlog_per_task is not None and args.consumes is not None:
            # Metric math: visible messages / running tasks (AWS application-auto-scaling-target-
            # tracking-metric-math.html). minCount >= 1 is enforced: 0 tasks give no data to scale on.
            aws.appautoscaling.Policy(
                child_name(name, "scale-backlog"),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "target_value": scaling.backlog_per_task,
                    "scale_in_cooldown": scaling.scale_in_cooldown,
                    "scale_out_cooldown": scaling.scale_out_cooldown,
                    "customized_metric_specification": {
                        "metrics": [
                            {
                                "id": "visible",
                                "metric_stat": {
                                    "metric": {
                                        "namespace": "AWS/SQS",
                                        "metric_name": "ApproximateNumberOfMessagesVisible",
                                        "dimensions": [
                                            {"name": "QueueName", "value": args.consumes.queue_name}
                                        ],
                                    },
                                    "stat": "Sum",
                                },
                                "return_data": False,
                            },
                            {
                                "id": "tasks",
                                "metric_stat": {
                                    "metric": {
                                        "namespace": "ECS/ContainerInsights",
                                        "metric_name": "RunningTaskCount",
                                        "dimensions": [
                                            {"name": "ClusterName", "value": args.cluster.cluster_name},
                                            {"name": "ServiceName", "value": service.name},
                                        ],
                                    },
                                    "stat": "Average",
                                },
                                "return_data": False,
                            },
                            {
                                "id": "backlog",
                                "expression": "visible / tasks",
                                "label": "Visible messages per running task",
                                "return_data": True,
                            },
                        ]
                    },
                },
                opts=child,
            )
        self._off_hours(name, args, target, child)

    def _off_hours(
        self, name: str, args: ServiceArgs, target: aws.appautoscaling.Target, child: pulumi.ResourceOptions
    ) -> None:
        """Scheduled scaling to zero at the stop cron and back to min-max at the start cron."""
        off_hours = args.cluster.off_hours
        if off_hours is None:
            return
        for role, cron, low, high in (
            ("stop", off_hours.stop, 0, 0),
            ("start", off_hours.start, args.settings.min_count, args.settings.max_count),
        ):
            aws.appautoscaling.ScheduledAction(
                child_name(name, f"scale-{role}"),
                name=child_name(name, f"scale-{role}"),
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                schedule=schedules.aws_schedule(cron),
                timezone=off_hours.timezone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=low, max_capacity=high
                ),
                opts=child,
            )

    def _schedules(
        self,
        name: str,
        args: ServiceArgs,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        execution_role: aws.iam.Role,
        task_role: aws.iam.Role,
        child: pulumi.ResourceOptions,
    ) -> None:
        """EventBridge Scheduler runs the service's task definition on each schedule: in the private
        subnets with the service's security group, retried, failures kept in a dead-letter queue."""
        schedules = args.settings.config.schedules
        if not schedules:
            return
        dead_letter = aws.sqs.Queue(
            child_name(name, "schedules-dlq"),
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            tags=tags_with_name(child_name(name, "schedules-dlq"), args.tags),
            opts=child,
        )
        role = aws.iam.Role(
            child_name(name, "scheduler-role"),
            description=f"EventBridge Scheduler for {name}: run its task definition, nothing else",
            assume_role_policy=service_trust(SCHEDULER, parent=self),
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        statements = pulumi.Output.all(
            task_definition.arn_without_revision,
            args.cluster.arn,
            execution_role.arn,
            task_role.arn,
            dead_letter.arn,
        ).apply(lambda values: _scheduler_statements(*values))
        policy = self._inline_policy(name, "scheduler-policy", role, statements)
        for schedule in schedules:
            command = schedule.command
            aws.scheduler.Schedule(
                member_name(name, "schedule", schedule.name),
                description=f"{name}: {schedule.name}",
                schedule_expression=schedule.expression,
                schedule_expression_timezone=schedule.timezone,
                flexible_time_window={"mode": "OFF"},
                state="ENABLED",
                target={
                    "arn": args.cluster.arn,
                    "role_arn": role.arn,
                    # RunTask overrides, as EventBridge passes the target input to ECS.
                    "input": json.dumps({"containerOverrides": [{"name": name, "command": list(command)}]})
                    if command
                    else None,
                    "ecs_parameters": {
                        "task_definition_arn": task_definition.arn,
                        "task_count": 1,
                        "capacity_provider_strategies": [
                            {"capacity_provider": provider, "base": base, "weight": weight}
                            for provider, base, weight in args.cluster.capacity_strategy
                        ],
                        "platform_version": args.cluster.platform_version,
                        "network_configuration": {
                            "subnets": list(args.subnet_ids),
                            "security_groups": [security_group.id],
                            "assign_public_ip": False,  # a bool here, unlike ECS services
                        },
                        "enable_ecs_managed_tags": True,
                        "propagate_tags": "TASK_DEFINITION",
                    },
                    "retry_policy": {
                        "maximum_retry_attempts": schedule.retries,
                        "maximum_event_age_in_seconds": SCHEDULE_MAX_EVENT_AGE_SECONDS,
                    },
                    "dead_letter_config": {"arn": dead_letter.arn},
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
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


def _secret_read_statements(
    settings: ServiceSettings, region: str
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
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
    if settings.config.secrets_kms_key_arns:
        # Secrets under a customer-managed key are decrypted for the caller: the execution role needs
        # kms:Decrypt on that key, and only when Secrets Manager asks (AWS ECS docs, "Required IAM
        # permissions for Amazon ECS secrets").
        statements.append(
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow",
                actions=["kms:Decrypt"],
                resources=list(settings.config.secrets_kms_key_arns),
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="StringEquals",
                        variable="kms:ViaService",
                        values=[f"secretsmanager.{region}.amazonaws.com"],
                    )
                ],
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


def _scheduler_statements(
    family_arn: str, cluster_arn: str, execution_role_arn: str, task_role_arn: str, dead_letter_arn: str
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """Run exactly this task family in this cluster, pass exactly its two roles to ECS tasks, tag
    what it starts, and report failures to its dead-letter queue (AWS EventBridge Scheduler
    "Set up the execution role"; ECS CWE_IAM_role.html)."""
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    task_arns = cluster_arn.replace(":cluster/", ":task/", 1) + "/*"
    return [
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["ecs:RunTask"],
            # Every revision of the family: a new revision must not break the schedule.
            resources=[f"{family_arn}:*"],
            conditions=[condition(test="ArnEquals", variable="ecs:cluster", values=[cluster_arn])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["iam:PassRole"],
            resources=[execution_role_arn, task_role_arn],
            conditions=[condition(test="StringEquals", variable="iam:PassedToService", values=[ECS_TASKS])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["ecs:TagResource"],
            resources=[task_arns],
            conditions=[condition(test="StringEquals", variable="ecs:CreateAction", values=["RunTask"])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow", actions=["sqs:SendMessage"], resources=[dead_letter_arn]
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
    queue_environment: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """The one container of the task: hardened, logging to its group, secrets only via valueFrom."""
    config = settings.config
    # The queues' URLs first: a variable the service sets itself wins on a clash.
    environment: dict[str, Any] = {**(queue_environment or {}), **config.environment}
    secrets: dict[str, Any] = dict(config.secrets)
    for link in data_stores:
        environment.update(link.environment)
        secrets.update(link.secrets)
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": _port_mappings(settings),
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
    for key, value in (
        ("command", config.command),
        ("entryPoint", config.entry_point),
        ("workingDirectory", config.working_directory),
        ("user", config.user),
    ):
        if value is not None:
            container[key] = list(value) if isinstance(value, tuple) else value
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


def _queue_environment(args: ServiceArgs) -> dict[str, pulumi.Input[str]]:
    """``QUEUE_URL`` of the queue a service consumes, ``QUEUE_URL_<NAME>`` of each it sends to."""
    found: dict[str, pulumi.Input[str]] = {
        f"QUEUE_URL_{queue.name.upper().replace('-', '_')}": queue.url for queue in args.sends_to
    }
    if args.consumes is not None:
        found["QUEUE_URL"] = args.consumes.url
    return found


def _port_mappings(settings: ServiceSettings) -> list[dict[str, Any]]:
    """The container port, if any; named with its protocol when Service Connect serves it."""
    if settings.port is None:
        return []
    mapping: dict[str, Any] = {"containerPort": settings.port, "protocol": "tcp"}
    if settings.called_by:
        # Service Connect servers must name their port (AWS service-connect-concepts.html).
        mapping = {"name": SERVICE_CONNECT_PORT_NAME, **mapping, "appProtocol": "http"}
    extras = [{"containerPort": extra.port, "protocol": "tcp"} for extra in settings.config.extra_ports]
    return [mapping, *extras]
