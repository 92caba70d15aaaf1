"""``webstack:jobs``: named scheduled-only jobs (a container run by EventBridge Scheduler as an ECS
RunTask, no service running between runs), their environment defaults and their checks.

A job declares its image the way a service does (``image`` or ``build``, the same schema and the same
promotion by digest), its size the way a service does (Fargate's valid pairs), and what it reaches the
way a service does (``database``, ``cache``; ``sendsTo`` for queues). ``components/job.py`` builds it.

prod requires what it requires of a service's task: a pinned image (a version tag or a digest) and
logs kept at least 90 days; and a failed run always notifies someone there (prod's alarms are always
on). dev warns when a failed run would notify nobody (``observability.alarms`` off).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, StrictInt, StrictStr

from components.pure import fargate
from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
)
from stack.services.build import BuildConfig
from stack.services.fields import FargateCpu, ScheduleExpression, task_cpu, task_memory
from stack.services.schema import ScheduledRun, StatementConfig
from stack.services.settings import environment_problems, image_settings, secret_resources

JOB_PREFIX = "job"
"""Each job's component is ``job-<name>`` (its resources ``job-<name>-*``): a service cannot take
that family (``components/pure/naming.COMPONENT_NAMES``)."""
MAX_TIMEOUT_SECONDS = 14 * 24 * 3600
"""A run may take at most two weeks (Fargate tasks have no limit; a job that needs more is a service)."""


@dataclass(frozen=True)
class JobDefaults:
    """The values an environment's jobs use for keys a stack does not set."""

    log_retention_days: int
    keep_images: int
    """How many built images the job's repository keeps (as a service's)."""


JOB_DEFAULTS: dict[Environment, JobDefaults] = {
    Environment.DEV: JobDefaults(log_retention_days=14, keep_images=10),
    Environment.PROD: JobDefaults(log_retention_days=365, keep_images=30),
}


class JobConfig(ScheduledRun):
    """``jobs.<name>``: a container EventBridge Scheduler runs as an ECS task on a schedule."""

    image: StrictStr | None = Field(
        default=None,
        description="Image reference to run (prod: a version tag or digest). Give image or build.",
        json_schema_extra={"fix": "use a reference such as ghcr.io/org/app:1.2.3"},
    )
    build: BuildConfig | None = Field(
        default=None,
        description="Build the image from a local Dockerfile context into the job's ECR repository "
        "(promoted by digest like a service's).",
        json_schema_extra={"fix": "give build: {context: ./app}"},
    )
    command: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="The container command of each run, e.g. [python, report.py] (required).",
        json_schema_extra={"fix": "give a list of strings, e.g. [python, report.py]"},
    )
    schedule: ScheduleExpression = Field(
        description="When it runs: cron(min hour day-of-month month day-of-week year) or rate(value "
        "unit), EventBridge Scheduler syntax (required).",
        json_schema_extra={"fix": 'use e.g. "cron(0 3 * * ? *)" (03:00 daily) or "rate(6 hours)"'},
    )
    timeout: StrictInt | None = Field(
        default=None,
        ge=60,
        le=MAX_TIMEOUT_SECONDS,
        description="Seconds a run may take: it runs as `timeout <seconds> <command>` (the image needs "
        "`timeout`, as Debian, Ubuntu, Alpine and BusyBox images have), is stopped when it overruns and "
        "counts as failed. Default: no limit.",
        json_schema_extra={"fix": f"use seconds from 60 to {MAX_TIMEOUT_SECONDS}, e.g. 3600"},
    )
    cpu: FargateCpu = task_cpu()
    memory: StrictInt = task_memory()
    database: StrictStr | None = Field(
        default=None,
        description="The webstack:databases entry the job uses: it gets DB_HOST, DB_PORT, DB_NAME, DB_USER "
        "and DB_PASSWORD, and a network path to it on 5432 (as a service does). Default: none.",
        json_schema_extra={"fix": "name a database declared under webstack:databases, e.g. main"},
    )
    cache: StrictStr | None = Field(
        default=None,
        description="The webstack:caches entry the job uses: CACHE_* variables and a path on 6379. "
        "Default: none.",
        json_schema_extra={"fix": "name a cache declared under webstack:caches, e.g. main"},
    )
    sends_to: tuple[StrictStr, ...] = Field(
        default=(),
        alias="sendsTo",
        description="webstack:queues the job may send to (QUEUE_URL_<NAME>). Default: none.",
        json_schema_extra={"fix": "list queue names of this stack, e.g. [emails]"},
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
    secrets_kms_key_arns: tuple[StrictStr, ...] = Field(
        default=(),
        alias="secretsKmsKeyArns",
        description="Customer-managed KMS keys of the job's Secrets Manager secrets (decrypt through "
        "Secrets Manager only). Default none.",
        json_schema_extra={"fix": "list key ARNs such as arn:aws:kms:eu-west-1:111111111111:key/<key id>"},
    )
    task_policy_statements: tuple[StatementConfig, ...] = Field(
        default=(),
        alias="taskPolicyStatements",
        description="Extra IAM statements for the job's task role. Default: none (the role can do nothing).",
        json_schema_extra={"fix": "give [{actions: [s3:PutObject], resources: [arn:...]}]"},
    )
    log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="logRetentionDays",
        description="Days the job's logs are kept. Default: dev 14, prod 365 (prod needs 90+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )


@dataclass(frozen=True)
class JobSettings:
    """One job as validated, its environment's defaults applied."""

    name: str
    config: JobConfig
    log_retention_days: int
    keep_images: int
    build_context: Path | None
    """Absolute build context, when the image is built here."""
    delete_images_with_repository: bool
    """dev: destroying the stack deletes the job's ECR repository with its images; prod keeps them."""
    promoted_image: str | None = None
    """A ``build:`` job's image promoted by digest from the first stage (stack/promotion.py)."""

    @property
    def component_name(self) -> str:
        """``job-<name>``: the Job component's logical name and the prefix of its resources."""
        return f"{JOB_PREFIX}-{self.name}"

    @property
    def image_key(self) -> str:
        """Its key in the ``images`` output and the promotion record (services use their bare name)."""
        return f"jobs.{self.name}"


_JOB_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def job_settings(
    jobs: Mapping[str, JobConfig],
    environment: Environment,
    project_root: Path,
    stores: Mapping[str, Sequence[str]],
    queues: Sequence[str],
) -> tuple[tuple[JobSettings, ...], list[str]]:
    """Every job with its environment's defaults, and every problem (``stores``: kind -> declared names)."""
    defaults = JOB_DEFAULTS[environment]
    resolved: list[JobSettings] = []
    problems: list[str] = []
    for name, config in jobs.items():
        key = f"webstack:jobs.{name}"
        problems += _name_problems(key, name)
        problems += _reach_problems(key, config, stores, queues)
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
        problems += environment_problems(key, config)
        problems += secret_resources(key, config)[1]
        build_context, image_problems = image_settings(key, config, environment, project_root)
        problems += image_problems
        retention = config.log_retention_days or defaults.log_retention_days
        if environment is Environment.PROD and retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"{key}.logRetentionDays: got {retention}, but prod keeps logs at least "
                f"{PROD_MIN_LOG_RETENTION_DAYS} days; use 90 or more"
            )
        resolved.append(
            JobSettings(
                name=name,
                config=config,
                log_retention_days=retention,
                keep_images=(config.build.keep_images if config.build else None) or defaults.keep_images,
                build_context=build_context,
                delete_images_with_repository=environment is Environment.DEV,
            )
        )
    return tuple(resolved), problems


def _name_problems(key: str, name: str) -> list[str]:
    if not _JOB_NAME.match(name):
        return [
            f"{key}: the name {json.dumps(name)} is not usable in AWS resource names; use 1-16 lowercase "
            "letters, digits and dashes, starting with a letter"
        ]
    return []


def _reach_problems(
    key: str, config: JobConfig, stores: Mapping[str, Sequence[str]], queues: Sequence[str]
) -> list[str]:
    """A database, cache or queue the job names must be declared in the stack."""
    problems = []
    for kind, section in (("database", "databases"), ("cache", "caches")):
        wanted = getattr(config, kind)
        declared = stores.get(kind, ())
        if wanted is not None and wanted not in declared:
            problems.append(
                f"{key}.{kind}: got {json.dumps(wanted)}, but webstack:{section} has no such {kind} "
                f"(declared: {', '.join(declared) or 'none'}); name one of them or declare it there"
            )
    for queue in config.sends_to:
        if queue not in queues:
            problems.append(
                f"{key}.sendsTo: got {json.dumps(queue)}, but webstack:queues has no such queue "
                f"(declared: {', '.join(queues) or 'none'}); name one of them or declare it there"
            )
    if len(set(config.sends_to)) != len(config.sends_to):
        problems.append(f"{key}.sendsTo: a queue is listed twice; list each queue once")
    return problems


__all__ = ["JOB_DEFAULTS", "JobConfig", "JobDefaults", "JobSettings", "job_settings"]
