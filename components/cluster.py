"""The Cluster component: an ECS cluster on Fargate (or on an EC2 Auto Scaling group) with Container
Insights and logged ECS Exec.

Also the schema of ``webstack:cluster`` (its keys, environment defaults and checks).
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool, StrictInt, StrictStr, ValidationInfo, field_validator

from stack.schema import RETENTION_FIX, Environment, RetentionDays, StrictModel

from .encryption import encrypted_log_group
from .pure import schedules
from .pure.fargate import CAPACITY_STRATEGIES, CapacityStrategy
from .pure.instances import (
    AMI_PARAMETERS,
    IMAGE_PLATFORMS,
    Architecture,
    architecture_of,
    instance_type_problem,
)
from .pure.naming import IAM_PATH, child_name, tags_with_name, type_token

# --- Config: `webstack:cluster` -------------------------------------------------------------------


class ContainerInsights(enum.StrEnum):
    """Container Insights level of the cluster (it is never off)."""

    ENABLED = "enabled"
    ENHANCED = "enhanced"


@dataclass(frozen=True)
class ClusterDefaults:
    """The values an environment's cluster uses for keys a stack does not set."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool


CLUSTER_DEFAULTS: dict[Environment, ClusterDefaults] = {
    Environment.DEV: ClusterDefaults(
        capacity=CapacityStrategy.SPOT_PREFERRED,
        container_insights=ContainerInsights.ENABLED,
        exec_enabled=True,
    ),
    Environment.PROD: ClusterDefaults(
        capacity=CapacityStrategy.ON_DEMAND,
        container_insights=ContainerInsights.ENHANCED,
        exec_enabled=False,
    ),
}


class ComputeKind(enum.StrEnum):
    """Where the cluster's tasks run."""

    FARGATE = "fargate"
    """AWS-managed capacity (FARGATE / FARGATE_SPOT, as ``capacity`` says)."""
    EC2 = "ec2"
    """An Auto Scaling group of ECS-optimized instances behind an ECS capacity provider."""


EC2_INSTANCE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
"""The ECS agent's own calls (register the instance, poll for tasks, pull images, write logs)."""
SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
"""Session Manager access instead of SSH (no key pair, no port 22)."""
EC2_INSTANCE_POLICIES = (EC2_INSTANCE_POLICY_ARN, SSM_CORE_POLICY_ARN)
"""The only policies a container instance's role holds."""
DEFAULT_INSTANCE_TYPE = "m7i.large"
ROOT_VOLUME_GIB = 30
"""The ECS-optimized AL2023 AMI's root volume is 30 GiB; a smaller one fails to launch."""
IMDS_HOP_LIMIT = 1
"""awsvpc tasks have their own network namespace and get credentials from the task-role endpoint,
never from IMDS; a hop limit of 1 (with ``ECS_AWSVPC_BLOCK_IMDS``) keeps every container away from
the instance role's credentials (AWS EC2 API ``LaunchTemplateInstanceMetadataOptions``; AL2023 AMIs
default to 2 when the template is silent)."""


class Ec2CapacityConfig(StrictModel):
    """``webstack:cluster.ec2``: the Auto Scaling group behind the cluster when compute is ec2."""

    instance_types: tuple[StrictStr, ...] = Field(
        default=(DEFAULT_INSTANCE_TYPE,),
        alias="instanceTypes",
        min_length=1,
        description=f"EC2 instance types, first preferred. Default [{DEFAULT_INSTANCE_TYPE}].",
        json_schema_extra={"fix": "list instance types such as [m7g.large, c7g.large]"},
    )
    architecture: Architecture = Field(
        default=Architecture.X86_64,
        description="x86_64 | arm64: the instances' CPU, matching every instance type and image. "
        "Default x86_64.",
        json_schema_extra={"fix": "use x86_64 or arm64"},
    )
    min_size: StrictInt = Field(
        default=1,
        alias="minSize",
        ge=0,
        description="Fewest instances. Default 1.",
        json_schema_extra={"fix": "use a whole number from 0"},
    )
    max_size: StrictInt = Field(
        default=4,
        alias="maxSize",
        ge=1,
        description="Most instances. Default 4.",
        json_schema_extra={"fix": "use a whole number from 1"},
    )
    target_capacity: StrictInt = Field(
        default=100,
        alias="targetCapacity",
        ge=1,
        le=100,
        description="Percent of instance capacity ECS managed scaling aims to use (100: no spare). "
        "Default 100.",
        json_schema_extra={"fix": "use a percentage from 1 to 100"},
    )


class OffHoursConfig(StrictModel):
    """``webstack:cluster.offHours``: scale every dev service to zero outside working hours."""

    timezone: StrictStr = Field(
        description="IANA time zone the cron expressions are read in, e.g. Europe/Dublin. Required.",
        json_schema_extra={"fix": "use an IANA name such as Europe/Dublin"},
    )
    stop: StrictStr = Field(
        description="Six-field cron at which services scale to zero, e.g. '0 20 ? * MON-FRI *'. Required.",
        json_schema_extra={"fix": f"use {schedules.CRON_FORM}"},
    )
    start: StrictStr = Field(
        description="Six-field cron at which services scale back up, e.g. '0 7 ? * MON-FRI *'. Required.",
        json_schema_extra={"fix": f"use {schedules.CRON_FORM}"},
    )

    @field_validator("timezone", "stop", "start")
    @classmethod
    def _schedulable(cls, value: str, info: ValidationInfo) -> str:
        check = schedules.timezone_problem if info.field_name == "timezone" else schedules.weekly_cron_problem
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value


class ClusterConfig(StrictModel):
    """``webstack:cluster``: the ECS cluster all services share."""

    compute: ComputeKind = Field(
        default=ComputeKind.FARGATE,
        description="fargate | ec2: where tasks run. Default fargate.",
        json_schema_extra={"fix": "use fargate or ec2"},
    )
    ec2: Ec2CapacityConfig | None = Field(
        default=None,
        description="The instances when compute is ec2: see cluster.ec2.*. Default: one "
        f"{DEFAULT_INSTANCE_TYPE} per zone range 1-4.",
        json_schema_extra={"fix": "make webstack:cluster.ec2 an object, e.g. {instanceTypes: [m7g.large]}"},
    )

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
    off_hours: OffHoursConfig | None = Field(
        default=None,
        alias="offHours",
        description="{timezone, stop, start}: scale every service to zero at stop and back at start "
        "(dev only). Default: none, services run around the clock.",
        json_schema_extra={"fix": "use {timezone: Europe/Dublin, stop: '0 20 ? * MON-FRI *', ...}"},
    )


@dataclass(frozen=True)
class Ec2Capacity:
    """The validated EC2 capacity of a cluster."""

    instance_types: tuple[str, ...]
    architecture: Architecture
    min_size: int
    max_size: int
    target_capacity: int


@dataclass(frozen=True)
class ClusterSettings:
    """The cluster as validated, environment defaults applied."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool
    exec_log_retention_days: int
    compute: ComputeKind = ComputeKind.FARGATE
    ec2: Ec2Capacity | None = None
    """Set exactly when compute is ec2."""
    off_hours: schedules.OffHours | None = None
    """When services scale to zero and back; None runs them around the clock."""


def _ec2_capacity(config: ClusterConfig) -> tuple[Ec2Capacity | None, list[str]]:
    """The EC2 capacity of an ec2 cluster and its problems (none for a fargate one)."""
    if config.compute is ComputeKind.FARGATE:
        if config.ec2 is not None:
            return None, [
                "webstack:cluster.ec2: got instance settings, but webstack:cluster.compute is fargate; "
                "set compute: ec2 or remove the ec2 key"
            ]
        return None, []
    ec2 = config.ec2 or Ec2CapacityConfig()
    problems = []
    if config.capacity is not None:
        problems.append(
            f"webstack:cluster.capacity: got {config.capacity.value!r}, but it spreads tasks over "
            "FARGATE and FARGATE_SPOT and webstack:cluster.compute is ec2 (a strategy cannot mix "
            "Auto Scaling group and Fargate providers); remove capacity or use compute: fargate"
        )
    for index, instance_type in enumerate(ec2.instance_types):
        key = f"webstack:cluster.ec2.instanceTypes[{index}]"
        problem = instance_type_problem(instance_type)
        if problem:
            problems.append(f"{key}: got {instance_type!r}, but {problem}; fix the name")
        elif architecture_of(instance_type) is not ec2.architecture:
            problems.append(
                f"{key}: got {instance_type!r}, an {architecture_of(instance_type).value} type (Graviton "
                f"families carry a g after the generation), but cluster.ec2.architecture is "
                f"{ec2.architecture.value}; use {ec2.architecture.value} types only or change architecture"
            )
    if ec2.min_size > ec2.max_size:
        problems.append(
            f"webstack:cluster.ec2.minSize: got {ec2.min_size}, but maxSize is {ec2.max_size}; "
            "use a minSize no larger than maxSize"
        )
    capacity = Ec2Capacity(
        instance_types=ec2.instance_types,
        architecture=ec2.architecture,
        min_size=ec2.min_size,
        max_size=ec2.max_size,
        target_capacity=ec2.target_capacity,
    )
    return capacity, problems


def cluster_settings(config: ClusterConfig, environment: Environment) -> tuple[ClusterSettings, list[str]]:
    """The cluster with its environment's defaults applied, and every problem found."""
    defaults = CLUSTER_DEFAULTS[environment]
    capacity = config.capacity or defaults.capacity
    ec2, problems = _ec2_capacity(config)
    if environment is Environment.PROD and capacity is CapacityStrategy.SPOT_PREFERRED:
        problems.append(
            "webstack:cluster.capacity: got 'spot_preferred', but prod keeps a FARGATE base so that a "
            "Spot reclaim cannot stop every task; use on_demand (default) or balanced"
        )
    exec_enabled = defaults.exec_enabled if config.exec_enabled is None else config.exec_enabled
    off_hours = config.off_hours and schedules.OffHours(**config.off_hours.model_dump())
    if environment is Environment.PROD and off_hours is not None:
        problems.append(
            "webstack:cluster.offHours: prod services must run around the clock, so prod cannot scale "
            "them to zero; remove offHours from the prod stack (it is a dev cost lever)"
        )
    settings = ClusterSettings(
        capacity=capacity,
        container_insights=config.container_insights or defaults.container_insights,
        exec_enabled=exec_enabled,
        exec_log_retention_days=config.exec_log_retention_days,
        compute=config.compute,
        ec2=ec2,
        off_hours=off_hours,
    )
    return settings, problems


def image_platform_problems(
    ec2: Ec2Capacity | None, platforms: Mapping[str, str | None]
) -> tuple[list[str], list[str]]:
    """Services whose image cannot run on the instances' architecture (problems), and services whose
    prebuilt image nobody can check here (warnings). ``platforms``: service -> build.platform, or
    None for a prebuilt image."""
    if ec2 is None:
        return [], []
    needed = IMAGE_PLATFORMS[ec2.architecture]
    problems = [
        f"webstack:services.{name}.build.platform: got {platform!r}, but the cluster's instances are "
        f"{ec2.architecture.value} (cluster.ec2.architecture); build for {needed} or change the architecture"
        for name, platform in platforms.items()
        if platform is not None and platform != needed
    ]
    warnings = [
        f"webstack:services.{name}.image: a prebuilt image cannot be checked for {needed} here; make sure "
        f"it has a {needed} variant or the tasks will not start on the {ec2.architecture.value} instances"
        for name, platform in platforms.items()
        if platform is None
    ]
    return problems, warnings


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterArgs:
    """What the Cluster builds."""

    capacity: CapacityStrategy
    """How tasks spread over FARGATE and FARGATE_SPOT; every service uses this strategy."""
    container_insights: ContainerInsights
    """enabled or enhanced (never off)."""
    exec_enabled: bool
    """Whether services allow ECS Exec. Sessions are always logged when it is on."""
    exec_log_retention_days: int
    """Days ECS Exec session logs are kept."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: encrypts the exec log group, exec sessions, and the services' log groups."""
    off_hours: schedules.OffHours | None = None
    """When every service scales to zero and back (dev cost lever). Default: none, always on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    default_tags: Mapping[str, str] = field(default_factory=dict)
    """The provider's default tags (``aws:defaultTags``): the provider applies them to resources, but not
    to a launch template's tag specifications nor to an Auto Scaling group (terraform-provider-aws
    #19387, #32328), so EC2 instances and volumes get them from here."""
    service_connect: bool = False
    """Whether services call each other: then the stack gets one Cloud Map namespace for Service Connect."""
    ec2: Ec2Capacity | None = None
    """EC2 capacity (compute ec2): an Auto Scaling group and its capacity provider; None: Fargate only."""
    vpc_id: pulumi.Input[str] | None = None
    """The VPC of the instances' security group (needed with ec2)."""
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Private subnets the instances launch in, one per zone (needed with ec2)."""


class Cluster(pulumi.ComponentResource):
    """ECS cluster, its capacity providers and default strategy, and the ECS Exec session log."""

    arn: pulumi.Output[str]
    """The cluster's ARN (services attach to it)."""
    cluster_name: pulumi.Output[str]
    """The cluster's name (autoscaling resource ids use it)."""
    exec_log_group_name: pulumi.Output[str]
    """Where ECS Exec sessions are logged."""
    exec_log_group_arn: pulumi.Output[str]
    """ARN of that log group (task roles may write to it when exec is on)."""
    capacity_strategy: tuple[tuple[str, int, int], ...]
    """(capacity provider, base, weight) for each provider the services use."""
    exec_enabled: bool
    """Whether services may turn on ECS Exec."""
    kms_key_arn: pulumi.Input[str]
    """The stack key; services encrypt their log groups with it and decrypt exec sessions."""
    capacity_providers: aws.ecs.ClusterCapacityProviders
    """Services depend on it: their strategy names these providers."""
    namespace_arn: pulumi.Output[str] | None
    """The stack's Service Connect namespace (Cloud Map, HTTP only: no DNS zone); None without calls."""
    launch_compatibility: str
    """FARGATE or EC2: what task definitions require."""
    platform_version: str | None
    """LATEST on Fargate; None on EC2, where ECS refuses a platform version."""
    off_hours: schedules.OffHours | None
    """The off-hours schedule every service follows, if any."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Cluster"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        exec_logs = encrypted_log_group(
            child_name(name, "exec-logs"), args.exec_log_retention_days, args.kms_key_arn, self, args.tags
        )
        namespace = None
        if args.service_connect:
            # One per stack; ECS creates a Cloud Map service in it per called service.
            namespace = aws.servicediscovery.HttpNamespace(
                child_name(name, "namespace"),
                name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
                description="Service Connect names of this stack's services (http://<service>:<port>)",
                tags=args.tags,
                opts=child,
            )
        cluster = aws.ecs.Cluster(
            child_name(name, "ecs"),
            settings=[
                aws.ecs.ClusterSettingArgs(name="containerInsights", value=args.container_insights.value)
            ],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    # The session channel is encrypted with the stack key (checkov CKV_AWS_224); task
                    # roles get kms:Decrypt on it (components/service.py).
                    kms_key_id=args.kms_key_arn,
                    # OVERRIDE: every exec session is written to our log group, not to the task's.
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=exec_logs.name,
                        # The agent refuses to log into a group that is not encrypted: ours is.
                        cloud_watch_encryption_enabled=True,
                    ),
                )
            ),
            service_connect_defaults=aws.ecs.ClusterServiceConnectDefaultsArgs(namespace=namespace.arn)
            if namespace is not None
            else None,
            tags=tags_with_name(child_name(name, "ecs"), args.tags),
            opts=child,
        )
        self.namespace_arn = namespace.arn if namespace is not None else None
        self.capacity_strategy = CAPACITY_STRATEGIES[args.capacity]
        self.launch_compatibility = "FARGATE"
        self.platform_version: str | None = "LATEST"
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        association = child
        if args.ec2 is not None:
            provider = self._ec2_capacity(name, args, args.ec2, cluster)
            # A strategy cannot mix Auto Scaling group and Fargate providers: every task goes here.
            self.capacity_strategy = ((ec2_provider_name(), 0, 1),)
            self.launch_compatibility = "EC2"
            self.platform_version = None
            providers.append(provider.name)
            # A provider still listed here cannot be deleted: replace the list with the provider.
            association = pulumi.ResourceOptions(parent=self, replace_with=[provider])
        # One per cluster (a second one overwrites the first): the Auto Scaling group's provider joins
        # the Fargate ones here (AWS cluster-capacity-providers.html).
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            child_name(name, "capacity"),
            cluster_name=cluster.name,
            capacity_providers=providers,
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=provider, base=base, weight=weight
                )
                for provider, base, weight in self.capacity_strategy
            ],
            opts=association,
        )

        self.arn = cluster.arn
        self.cluster_name = cluster.name
        self.exec_log_group_name = exec_logs.name
        self.exec_log_group_arn = exec_logs.arn
        self.exec_enabled = args.exec_enabled
        self.kms_key_arn = args.kms_key_arn
        self.off_hours = args.off_hours
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.cluster_name,
                "execLogGroupName": self.exec_log_group_name,
                "capacityStrategy": [list(item) for item in self.capacity_strategy],
            }
        )

    def _ec2_capacity(
        self, name: str, args: ClusterArgs, ec2: Ec2Capacity, cluster: aws.ecs.Cluster
    ) -> aws.ecs.CapacityProvider:
        """Instance role and profile, launch template, Auto Scaling group, capacity provider."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            child_name(name, "instance-role"),
            # EC2 assumes instance roles for the instance itself: no aws:SourceAccount to pin.
            assume_role_policy=aws.iam.get_policy_document_output(
                statements=[
                    aws.iam.GetPolicyDocumentStatementArgs(
                        effect="Allow",
                        actions=["sts:AssumeRole"],
                        principals=[
                            aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                                type="Service", identifiers=["ec2.amazonaws.com"]
                            )
                        ],
                    )
                ],
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).json,
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                child_name(name, f"instance-{role_name}"), role=role.name, policy_arn=arn, opts=child
            )
            for role_name, arn in zip(("ecs", "ssm"), EC2_INSTANCE_POLICIES, strict=True)
        ]
        profile = aws.iam.InstanceProfile(
            child_name(name, "instance-profile"), role=role.name, path=IAM_PATH, tags=args.tags, opts=child
        )
        group = aws.ec2.SecurityGroup(
            child_name(name, "instances-sg"),
            vpc_id=args.vpc_id,
            description="ECS container instances: nothing in; HTTPS out to ECS, ECR, logs and SSM",
            tags=tags_with_name(child_name(name, "instances-sg"), args.tags),
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            child_name(name, "instances-out-https"),
            security_group_id=group.id,
            description="HTTPS to AWS APIs (through NAT or the interface endpoints)",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            tags=args.tags,
            opts=child,
        )
        ami = aws.ssm.get_parameter_output(
            name=AMI_PARAMETERS[ec2.architecture], opts=pulumi.InvokeOutputOptions(parent=self)
        )
        template = aws.ec2.LaunchTemplate(
            child_name(name, "instances"),
            description=f"ECS-optimized Amazon Linux 2023 ({ec2.architecture.value}) for {name}",
            image_id=ami.value,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=IMDS_HOP_LIMIT
            ),
            # No key_name: shell access is Session Manager's (SSM core policy), never SSH.
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0, associate_public_ip_address="false", security_groups=[group.id]
                )
            ],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type="gp3",
                        volume_size=ROOT_VOLUME_GIB,
                        encrypted="true",
                        kms_key_id=args.kms_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            user_data=cluster.name.apply(_user_data),
            update_default_version=True,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind,
                    tags=tags_with_name(child_name(name, "instance"), {**args.default_tags, **args.tags}),
                )
                for kind in ("instance", "volume")
            ],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
        scaling_role, key_grant = self._scaling_role_with_key(name, args)
        auto_scaling = aws.autoscaling.Group(
            child_name(name, "asg"),
            vpc_zone_identifiers=list(args.subnet_ids),
            min_size=ec2.min_size,
            max_size=ec2.max_size,
            mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
                launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                    launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                        launch_template_id=template.id, version="$Latest"
                    ),
                    overrides=[
                        aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(
                            instance_type=kind
                        )
                        for kind in ec2.instance_types
                    ],
                ),
                instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                    on_demand_base_capacity=0,
                    on_demand_percentage_above_base_capacity=100,
                    on_demand_allocation_strategy="prioritized",
                ),
            ),
            # Managed termination protection refuses a group without scale-in protection (AWS
            # managed-termination-protection.html; ansible #68625).
            protect_from_scale_in=True,
            # Destroy would hang on scale-in-protected instances (TF #18849, aws-cdk #18179).
            force_delete=True,
            health_check_type="EC2",
            service_linked_role_arn=scaling_role.arn,
            # ECS adds this tag; declaring it keeps each `up` from stripping it (SDK capacity_provider.py).
            tags=[
                aws.autoscaling.GroupTagArgs(key="AmazonECSManaged", value="true", propagate_at_launch=True),
                *(
                    aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
                    for key, value in {**args.default_tags, **args.tags}.items()
                ),
            ],
            opts=pulumi.ResourceOptions(
                parent=self,
                # ECS managed scaling owns the desired capacity.
                ignore_changes=["desiredCapacity"],
                depends_on=[key_grant],
            ),
        )
        return aws.ecs.CapacityProvider(
            child_name(name, "ec2"),
            # Names cannot start with aws, ecs or fargate (AWS API CreateCapacityProvider).
            name=ec2_provider_name(),
            auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
                auto_scaling_group_arn=auto_scaling.arn,
                managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(
                    status="ENABLED", target_capacity=ec2.target_capacity
                ),
                managed_termination_protection="ENABLED",
                managed_draining="ENABLED",
            ),
            tags=args.tags,
            # An Auto Scaling group backs one provider only: the old one goes first (containers-roadmap #632).
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

    def _scaling_role_with_key(
        self, name: str, args: ClusterArgs
    ) -> tuple[aws.iam.ServiceLinkedRole, aws.kms.Grant]:
        """This group's own Auto Scaling service-linked role, granted the stack key for its volumes.

        Auto Scaling launches instances as its service-linked role, which has no access to customer
        managed keys: without a grant every launch fails (AWS autoscaling
        ``key-policy-requirements-EBS-encryption.html``). A role with this stack's suffix exists
        before the grant names it (the shared default role may not exist in a new account, and a grant
        or key policy naming a missing principal is refused).
        """
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.ServiceLinkedRole(
            child_name(name, "scaling-role"),
            aws_service_name="autoscaling.amazonaws.com",
            # The role name (AWSServiceRoleForAutoScaling_<suffix>) holds 64 characters at most.
            custom_suffix=f"{pulumi.get_project()}-{pulumi.get_stack()}"[:SCALING_ROLE_SUFFIX_MAX],
            description="Auto Scaling for this stack's ECS container instances",
            tags=args.tags,
            opts=child,
        )
        grant = aws.kms.Grant(
            child_name(name, "scaling-key-grant"),
            key_id=args.kms_key_arn,
            grantee_principal=role.arn,
            operations=list(SCALING_KEY_OPERATIONS),
            opts=child,
        )
        return role, grant


SCALING_ROLE_SUFFIX_MAX = 64 - len("AWSServiceRoleForAutoScaling_")
SCALING_KEY_OPERATIONS = (
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
)
"""What Auto Scaling's role needs on the key of encrypted volumes (AWS autoscaling
``key-policy-requirements-EBS-encryption.html``, the grant example)."""


def ec2_provider_name() -> str:
    """The EC2 capacity provider's name: fixed, so services can name it in their strategy."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-ec2"


def _user_data(cluster_name: str) -> str:
    """Base64 user data: join this cluster (else the agent joins ``default``: aws-cdk #30171) and
    keep awsvpc tasks off IMDS."""
    script = (
        "#!/bin/bash\n"
        f"echo ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config\n"
        "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n"
    )
    return base64.b64encode(script.encode()).decode()
