"""The service's two roles: the execution role (the ECS agent: pull, log, read its own secrets) and
the task role (the app: exactly the statements, queues and ECS Exec channels it is given)."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..iam import service_trust
from ..pure import fargate
from ..pure.guardrails import TASK_EXECUTION_POLICY_ARN
from ..pure.naming import IAM_PATH, child_name
from ..queue import CONSUMER_ACTIONS, SENDER_ACTIONS
from ..storage.bucket import access_statements
from ..storage.volume import mount_statements
from .args import ServiceArgs

ECS_TASKS = "ecs-tasks.amazonaws.com"
EXEC_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
"""What the ECS Exec agent in a task needs; AWS does not scope these to a resource."""


@dataclass(frozen=True)
class ServiceRoles:
    """The roles of a service's tasks, and the policies the ECS service must wait for."""

    execution: aws.iam.Role
    task: aws.iam.Role
    policies: Sequence[pulumi.Resource]


def service_roles(owner: pulumi.Resource, name: str, args: ServiceArgs) -> ServiceRoles:
    """Execution role (the ECS agent) and task role (the app), each with exactly what it needs."""
    child = pulumi.ResourceOptions(parent=owner)
    trust = service_trust(ECS_TASKS, parent=owner)
    execution_role = aws.iam.Role(
        child_name(name, "execution-role"),
        description=f"ECS agent for {name}: pull the image, write logs, read its own secrets",
        assume_role_policy=trust,
        path=IAM_PATH,
        tags=args.tags,
        opts=child,
    )
    policies: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            child_name(name, "execution-managed"),
            role=execution_role.name,
            policy_arn=TASK_EXECUTION_POLICY_ARN,
            opts=child,
        )
    ]
    if secret_resource_arns(args):
        policies.append(
            inline_policy(owner, name, "execution-secrets", execution_role, _secret_read_statements(args))
        )
    policies += _data_store_access(owner, name, args, execution_role)
    task_role = aws.iam.Role(
        child_name(name, "task-role"),
        description=f"The {name} app itself: only the statements its config lists",
        assume_role_policy=trust,
        path=IAM_PATH,
        tags=args.tags,
        opts=child,
    )
    policies += _task_policies(owner, name, args, task_role)
    return ServiceRoles(execution_role, task_role, policies)


def _task_policies(
    owner: pulumi.Resource, name: str, args: ServiceArgs, task_role: aws.iam.Role
) -> list[pulumi.Resource]:
    """The given statements, the queue grants and the ECS Exec channels, each its own inline policy."""
    policies: list[pulumi.Resource] = []
    if args.task_policy_statements:
        statements = [
            aws.iam.GetPolicyDocumentStatementArgs(
                effect=statement.effect, actions=list(statement.actions), resources=list(statement.resources)
            )
            for statement in args.task_policy_statements
        ]
        policies.append(inline_policy(owner, name, "task-policy", task_role, statements))
    if args.consumes is not None or args.sends_to:
        grants = [(args.consumes.arn, CONSUMER_ACTIONS)] if args.consumes is not None else []
        grants += [(queue.arn, SENDER_ACTIONS) for queue in args.sends_to]
        queue_statements = pulumi.Output.all(*(arn for arn, _ in grants)).apply(
            lambda arns: [
                aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=list(actions), resources=[arn])
                for arn, (_, actions) in zip(arns, grants, strict=True)
            ]
        )
        policies.append(inline_policy(owner, name, "task-queues", task_role, queue_statements))
    if args.bucket_access:
        policies.append(inline_policy(owner, name, "task-buckets", task_role, _bucket_statements(args)))
    if args.volume_mounts:
        policies.append(inline_policy(owner, name, "task-volumes", task_role, _volume_statements(args)))
    if args.exec_enabled:
        if args.exec_log_group_arn is None:
            raise ValueError(f"{name}: exec_enabled needs exec_log_group_arn (the session log group)")
        exec_statements = pulumi.Output.all(args.exec_log_group_arn, args.kms_key_arn).apply(
            lambda arns: _exec_statements(*arns)
        )
        policies.append(inline_policy(owner, name, "task-exec", task_role, exec_statements))
    return policies


def _bucket_statements(args: ServiceArgs) -> pulumi.Output[list[aws.iam.GetPolicyDocumentStatementArgs]]:
    """Each declared bucket's list, object and key grants (read or write), on exactly that bucket."""
    buckets = list(args.bucket_access)
    return pulumi.Output.all(*(pulumi.Output.all(b.arn, b.kms_key_arn) for b in buckets)).apply(
        lambda arns: [
            statement
            for (bucket_arn, key_arn), bucket in zip(arns, buckets, strict=True)
            for statement in access_statements(bucket_arn, key_arn, args.region, bucket.write)
        ]
    )


def _volume_statements(args: ServiceArgs) -> pulumi.Output[list[aws.iam.GetPolicyDocumentStatementArgs]]:
    """Each mounted volume: ClientMount (and ClientWrite unless read-only) through its access point."""
    mounts = list(args.volume_mounts)
    return pulumi.Output.all(
        *(pulumi.Output.all(m.file_system_arn, m.access_point_arn) for m in mounts)
    ).apply(
        lambda arns: [
            statement
            for (fs_arn, ap_arn), mount in zip(arns, mounts, strict=True)
            for statement in mount_statements(fs_arn, ap_arn, mount.read_only)
        ]
    )


def inline_policy(
    owner: pulumi.Resource,
    name: str,
    role_name: str,
    role: aws.iam.Role,
    statements: pulumi.Input[Sequence[aws.iam.GetPolicyDocumentStatementArgs]],
) -> aws.iam.RolePolicy:
    """One inline policy ``{name}-{role_name}`` on ``role`` holding exactly ``statements``."""
    document = aws.iam.get_policy_document_output(
        statements=statements, opts=pulumi.InvokeOutputOptions(parent=owner)
    )
    return aws.iam.RolePolicy(
        child_name(name, role_name),
        role=role.id,
        policy=document.json,
        opts=pulumi.ResourceOptions(parent=owner),
    )


def secret_resource_arns(args: ServiceArgs) -> tuple[str, ...]:
    """What the execution role may read: each secret or parameter behind a ``valueFrom``, once."""
    found = (fargate.secret_resource_arn(value_from) for value_from in args.secrets.values())
    return tuple(dict.fromkeys(arn for arn in found if arn is not None))


def _data_store_access(
    owner: pulumi.Resource, name: str, args: ServiceArgs, execution_role: aws.iam.Role
) -> list[pulumi.Resource]:
    """The execution role may read exactly each declared store's secret and decrypt with exactly its
    key (the secrets use customer-managed keys, so GetSecretValue alone fails)."""
    if not args.data_stores:
        return []
    statements = pulumi.Output.all(
        secrets=[link.secret_arn for link in args.data_stores],
        keys=[link.key_arn for link in args.data_stores],
    ).apply(
        lambda arns: [
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow", actions=["secretsmanager:GetSecretValue"], resources=arns["secrets"]
            ),
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow", actions=["kms:Decrypt"], resources=arns["keys"]
            ),
        ]
    )
    return [inline_policy(owner, name, "execution-data", execution_role, statements)]


def _secret_read_statements(args: ServiceArgs) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """Read exactly the configured secrets and parameters, nothing else."""
    resources = secret_resource_arns(args)
    secrets = [arn for arn in resources if ":secretsmanager:" in arn]
    parameters = [arn for arn in resources if ":ssm:" in arn]
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
    if args.secrets_kms_key_arns:
        # Secrets under a customer-managed key are decrypted for the caller: the execution role needs
        # kms:Decrypt on that key, and only when Secrets Manager asks (AWS ECS docs, "Required IAM
        # permissions for Amazon ECS secrets").
        statements.append(
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow",
                actions=["kms:Decrypt"],
                resources=list(args.secrets_kms_key_arns),
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="StringEquals",
                        variable="kms:ViaService",
                        values=[f"secretsmanager.{args.region}.amazonaws.com"],
                    )
                ],
            )
        )
    return statements


def _exec_statements(exec_log_group_arn: str, key_arn: str) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """The ECS Exec agent's channels, and writing session logs to the cluster's exec log group."""
    return [
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=list(EXEC_ACTIONS), resources=["*"]),
        # Sessions are encrypted with the stack key: the agent in the task decrypts the channel
        # (aws/containers-roadmap #1359; AWS ECS "ecs-exec.html", encryption with your own key).
        aws.iam.GetPolicyDocumentStatementArgs(effect="Allow", actions=["kms:Decrypt"], resources=[key_arn]),
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
