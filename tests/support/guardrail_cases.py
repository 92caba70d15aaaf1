"""Resources that keep and break each guardrail: one set of cases for the rules and the policy pack.

Pure data (no Pulumi imports), so the policy pack's own environment can import it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.support.control_cases import fsbp_cases

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EDGE_URN = f"urn:pulumi:prod::webstack::webstack:components:Edge${INGRESS}::edge-in-443"
SERVICE_URN = f"urn:pulumi:prod::webstack::webstack:components:Service${INGRESS}::api-in"
PLAIN_URN = "urn:pulumi:prod::webstack::aws:ec2/thing:Thing::thing"


@dataclass(frozen=True)
class Case:
    """A resource as a rule sees it, and the names of the rules it breaks."""

    id: str
    resource_type: str
    props: dict[str, Any]
    broken: frozenset[str]
    urn: str = PLAIN_URN


def _ingress(
    port_from: int, port_to: int | None = None, cidr: str = "0.0.0.0/0", protocol: str = "tcp"
) -> dict:
    return {"ipProtocol": protocol, "fromPort": port_from, "toPort": port_to or port_from, "cidrIpv4": cidr}


def _policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def _case(id: str, resource_type: str, props: dict[str, Any], *broken: str, urn: str = PLAIN_URN) -> Case:
    return Case(id, resource_type, props, frozenset(broken), urn)


OPEN = "no-internet-ingress-except-edge-web"
ADMIN = "no-admin-ports"
SG = "aws:ec2/securityGroup:SecurityGroup"
LISTENER = "aws:lb/listener:Listener"
ECR = "aws:ecr/repository:Repository"
RDS = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
DB_RULE = "databases-private-and-encrypted"
CACHE_RULE = "caches-encrypted-in-transit-and-at-rest"
OPERATED_DB = {
    "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
    "engine": "postgres",
    "iamDatabaseAuthenticationEnabled": True,
    "backupRetentionPeriod": 14,
    "copyTagsToSnapshot": True,
    "dbSubnetGroupName": "db-main-subnets",
    "username": "webstack_admin",
}
PRIVATE_DB = {"publiclyAccessible": False, "storageEncrypted": True, **OPERATED_DB}
KEY_ARN = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REDIRECT = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}

ALB = "aws:lb/loadBalancer:LoadBalancer"
TWO_ZONES = {"subnets": ["public-a", "public-b"]}
RESILIENT_CACHE = {"snapshotRetentionLimit": 7, "subnetGroupName": "cache-main-subnets"}
STAGE = "aws:apigatewayv2/stage:Stage"
INTERNAL_EDGE_URN = "urn:pulumi:prod::webstack::webstack:components:InternalEdge${type}::{name}"
THROTTLED_STAGE = {
    "name": "$default",
    "defaultRouteSettings": {"throttlingBurstLimit": 500.0, "throttlingRateLimit": 1000.0},
    "routeSettings": [{"routeKey": "$default", "throttlingBurstLimit": 100.0, "throttlingRateLimit": 50.0}],
    "accessLogSettings": {
        "destinationArn": "arn:aws:logs:eu-west-1:222222222222:log-group:x",
        "format": "{}",
    },
}

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
CLUSTER_URN = f"urn:pulumi:prod::webstack::webstack:components:Cluster${ATTACHMENT}::cluster-instance-ecs"
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
INSTANCES = "ec2-instances-imdsv2-private-no-ssh"
VOLUMES = "ec2-volumes-encrypted"
HARDENED_TEMPLATE = {
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0, "httpEndpoint": "enabled"},
    "networkInterfaces": [{"deviceIndex": 0.0, "associatePublicIpAddress": "false"}],
    "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}],
}


def _template(**changes: Any) -> dict[str, Any]:
    return {**HARDENED_TEMPLATE, **changes}


DECRYPT_ALL = "no-iam-decrypt-on-all-keys"
FSBP_CASES = fsbp_cases(_case, KEY_ARN)
"""The cases of the rules added for Security Hub's FSBP controls (tests/support/control_cases.py)."""

CASES: tuple[Case, ...] = (
    _case("hardened launch template", LAUNCH_TEMPLATE, _template()),
    _case(
        "launch template with IMDSv1",
        LAUNCH_TEMPLATE,
        _template(metadataOptions={"httpTokens": "optional"}),
        INSTANCES,
    ),
    _case(
        "launch template with hop limit 2",
        LAUNCH_TEMPLATE,
        _template(metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 2.0}),
        INSTANCES,
    ),
    _case("launch template with a key pair", LAUNCH_TEMPLATE, _template(keyName="ops"), INSTANCES),
    _case(
        "launch template with a public ip",
        LAUNCH_TEMPLATE,
        _template(networkInterfaces=[{"associatePublicIpAddress": "true"}]),
        INSTANCES,
    ),
    _case(
        "launch template with an unencrypted volume",
        LAUNCH_TEMPLATE,
        _template(blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]),
        VOLUMES,
    ),
    _case(
        "launch template under the aws managed ebs key",
        LAUNCH_TEMPLATE,
        _template(blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]),
        VOLUMES,
    ),
    _case(
        "cluster instance role with the ecs instance policy",
        ATTACHMENT,
        {"policyArn": ECS_INSTANCE_POLICY},
        urn=CLUSTER_URN,
    ),
    _case(
        "service role with the ecs instance policy",
        ATTACHMENT,
        {"policyArn": ECS_INSTANCE_POLICY},
        "no-broad-managed-policies",
        urn=SERVICE_URN.replace(INGRESS, ATTACHMENT),
    ),
    _case("edge https from internet", INGRESS, _ingress(443), urn=EDGE_URN),
    _case("edge http from internet", INGRESS, _ingress(80), urn=EDGE_URN),
    _case(
        "edge https from ipv6 internet",
        INGRESS,
        {**_ingress(443), "cidrIpv4": None, "cidrIpv6": "::/0"},
        urn=EDGE_URN,
    ),
    _case("edge other port from internet", INGRESS, _ingress(8080), OPEN, urn=EDGE_URN),
    _case("edge port range from internet", INGRESS, _ingress(80, 443), OPEN, urn=EDGE_URN),
    _case("service https from internet", INGRESS, _ingress(443), OPEN, urn=SERVICE_URN),
    _case(
        "service from the ipv6 internet",
        INGRESS,
        {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrIpv6": "::/0"},
        OPEN,
        urn=SERVICE_URN,
    ),
    _case("ssh from the vpc", INGRESS, _ingress(22, cidr="10.0.0.0/8"), ADMIN, urn=SERVICE_URN),
    _case("range covering rdp", INGRESS, _ingress(3000, 4000, cidr="10.0.0.0/8"), ADMIN, urn=SERVICE_URN),
    _case("all protocols", INGRESS, _ingress(0, 0, cidr="10.0.0.0/8", protocol="-1"), ADMIN, urn=SERVICE_URN),
    # Terraform and the provider also accept "all" for every protocol (normalised to -1).
    _case(
        "all protocols by name",
        INGRESS,
        _ingress(0, 0, cidr="10.0.0.0/8", protocol="all"),
        ADMIN,
        urn=SERVICE_URN,
    ),
    _case("ssh from internet on the edge", INGRESS, _ingress(22), ADMIN, OPEN, urn=EDGE_URN),
    _case(
        "service from the edge group",
        INGRESS,
        {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "referencedSecurityGroupId": "sg-edge"},
        urn=SERVICE_URN,
    ),
    _case(
        "inline rdp from internet",
        SG,
        {"ingress": [{"protocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrBlocks": ["0.0.0.0/0"]}]},
        ADMIN,
        OPEN,
    ),
    _case(
        "inline all protocols from the vpc",
        SG,
        {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}]},
        ADMIN,
    ),
    _case(
        "legacy rule for all protocols from the vpc",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]},
        ADMIN,
    ),
    _case(
        "empty default group",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        {"ingress": [], "egress": []},
    ),
    _case(
        "legacy rule with database port open",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "ingress", "protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["0.0.0.0/0"]},
        OPEN,
    ),
    _case(
        "private scheduled task",
        "aws:scheduler/schedule:Schedule",
        {"target": {"ecsParameters": {"networkConfiguration": {"assignPublicIp": False}}}},
    ),
    _case(
        "scheduled task with a public ip",
        "aws:scheduler/schedule:Schedule",
        {"target": {"ecsParameters": {"networkConfiguration": {"assignPublicIp": True}}}},
        "ecs-services-no-public-ip",
    ),
    _case("queue with SSE-SQS", "aws:sqs/queue:Queue", {"sqsManagedSseEnabled": True}),
    _case("queue with a CMK", "aws:sqs/queue:Queue", {"kmsMasterKeyId": "arn:aws:kms:eu-west-1:1:key/k"}),
    _case("unencrypted queue", "aws:sqs/queue:Queue", {}, "sqs-queues-encrypted"),
    _case("private subnet", "aws:ec2/subnet:Subnet", {"mapPublicIpOnLaunch": False}),
    _case(
        "public-ip subnet",
        "aws:ec2/subnet:Subnet",
        {"mapPublicIpOnLaunch": True},
        "subnets-no-public-ip-on-launch",
    ),
    _case("private tasks", "aws:ecs/service:Service", {"networkConfiguration": {"assignPublicIp": False}}),
    _case(
        "public-ip tasks",
        "aws:ecs/service:Service",
        {"networkConfiguration": {"assignPublicIp": True}},
        "ecs-services-no-public-ip",
    ),
    _case(
        "tls13 listener", LISTENER, {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
    ),
    _case(
        "tls12 listener",
        LISTENER,
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"},
        "https-listeners-tls13",
    ),
    _case("redirecting http listener", LISTENER, {"protocol": "HTTP", "defaultActions": [REDIRECT]}),
    _case(
        "forwarding http listener",
        LISTENER,
        {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": "arn"}]},
        "http-listeners-only-redirect",
    ),
    _case(
        "forwarding http listener on the internal edge behind API Gateway",
        LISTENER,
        {"protocol": "HTTP", "defaultActions": [{"type": "fixed-response"}]},
        urn=INTERNAL_EDGE_URN.format(type=LISTENER, name="edge-http"),
    ),
    _case(
        "forwarding http listener on the internet-facing edge",
        LISTENER,
        {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": "arn"}]},
        "http-listeners-only-redirect",
        urn=f"urn:pulumi:prod::webstack::webstack:components:Edge${LISTENER}::edge-http",
    ),
    _case(
        "internal load balancer of the internal edge",
        ALB,
        {"loadBalancerType": "application", "dropInvalidHeaderFields": True, "internal": True, **TWO_ZONES},
        urn=INTERNAL_EDGE_URN.format(type=ALB, name="edge-alb"),
    ),
    _case(
        "internet-facing load balancer in the internal edge",
        ALB,
        {"loadBalancerType": "application", "dropInvalidHeaderFields": True, "internal": False, **TWO_ZONES},
        "internal-edge-stays-internal",
        urn=INTERNAL_EDGE_URN.format(type=ALB, name="edge-alb"),
    ),
    _case(
        "internet ingress to the internal edge's group",
        INGRESS,
        _ingress(80),
        OPEN,
        urn=INTERNAL_EDGE_URN.format(type=INGRESS, name="edge-in-80"),
    ),
    _case("throttled and logged stage", STAGE, THROTTLED_STAGE),
    _case(
        "stage with a route setting missing its rate limit",
        STAGE,
        {**THROTTLED_STAGE, "routeSettings": [{"routeKey": "$default", "throttlingBurstLimit": 100}]},
        "api-stages-throttled-and-logged",
    ),
    _case(
        "stage without access logs",
        STAGE,
        {key: value for key, value in THROTTLED_STAGE.items() if key != "accessLogSettings"},
        "api-stages-throttled-and-logged",
    ),
    _case(
        "strict alb",
        "aws:lb/loadBalancer:LoadBalancer",
        {"loadBalancerType": "application", "dropInvalidHeaderFields": True, **TWO_ZONES},
    ),
    _case(
        "lax alb",
        "aws:lb/loadBalancer:LoadBalancer",
        {"loadBalancerType": "application", **TWO_ZONES},
        "alb-drops-invalid-headers",
    ),
    # Header validation is an ALB setting; a network load balancer has no such field.
    _case(
        "network load balancer",
        "aws:lb/loadBalancer:LoadBalancer",
        {"loadBalancerType": "network", **TWO_ZONES},
    ),
    _case(
        "hardened repository",
        ECR,
        {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"},
    ),
    _case(
        "mutable repository",
        ECR,
        {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "MUTABLE"},
        "ecr-scan-on-push-immutable",
    ),
    _case("unscanned repository", ECR, {"imageTagMutability": "IMMUTABLE"}, "ecr-scan-on-push-immutable"),
    _case("log group with retention", "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 14}),
    _case("log group kept forever", "aws:cloudwatch/logGroup:LogGroup", {}, "log-groups-have-retention"),
    _case(
        "exact actions on all resources",
        "aws:iam/rolePolicy:RolePolicy",
        _policy({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}),
    ),
    _case(
        "service wildcard on all resources",
        "aws:iam/rolePolicy:RolePolicy",
        _policy({"Effect": "Allow", "Action": "s3:*", "Resource": ["*"]}),
        "no-iam-wildcard-actions-on-all-resources",
    ),
    _case(
        "deny everything",
        "aws:iam/policy:Policy",
        _policy({"Effect": "Deny", "Action": "*", "Resource": "*"}),
    ),
    _case(
        "allow everything",
        "aws:iam/policy:Policy",
        _policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        "no-iam-wildcard-actions-on-all-resources",
        DECRYPT_ALL,
    ),
    _case(
        "task execution policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
    ),
    _case(
        "customer-managed policy (judged by its content)",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"policyArn": "arn:aws:iam::222222222222:policy/webstack-delivery/deploy-actions-1"},
    ),
    _case(
        "full access policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
        "no-broad-managed-policies",
    ),
    _case("role without managed policies", "aws:iam/role:Role", {"assumeRolePolicy": "{}"}),
    _case(
        "role with a broad managed policy",
        "aws:iam/role:Role",
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"]},
        "no-broad-managed-policies",
    ),
    _case("policy unknown at preview", "aws:iam/rolePolicy:RolePolicy", {"policy": None}),
    _case("policy that is not json", "aws:iam/rolePolicy:RolePolicy", {"policy": "not json"}),
    _case(
        "enhanced monitoring role policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"},
    ),
    _case("private database under its own key", RDS, {**PRIVATE_DB, "kmsKeyId": KEY_ARN}),
    _case("public database", RDS, {**PRIVATE_DB, "kmsKeyId": KEY_ARN, "publiclyAccessible": True}, DB_RULE),
    _case("unencrypted database", RDS, {**PRIVATE_DB, "storageEncrypted": False}, DB_RULE),
    _case("database under the aws managed key", RDS, PRIVATE_DB, DB_RULE),
    _case(
        "cache encrypted both ways",
        CACHE,
        {"transitEncryptionEnabled": True, "atRestEncryptionEnabled": True, **RESILIENT_CACHE},
    ),
    _case(
        "cache without tls",
        CACHE,
        {"transitEncryptionEnabled": False, "atRestEncryptionEnabled": True, **RESILIENT_CACHE},
        CACHE_RULE,
    ),
    _case(
        "cache unencrypted at rest", CACHE, {"transitEncryptionEnabled": True, **RESILIENT_CACHE}, CACHE_RULE
    ),
    *FSBP_CASES,
)
