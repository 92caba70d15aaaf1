"""What the operator role may call: per ``python -m ops`` command, each IAM action with the resource ARN
patterns it is evaluated against, and the source of that fact.

``OPERATOR_ACTIONS`` is a declarative table. tests/ops/test_operator_actions.py runs every command
against a fake AWS, records each API call, and fails naming any call the table does not allow for that
command (by the call's resource ARN), or any row no command calls. Rows marked ``dependent`` are
authorized by AWS on the caller's behalf inside another call (no boto3 call of their own).

Patterns use ``{partition}``, ``{region}``, ``{account}``, ``{cluster}`` (the stack's ECS cluster
name), ``{log_group}`` (a service's log group); :func:`statements` fills them (``*`` where unknown,
for example the autonamed cluster when the bootstrap runs before the stack).

Each row was checked against the Service Authorization Reference pages named in its source (resource
types and condition keys per action, as of the June 2026 pages mirrored in salesforce/policy_sentry
``policy_sentry/shared/data/docs/list_*.html``). bootstrap/delivery.py renders the table into the
operator role's ``operator-commands`` policy (tests/ops/test_operator_actions.py evaluates it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.pure.naming import IAM_PATH

SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
ECS_SAR = SAR + "list_amazonelasticcontainerservice.html"
LOGS_SAR = SAR + "list_amazoncloudwatchlogs.html"
CLOUDWATCH_SAR = SAR + "list_amazoncloudwatch.html"
ELB_SAR = SAR + "list_awselasticloadbalancingv2.html"
SSM_SAR = SAR + "list_awssystemsmanager.html"
STS_SAR = SAR + "list_awssecuritytokenservice.html"
IAM_SAR = SAR + "list_awsidentityandaccessmanagementiam.html"
KMS_SAR = SAR + "list_awskeymanagementservice.html"

ECS = "arn:{partition}:ecs:{region}:{account}"
SSM_PLUGIN = "aws/session-manager-plugin src/sessionmanagerplugin/session/sessionhandler.go"
# The log-group resource type is `log-group:${LogGroupName}` (LOGS_SAR); the `:*` form is the one
# FilterLogEvents has long been evaluated against, so both are listed.
LOG_GROUP = ("arn:{partition}:logs:{region}:{account}:log-group:{log_group}",
             "arn:{partition}:logs:{region}:{account}:log-group:{log_group}:*")  # fmt: skip
WEBSTACK_ROLES = "arn:{partition}:iam::{account}:role" + IAM_PATH + "*"
"""Every role webstack creates lives under this path (components/pure/naming.py IAM_PATH)."""


@dataclass(frozen=True)
class Grant:
    """One IAM action on the resources a command uses it on."""

    action: str
    resources: tuple[str, ...]
    source: str
    condition: dict[str, Any] = field(default_factory=dict)
    dependent: bool = False
    """Authorized inside another call (for example iam:PassRole during ecs:RunTask)."""


WHO_AM_I = Grant(
    "sts:GetCallerIdentity",
    ("*",),
    STS_SAR + " (needs no permission: 'No permissions are required to perform this operation', "
    "STS API_GetCallerIdentity); every command checks the account pin with it",
)
DESCRIBE_SERVICES = Grant(
    "ecs:DescribeServices",
    (ECS + ":service/{cluster}/*",),
    ECS_SAR + " (service*, condition keys ecs:cluster, aws:ResourceTag)",
)
# ListTasks is authorized on container instances (none on Fargate): the cluster is pinned by condition.
LIST_TASKS = Grant(
    "ecs:ListTasks",
    ("*",),
    ECS_SAR + " (container-instance*, condition key ecs:cluster)",
    condition={"ArnLike": {"ecs:cluster": ECS + ":cluster/{cluster}"}},
)
DESCRIBE_TASKS = Grant(
    "ecs:DescribeTasks", (ECS + ":task/{cluster}/*",), ECS_SAR + " (task*, condition key ecs:cluster)"
)
# ECS Exec sessions are encrypted with the stack key (components/cluster: executeCommandConfiguration
# kmsKeyId). The Session Manager plugin on the operator's machine calls kms:GenerateDataKey with the
# operator's credentials and the encryption context {aws:ssm:SessionId, aws:ssm:TargetId}, TargetId
# being the request's Target `ecs:<cluster>_<task>_<runtime id>` (aws/session-manager-plugin
# src/datachannel/streaming.go ProcessKMSEncryptionHandshakeAction, session.go args[5]). The key's ARN
# is unknown when the account is bootstrapped, so the key is not named: the condition lets its data
# keys serve only Session Manager sessions into the stack's ECS tasks (KMS_SAR lists
# kms:EncryptionContext:${EncryptionContextKey} for GenerateDataKey).
EXEC_KEY = Grant(
    "kms:GenerateDataKey",
    ("arn:{partition}:kms:{region}:{account}:key/*",),
    KMS_SAR + " (key*, condition key kms:EncryptionContext:${EncryptionContextKey}); SSM user guide "
    "getting-started-restrict-access-quickstart.html (kms:GenerateDataKey to encrypt session data)",
    condition={"StringLike": {"kms:EncryptionContext:aws:ssm:TargetId": "ecs:{cluster}_*"}},
    dependent=True,
)
# The plugin reconnects a dropped session (ssm:ResumeSession) and may end one (ssm:TerminateSession)
# with the operator's credentials (SSM_PLUGIN: GetResumeSessionParams, TerminateSession).
SESSION_UPKEEP = tuple(
    Grant(
        f"ssm:{verb}",
        ("arn:{partition}:ssm:{region}:{account}:session/*",),
        SSM_SAR + f" (session*); {SSM_PLUGIN} calls {verb}",
        dependent=True,
    )
    for verb in ("ResumeSession", "TerminateSession")
)

OPERATOR_ACTIONS: dict[str, tuple[Grant, ...]] = {
    # declarative table: command -> every action it needs, with its resources and source.
    "status": (
        WHO_AM_I,
        DESCRIBE_SERVICES,
        LIST_TASKS,
        DESCRIBE_TASKS,
        Grant(
            "elasticloadbalancing:DescribeTargetHealth",
            ("*",),
            ELB_SAR + " (no resource types: Describe* actions need Resource *)",
        ),
        Grant(
            "cloudwatch:DescribeAlarms",
            ("arn:{partition}:cloudwatch:{region}:{account}:alarm:*",),
            CLOUDWATCH_SAR + " (alarm*)",
        ),
    ),
    "logs": (
        WHO_AM_I,
        Grant("logs:FilterLogEvents", LOG_GROUP, LOGS_SAR + " (log-group*)"),
        Grant("logs:StartLiveTail", LOG_GROUP, LOGS_SAR + " (log-group*)"),
    ),
    "exec": (
        WHO_AM_I,
        DESCRIBE_SERVICES,
        LIST_TASKS,
        DESCRIBE_TASKS,
        Grant(
            "ecs:ExecuteCommand",
            (ECS + ":cluster/{cluster}", ECS + ":task/{cluster}/*"),
            ECS_SAR + " (cluster*, task*); ECS guide ecs-exec.html example policy",
        ),
        EXEC_KEY,
        *SESSION_UPKEEP,
    ),
    "run": (
        WHO_AM_I,
        DESCRIBE_SERVICES,
        Grant("ecs:DescribeTaskDefinition", ("*",), ECS_SAR + " (no resource types)"),
        Grant(
            "ecs:RunTask",
            (ECS + ":task-definition/*:*",),
            ECS_SAR + " (task-definition*, condition key ecs:cluster; dependent action iam:PassRole)",
            condition={"ArnLike": {"ecs:cluster": ECS + ":cluster/{cluster}"}},
        ),
        DESCRIBE_TASKS,
        Grant("logs:FilterLogEvents", LOG_GROUP, LOGS_SAR + " (log-group*)"),
        # run --timeout stops the one-off task it started.
        Grant("ecs:StopTask", (ECS + ":task/{cluster}/*",), ECS_SAR + " (task*, condition key ecs:cluster)"),
        Grant(
            "iam:PassRole",
            (WEBSTACK_ROLES,),
            IAM_SAR + " (role*, condition key iam:PassedToService); ECS_SAR lists it as RunTask's dependent "
            "action: the task definition's task and execution roles, webstack's own (under /webstack/)",
            condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            dependent=True,
        ),
    ),
    # ops/rollback.py: the service's revision, the family's ACTIVE revisions, then UpdateService and the
    # services_stable waiter (DescribeServices).
    "rollback": (
        WHO_AM_I,
        DESCRIBE_SERVICES,
        Grant("ecs:ListTaskDefinitions", ("*",), ECS_SAR + " (no resource types)"),
        Grant("ecs:DescribeTaskDefinition", ("*",), ECS_SAR + " (no resource types)"),
        Grant("ecs:UpdateService", (ECS + ":service/{cluster}/*",), ECS_SAR + " (service*)"),
    ),
}
_TUNNEL = (
    WHO_AM_I,
    DESCRIBE_SERVICES,
    LIST_TASKS,
    DESCRIBE_TASKS,
    # SSM_SAR's task resource type is `arn:${Partition}:ecs:${Region}:${Account}:task/${TaskId}` (no
    # cluster, unlike ECS's); `task/*` matches both forms. The document pins the session to port
    # forwarding (AWS-owned documents have no account in their ARN).
    Grant(
        "ssm:StartSession",
        (
            ECS + ":task/*",
            "arn:{partition}:ssm:{region}::document/AWS-StartPortForwardingSessionToRemoteHost",
        ),
        SSM_SAR + " (document, task); SSM user guide getting-started-specify-session-document.html",
    ),
    EXEC_KEY,
    *SESSION_UPKEEP,
)
OPERATOR_ACTIONS["db"] = _TUNNEL
OPERATOR_ACTIONS["cache"] = _TUNNEL


def fill(pattern: str, **values: str) -> str:
    """``pattern`` with its placeholders replaced (``*`` for any not given)."""
    names = ("partition", "region", "account", "cluster", "log_group")
    return pattern.format(**{name: values.get(name, "*") for name in names})


def statements(commands: tuple[str, ...] = tuple(OPERATOR_ACTIONS), **values: str) -> list[dict[str, Any]]:
    """IAM policy statements allowing ``commands`` (one statement per action and condition)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for command in commands:
        for grant in OPERATOR_ACTIONS[command]:
            condition = {
                k: {ck: fill(cv, **values) for ck, cv in v.items()} for k, v in grant.condition.items()
            }
            key = (grant.action, repr(condition))
            entry = merged.setdefault(key, {"Effect": "Allow", "Action": grant.action, "Resource": []})
            entry["Resource"] = sorted({*entry["Resource"], *(fill(r, **values) for r in grant.resources)})
            if condition:
                entry["Condition"] = condition
    return list(merged.values())
