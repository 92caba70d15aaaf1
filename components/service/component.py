"""The Service component: one containerised app on ECS, behind the load balancer, autoscaled.

Each service gets its own log group, roles, security group, task definition, ECS service and
scaling policies, and (when it builds its image here) its own ECR repository.
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..encryption import encrypted_log_group
from ..pure.inputs import args_of
from ..pure.naming import child_name, type_token
from .access import call_rules, data_store_paths, security_group, service_connect, volume_paths
from .alarms import deployment_alarms, task_alarms_and_errors
from .args import Callee, ServiceArgs
from .deployment import (
    advanced_configuration,
    deployment_configuration,
    traffic_shift_role,
)
from .image import service_image
from .pre_traffic import HookPlacement, pre_traffic_hook
from .release import release_task
from .roles import ServiceRoles, service_roles
from .scaling import autoscaling
from .schedules import task_schedules
from .task_definition import task_definition

MINIMUM_HEALTHY_PERCENT = 100
MAXIMUM_PERCENT = 200


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
    port: int | None
    """The container port; None for a worker."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(ServiceArgs, args)
        super().__init__(type_token("Service"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._name = name
        self.port = args.port
        self.image, self.repository_url = service_image(name, args, child)
        log_group = encrypted_log_group(
            child_name(name, "logs"), args.log_retention_days, args.kms_key_arn, self, args.tags
        )
        roles = service_roles(self, name, args)
        group, paths = self._network_access(name, args, child)
        task = task_definition(self, name, args, self.image, log_group.name, roles)
        release = release_task(self, name, args, task, group.id, [*roles.policies, *paths])
        alarms = deployment_alarms(self, name, args)
        self._ecs_service = self._service(name, args, task, group.id, roles, alarms, release)
        autoscaling(name, args, self._ecs_service.name, child)
        task_schedules(self, name, args, task, group.id, roles)
        task_alarms_and_errors(self, name, args, self._ecs_service.name, log_group.name)

        self.service_name = self._ecs_service.name
        self.log_group_name = log_group.name
        self.security_group_id = group.id
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
            service=self._ecs_service,
        )

    def _network_access(
        self, name: str, args: ServiceArgs, child: pulumi.ResourceOptions
    ) -> tuple[aws.ec2.SecurityGroup, list[pulumi.Resource]]:
        """The tasks' security group, and its rules: out, in from the edge, to the data stores and callees."""
        group, rules = security_group(name, args, child)
        rules += data_store_paths(name, args, group, child)
        rules += volume_paths(name, args, group, child)
        rules += call_rules(name, args, group, child)
        return group, rules

    def _service(
        self,
        name: str,
        args: ServiceArgs,
        task: aws.ecs.TaskDefinition,
        security_group_id: pulumi.Input[str],
        roles: ServiceRoles,
        alarms: Sequence[aws.cloudwatch.MetricAlarm],
        release: pulumi.Resource | None = None,
    ) -> aws.ecs.Service:
        """The ECS service: zero-downtime deploys that roll back on failure or alarm."""
        shift_role, load_balancers, hooks, hook_parts = self._rollout(name, args)
        return aws.ecs.Service(
            child_name(name, "service"),
            cluster=args.cluster_arn,
            task_definition=task.arn,
            desired_count=args.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider=share.capacity_provider, base=share.base, weight=share.weight
                )
                for share in args.capacity_provider_strategy
            ],
            platform_version=args.platform_version,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.subnet_ids), security_groups=[security_group_id], assign_public_ip=False
            ),
            load_balancers=load_balancers,
            # Only with a load balancer or a container check: ECS refuses a grace period with neither
            # (cfn-lint #3612, hako #70).
            health_check_grace_period_seconds=args.health_check_grace_period
            if load_balancers is not None or args.container_health_check is not None
            else None,
            service_connect_configuration=service_connect(name, args),
            # Rolling (new tasks first, never below the current count, back on repeated failure), or
            # blue/green, canary, linear by the listener rules (components/service/deployment.py).
            deployment_configuration=deployment_configuration(args.deployment, hooks),
            deployment_minimum_healthy_percent=MINIMUM_HEALTHY_PERCENT,
            deployment_maximum_percent=MAXIMUM_PERCENT,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            # ...and also when the 5xx-rate or unhealthy-hosts alarm fires during the deployment (with
            # blue/green, canary and linear also during the bake time, AWS deployment-alarm-failure.html).
            # ECS takes alarm *names*; they are computed in Python, so there is no cycle with the alarms.
            alarms=aws.ecs.ServiceAlarmsArgs(
                alarm_names=[alarm.name for alarm in alarms], enable=True, rollback=True
            )
            if alarms
            else None,
            # `pulumi up` waits until the rollout settles, so a rolled-back deploy fails visibly.
            wait_for_steady_state=True,
            # The provider refuses to change a capacity provider strategy without a forced deployment
            # (terraform-provider-aws PR 43533); it only takes effect when something else changes, so
            # an unchanged `pulumi up` still deploys nothing.
            force_new_deployment=True,
            enable_execute_command=args.exec_enabled,
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
                    *args.listener_rules,
                    *([args.capacity_providers] if args.capacity_providers is not None else []),
                    *roles.policies,
                    *(callee.service for callee in args.callees),
                    *alarms,
                    *([release] if release is not None else []),  # ran the new task definition to success
                    *([shift_role[1]] if shift_role else []),  # ECS checks the role on create/update
                    *hook_parts,  # the check's function and the policy ECS invokes it with
                ],
            ),
        )

    def _rollout(
        self, name: str, args: ServiceArgs
    ) -> tuple[
        tuple[aws.iam.Role, aws.iam.RolePolicy] | None,
        list[aws.ecs.ServiceLoadBalancerArgs] | None,
        list[aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs],
        list[pulumi.Resource],
    ]:
        """ECS's load-balancer role (traffic-shifting strategies), the load balancers, and the
        pre-traffic check's lifecycle hook with what the service waits for."""
        shift_role = traffic_shift_role(
            self, name, args.deployment, args.traffic_shift, args.target_group_arn, args.tags
        )
        load_balancers = _load_balancers(name, args, shift_role[0] if shift_role else None)
        hooks, parts = self._hooks(name, args)
        return shift_role, load_balancers, hooks, parts

    def _hooks(
        self, name: str, args: ServiceArgs
    ) -> tuple[list[aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs], list[pulumi.Resource]]:
        """The pre-traffic check's lifecycle hook, when the traffic shift has one."""
        check = args.traffic_shift.pre_traffic_check if args.traffic_shift is not None else None
        if check is None:
            return [], []
        placement = HookPlacement(
            vpc_id=args.vpc_id,
            subnet_ids=list(args.subnet_ids),
            kms_key_arn=args.kms_key_arn,
            log_retention_days=args.log_retention_days,
            tags=args.tags,
        )
        hook, parts = pre_traffic_hook(self, name, check, placement)
        return [hook], parts


def _load_balancers(
    name: str, args: ServiceArgs, shift_role: aws.iam.Role | None
) -> list[aws.ecs.ServiceLoadBalancerArgs] | None:
    """The main port's target group (with the traffic shift's alternate and rules) and each extra
    port's; None for a service without one."""
    if args.target_group_arn is None or args.port is None:
        return None
    return [
        aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=args.target_group_arn,
            container_name=name,
            container_port=args.port,
            advanced_configuration=advanced_configuration(args.traffic_shift, shift_role)
            if args.traffic_shift is not None and shift_role is not None
            else None,
        ),
        # Adding an extra port updates the service in place: load_balancer stopped being ForceNew
        # when UpdateService learnt load balancers (terraform-provider-aws #23596, PR #23597).
        *(
            aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=extra.target_group_arn, container_name=name, container_port=extra.port
            )
            for extra in args.extra_ports
            if extra.target_group_arn is not None
        ),
    ]
