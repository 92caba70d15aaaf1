"""The guardrail rules added for AWS Security Hub's Foundational Security Best Practices (FSBP) controls
(pure Python, no Pulumi imports). Each rule names the control IDs it enforces; the control map
(:mod:`.controls`) lists every applicable control with its rule or its exception, and
``components/pure/guardrails.py`` runs these rules with its own. Control semantics: AWS Security Hub
user guide, "Security Hub controls reference" (one page per service, e.g. ecs-controls.html#ecs-5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .rule import Check, Rule, as_list, policy_statements

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")
"""The environment variables ECS.8 looks for (ecs-controls.html#ecs-8)."""
DESYNC_MODES = frozenset({"defensive", "strictest"})
"""ELB.12's passing desync mitigation modes; unset means AWS's default, defensive."""
DECRYPT_ACTIONS = frozenset({"*", "kms:*", "kms:Decrypt", "kms:ReEncryptFrom"})
"""What KMS.1/KMS.2 look for on ``"Resource": "*"`` (kms-controls.html#kms-1)."""
BUCKET_ADMIN_ACTIONS = frozenset(
    {
        "s3:*",
        "*",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutBucketPolicy",
        "s3:PutEncryptionConfiguration",
        "s3:PutObjectAcl",
    }
)
"""The actions S3.6 refuses to grant to other accounts (s3-controls.html#s3-6)."""
DEFAULT_ADMIN_NAMES = frozenset({"postgres", "admin", "root", "master", "sa"})
"""Engine default administrator names RDS.25 flags."""
STRONG_CERTIFICATE_KEYS = frozenset(
    {"RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}
)
"""ACM key algorithms ACM.2 accepts (RSA of 2,048 bits or more; ECDSA keys pass)."""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    definitions = props.get("containerDefinitions")
    if isinstance(definitions, str):
        try:
            definitions = json.loads(definitions)
        except ValueError:
            return []
    return [c for c in definitions or [] if isinstance(c, Mapping)] if isinstance(definitions, list) else []


def _task_definition(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if props.get("networkMode") == "host":
        problems.append("task definition uses the host network mode; use awsvpc")
    if props.get("pidMode") == "host":
        problems.append("task definition shares the host's process namespace (pidMode: host)")
    for container in _containers(props):
        name = container.get("name")
        if container.get("privileged") is True:
            problems.append(f"container {name} runs privileged")
        if container.get("readonlyRootFilesystem") is not True:
            problems.append(f"container {name} can write its root filesystem (readonlyRootFilesystem)")
        variables = {str(v.get("name")) for v in container.get("environment") or [] if isinstance(v, Mapping)}
        for variable in sorted(variables.intersection(CREDENTIAL_VARIABLES)):
            problems.append(f"container {name} passes {variable} as a plain variable; use secrets")
        if not _mapping(container.get("logConfiguration")).get("logDriver"):
            problems.append(f"container {name} has no logConfiguration")
    return problems


def _container_insights(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    settings = {s.get("name"): s.get("value") for s in props.get("settings") or [] if isinstance(s, Mapping)}
    if settings.get("containerInsights") in ("enabled", "enhanced"):
        return []
    return ["ECS cluster does not turn on Container Insights (settings containerInsights)"]


def _latest_platform(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    version = props.get("platformVersion")
    if version in (None, "LATEST"):
        return []
    return [f"ECS service pins Fargate platform version {version!r}; use LATEST"]


def _load_balancer_zones(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    mode = props.get("desyncMitigationMode")
    if (
        mode is not None
        and mode not in DESYNC_MODES
        and props.get("loadBalancerType", "application") == "application"
    ):
        problems.append(f"load balancer desync mitigation mode is {mode!r}; use defensive or strictest")
    zones = as_list(props.get("subnets")) or [m for m in props.get("subnetMappings") or [] if m]
    if len(zones) < 2:
        problems.append("load balancer spans fewer than two subnets (availability zones)")
    return problems


def _decrypt_on_all_keys(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    return [
        f"IAM policy allows {sorted(DECRYPT_ACTIONS.intersection(as_list(s.get('Action'))))} on every KMS key"
        for s in policy_statements(props.get("policy"))
        if s.get("Effect") == "Allow"
        and DECRYPT_ACTIONS.intersection(as_list(s.get("Action")))
        and "*" in as_list(s.get("Resource"))
    ]


def _service_wildcards(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    return [
        f"customer managed policy allows every action of a service ({action})"
        for s in policy_statements(props.get("policy"))
        if s.get("Effect") == "Allow"
        for action in as_list(s.get("Action"))
        if action.endswith(":*")
    ]


def _topic_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    return [] if props.get("kmsMasterKeyId") else ["SNS topic is not encrypted with KMS (kmsMasterKeyId)"]


def _public_access_blocked(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    off = [flag for flag in flags if props.get(flag) is not True]
    return [f"bucket public access block leaves {off} off"] if off else []


def _owner_enforced(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    ownership = _mapping(props.get("rule")).get("objectOwnership")
    if ownership == "BucketOwnerEnforced":
        return []
    return [f"bucket object ownership is {ownership!r}; use BucketOwnerEnforced (no ACLs)"]


def _principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return [p for values in _mapping(principal).values() for p in as_list(values)]


def _bucket_policy(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    statements = list(policy_statements(props.get("policy")))
    problems = []
    tls_only = any(
        s.get("Effect") == "Deny"
        and as_list(_mapping(_mapping(s.get("Condition")).get("Bool")).get("aws:SecureTransport"))
        == ["false"]
        for s in statements
    )
    if not tls_only:
        problems.append("bucket policy does not deny requests without TLS (aws:SecureTransport false)")
    for s in (s for s in statements if s.get("Effect") == "Allow"):
        if "*" in _principals(s):
            problems.append(f"bucket policy statement {s.get('Sid')} allows anyone (Principal *)")
        aws_principals = as_list(_mapping(s.get("Principal")).get("AWS"))
        if aws_principals and BUCKET_ADMIN_ACTIONS.intersection(as_list(s.get("Action"))):
            problems.append(
                f"bucket policy statement {s.get('Sid')} lets accounts change the bucket's access"
            )
    return problems


def _distribution(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if not props.get("defaultRootObject"):
        problems.append("distribution has no default root object")
    behaviors = [_mapping(props.get("defaultCacheBehavior"))] + [
        _mapping(b) for b in props.get("orderedCacheBehaviors") or []
    ]
    if any(b.get("viewerProtocolPolicy") not in ("redirect-to-https", "https-only") for b in behaviors):
        problems.append("a cache behavior lets viewers use plain HTTP (viewerProtocolPolicy allow-all)")
    certificate = _mapping(props.get("viewerCertificate"))
    if certificate.get("cloudfrontDefaultCertificate") is True or not (
        certificate.get("acmCertificateArn") or certificate.get("iamCertificateId")
    ):
        problems.append("distribution serves the default *.cloudfront.net certificate; use the host's")
    elif certificate.get("sslSupportMethod") != "sni-only":
        problems.append("distribution serves HTTPS without SNI (dedicated IP addresses)")
    for origin in (_mapping(o) for o in props.get("origins") or []):
        custom = _mapping(origin.get("customOriginConfig"))
        if custom:
            if custom.get("originProtocolPolicy") != "https-only":
                problems.append(f"origin {origin.get('originId')} is reached without TLS")
            if set(as_list(custom.get("originSslProtocols"))) - {"TLSv1.2"}:
                problems.append(f"origin {origin.get('originId')} allows SSL/TLS older than TLS 1.2")
        elif not origin.get("originAccessControlId"):
            problems.append(f"S3 origin {origin.get('originId')} has no origin access control")
    return problems


def _web_acl(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    rules = [_mapping(r) for r in props.get("rules") or []]
    if not rules:
        return ["web ACL has no rules"]
    return [
        f"web ACL rule {rule.get('name')} has CloudWatch metrics off"
        for rule in rules
        if _mapping(rule.get("visibilityConfig")).get("cloudwatchMetricsEnabled") is not True
    ]


def _certificate_key(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    algorithm = props.get("keyAlgorithm")
    if algorithm is None or algorithm in STRONG_CERTIFICATE_KEYS:
        return []
    return [f"certificate key algorithm {algorithm} is weaker than RSA 2048"]


def _cache_resilient(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    retention = props.get("snapshotRetentionLimit")
    if not (isinstance(retention, int | float) and retention > 0):
        problems.append("replication group keeps no automatic backups (snapshotRetentionLimit)")
    if props.get("autoMinorVersionUpgrade") is False:
        problems.append("replication group does not apply minor version upgrades")
    if not props.get("subnetGroupName"):
        problems.append("replication group uses the default subnet group")
    return problems


def _database_operated(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    checks = (
        (bool(props.get("enabledCloudwatchLogsExports")), "exports no logs to CloudWatch"),
        (props.get("iamDatabaseAuthenticationEnabled") is True, "does not accept IAM authentication"),
        ((props.get("backupRetentionPeriod") or 0) > 0, "keeps no automatic backups"),
        (props.get("autoMinorVersionUpgrade") is not False, "does not apply minor version upgrades"),
        (props.get("copyTagsToSnapshot") is True, "does not copy tags to snapshots"),
        (bool(props.get("dbSubnetGroupName")), "is not placed in a VPC subnet group"),
        (str(props.get("username", "")).lower() not in DEFAULT_ADMIN_NAMES, "uses a default admin name"),
    )
    problems = [f"RDS instance {message}" for ok, message in checks if not ok]
    exports = as_list(props.get("enabledCloudwatchLogsExports"))
    if props.get("engine") == "postgres" and exports and "postgresql" not in exports:
        problems.append("RDS for PostgreSQL instance does not publish its postgresql log")
    return problems


def _auto_scaling_group(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if len(as_list(props.get("vpcZoneIdentifiers")) or as_list(props.get("availabilityZones"))) < 2:
        problems.append("Auto Scaling group covers fewer than two availability zones")
    mixed = _mapping(props.get("mixedInstancesPolicy"))
    template = _mapping(mixed.get("launchTemplate"))
    if props.get("launchConfiguration") or not (props.get("launchTemplate") or template):
        problems.append("Auto Scaling group does not launch from a launch template")
    if len(template.get("overrides") or []) < 2:
        problems.append("Auto Scaling group uses a single instance type (mixedInstancesPolicy overrides)")
    return problems


def _default_group_closed(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("ingress") or props.get("egress"):
        return ["the VPC's default security group has rules; it must allow nothing"]
    return []


def _file_system_encrypted(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("encrypted") is True and props.get("kmsKeyId"):
        return []
    return ["EFS file system is not encrypted with a customer-managed KMS key (encrypted, kmsKeyId)"]


def _access_point_confined(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    if _mapping(props.get("rootDirectory")).get("path") in (None, "", "/"):
        problems.append("EFS access point does not confine clients to a root directory")
    if not _mapping(props.get("posixUser")):
        problems.append("EFS access point does not enforce a user identity (posixUser)")
    return problems


SUPPORTED_PYTHON_RUNTIMES = frozenset({"python3.11", "python3.12", "python3.13"})
"""Lambda.2's passing Python runtimes: those not deprecated in AWS Lambda's runtime table
(lambda-runtimes.html, "Supported runtimes", read 2026-12-06); webstack's functions use 3.12 or 3.13."""


def _function_supported_multi_az(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    problems = []
    runtime = props.get("runtime")
    if runtime not in SUPPORTED_PYTHON_RUNTIMES:
        problems.append(f"Lambda function runs {runtime!r}, not a supported runtime")
    subnets = as_list(_mapping(props.get("vpcConfig")).get("subnetIds"))
    if props.get("vpcConfig") is not None and len(subnets) < 2:
        problems.append("VPC Lambda function runs in fewer than two subnets (availability zones)")
    return problems


def _function_permission_private(resource_type: str, props: Mapping[str, Any], urn: str) -> list[str]:
    if props.get("principal") in ("*", None) and not props.get("sourceArn"):
        return ["Lambda permission lets anyone invoke the function (principal *, no sourceArn)"]
    return []


def _rule(name: str, description: str, types: set[str], check: Check, *controls: str) -> Rule:
    return Rule(name, description, frozenset(types), check, controls)


CONTROL_RULES: tuple[Rule, ...] = (
    _rule(
        "ecs-task-definitions-hardened",
        "Task definitions use no host network or PID namespace; containers are unprivileged, have read-only "
        "root filesystems, log, and pass no AWS credentials as plain variables.",
        {TASK_DEFINITION},
        _task_definition,
        *("ECS.1", "ECS.3", "ECS.4", "ECS.5", "ECS.8", "ECS.9"),
    ),
    _rule(
        "ecs-clusters-container-insights",
        "ECS clusters turn on Container Insights.",
        {"aws:ecs/cluster:Cluster"},
        _container_insights,
        "ECS.12",
    ),
    _rule(
        "ecs-services-latest-platform",
        "ECS services run on the latest Fargate platform version.",
        {"aws:ecs/service:Service"},
        _latest_platform,
        "ECS.10",
    ),
    _rule(
        "load-balancers-multi-az-desync-defensive",
        "Load balancers span at least two availability zones and mitigate HTTP desync (defensive or "
        "strictest).",
        {"aws:lb/loadBalancer:LoadBalancer"},
        _load_balancer_zones,
        *("ELB.12", "ELB.13"),
    ),
    _rule(
        "no-iam-decrypt-on-all-keys",
        "No IAM policy allows decryption with every KMS key.",
        {"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"},
        _decrypt_on_all_keys,
        *("KMS.1", "KMS.2"),
    ),
    _rule(
        "no-service-wildcards-in-managed-policies",
        "Customer managed policies allow no service-wide wildcard action (service:*).",
        {"aws:iam/policy:Policy"},
        _service_wildcards,
        "IAM.21",
    ),
    _rule(
        "sns-topics-encrypted",
        "SNS topics are encrypted with KMS.",
        {"aws:sns/topic:Topic"},
        _topic_encrypted,
        "SNS.1",
    ),
    _rule(
        "s3-public-access-blocked",
        "Every bucket blocks all four kinds of public access.",
        {"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"},
        _public_access_blocked,
        "S3.8",
    ),
    _rule(
        "s3-no-acls",
        "Buckets enforce bucket-owner object ownership (ACLs off).",
        {"aws:s3/bucketOwnershipControls:BucketOwnershipControls"},
        _owner_enforced,
        "S3.12",
    ),
    _rule(
        "s3-policies-tls-only-and-private",
        "Bucket policies deny requests without TLS, allow nobody anonymously and let no account change "
        "access.",
        {"aws:s3/bucketPolicy:BucketPolicy"},
        _bucket_policy,
        *("S3.2", "S3.3", "S3.5", "S3.6"),
    ),
    _rule(
        "cloudfront-distributions-hardened",
        "Distributions have a default root object, HTTPS for viewers with the host's certificate over SNI, "
        "origin access control on S3 origins and TLS 1.2 to custom origins.",
        {"aws:cloudfront/distribution:Distribution"},
        _distribution,
        *("CloudFront.1", "CloudFront.3", "CloudFront.7", "CloudFront.8", "CloudFront.9"),
        *("CloudFront.10", "CloudFront.13"),
    ),
    _rule(
        "waf-web-acls-have-rules-and-metrics",
        "Web ACLs have rules, each with CloudWatch metrics.",
        {"aws:wafv2/webAcl:WebAcl"},
        _web_acl,
        *("WAF.10", "WAF.12"),
    ),
    _rule(
        "acm-certificates-strong-keys",
        "Certificates use RSA keys of at least 2,048 bits or ECDSA keys.",
        {"aws:acm/certificate:Certificate"},
        _certificate_key,
        "ACM.2",
    ),
    _rule(
        "caches-backed-up-patched-own-subnets",
        "ElastiCache replication groups keep automatic backups, take minor upgrades and use their own "
        "subnet group.",
        {"aws:elasticache/replicationGroup:ReplicationGroup"},
        _cache_resilient,
        *("ElastiCache.1", "ElastiCache.2", "ElastiCache.7"),
    ),
    _rule(
        "databases-monitored-backed-up-patched",
        "RDS instances have log exports, IAM authentication, backups, minor upgrades, "
        "tags copied to snapshots, a VPC subnet group and no default admin name.",
        {"aws:rds/instance:Instance"},
        _database_operated,
        *("RDS.9", "RDS.10", "RDS.11", "RDS.13", "RDS.17", "RDS.18", "RDS.25", "RDS.36"),
    ),
    _rule(
        "auto-scaling-groups-multi-az-templates",
        "Auto Scaling groups span two or more zones, launch from a launch template and mix instance types.",
        {"aws:autoscaling/group:Group"},
        _auto_scaling_group,
        *("AutoScaling.2", "AutoScaling.6", "AutoScaling.9"),
    ),
    _rule(
        "default-security-group-closed",
        "The VPC's default security group allows nothing in or out.",
        {"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"},
        _default_group_closed,
        "EC2.2",
    ),
    _rule(
        "efs-file-systems-encrypted",
        "EFS file systems are encrypted with a customer-managed KMS key.",
        {"aws:efs/fileSystem:FileSystem"},
        _file_system_encrypted,
        *("EFS.1", "EFS.8"),
    ),
    _rule(
        "efs-access-points-confined",
        "EFS access points enforce a root directory and a user identity.",
        {"aws:efs/accessPoint:AccessPoint"},
        _access_point_confined,
        *("EFS.3", "EFS.4"),
    ),
    _rule(
        "lambda-functions-supported-multi-az",
        "Lambda functions use a supported runtime and, in a VPC, run in at least two subnets.",
        {"aws:lambda/function:Function"},
        _function_supported_multi_az,
        *("Lambda.2", "Lambda.5"),
    ),
    _rule(
        "lambda-permissions-not-public",
        "No Lambda permission lets everyone invoke a function.",
        {"aws:lambda/permission:Permission"},
        _function_permission_private,
        "Lambda.1",
    ),
)
