"""The Job component: a container that runs on a schedule as an ECS RunTask, with no service running
between runs (a nightly report, a weekly cleanup).

It is built from the Service's own parts, not a copy of them: the image (``service/image.py``), the
two roles (``service/roles.py``), the hardened task definition (``service/task_definition.py``), the
security group with its paths to the data stores (``service/access.py``) and EventBridge Scheduler's
RunTask target with its scheduler role and dead-letter queue (``service/schedules.py``). A job hands
those builders the :class:`ServiceArgs` of a worker that has no ECS service, no port and no scaling.

A run that fails (its container exits non-zero, or the task never starts) notifies the alarm topic: an
EventBridge rule on the job's "ECS Task State Change" events to the topic.
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .datastore import DataStoreLink
from .encryption import encrypted_log_group
from .pure.inputs import args_of
from .pure.naming import child_name, type_token
from .service.access import data_store_paths, security_group
from .service.args import (
    DEFAULT_CAPACITY_STRATEGY,
    DEFAULT_CPU,
    DEFAULT_LAUNCH_COMPATIBILITY,
    DEFAULT_LOG_RETENTION_DAYS,
    DEFAULT_MEMORY,
    DEFAULT_PLATFORM_VERSION,
    DEFAULT_SCHEDULE_RETRIES,
    DEFAULT_SCHEDULE_TIMEZONE,
    DEFAULT_SCRATCH_PATHS,
    CapacityProviderShare,
    ImageBuild,
    QueueAccess,
    ServiceArgs,
    TaskPolicyStatement,
    TaskSchedule,
)
from .service.image import service_image
from .service.roles import service_roles
from .service.schedules import task_schedules
from .service.task_definition import task_definition

SCHEDULE_NAME = "run"
"""The job's one schedule: ``<job>-schedule-run``."""
TIMEOUT_COMMAND = "timeout"
"""GNU coreutils' and BusyBox's ``timeout DURATION COMMAND``: SIGTERM after DURATION seconds, exit 124
(GNU) or 143 (BusyBox), so the failure rule reports a run that overran."""
TASK_STATE_CHANGE = "ECS Task State Change"
FAILED_TO_START = "TaskFailedToStart"
"""``stopCode`` of a task that never ran its container (image pull, secrets, capacity): no exit code."""


@dataclass(frozen=True)
class JobArgs:
    """What a Job builds, and what it attaches to."""

    # --- Where it runs ---
    cluster_arn: pulumi.Input[str]
    """The ECS cluster the job's tasks run in. Required."""
    cluster_name: pulumi.Input[str]
    """The same cluster's name. Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the job's security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the tasks run in. Required."""
    region: str
    """The stack's region (the awslogs driver, the KMS ``ViaService`` condition). Required."""
    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the job's log group. Required."""
    schedule: str
    """When it runs: ``cron(...)`` or ``rate(...)`` (EventBridge Scheduler). Required."""
    command: Sequence[str]
    """The container command of each run, e.g. ``["python", "report.py"]``. Required."""
    timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    """IANA zone a cron schedule is read in. Default: UTC."""
    retries: int = DEFAULT_SCHEDULE_RETRIES
    """Retries of a failed start before the event goes to the dead-letter queue. Default: 2."""
    timeout: int | None = None
    """Seconds a run may take: the command then runs as ``timeout <seconds> <command>`` (the
    entryPoint; the image must have ``timeout``, as Debian, Ubuntu, Alpine and BusyBox images do), is
    stopped when it overruns and counts as failed. None: no limit. Default: None."""
    launch_compatibility: str = DEFAULT_LAUNCH_COMPATIBILITY
    """``FARGATE`` or ``EC2``: what the task definition requires. Default: FARGATE."""
    capacity_provider_strategy: Sequence[CapacityProviderShare] = DEFAULT_CAPACITY_STRATEGY
    """Where each run's task is placed. Default: FARGATE only (base 1, weight 1)."""
    platform_version: str | None = DEFAULT_PLATFORM_VERSION
    """Fargate platform version; None on EC2 capacity. Default: LATEST."""

    # --- The task ---
    image: pulumi.Input[str] | None = None
    """Image reference to run; give image or build. Default: None."""
    build: ImageBuild | None = None
    """Build the image here into the job's own ECR repository instead. Default: None."""
    force_delete_images: bool = False
    """Destroying the job deletes its ECR repository with its images. Default: False."""
    cpu: int = DEFAULT_CPU
    """Task CPU units. Default: 256."""
    memory: int = DEFAULT_MEMORY
    """Task memory in MiB, valid for the cpu. Default: 512."""
    user: str | None = None
    """User the container runs as; None: the image's USER. Default: None."""
    working_directory: str | None = None
    """Directory the command runs in; None: the image's WORKDIR. Default: None."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables. Default: none."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Variable -> Secrets Manager secret or SSM parameter ARN (``valueFrom``). Default: none."""
    secrets_kms_key_arns: Sequence[str] = ()
    """Customer-managed keys of those secrets: decrypt through Secrets Manager only. Default: none."""
    task_policy_statements: Sequence[TaskPolicyStatement] = ()
    """What the job may do (the task role). Default: none (the role can do nothing)."""
    scratch_paths: Sequence[str] = DEFAULT_SCRATCH_PATHS
    """Writable volumes on the read-only root filesystem. Default: [/tmp]."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the job's logs are kept. Default: 14."""

    # --- What it reaches and who hears of a failure ---
    sends_to: Sequence[QueueAccess] = ()
    """Queues the job may send to (``QUEUE_URL_<NAME>``). Default: none."""
    data_stores: Sequence[DataStoreLink] = ()
    """The databases and caches it uses: their variables, secrets and network paths. Default: none."""
    topic_arn: pulumi.Input[str] | None = None
    """The alarm topic a failed run notifies; None: no failure rule. Default: None."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""


def as_service_args(args: JobArgs) -> ServiceArgs:
    """The job as the Service builders read it: a worker without an ECS service, port or scaling,
    with its one schedule."""
    command = tuple(args.command)
    return ServiceArgs(
        cluster_arn=args.cluster_arn,
        cluster_name=args.cluster_name,
        vpc_id=args.vpc_id,
        subnet_ids=args.subnet_ids,
        region=args.region,
        kms_key_arn=args.kms_key_arn,
        launch_compatibility=args.launch_compatibility,
        capacity_provider_strategy=args.capacity_provider_strategy,
        platform_version=args.platform_version,
        image=args.image,
        build=args.build,
        force_delete_images=args.force_delete_images,
        cpu=args.cpu,
        memory=args.memory,
        command=command,
        entry_point=(TIMEOUT_COMMAND, str(args.timeout)) if args.timeout is not None else None,
        user=args.user,
        working_directory=args.working_directory,
        environment=args.environment,
        secrets=args.secrets,
        secrets_kms_key_arns=args.secrets_kms_key_arns,
        task_policy_statements=args.task_policy_statements,
        scratch_paths=args.scratch_paths,
        log_retention_days=args.log_retention_days,
        schedules=(
            TaskSchedule(
                name=SCHEDULE_NAME, expression=args.schedule, timezone=args.timezone, retries=args.retries
            ),
        ),
        sends_to=args.sends_to,
        data_stores=args.data_stores,
        tags=args.tags,
    )


def failure_pattern(cluster_arn: str, family: str) -> dict[str, Any]:
    """A STOPPED task of the job's family whose container exited non-zero, or that never started.

    Fields from the AWS ECS guide, "Amazon ECS task state change events" (``ecs_task_events.html``):
    ``group`` is ``family:<family>`` for a task RunTask started without a group (ECS API RunTask,
    ``group``); ``containers[].exitCode`` is absent when the container never ran, hence the
    ``stopCode`` branch. ``anything-but`` and ``$or``: EventBridge "Content filtering in event patterns".
    """
    return {
        "source": ["aws.ecs"],
        "detail-type": [TASK_STATE_CHANGE],
        "detail": {
            "clusterArn": [cluster_arn],
            "group": [f"family:{family}"],
            "lastStatus": ["STOPPED"],
            "$or": [
                {"containers": {"exitCode": [{"anything-but": 0}]}},
                {"stopCode": [FAILED_TO_START]},
            ],
        },
    }


class Job(pulumi.ComponentResource):
    """A scheduled ECS task: task definition, roles, log group, security group, schedule, failure rule."""

    task_definition_arn: pulumi.Output[str]
    """The task definition each run starts (the newest revision)."""
    log_group_name: pulumi.Output[str]
    """The job's log group."""
    security_group_id: pulumi.Output[str]
    """The job's security group (the data stores it declares admit it)."""
    image: pulumi.Output[str]
    """The image each run starts."""

    def __init__(self, name: str, args: JobArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(JobArgs, args)
        super().__init__(type_token("Job"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        service = as_service_args(args)
        self.image, _ = service_image(name, service, child)
        log_group = encrypted_log_group(
            child_name(name, "logs"), args.log_retention_days, args.kms_key_arn, self, args.tags
        )
        roles = service_roles(self, name, service)
        # Out only HTTPS and to the declared stores: no edge, so nothing may come in.
        group, _ = security_group(name, service, child)
        data_store_paths(name, service, group, child)
        task = task_definition(self, name, service, self.image, log_group.name, roles)
        task_schedules(self, name, service, task, group.id, roles)
        if args.topic_arn is not None:
            self._failure_rule(name, args, task, args.topic_arn)

        self.task_definition_arn = task.arn
        self.log_group_name = log_group.name
        self.security_group_id = group.id
        self.register_outputs(
            {
                "taskDefinitionArn": self.task_definition_arn,
                "logGroupName": self.log_group_name,
                "securityGroupId": self.security_group_id,
                "image": self.image,
            }
        )

    def _failure_rule(
        self, name: str, args: JobArgs, task: aws.ecs.TaskDefinition, topic_arn: pulumi.Input[str]
    ) -> None:
        """Each failed run -> one message on the topic, naming the job, the reason and the task."""
        child = pulumi.ResourceOptions(parent=self)
        rule = aws.cloudwatch.EventRule(
            child_name(name, "failed"),
            description=f"{name}: a scheduled run exited non-zero or never started",
            event_pattern=pulumi.Output.json_dumps(
                pulumi.Output.all(args.cluster_arn, task.family).apply(lambda v: failure_pattern(*v))
            ),
            tags=dict(args.tags),
            opts=child,
        )
        # No role_arn: SNS targets use the topic's resource policy (EventBridge guide,
        # "Using resource-based policies for Amazon EventBridge", Amazon SNS permissions).
        aws.cloudwatch.EventTarget(
            child_name(name, "failed-notify"),
            rule=rule.name,
            arn=topic_arn,
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths={
                    "reason": "$.detail.stoppedReason",
                    "stopCode": "$.detail.stopCode",
                    "task": "$.detail.taskArn",
                },
                input_template=f'"{name} failed: <reason> (<stopCode>). Task <task>; its logs are in its '
                'log group (stack output jobLogGroups)."',
            ),
            opts=child,
        )


__all__ = ["Job", "JobArgs", "as_service_args", "failure_pattern"]
