"""The deploy and preview roles, tested by resource ARN: every call the provider makes for every
resource the fixture stacks register (create, read, update, delete) is allowed on that resource's ARN,
and calls on another project's secrets, keys or parameters are not.

The calls per type are DEPLOY_ACTIONS' rows (bootstrap/deploy_actions.py, from the provider source);
this file adds what those calls act on: the ARN format of each resource type (AWS Service Authorization
Reference, "Resource types defined by <service>"), the other resources a call touches (a role passed,
a key granted, a certificate read) and the request context keys the roles' conditions test. The
policies are the documents the bootstrap program renders, evaluated by tests/support/iam_policy.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest

from bootstrap.deploy_actions import DEPLOY_ACTIONS, INVOKE_ACTIONS
from components.pure.guardrails import TASK_EXECUTION_POLICY_ARN
from components.pure.instances import AMI_PARAMETERS
from plan.engine import Recorded, Run, run_stack
from plan.mocks import DOCKER_BUILD_IMAGE
from tests.delivery.test_bootstrap import bootstrap, deploy_role_statements, statements
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES
from tests.support.iam_policy import Request, allows, decide

REGION = "eu-west-1"
BOOTSTRAP_OF_ACCOUNT = {"111111111111": EXAMPLE_DEV, "222222222222": EXAMPLE_PROD}
SUFFIX = "abc1234"
"""What the provider appends to an autonamed resource's logical name."""
WEBSTACK_ROLE = "arn:aws:iam::{a}:role/webstack/web-task-role-abc1234"
RDS_SECRET = "arn:aws:secretsmanager:{r}:{a}:secret:rds!db-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-AbCdEf"
KEY = "arn:aws:kms:{r}:{a}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CERTIFICATE = "arn:aws:acm:{r}:{a}:certificate/00000000-0000-0000-0000-000000000000"
DISTRIBUTION = "arn:aws:cloudfront::{a}:distribution/E0123456789ABC"
LOAD_BALANCER = "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/edge-alb-abc1234/0123456789abcdef"
ECS_SERVICE = "arn:aws:ecs:{r}:{a}:service/cluster-ecs-abc1234/web-service-abc1234"
RELEASE_TASK = "arn:aws:ecs:{r}:{a}:task/cluster-ecs-abc1234/0123456789abcdef0123456789abcdef"
SCALING_ALARM = "arn:aws:cloudwatch:{r}:{a}:alarm:TargetTracking-service/cluster/web-AlarmHigh-0123"
ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
API = "arn:aws:apigateway:{r}::/apis/a1b2c3d4e5"
EC2, ECS, ELB = "arn:aws:ec2:{r}:{a}:", "arn:aws:ecs:{r}:{a}:", "arn:aws:elasticloadbalancing:{r}:{a}:"
LOGS = "arn:aws:logs:{r}:{a}:"
EFS = "arn:aws:elasticfilesystem:{r}:{a}:"
DOMAIN = "arn:aws:apigateway:{r}::/domainnames/app.example.com"
BACKUP = "arn:aws:backup:{r}:{a}:"
LAMBDA = "arn:aws:lambda:{r}:{a}:function:"

# The resource a type's own calls act on ({r} region, {a} account, {n} physical name).
ARN_OF_TYPE: dict[str, str] = {
    "aws:ec2/vpc:Vpc": EC2 + "vpc/vpc-0123456789abcdef0",
    "aws:ec2/subnet:Subnet": EC2 + "subnet/subnet-0123456789abcdef0",
    "aws:ec2/routeTable:RouteTable": EC2 + "route-table/rtb-0123456789abcdef0",
    "aws:ec2/route:Route": EC2 + "route-table/rtb-0123456789abcdef0",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": EC2 + "route-table/rtb-0123",
    "aws:ec2/internetGateway:InternetGateway": EC2 + "internet-gateway/igw-0123456789abcdef0",
    "aws:ec2/eip:Eip": EC2 + "elastic-ip/eipalloc-0123456789abcdef0",
    "aws:ec2/natGateway:NatGateway": EC2 + "natgateway/nat-0123456789abcdef0",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": EC2 + "security-group/sg-0123456789",
    "aws:ec2/securityGroup:SecurityGroup": EC2 + "security-group/sg-0123456789abcdef0",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": EC2 + "security-group-rule/sgr-0",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": EC2 + "security-group-rule/sgr-1",
    "aws:ec2/flowLog:FlowLog": EC2 + "vpc-flow-log/fl-0123456789abcdef0",
    "aws:ec2/vpcEndpoint:VpcEndpoint": EC2 + "vpc-endpoint/vpce-0123456789abcdef0",
    "aws:ecs/cluster:Cluster": ECS + "cluster/{n}",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ECS + "cluster/cluster-ecs-abc1234",
    "aws:ecs/taskDefinition:TaskDefinition": ECS + "task-definition/{n}:1",
    "aws:ecs/service:Service": ECS + "service/cluster-ecs-abc1234/{n}",
    "aws:lambda/function:Function": "arn:aws:lambda:{r}:{a}:function:{n}",
    # A release task's runner (ops/release.py) acts on the service's new task definition revision.
    "command:local:Command": ECS + "task-definition/webstack-dev-web:2",
    "aws:appautoscaling/target:Target": "arn:aws:application-autoscaling:{r}:{a}:scalable-target/0123abcd",
    "aws:appautoscaling/policy:Policy": "arn:aws:application-autoscaling:{r}:{a}:scalable-target/0123abcd",
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        "arn:aws:application-autoscaling:{r}:{a}:scalable-target/0123abcd"
    ),
    "aws:lb/loadBalancer:LoadBalancer": ELB + "loadbalancer/app/{n}/0123abcd",
    "aws:lb/targetGroup:TargetGroup": ELB + "targetgroup/{n}/0123abcd",
    "aws:lb/listener:Listener": ELB + "listener/app/edge-alb/0123/4567",
    "aws:lb/listenerRule:ListenerRule": ELB + "listener-rule/app/edge/01/23/45",
    "aws:acm/certificate:Certificate": CERTIFICATE,
    "aws:acm/certificateValidation:CertificateValidation": CERTIFICATE,
    "aws:route53/record:Record": ZONE,
    "aws:rds/subnetGroup:SubnetGroup": "arn:aws:rds:{r}:{a}:subgrp:{n}",
    "aws:rds/parameterGroup:ParameterGroup": "arn:aws:rds:{r}:{a}:pg:{n}",
    "aws:rds/instance:Instance": "arn:aws:rds:{r}:{a}:db:{n}",
    "aws:elasticache/subnetGroup:SubnetGroup": "arn:aws:elasticache:{r}:{a}:subnetgroup:{n}",
    "aws:elasticache/replicationGroup:ReplicationGroup": "arn:aws:elasticache:{r}:{a}:replicationgroup:{n}",
    "aws:secretsmanager/secret:Secret": "arn:aws:secretsmanager:{r}:{a}:secret:{n}-AbCdEf",
    "aws:secretsmanager/secretVersion:SecretVersion": "arn:aws:secretsmanager:{r}:{a}:secret:{secret}-AbCdEf",
    "aws:secretsmanager/secretRotation:SecretRotation": RDS_SECRET,
    "aws:wafv2/webAcl:WebAcl": "arn:aws:wafv2:{r}:{a}:regional/webacl/{n}/0123abcd",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "arn:aws:wafv2:{r}:{a}:regional/webacl/waf-acl/0123",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (
        "arn:aws:wafv2:{r}:{a}:regional/webacl/waf-acl/0123"
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "*",  # logs:PutResourcePolicy: no resource type
    "aws:apigatewayv2/api:Api": API,
    "aws:apigatewayv2/vpcLink:VpcLink": "arn:aws:apigateway:{r}::/vpclinks/a1b2c3",
    "aws:apigatewayv2/integration:Integration": f"{API}/integrations/abc123",
    "aws:apigatewayv2/route:Route": f"{API}/routes/abc123",
    "aws:apigatewayv2/authorizer:Authorizer": f"{API}/authorizers/abc123",
    "aws:apigatewayv2/stage:Stage": f"{API}/stages/$default",
    "aws:apigatewayv2/domainName:DomainName": DOMAIN,
    "aws:apigatewayv2/apiMapping:ApiMapping": DOMAIN + "/apimappings/a",
    "aws:cloudfront/distribution:Distribution": DISTRIBUTION,
    "aws:cloudfront/originAccessControl:OriginAccessControl": (
        "arn:aws:cloudfront::{a}:origin-access-control/E0"
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": LOGS + "delivery-source:{n}",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": LOGS + "delivery-destination:{n}",
    "aws:cloudwatch/logDelivery:LogDelivery": LOGS + "delivery:0123abcd",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{r}:{a}:{n}",
    "aws:sqs/redrivePolicy:RedrivePolicy": "arn:aws:sqs:{r}:{a}:jobs-queue-abc1234",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "arn:aws:sqs:{r}:{a}:jobs-dlq-abc1234",
    "aws:scheduler/schedule:Schedule": "arn:aws:scheduler:{r}:{a}:schedule/default/{n}",
    # EventBridge: rules are arn:aws:events:<region>:<account>:rule/<name>; targets are calls on their rule.
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{r}:{a}:rule/{n}",
    "aws:cloudwatch/eventTarget:EventTarget": "arn:aws:events:{r}:{a}:rule/job-report-failed-abc1234",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "arn:aws:servicediscovery:{r}:{a}:namespace/ns-0123",
    "aws:ec2/launchTemplate:LaunchTemplate": EC2 + "launch-template/lt-0123456789abcdef0",
    "aws:autoscaling/group:Group": (
        "arn:aws:autoscaling:{r}:{a}:autoScalingGroup:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b:autoScalingGroupName/{n}"
    ),
    "aws:ecs/capacityProvider:CapacityProvider": ECS + "capacity-provider/{n}",
    "aws:iam/instanceProfile:InstanceProfile": "arn:aws:iam::{a}:instance-profile{path}{n}",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": (
        "arn:aws:iam::{a}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_{suffix}"
    ),
    "aws:kms/grant:Grant": KEY,
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:{r}:{a}:alarm:{n}",
    "aws:cloudwatch/dashboard:Dashboard": "arn:aws:cloudwatch::{a}:dashboard/{n}",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": LOGS + "log-group:webstack-app:*",
    "aws:sns/topic:Topic": "arn:aws:sns:{r}:{a}:{n}",
    "aws:sns/topicPolicy:TopicPolicy": "arn:aws:sns:{r}:{a}:alerts-topic-abc1234",
    "aws:sns/topicSubscription:TopicSubscription": "arn:aws:sns:{r}:{a}:alerts-topic-abc1234",
    "aws:budgets/budget:Budget": "arn:aws:budgets::{a}:budget/{n}",
    "aws:cloudwatch/logGroup:LogGroup": LOGS + "log-group:{n}",
    "aws:kms/key:Key": KEY,
    "aws:kms/alias:Alias": "arn:aws:kms:{r}:{a}:{n}",
    "aws:ecr/repository:Repository": "arn:aws:ecr:{r}:{a}:repository/{n}",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "arn:aws:ecr:{r}:{a}:repository/web-repo-abc1234",
    "awsx:ecr:Image": "arn:aws:ecr:{r}:{a}:repository/web-repo-abc1234",
    "aws:iam/role:Role": "arn:aws:iam::{a}:role{path}{n}",
    "aws:iam/rolePolicy:RolePolicy": "{role}",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "{role}",
    "aws:efs/fileSystem:FileSystem": EFS + "file-system/fs-0123456789abcdef0",
    "aws:efs/mountTarget:MountTarget": EFS + "file-system/fs-0123456789abcdef0",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": EFS + "file-system/fs-0123456789abcdef0",
    "aws:efs/accessPoint:AccessPoint": EFS + "access-point/fsap-0123456789abcdef0",
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{n}",
    # AWS Backup (Service Authorization Reference, AWS Backup: backupVault, backupPlan,
    # restoreTestingPlan; a selection acts on its plan, a lock and access policy on their vault).
    "aws:backup/vault:Vault": BACKUP + "backup-vault:{n}",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": BACKUP + "backup-vault:webstack-data-prod",
    "aws:backup/vaultPolicy:VaultPolicy": BACKUP + "backup-vault:webstack-data-prod",
    "aws:backup/plan:Plan": BACKUP + "backup-plan:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    "aws:backup/selection:Selection": BACKUP + "backup-plan:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": BACKUP + "restore-testing-plan:{n}-a1b2c3",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        BACKUP + "restore-testing-plan:webstack_data_prod_restore_tests-a1b2c3"
    ),
    "aws:lambda/permission:Permission": LAMBDA + "backup-restore-tests-check-fn-abc1234",
    **dict.fromkeys(
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketLogging:BucketLogging",
        ),
        "arn:aws:s3:::{bucket}",
    ),
}
# iam:CreateServiceLinkedRole: the service each type's create may make its role for (iam:AWSServiceName).
SERVICE_LINKED_BY_TYPE = {
    "aws:ecs/service:Service": "ecs.amazonaws.com",
    "aws:appautoscaling/target:Target": "ecs.application-autoscaling.amazonaws.com",
    "aws:lb/loadBalancer:LoadBalancer": "elasticloadbalancing.amazonaws.com",
    "aws:rds/instance:Instance": "rds.amazonaws.com",
    "aws:elasticache/replicationGroup:ReplicationGroup": "elasticache.amazonaws.com",
    "aws:apigatewayv2/api:Api": "ops.apigateway.amazonaws.com",
    "aws:apigatewayv2/vpcLink:VpcLink": "ops.apigateway.amazonaws.com",
    "aws:apigatewayv2/domainName:DomainName": "ops.apigateway.amazonaws.com",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "autoscaling.amazonaws.com",
}
# iam:PassRole: to which service each type passes a webstack role (iam:PassedToService).
PASSED_BY_TYPE = {
    "aws:ecs/taskDefinition:TaskDefinition": ("ecs-tasks.amazonaws.com",),
    "command:local:Command": ("ecs-tasks.amazonaws.com",),  # RunTask of the release task
    # blue/green, canary, linear: advancedConfiguration.roleArn.
    "aws:ecs/service:Service": ("ecs.amazonaws.com",),
    "aws:ec2/flowLog:FlowLog": ("vpc-flow-logs.amazonaws.com",),
    "aws:rds/instance:Instance": ("monitoring.rds.amazonaws.com",),
    "aws:scheduler/schedule:Schedule": ("scheduler.amazonaws.com",),
    # the launch template's instance profile role (to EC2); its own service-linked role: below.
    "aws:autoscaling/group:Group": ("ec2.amazonaws.com",),
}
# iam:PassRole of a role only one service may get, by its name (bootstrap/permissions.py PASSED_BY_NAME).
PASSED_ROLE_BY_TYPE = {
    "aws:backup/selection:Selection": (
        "arn:aws:iam::{a}:role/webstack/backup-role-abc1234",
        "backup.amazonaws.com",
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        "arn:aws:iam::{a}:role/webstack/backup-role-abc1234",
        "backup.amazonaws.com",
    ),
}
VERBS = {
    "create": (
        *("Create", "Put", "Register", "Request", "Allocate", "Associate", "Attach", "Add", "Authorize"),
        *("Run", "Initiate", "Upload", "Complete", "Subscribe", "Tag", "Enable", "Pass", "Allow", "POST"),
    ),
    "read": ("Describe", "Get", "List", "BatchGet", "BatchCheck", "View", "GET"),
    "delete": (
        *("Delete", "Deregister", "Revoke", "Release", "Detach", "Disassociate", "Remove", "Untag"),
        *("ScheduleKeyDeletion", "Cancel", "Unsubscribe", "BatchDelete", "DELETE"),
    ),
}


def crud(action: str) -> str:
    """create, read, update or delete: which step of a resource's life the provider makes this call in."""
    verb = action.split(":")[1]
    return next((step for step, verbs in VERBS.items() if verb.startswith(verbs)), "update")


def physical_name(resource: Recorded) -> str:
    """An explicit name, else the logical name plus the provider's random suffix."""
    return str(resource.inputs.get("name") or f"{resource.name}-{SUFFIX}")


def _mock_id_to_name(value: Any) -> str:
    """The mocks' id of a referenced resource (``<logical>-id``) as the physical name the provider gives."""
    return f"{str(value).removesuffix('-id')}-{SUFFIX}"


def calls(resource: Recorded, stack: str, account: str) -> Iterator[tuple[str, Request]]:
    """(create/read/update/delete, the request) for every call the provider makes for ``resource``."""
    region = str(resource.inputs.get("region") or REGION)
    fields = {
        "r": region,
        "a": account,
        "n": physical_name(resource),
        "path": resource.inputs.get("path") or "/",
        "suffix": resource.inputs.get("customSuffix", ""),
        "bucket": _mock_id_to_name(resource.inputs.get("bucket")),
        "secret": _mock_id_to_name(resource.inputs.get("secretId")),
        "role": f"arn:aws:iam::{account}:role/webstack/{_mock_id_to_name(resource.inputs.get('role'))}",
    }
    own = ARN_OF_TYPE[resource.type].format(**fields)
    scaling_role = ARN_OF_TYPE["aws:iam/serviceLinkedRole:ServiceLinkedRole"].format(
        a=account, suffix=f"webstack-{stack}"
    )
    service = resource.type.split(":")[1].split("/")[0]
    for action in DEPLOY_ACTIONS[resource.type]:
        step = crud(action)
        concrete = action.replace("*", "Anything")
        for arn, context in _targets(resource, action, own, service, scaling_role, fields):
            yield step, Request(concrete, arn.format(**fields), context)


def _targets(
    resource: Recorded, action: str, own: str, service: str, scaling_role: str, fields: Mapping[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """What one call acts on, with the context keys the roles' conditions test."""
    kind, region = resource.type, fields["r"]
    if action == "iam:PassRole":
        if kind == "aws:iam/serviceLinkedRole:ServiceLinkedRole":
            return [(own, {})]
        if kind in PASSED_ROLE_BY_TYPE:
            role, service = PASSED_ROLE_BY_TYPE[kind]
            return [(role, {"iam:PassedToService": service})]
        if kind == "aws:lambda/function:Function":  # its execution role, by the role's own name
            role = str(resource.inputs["role"]).rsplit("/", 1)[-1]
            passed_role = f"arn:aws:iam::{{a}}:role/webstack/{_mock_id_to_name(role)}"
            return [(passed_role, {"iam:PassedToService": "lambda.amazonaws.com"})]
        passed = [(WEBSTACK_ROLE, {"iam:PassedToService": s}) for s in PASSED_BY_TYPE[kind]]
        if kind == "aws:autoscaling/group:Group":
            passed.append((scaling_role, {"iam:PassedToService": "autoscaling.amazonaws.com"}))
        return passed
    if action == "iam:CreateServiceLinkedRole":
        name = SERVICE_LINKED_BY_TYPE[kind]
        role = own if kind.startswith("aws:iam/") else f"arn:aws:iam::{{a}}:role/aws-service-role/{name}/X"
        return [(role, {"iam:AWSServiceName": name})]
    if action in ("iam:AttachRolePolicy", "iam:DetachRolePolicy"):
        policy = str(resource.inputs.get("policyArn") or TASK_EXECUTION_POLICY_ARN)
        return [(own, {"iam:PolicyARN": policy})]
    if action.startswith("backup-storage:"):
        return [("*", {})]  # backup-storage:MountCapsule has no resource type (AWS SAR, AWS Backup storage)
    if action.startswith("kms:") and service not in ("kms",):
        # EFS signs its key calls as elasticfilesystem (AWS EFS guide, encryption-at-rest.html key policy).
        via = {"efs": "elasticfilesystem"}.get(service, service)
        return [(KEY, {"kms:ViaService": f"{via}.{region}.amazonaws.com"})]
    if action == "kms:CreateGrant" and kind == "aws:kms/grant:Grant":
        return [(KEY, {"kms:GranteePrincipal": scaling_role})]
    if action.startswith("secretsmanager:") and kind == "aws:rds/instance:Instance":
        return [(RDS_SECRET, {})]
    if action == "s3:DeleteObjectVersion":  # emptying a force_destroy bucket: each object's versions
        return [(f"{own}/2026/12/06/access.log.gz", {})]
    return [(_other_resource(kind, action) or own, {})]


def _other_resource(kind: str, action: str) -> str | None:
    """The ARN of a resource other than the type's own that a call acts on, if any."""
    if action == "acm:DescribeCertificate":
        return CERTIFICATE
    if kind == "command:local:Command" and action in ("ecs:DescribeTasks", "ecs:StopTask"):
        return RELEASE_TASK
    if kind == "command:local:Command" and action == "logs:FilterLogEvents":
        return LOGS + "log-group:web-logs-abc1234"
    if action == "elasticloadbalancing:SetWebAcl":
        return LOAD_BALANCER
    if action == "cloudfront:AllowVendedLogDeliveryForResource":
        return DISTRIBUTION
    if action == "route53:GetChange":
        return "arn:aws:route53:::change/C0123456789ABCDEF"
    if kind.startswith("aws:appautoscaling/") and action.startswith("ecs:"):
        return ECS_SERVICE
    if kind.startswith("aws:appautoscaling/") and action.startswith("cloudwatch:"):
        return SCALING_ALARM
    if action in ("ec2:RunInstances", "ecr:GetAuthorizationToken") or action.startswith("ec2:Describe"):
        return "*"
    if action.startswith("logs:") and not kind.startswith(("aws:cloudwatch/log", "aws:cloudwatch/logGroup")):
        return "*"  # vended log deliveries and resource policies: no resource type (AWS SAR, logs)
    return None


@cache
def role_statements(account: str) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The deploy role's and the preview role's statements as the bootstrap renders them."""
    run = bootstrap(BOOTSTRAP_OF_ACCOUNT[account])
    deploy = tuple(dict(s) for s in deploy_role_statements(run))
    preview = tuple(dict(s) for s in statements(run, "delivery-preview-policy"))
    return deploy, preview


@cache
def fixture_runs() -> tuple[tuple[str, str, Run], ...]:
    runs = []
    for path in sorted(FIXTURES.glob("Pulumi.*.yaml")):
        stack = path.name.split(".")[1]
        run = run_stack(stack, root=FIXTURES)
        account = next(a for a in BOOTSTRAP_OF_ACCOUNT if a in path.read_text())
        runs.append((stack, account, run))
    return tuple(runs)


def test_every_type_the_deploy_role_manages_has_an_arn_format():
    calling_aws = {type_ for type_, actions in DEPLOY_ACTIONS.items() if actions}
    assert calling_aws <= set(ARN_OF_TYPE), sorted(calling_aws - set(ARN_OF_TYPE))


def test_the_deploy_role_may_make_every_call_of_every_resource_the_fixture_stacks_register_on_its_arn():
    denied: set[str] = set()
    for stack, account, run in fixture_runs():
        deploy, _ = role_statements(account)
        for resource in run.resources:
            managed = resource.custom or resource.type.startswith("awsx:")
            if (
                not managed
                or resource.type == DOCKER_BUILD_IMAGE
                or not DEPLOY_ACTIONS.get(resource.type, True)
            ):
                continue  # an empty action row: the provider calls no AWS API (pulumi-random)
            for step, request in calls(resource, stack, account):
                if not allows(deploy, request):
                    call = f"{request.action} on {request.resource} {dict(request.context)}"
                    denied.add(f"{resource.type} ({step}): {call}")
    assert not denied, "the deploy role is refused:\n" + "\n".join(sorted(denied))


@pytest.mark.parametrize("account", sorted(BOOTSTRAP_OF_ACCOUNT))
@pytest.mark.parametrize("role", ["deploy", "preview"])
def test_both_roles_may_make_every_call_behind_the_programs_invokes_including_the_ecs_ami_parameter(
    account, role
):
    """`pulumi preview` runs the program's invokes (data sources) too, so the preview role needs them:
    the ECS-optimized AMI is a public parameter, ``arn:aws:ssm:<region>::parameter/aws/service/...``
    (AWS Systems Manager guide, parameter-store-public-parameters-ecs)."""
    deploy, preview = role_statements(account)
    policy = deploy if role == "deploy" else preview
    called = {token for _, _, run in fixture_runs() for token in run.invokes}
    assert "aws:ssm/getParameter:getParameter" in called
    parameters = [f"arn:aws:ssm:{REGION}::parameter{name}" for name in AMI_PARAMETERS.values()]
    denied = [
        (token, action, arn)
        for token in sorted(called)
        for action in INVOKE_ACTIONS[token]
        for arn in (parameters if action.startswith("ssm:") else [ZONE if "route53" in action else "*"])
        if not allows(policy, Request(action, arn))
    ]
    assert not denied


def test_the_deploy_role_may_tag_the_stacks_auto_scaling_service_linked_role_right_after_creating_it():
    """The provider calls iam:TagRole after CreateServiceLinkedRole whenever the role has tags (default
    tags included), UntagRole/UpdateRole on update (terraform-provider-aws service_linked_role.go)."""
    deploy, _ = role_statements("222222222222")
    role = ARN_OF_TYPE["aws:iam/serviceLinkedRole:ServiceLinkedRole"].format(
        a="222222222222", suffix="webstack-prod"
    )
    for action in ("iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:DeleteServiceLinkedRole"):
        assert allows(deploy, Request(action, role)), action
    other = role.replace("webstack-prod", "billing-prod")
    assert decide(deploy, Request("iam:TagRole", other)) == "ImplicitDeny"


OTHER_SECRET = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:billing/db-password-AbCdEf"


@pytest.mark.parametrize(
    "request_",
    [
        Request("secretsmanager:GetSecretValue", OTHER_SECRET),
        Request("secretsmanager:PutSecretValue", OTHER_SECRET),
        Request("secretsmanager:DeleteSecret", OTHER_SECRET),
        # another account's copy of a secret named like the stack's
        Request(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:333333333333:secret:cache-main-auth-token-abc1234-AbCdEf",
        ),
        Request("secretsmanager:GetSecretValue", RDS_SECRET.format(r=REGION, a="222222222222")),
        # key material directly, or through a service the stack does not use it for
        Request("kms:Decrypt", KEY.format(r=REGION, a="222222222222")),
        Request(
            "kms:Decrypt",
            KEY.format(r=REGION, a="222222222222"),
            {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
        ),
        Request(
            "kms:Decrypt",
            KEY.format(r=REGION, a="333333333333"),
            {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"},
        ),
        Request(
            "kms:CreateGrant",
            KEY.format(r=REGION, a="222222222222"),
            {"kms:GranteePrincipal": "arn:aws:iam::222222222222:role/someone-else"},
        ),
        Request("ssm:GetParameter", "arn:aws:ssm:eu-west-1:222222222222:parameter/billing/db-password"),
    ],
    ids=lambda r: f"{r.action} on {r.resource}",
)
def test_the_deploy_role_cannot_read_another_projects_secrets_or_use_its_keys(request_):
    deploy, _ = role_statements("222222222222")
    assert not allows(deploy, request_)


def test_the_deploy_role_reads_and_writes_the_stacks_own_cache_secret():
    deploy, _ = role_statements("222222222222")
    secret = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:cache-main-auth-token-abc1234-AbCdEf"
    for action in ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"):
        assert allows(deploy, Request(action, secret))
    via = {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    assert allows(deploy, Request("kms:Decrypt", KEY.format(r=REGION, a="222222222222"), via))


def test_the_preview_role_reads_no_private_parameter():
    _, preview = role_statements("222222222222")
    assert not allows(preview, Request("ssm:GetParameter", "arn:aws:ssm:eu-west-1:222222222222:parameter/db"))


def test_the_evaluator_lets_an_explicit_deny_win_and_matches_wildcards():
    statements_ = [
        {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["arn:aws:s3:::a-*"]},
        {"Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::a-secret/*"]},
    ]
    assert decide(statements_, Request("s3:getbucketpolicy", "arn:aws:s3:::a-logs")) == "Allow"
    assert decide(statements_, Request("s3:GetObject", "arn:aws:s3:::a-secret/x")) == "Deny"
    assert decide(statements_, Request("s3:GetObject", "arn:aws:s3:::b")) == "ImplicitDeny"
    conditioned = [
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com"]}},
        }
    ]
    passed = "iam:PassedToService"
    assert allows(conditioned, Request("iam:PassRole", "r", {passed: "ecs-tasks.amazonaws.com"}))
    assert not allows(conditioned, Request("iam:PassRole", "r"))
    assert not allows(conditioned, Request("iam:PassRole", "r", {passed: "ec2.amazonaws.com"}))


def test_a_later_stages_deploy_role_may_wait_for_replicated_images_and_its_preview_role_pulls_no_layer():
    """Promotion adds no permission: the wait (tools/promotion.py, ecr:DescribeImages by digest) runs
    under the deploy role on the replicated repository; previews build nothing (buildOnPreview false),
    so the preview role still downloads no layer (ecr:GetDownloadUrlForLayer)."""
    account = "222222222222"
    deploy, preview = role_statements(account)
    replica = f"arn:aws:ecr:{REGION}:{account}:repository/api-repo-abc1234"
    assert allows(deploy, Request("ecr:DescribeImages", replica))
    assert not allows(preview, Request("ecr:GetDownloadUrlForLayer", replica))
    assert not allows(deploy, Request("ecr:ReplicateImage", replica))


def test_the_deploy_role_may_run_watch_and_stop_a_release_task_and_pass_its_roles_only_to_ecs_tasks():
    """ops/release.py (the release task's runner) calls RunTask on the new task definition, which
    passes its task and execution roles (iam:PassedToService ecs-tasks.amazonaws.com), DescribeTasks
    and StopTask on the task, FilterLogEvents on the service's log group; the preview role runs nothing."""
    account = "111111111111"
    deploy, preview = role_statements(account)
    fields = {"r": REGION, "a": account}
    definition = ARN_OF_TYPE["command:local:Command"].format(**fields)
    task = RELEASE_TASK.format(**fields)
    for request in (
        Request("ecs:RunTask", definition),
        Request("ecs:DescribeTasks", task),
        Request("ecs:StopTask", task),
        Request(
            "iam:PassRole",
            WEBSTACK_ROLE.format(a=account),
            {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
        ),
        Request("logs:FilterLogEvents", LOGS.format(**fields) + "log-group:web-logs-abc1234"),
    ):
        assert allows(deploy, request), request
    lambda_ = {"iam:PassedToService": "lambda.amazonaws.com"}
    assert not allows(deploy, Request("iam:PassRole", WEBSTACK_ROLE.format(a=account), lambda_))
    assert not allows(preview, Request("ecs:RunTask", definition))
    assert not allows(preview, Request("ecs:StopTask", task))


def test_a_blue_green_service_passes_its_load_balancer_role_to_ecs_and_only_to_ecs():
    """CreateService/UpdateService with advancedConfiguration.roleArn pass that role (AWS ECS
    "infrastructure IAM role for load balancers"): the service's row lists iam:PassRole, and the deploy
    role lets a webstack role go to ecs.amazonaws.com and not to any other service."""
    prod = next(run for stack, _, run in fixture_runs() if stack == "example-prod")
    (balancer,) = prod.named("web-service").inputs["loadBalancers"][:1]
    assert balancer["advancedConfiguration"]["roleArn"].endswith(":role/web-lb-role-id")
    assert "iam:PassRole" in DEPLOY_ACTIONS["aws:ecs/service:Service"]
    deploy, _ = role_statements("222222222222")
    role = WEBSTACK_ROLE.format(a="222222222222")
    assert allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": "ecs.amazonaws.com"}))
    assert not allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}))


def test_a_pre_traffic_check_deploys_only_the_stacks_functions_and_passes_each_role_only_where_it_goes():
    """components/function.py and the hook (components/service/pre_traffic.py): the deploy role manages
    functions named ``*-fn-*`` only, passes a function's ``*-fn-role-*`` execution role to Lambda and
    nothing else to Lambda, and the hook role (a webstack role) to ECS with the service (AWS ECS
    blue-green-permissions.html); it never invokes a function, and the preview role changes none."""
    run = next(run for stack, _, run in fixture_runs() if stack == "frontdoor-prod")
    account = "222222222222"
    deploy, preview = role_statements(account)
    function = f"arn:aws:lambda:{REGION}:{account}:function:web-pre-traffic-fn-{SUFFIX}"
    for action in DEPLOY_ACTIONS["aws:lambda/function:Function"]:
        if action.startswith("lambda:"):
            assert allows(deploy, Request(action, function)), action
            assert not allows(deploy, Request(action, f"arn:aws:lambda:{REGION}:{account}:function:payroll"))
    assert not allows(deploy, Request("lambda:InvokeFunction", function))
    assert not allows(preview, Request("lambda:UpdateFunctionCode", function))
    to_lambda, to_ecs = (
        {"iam:PassedToService": "lambda.amazonaws.com"},
        {"iam:PassedToService": "ecs.amazonaws.com"},
    )
    execution = f"arn:aws:iam::{account}:role/webstack/web-pre-traffic-fn-role-{SUFFIX}"
    hook = f"arn:aws:iam::{account}:role/webstack/web-hook-role-{SUFFIX}"
    assert run.named("web-pre-traffic-fn").inputs["role"].endswith(":role/web-pre-traffic-fn-role-id")
    assert allows(deploy, Request("iam:PassRole", execution, to_lambda))
    assert not allows(deploy, Request("iam:PassRole", hook, to_lambda))
    assert not allows(deploy, Request("iam:PassRole", WEBSTACK_ROLE.format(a=account), to_lambda))
    assert allows(deploy, Request("iam:PassRole", hook, to_ecs))


def test_a_jobs_deploy_makes_exactly_its_schedule_rule_and_task_definition_calls_and_previews_make_none():
    """A job (components/job.py) adds EventBridge calls to the deploy role: PutRule, DescribeRule,
    DeleteRule and tags on the rule, PutTargets, ListTargetsByRule and RemoveTargets on it
    (terraform-provider-aws internal/service/events/rule.go, target.go); the schedule
    (scheduler:CreateSchedule, iam:PassRole of the scheduler role to scheduler.amazonaws.com) and the
    task definition (ecs:RegisterTaskDefinition, its two roles to ecs-tasks.amazonaws.com) were already
    there for services. The preview role changes none of them."""
    account = "222222222222"
    deploy, preview = role_statements(account)
    fields = {"r": REGION, "a": account, "n": "job-report-failed-abc1234"}
    rule = ARN_OF_TYPE["aws:cloudwatch/eventRule:EventRule"].format(**fields)
    assert rule == f"arn:aws:events:{REGION}:{account}:rule/job-report-failed-abc1234"
    assert DEPLOY_ACTIONS["aws:cloudwatch/eventRule:EventRule"] == (
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:ListTagsForResource",
        "events:TagResource",
        "events:UntagResource",
    )
    assert DEPLOY_ACTIONS["aws:cloudwatch/eventTarget:EventTarget"] == (
        "events:PutTargets",
        "events:ListTargetsByRule",
        "events:RemoveTargets",
    )
    writes = ("events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets")
    for action in writes:
        assert allows(deploy, Request(action, rule)), action
        assert not allows(preview, Request(action, rule)), action
    schedule = ARN_OF_TYPE["aws:scheduler/schedule:Schedule"].format(
        **{**fields, "n": "job-report-schedule-run"}
    )
    role = WEBSTACK_ROLE.format(a=account)
    assert allows(deploy, Request("scheduler:CreateSchedule", schedule))
    assert allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"}))
    assert allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}))
    assert not allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": "events.amazonaws.com"}))
    assert not allows(preview, Request("scheduler:CreateSchedule", schedule))


VAULT = "arn:aws:backup:eu-west-1:222222222222:backup-vault:webstack-prod"


@pytest.mark.parametrize(
    "action",
    [
        "backup:DeleteBackupVaultLockConfiguration",  # a lock is lifted by an administrator, on purpose
        "backup:DeleteRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
        "backup:StartRestoreJob",
    ],
)
def test_the_deploy_role_can_neither_lift_the_vault_lock_nor_delete_shorten_or_restore_recovery_points(
    action,
):
    deploy, _ = role_statements("222222222222")
    assert decide(deploy, Request(action, VAULT)) == "ImplicitDeny"


def test_the_backup_role_goes_only_to_aws_backup_the_check_role_only_to_lambda_and_no_task_role_to_either():
    deploy, _ = role_statements("222222222222")
    backup_role = "arn:aws:iam::222222222222:role/webstack/backup-role-abc1234"
    check_role = "arn:aws:iam::222222222222:role/webstack/backup-restore-tests-check-fn-role-abc1234"
    task_role = WEBSTACK_ROLE.format(a="222222222222")

    def passes(role: str, service: str) -> bool:
        return allows(deploy, Request("iam:PassRole", role, {"iam:PassedToService": service}))

    assert passes(backup_role, "backup.amazonaws.com") and passes(check_role, "lambda.amazonaws.com")
    assert not passes(backup_role, "lambda.amazonaws.com") and not passes(check_role, "backup.amazonaws.com")
    assert not passes(task_role, "lambda.amazonaws.com") and not passes(task_role, "backup.amazonaws.com")


def test_the_vault_key_is_used_only_through_aws_backup():
    deploy, _ = role_statements("222222222222")
    key = KEY.format(r=REGION, a="222222222222")
    via_backup = {"kms:ViaService": "backup.eu-west-1.amazonaws.com"}
    for action in ("kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant"):
        assert allows(deploy, Request(action, key, via_backup)), action
        assert not allows(deploy, Request(action, key)), action


def test_aws_backups_service_role_policies_attach_to_the_backup_role_only():
    deploy, _ = role_statements("222222222222")
    policy = {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"}
    backup_role = "arn:aws:iam::222222222222:role/webstack/backup-role-abc1234"
    assert allows(deploy, Request("iam:AttachRolePolicy", backup_role, policy))
    assert not allows(deploy, Request("iam:AttachRolePolicy", WEBSTACK_ROLE.format(a="222222222222"), policy))


@pytest.mark.parametrize(
    "bucket",
    ["bucket-uploads-s3-abc1234", "edge-access-logs-abc1234", "cdn-content-abc1234"],
)
def test_the_deploy_role_may_empty_a_removed_versioned_bucket_of_the_stack_and_no_other(bucket: str):
    """A dev bucket goes with forceDestroy: terraform-provider-aws internal/service/s3/delete.go
    emptyBucket lists every version (ListObjectVersions: s3:ListBucketVersions) and deletes each by
    version id (DeleteObjects with VersionId: s3:DeleteObjectVersion) before DeleteBucket."""
    deploy, _ = role_statements("111111111111")
    assert allows(deploy, Request("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}"))
    assert allows(deploy, Request("s3:DeleteObjectVersion", f"arn:aws:s3:::{bucket}/uploads/a.txt"))
    assert not allows(deploy, Request("s3:DeleteObjectVersion", "arn:aws:s3:::another-teams-bucket/a.txt"))
    assert not allows(deploy, Request("s3:ListBucketVersions", "arn:aws:s3:::another-teams-bucket"))
