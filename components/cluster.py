"""The Cluster component: an ECS cluster on Fargate with Container Insights and logged ECS Exec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ContainerInsights
from components.fargate import CAPACITY_STRATEGIES, CapacityStrategy
from components.naming import child_name, tags_with_name, type_token


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
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""


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
    capacity_providers: aws.ecs.ClusterCapacityProviders
    """Services depend on it: their strategy names these providers."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Cluster"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        exec_logs = aws.cloudwatch.LogGroup(
            child_name(name, "exec-logs"),
            retention_in_days=args.exec_log_retention_days,
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
                    # OVERRIDE: every exec session is written to our log group, not to the task's.
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=exec_logs.name,
                    ),
                )
            ),
            tags=tags_with_name(child_name(name, "ecs"), args.tags),
            opts=child,
        )
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
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.cluster_name,
                "execLogGroupName": self.exec_log_group_name,
                "capacityStrategy": [list(item) for item in self.capacity_strategy],
            }
        )
