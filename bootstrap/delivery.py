"""DeliveryAccess: what GitHub Actions needs in one account to preview and deploy webstack.

- the GitHub OIDC provider (no long-lived keys anywhere);
- a read-only *preview* role that only pull requests of the repository can assume;
- a *deploy* role that only the repository's deploy job in one GitHub Environment can assume, allowed
  exactly the actions webstack's resources need (IAM limited to roles under webstack's own path);
- optionally a state bucket (versioned, KMS-encrypted, private, TLS-only) and a KMS key for secrets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.iam import Statement
from components.pure.guardrails import ENHANCED_MONITORING_POLICY_ARN, TASK_EXECUTION_POLICY_ARN
from components.pure.naming import IAM_PATH, child_name, tags_with_name, type_token

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
DELIVERY_PATH = "/webstack-delivery/"
OPERATOR_ROLE_NAME = "webstack-operator"
STATE_KEY_ALIAS = "alias/webstack-pulumi"
MANAGED_POLICY_CHARS = 6_000
"""Below IAM's 6,144 characters per managed policy, with room for the provider's rendering."""
_DOCUMENT_OVERHEAD = len('{"Version":"2012-10-17","Statement":[]}')
STATE_NONCURRENT_EXPIRY_DAYS = 90
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
# awsx.ecr.Image at deploy: a registry token, then docker push (and the layer checks of a re-push).
IMAGE_PUSH_ACTIONS = (
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
# Deleting a repository that still holds images (force_delete, e.g. destroying dev): the AWS ECR API's
# DeleteRepository "force" deletes the contents on the caller's behalf.
ECR_CLEANUP_ACTIONS = ("ecr:DeleteRepository", "ecr:ListImages", "ecr:DescribeImages", "ecr:BatchDeleteImage")
_EC2_TAGS = ("ec2:Describe*", "ec2:CreateTags", "ec2:DeleteTags")
_ECS = ("ecs:Describe*", "ecs:List*", "ecs:TagResource", "ecs:UntagResource")
_ELB = ("elasticloadbalancing:Describe*", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags")
_SCALING = (
    "application-autoscaling:Describe*",
    "application-autoscaling:ListTagsForResource",
    "application-autoscaling:TagResource",
    "application-autoscaling:UntagResource",
)
# Target tracking creates and deletes its CloudWatch alarms with the caller's permissions (AWS ECS guide,
# "IAM permissions required for Amazon ECS service auto scaling").
_SCALING_ALARMS = ("cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms")
_BUCKET_READS = ("s3:ListBucket", "s3:GetBucket*")
_APIGATEWAY = ("apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE")
_QUEUE_ATTRIBUTES = ("sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")
_LOGS_TAGS = ("logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource")
_RDS = ("rds:Describe*", "rds:ListTagsForResource", "rds:AddTagsToResource", "rds:RemoveTagsFromResource")
_ELASTICACHE = (
    "elasticache:Describe*",
    "elasticache:ListTagsForResource",
    "elasticache:AddTagsToResource",
    "elasticache:RemoveTagsFromResource",
)
_SECRETS = ("secretsmanager:DescribeSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource")
# Services that encrypt with the stack key create grants on it and use it for the caller's writes.
_KEY_GRANTS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")

DEPLOY_ACTIONS: dict[str, tuple[str, ...]] = {
    # Pulumi type token -> what the AWS provider calls to create, read (refresh), update, tag and delete
    # it. tests/test_deploy_permissions.py fails naming any type the program registers without a row.
    "aws:ec2/vpc:Vpc": ("ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", *_EC2_TAGS),
    "aws:ec2/subnet:Subnet": (
        "ec2:CreateSubnet",
        "ec2:DeleteSubnet",
        "ec2:ModifySubnetAttribute",
        *_EC2_TAGS,
    ),
    "aws:ec2/routeTable:RouteTable": ("ec2:CreateRouteTable", "ec2:DeleteRouteTable", *_EC2_TAGS),
    "aws:ec2/route:Route": ("ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute", "ec2:Describe*"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:Describe*",
    ),
    "aws:ec2/internetGateway:InternetGateway": (
        "ec2:CreateInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        *_EC2_TAGS,
    ),
    "aws:ec2/eip:Eip": ("ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress", *_EC2_TAGS),
    "aws:ec2/natGateway:NatGateway": ("ec2:CreateNatGateway", "ec2:DeleteNatGateway", *_EC2_TAGS),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        *_EC2_TAGS,
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        *_EC2_TAGS,
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:ModifySecurityGroupRules",
        *_EC2_TAGS,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifySecurityGroupRules",
        *_EC2_TAGS,
    ),
    "aws:ec2/flowLog:FlowLog": ("ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole", *_EC2_TAGS),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        "ec2:CreateVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:ModifyVpcEndpoint",
        *_EC2_TAGS,
    ),
    "aws:ecs/cluster:Cluster": (
        "ecs:CreateCluster",
        "ecs:DeleteCluster",
        "ecs:UpdateCluster",
        "ecs:UpdateClusterSettings",
        *_ECS,
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ("ecs:PutClusterCapacityProviders", *_ECS),
    "aws:ecs/taskDefinition:TaskDefinition": (
        "ecs:RegisterTaskDefinition",
        "ecs:DeregisterTaskDefinition",
        "ecs:DeleteTaskDefinitions",
        "iam:PassRole",
        *_ECS,
    ),
    "aws:ecs/service:Service": (
        "ecs:CreateService",
        "ecs:UpdateService",
        "ecs:DeleteService",
        "iam:CreateServiceLinkedRole",
        *_ECS,
    ),
    "aws:appautoscaling/target:Target": (
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DeregisterScalableTarget",
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "iam:CreateServiceLinkedRole",
        *_SCALING,
        *_SCALING_ALARMS,
    ),
    "aws:appautoscaling/policy:Policy": (
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        *_SCALING,
        *_SCALING_ALARMS,
    ),
    # webstack:cluster.offHours: the stop/start pair on each service's scalable target.
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        "application-autoscaling:PutScheduledAction",
        "application-autoscaling:DeleteScheduledAction",
        *_SCALING,
    ),
    "aws:lb/loadBalancer:LoadBalancer": (
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:SetIpAddressType",
        "iam:CreateServiceLinkedRole",
        *_ELB,
    ),
    "aws:lb/targetGroup:TargetGroup": (
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        *_ELB,
    ),
    "aws:lb/listener:Listener": (
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "acm:DescribeCertificate",
        *_ELB,
    ),
    "aws:lb/listenerRule:ListenerRule": (
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
        *_ELB,
    ),
    # webstack:domain: the certificate, its DNS validation records and the alias record.
    "aws:acm/certificate:Certificate": (
        "acm:RequestCertificate",
        "acm:DeleteCertificate",
        "acm:DescribeCertificate",
        "acm:ListTagsForCertificate",
        "acm:AddTagsToCertificate",
        "acm:RemoveTagsFromCertificate",
    ),
    "aws:acm/certificateValidation:CertificateValidation": ("acm:DescribeCertificate",),
    "aws:route53/record:Record": (
        "route53:GetHostedZone",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
        "route53:GetChange",
    ),
    # webstack:database / webstack:cache: encrypted with the stack key (kms:CreateGrant, DescribeKey on it).
    "aws:rds/subnetGroup:SubnetGroup": (
        "rds:CreateDBSubnetGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:ModifyDBSubnetGroup",
        *_RDS,
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        "rds:CreateDBParameterGroup",
        "rds:DeleteDBParameterGroup",
        "rds:ModifyDBParameterGroup",
        "rds:ResetDBParameterGroup",
        *_RDS,
    ),
    "aws:rds/instance:Instance": (
        "rds:CreateDBInstance",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:CreateDBSnapshot",  # the final snapshot on delete
        "rds:RebootDBInstance",
        "iam:PassRole",  # Enhanced Monitoring's role
        "iam:CreateServiceLinkedRole",
        # manage_master_user_password: RDS creates the secret with the caller's permissions (AWS RDS
        # guide, "Password management with Amazon RDS and AWS Secrets Manager", required permissions).
        "secretsmanager:CreateSecret",
        "secretsmanager:RotateSecret",
        "secretsmanager:TagResource",
        *_RDS,
        *_KEY_GRANTS,
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": (
        "elasticache:CreateCacheSubnetGroup",
        "elasticache:DeleteCacheSubnetGroup",
        "elasticache:ModifyCacheSubnetGroup",
        *_ELASTICACHE,
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "elasticache:CreateReplicationGroup",
        "elasticache:ModifyReplicationGroup",
        "elasticache:DeleteReplicationGroup",
        "elasticache:DescribeCacheClusters",
        "iam:CreateServiceLinkedRole",
        *_ELASTICACHE,
        *_KEY_GRANTS,
    ),
    "aws:secretsmanager/secret:Secret": (
        "secretsmanager:CreateSecret",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetResourcePolicy",
        *_SECRETS,
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetSecretValue",  # refresh reads the value back
        "secretsmanager:UpdateSecretVersionStage",
        *_SECRETS,
        *_KEY_GRANTS,
    ),
    "aws:secretsmanager/secretRotation:SecretRotation": (
        "secretsmanager:RotateSecret",
        "secretsmanager:CancelRotateSecret",
        *_SECRETS,
    ),
    # webstack:waf: the web ACL, its association with the load balancer and its logs (AWS WAF developer
    # guide, logging-management: CreateLogDelivery and the log group's resource-policy actions).
    "aws:wafv2/webAcl:WebAcl": (
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:GetWebACL",
        "wafv2:ListWebACLs",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:ListTagsForResource",
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": (
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "wafv2:GetWebACLForResource",
        "elasticloadbalancing:SetWebAcl",
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (
        "wafv2:PutLoggingConfiguration",
        "wafv2:GetLoggingConfiguration",
        "wafv2:DeleteLoggingConfiguration",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (
        "logs:PutResourcePolicy",
        "logs:DeleteResourcePolicy",
        "logs:DescribeResourcePolicies",
    ),
    # webstack:edge.kind apigateway (components/frontdoor/apigateway.py). API Gateway's IAM actions are
    # its HTTP verbs on resource paths (/apis/..., /vpclinks/..., /domainnames/..., tags on /tags/...: AWS API
    # Gateway guide, "Control access to an HTTP API with IAM policies"); every call the provider makes
    # for these types is POST, GET, PATCH or DELETE (PUT is only ImportApi/ReimportApi, an OpenAPI body).
    # grant-permissions-to-create-vpclink.html is VPC link V1 (REST + NLB): its ec2:*VpcEndpointService*
    # and elasticloadbalancing: actions are not needed for a V2 link (http-api-vpc-links.html).
    "aws:apigatewayv2/api:Api": (*_APIGATEWAY, "iam:CreateServiceLinkedRole"),  # using-service-linked-roles
    # A V2 link's ENIs are made by AWSServiceRoleForAPIGateway (using-service-linked-roles.html), which
    # the first API, domain or link creates; AWS documents no ec2: action for the caller (ec2:Describe*
    # is a read the role holds anyway).
    "aws:apigatewayv2/vpcLink:VpcLink": (*_APIGATEWAY, "iam:CreateServiceLinkedRole", "ec2:Describe*"),
    "aws:apigatewayv2/integration:Integration": _APIGATEWAY,
    "aws:apigatewayv2/route:Route": _APIGATEWAY,
    "aws:apigatewayv2/authorizer:Authorizer": _APIGATEWAY,
    # Access logs: http-api-logging.html "Permissions to activate logging" (its logs:CreateLogGroup is in
    # the LogGroup row; its DescribeLogStreams/GetLogEvents/FilterLogEvents are console reads of log data,
    # not granted; CloudWatch's vended-logs V1 list is CreateLogDelivery, PutResourcePolicy,
    # DescribeResourcePolicies, DescribeLogGroups: AWS-logs-infrastructure-CWL.html).
    "aws:apigatewayv2/stage:Stage": (
        *_APIGATEWAY,
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    ),
    # A regional domain uses an ACM certificate of its region; acm:DescribeCertificate is defensive (no AWS
    # page names an acm: action for the caller of CreateDomainName). The domain can create the SLR too.
    "aws:apigatewayv2/domainName:DomainName": (
        *_APIGATEWAY,
        "iam:CreateServiceLinkedRole",
        "acm:DescribeCertificate",
    ),
    "aws:apigatewayv2/apiMapping:ApiMapping": _APIGATEWAY,
    # webstack:static: the distribution, its origin access control and its vended access logs.
    "aws:cloudfront/distribution:Distribution": (
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:GetDistribution",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:ListTagsForResource",
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": (
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (
        "logs:PutDeliverySource",
        "logs:GetDeliverySource",
        "logs:DeleteDeliverySource",
        "cloudfront:AllowVendedLogDeliveryForResource",
        *_LOGS_TAGS,
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (
        "logs:PutDeliveryDestination",
        "logs:GetDeliveryDestination",
        "logs:DeleteDeliveryDestination",
        *_LOGS_TAGS,
    ),
    "aws:cloudwatch/logDelivery:LogDelivery": (
        "logs:CreateDelivery",
        "logs:GetDelivery",
        "logs:UpdateDeliveryConfiguration",
        "logs:DeleteDelivery",
        *_LOGS_TAGS,
    ),
    # Queues (components/queue.py), schedules and their dead-letter queues, the Service Connect
    # namespace (components/service/, components/cluster.py).
    "aws:sqs/queue:Queue": (
        "sqs:CreateQueue",
        "sqs:DeleteQueue",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListQueueTags",
        "sqs:TagQueue",
        "sqs:UntagQueue",
    ),
    "aws:sqs/redrivePolicy:RedrivePolicy": _QUEUE_ATTRIBUTES,
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": _QUEUE_ATTRIBUTES,
    "aws:scheduler/schedule:Schedule": (
        "scheduler:CreateSchedule",
        "scheduler:GetSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "iam:PassRole",
    ),
    "aws:servicediscovery/httpNamespace:HttpNamespace": (
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
    # provider, the instance profile, the group's own service-linked role and its key grant.
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
        "ec2:DeleteLaunchTemplate",
        "ec2:DeleteLaunchTemplateVersions",
        "ec2:GetLaunchTemplateData",
        *_EC2_TAGS,
    ),
    "aws:autoscaling/group:Group": (
        "autoscaling:Describe*",
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:SetInstanceProtection",
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteTags",
        "ec2:RunInstances",
        "iam:PassRole",
    ),
    "aws:ecs/capacityProvider:CapacityProvider": (
        "ecs:CreateCapacityProvider",
        "ecs:UpdateCapacityProvider",
        "ecs:DeleteCapacityProvider",
        *_ECS,
    ),
    "aws:iam/instanceProfile:InstanceProfile": INSTANCE_PROFILE_ACTIONS,
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ("iam:CreateServiceLinkedRole", *SCALING_ROLE_ACTIONS),
    "aws:kms/grant:Grant": ("kms:CreateGrant", "kms:RevokeGrant", "kms:ListGrants"),
    # Alarms, metric filters, the dashboard, the alarm topic and the budget (components/observability.py).
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        *_SCALING_ALARMS,
        "cloudwatch:ListTagsForResource",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
    ),
    "aws:cloudwatch/dashboard:Dashboard": (
        "cloudwatch:PutDashboard",
        "cloudwatch:GetDashboard",
        "cloudwatch:DeleteDashboards",
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (
        "logs:PutMetricFilter",
        "logs:DescribeMetricFilters",
        "logs:DeleteMetricFilter",
    ),
    "aws:sns/topic:Topic": (
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:ListTagsForResource",
        "sns:TagResource",
        "sns:UntagResource",
    ),
    "aws:sns/topicPolicy:TopicPolicy": ("sns:GetTopicAttributes", "sns:SetTopicAttributes"),
    "aws:sns/topicSubscription:TopicSubscription": (
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:ListSubscriptionsByTopic",
    ),
    "aws:budgets/budget:Budget": (
        "budgets:ViewBudget",
        "budgets:ModifyBudget",
        "budgets:ListTagsForResource",
        "budgets:TagResource",
        "budgets:UntagResource",
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        *_LOGS_TAGS,
        "logs:AssociateKmsKey",  # kms_key_id: the stack key (components/encryption.py)
        "logs:DisassociateKmsKey",
    ),
    "aws:kms/key:Key": (
        "kms:CreateKey",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
        "kms:UpdateKeyDescription",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
    ),
    "aws:kms/alias:Alias": ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"),
    "aws:ecr/repository:Repository": (
        "ecr:CreateRepository",
        "ecr:DescribeRepositories",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecr:ListTagsForResource",
        *ECR_CLEANUP_ACTIONS,
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (
        "ecr:PutLifecyclePolicy",
        "ecr:GetLifecyclePolicy",
        "ecr:DeleteLifecyclePolicy",
    ),
    "awsx:ecr:Image": IMAGE_PUSH_ACTIONS,
    # Only roles under webstack's path: deploy_statements scopes every iam: action.
    "aws:iam/role:Role": (
        "iam:GetRole",
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRoleTags",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
    ),
    "aws:iam/rolePolicy:RolePolicy": ("iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
    ),
    # The access-log bucket and its parts: deploy_statements scopes every s3: action to ACCESS_LOG_BUCKETS.
    "aws:s3/bucket:Bucket": (
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:PutBucketTagging",
        "s3:GetAccelerateConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetEncryptionConfiguration",
        *_BUCKET_READS,
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "s3:PutBucketPublicAccessBlock",
        *_BUCKET_READS,
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "s3:PutBucketOwnershipControls",
        *_BUCKET_READS,
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "s3:PutEncryptionConfiguration",
        "s3:GetEncryptionConfiguration",
        *_BUCKET_READS,
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "s3:PutLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        *_BUCKET_READS,
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ("s3:PutBucketVersioning", *_BUCKET_READS),
    "aws:s3/bucketPolicy:BucketPolicy": ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy", *_BUCKET_READS),
}
INVOKE_ACTIONS: dict[str, tuple[str, ...]] = {
    # Pulumi invoke token -> the API calls behind it (data sources the program reads on every run).
    "aws:index/getCallerIdentity:getCallerIdentity": ("sts:GetCallerIdentity",),
    "aws:index/getAvailabilityZones:getAvailabilityZones": ("ec2:DescribeAvailabilityZones",),
    "aws:index/getRegion:getRegion": (),  # answered from the provider's own configuration
    # The public ECS-optimized AMI parameter (scoped in deploy_statements, AWS retrieve-ecs-optimized_AMI).
    "aws:ssm/getParameter:getParameter": ("ssm:GetParameter", "ssm:GetParameters"),
    "aws:iam/getPolicyDocument:getPolicyDocument": (),  # rendered locally by the provider
    "aws:route53/getZone:getZone": (
        "route53:ListHostedZones",
        "route53:GetHostedZone",
        "route53:ListTagsForResource",
    ),
}
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


@dataclass(frozen=True)
class DeliveryAccessArgs:
    """What DeliveryAccess builds in one account."""

    repository: str
    """owner/name of the GitHub repository."""
    environment: str
    """The GitHub Environment whose jobs may assume the deploy role (deployment branch policy: main)."""
    preview_environment: str
    """The GitHub Environment whose jobs may assume the preview role (prod's has required reviewers)."""
    account_id: str
    """The account being bootstrapped."""
    region: str
    """Its region (for the state backend URL)."""
    create_state_backend: bool
    """Whether to create the state bucket and the secrets KMS key."""
    existing_oidc_provider_arn: str | None = None
    """Reuse this OIDC provider instead of creating one."""
    operator_principal_arns: tuple[str, ...] = ()
    """IAM users or roles that may assume the operator role with MFA; none: no operator role."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child."""


class DeliveryAccess(pulumi.ComponentResource):
    """OIDC provider, preview and deploy roles, and the optional state backend of one account."""

    oidc_provider_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    operator_role_arn: pulumi.Output[str] | None
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
            description=f"Read-only pulumi preview by {args.repository} in {args.preview_environment}",
            path=DELIVERY_PATH,
            # Not `pull_request`: anyone who can push a branch could edit the workflow and read this
            # account's state. An environment can require reviewers before its jobs get a token.
            assume_role_policy=trust(f"repo:{args.repository}:environment:{args.preview_environment}"),
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
        deploy_policy = aws.iam.get_policy_document_output(
            statements=state.apply(lambda arns: deploy_statements(args.account_id, *arns)), opts=invoke
        ).json
        aws.iam.RolePolicy(
            child_name(name, "deploy-policy"), role=deploy.id, policy=deploy_policy, opts=child
        )
        # The any-resource statements outgrow the inline limit, so they live in managed policies.
        actions = [
            aws.iam.Policy(
                child_name(name, f"actions-{number}"),
                description="pulumi up of webstack: actions on resources these services do not scope by ARN",
                path=DELIVERY_PATH,
                policy=aws.iam.get_policy_document_output(statements=chunk, opts=invoke).json,
                tags=args.tags,
                opts=child,
            ).arn
            for number, chunk in enumerate(managed_policy_chunks(any_resource_statements()), start=1)
        ]
        self._attach(name, "deploy", deploy, actions, child)
        self.operator_role_arn = (
            self._operator_role(name, args, deploy_policy, actions, child)
            if args.operator_principal_arns
            else None
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

    def _attach(
        self,
        name: str,
        role_name: str,
        role: aws.iam.Role,
        policies: list[pulumi.Output[str]],
        child: pulumi.ResourceOptions,
    ) -> None:
        for number, policy in enumerate(policies, start=1):
            aws.iam.RolePolicyAttachment(
                child_name(name, f"{role_name}-actions-{number}"),
                role=role.name,
                policy_arn=policy,
                opts=child,
            )

    def _operator_role(
        self,
        name: str,
        args: DeliveryAccessArgs,
        policy: pulumi.Output[str],
        actions: list[pulumi.Output[str]],
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        """The deploy role's permissions for people at a laptop: the listed principals, with MFA only."""
        operator = aws.iam.Role(
            child_name(name, "operator"),
            name=OPERATOR_ROLE_NAME,  # a fixed name, so stack files can name it in aws:assumeRoles
            description=f"pulumi preview/up of webstack by operators (MFA) of {args.repository}",
            path=DELIVERY_PATH,
            assume_role_policy=aws.iam.get_policy_document_output(
                statements=operator_trust(args.operator_principal_arns),
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).json,
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicy(child_name(name, "operator-policy"), role=operator.id, policy=policy, opts=child)
        self._attach(name, "operator", operator, actions, child)
        return operator.arn

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
            name=STATE_KEY_ALIAS,
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


def operator_trust(principal_arns: tuple[str, ...]) -> list[Statement]:
    """Only the listed IAM principals, and only with credentials obtained with MFA."""
    return [
        Statement(
            effect="Allow",
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=list(principal_arns))
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="Bool", variable="aws:MultiFactorAuthPresent", values=["true"]
                )
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


def deploy_actions() -> list[str]:
    """Every action of the table and the invokes, once each, sorted."""
    rows = [*DEPLOY_ACTIONS.values(), *INVOKE_ACTIONS.values()]
    return sorted({action for row in rows for action in row})


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
