"""What the delivery roles may do: the deploy role's statements (scoped ones inline, the rest packed into
managed policies) and the preview role's read-only statements, built from ``bootstrap/deploy_actions.py``.

iam: only on webstack's own roles, with conditions on passing roles, attaching policies and
service-linked roles; s3: only on webstack's buckets; never key management on the state key.
"""

from __future__ import annotations

import json

import pulumi_aws as aws

from bootstrap.action_sets import (
    INSTANCE_PROFILE_ACTIONS,
    SCALING_ROLE_ACTIONS,
    SCALING_ROLE_ONLY_ACTIONS,
)
from bootstrap.deploy_actions import DEPLOY_ACTIONS, deploy_actions
from bootstrap.operator_actions import statements as operator_statements
from bootstrap.preview_reads import preview_reads
from bootstrap.state_backend import STATE_KEY_ALIAS, state_statements
from components.iam import Statement
from components.pure.guardrails import (
    BACKUP_POLICIES,
    ENHANCED_MONITORING_POLICY_ARN,
    TASK_EXECUTION_POLICY_ARN,
)
from components.pure.naming import IAM_PATH

MANAGED_POLICY_CHARS = 6_000
"""Below IAM's 6,144 characters per managed policy, with room for the provider's rendering."""
_DOCUMENT_OVERHEAD = len('{"Version":"2012-10-17","Statement":[]}')
PASSED_TO = (
    "ecs-tasks.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "scheduler.amazonaws.com",  # CreateSchedule passes the scheduler role to Scheduler
    "ec2.amazonaws.com",  # the instance profile passes the container instances' role to EC2
    # Create/UpdateService passes the load-balancer infrastructure role of blue/green, canary and
    # linear deployments to ECS (advancedConfiguration.roleArn; AWS ECS "infrastructure IAM role").
    "ecs.amazonaws.com",
)
PASSED_BY_NAME = {
    # Backup and restore-testing selections pass the backup role to AWS Backup (components/backup/). By
    # name: no other webstack role (a task role, say) may be handed to AWS Backup. (The restore-test
    # function's role is a VpcFunction's: PassFunctionRolesOnlyToLambda.)
    "backup-role-*": "backup.amazonaws.com",
}
"""Role name pattern (under webstack's path) -> the one service the deploy role may pass it to."""
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

CONTAINER_INSTANCE_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
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
_SCOPED_SERVICES = ("iam", "s3", "ssm", "secretsmanager", "lambda")
"""Services whose actions deploy_statements grants on webstack's own resources only."""
KEY_DATA_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:RetireGrant")
"""KMS calls that use a key's material (or let a grantee use it): never on any key of any account.
deploy_statements allows them on this account's keys only through the services that encrypt the
stack's data with them, and grants only to the stack's own Auto Scaling roles."""
KEY_SERVICES = ("rds", "elasticache", "secretsmanager", "scheduler", "elasticfilesystem", "backup")
"""The services that use the stack's keys on the deploy role's behalf: RDS and ElastiCache create
grants for their storage (AWS KMS guide, "How AWS services use AWS KMS"), Secrets Manager encrypts and
decrypts the cache token and RDS's managed master secret (AWS RDS guide, rds-secrets-manager.html),
EventBridge Scheduler encrypts and decrypts schedule payloads under the stack key (Scheduler guide,
encryption-rest), EFS grants itself the key of an encrypted volume (AWS EFS guide,
encryption-at-rest.html), AWS Backup mounts the vault's key when it creates the vault (AWS Backup guide,
backup-vaults.html)."""
ECS_AMI_PARAMETERS = "arn:aws:ssm:*::parameter/aws/service/ecs/optimized-ami/*"
"""The public ECS-optimized AMI parameters: AWS public parameters have no account in their ARN
(AWS Systems Manager guide, parameter-store-public-parameters-ecs: "ARN":
"arn:aws:ssm:us-west-2::parameter/aws/service/ecs/optimized-ami/amazon-linux/recommended")."""
CACHE_SECRET_ROWS = ("aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretVersion:SecretVersion")
DATABASE_SECRET_ROWS = ("aws:rds/instance:Instance", "aws:secretsmanager/secretRotation:SecretRotation")
# iam: actions deploy_statements grants only under a condition (which service, which policy).
_CONDITIONED_IAM = (
    "iam:PassRole",
    "iam:CreateServiceLinkedRole",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
)
SCALING_ROLES = (
    "arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
    "AWSServiceRoleForAutoScaling_webstack-*"
)
"""The stacks' own Auto Scaling service-linked roles (components/cluster/ec2_capacity.py custom_suffix)."""
FUNCTIONS = "arn:aws:lambda:*:{account}:function:*-fn-*"
"""The stacks' own functions: a VpcFunction's function is autonamed ``<name>-fn-<random>``."""
FUNCTION_ROLES = "arn:aws:iam::{account}:role" + IAM_PATH + "*-fn-role-*"
"""A VpcFunction's execution role (``<name>-fn-role-<random>``): the only roles passed to Lambda."""
ACCESS_LOG_BUCKETS = "arn:aws:s3:::edge-access-logs-*"
STATIC_BUCKETS = ("arn:aws:s3:::cdn-content-*", "arn:aws:s3:::cdn-logs-*")
"""The static-content bucket and its access-log bucket (autonamed after the Cdn's children)."""
APP_BUCKETS = "arn:aws:s3:::bucket-*-s3-*"
"""The stacks' app buckets (webstack:buckets: AppBucket ``bucket-<name>`` autonames its ``-s3`` child)."""
WEBSTACK_BUCKETS = (ACCESS_LOG_BUCKETS, *STATIC_BUCKETS, APP_BUCKETS)
CACHE_SECRETS = "arn:aws:secretsmanager:*:{account}:secret:cache-*-auth-token-*"
"""The caches' AUTH-token secrets (autonamed after ``cache-<name>-auth-token``)."""
DATABASE_SECRETS = "arn:aws:secretsmanager:*:{account}:secret:rds!*"
"""The databases' RDS-managed master secrets (``rds!db-...``, AWS RDS guide rds-secrets-manager.html)."""
INSTANCE_PROFILES = "arn:aws:iam::{account}:instance-profile" + IAM_PATH + "*"


def _roles(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role{IAM_PATH}*"


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


def _actions_by_service() -> dict[str, list[str]]:
    """Every action of the table by service, but the key-data actions (scoped in deploy_statements)."""
    by_service: dict[str, list[str]] = {}
    for action in deploy_actions():
        if action not in KEY_DATA_ACTIONS:
            by_service.setdefault(action.split(":")[0], []).append(action)
    return by_service


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
    elsewhere = {*_CONDITIONED_IAM, *INSTANCE_PROFILE_ACTIONS, *SCALING_ROLE_ONLY_ACTIONS}
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
        # CreateFunction passes a VPC function's execution role to Lambda (components/function.py);
        # no other webstack role (a task role, say) can be handed to a function.
        _only_when(
            "PassFunctionRolesOnlyToLambda",
            ["iam:PassRole"],
            FUNCTION_ROLES.format(account=account_id),
            "StringEquals",
            "iam:PassedToService",
            ["lambda.amazonaws.com"],
        ),
        _only_when(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            f"arn:aws:iam::{account_id}:role/aws-service-role/*",
            "StringEquals",
            "iam:AWSServiceName",
            list(SERVICE_LINKED),
        ),
        *_backup_statements(account_id),
        *_ec2_capacity_statements(account_id),
        *_secret_and_key_statements(account_id),
        # s3/delete.go emptyBucket (force_destroy) deletes object versions: the patterns match the objects.
        Statement(sid="AccessLogBuckets", actions=s3, resources=list(WEBSTACK_BUCKETS)),
        Statement(
            sid="WebstackFunctions",
            actions=by_service["lambda"],
            resources=[FUNCTIONS.format(account=account_id)],
        ),
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
    return statements + state_statements(bucket_arn, key_arn, write=True)


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
            resources=[INSTANCE_PROFILES.format(account=account_id)],
        ),
        Statement(
            sid="StackAutoScalingRoles",
            actions=list(SCALING_ROLE_ACTIONS),
            resources=[SCALING_ROLES.format(account=account_id)],
        ),
        _ami_parameters(),
    ]


def _ami_parameters() -> Statement:
    """The public ECS-optimized AMI parameters only (AWS retrieve-ecs-optimized_AMI.html): the program
    reads one on every run, preview included (aws:ssm/getParameter:getParameter)."""
    return Statement(
        sid="EcsOptimizedAmiParameters",
        actions=["ssm:GetParameter", "ssm:GetParameters"],
        resources=[ECS_AMI_PARAMETERS],
    )


def _secrets_of(rows: tuple[str, ...]) -> list[str]:
    return sorted({a for row in rows for a in DEPLOY_ACTIONS[row] if a.startswith("secretsmanager:")})


def _backup_statements(account_id: str) -> list[Statement]:
    """The backup role passed only to AWS Backup, and AWS Backup's service-role policies attached only to
    it (components/backup/; components/pure/guardrails.py BACKUP_POLICIES)."""
    return [
        *(
            _only_when(
                f"Pass{service.split('.')[0].title()}ItsRole",
                ["iam:PassRole"],
                f"arn:aws:iam::{account_id}:role{IAM_PATH}{pattern}",
                "StringEquals",
                "iam:PassedToService",
                [service],
            )
            for pattern, service in PASSED_BY_NAME.items()
        ),
        _only_when(
            "OnlyAwsBackupPoliciesOnTheBackupRole",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            f"arn:aws:iam::{account_id}:role{IAM_PATH}backup-role-*",
            "ArnEquals",
            "iam:PolicyARN",
            sorted(BACKUP_POLICIES),
        ),
    ]


def _secret_and_key_statements(account_id: str) -> list[Statement]:
    """Secrets and key material of this stack only (issue 25 finding 10).

    Secrets: the caches' AUTH-token secrets (autonamed after ``cache-<name>-auth-token``) and the
    databases' RDS-managed master secrets (``rds!db-...``, AWS RDS guide rds-secrets-manager.html), by
    ARN; another project's secret matches neither. Keys: their ARNs are unknown when the account is
    bootstrapped and a tag or alias condition may lag a new key by minutes (AWS KMS guide, "ABAC for
    AWS KMS": changes can take up to five minutes to affect authorization), so key material is used
    only through the services that encrypt the stack's data, and only this account's keys.
    """
    keys = f"arn:aws:kms:*:{account_id}:key/*"
    return [
        Statement(
            sid="StackCacheSecrets",
            actions=_secrets_of(CACHE_SECRET_ROWS),
            resources=[CACHE_SECRETS.format(account=account_id)],
        ),
        Statement(
            sid="DatabaseManagedSecrets",
            actions=_secrets_of(DATABASE_SECRET_ROWS),
            resources=[DATABASE_SECRETS.format(account=account_id)],
        ),
        _only_when(
            "KeysOnlyThroughTheStacksServices",
            list(KEY_DATA_ACTIONS),
            keys,
            "StringLike",
            "kms:ViaService",
            [f"{service}.*.amazonaws.com" for service in KEY_SERVICES],
        ),
        # aws:kms/grant:Grant calls CreateGrant itself (not through a service): only for the stack's
        # own Auto Scaling role (AWS KMS guide, conditions-kms: kms:GranteePrincipal).
        _only_when(
            "GrantsOnlyToTheStacksScalingRoles",
            ["kms:CreateGrant"],
            keys,
            "StringLike",
            "kms:GranteePrincipal",
            [SCALING_ROLES.format(account=account_id)],
        ),
    ]


def preview_statements(account_id: str, bucket_arn: str = "", key_arn: str = "") -> list[Statement]:
    """Read-only access for `pulumi preview` and `pulumi refresh` (plus the state lock they take).

    The reads are bootstrap/preview_reads.py's (the deploy table's reads, what the provider's Read calls
    for every type the program creates), scoped like the deploy role's actions: iam to webstack's roles,
    instance profiles and Auto Scaling roles, s3 to its buckets, secretsmanager to its secrets, lambda
    to its functions, ssm to the public ECS AMI parameters. Every other service's reads are on "*": they
    return configuration only, and most have no resource type to scope by (ec2:Describe*, kms:ListAliases,
    route53:ListHostedZones) or act on resources named by AWS (load balancers, clusters, distributions).
    """
    scopes = {
        "iam": [
            _roles(account_id),
            INSTANCE_PROFILES.format(account=account_id),
            SCALING_ROLES.format(account=account_id),
        ],
        "s3": list(WEBSTACK_BUCKETS),
        "secretsmanager": [
            CACHE_SECRETS.format(account=account_id),
            DATABASE_SECRETS.format(account=account_id),
        ],
        "lambda": [FUNCTIONS.format(account=account_id)],
    }
    by_service: dict[str, list[str]] = {}
    for action in preview_reads():
        by_service.setdefault(action.split(":")[0], []).append(action)
    anywhere = [a for service, reads in by_service.items() if service not in (*scopes, "ssm") for a in reads]
    statements = [
        Statement(sid="ReadWebstackResources", actions=anywhere, resources=["*"]),
        *(
            Statement(sid=f"ReadWebstack{service.title()}", actions=by_service[service], resources=resources)
            for service, resources in scopes.items()
        ),
        _ami_parameters(),
    ]
    return statements + state_statements(bucket_arn, key_arn, write=False)


def operator_command_statements(account_id: str) -> list[Statement]:
    """What ``python -m ops`` calls (bootstrap/operator_actions.py's table), for any stack of this account.

    Filled with the account only: the stacks' clusters and log groups are autonamed after the
    bootstrap, and a stack may live in any region (as the deploy role's statements allow).
    """
    statements = []
    for row in operator_statements(partition="aws", account=account_id):
        conditions = [
            aws.iam.GetPolicyDocumentStatementConditionArgs(test=test, variable=key, values=[value])
            for test, keys in row.get("Condition", {}).items()
            for key, value in keys.items()
        ]
        service, verb = row["Action"].split(":")
        statements.append(
            Statement(
                sid=f"{service.capitalize()}{verb}",
                actions=[row["Action"]],
                resources=row["Resource"],
                conditions=conditions or None,
            )
        )
    return statements
