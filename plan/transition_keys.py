"""What holds a physical key in AWS, what a delete refuses, and what holds data (pure, declarative data).

``plan/transition.py`` applies a change in ``pulumi up``'s order (creates and updates first, deletes
last) and uses these tables to say where AWS refuses the create (:data:`KEYS`, ``EXCLUSIVE``), where
the create is a put that the later delete of the old resource undoes (``PUT``), which deletes AWS
refuses (:data:`DELETION_GUARDS`) and which deletes lose data (:data:`STATEFUL`). Every provider type
the program registers is in :data:`KEYS` or in :data:`NO_PHYSICAL_KEY` (a test checks it), so a new
type is judged, never silently skipped. Each row names its evidence: the AWS API's create call and
the error it returns on a taken key, or the provider's documentation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Mode(enum.StrEnum):
    EXCLUSIVE = "exclusive"
    """The create call fails while another object holds the key (``...AlreadyExists``)."""
    PUT = "put"
    """The create call overwrites or adopts whatever holds the key: the old resource's later delete
    removes what the new one just made."""


@dataclass(frozen=True)
class Key:
    """The inputs that make a resource's physical key."""

    fields: tuple[str, ...]
    """Inputs whose values together are the key; ``name[]`` means one key per element of a list."""
    mode: Mode
    source: str
    """Evidence: the AWS call and its error, or the provider's documentation."""
    named_by: str | None = None
    """The input that must be given for the key to exist: without it the provider autonames the
    resource (a fresh random suffix, pulumi-terraform-bridge ``AutoName``), so nothing collides."""
    defaults: tuple[tuple[str, str], ...] = ()
    """Values the provider uses for a field left out (e.g. the ``default`` schedule group)."""
    put_when: str | None = None
    """A boolean input that turns an exclusive create into an overwrite (Route 53 ``allowOverwrite``)."""


E, P = Mode.EXCLUSIVE, Mode.PUT

KEYS: dict[str, Key] = {
    # --- Load balancing
    "aws:lb/listener:Listener": Key(
        ("loadBalancerArn", "port"), E, "ELBv2 CreateListener: DuplicateListener (one listener per port)"
    ),
    "aws:lb/listenerRule:ListenerRule": Key(
        ("listenerArn", "priority"), E, "ELBv2 CreateRule: PriorityInUse", named_by="priority"
    ),
    "aws:lb/loadBalancer:LoadBalancer": Key(
        ("name",), E, "ELBv2 CreateLoadBalancer: DuplicateLoadBalancerName", named_by="name"
    ),
    "aws:lb/targetGroup:TargetGroup": Key(
        ("name",), E, "ELBv2 CreateTargetGroup: DuplicateTargetGroupName", named_by="name"
    ),
    # --- Network
    "aws:ec2/securityGroup:SecurityGroup": Key(
        ("vpcId", "name"),
        E,
        "EC2 CreateSecurityGroup: InvalidGroup.Duplicate (name per VPC)",
        named_by="name",
    ),
    "aws:ec2/subnet:Subnet": Key(
        ("vpcId", "cidrBlock"), E, "EC2 CreateSubnet: InvalidSubnet.Conflict (overlapping CIDR in the VPC)"
    ),
    "aws:ec2/route:Route": Key(
        ("routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"),
        E,
        "EC2 CreateRoute: RouteAlreadyExists",
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Key(
        ("subnetId", "gatewayId"),
        E,
        "EC2 AssociateRouteTable: Resource.AlreadyAssociated (one table per subnet)",
    ),
    "aws:ec2/internetGateway:InternetGateway": Key(
        ("vpcId",), E, "EC2 AttachInternetGateway: Resource.AlreadyAssociated (one per VPC)", named_by="vpcId"
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Key(
        ("vpcId", "serviceName"),
        E,
        "EC2 CreateVpcEndpoint: private DNS conflicts with the service's endpoint in the VPC",
    ),
    "aws:ec2/flowLog:FlowLog": Key(
        ("vpcId", "subnetId", "eniId", "trafficType", "logDestination"),
        E,
        "EC2 CreateFlowLogs: FlowLogAlreadyExists (same resource, traffic type and destination)",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": Key(
        ("name",),
        E,
        "EC2 CreateLaunchTemplate: InvalidLaunchTemplateName.AlreadyExistsException",
        named_by="name",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Key(
        (
            "securityGroupId",
            "ipProtocol",
            "fromPort",
            "toPort",
            "cidrIpv4",
            "cidrIpv6",
            "prefixListId",
            "referencedSecurityGroupId",
        ),
        E,
        "EC2 AuthorizeSecurityGroupIngress: InvalidPermission.Duplicate",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Key(
        (
            "securityGroupId",
            "ipProtocol",
            "fromPort",
            "toPort",
            "cidrIpv4",
            "cidrIpv6",
            "prefixListId",
            "referencedSecurityGroupId",
        ),
        E,
        "EC2 AuthorizeSecurityGroupEgress: InvalidPermission.Duplicate",
    ),
    "aws:autoscaling/group:Group": Key(
        ("name",), E, "Auto Scaling CreateAutoScalingGroup: AlreadyExists", named_by="name"
    ),
    # --- Logs and monitoring
    "aws:cloudwatch/logGroup:LogGroup": Key(
        ("name",), E, "CloudWatch Logs CreateLogGroup: ResourceAlreadyExistsException", named_by="name"
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Key(
        ("name",), P, "CloudWatch PutMetricAlarm: creates or replaces the alarm of that name", named_by="name"
    ),
    "aws:cloudwatch/dashboard:Dashboard": Key(
        ("dashboardName",), P, "CloudWatch PutDashboard: creates or replaces the dashboard of that name"
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": Key(
        ("logGroupName", "name"), P, "CloudWatch Logs PutMetricFilter: creates or updates", named_by="name"
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": Key(
        ("policyName",), P, "CloudWatch Logs PutResourcePolicy: creates or updates the policy of that name"
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": Key(
        ("name",), P, "CloudWatch Logs PutDeliverySource: creates or updates", named_by="name"
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": Key(
        ("name",), P, "CloudWatch Logs PutDeliveryDestination: creates or updates", named_by="name"
    ),
    "aws:cloudwatch/logDelivery:LogDelivery": Key(
        ("deliverySourceName", "deliveryDestinationArn"),
        E,
        "CloudWatch Logs CreateDelivery: ConflictException (one delivery per source and destination)",
    ),
    "aws:budgets/budget:Budget": Key(
        ("accountId", "name"), E, "Budgets CreateBudget: DuplicateRecordException", named_by="name"
    ),
    "aws:sns/topic:Topic": Key(
        ("name",), P, "SNS CreateTopic: returns the existing topic of that name (idempotent)", named_by="name"
    ),
    "aws:sns/topicPolicy:TopicPolicy": Key(("arn",), P, "SNS SetTopicAttributes Policy: replaces the policy"),
    "aws:sns/topicSubscription:TopicSubscription": Key(
        ("topic", "protocol", "endpoint"), P, "SNS Subscribe: returns the existing subscription (idempotent)"
    ),
    # --- Scaling
    "aws:appautoscaling/target:Target": Key(
        ("serviceNamespace", "resourceId", "scalableDimension"),
        P,
        "Application Auto Scaling RegisterScalableTarget: registers or updates the target",
    ),
    "aws:appautoscaling/policy:Policy": Key(
        ("name", "serviceNamespace", "resourceId", "scalableDimension"),
        P,
        "Application Auto Scaling PutScalingPolicy: creates or updates",
        named_by="name",
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": Key(
        ("name", "serviceNamespace", "resourceId", "scalableDimension"),
        P,
        "Application Auto Scaling PutScheduledAction: creates or updates",
        named_by="name",
    ),
    # --- ECS
    "aws:ecs/cluster:Cluster": Key(
        ("name",), P, "ECS CreateCluster: returns the existing ACTIVE cluster of that name", named_by="name"
    ),
    "aws:ecs/service:Service": Key(
        ("cluster", "name"),
        E,
        "ECS CreateService: InvalidParameterException (service name in use)",
        named_by="name",
    ),
    "aws:ecs/capacityProvider:CapacityProvider": Key(
        ("name",), E, "ECS CreateCapacityProvider: ClientException (name already exists)", named_by="name"
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": Key(
        ("clusterName",), P, "ECS PutClusterCapacityProviders: replaces the cluster's whole list"
    ),
    # --- IAM and keys
    "aws:iam/role:Role": Key(("name",), E, "IAM CreateRole: EntityAlreadyExists", named_by="name"),
    "aws:iam/policy:Policy": Key(("name",), E, "IAM CreatePolicy: EntityAlreadyExists", named_by="name"),
    "aws:iam/instanceProfile:InstanceProfile": Key(
        ("name",), E, "IAM CreateInstanceProfile: EntityAlreadyExists", named_by="name"
    ),
    "aws:iam/rolePolicy:RolePolicy": Key(
        ("role", "name"), P, "IAM PutRolePolicy: adds or updates the inline policy", named_by="name"
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Key(
        ("role", "policyArn"), P, "IAM AttachRolePolicy: a no-op when attached; DetachRolePolicy detaches it"
    ),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": Key(
        ("awsServiceName", "customSuffix"),
        E,
        "IAM CreateServiceLinkedRole: InvalidInput (name has been taken)",
    ),
    "aws:kms/alias:Alias": Key(("name",), E, "KMS CreateAlias: AlreadyExistsException", named_by="name"),
    # --- Registries, secrets, queues, schedules
    "aws:ecr/repository:Repository": Key(
        ("name",), E, "ECR CreateRepository: RepositoryAlreadyExistsException", named_by="name"
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": Key(
        ("repository",), P, "ECR PutLifecyclePolicy: replaces the repository's policy"
    ),
    "aws:secretsmanager/secret:Secret": Key(
        ("name",),
        E,
        "Secrets Manager CreateSecret: ResourceExistsException (also in a deleted one's recovery window)",
        named_by="name",
    ),
    "aws:secretsmanager/secretRotation:SecretRotation": Key(
        ("secretId",),
        P,
        "Secrets Manager RotateSecret: sets the secret's rotation; CancelRotateSecret clears it",
    ),
    "aws:lambda/function:Function": Key(
        ("name",),
        E,
        "Lambda CreateFunction: ResourceConflictException (function already exist)",
        named_by="name",
    ),
    "aws:sqs/queue:Queue": Key(
        ("name",),
        E,
        "SQS CreateQueue: QueueAlreadyExists (or the same queue back, if attributes match)",
        named_by="name",
    ),
    "aws:sqs/redrivePolicy:RedrivePolicy": Key(
        ("queueUrl",), P, "SQS SetQueueAttributes RedrivePolicy: replaces the attribute"
    ),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": Key(
        ("queueUrl",), P, "SQS SetQueueAttributes RedriveAllowPolicy: replaces the attribute"
    ),
    "aws:sqs/queuePolicy:QueuePolicy": Key(("queueUrl",), P, "SQS SetQueueAttributes Policy: replaces"),
    "aws:scheduler/schedule:Schedule": Key(
        ("groupName", "name"),
        E,
        "EventBridge Scheduler CreateSchedule: ConflictException (name per group)",
        named_by="name",
        defaults=(("groupName", "default"),),
    ),
    "aws:cloudwatch/eventRule:EventRule": Key(
        ("eventBusName", "name"),
        P,
        "EventBridge PutRule: creates or updates the rule of that name (terraform-provider-aws "
        "internal/service/events/rule.go creates with PutRule, no existence check)",
        named_by="name",
        defaults=(("eventBusName", "default"),),
    ),
    "aws:cloudwatch/eventTarget:EventTarget": Key(
        ("eventBusName", "rule", "targetId"),
        P,
        "EventBridge PutTargets: replaces the target of that id on the rule (the provider generates a "
        "unique targetId when none is given)",
        named_by="targetId",
        defaults=(("eventBusName", "default"),),
    ),
    "aws:scheduler/scheduleGroup:ScheduleGroup": Key(
        ("name",), E, "EventBridge Scheduler CreateScheduleGroup: ConflictException", named_by="name"
    ),
    "aws:servicediscovery/httpNamespace:HttpNamespace": Key(
        ("name",), E, "Cloud Map CreateHttpNamespace: NamespaceAlreadyExists", named_by="name"
    ),
    "aws:servicediscovery/service:Service": Key(
        ("namespaceId", "name"), E, "Cloud Map CreateService: ServiceAlreadyExists", named_by="name"
    ),
    # --- Data stores
    "aws:rds/instance:Instance": Key(
        ("identifier",), E, "RDS CreateDBInstance: DBInstanceAlreadyExists", named_by="identifier"
    ),
    "aws:rds/cluster:Cluster": Key(
        ("clusterIdentifier",),
        E,
        "RDS CreateDBCluster: DBClusterAlreadyExistsFault",
        named_by="clusterIdentifier",
    ),
    "aws:rds/parameterGroup:ParameterGroup": Key(
        ("name",), E, "RDS CreateDBParameterGroup: DBParameterGroupAlreadyExists", named_by="name"
    ),
    "aws:rds/subnetGroup:SubnetGroup": Key(
        ("name",), E, "RDS CreateDBSubnetGroup: DBSubnetGroupAlreadyExists", named_by="name"
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Key(
        ("replicationGroupId",),
        E,
        "ElastiCache CreateReplicationGroup: ReplicationGroupAlreadyExists",
        named_by="replicationGroupId",
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": Key(
        ("name",), E, "ElastiCache CreateCacheSubnetGroup: CacheSubnetGroupAlreadyExists", named_by="name"
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": Key(
        ("name",),
        E,
        "ElastiCache CreateCacheParameterGroup: CacheParameterGroupAlreadyExists",
        named_by="name",
    ),
    # --- S3: the bucket is exclusive, everything configured on it is a put on the bucket
    "aws:s3/bucket:Bucket": Key(
        ("bucket",), E, "S3 CreateBucket: BucketAlreadyOwnedByYou", named_by="bucket"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Key(
        ("bucket",), P, "S3 PutBucketPolicy replaces the policy (pulumi_aws s3.BucketPolicy docs)"
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Key(
        ("bucket",), P, "S3 PutPublicAccessBlock replaces; DeletePublicAccessBlock removes it"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Key(
        ("bucket",), P, "S3 PutBucketOwnershipControls replaces; DeleteBucketOwnershipControls removes it"
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": Key(
        ("bucket",), P, "S3 PutBucketLifecycleConfiguration replaces; DeleteBucketLifecycle removes it"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": Key(
        ("bucket",), P, "S3 PutBucketEncryption replaces (the provider's delete resets the default)"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Key(
        ("bucket",), P, "S3 PutBucketVersioning (the provider's delete suspends versioning)"
    ),
    "aws:s3/bucketLogging:BucketLogging": Key(
        ("bucket",),
        P,
        "S3 PutBucketLogging replaces (terraform-provider-aws s3/bucket_logging.go: its delete puts an "
        "empty BucketLoggingStatus)",
    ),
    # --- EFS (app volumes): a file system has one mount target per zone and one policy
    "aws:efs/mountTarget:MountTarget": Key(
        ("fileSystemId", "subnetId"),
        E,
        "EFS CreateMountTarget: MountTargetConflict (one mount target per file system per zone)",
    ),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": Key(
        ("fileSystemId",), P, "EFS PutFileSystemPolicy replaces; DeleteFileSystemPolicy restores the default"
    ),
    # --- Front door
    "aws:route53/record:Record": Key(
        ("zoneId", "name", "type", "setIdentifier"),
        E,
        "Route 53 ChangeResourceRecordSets CREATE: InvalidChangeBatch (record exists); UPSERT with "
        "allowOverwrite (pulumi_aws route53.Record docs)",
        put_when="allowOverwrite",
    ),
    "aws:cloudfront/distribution:Distribution": Key(
        ("aliases[]",),
        E,
        "CloudFront CreateDistribution: CNAMEAlreadyExists (an alias names one distribution)",
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": Key(
        ("name",),
        E,
        "CloudFront CreateOriginAccessControl: OriginAccessControlAlreadyExists",
        named_by="name",
    ),
    "aws:wafv2/webAcl:WebAcl": Key(
        ("scope", "name"), E, "WAFv2 CreateWebACL: WAFDuplicateItemException", named_by="name"
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": Key(
        ("resourceArn",), P, "WAFv2 AssociateWebACL: replaces the resource's web ACL; Disassociate removes it"
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": Key(
        ("resourceArn",), P, "WAFv2 PutLoggingConfiguration: replaces; DeleteLoggingConfiguration removes it"
    ),
    "aws:apigatewayv2/route:Route": Key(
        ("apiId", "routeKey"), E, "API Gateway v2 CreateRoute: ConflictException (route key exists)"
    ),
    "aws:apigatewayv2/stage:Stage": Key(
        ("apiId", "name"), E, "API Gateway v2 CreateStage: ConflictException (stage exists)", named_by="name"
    ),
    "aws:apigatewayv2/authorizer:Authorizer": Key(
        ("apiId", "name"), E, "API Gateway v2 CreateAuthorizer: ConflictException", named_by="name"
    ),
    "aws:apigatewayv2/domainName:DomainName": Key(
        ("domainName",), E, "API Gateway v2 CreateDomainName: ConflictException (domain name exists)"
    ),
    "aws:apigatewayv2/apiMapping:ApiMapping": Key(
        ("domainName", "apiMappingKey"), E, "API Gateway v2 CreateApiMapping: ConflictException"
    ),
    # --- AWS Backup (components/backup/) and its restore-test function
    "aws:backup/vault:Vault": Key(
        ("name",), E, "AWS Backup CreateBackupVault: AlreadyExistsException (name per account and region)"
    ),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": Key(
        ("backupVaultName",), P, "AWS Backup PutBackupVaultLockConfiguration: replaces the vault's lock"
    ),
    "aws:backup/vaultPolicy:VaultPolicy": Key(
        ("backupVaultName",), P, "AWS Backup PutBackupVaultAccessPolicy: replaces the vault's policy"
    ),
    "aws:backup/plan:Plan": Key(("name",), E, "AWS Backup CreateBackupPlan: AlreadyExistsException"),
    "aws:backup/selection:Selection": Key(
        ("planId", "name"), E, "AWS Backup CreateBackupSelection: AlreadyExistsException (name per plan)"
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": Key(
        ("name",), E, "AWS Backup CreateRestoreTestingPlan: ConflictException (name per account and region)"
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": Key(
        ("restoreTestingPlanName", "name"), E, "AWS Backup CreateRestoreTestingSelection: ConflictException"
    ),
    "aws:lambda/permission:Permission": Key(
        ("function", "statementId"),
        E,
        "Lambda AddPermission: ResourceConflictException (statement id exists)",
        named_by="statementId",
    ),
}
"""Pulumi type token -> its physical key."""

NO_PHYSICAL_KEY: dict[str, str] = {
    "random:index/randomPassword:RandomPassword": "a value kept in the stack's state, nothing in AWS",
    "random:index/randomString:RandomString": "a value kept in the stack's state, nothing in AWS",
    "command:local:Command": "a run recorded in the state (release task); each RunTask starts a new task",
    "aws:acm/certificate:Certificate": "ACM RequestCertificate: a new ARN each time, several per domain",
    "aws:acm/certificateValidation:CertificateValidation": "no AWS object: the provider waits for issuance",
    "aws:apigatewayv2/api:Api": "CreateApi returns a new id; names need not be unique",
    "aws:apigatewayv2/integration:Integration": "CreateIntegration returns a new id",
    "aws:apigatewayv2/vpcLink:VpcLink": "CreateVpcLink returns a new id; names need not be unique",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "adopts the VPC's default group; delete forgets it",
    "aws:ec2/eip:Eip": "AllocateAddress returns a new allocation id",
    "aws:ec2/natGateway:NatGateway": "CreateNatGateway returns a new id (several per subnet allowed)",
    "aws:ec2/routeTable:RouteTable": "CreateRouteTable returns a new id",
    "aws:ec2/vpc:Vpc": "CreateVpc returns a new id; CIDRs may repeat across VPCs",
    "aws:ecs/taskDefinition:TaskDefinition": "RegisterTaskDefinition adds a revision to the family",
    "aws:kms/key:Key": "CreateKey returns a new key id",
    "aws:kms/grant:Grant": "CreateGrant returns a new grant id",
    "aws:secretsmanager/secretVersion:SecretVersion": "PutSecretValue adds a version with its own id",
    "docker-build:index:Image": "pushes a tag; its delete removes nothing from the registry",
    "aws:efs/fileSystem:FileSystem": "CreateFileSystem with the provider's fresh creation token: a new id",
    "aws:efs/accessPoint:AccessPoint": "CreateAccessPoint returns a new id (fsap-...)",
}
"""Types whose create cannot collide with anything an old resource holds, and why."""

GUARD_FIXES = {
    "protect": "Remove `protect` from the resource in code (or `pulumi state unprotect <urn>`) in a "
    "change of its own, run `pulumi up`, then make this change.",
}


@dataclass(frozen=True)
class Guard:
    """An input that makes AWS refuse the delete (``refuses`` is the value that refuses)."""

    field: str
    refuses: bool
    why: str
    fix: str


DELETION_GUARDS: dict[str, Guard] = {
    "aws:lb/loadBalancer:LoadBalancer": Guard(
        "enableDeletionProtection",
        True,
        "deletion protection is on (ELBv2 DeleteLoadBalancer: OperationNotPermitted)",
        "Two steps: set `webstack:edge.deletionProtection: false` and run `pulumi up` (an in-place update "
        "of the attribute only); then make this change and run `pulumi up`; then remove the override "
        "(the new load balancer gets deletion protection back) and run `pulumi up`.",
    ),
    "aws:rds/instance:Instance": Guard(
        "deletionProtection",
        True,
        "deletion protection is on (RDS DeleteDBInstance: InvalidParameterCombination)",
        "Take a snapshot and plan the restore; set `deletionProtection: false` on the database, run "
        "`pulumi up` (an update), then make this change.",
    ),
    "aws:rds/cluster:Cluster": Guard(
        "deletionProtection",
        True,
        "deletion protection is on (RDS DeleteDBCluster: InvalidParameterCombination)",
        "Set `deletionProtection: false`, run `pulumi up` (an update), then make this change.",
    ),
    "aws:s3/bucket:Bucket": Guard(
        "forceDestroy",
        False,
        "the bucket may hold objects and has no forceDestroy (S3 DeleteBucket: BucketNotEmpty)",
        "Empty the bucket first (or set forceDestroy in the component and run `pulumi up`), then make "
        "this change; keep the data with retainOnDelete if it must outlive the stack.",
    ),
    "aws:ecr/repository:Repository": Guard(
        "forceDelete",
        False,
        "the repository holds images and has no forceDelete (RepositoryNotEmptyException)",
        "Set forceDelete on the repository and run `pulumi up` (an update), or delete its images, then "
        "make this change.",
    ),
    "aws:backup/vault:Vault": Guard(
        "forceDestroy",
        False,
        "a vault that holds recovery points cannot be deleted (AWS Backup DeleteBackupVault: "
        "InvalidRequestException), and the deploy role may not delete them; a locked vault keeps each "
        "until its retention expires",
        "Backups are meant to outlive this change: keep backups on (or remove the backup section in a "
        "stack that never backed anything up). To retire the vault, wait until its recovery points "
        "expire (retentionDays), or in an unlocked vault delete them as an administrator "
        "(docs/data-and-backups.md), then make this change and run `pulumi up`.",
    ),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": Guard(
        "minRetentionDays",
        True,
        "the deploy role may not lift a vault lock (no backup:DeleteBackupVaultLockConfiguration) and, in "
        "compliance mode after changeableForDays, nobody can",
        "A governance lock is lifted by an administrator on purpose (aws backup "
        "delete-backup-vault-lock-configuration, docs/data-and-backups.md), then this change applies in "
        "`pulumi up`; a compliance lock past its grace period is permanent: keep it.",
    ),
}
"""Pulumi type token -> the input that makes AWS refuse the delete."""

STATEFUL: dict[str, str] = {
    "aws:rds/instance:Instance": "the database's data (a final snapshot at most, if not skipped)",
    "aws:rds/cluster:Cluster": "the cluster's data",
    "aws:elasticache/replicationGroup:ReplicationGroup": "every key in the cache",
    "aws:elasticache/cluster:Cluster": "every key in the cache",
    "aws:s3/bucket:Bucket": "the objects in the bucket",
    "aws:sqs/queue:Queue": "the messages waiting in the queue",
    "aws:cloudwatch/logGroup:LogGroup": "the log events in the group",
    "aws:efs/fileSystem:FileSystem": "the files on the file system",
    "aws:dynamodb/table:Table": "the items in the table",
    "aws:secretsmanager/secret:Secret": "the secret's value (deleted after the recovery window)",
    "aws:kms/key:Key": "everything encrypted with the key (scheduled for deletion after its window)",
    "aws:ecr/repository:Repository": "the images in the repository (rollback targets)",
    "aws:backup/vault:Vault": "the recovery points (backups) in the vault",
}
"""Types whose delete loses data, and what is lost (AWS: each delete call removes the contents)."""
