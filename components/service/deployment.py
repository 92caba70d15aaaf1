"""How the ECS service rolls out a new version: the deployment strategy, and for blue/green, canary
and linear the load balancer's advanced configuration with the infrastructure role ECS acts through.

Evidence (pulumi-aws 7.51 ``ecs/_inputs.py``, terraform-provider-aws ``internal/service/ecs/service.go``):
``deployment_configuration`` {strategy ROLLING|BLUE_GREEN|CANARY|LINEAR, bake_time_in_minutes (a
string, 0-1440), canary_configuration {canary_percent 0.1-100, canary_bake_time_in_minutes},
linear_configuration {step_percent 3-100, step_bake_time_in_minutes}} and
``load_balancers[].advanced_configuration`` {alternate_target_group_arn, production_listener_rule,
test_listener_rule, role_arn} are updatable in place (neither is ForceNew), and the deployment
controller stays ECS (its default). AWS ECS developer guide: "Amazon ECS blue/green deployments",
"Amazon ECS infrastructure IAM role for load balancers" (AmazonECSInfrastructureRolePolicyForLoadBalancers).
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..iam import Statement
from ..pure.naming import IAM_PATH, child_name
from .pre_traffic import PreTrafficCheck

ECS_PRINCIPAL = "ecs.amazonaws.com"
"""The principal ECS assumes the infrastructure role as (AWS: infrastructure_IAM_role.html)."""
DESCRIBE_ACTIONS = (
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)
"""Reads of the managed policy's ELBReadOperations statement; ELB's Describe* take no resource."""
TARGET_ACTIONS = ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets")
"""The managed policy's TargetGroupOperations, here on the service's two target groups only."""
RULE_ACTIONS = ("elasticloadbalancing:ModifyRule",)
"""The managed policy's ALB rule statement, here on the service's production and test rules only."""
DEFAULT_CANARY_PERCENT = 10.0
DEFAULT_CANARY_BAKE_MINUTES = 5
DEFAULT_LINEAR_STEP_PERCENT = 20.0
DEFAULT_LINEAR_STEP_BAKE_MINUTES = 2


class DeploymentStrategy(enum.StrEnum):
    """ECS DeploymentConfiguration.strategy."""

    ROLLING = "ROLLING"
    BLUE_GREEN = "BLUE_GREEN"
    CANARY = "CANARY"
    LINEAR = "LINEAR"


@dataclass(frozen=True)
class ServiceDeployment:
    """How a new version reaches production traffic."""

    strategy: DeploymentStrategy = DeploymentStrategy.ROLLING
    """ROLLING replaces tasks in place; the others start a full new copy in the alternate target group
    and move traffic by the listener rules (needs traffic_shift). Default: ROLLING."""
    bake_time_minutes: int = 0
    """Minutes the old copy stays after all traffic moved (0-1440; not with ROLLING). Default: 0."""
    canary_percent: float = DEFAULT_CANARY_PERCENT
    """CANARY: share of traffic moved first (0.1-100). Default: 10.0."""
    canary_bake_minutes: int = DEFAULT_CANARY_BAKE_MINUTES
    """CANARY: minutes before the rest moves (0-1440). Default: 5."""
    linear_step_percent: float = DEFAULT_LINEAR_STEP_PERCENT
    """LINEAR: share of traffic moved per step (3-100). Default: 20.0."""
    linear_step_bake_minutes: int = DEFAULT_LINEAR_STEP_BAKE_MINUTES
    """LINEAR: minutes between steps (0-1440). Default: 2."""


@dataclass(frozen=True)
class TrafficShift:
    """What ECS moves traffic with: the second target group and the two listener rules."""

    alternate_target_group_arn: pulumi.Input[str]
    """The target group the new copy registers in (then the old one's, turn about). Required."""
    production_listener_rule_arn: pulumi.Input[str]
    """The rule whose forward weights ECS moves from one target group to the other. Required."""
    test_listener_rule_arn: pulumi.Input[str]
    """The rule that reaches the new copy before production traffic does. Required."""
    pre_traffic_check: PreTrafficCheck | None = None
    """A request through the test listener that must succeed before production traffic moves (an ECS
    lifecycle hook at POST_TEST_TRAFFIC_SHIFT). Default: None (no check)."""


def deployment_configuration(
    deployment: ServiceDeployment,
    hooks: Sequence[aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs] = (),
) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    """The strategy and its knobs, and the lifecycle hooks. ROLLING is explicit too: the block is
    Optional+Computed, so leaving it out after BLUE_GREEN would keep BLUE_GREEN (terraform-provider-aws
    ecs/service.go). ``lifecycle_hook`` is Optional, not Computed, and expandLifecycleHooks sends an
    empty list for none, so removing the check clears the hook."""
    strategy = deployment.strategy
    if strategy is DeploymentStrategy.ROLLING:
        return aws.ecs.ServiceDeploymentConfigurationArgs(strategy=strategy.value)
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=strategy.value,
        # The provider types the minute fields as strings (nullable ints).
        bake_time_in_minutes=str(deployment.bake_time_minutes),
        canary_configuration=aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=deployment.canary_percent,
            canary_bake_time_in_minutes=str(deployment.canary_bake_minutes),
        )
        if strategy is DeploymentStrategy.CANARY
        else None,
        linear_configuration=aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=deployment.linear_step_percent,
            step_bake_time_in_minutes=str(deployment.linear_step_bake_minutes),
        )
        if strategy is DeploymentStrategy.LINEAR
        else None,
        lifecycle_hooks=list(hooks) or None,
    )


def check_deployment(
    name: str, deployment: ServiceDeployment, shift: TrafficShift | None, routed: bool
) -> None:
    """A traffic-shifting strategy needs a target group and the shift's rules; rolling needs neither."""
    shifting = deployment.strategy is not DeploymentStrategy.ROLLING
    if shifting and (shift is None or not routed):
        raise ValueError(
            f"{name}: deployment strategy {deployment.strategy.value} needs target_group_arn and "
            "traffic_shift (an alternate target group and the production and test rules)"
        )
    if not shifting and shift is not None:
        raise ValueError(f"{name}: traffic_shift is set but the deployment strategy is ROLLING")


def traffic_shift_role(
    owner: pulumi.Resource,
    name: str,
    deployment: ServiceDeployment,
    shift: TrafficShift | None,
    target_group_arn: pulumi.Input[str] | None,
    tags: Mapping[str, str],
) -> tuple[aws.iam.Role, aws.iam.RolePolicy] | None:
    """ECS's role and its policy for a traffic-shifting strategy; None for rolling."""
    check_deployment(name, deployment, shift, target_group_arn is not None)
    if shift is None or target_group_arn is None:
        return None
    return infrastructure_role(owner, name, target_group_arn, shift, dict(tags))


def infrastructure_role(
    owner: pulumi.Resource,
    name: str,
    target_group_arn: pulumi.Input[str],
    shift: TrafficShift,
    tags: dict[str, str],
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The role ECS assumes to move this service's traffic: AWS's managed policy narrowed to its two
    target groups and its two rules (ModifyListener is left out: it is for NLB listeners, and ALB
    production and test rules are rules)."""
    child = pulumi.ResourceOptions(parent=owner)
    trust = aws.iam.get_policy_document_output(
        statements=[
            Statement(
                effect="Allow",
                actions=["sts:AssumeRole"],
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service", identifiers=[ECS_PRINCIPAL]
                    )
                ],
            )
        ],
        opts=pulumi.InvokeOutputOptions(parent=owner),
    ).json
    role = aws.iam.Role(
        child_name(name, "lb-role"),
        description=f"ECS moves {name}'s traffic between its two target groups during deployments",
        assume_role_policy=trust,
        path=IAM_PATH,
        tags=tags,
        opts=child,
    )
    # The helper's nested fields take plain strings: the statements are built once the ARNs are known
    # (data only, no resource inside the apply).
    statements = pulumi.Output.all(
        target_group_arn,
        shift.alternate_target_group_arn,
        shift.production_listener_rule_arn,
        shift.test_listener_rule_arn,
    ).apply(lambda arns: _role_statements(*arns))
    document = aws.iam.get_policy_document_output(
        statements=statements, opts=pulumi.InvokeOutputOptions(parent=owner)
    )
    policy = aws.iam.RolePolicy(child_name(name, "lb-policy"), role=role.id, policy=document.json, opts=child)
    return role, policy


def _role_statements(
    target_group: str, alternate: str, production_rule: str, test_rule: str
) -> list[Statement]:
    return [
        Statement(sid="ReadLoadBalancing", effect="Allow", actions=list(DESCRIBE_ACTIONS), resources=["*"]),
        Statement(
            sid="RegisterInTheTwoTargetGroups",
            effect="Allow",
            actions=list(TARGET_ACTIONS),
            resources=[target_group, alternate],
        ),
        Statement(
            sid="ShiftTheTwoRules",
            effect="Allow",
            actions=list(RULE_ACTIONS),
            resources=[production_rule, test_rule],
        ),
    ]


def advanced_configuration(
    shift: TrafficShift, role: aws.iam.Role
) -> aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs:
    """The main port's load balancer block for a traffic-shifting strategy."""
    return aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
        alternate_target_group_arn=shift.alternate_target_group_arn,
        production_listener_rule=shift.production_listener_rule_arn,
        test_listener_rule=shift.test_listener_rule_arn,
        role_arn=role.arn,
    )
