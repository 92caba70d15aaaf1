"""The Cluster component: an ECS cluster on Fargate (or on an EC2 Auto Scaling group) with Container
Insights and logged ECS Exec."""

import pulumi
import pulumi_aws as aws

from ..encryption import encrypted_log_group
from ..pure.fargate import CAPACITY_STRATEGIES
from ..pure.inputs import args_of
from ..pure.naming import child_name, tags_with_name, type_token
from .args import ClusterArgs, OffHoursArgs
from .ec2_capacity import ec2_capacity, ec2_provider_name


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
    exec_enabled: bool
    """Whether services may turn on ECS Exec."""
    namespace_arn: pulumi.Output[str] | None
    """The stack's Service Connect namespace (Cloud Map, HTTP only: no DNS zone); None without calls."""
    launch_compatibility: str
    """FARGATE or EC2: what task definitions require."""
    platform_version: str | None
    """LATEST on Fargate; None on EC2, where ECS refuses a platform version."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(ClusterArgs, args)
        super().__init__(type_token("Cluster"), name, None, opts)
        exec_logs = encrypted_log_group(
            child_name(name, "exec-logs"), args.exec_log_retention_days, args.kms_key_arn, self, args.tags
        )
        namespace = self._namespace(name, args)
        cluster = self._ecs_cluster(name, args, exec_logs, namespace)
        self._capacity(name, args, cluster)
        self.arn = cluster.arn
        self.cluster_name = cluster.name
        self.exec_log_group_name = exec_logs.name
        self.exec_log_group_arn = exec_logs.arn
        self.exec_enabled = args.exec_enabled
        # For the services, not package outputs: the key they encrypt with, and the schedule they follow.
        self.kms_key_arn: pulumi.Input[str] = args.kms_key_arn
        self.off_hours: OffHoursArgs | None = args.off_hours
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.cluster_name,
                "execLogGroupName": self.exec_log_group_name,
                "capacityStrategy": [list(item) for item in self.capacity_strategy],
            }
        )

    def _namespace(self, name: str, args: ClusterArgs) -> aws.servicediscovery.HttpNamespace | None:
        """One Cloud Map namespace per stack when services call each other; ECS creates a Cloud Map
        service in it per called service."""
        self.namespace_arn = None
        if not args.service_connect:
            return None
        namespace = aws.servicediscovery.HttpNamespace(
            child_name(name, "namespace"),
            name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
            description="Service Connect names of this stack's services (http://<service>:<port>)",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.namespace_arn = namespace.arn
        return namespace

    def _ecs_cluster(
        self,
        name: str,
        args: ClusterArgs,
        exec_logs: aws.cloudwatch.LogGroup,
        namespace: aws.servicediscovery.HttpNamespace | None,
    ) -> aws.ecs.Cluster:
        """The cluster: Container Insights, ECS Exec encrypted and logged to our group, and the
        Service Connect namespace as its default."""
        return aws.ecs.Cluster(
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
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _capacity(self, name: str, args: ClusterArgs, cluster: aws.ecs.Cluster) -> None:
        """The capacity providers (Fargate's, and the Auto Scaling group's with EC2) and the default
        strategy every service uses.

        Order of a change, as ``pulumi up`` applies it: creates and updates follow dependencies, so the
        association is updated before the services that depend on it, and deletes come last in
        reverse order. fargate -> ec2 is one deploy: group and provider are created, the association
        adds the provider, then the services move onto it. ec2 -> fargate cannot be: the association
        would drop the provider before the services leave it, and ECS refuses ("The specified capacity
        provider is in use and cannot be removed", PutClusterCapacityProviders). So ``ec2_retiring``
        keeps the provider listed while the services move to Fargate; the next deploy, without ``ec2``,
        drops it from the list and then deletes provider and group (terraform-provider-aws
        ecs/cluster_capacity_providers.go: create and update are one PutClusterCapacityProviders).
        """
        # For the services, not package outputs: (capacity provider, base, weight) for each provider
        # they use, and the providers resource their strategy depends on.
        self.capacity_strategy: tuple[tuple[str, int, int], ...] = CAPACITY_STRATEGIES[args.capacity]
        self.launch_compatibility = "FARGATE"
        self.platform_version = "LATEST"
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        if args.ec2 is not None:
            provider = ec2_capacity(name, args, args.ec2, cluster.name, self)
            providers.append(provider.name)
            if not args.ec2_retiring:
                # A strategy cannot mix Auto Scaling group and Fargate providers: every task goes here.
                self.capacity_strategy = ((ec2_provider_name(), 0, 1),)
                self.launch_compatibility = "EC2"
                self.platform_version = None
        # One per cluster (a second one overwrites the first): the Auto Scaling group's provider joins
        # the Fargate ones here (AWS cluster-capacity-providers.html). Never replaced: its delete empties
        # the cluster's list (PutClusterCapacityProviders with none), which after a create-before-delete
        # replacement would strip the providers the new one had just put, and before one would pull
        # them from under running services.
        self.capacity_providers: aws.ecs.ClusterCapacityProviders = aws.ecs.ClusterCapacityProviders(
            child_name(name, "capacity"),
            cluster_name=cluster.name,
            capacity_providers=providers,
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=provider, base=base, weight=weight
                )
                for provider, base, weight in self.capacity_strategy
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
