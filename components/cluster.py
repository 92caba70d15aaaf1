"""The Cluster component: an ECS cluster on Fargate with Container Insights and logged ECS Exec.

Also the schema of ``webstack:cluster`` (its keys, environment defaults and checks).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool

from components.encryption import encrypted_log_group
from components.fargate import CAPACITY_STRATEGIES, CapacityStrategy
from components.naming import child_name, tags_with_name, type_token
from components.schema import RETENTION_FIX, Environment, RetentionDays, StrictModel

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


@dataclass(frozen=True)
class ClusterSettings:
    """The cluster as validated, environment defaults applied."""

    capacity: CapacityStrategy
    container_insights: ContainerInsights
    exec_enabled: bool
    exec_log_retention_days: int


def cluster_settings(config: ClusterConfig, environment: Environment) -> tuple[ClusterSettings, list[str]]:
    """The cluster with its environment's defaults applied, and every problem found."""
    defaults = CLUSTER_DEFAULTS[environment]
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
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    service_connect: bool = False
    """Whether services call each other: then the stack gets one Cloud Map namespace for Service Connect."""


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
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            child_name(name, "capacity"),
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=provider, base=base, weight=weight
                )
                for provider, base, weight in self.capacity_strategy
            ],
            opts=child,
        )

        self.arn = cluster.arn
        self.cluster_name = cluster.name
        self.exec_log_group_name = exec_logs.name
        self.exec_log_group_arn = exec_logs.arn
        self.exec_enabled = args.exec_enabled
        self.kms_key_arn = args.kms_key_arn
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.cluster_name,
                "execLogGroupName": self.exec_log_group_name,
                "capacityStrategy": [list(item) for item in self.capacity_strategy],
            }
        )
