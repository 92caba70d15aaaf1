"""The security rules webstack promises, as one definition (pure Python, no Pulumi imports).

Each rule looks at one resource the way both the test suite and a policy pack see it: its type token,
its input properties with camelCase keys, and its URN (whose type chain says which component owns
it). The tests run every rule over the resources of whole-stack mock runs; the policy pack runs the
same functions at preview time. Values that are not known yet (a preview's computed outputs) are
skipped rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .control_rules import CONTROL_RULES
from .rule import Rule, policy_statements
from .rule import as_list as _as_list

INTERNET_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
ADMIN_PORTS = (22, 3389)
"""SSH and RDP: never reachable, from anywhere."""
EDGE_COMPONENT = "webstack:components:Edge"
INTERNAL_EDGE_COMPONENT = "webstack:components:InternalEdge"
"""The load balancer behind API Gateway (``edge.kind: apigateway``): internal, admitting only the VPC link."""
WEB_PORTS = frozenset({80, 443})
TLS13_POLICY_PREFIX = "ELBSecurityPolicy-TLS13-"
TASK_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
"""AWS's managed policy for pulling images and writing logs."""
ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
"""AWS's policy for the RDS Enhanced Monitoring role: writes only to the ``RDSOSMetrics`` log group."""
ALLOWED_MANAGED_POLICIES = frozenset({TASK_EXECUTION_POLICY_ARN, ENHANCED_MONITORING_POLICY_ARN})
"""The only AWS managed policies webstack attaches (narrow service roles); anything broader
(``*FullAccess``) is refused."""
CLUSTER_COMPONENT = "webstack:components:Cluster"
INSTANCE_POLICIES = frozenset(
    {
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    }
)
"""The ECS agent's and Session Manager's policies: allowed only on the cluster's container instances."""
BACKUP_COMPONENT = "webstack:components:Backup"
BACKUP_POLICIES = frozenset(
    {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
    }
)
"""AWS Backup's service-role policies (AWS Backup ``iam-service-roles.html``, ``s3-backups.html``): allowed
only on the Backup component's role, which only backup.amazonaws.com of this account assumes."""
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SCHEDULE = "aws:scheduler/schedule:Schedule"


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, from any of the ways AWS lets you write one."""

    protocol: str
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]

    def covers(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return self.from_port <= port <= self.to_port

    @property
    def from_internet(self) -> bool:
        return bool(INTERNET_CIDRS.intersection(self.cidrs))


def _port(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _permission(rule: Mapping[str, Any], protocol_key: str, cidrs: list[Any]) -> Ingress:
    blocks = tuple(c for c in cidrs if isinstance(c, str))
    return Ingress(
        str(rule.get(protocol_key, "")), _port(rule.get("fromPort")), _port(rule.get("toPort")), blocks
    )


def ingress_permissions(resource_type: str, props: Mapping[str, Any]) -> list[Ingress]:
    """Every ingress permission a resource grants (inline group rules, rule resources)."""
    if resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        return [_permission(props, "ipProtocol", [props.get("cidrIpv4"), props.get("cidrIpv6")])]
    if resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        if props.get("type") != "ingress":
            return []
        return [
            _permission(
                props, "protocol", (props.get("cidrBlocks") or []) + (props.get("ipv6CidrBlocks") or [])
            )
        ]
    if resource_type in (
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    ):
        return [
            _permission(rule, "protocol", (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or []))
            for rule in props.get("ingress") or []
        ]
    return []


def owned_by(urn: str, component_type: str) -> bool:
    """Whether a resource sits (directly or deeper) inside a component of this type."""
    parts = urn.split("::")
    return len(parts) >= 3 and component_type in parts[2].split("$")[:-1]


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


# --- The rules --------------------------------------------------------------------------------------


def _internet_ingress(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    for permission in ingress_permissions(resource_type, props):
        if not permission.from_internet:
            continue
        web_only = permission.protocol == "tcp" and permission.from_port == permission.to_port in WEB_PORTS
        if not (web_only and owned_by(urn, EDGE_COMPONENT)):
            ports = f"{permission.protocol} {permission.from_port}-{permission.to_port}"
            problems.append(
                f"ingress from the internet on {ports}: only the edge load balancer's group may admit the "
                "internet, and only on 80 and 443"
            )
    return problems


def _admin_ports(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    return [
        f"ingress opens admin port {port} ({permission.protocol} {permission.from_port}-{permission.to_port})"
        for permission in ingress_permissions(resource_type, props)
        for port in ADMIN_PORTS
        if permission.covers(port)
    ]


def _subnet_public_ip(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("mapPublicIpOnLaunch") is True:
        return ["subnet maps public IPs on launch; nothing here needs one"]
    return []


def _ecs_public_ip(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if resource_type == SCHEDULE:
        target = props.get("target") or {}
        ecs = target.get("ecsParameters") if isinstance(target, Mapping) else None
        network = (ecs.get("networkConfiguration") if isinstance(ecs, Mapping) else None) or {}
        if isinstance(network, Mapping) and network.get("assignPublicIp") is True:
            return ["schedule starts tasks with public IPs; scheduled tasks run in private subnets"]
        return []
    network = props.get("networkConfiguration") or {}
    if isinstance(network, Mapping) and network.get("assignPublicIp") is True:
        return ["ECS service assigns public IPs to tasks; tasks run in private subnets behind the edge"]
    return []


def _queue_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("sqsManagedSseEnabled") is True or props.get("kmsMasterKeyId"):
        return []
    return ["SQS queue is not encrypted at rest; set sqsManagedSseEnabled or kmsMasterKeyId"]


def _listener_tls(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("protocol") != "HTTPS":
        return []
    policy = props.get("sslPolicy")
    if isinstance(policy, str) and policy.startswith(TLS13_POLICY_PREFIX):
        return []
    return [f"HTTPS listener uses TLS policy {policy!r}; use a TLS 1.3 policy ({TLS13_POLICY_PREFIX}...)"]


def _http_redirects(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("protocol") != "HTTP":
        return []
    if owned_by(urn, INTERNAL_EDGE_COMPONENT):
        # Behind API Gateway, which terminates TLS: the hop from the VPC link to this listener stays in
        # the VPC, and the rules below keep that load balancer internal and its group closed to the
        # internet (no-internet-ingress-except-edge-web exempts the internet-facing Edge only).
        return []
    actions = props.get("defaultActions") or []
    redirects = [
        action
        for action in actions
        if action.get("type") == "redirect" and (action.get("redirect") or {}).get("protocol") == "HTTPS"
    ]
    if actions and len(redirects) == len(actions):
        return []
    return ["HTTP listener does more than redirect to HTTPS"]


def _drop_invalid_headers(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("loadBalancerType", "application") != "application":
        return []
    if props.get("dropInvalidHeaderFields") is True:
        return []
    return ["application load balancer does not drop invalid header fields"]


def _internal_edge_internal(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if owned_by(urn, INTERNAL_EDGE_COMPONENT) and props.get("internal") is not True:
        return [
            "the load balancer behind API Gateway is internet-facing; it must be internal (internal: true)"
        ]
    return []


def _stage_throttled_and_logged(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    settings = [("the stage", props.get("defaultRouteSettings"))] + [
        (f"route {item.get('routeKey')}", item) for item in props.get("routeSettings") or []
    ]
    for where, setting in settings:
        values = [
            (setting or {}).get(key) if isinstance(setting, Mapping) else None
            for key in ("throttlingBurstLimit", "throttlingRateLimit")
        ]
        if not all(isinstance(value, int | float) and value > 0 for value in values):
            problems.append(
                f"{where} does not set both throttlingBurstLimit and throttlingRateLimit above 0; an unset "
                "or zero limit answers every request with 429, and no limit leaves the API unthrottled"
            )
    logs = props.get("accessLogSettings") or {}
    if not (isinstance(logs, Mapping) and logs.get("destinationArn") and logs.get("format")):
        problems.append("stage writes no access logs; set accessLogSettings (destinationArn and format)")
    return problems


def _ecr_hardened(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    scanning = props.get("imageScanningConfiguration") or {}
    if not (isinstance(scanning, Mapping) and scanning.get("scanOnPush") is True):
        problems.append("ECR repository does not scan images on push")
    if props.get("imageTagMutability") != "IMMUTABLE":
        problems.append("ECR repository tags are mutable; use IMMUTABLE")
    return problems


def _log_retention(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    days = props.get("retentionInDays")
    if isinstance(days, int | float) and days > 0:
        return []
    return ["log group keeps logs forever; set retentionInDays"]


def _iam_wildcards(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    for statement in policy_statements(props.get("policy")):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a for a in _as_list(statement.get("Action")) if is_wildcard_action(a)]
        if actions and "*" in _as_list(statement.get("Resource")):
            problems.append(f"IAM policy allows wildcard actions {actions} on every resource")
    return problems


def _managed_policies(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    arns = _as_list(props.get("policyArn")) + _as_list(props.get("managedPolicyArns"))
    allowed = (
        ALLOWED_MANAGED_POLICIES
        | (INSTANCE_POLICIES if owned_by(urn, CLUSTER_COMPONENT) else set())
        | (BACKUP_POLICIES if owned_by(urn, BACKUP_COMPONENT) else set())
    )
    return [
        f"attaches managed policy {arn}; only {sorted(allowed)} may be attached here"
        for arn in arns
        # Customer-managed policies (arn:aws:iam::<account>:policy/...) are judged by their content
        # (the wildcard rule covers aws:iam/policy:Policy); AWS-managed ones only from the lists.
        if ":iam::aws:policy/" in str(arn) and arn not in allowed
    ]


def _instances_hardened(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    metadata = props.get("metadataOptions") or {}
    if not isinstance(metadata, Mapping) or metadata.get("httpTokens") != "required":
        problems.append("launch template does not require IMDSv2 (metadataOptions.httpTokens: required)")
    elif _port(metadata.get("httpPutResponseHopLimit")) != 1:
        problems.append("launch template lets containers reach IMDS (httpPutResponseHopLimit must be 1)")
    if props.get("keyName"):
        problems.append("launch template installs an SSH key pair; use Session Manager instead")
    interfaces = props.get("networkInterfaces") or []
    if not interfaces or any(
        str(interface.get("associatePublicIpAddress")).lower() != "false" for interface in interfaces
    ):
        problems.append("launch template does not set associatePublicIpAddress: false on every interface")
    return problems


def _volumes_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    mappings = props.get("blockDeviceMappings") or []
    if not mappings:
        return ["launch template leaves the root volume to the AMI's (unencrypted) default"]
    return [
        f"volume {mapping.get('deviceName')} is not encrypted with a customer-managed key"
        for mapping in mappings
        if str((mapping.get("ebs") or {}).get("encrypted")).lower() != "true"
        or not (mapping.get("ebs") or {}).get("kmsKeyId")
    ]


def _database_private_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if props.get("publiclyAccessible") is True:
        problems.append("RDS instance is publicly accessible; databases live in the isolated tier only")
    if props.get("storageEncrypted") is not True:
        problems.append("RDS instance storage is not encrypted")
    if props.get("storageEncrypted") is True and not props.get("kmsKeyId"):
        problems.append("RDS instance storage uses the AWS managed key; encrypt with a customer-managed key")
    return problems


def _cache_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if props.get("transitEncryptionEnabled") is not True:
        problems.append("ElastiCache replication group does not require TLS in transit")
    if props.get("atRestEncryptionEnabled") is not True:
        problems.append("ElastiCache replication group is not encrypted at rest")
    return problems


SECURITY_GROUP_TYPES = frozenset(
    {
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    }
)

_OWN_RULES: tuple[Rule, ...] = (
    Rule(
        "no-internet-ingress-except-edge-web",
        "No security group admits 0.0.0.0/0 or ::/0, except the edge load balancer's on 80 and 443.",
        SECURITY_GROUP_TYPES,
        _internet_ingress,
        controls=("EC2.18", "EC2.19"),
    ),
    Rule(
        "no-admin-ports",
        "No ingress rule opens 22 (SSH) or 3389 (RDP).",
        SECURITY_GROUP_TYPES,
        _admin_ports,
        controls=("EC2.53", "EC2.54"),
    ),
    Rule(
        "subnets-no-public-ip-on-launch",
        "Subnets never map public IPs on launch.",
        frozenset({"aws:ec2/subnet:Subnet"}),
        _subnet_public_ip,
        controls=("EC2.15",),
    ),
    Rule(
        "ecs-services-no-public-ip",
        "ECS services and scheduled tasks never assign public IPs.",
        frozenset({"aws:ecs/service:Service", SCHEDULE}),
        _ecs_public_ip,
        controls=("ECS.2",),
    ),
    Rule(
        "sqs-queues-encrypted",
        "SQS queues are encrypted at rest.",
        frozenset({"aws:sqs/queue:Queue"}),
        _queue_encrypted,
        controls=("SQS.1",),
    ),
    Rule(
        "https-listeners-tls13",
        "HTTPS listeners use a TLS 1.3 security policy.",
        frozenset({"aws:lb/listener:Listener"}),
        _listener_tls,
    ),
    Rule(
        "http-listeners-only-redirect",
        "HTTP listeners only redirect to HTTPS, except on the internal load balancer behind API Gateway.",
        frozenset({"aws:lb/listener:Listener"}),
        _http_redirects,
        controls=("ELB.1",),
    ),
    Rule(
        "internal-edge-stays-internal",
        "The load balancer behind API Gateway is internal (its plain-HTTP listener relies on it).",
        frozenset({"aws:lb/loadBalancer:LoadBalancer"}),
        _internal_edge_internal,
    ),
    Rule(
        "api-stages-throttled-and-logged",
        "API Gateway HTTP API stages throttle (burst and rate, stage-wide and per route) and log access.",
        frozenset({"aws:apigatewayv2/stage:Stage"}),
        _stage_throttled_and_logged,
        controls=("APIGateway.9",),
    ),
    Rule(
        "alb-drops-invalid-headers",
        "Application load balancers drop invalid header fields.",
        frozenset({"aws:lb/loadBalancer:LoadBalancer"}),
        _drop_invalid_headers,
        controls=("ELB.4",),
    ),
    Rule(
        "ecr-scan-on-push-immutable",
        "ECR repositories scan on push and have immutable tags.",
        frozenset({"aws:ecr/repository:Repository"}),
        _ecr_hardened,
        controls=("ECR.1", "ECR.2"),
    ),
    Rule(
        "log-groups-have-retention",
        "CloudWatch log groups have a retention period.",
        frozenset({"aws:cloudwatch/logGroup:LogGroup"}),
        _log_retention,
    ),
    Rule(
        "no-iam-wildcard-actions-on-all-resources",
        "No IAM policy allows wildcard actions on wildcard resources.",
        frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"}),
        _iam_wildcards,
        controls=("IAM.1",),
    ),
    Rule(
        "ec2-instances-imdsv2-private-no-ssh",
        "Launch templates require IMDSv2 with hop limit 1, assign no public IP and install no SSH key.",
        frozenset({LAUNCH_TEMPLATE}),
        _instances_hardened,
        controls=("EC2.8", "EC2.9", "EC2.25", "EC2.170", "AutoScaling.3", "AutoScaling.4", "AutoScaling.5"),
    ),
    Rule(
        "ec2-volumes-encrypted",
        "Launch templates encrypt every volume with a customer-managed key.",
        frozenset({LAUNCH_TEMPLATE}),
        _volumes_encrypted,
        controls=("EC2.3",),
    ),
    Rule(
        "no-broad-managed-policies",
        "Roles get no AWS managed policy but the narrow service-role ones (ECS task execution, RDS "
        "monitoring), on the cluster's container instances the ECS instance and SSM core policies, and on "
        "the backup role AWS Backup's service-role policies.",
        frozenset({"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/role:Role"}),
        _managed_policies,
    ),
    Rule(
        "databases-private-and-encrypted",
        "RDS instances are never publicly accessible and encrypt storage with a customer-managed key.",
        frozenset({"aws:rds/instance:Instance"}),
        _database_private_encrypted,
        controls=("RDS.2", "RDS.3"),
    ),
    Rule(
        "caches-encrypted-in-transit-and-at-rest",
        "ElastiCache replication groups require TLS and encrypt at rest.",
        frozenset({"aws:elasticache/replicationGroup:ReplicationGroup"}),
        _cache_encrypted,
        controls=("ElastiCache.4", "ElastiCache.5"),
    ),
)

RULES: tuple[Rule, ...] = (*_OWN_RULES, *CONTROL_RULES)
"""Every rule: webstack's own first, then those added for FSBP controls (:mod:`.control_rules`)."""


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    message: str


def check_resource(resource_type: str, props: Mapping[str, Any], urn: str) -> list[Violation]:
    """Every rule's verdict on one resource."""
    return [
        Violation(rule.name, urn, message)
        for rule in RULES
        if resource_type in rule.resource_types
        for message in rule.check(resource_type, props, urn)
    ]
