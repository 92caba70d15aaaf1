"""The Service component: one containerised app on Fargate, behind the edge, autoscaled.

Each service gets its own log group, roles, security group, task definition, ECS service and
scaling policies, and (when it builds its image here) its own ECR repository.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components.artifacts import context_tag
from components.cluster import Cluster
from components.config import ServiceSettings
from components.guardrails import TASK_EXECUTION_POLICY_ARN
from components.iam import service_trust
from components.naming import IAM_PATH, child_name, tags_with_name, type_token

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

        log_group = aws.cloudwatch.LogGroup(
            child_name(name, "logs"),
            retention_in_days=settings.log_retention_days,
            tags=args.tags,
            opts=child,
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
                statements=args.cluster.exec_log_group_arn.apply(_exec_statements), opts=invoke
            )
            role_policies.append(
                aws.iam.RolePolicy(
                    child_name(name, "task-exec"), role=task_role.id, policy=exec_policy.json, opts=child
                )
            )

        security_group = self._security_group(name, args, child)

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
                for i in range(len(config.scratch_paths))
            ],
            container_definitions=pulumi.Output.json_dumps(
                [_container_definition(name, settings, self.image, log_group.name, args.region)]
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


def _exec_statements(exec_log_group_arn: str) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """The ECS Exec agent's channels, and writing session logs to the cluster's exec log group."""
    return [
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=list(EXEC_ACTIONS), resources=["*"]),
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
) -> dict[str, Any]:
    """The one container of the task: hardened, logging to its group, secrets only via valueFrom."""
    config = settings.config
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
            for i, path in enumerate(config.scratch_paths)
        ],
        "environment": [{"name": key, "value": value} for key, value in sorted(config.environment.items())],
        "secrets": [{"name": key, "valueFrom": arn} for key, arn in sorted(config.secrets.items())],
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
