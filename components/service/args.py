"""What a Service builds, and what it attaches to: :class:`ServiceArgs` and the types it holds.

Environment-neutral: every value is given by the caller (the program decides dev/prod policy), and
each field's docstring ends with its default. Fields that decide how many resources exist are plain
values; values that only flow into resource properties may be ``pulumi.Input``.
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..alarms import ServiceThresholds
from ..datastore import DataStoreLink
from ..observability import ServiceMonitoring
from .deployment import ServiceDeployment, TrafficShift

DEFAULT_PLATFORM = "linux/amd64"
DEFAULT_DOCKERFILE = "Dockerfile"
DEFAULT_LAUNCH_COMPATIBILITY = "FARGATE"
DEFAULT_PLATFORM_VERSION = "LATEST"
DEFAULT_CPU = 256
DEFAULT_MEMORY = 512
DEFAULT_DESIRED_COUNT = 1
DEFAULT_MIN_COUNT = 1
DEFAULT_MAX_COUNT = 2
DEFAULT_LOG_RETENTION_DAYS = 14
DEFAULT_SCRATCH_PATHS = ("/tmp",)
DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 60
DEFAULT_CPU_TARGET = 70
DEFAULT_SCALE_OUT_COOLDOWN = 60
DEFAULT_SCALE_IN_COOLDOWN = 300
DEFAULT_EFFECT = "Allow"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"
DEFAULT_SCHEDULE_RETRIES = 2
DEFAULT_CHECK_INTERVAL = 30
DEFAULT_CHECK_TIMEOUT = 5
DEFAULT_CHECK_RETRIES = 3
DEFAULT_CHECK_START_PERIOD = 10
DEFAULT_RELEASE_TIMEOUT = 600
DEFAULT_RELEASE_RUNNER = 'exec "${WEBSTACK_PYTHON:-venv/bin/python}" -m ops.release'


@dataclass(frozen=True)
class CapacityProviderShare:
    """One entry of a capacity provider strategy."""

    capacity_provider: str
    """The capacity provider, e.g. ``FARGATE``, ``FARGATE_SPOT`` or an EC2 provider's name. Required."""
    base: int = 0
    """Tasks placed on this provider first. Default: 0."""
    weight: int = 1
    """Share of the tasks beyond the bases. Default: 1."""


DEFAULT_CAPACITY_STRATEGY = (CapacityProviderShare("FARGATE", 1, 1),)


@dataclass(frozen=True)
class OffHoursScaling:
    """When the service scales to zero and back (scheduled scaling on its scalable target)."""

    timezone: str
    """IANA zone the cron expressions are read in, e.g. ``Europe/Dublin``. Required."""
    stop: str
    """Six-field cron at which the service scales to zero, e.g. ``0 20 ? * MON-FRI *``. Required."""
    start: str
    """Six-field cron at which it scales back to min_count..max_count. Required."""


ECR_KEEP_IMAGES = 30
"""The newest images a repository keeps by default (ECR lifecycle rule imageCountMoreThan)."""


@dataclass(frozen=True)
class ImageBuild:
    """Build the image from a Docker context into the service's own ECR repository."""

    context: str
    """The build context as the Docker build sees it, relative to the program's directory. Required."""
    context_path: str
    """The same context as an absolute path on this machine: its files name the image tag. Required."""
    dockerfile: str = DEFAULT_DOCKERFILE
    """Dockerfile path inside the context. Default: Dockerfile."""
    platform: str = DEFAULT_PLATFORM
    """``linux/amd64`` or ``linux/arm64``: the image's and the task's platform. Default: linux/amd64."""
    keep_images: int = ECR_KEEP_IMAGES
    """How many of the newest images the repository keeps for a rollback. Default: 30."""
    prebuilt: str | None = None
    """An image already built from this context, by digest (``<registry>/<repo>@sha256:<hex>``), e.g.
    promoted from an earlier stage: the task runs it and nothing is built; the repository and its
    lifecycle policy stay. Default: None (build here)."""


@dataclass(frozen=True)
class ExtraContainerPort:
    """A second container port with its own target group."""

    name: str
    """Names the port's rules (``<service>-edge-out-<name>``). Required."""
    port: int
    """The container port. Required."""
    target_group_arn: pulumi.Input[str] | None = None
    """The target group the tasks register in on this port; None: not load-balanced. Default: None."""


@dataclass(frozen=True)
class TaskPolicyStatement:
    """One IAM statement of the task role."""

    actions: Sequence[str]
    """Exact IAM actions, e.g. ``s3:GetObject``. Required."""
    resources: Sequence[str]
    """Resource ARNs the actions apply to. Required."""
    effect: str = DEFAULT_EFFECT
    """``Allow`` or ``Deny``. Default: Allow."""


@dataclass(frozen=True)
class ContainerHealthCheck:
    """The container's own health command."""

    command: Sequence[str]
    """e.g. ``["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]``. Required."""
    interval: int = DEFAULT_CHECK_INTERVAL
    """Seconds between checks. Default: 30."""
    timeout: int = DEFAULT_CHECK_TIMEOUT
    """Seconds per check. Default: 5."""
    retries: int = DEFAULT_CHECK_RETRIES
    """Failures before the container is unhealthy. Default: 3."""
    start_period: int = DEFAULT_CHECK_START_PERIOD
    """Grace seconds at start. Default: 10."""


@dataclass(frozen=True)
class TaskSchedule:
    """A task EventBridge Scheduler starts from the service's task definition."""

    name: str
    """Unique within the service; names the schedule. Required."""
    expression: str
    """``cron(...)`` or ``rate(...)``. Required."""
    command: Sequence[str] | None = None
    """Command of the scheduled run (a container override); None: the service's. Default: None."""
    timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    """IANA zone a cron expression is read in. Default: UTC."""
    retries: int = DEFAULT_SCHEDULE_RETRIES
    """Retries of a failed start before the event goes to the dead-letter queue. Default: 2."""


@dataclass(frozen=True)
class ReleaseTask:
    """A one-off task of the NEW task definition that must succeed before the ECS service is updated."""

    command: Sequence[str]
    """The container command of the release run, e.g. ``["python", "manage.py", "migrate"]``. Required."""
    timeout: int = DEFAULT_RELEASE_TIMEOUT
    """Seconds the release may run before it is stopped and the deploy fails. Default: 600."""
    assume_role_arns: Sequence[str] = ()
    """Roles the runner assumes in turn before it calls ECS, as the AWS provider does
    (``aws:assumeRoles``), so it acts as the deployment does. Default: none (the caller's credentials)."""
    runner: str = DEFAULT_RELEASE_RUNNER
    """Shell line the deploy machine runs (``/bin/sh -c``, in the project directory) with the release
    document in ``WEBSTACK_RELEASE``. Default: exec "${WEBSTACK_PYTHON:-venv/bin/python}" -m ops.release."""


@dataclass(frozen=True)
class Callee:
    """A service this one calls over Service Connect."""

    name: str
    """The callee's discovery name (its service name). Required."""
    security_group_id: pulumi.Input[str]
    """The callee's task security group: the pair's rules reference it. Required."""
    port: int
    """The callee's container port (Envoy serves Service Connect on it). Required."""
    service: aws.ecs.Service
    """The callee's ECS service: callers deploy after it, or their tasks cannot resolve it. Required."""


@dataclass(frozen=True)
class QueueAccess:
    """A queue a service consumes or sends to."""

    name: str
    """The queue's name in the program (``QUEUE_URL_<NAME>`` for a sender). Required."""
    arn: pulumi.Input[str]
    """The queue's ARN (the task role's grant). Required."""
    url: pulumi.Input[str]
    """What the app sends to or receives from (``QUEUE_URL`` / ``QUEUE_URL_<NAME>``). Required."""
    queue_name: pulumi.Input[str]
    """The ``QueueName`` metric dimension (backlog scaling). Required."""


@dataclass(frozen=True)
class BucketAccess:
    """An app bucket a service reads or writes."""

    name: str
    """The bucket's name in the program (the variable ``BUCKET_<NAME>``, upper snake case). Required."""
    arn: pulumi.Input[str]
    """The bucket's ARN (the task role's grant: the bucket and ``<arn>/*``). Required."""
    bucket_name: pulumi.Input[str]
    """The bucket's name in S3 (the value of ``BUCKET_<NAME>``). Required."""
    kms_key_arn: pulumi.Input[str]
    """The key its objects are encrypted with (kms:Decrypt, and kms:GenerateDataKey to write, only
    through S3). Required."""
    write: bool = False
    """Whether the service may put and delete objects too, not only read them. Default: False."""


@dataclass(frozen=True)
class VolumeMount:
    """An EFS volume a service mounts, through its own access point."""

    name: str
    """The volume's name in the program (the task definition's volume ``volume-<name>``). Required."""
    path: str
    """Where the container sees it (an absolute path). Required."""
    file_system_id: pulumi.Input[str]
    """The file system's id. Required."""
    file_system_arn: pulumi.Input[str]
    """The file system's ARN (the task role's grant). Required."""
    access_point_id: pulumi.Input[str]
    """This service's access point on it. Required."""
    access_point_arn: pulumi.Input[str]
    """The access point's ARN (the grant's condition). Required."""
    security_group_id: pulumi.Input[str]
    """The mount targets' group: the service adds its NFS ingress rule there. Required."""
    read_only: bool = False
    """Mount read-only (no ClientWrite, ``readOnly`` mount point). Default: False."""


@dataclass(frozen=True)
class ServiceArgs:
    """What a Service builds, and what it attaches to."""

    # --- Where it runs ---
    cluster_arn: pulumi.Input[str]
    """The ECS cluster the service and its scheduled tasks run in. Required."""
    cluster_name: pulumi.Input[str]
    """The same cluster's name (scaling target, alarm and metric dimensions). Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the service's security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the tasks (and its scheduled tasks) run in. Required."""
    region: str
    """The stack's region (the awslogs driver, the KMS ``ViaService`` condition). Required."""
    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the service's log group (and ECS Exec sessions). Required."""
    launch_compatibility: str = DEFAULT_LAUNCH_COMPATIBILITY
    """``FARGATE`` or ``EC2``: what the task definition requires. Default: FARGATE."""
    capacity_provider_strategy: Sequence[CapacityProviderShare] = DEFAULT_CAPACITY_STRATEGY
    """How the service's (and its schedules') tasks spread over capacity providers.
    Default: FARGATE only (base 1, weight 1)."""
    platform_version: str | None = DEFAULT_PLATFORM_VERSION
    """Fargate platform version; None on EC2 capacity. Default: LATEST."""
    capacity_providers: aws.ecs.ClusterCapacityProviders | None = None
    """The cluster's capacity provider association: the ECS service waits for it. Default: None."""
    exec_enabled: bool = False
    """ECS Exec: the agent's channels in the task role, its writable paths, execute command on.
    Default: False."""
    exec_log_group_arn: pulumi.Input[str] | None = None
    """The log group ECS Exec sessions are written to (required with exec_enabled). Default: None."""
    service_connect_namespace_arn: pulumi.Input[str] | None = None
    """The Service Connect namespace callers and called services join. Default: None."""
    off_hours: OffHoursScaling | None = None
    """Scale to zero outside working hours; None runs around the clock. Default: None."""

    # --- The task ---
    image: pulumi.Input[str] | None = None
    """Image reference to run; give image or build. Default: None."""
    build: ImageBuild | None = None
    """Build the image here into the service's own ECR repository instead. Default: None."""
    force_delete_images: bool = False
    """Destroying the service deletes its ECR repository with its images. Default: False."""
    cpu: int = DEFAULT_CPU
    """Task CPU units. Default: 256."""
    memory: int = DEFAULT_MEMORY
    """Task memory in MiB, valid for the cpu. Default: 512."""
    port: int | None = None
    """Container port the app listens on; None: a worker with no route or inbound rule. Default: None."""
    extra_ports: Sequence[ExtraContainerPort] = ()
    """More container ports, each with its own target group. Default: none."""
    command: Sequence[str] | None = None
    """Replaces the image's CMD; None: the image's. Default: None."""
    entry_point: Sequence[str] | None = None
    """Replaces the image's ENTRYPOINT; None: the image's. Default: None."""
    working_directory: str | None = None
    """Directory the command runs in; None: the image's WORKDIR. Default: None."""
    user: str | None = None
    """User the container runs as; None: the image's USER. Default: None."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables. Default: none."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Variable -> Secrets Manager secret or SSM parameter ARN (``valueFrom``); the execution role may
    read exactly these. Default: none."""
    secrets_kms_key_arns: Sequence[str] = ()
    """Customer-managed keys of those secrets: decrypt through Secrets Manager only. Default: none."""
    task_policy_statements: Sequence[TaskPolicyStatement] = ()
    """What the app may do (the task role). Default: none (the role can do nothing)."""
    scratch_paths: Sequence[str] = DEFAULT_SCRATCH_PATHS
    """Writable volumes on the read-only root filesystem. Default: [/tmp]."""
    container_health_check: ContainerHealthCheck | None = None
    """The container's own health command. Default: None."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the service's logs are kept. Default: 14."""

    # --- Counts and scaling ---
    desired_count: int = DEFAULT_DESIRED_COUNT
    """Tasks at first deploy (autoscaling owns the count after). Default: 1."""
    min_count: int = DEFAULT_MIN_COUNT
    """Autoscaling minimum. Default: 1."""
    max_count: int = DEFAULT_MAX_COUNT
    """Autoscaling maximum. Default: 2."""
    cpu_target: int = DEFAULT_CPU_TARGET
    """Average CPU % to hold. Default: 70."""
    memory_target: int | None = None
    """Average memory % to hold; None: not tracked. Default: None."""
    requests_per_target: int | None = None
    """Load-balancer requests per task per minute to hold (needs request_count_label). Default: None."""
    backlog_per_task: int | None = None
    """Visible messages per running task to hold, on the consumed queue. Default: None."""
    scale_out_cooldown: int = DEFAULT_SCALE_OUT_COOLDOWN
    """Seconds between scale-outs. Default: 60."""
    scale_in_cooldown: int = DEFAULT_SCALE_IN_COOLDOWN
    """Seconds between scale-ins. Default: 300."""

    # --- The load balancer ---
    edge_security_group_id: pulumi.Input[str] | None = None
    """The load balancer's security group, the only internet-side source; None for a worker.
    Default: None."""
    target_group_arn: pulumi.Input[str] | None = None
    """The target group the tasks register in on port; None for a worker. Default: None."""
    listener_rules: Sequence[aws.lb.ListenerRule] = ()
    """The listener rules that use the service's target groups: the ECS service waits for them.
    Default: none."""
    request_count_label: pulumi.Input[str] | None = None
    """``<alb suffix>/<target group suffix>``, for request-count scaling. Default: None."""
    health_check_grace_period: int = DEFAULT_HEALTH_CHECK_GRACE_PERIOD
    """Seconds ECS ignores failing checks after a task starts (with a load balancer or a container
    check). Default: 60."""
    deployment: ServiceDeployment = field(default_factory=ServiceDeployment)
    """How a new version reaches traffic: rolling, or blue/green, canary or linear through
    traffic_shift. Default: rolling (100 % minimum healthy, 200 % maximum)."""
    traffic_shift: TrafficShift | None = None
    """The alternate target group and the production and test rules (required by every strategy but
    rolling; ECS gets its own role on exactly these). Default: None."""

    # --- Around the service ---
    schedules: Sequence[TaskSchedule] = ()
    """Tasks EventBridge Scheduler runs from the task definition. Default: none."""
    release: ReleaseTask | None = None
    """A task run from each new task definition before the service rolls it out. Default: None."""
    callees: Sequence[Callee] = ()
    """Services this one calls: exactly these pairs get security-group rules. Default: none."""
    serves_callers: bool = False
    """Other services call this one: it names its port and serves it over Service Connect.
    Default: False."""
    consumes: QueueAccess | None = None
    """The queue the service consumes. Default: None."""
    sends_to: Sequence[QueueAccess] = ()
    """Queues the service may send to. Default: none."""
    bucket_access: Sequence[BucketAccess] = ()
    """App buckets the service reads or writes: their variables and exact grants. Default: none."""
    volume_mounts: Sequence[VolumeMount] = ()
    """EFS volumes the service mounts: task volumes, mount points, grants, NFS paths. Default: none."""
    data_stores: Sequence[DataStoreLink] = ()
    """The databases and caches it uses: their variables, secrets and network paths. Default: none."""
    monitoring: ServiceMonitoring | None = None
    """Error metric from the logs and, with a topic, the service's alarms. Default: None."""
    alarm_thresholds: ServiceThresholds | None = None
    """When the service's alarms fire (required when monitoring has a topic). Default: None."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""
