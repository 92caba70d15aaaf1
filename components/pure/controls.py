"""The control map (pure data, no Pulumi imports): the FSBP controls of :mod:`.control_map`, the
account-level controls webstack does not create, the resource types no FSBP control evaluates, the
controls an environment relaxes on purpose, and the lookups the docs generator, the tests and the plan
use. Source and date: :data:`.control_map.SOURCE_URL`, :data:`.control_map.SOURCE_DATE`.
"""

from __future__ import annotations

from .control_map import CONTROLS, HTTP_API, SOURCE_DATE, SOURCE_URL, Control

__all__ = [
    "ACCOUNT_LEVEL",
    "CONTROLS",
    "ENVIRONMENT_EXCEPTIONS",
    "NOT_AWS",
    "NO_FSBP_CONTROL",
    "SOURCE_DATE",
    "SOURCE_URL",
    "Control",
    "by_id",
    "controls_for",
    "unmapped",
]

ACCOUNT_LEVEL: tuple[tuple[str, str], ...] = (
    ("Account.1", "Security contact information should be provided for an AWS account"),
    ("CloudTrail.1", "CloudTrail should be enabled and configured with at least one multi-Region trail"),
    ("CloudTrail.2", "CloudTrail should have encryption at-rest enabled"),
    ("CloudTrail.4", "CloudTrail log file validation should be enabled"),
    ("CloudTrail.5", "CloudTrail trails should be integrated with Amazon CloudWatch Logs"),
    ("Config.1", "AWS Config should be enabled"),
    ("EC2.7", "EBS default encryption should be enabled"),
    ("GuardDuty.1", "GuardDuty should be enabled"),
    ("IAM.2", "IAM users should not have IAM policies attached"),
    ("IAM.3", "IAM users' access keys should be rotated every 90 days or less"),
    ("IAM.4", "IAM root user access key should not exist"),
    ("IAM.5", "MFA should be enabled for all IAM users that have a console password"),
    ("IAM.6", "Hardware MFA should be enabled for the root user"),
    ("IAM.7", "Password policies for IAM users should have strong configurations"),
    ("IAM.8", "Unused IAM user credentials should be removed"),
    ("RDS.19", "An RDS event notifications subscription should be configured for critical cluster events"),
    (
        "RDS.20",
        "An RDS event notifications subscription should be configured for critical database instance events",
    ),
    (
        "RDS.21",
        "An RDS event notifications subscription should be configured for critical database parameter "
        "group events",
    ),
    (
        "RDS.22",
        "An RDS event notifications subscription should be configured for critical database security "
        "group events",
    ),
    ("S3.1", "S3 general purpose buckets should have block public access settings enabled"),
    ("SSM.4", "SSM documents should not be public"),
)
"""Controls on account-level settings: account-level, not created by webstack (the landing zone's)."""

NO_FSBP_CONTROL: tuple[str, ...] = (
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:apigatewayv2/apiMapping:ApiMapping",
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/domainName:DomainName",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/vpcLink:VpcLink",
    HTTP_API,
    "aws:appautoscaling/policy:Policy",
    "aws:appautoscaling/scheduledAction:ScheduledAction",
    "aws:appautoscaling/target:Target",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection",
    "aws:backup/selection:Selection",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:budgets/budget:Budget",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ec2/eip:Eip",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/route:Route",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecs/capacityProvider:CapacityProvider",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "aws:kms/alias:Alias",
    "aws:kms/grant:Grant",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:route53/record:Record",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:servicediscovery/httpNamespace:HttpNamespace",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    # EventBridge's FSBP controls (EventBridge.3, .4) evaluate custom event buses and global endpoints;
    # webstack's rules and targets sit on the default bus.
    "aws:cloudwatch/eventRule:EventRule",
    # EFS's controls (EFS.1-8) evaluate file systems, access points and mount targets, not the policy.
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:sqs/redrivePolicy:RedrivePolicy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
)
"""Resource types webstack creates that no FSBP control evaluates on their own (as of SOURCE_DATE);
CloudWatch's own controls (CloudWatch.1-17) belong to the CIS and NIST standards, not FSBP; webstack's
own rules still check some of these types (log retention, managed policies)."""

NOT_AWS = ("pulumi:", "webstack:", "docker-build:", "random:", "awsx:", "command:")
"""Type prefixes that are no AWS resource (components, providers, build and random values)."""

ENVIRONMENT_EXCEPTIONS: dict[str, dict[str, str]] = {
    "dev": {
        "ELB.1": "dev may serve plain HTTP without a certificate (edge.certificate unset); the policy pack "
        "runs http-listeners-only-redirect as advisory there (policy/config.dev.json)."
    }
}
"""Controls an environment relaxes on purpose: a violation there counts as excepted, not failing."""


def by_id() -> dict[str, Control]:
    return {control.id: control for control in CONTROLS}


def controls_for(resource_type: str) -> list[Control]:
    """The FSBP controls that evaluate a resource type."""
    return [control for control in CONTROLS if resource_type in control.resource_types]


def unmapped(resource_types: set[str]) -> list[str]:
    """AWS resource types with no row in the map: neither an FSBP control nor listed as having none."""
    return sorted(
        t
        for t in resource_types
        if not t.startswith(NOT_AWS) and not controls_for(t) and t not in NO_FSBP_CONTROL
    )
