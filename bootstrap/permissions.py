"""What the delivery roles may do: the deploy role's statements (scoped ones inline, the rest packed into
managed policies) and the preview role's read-only statements, built from ``bootstrap/deploy_actions.py``.

iam: only on webstack's own roles, with conditions on passing roles, attaching policies and
service-linked roles; s3: only on webstack's buckets; never key management on the state key.
"""

from __future__ import annotations

import json

import pulumi_aws as aws

from bootstrap.action_sets import INSTANCE_PROFILE_ACTIONS, SCALING_ROLE_ACTIONS
from bootstrap.deploy_actions import DEPLOY_ACTIONS, deploy_actions
from bootstrap.state_backend import STATE_KEY_ALIAS, state_statements
from components.iam import Statement
from components.pure.guardrails import ENHANCED_MONITORING_POLICY_ARN, TASK_EXECUTION_POLICY_ARN
from components.pure.naming import IAM_PATH

MANAGED_POLICY_CHARS = 6_000
"""Below IAM's 6,144 characters per managed policy, with room for the provider's rendering."""
_DOCUMENT_OVERHEAD = len('{"Version":"2012-10-17","Statement":[]}')
PASSED_TO = (
    "ecs-tasks.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "scheduler.amazonaws.com",  # CreateSchedule passes the scheduler role to Scheduler
    "ec2.amazonaws.com",  # the instance profile passes the container instances' role to EC2
)
ATTACHABLE_POLICIES = (TASK_EXECUTION_POLICY_ARN, ENHANCED_MONITORING_POLICY_ARN)
SERVICE_LINKED = (
    "autoscaling.amazonaws.com",
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    # AWSServiceRoleForAPIGateway: API Gateway creates it with the first API, custom domain or VPC link
    # (AWS API Gateway guide, using-service-linked-roles.html; it manages the link's network interfaces).
    "ops.apigateway.amazonaws.com",
)

CONTAINER_INSTANCE_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
# What the stack key's rows allow beyond using a key: never on the state key.
_KEY_MANAGEMENT = {
    *DEPLOY_ACTIONS["aws:kms/key:Key"],
    *DEPLOY_ACTIONS["aws:kms/alias:Alias"],
} - {"kms:CreateKey", "kms:ListAliases", "kms:DescribeKey"}
_CONFIG_READS = ("Get", "List", "Describe")
_METADATA_READS = ("List", "Describe")
READ_WILDCARD_SERVICES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "acm",
            "application-autoscaling",
            "cloudfront",
            "cloudwatch",
            "ec2",
            "ecs",
            "elasticache",
            "elasticloadbalancing",
            "kms",
            "rds",
            "route53",
            "wafv2",
        ),
        _CONFIG_READS,
    ),
    # Get* would include logs:GetLogEvents, secretsmanager:GetSecretValue, ecr:GetDownloadUrlForLayer.
    **dict.fromkeys(("ecr", "logs", "secretsmanager"), _METADATA_READS),
}
"""Service -> the read verbs whose calls return configuration or metadata, never stored data."""
_SCOPED_SERVICES = ("iam", "s3", "ssm")
"""Services whose actions deploy_statements grants on webstack's own resources only."""
# iam: actions deploy_statements grants only under a condition (which service, which policy).
_CONDITIONED_IAM = (
    "iam:PassRole",
    "iam:CreateServiceLinkedRole",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
)
ACCESS_LOG_BUCKETS = "arn:aws:s3:::edge-access-logs-*"
STATIC_BUCKETS = ("arn:aws:s3:::cdn-content-*", "arn:aws:s3:::cdn-logs-*")
"""The static-content bucket and its access-log bucket (autonamed after the Cdn's children)."""

PREVIEW_ACTIONS = (
    "ec2:Describe*",
    "ecs:Describe*",
    "ecs:List*",
    "elasticloadbalancing:Describe*",
    "application-autoscaling:Describe*",
    "application-autoscaling:ListTagsForResource",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "ecr:DescribeRepositories",
    "ecr:DescribeImages",
    "ecr:GetLifecyclePolicy",
    "ecr:ListTagsForResource",
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "acm:DescribeCertificate",
    "acm:ListTagsForCertificate",
    "route53:ListHostedZones",
    "route53:GetHostedZone",
    "route53:ListTagsForResource",
    "route53:ListResourceRecordSets",
    "cloudfront:GetDistribution",
    "cloudfront:GetOriginAccessControl",
    "cloudfront:ListTagsForResource",
    "logs:GetDeliverySource",
    "logs:GetDeliveryDestination",
    "logs:GetDelivery",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:GetLoggingConfiguration",
    "wafv2:ListTagsForResource",
    "apigateway:GET",
    "logs:DescribeResourcePolicies",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:ListAliases",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListTagsForResource",
    "cloudwatch:GetDashboard",
    "logs:DescribeMetricFilters",
    "sns:GetTopicAttributes",
    "sns:GetSubscriptionAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "budgets:ViewBudget",
    "budgets:ListTagsForResource",
    "sts:GetCallerIdentity",
)
PREVIEW_ROLE_ACTIONS = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListRoleTags",
)


def _roles(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role{IAM_PATH}*"


def _with_read_wildcards(service: str, actions: list[str]) -> list[str]:
    """Two or more reads of one verb (Get, List, Describe) that expose no data -> `service:Get*` etc.

    An inline role policy holds at most 10,240 characters (IAM quotas); reads of logs (GetLogEvents),
    secrets (GetSecretValue), objects and IAM stay exact.
    """
    reads = READ_WILDCARD_SERVICES.get(service, ())
    result: set[str] = set()
    for action in actions:
        verb = action.split(":")[1]
        read = next((r for r in reads if verb.startswith(r)), None)
        shared = read is not None and sum(a.split(":")[1].startswith(read) for a in actions) > 1
        result.add(f"{service}:{read}*" if shared else action)
    return sorted(result)


def _actions_by_service() -> dict[str, list[str]]:
    by_service: dict[str, list[str]] = {}
    for action in deploy_actions():
        by_service.setdefault(action.split(":")[0], []).append(action)
    return by_service


def any_resource_statements() -> list[Statement]:
    """One statement per AWS service of DEPLOY_ACTIONS but iam: and s3:, on any resource (these
    services do not scope creation by ARN). Static, so how many managed policies hold them is known
    before the program runs (no resource is created inside apply)."""
    return [
        Statement(
            sid=service.title().replace("-", ""),
            actions=_with_read_wildcards(service, actions),
            resources=["*"],
        )
        for service, actions in _actions_by_service().items()
        if service not in _SCOPED_SERVICES
    ]


def managed_policy_chunks(
    statements: list[Statement], limit: int = MANAGED_POLICY_CHARS
) -> list[list[Statement]]:
    """Statements packed in order into documents of at most ``limit`` characters each (IAM quotas:
    6,144 per managed policy, whitespace not counted; 10,240 for all inline policies of a role)."""
    chunks: list[list[Statement]] = [[]]
    size = _DOCUMENT_OVERHEAD
    for statement in statements:
        length = (
            len(
                json.dumps(
                    {
                        "Sid": statement.sid,
                        "Effect": "Allow",
                        "Action": statement.actions,
                        "Resource": statement.resources,
                    },
                    separators=(",", ":"),
                )
            )
            + 1
        )
        if chunks[-1] and size + length > limit:
            chunks.append([])
            size = _DOCUMENT_OVERHEAD
        chunks[-1].append(statement)
        size += length
    return chunks


def deploy_statements(account_id: str, bucket_arn: str = "", key_arn: str = "") -> list[Statement]:
    """The deploy role's scoped statements (its inline policy); the rest is in any_resource_statements.

    iam: only on webstack's own roles, with conditions on passing roles, attaching policies and
    service-linked roles; s3: only on webstack's buckets; never key management on the state key.
    """
    by_service = _actions_by_service()
    iam, s3 = by_service["iam"], by_service["s3"]
    elsewhere = {*_CONDITIONED_IAM, *INSTANCE_PROFILE_ACTIONS, *SCALING_ROLE_ACTIONS[2:]}
    statements = [
        Statement(
            sid="WebstackRoles",
            actions=[a for a in iam if a not in elsewhere],
            resources=[_roles(account_id)],
        ),
        _only_when(
            "OnlyWebstacksManagedPolicies",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            _roles(account_id),
            "ArnEquals",
            "iam:PolicyARN",
            list(ATTACHABLE_POLICIES),
        ),
        _only_when(
            "PassRolesOnlyToTheirServices",
            ["iam:PassRole"],
            _roles(account_id),
            "StringEquals",
            "iam:PassedToService",
            list(PASSED_TO),
        ),
        _only_when(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            f"arn:aws:iam::{account_id}:role/aws-service-role/*",
            "StringEquals",
            "iam:AWSServiceName",
            list(SERVICE_LINKED),
        ),
        *_ec2_capacity_statements(account_id),
        Statement(sid="AccessLogBuckets", actions=s3, resources=[ACCESS_LOG_BUCKETS, *STATIC_BUCKETS]),
    ]
    if key_arn:
        # The stack key's row allows key management on any key (CreateKey cannot be scoped): never on
        # the key that encrypts the state and secrets.
        aliases = f"{key_arn.split(':key/')[0]}:{STATE_KEY_ALIAS}"
        statements.append(
            Statement(
                sid="NeverTheStateKey",
                effect="Deny",
                actions=[a for a in by_service.get("kms", []) if a in _KEY_MANAGEMENT],
                resources=[key_arn, aliases],
            )
        )
    return statements + state_statements(bucket_arn, key_arn, write=True)


def _only_when(
    sid: str, actions: list[str], resource: str, test: str, variable: str, values: list[str]
) -> Statement:
    """A statement on one resource pattern that applies only when a condition key matches."""
    return Statement(
        sid=sid,
        actions=actions,
        resources=[resource],
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(test=test, variable=variable, values=values)
        ],
    )


def _ec2_capacity_statements(account_id: str) -> list[Statement]:
    """IAM for EC2 capacity, each scoped to webstack's own profiles, policies and scaling roles."""
    return [
        _only_when(
            "OnlyTheContainerInstancePolicies",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            _roles(account_id),
            "ArnEquals",
            "iam:PolicyARN",
            list(CONTAINER_INSTANCE_POLICIES),
        ),
        Statement(
            sid="WebstackInstanceProfiles",
            actions=list(INSTANCE_PROFILE_ACTIONS),
            resources=[f"arn:aws:iam::{account_id}:instance-profile{IAM_PATH}*"],
        ),
        Statement(
            sid="StackAutoScalingRoles",
            actions=list(SCALING_ROLE_ACTIONS),
            resources=[
                f"arn:aws:iam::{account_id}:role/aws-service-role/autoscaling.amazonaws.com/"
                "AWSServiceRoleForAutoScaling_webstack-*"
            ],
        ),
        # The public ECS-optimized AMI parameters only (AWS retrieve-ecs-optimized_AMI.html).
        Statement(
            sid="EcsOptimizedAmiParameters",
            actions=["ssm:GetParameter", "ssm:GetParameters"],
            resources=["arn:aws:ssm:*::parameter/aws/service/ecs/*"],
        ),
    ]


def preview_statements(account_id: str, bucket_arn: str = "", key_arn: str = "") -> list[Statement]:
    """Read-only access for `pulumi preview` (plus the state lock it takes)."""
    statements = [
        Statement(sid="ReadWebstackResources", actions=list(PREVIEW_ACTIONS), resources=["*"]),
        Statement(
            sid="ReadWebstackRoles", actions=list(PREVIEW_ROLE_ACTIONS), resources=[_roles(account_id)]
        ),
        Statement(
            sid="ReadAccessLogBuckets",
            actions=[
                "s3:ListBucket",
                "s3:GetBucket*",
                "s3:GetLifecycleConfiguration",
                "s3:GetEncryptionConfiguration",
            ],
            resources=[ACCESS_LOG_BUCKETS, *STATIC_BUCKETS],
        ),
    ]
    return statements + state_statements(bucket_arn, key_arn, write=False)
