"""Scheduled runs of the service's task definition: EventBridge Scheduler with its own role, retries and
a dead-letter queue for starts that keep failing."""

import json

import pulumi
import pulumi_aws as aws

from ..iam import service_trust
from ..pure.naming import IAM_PATH, child_name, member_name, tags_with_name
from ..queue import DLQ_RETENTION_SECONDS
from .args import ServiceArgs, TaskSchedule
from .roles import ECS_TASKS, ServiceRoles, inline_policy

SCHEDULER = "scheduler.amazonaws.com"
SCHEDULE_MAX_EVENT_AGE_SECONDS = 3600
"""A scheduled start still failing after an hour goes to the dead-letter queue instead."""


def task_schedules(
    owner: pulumi.Resource,
    name: str,
    args: ServiceArgs,
    task_definition: aws.ecs.TaskDefinition,
    security_group_id: pulumi.Input[str],
    roles: ServiceRoles,
) -> None:
    """EventBridge Scheduler runs the service's task definition on each schedule: in the private
    subnets with the service's security group, retried, failures kept in a dead-letter queue."""
    if not args.schedules:
        return
    child = pulumi.ResourceOptions(parent=owner)
    dead_letter = aws.sqs.Queue(
        child_name(name, "schedules-dlq"),
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        tags=tags_with_name(child_name(name, "schedules-dlq"), args.tags),
        opts=child,
    )
    role = aws.iam.Role(
        child_name(name, "scheduler-role"),
        description=f"EventBridge Scheduler for {name}: run its task definition, nothing else",
        assume_role_policy=service_trust(SCHEDULER, parent=owner),
        path=IAM_PATH,
        tags=args.tags,
        opts=child,
    )
    statements = pulumi.Output.all(
        task_definition.arn_without_revision,
        args.cluster_arn,
        roles.execution.arn,
        roles.task.arn,
        dead_letter.arn,
        args.kms_key_arn,
    ).apply(lambda values: _scheduler_statements(*values))
    policy = inline_policy(owner, name, "scheduler-policy", role, statements)
    for schedule in args.schedules:
        aws.scheduler.Schedule(
            member_name(name, "schedule", schedule.name),
            description=f"{name}: {schedule.name}",
            schedule_expression=schedule.expression,
            schedule_expression_timezone=schedule.timezone,
            flexible_time_window={"mode": "OFF"},
            state="ENABLED",
            # The payload (the command override) encrypted with the stack's key, not an AWS owned one
            # (EventBridge Scheduler guide, encryption-rest: payload supports customer managed keys). Not
            # ForceNew (terraform-provider-aws scheduler/schedule.go: kms_key_arn Optional, sent by
            # UpdateSchedule): a running stack's schedules are updated in place, same URNs.
            kms_key_arn=args.kms_key_arn,
            target=_target(name, args, schedule, task_definition, security_group_id, role, dead_letter),
            opts=pulumi.ResourceOptions(parent=owner, depends_on=[policy]),
        )


def _target(
    name: str,
    args: ServiceArgs,
    schedule: TaskSchedule,
    task_definition: aws.ecs.TaskDefinition,
    security_group_id: pulumi.Input[str],
    role: aws.iam.Role,
    dead_letter: aws.sqs.Queue,
) -> aws.scheduler.ScheduleTargetArgsDict:
    """RunTask of the task definition in the cluster, with the schedule's command override if any."""
    command = schedule.command
    return {
        "arn": args.cluster_arn,
        "role_arn": role.arn,
        # RunTask overrides, as EventBridge passes the target input to ECS.
        "input": json.dumps({"containerOverrides": [{"name": name, "command": list(command)}]})
        if command
        else None,
        "ecs_parameters": {
            "task_definition_arn": task_definition.arn,
            "task_count": 1,
            "capacity_provider_strategies": [
                {"capacity_provider": share.capacity_provider, "base": share.base, "weight": share.weight}
                for share in args.capacity_provider_strategy
            ],
            "platform_version": args.platform_version,
            "network_configuration": {
                "subnets": list(args.subnet_ids),
                "security_groups": [security_group_id],
                "assign_public_ip": False,  # a bool here, unlike ECS services
            },
            "enable_ecs_managed_tags": True,
            "propagate_tags": "TASK_DEFINITION",
        },
        "retry_policy": {
            "maximum_retry_attempts": schedule.retries,
            "maximum_event_age_in_seconds": SCHEDULE_MAX_EVENT_AGE_SECONDS,
        },
        "dead_letter_config": {"arn": dead_letter.arn},
    }


def _scheduler_statements(
    family_arn: str,
    cluster_arn: str,
    execution_role_arn: str,
    task_role_arn: str,
    dead_letter_arn: str,
    key_arn: str,
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """Run exactly this task family in this cluster, pass exactly its two roles to ECS tasks, tag
    what it starts, report failures to its dead-letter queue (AWS EventBridge Scheduler
    "Set up the execution role"; ECS CWE_IAM_role.html), and decrypt the schedule's payload with the
    stack's key (EventBridge Scheduler guide, encryption-rest: with a customer managed key the
    execution role needs kms:Decrypt on it)."""
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    task_arns = cluster_arn.replace(":cluster/", ":task/", 1) + "/*"
    return [
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["ecs:RunTask"],
            # Every revision of the family: a new revision must not break the schedule.
            resources=[f"{family_arn}:*"],
            conditions=[condition(test="ArnEquals", variable="ecs:cluster", values=[cluster_arn])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["iam:PassRole"],
            resources=[execution_role_arn, task_role_arn],
            conditions=[condition(test="StringEquals", variable="iam:PassedToService", values=[ECS_TASKS])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["ecs:TagResource"],
            resources=[task_arns],
            conditions=[condition(test="StringEquals", variable="ecs:CreateAction", values=["RunTask"])],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow", actions=["sqs:SendMessage"], resources=[dead_letter_arn]
        ),
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=["kms:Decrypt"], resources=[key_arn]),
    ]
