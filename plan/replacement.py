"""Which input changes make the provider replace a resource instead of updating it (pure data).

Pulumi replaces a resource when an input the provider marks ForceNew changes: a new subnet, a new
load balancer, an empty new database. ``plan --compare`` and the upgrade tests use this table to say
"replaces" next to a change, before anyone runs ``pulumi preview``.

Source: the ``ForceNew: true`` attributes in hashicorp/terraform-provider-aws
(``internal/service/<service>/<resource>.go``), which pulumi-aws 7 bridges unchanged; names here are
the Pulumi (camelCase) input names. ``name``/``namePrefix`` are ForceNew almost everywhere and are
listed once in ``ALWAYS``. Kept by hand: a type missing here is reported as "unknown" by the compare,
never as safe, and a test checks every type the program registers has an entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ALWAYS = ("name", "namePrefix", "region")
"""ForceNew on every AWS resource that has them (``region``: pulumi-aws 7's per-resource region, whose
change replaces the resource; registry how-to "Enhanced Region Support")."""

NAME_UPDATED_IN_PLACE = frozenset(
    {
        # `name` without ForceNew: an UpdateApi / UpdateVpcLink / UpdateAuthorizer call (terraform-
        # provider-aws internal/service/apigatewayv2/api.go, vpc_link.go, authorizer.go).
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/vpcLink:VpcLink",
        "aws:apigatewayv2/authorizer:Authorizer",
    }
)
"""Exceptions to ``ALWAYS``: types whose ``name`` the provider changes in place."""

REVISED_ON_ANY_CHANGE = frozenset({"aws:ecs/taskDefinition:TaskDefinition"})
"""Immutable by design: every change registers a new revision (the service then rolls to it)."""

REVISED_BUT_UPDATED_IN_PLACE = ("tags", "tagsAll", "skipDestroy")
"""The inputs of a revised type that change without a new revision: terraform-provider-aws
internal/service/ecs/task_definition.go marks every attribute ForceNew but these (tags update through
resourceTaskDefinitionUpdate, skip_destroy is Optional with Default false and lives in state only)."""

FORCE_NEW: dict[str, tuple[str, ...]] = {
    "aws:acm/certificate:Certificate": (
        "domainName",
        "subjectAlternativeNames",
        "validationMethod",
        "keyAlgorithm",
        "certificateAuthorityArn",
    ),
    "aws:acm/certificateValidation:CertificateValidation": ("certificateArn", "validationRecordFqdns"),
    "aws:route53/record:Record": ("zoneId",),
    "aws:appautoscaling/policy:Policy": ("resourceId", "scalableDimension", "serviceNamespace"),
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        "resourceId",
        "scalableDimension",
        "serviceNamespace",
    ),
    "aws:appautoscaling/target:Target": ("resourceId", "scalableDimension", "serviceNamespace"),
    "aws:cloudwatch/logGroup:LogGroup": ("logGroupClass",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (),
    # sns/topic.go, topic_policy.go, topic_subscription.go; budgets/budget.go
    "aws:sns/topic:Topic": ("fifoTopic",),
    "aws:sns/topicPolicy:TopicPolicy": ("arn",),
    "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol", "endpoint"),
    "aws:budgets/budget:Budget": ("accountId",),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboardName",),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ("logGroupName",),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ("policyName",),
    "aws:cloudwatch/logDelivery:LogDelivery": ("deliveryDestinationArn", "deliverySourceName"),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ("deliveryDestinationType",),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("logType", "resourceArn"),
    "aws:cloudfront/distribution:Distribution": (),
    "aws:cloudfront/originAccessControl:OriginAccessControl": (),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId",),
    "aws:ec2/eip:Eip": ("domain", "address", "customerOwnedIpv4Pool", "networkBorderGroup", "publicIpv4Pool"),
    "aws:ec2/flowLog:FlowLog": (
        "vpcId",
        "subnetId",
        "eniId",
        "trafficType",
        "logDestination",
        "logDestinationType",
        "iamRoleArn",
        "maxAggregationInterval",
        "logFormat",
        "destinationOptions",
    ),
    "aws:ec2/internetGateway:InternetGateway": (),
    "aws:ec2/natGateway:NatGateway": ("subnetId", "allocationId", "connectivityType", "privateIp"),
    "aws:ec2/route:Route": (
        "routeTableId",
        "destinationCidrBlock",
        "destinationIpv6CidrBlock",
        "destinationPrefixListId",
    ),
    "aws:ec2/routeTable:RouteTable": ("vpcId",),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("subnetId", "gatewayId"),
    "aws:ec2/securityGroup:SecurityGroup": ("description", "vpcId"),
    "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"),
    "aws:ec2/vpc:Vpc": ("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType", "serviceRegion"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository",),
    "aws:ecr/repository:Repository": ("encryptionConfigurations",),
    # EC2 capacity (TF src autoscaling/group.go, ec2/ec2_launch_template.go, ecs/capacity_provider.go,
    # iam/instance_profile.go, iam/service_linked_role.go, kms/grant.go). A launch template change is
    # a new version, not a replacement; the provider's nested autoScalingGroupArn is ForceNew too.
    "aws:autoscaling/group:Group": (),
    "aws:ec2/launchTemplate:LaunchTemplate": (),
    "aws:ecs/capacityProvider:CapacityProvider": ("cluster",),
    "aws:iam/instanceProfile:InstanceProfile": ("path",),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ("awsServiceName", "customSuffix"),
    "aws:kms/grant:Grant": (
        "keyId",
        "granteePrincipal",
        "operations",
        "constraints",
        "grantCreationTokens",
        "retiringPrincipal",
        "retireOnDelete",
    ),
    "aws:ecs/cluster:Cluster": (),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ("clusterName",),
    "aws:ecs/service:Service": (
        "cluster",
        "launchType",
        "iamRole",
        "schedulingStrategy",
        "deploymentController",
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (),
    "aws:iam/role:Role": ("path",),
    "aws:iam/rolePolicy:RolePolicy": ("role",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    "aws:kms/alias:Alias": (),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion", "xksKeyId"),
    # HTTP API (components/frontdoor/apigateway.py). Each row: the ForceNew schema attributes of
    # terraform-provider-aws internal/service/apigatewayv2/<file>.go ("name" is in ALWAYS where ForceNew).
    "aws:apigatewayv2/api:Api": ("protocolType", "credentialsArn", "routeKey", "target"),  # api.go
    "aws:apigatewayv2/vpcLink:VpcLink": ("subnetIds", "securityGroupIds"),  # vpc_link.go; name updates
    "aws:apigatewayv2/integration:Integration": (  # integration.go: uri, connection, method update
        "apiId",
        "integrationType",
        "integrationSubtype",
    ),
    "aws:apigatewayv2/authorizer:Authorizer": ("apiId",),  # authorizer.go; name, type, jwt update in place
    "aws:apigatewayv2/route:Route": ("apiId",),  # route.go: routeKey, target, authorizer update in place
    "aws:apigatewayv2/stage:Stage": ("apiId",),  # stage.go: api_id and name (ALWAYS); settings update
    "aws:apigatewayv2/domainName:DomainName": ("domainName",),  # domain_name.go: configuration updates
    "aws:apigatewayv2/apiMapping:ApiMapping": ("apiId", "domainName"),  # api_mapping.go: stage updates
    "aws:lb/listener:Listener": ("loadBalancerArn",),
    "aws:lb/listenerRule:ListenerRule": ("listenerArn",),
    "aws:lb/loadBalancer:LoadBalancer": ("internal", "loadBalancerType", "customerOwnedIpv4Pool"),
    "aws:lb/targetGroup:TargetGroup": (
        "port",
        "protocol",
        "protocolVersion",
        "targetType",
        "vpcId",
        "ipAddressType",
    ),
    # Data tier (TF src internal/service/rds/instance.go, elasticache/replication_group.go, and the
    # ForceNew lists in /work/shared/reference/aws-traps.md sections 1 and 2).
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "replicationGroupId",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "subnetGroupName",
        "port",
        "networkType",
        "dataTieringEnabled",
        "snapshotName",
        "snapshotArns",
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": (),
    "aws:rds/instance:Instance": (
        "identifier",
        "identifierPrefix",
        "engine",
        "dbName",
        "username",
        "storageEncrypted",
        "kmsKeyId",
        "availabilityZone",
        "snapshotIdentifier",
        "characterSetName",
        "ncharCharacterSetName",
        "timezone",
        "customIamInstanceProfile",
    ),
    "aws:rds/parameterGroup:ParameterGroup": ("family", "description"),
    "aws:rds/subnetGroup:SubnetGroup": (),
    "aws:secretsmanager/secret:Secret": (),
    "aws:secretsmanager/secretRotation:SecretRotation": ("secretId",),
    "aws:secretsmanager/secretVersion:SecretVersion": ("secretId", "secretString", "secretBinary"),
    # pulumi-random: every argument is RequiresReplace (terraform-provider-random
    # internal/provider/resource_password.go, resource_string.go); a new one is a new value.
    "random:index/randomPassword:RandomPassword": (
        "keepers",
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "overrideSpecial",
    ),
    "random:index/randomString:RandomString": (
        "keepers",
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "overrideSpecial",
    ),
    "aws:scheduler/schedule:Schedule": ("groupName",),
    # The pre-traffic check's function: internal/service/lambda/function.go (function_name is "name"
    # here, in ALWAYS; package_type and tenancy_config are the other ForceNew attributes).
    "aws:lambda/function:Function": ("packageType", "tenancyConfig"),
    # A job's failure rule and its target: internal/service/events/rule.go (event_bus_name; name and
    # name_prefix in ALWAYS) and target.go (event_bus_name, rule, target_id).
    "aws:cloudwatch/eventRule:EventRule": ("eventBusName",),
    "aws:cloudwatch/eventTarget:EventTarget": ("eventBusName", "rule", "targetId"),
    "aws:servicediscovery/httpNamespace:HttpNamespace": ("description",),
    # terraform-provider-aws internal/service/efs/file_system.go (ForceNew: availability_zone_name,
    # creation_token, encrypted, kms_key_id, performance_mode), mount_target.go, access_point.go,
    # file_system_policy.go.
    "aws:efs/fileSystem:FileSystem": (
        "availabilityZoneName",
        "creationToken",
        "encrypted",
        "kmsKeyId",
        "performanceMode",
    ),
    "aws:efs/mountTarget:MountTarget": ("fileSystemId", "subnetId", "ipAddress"),
    "aws:efs/accessPoint:AccessPoint": ("fileSystemId", "posixUser", "rootDirectory"),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": ("fileSystemId",),
    # terraform-provider-aws internal/service/backup: vault.go (name, kms_key_arn ForceNew),
    # vault_lock_configuration.go (no update: every argument ForceNew), vault_policy.go, plan.go (name;
    # rules update in place), selection.go (no update: every argument ForceNew), restore_testing_plan.go
    # (name RequiresReplace), restore_testing_selection.go (name, restore_testing_plan_name,
    # protected_resource_type RequiresReplace).
    "aws:backup/vault:Vault": ("kmsKeyArn",),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
        "backupVaultName",
        "changeableForDays",
        "maxRetentionDays",
        "minRetentionDays",
    ),
    "aws:backup/vaultPolicy:VaultPolicy": ("backupVaultName",),
    "aws:backup/plan:Plan": (),
    "aws:backup/selection:Selection": (
        "planId",
        "iamRoleArn",
        "resources",
        "notResources",
        "conditions",
        "selectionTags",
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": (),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        "restoreTestingPlanName",
        "protectedResourceType",
    ),
    # lambda/permission.go (no update: every argument ForceNew); the EventBridge rows are above.
    "aws:lambda/permission:Permission": (
        "action",
        "eventSourceToken",
        "function",
        "functionUrlAuthType",
        "principal",
        "principalOrgId",
        "qualifier",
        "sourceAccount",
        "sourceArn",
        "statementId",
        "statementIdPrefix",
    ),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket", "expectedBucketOwner"),
    # s3/bucket_logging.go: bucket and expected_bucket_owner ForceNew; target_bucket/prefix updated.
    "aws:s3/bucketLogging:BucketLogging": ("bucket", "expectedBucketOwner"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket",),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "bucket",
        "expectedBucketOwner",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket", "expectedBucketOwner"),
    "aws:sqs/queue:Queue": ("fifoQueue",),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ("queueUrl",),
    "aws:sqs/redrivePolicy:RedrivePolicy": ("queueUrl",),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("securityGroupId",),
    "aws:wafv2/webAcl:WebAcl": ("scope",),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ("resourceArn", "webAclArn"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ("resourceArn",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("securityGroupId",),
}
"""Pulumi type token -> the inputs (besides ``ALWAYS``) whose change replaces the resource."""

TABLE_SOURCE = (
    "ForceNew in hashicorp/terraform-provider-aws, bridged unchanged by pulumi-aws 7 "
    "(plan/replacement.py FORCE_NEW)"
)
"""The source the compare report names next to a replacement found in :data:`FORCE_NEW`."""

NOT_PROVIDER_RESOURCES = ("awsx:", "docker-build:", "webstack:", "pulumi:")
"""Components and build steps: nothing in AWS to replace (their children are judged one by one)."""


def known(type_token: str) -> bool:
    """Whether the table can judge this type (components count as known: they have no state)."""
    return type_token in FORCE_NEW or type_token.startswith(NOT_PROVIDER_RESOURCES)


def replacing_changes(type_token: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The changed inputs that replace a resource of this type (every change, for revised types).

    Raises KeyError for a type the table does not know, so nobody mistakes "unknown" for "safe".
    """
    if type_token.startswith(NOT_PROVIDER_RESOURCES):
        return []
    if type_token in REVISED_ON_ANY_CHANGE:
        fields = sorted((set(before) | set(after)) - set(REVISED_BUT_UPDATED_IN_PLACE))
    else:
        fields = _force_new(type_token)
    return [field for field in fields if before.get(field) != after.get(field)]


def _force_new(type_token: str) -> list[str]:
    """``ALWAYS`` (less ``name`` where it updates in place) and the type's row. KeyError if unknown."""
    always = [f for f in ALWAYS if not (f == "name" and type_token in NAME_UPDATED_IN_PLACE)]
    return [*always, *FORCE_NEW[type_token]]


def forcing(type_token: str, changed: Iterable[str]) -> list[str]:
    """Which of the ``changed`` inputs replace a resource of this type (all of them, for revised types).

    Used when an input changes without its value changing in the plan (it references a resource that
    is itself replaced, whose id the offline engine cannot know will differ). KeyError as above.
    """
    if type_token.startswith(NOT_PROVIDER_RESOURCES):
        return []
    changed = sorted(set(changed))
    if type_token in REVISED_ON_ANY_CHANGE:
        return [field for field in changed if field not in REVISED_BUT_UPDATED_IN_PLACE]
    force_new = set(_force_new(type_token))
    return [field for field in changed if field in force_new]


def source(type_token: str) -> str:
    """Where the table's verdict for this type comes from, for the compare report."""
    if type_token in REVISED_ON_ANY_CHANGE:
        return "immutable: every change registers a new revision (plan/replacement.py REVISED_ON_ANY_CHANGE)"
    return TABLE_SOURCE
