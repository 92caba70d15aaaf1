"""What the deploy role may call: per Pulumi resource type and per invoke, the AWS API actions the provider
needs to create, read (refresh), update, tag and delete it.

``DEPLOY_ACTIONS`` is a declarative table (one row per type; the network rows in
bootstrap/deploy_actions_network.py):
tests/delivery/test_deploy_permissions.py fails naming any type or invoke the program uses without a row.
``bootstrap/permissions.py`` turns these actions into the roles' statements.
"""

from __future__ import annotations

from bootstrap.action_sets import (
    ECR_CLEANUP_ACTIONS,
    EVENT_RULE_ACTIONS,
    EVENT_TARGET_ACTIONS,
    FUNCTION_ACTIONS,
    IMAGE_PUSH_ACTIONS,
    INSTANCE_PROFILE_ACTIONS,
    KEY_GRANT_ACTIONS,
    SCALING_ROLE_ACTIONS,
    VOLUME_ACTIONS,
)
from bootstrap.backup_actions import BACKUP_ACTIONS
from bootstrap.deploy_actions_network import EC2_TAGS, NETWORK_ACTIONS

_EC2_TAGS = EC2_TAGS
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
_KEY_GRANTS = KEY_GRANT_ACTIONS

DEPLOY_ACTIONS: dict[str, tuple[str, ...]] = {
    # Pulumi type token -> what the AWS provider calls to create, read (refresh), update, tag and delete
    # it. tests/delivery/test_deploy_permissions.py fails naming any type the program registers without a row.
    **NETWORK_ACTIONS,
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
        "iam:PassRole",  # the load-balancer role of a traffic-shifting deployment (to ecs.amazonaws.com)
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
    **VOLUME_ACTIONS,
    "aws:secretsmanager/secret:Secret": (
        "secretsmanager:CreateSecret",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetResourcePolicy",
        *_SECRETS,
    ),
    # A release task (components/service/release.py): the Command runs ops/release.py with the deployer's
    # credentials, which runs the new task definition, watches it, stops it at its timeout and tails its
    # log (RunTask passes the task and execution roles: AWS ECS task_execution_IAM_role.html).
    "command:local:Command": (
        "ecs:DescribeTaskDefinition",
        "ecs:RunTask",
        "ecs:DescribeTasks",
        "ecs:StopTask",
        "iam:PassRole",
        "logs:FilterLogEvents",
    ),
    # components/function.py (a service's pre-traffic check): bootstrap/action_sets.py FUNCTION_ACTIONS.
    "aws:lambda/function:Function": FUNCTION_ACTIONS,
    # pulumi-random computes its values locally in the provider and calls no AWS API.
    "random:index/randomPassword:RandomPassword": (),
    "random:index/randomString:RandomString": (),
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
        # kms_key_arn: Scheduler uses the stack key for the payload on the caller's behalf (encryption-rest).
        *("kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"),
    ),
    "aws:cloudwatch/eventRule:EventRule": EVENT_RULE_ACTIONS,  # a job's failure rule (components/job.py)
    "aws:cloudwatch/eventTarget:EventTarget": EVENT_TARGET_ACTIONS,
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
        # forceDestroy (dev): s3/delete.go emptyBucket lists and deletes every object version first.
        "s3:ListBucketVersions",
        "s3:DeleteObjectVersion",
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
    # The static content bucket's server access logs (S3 API PutBucketLogging; delete = an empty config).
    "aws:s3/bucketLogging:BucketLogging": ("s3:PutBucketLogging", *_BUCKET_READS),
}
DEPLOY_ACTIONS.update(BACKUP_ACTIONS)
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


def deploy_actions() -> list[str]:
    """Every action of the table and the invokes, once each, sorted."""
    rows = [*DEPLOY_ACTIONS.values(), *INVOKE_ACTIONS.values()]
    return sorted({action for row in rows for action in row})
