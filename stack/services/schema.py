"""The schema of ``webstack:services``: each service's keys, their environment defaults and the checks
a single key can make on its own (cross-key checks: :mod:`stack.services.settings`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, StrictInt, StrictStr, field_validator, model_validator

from components.pure import fargate, priorities

# The load balancer's check defaults (healthCheck.*): one declaration, shared with the edge component.
from components.pure.frontdoor import (
    HEALTH_CHECK_INTERVAL_SECONDS,
    HEALTH_CHECK_MATCHER,
    HEALTH_CHECK_TIMEOUT_SECONDS,
    HEALTHY_THRESHOLD,
    UNHEALTHY_THRESHOLD,
)
from stack.observability import ServiceAlarmsConfig
from stack.schema import RETENTION_FIX, Environment, RetentionDays, StrictModel
from stack.services.build import BuildConfig
from stack.services.deployment import DeploymentConfig
from stack.services.fields import FargateCpu, ScheduleExpression, TimeZoneName, task_cpu, task_memory
from stack.services.release import ReleaseConfig
from stack.services.storage import BucketAccessMode, VolumeMountConfig


@dataclass(frozen=True)
class ServiceDefaults:
    """The values an environment's services use for keys a stack does not set."""

    desired_count: int
    min_count: int
    max_count: int
    log_retention_days: int
    keep_images: int
    """How many built images the service's repository keeps: how far back a rollback can go."""


SERVICE_DEFAULTS: dict[Environment, ServiceDefaults] = {
    Environment.DEV: ServiceDefaults(
        desired_count=1, min_count=1, max_count=2, log_retention_days=14, keep_images=10
    ),
    Environment.PROD: ServiceDefaults(
        desired_count=2, min_count=2, max_count=6, log_retention_days=365, keep_images=30
    ),
}


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


class ScheduledRun(StrictModel):
    """What every run EventBridge Scheduler starts shares: the time zone of its cron expression and its
    retries (a service's schedules and ``webstack:jobs``)."""

    timezone: TimeZoneName = Field(
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


class ScheduleConfig(ScheduledRun):
    """``services.<name>.schedules[]``: one task EventBridge Scheduler starts on a cron or rate."""

    name: StrictStr = Field(
        description="Name of the schedule, unique within the service (required).",
        json_schema_extra={"fix": "use 1-32 lowercase letters, digits and dashes, e.g. nightly"},
    )
    expression: ScheduleExpression = Field(
        description="cron(min hour day-of-month month day-of-week year) or rate(value unit) (required).",
        json_schema_extra={"fix": 'use e.g. "cron(0 3 * * ? *)" or "rate(15 minutes)"'},
    )
    command: tuple[StrictStr, ...] | None = Field(
        default=None,
        description="Command of the scheduled run (a container override). Default: the service's command.",
        json_schema_extra={"fix": "give a list of strings, e.g. [python, server.py, job]"},
    )

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        if not _SCHEDULE_NAME.match(value):
            raise ValueError("use 1-32 lowercase letters, digits and dashes, starting with a letter")
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
    release: ReleaseConfig | None = Field(
        default=None,
        description="A task run from each new task definition before the service is updated (e.g. a "
        "database migration); the deploy fails, and the old version keeps serving, if it fails. "
        "Default: none.",
        json_schema_extra={"fix": "give release: {command: [python, manage.py, migrate]}"},
    )
    cpu: FargateCpu = task_cpu()
    memory: StrictInt = task_memory()
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
    buckets: dict[StrictStr, BucketAccessMode] = Field(
        default_factory=dict,
        description="webstack:buckets entries the service uses, each read or write: it gets BUCKET_<NAME> "
        "(the bucket's name) and exactly those S3 and KMS permissions. Default: none.",
        json_schema_extra={"fix": "map bucket names declared under webstack:buckets to read or write"},
    )
    volumes: dict[StrictStr, VolumeMountConfig] = Field(
        default_factory=dict,
        description="webstack:volumes entries the service mounts: {path, readOnly}. It gets its own access "
        "point, an NFS path to the volume and exactly ClientMount (and ClientWrite) on it. Default: none.",
        json_schema_extra={"fix": "map volume names declared under webstack:volumes to {path: /data}"},
    )
    alarms: ServiceAlarmsConfig = Field(
        default_factory=ServiceAlarmsConfig,
        description="When the service's alarms fire: see the alarms.* keys (used when alarms are on).",
        json_schema_extra={"fix": "give alarms: {errorRatePercent: 5}"},
    )
    deployment: DeploymentConfig = Field(
        default_factory=DeploymentConfig,
        description="How a new version reaches traffic: see the deployment.* keys (docs/deployments.md).",
        json_schema_extra={"fix": "give deployment: {strategy: blue_green}"},
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
