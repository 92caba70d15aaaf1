"""Resources that keep and break each rule added for Security Hub's FSBP controls
(components/pure/control_rules.py): one passing and at least one failing case per rule, shared by the
rule tests and the policy pack's tests through tests/support/guardrail_cases.py.

Pure data (no Pulumi imports), so the policy pack's own environment can import it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

TASK = "aws:ecs/taskDefinition:TaskDefinition"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
LB = "aws:lb/loadBalancer:LoadBalancer"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
TOPIC = "aws:sns/topic:Topic"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
CERTIFICATE = "aws:acm/certificate:Certificate"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
RDS = "aws:rds/instance:Instance"
ASG = "aws:autoscaling/group:Group"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
EFS = "aws:efs/fileSystem:FileSystem"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
IN_TWO_SUBNETS = {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"]}

LOG_CONFIG = {"logDriver": "awslogs", "options": {"awslogs-group": "api-logs"}}
CONTAINER = {
    "name": "api",
    "readonlyRootFilesystem": True,
    "privileged": False,
    "logConfiguration": LOG_CONFIG,
}
TLS_ONLY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:*"],
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
}
CLOUDFRONT_READ = {
    "Sid": "CloudFrontReadsForThisDistribution",
    "Effect": "Allow",
    "Principal": {"Service": ["cloudfront.amazonaws.com"]},
    "Action": ["s3:GetObject"],
    "Resource": ["arn:aws:s3:::b/*"],
}
DISTRIBUTION_PROPS = {
    "defaultRootObject": "index.html",
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
    "viewerCertificate": {
        "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
        "sslSupportMethod": "sni-only",
    },
    "origins": [{"originId": "static-bucket", "originAccessControlId": "oac"}],
}
METRICS = {"cloudwatchMetricsEnabled": True, "metricName": "m", "sampledRequestsEnabled": True}
DATABASE = {
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "enabledCloudwatchLogsExports": ["postgresql"],
    "engine": "postgres",
    "iamDatabaseAuthenticationEnabled": True,
    "backupRetentionPeriod": 7,
    "copyTagsToSnapshot": True,
    "dbSubnetGroupName": "db-subnets",
    "username": "webstack_admin",
}
MIXED = {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": "lt"}, "overrides": [{}, {}]}}


def _task(**container: Any) -> dict[str, Any]:
    return {"networkMode": "awsvpc", "containerDefinitions": json.dumps([{**CONTAINER, **container}])}


def _document(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def fsbp_cases(case: Callable[..., Any], key_arn: str) -> tuple[Any, ...]:
    """The cases, built with guardrail_cases' ``_case(id, type, props, *broken)``."""
    task, insights, platform = (
        "ecs-task-definitions-hardened",
        "ecs-clusters-container-insights",
        "ecs-services-latest-platform",
    )
    zones, decrypt, wildcards = (
        "load-balancers-multi-az-desync-defensive",
        "no-iam-decrypt-on-all-keys",
        "no-service-wildcards-in-managed-policies",
    )
    bucket_policy, cdn, waf = (
        "s3-policies-tls-only-and-private",
        "cloudfront-distributions-hardened",
        "waf-web-acls-have-rules-and-metrics",
    )
    cache, db, asg = (
        "caches-backed-up-patched-own-subnets",
        "databases-monitored-backed-up-patched",
        "auto-scaling-groups-multi-az-templates",
    )
    efs, access_point = "efs-file-systems-encrypted", "efs-access-points-confined"
    return (
        case("[ECS.4/5/9] hardened task definition", TASK, _task()),
        case("[ECS.1] task definition on the host network", TASK, {**_task(), "networkMode": "host"}, task),
        case(
            "[ECS.3] task definition sharing the host pid namespace",
            TASK,
            {**_task(), "pidMode": "host"},
            task,
        ),
        case("[ECS.4] privileged container", TASK, _task(privileged=True), task),
        case("[ECS.5] writable root filesystem", TASK, _task(readonlyRootFilesystem=False), task),
        case(
            "[ECS.8] aws keys as plain variables",
            TASK,
            _task(environment=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]),
            task,
        ),
        case("[ECS.9] container without logging", TASK, _task(logConfiguration=None), task),
        case(
            "[ECS.12] cluster with container insights",
            CLUSTER,
            {"settings": [{"name": "containerInsights", "value": "enabled"}]},
        ),
        case(
            "[ECS.12] cluster without container insights",
            CLUSTER,
            {"settings": [{"name": "containerInsights", "value": "disabled"}]},
            insights,
        ),
        case("[ECS.10] service on the latest platform", SERVICE, {"platformVersion": "LATEST"}),
        case("[ECS.10] service pinned to an old platform", SERVICE, {"platformVersion": "1.3.0"}, platform),
        case(
            "[ELB.12] load balancer in monitor desync mode",
            LB,
            {
                "loadBalancerType": "application",
                "dropInvalidHeaderFields": True,
                "subnets": ["a", "b"],
                "desyncMitigationMode": "monitor",
            },
            zones,
        ),
        case(
            "[ELB.13] load balancer in one zone", LB, {"loadBalancerType": "network", "subnets": ["a"]}, zones
        ),
        case(
            "[KMS.2] inline policy decrypting with one key",
            ROLE_POLICY,
            _document({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}),
        ),
        case(
            "[KMS.2] inline policy decrypting with every key",
            ROLE_POLICY,
            _document({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"}),
            decrypt,
        ),
        case(
            "[KMS.1] managed policy re-encrypting from every key",
            POLICY,
            _document({"Effect": "Allow", "Action": "kms:ReEncryptFrom", "Resource": ["*"]}),
            decrypt,
        ),
        case(
            "[IAM.21] managed policy with exact actions",
            POLICY,
            _document(
                {
                    "Effect": "Allow",
                    "Action": ["ecs:UpdateService"],
                    "Resource": "arn:aws:ecs:eu-west-1:1:service/c/s",
                }
            ),
        ),
        case(
            "[IAM.21] managed policy with a service wildcard",
            POLICY,
            _document(
                {"Effect": "Allow", "Action": ["ecs:*"], "Resource": "arn:aws:ecs:eu-west-1:1:service/c/s"}
            ),
            wildcards,
        ),
        case("[SNS.1] topic under a KMS key", TOPIC, {"kmsMasterKeyId": key_arn}),
        case("[SNS.1] unencrypted topic", TOPIC, {}, "sns-topics-encrypted"),
        case(
            "[S3.8] bucket blocking all public access",
            BLOCK,
            dict.fromkeys(
                ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
            ),
        ),
        case(
            "[S3.8] bucket allowing public policies",
            BLOCK,
            {
                "blockPublicAcls": True,
                "blockPublicPolicy": False,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            "s3-public-access-blocked",
        ),
        case("[S3.12] bucket without acls", OWNERSHIP, {"rule": {"objectOwnership": "BucketOwnerEnforced"}}),
        case(
            "[S3.12] bucket with acls", OWNERSHIP, {"rule": {"objectOwnership": "ObjectWriter"}}, "s3-no-acls"
        ),
        case(
            "[S3.5] tls-only bucket policy with a service grant",
            BUCKET_POLICY,
            _document(TLS_ONLY, CLOUDFRONT_READ),
        ),
        case(
            "[S3.5] bucket policy accepting plain http",
            BUCKET_POLICY,
            _document(CLOUDFRONT_READ),
            bucket_policy,
        ),
        case(
            "[S3.2] bucket policy readable by anyone",
            BUCKET_POLICY,
            _document(TLS_ONLY, {**CLOUDFRONT_READ, "Principal": "*"}),
            bucket_policy,
        ),
        case(
            "[S3.6] bucket policy letting an account rewrite it",
            BUCKET_POLICY,
            _document(
                TLS_ONLY,
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::333333333333:root"]},
                    "Action": ["s3:PutBucketPolicy"],
                    "Resource": ["arn:aws:s3:::b"],
                },
            ),
            bucket_policy,
        ),
        case("[CloudFront.1/3/7/8/13] hardened distribution", DISTRIBUTION, DISTRIBUTION_PROPS),
        case(
            "[CloudFront.1] distribution without a root object",
            DISTRIBUTION,
            {**DISTRIBUTION_PROPS, "defaultRootObject": ""},
            cdn,
        ),
        case(
            "[CloudFront.3] distribution allowing plain http",
            DISTRIBUTION,
            {**DISTRIBUTION_PROPS, "defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}},
            cdn,
        ),
        case(
            "[CloudFront.7] distribution on the default certificate",
            DISTRIBUTION,
            {**DISTRIBUTION_PROPS, "viewerCertificate": {"cloudfrontDefaultCertificate": True}},
            cdn,
        ),
        case(
            "[CloudFront.8] distribution on dedicated ips",
            DISTRIBUTION,
            {
                **DISTRIBUTION_PROPS,
                "viewerCertificate": {"acmCertificateArn": "arn", "sslSupportMethod": "vip"},
            },
            cdn,
        ),
        case(
            "[CloudFront.9/10] custom origin over old tls",
            DISTRIBUTION,
            {
                **DISTRIBUTION_PROPS,
                "origins": [
                    {
                        "originId": "api",
                        "customOriginConfig": {
                            "originProtocolPolicy": "match-viewer",
                            "originSslProtocols": ["TLSv1", "TLSv1.2"],
                        },
                    }
                ],
            },
            cdn,
        ),
        case(
            "[CloudFront.13] s3 origin without origin access control",
            DISTRIBUTION,
            {**DISTRIBUTION_PROPS, "origins": [{"originId": "static-bucket"}]},
            cdn,
        ),
        case(
            "[WAF.10/12] web acl with measured rules",
            WEB_ACL,
            {"rules": [{"name": "rate", "visibilityConfig": METRICS}]},
        ),
        case("[WAF.10] empty web acl", WEB_ACL, {"rules": []}, waf),
        case(
            "[WAF.12] web acl rule without metrics",
            WEB_ACL,
            {"rules": [{"name": "rate", "visibilityConfig": {**METRICS, "cloudwatchMetricsEnabled": False}}]},
            waf,
        ),
        case("[ACM.2] rsa 2048 certificate", CERTIFICATE, {"keyAlgorithm": "RSA_2048"}),
        case(
            "[ACM.2] rsa 1024 certificate",
            CERTIFICATE,
            {"keyAlgorithm": "RSA_1024"},
            "acm-certificates-strong-keys",
        ),
        case(
            "[ElastiCache.1] cache without backups",
            CACHE,
            {
                "transitEncryptionEnabled": True,
                "atRestEncryptionEnabled": True,
                "snapshotRetentionLimit": 0,
                "subnetGroupName": "s",
            },
            cache,
        ),
        case(
            "[ElastiCache.2/7] cache in the default subnet group without upgrades",
            CACHE,
            {
                "transitEncryptionEnabled": True,
                "atRestEncryptionEnabled": True,
                "snapshotRetentionLimit": 1,
                "autoMinorVersionUpgrade": False,
            },
            cache,
        ),
        case("[RDS.9-25] operated database", RDS, {**DATABASE, "kmsKeyId": key_arn}),
        case(
            "[RDS.11] database without backups",
            RDS,
            {**DATABASE, "kmsKeyId": key_arn, "backupRetentionPeriod": 0},
            db,
        ),
        case(
            "[RDS.25] database with the default admin name",
            RDS,
            {**DATABASE, "kmsKeyId": key_arn, "username": "postgres"},
            db,
        ),
        case(
            "[RDS.36] postgres without its postgresql log",
            RDS,
            {**DATABASE, "kmsKeyId": key_arn, "enabledCloudwatchLogsExports": ["upgrade"]},
            db,
        ),
        case(
            "[AutoScaling.2/6/9] group over zones and types",
            ASG,
            {"vpcZoneIdentifiers": ["a", "b"], "mixedInstancesPolicy": MIXED},
        ),
        case(
            "[AutoScaling.2] group in one zone",
            ASG,
            {"vpcZoneIdentifiers": ["a"], "mixedInstancesPolicy": MIXED},
            asg,
        ),
        case(
            "[AutoScaling.9] group from a launch configuration",
            ASG,
            {"vpcZoneIdentifiers": ["a", "b"], "launchConfiguration": "lc"},
            asg,
        ),
        case("[EC2.2] closed default security group", DEFAULT_SG, {"ingress": [], "egress": []}),
        case(
            "[EC2.2] default security group allowing egress",
            DEFAULT_SG,
            {"ingress": [], "egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]},
            "default-security-group-closed",
        ),
        case("[EFS.1/8] file system under its own key", EFS, {"encrypted": True, "kmsKeyId": key_arn}),
        case("[EFS.1] unencrypted file system", EFS, {"encrypted": False}, efs),
        case(
            "[EFS.3/4] confined access point",
            ACCESS_POINT,
            {"rootDirectory": {"path": "/app"}, "posixUser": {"uid": 1000, "gid": 1000}},
        ),
        case(
            "[EFS.3] access point at the file system root",
            ACCESS_POINT,
            {"rootDirectory": {"path": "/"}, "posixUser": {"uid": 1000, "gid": 1000}},
            access_point,
        ),
        case(
            "[EFS.4] access point without a user identity",
            ACCESS_POINT,
            {"rootDirectory": {"path": "/app"}},
            access_point,
        ),
        case(
            "[Lambda.2/5] supported runtime in two subnets",
            FUNCTION,
            {"runtime": "python3.13", "vpcConfig": IN_TWO_SUBNETS},
        ),
        case(
            "[Lambda.2] deprecated runtime",
            FUNCTION,
            {"runtime": "python3.8"},
            "lambda-functions-supported-multi-az",
        ),
        case(
            "[Lambda.5] VPC function in one subnet",
            FUNCTION,
            {"runtime": "python3.12", "vpcConfig": {"subnetIds": ["subnet-a"]}},
            "lambda-functions-supported-multi-az",
        ),
        case(
            "[Lambda.1] permission for one event rule",
            PERMISSION,
            {
                "principal": "events.amazonaws.com",
                "sourceArn": "arn:aws:events:eu-west-1:111111111111:rule/r",
            },
        ),
        case(
            "[Lambda.1] permission for everyone",
            PERMISSION,
            {"principal": "*"},
            "lambda-permissions-not-public",
        ),
    )
