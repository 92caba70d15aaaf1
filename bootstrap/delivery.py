"""DeliveryAccess: what GitHub Actions needs in one account to preview and deploy webstack.

- the GitHub OIDC provider (no long-lived keys anywhere);
- a read-only *preview* role that only pull requests of the repository can assume;
- a *deploy* role that only the repository's deploy job in one GitHub Environment can assume, allowed
  exactly the actions webstack's resources need (IAM limited to roles under webstack's own path);
- optionally a state bucket (versioned, KMS-encrypted, private, TLS-only) and a KMS key for secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.guardrails import TASK_EXECUTION_POLICY_ARN
from components.iam import Statement
from components.naming import IAM_PATH, child_name, tags_with_name, type_token

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
DELIVERY_PATH = "/webstack-delivery/"
STATE_NONCURRENT_EXPIRY_DAYS = 90
PASSED_TO = (
    "ecs-tasks.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "scheduler.amazonaws.com",
    "ec2.amazonaws.com",
)
"""Services webstack's roles are passed to (CreateSchedule passes the scheduler role to Scheduler;
the instance profile passes the container instances' role to EC2)."""
SERVICE_LINKED = (
    "autoscaling.amazonaws.com",
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
)

# Actions the deploy role may take on any resource: these services do not scope creation by ARN.
DEPLOY_ACTIONS: dict[str, tuple[str, ...]] = {
    "Network": (
        "ec2:Describe*",
        "ec2:CreateVpc",
        "ec2:DeleteVpc",
        "ec2:ModifyVpcAttribute",
        "ec2:CreateSubnet",
        "ec2:DeleteSubnet",
        "ec2:ModifySubnetAttribute",
        "ec2:CreateRouteTable",
        "ec2:DeleteRouteTable",
        "ec2:CreateRoute",
        "ec2:DeleteRoute",
        "ec2:ReplaceRoute",
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:CreateInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        "ec2:AllocateAddress",
        "ec2:ReleaseAddress",
        "ec2:AssociateAddress",
        "ec2:DisassociateAddress",
        "ec2:CreateNatGateway",
        "ec2:DeleteNatGateway",
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifySecurityGroupRules",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:CreateFlowLogs",
        "ec2:DeleteFlowLogs",
        "ec2:CreateVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:ModifyVpcEndpoint",
        "ec2:CreateTags",
        "ec2:DeleteTags",
    ),
    "ContainerService": (
        "ecs:Describe*",
        "ecs:List*",
        "ecs:CreateCluster",
        "ecs:DeleteCluster",
        "ecs:UpdateCluster",
        "ecs:UpdateClusterSettings",
        "ecs:PutClusterCapacityProviders",
        "ecs:RegisterTaskDefinition",
        "ecs:DeregisterTaskDefinition",
        "ecs:DeleteTaskDefinitions",
        "ecs:CreateService",
        "ecs:UpdateService",
        "ecs:DeleteService",
        "ecs:TagResource",
        "ecs:UntagResource",
        "application-autoscaling:Describe*",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:PutScheduledAction",  # webstack:cluster.offHours
        "application-autoscaling:DeleteScheduledAction",
        "application-autoscaling:TagResource",
        "application-autoscaling:UntagResource",
        "application-autoscaling:ListTagsForResource",
    ),
    "LoadBalancing": (
        "elasticloadbalancing:Describe*",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
        "acm:DescribeCertificate",
    ),
    # webstack:domain: the certificate(s), their validation records and the alias records.
    "Domain": (
        "acm:RequestCertificate",
        "acm:DeleteCertificate",
        "acm:ListTagsForCertificate",
        "acm:AddTagsToCertificate",
        "acm:RemoveTagsFromCertificate",
        "route53:ListHostedZones",
        "route53:GetHostedZone",
        "route53:ListTagsForResource",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
        "route53:GetChange",
    ),
    # webstack:waf: the web ACL, its association with the load balancer, its logs and their key
    # (AWS WAF developer guide, logging-management: CreateLogDelivery and resource-policy actions).
    "Firewall": (
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:GetWebACL",
        "wafv2:ListWebACLs",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:PutLoggingConfiguration",
        "wafv2:GetLoggingConfiguration",
        "wafv2:DeleteLoggingConfiguration",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:ListTagsForResource",
        "elasticloadbalancing:SetWebAcl",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DeleteResourcePolicy",
        "logs:DescribeResourcePolicies",
        "kms:UpdateKeyDescription",  # the CLOUDFRONT-scope log key; StackKey's row covers the rest
    ),
    # webstack:static: the distribution, its origin access control and its vended access logs.
    "ContentDelivery": (
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:GetDistribution",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:ListTagsForResource",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:AllowVendedLogDeliveryForResource",
        "logs:PutDeliverySource",
        "logs:GetDeliverySource",
        "logs:DeleteDeliverySource",
        "logs:PutDeliveryDestination",
        "logs:GetDeliveryDestination",
        "logs:DeleteDeliveryDestination",
        "logs:CreateDelivery",
        "logs:GetDelivery",
        "logs:UpdateDeliveryConfiguration",
        "logs:DeleteDelivery",
    ),
    "LogsAndImages": (
        "logs:DescribeLogGroups",
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:ListTagsForResource",
        "logs:TagLogGroup",
        "logs:UntagLogGroup",
        "logs:ListTagsLogGroup",
        "ecr:GetAuthorizationToken",
        "ecr:DescribeRepositories",
        "ecr:DescribeImages",
        "ecr:CreateRepository",
        "ecr:DeleteRepository",
        "ecr:PutLifecyclePolicy",
        "ecr:DeleteLifecyclePolicy",
        "ecr:GetLifecyclePolicy",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecr:ListTagsForResource",
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "sts:GetCallerIdentity",
    ),
    # Queues (components/queue.py), schedules and their dead-letter queues, the Service Connect
    # namespace (components/service.py, components/cluster.py).
    "Messaging": (
        "sqs:CreateQueue",
        "sqs:DeleteQueue",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListQueueTags",
        "sqs:TagQueue",
        "sqs:UntagQueue",
        "scheduler:CreateSchedule",
        "scheduler:GetSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "servicediscovery:CreateHttpNamespace",
        "servicediscovery:GetNamespace",
        "servicediscovery:DeleteNamespace",
        "servicediscovery:GetOperation",
        "servicediscovery:ListTagsForResource",
        "servicediscovery:TagResource",
        "servicediscovery:UntagResource",
    ),
    # webstack:cluster.compute ec2 (components/cluster.py): the launch template (creating a group from
    # it checks the caller may ec2:RunInstances with it), the Auto Scaling group, its capacity
    # provider, the instance profile, the public AMI parameter and the key grant for its volumes.
    "Ec2Capacity": (
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
        "ec2:DeleteLaunchTemplate",
        "ec2:DeleteLaunchTemplateVersions",
        "ec2:GetLaunchTemplateData",
        "ec2:RunInstances",
        "autoscaling:Describe*",
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:SetInstanceProtection",
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteTags",
        "ecs:CreateCapacityProvider",
        "ecs:UpdateCapacityProvider",
        "ecs:DeleteCapacityProvider",
        "kms:CreateGrant",
        "kms:RevokeGrant",
        "kms:ListGrants",
    ),
    # The stack key (components/encryption.py) and the log groups it encrypts.
    "StackKey": (
        "kms:CreateKey",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:ListAliases",
        "kms:CreateAlias",
        "kms:UpdateAlias",
        "kms:DeleteAlias",
        "logs:AssociateKmsKey",
        "logs:DisassociateKmsKey",
    ),
    # Alarms, metric filters, the dashboard, the alarm topic and the budget (components/observability.py).
    "Observability": (
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:PutDashboard",
        "cloudwatch:GetDashboard",
        "cloudwatch:DeleteDashboards",
        "logs:PutMetricFilter",
        "logs:DescribeMetricFilters",
        "logs:DeleteMetricFilter",
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:ListSubscriptionsByTopic",
        "sns:ListTagsForResource",
        "sns:TagResource",
        "sns:UntagResource",
        "budgets:ViewBudget",
        "budgets:ModifyBudget",
        "budgets:ListTagsForResource",
        "budgets:TagResource",
        "budgets:UntagResource",
    ),
}
INSTANCE_PROFILE_ACTIONS = (
    "iam:GetInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
)
"""The container instances' profile (webstack:cluster.compute ec2), only under webstack's path."""
SCALING_ROLE_ACTIONS = (
    "iam:GetRole",
    "iam:PassRole",
    "iam:DeleteServiceLinkedRole",
    "iam:GetServiceLinkedRoleDeletionStatus",
)
"""A stack's own Auto Scaling service-linked role: the group is created with it (PassRole) and it is
deleted with the stack."""
CONTAINER_INSTANCE_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
# Managing webstack's roles (only those under its path).
ROLE_ACTIONS = (
    "iam:GetRole",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
)
# The access-log bucket (autonamed after the edge's logical name).
LOG_BUCKET_ACTIONS = (
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:ListBucket",
    "s3:GetBucket*",
    "s3:PutBucket*",
    "s3:DeleteBucketPolicy",
    "s3:GetLifecycleConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:GetAccelerateConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetAnalyticsConfiguration",
    "s3:GetIntelligentTieringConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:GetMetricsConfiguration",
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


@dataclass(frozen=True)
class DeliveryAccessArgs:
    """What DeliveryAccess builds in one account."""

    repository: str
    """owner/name of the GitHub repository."""
    environment: str
    """The GitHub Environment whose jobs may assume the deploy role."""
    account_id: str
    """The account being bootstrapped."""
    region: str
    """Its region (for the state backend URL)."""
    create_state_backend: bool
    """Whether to create the state bucket and the secrets KMS key."""
    existing_oidc_provider_arn: str | None = None
    """Reuse this OIDC provider instead of creating one."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child."""


class DeliveryAccess(pulumi.ComponentResource):
    """OIDC provider, preview and deploy roles, and the optional state backend of one account."""

    oidc_provider_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    state_bucket: pulumi.Output[str] | None
    backend_url: pulumi.Output[str] | None
    secrets_provider: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DeliveryAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("DeliveryAccess"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        if args.existing_oidc_provider_arn:
            provider_arn: pulumi.Output[str] = pulumi.Output.from_input(args.existing_oidc_provider_arn)
        else:
            provider_arn = aws.iam.OpenIdConnectProvider(
                child_name(name, "github-oidc"),
                url=GITHUB_OIDC_URL,
                client_id_lists=[STS_AUDIENCE],
                tags=tags_with_name(child_name(name, "github-oidc"), args.tags),
                opts=child,
            ).arn

        bucket, key = (None, None)
        if args.create_state_backend:
            bucket, key = self._state_backend(name, args, child)

        def trust(subject: str) -> pulumi.Output[str]:
            return aws.iam.get_policy_document_output(
                statements=provider_arn.apply(lambda arn: github_trust(arn, subject)), opts=invoke
            ).json

        preview = aws.iam.Role(
            child_name(name, "preview"),
            description=f"Read-only pulumi preview for pull requests of {args.repository}",
            path=DELIVERY_PATH,
            assume_role_policy=trust(f"repo:{args.repository}:pull_request"),
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        deploy = aws.iam.Role(
            child_name(name, "deploy"),
            description=f"pulumi up of webstack by {args.repository} in its {args.environment} environment",
            path=DELIVERY_PATH,
            assume_role_policy=trust(f"repo:{args.repository}:environment:{args.environment}"),
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        # The state statements name the bucket and key when they exist (data only inside apply).
        state = (
            pulumi.Output.all(bucket.arn, key.arn)
            if bucket is not None and key is not None
            else pulumi.Output.from_input(["", ""])
        )
        aws.iam.RolePolicy(
            child_name(name, "preview-policy"),
            role=preview.id,
            policy=aws.iam.get_policy_document_output(
                statements=state.apply(lambda arns: preview_statements(args.account_id, *arns)), opts=invoke
            ).json,
            opts=child,
        )
        aws.iam.RolePolicy(
            child_name(name, "deploy-policy"),
            role=deploy.id,
            policy=aws.iam.get_policy_document_output(
                statements=state.apply(lambda arns: deploy_statements(args.account_id, *arns)), opts=invoke
            ).json,
            opts=child,
        )

        self.oidc_provider_arn = provider_arn
        self.preview_role_arn = preview.arn
        self.deploy_role_arn = deploy.arn
        self.state_bucket = bucket.bucket if bucket is not None else None
        self.backend_url = (
            pulumi.Output.concat("s3://", bucket.bucket, f"?region={args.region}&awssdk=v2")
            if bucket is not None
            else None
        )
        self.secrets_provider = (
            pulumi.Output.concat("awskms:///", key.arn, f"?region={args.region}") if key is not None else None
        )
        self.register_outputs(
            {
                "oidcProviderArn": self.oidc_provider_arn,
                "previewRoleArn": self.preview_role_arn,
                "deployRoleArn": self.deploy_role_arn,
                "stateBucket": self.state_bucket,
            }
        )

    def _state_backend(
        self, name: str, args: DeliveryAccessArgs, child: pulumi.ResourceOptions
    ) -> tuple[aws.s3.Bucket, aws.kms.Key]:
        """A versioned, KMS-encrypted, private, TLS-only bucket, and a key for Pulumi secrets."""
        key = aws.kms.Key(
            child_name(name, "state-key"),
            description="webstack Pulumi state and secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=args.tags,
            opts=child,
        )
        bucket, _ = private_bucket(
            child_name(name, "state"),
            parent=self,
            kms_key_arn=key.arn,
            lifecycle_rule=aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-old-state-versions",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=STATE_NONCURRENT_EXPIRY_DAYS
                ),
            ),
            tags=args.tags,
            protect=True,
        )
        # Versioning comes with private_bucket: `{bucket}-versioning`, the same logical name as before.
        aws.kms.Alias(
            child_name(name, "state-key-alias"),
            name="alias/webstack-pulumi",
            target_key_id=key.key_id,
            opts=child,
        )
        return bucket, key


def github_trust(provider_arn: str, subject: str) -> list[Statement]:
    """Only tokens GitHub issued for STS, for exactly this subject (repository + event or environment)."""
    return [
        Statement(
            effect="Allow",
            actions=["sts:AssumeRoleWithWebIdentity"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Federated", identifiers=[provider_arn])
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:aud", values=[STS_AUDIENCE]
                ),
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:sub", values=[subject]
                ),
            ],
        )
    ]


def _roles(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role{IAM_PATH}*"


def _state_statements(bucket_arn: str, key_arn: str, *, write: bool) -> list[Statement]:
    if not bucket_arn:
        return []
    objects = [f"{bucket_arn}/*"] if write else [f"{bucket_arn}/.pulumi/locks/*"]
    statements = [
        Statement(sid="StateList", actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=[bucket_arn]),
        Statement(sid="StateRead", actions=["s3:GetObject"], resources=[f"{bucket_arn}/*"]),
        Statement(sid="StateWrite", actions=["s3:PutObject", "s3:DeleteObject"], resources=objects),
        Statement(
            sid="StateKey",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
            if write
            else ["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[key_arn],
        ),
    ]
    return statements


def deploy_statements(account_id: str, bucket_arn: str = "", key_arn: str = "") -> list[Statement]:
    """Exactly what `pulumi up` of webstack needs, and no IAM beyond webstack's own roles."""
    statements = [
        Statement(sid=sid, actions=list(actions), resources=["*"]) for sid, actions in DEPLOY_ACTIONS.items()
    ]
    statements += [
        Statement(sid="WebstackRoles", actions=list(ROLE_ACTIONS), resources=[_roles(account_id)]),
        _only_when(
            "OnlyTheTaskExecutionPolicy",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            _roles(account_id),
            "ArnEquals",
            "iam:PolicyARN",
            [TASK_EXECUTION_POLICY_ARN],
        ),
        _only_when(
            "PassRolesToTasksAndFlowLogs",
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
        Statement(
            sid="AccessLogBuckets",
            actions=list(LOG_BUCKET_ACTIONS),
            resources=[ACCESS_LOG_BUCKETS, *STATIC_BUCKETS],
        ),
        *_ec2_capacity_statements(account_id),
    ]
    return statements + _state_statements(bucket_arn, key_arn, write=True)


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
    return statements + _state_statements(bucket_arn, key_arn, write=False)
