"""What the operator role may call: per ``python -m ops`` command, each IAM action with the resource ARN
patterns it is evaluated against, and the source of that fact.

``OPERATOR_ACTIONS`` is a declarative table. tests/ops/test_operator_actions.py runs every command
against a fake AWS, records each API call, and fails naming any call the table does not allow for that
command (by the call's resource ARN), or any row no command calls. Rows marked ``dependent`` are
authorized by AWS on the caller's behalf inside another call (no boto3 call of their own).

Patterns use ``{partition}``, ``{region}``, ``{account}``, ``{cluster}`` (the stack's ECS cluster
name), ``{log_group}`` (a service's log group); :func:`statements` fills them (``*`` where unknown,
for example the autonamed cluster when the bootstrap runs before the stack).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
LOG_GROUP = ("arn:{partition}:logs:{region}:{account}:log-group:{log_group}",
             "arn:{partition}:logs:{region}:{account}:log-group:{log_group}:*")  # fmt: skip


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
DESCRIBE_SERVICES = Grant("ecs:DescribeServices", (ECS + ":service/{cluster}/*",), ECS_SAR + " (service*)")
# ListTasks is authorized on container instances (none on Fargate): the cluster is pinned by condition.
LIST_TASKS = Grant(
    "ecs:ListTasks",
    ("*",),
    ECS_SAR + " (container-instance*, condition key ecs:cluster)",
    condition={"ArnEquals": {"ecs:cluster": ECS + ":cluster/{cluster}"}},
)
DESCRIBE_TASKS = Grant("ecs:DescribeTasks", (ECS + ":task/{cluster}/*",), ECS_SAR + " (task*)")
# ECS Exec sessions are encrypted with the stack key (components/cluster: executeCommandConfiguration
# kmsKeyId); the caller needs kms:GenerateDataKey on it (ECS developer guide, ecs-exec.html "IAM
# permissions required for ECS Exec" with a KMS key). The key id is the stack's: narrow at wiring time.
EXEC_KEY = Grant(
    "kms:GenerateDataKey",
    ("arn:{partition}:kms:{region}:{account}:key/*",),
    KMS_SAR + " (key*); ECS guide ecs-exec.html, encrypting sessions with a KMS key",
    dependent=True,
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
    ),
    "run": (
        WHO_AM_I,
        DESCRIBE_SERVICES,
        Grant("ecs:DescribeTaskDefinition", ("*",), ECS_SAR + " (no resource types)"),
        Grant(
            "ecs:RunTask",
            (ECS + ":task-definition/*:*",),
            ECS_SAR + " (task-definition*, condition key ecs:cluster)",
            condition={"ArnEquals": {"ecs:cluster": ECS + ":cluster/{cluster}"}},
        ),
        DESCRIBE_TASKS,
        Grant("logs:FilterLogEvents", LOG_GROUP, LOGS_SAR + " (log-group*)"),
        Grant(
            "iam:PassRole",
            ("arn:{partition}:iam::{account}:role/*",),
            IAM_SAR + " (role*); ECS RunTask passes the task definition's task and execution roles",
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
    Grant(
        "ssm:StartSession",
        (
            ECS + ":task/{cluster}/*",
            "arn:{partition}:ssm:{region}::document/AWS-StartPortForwardingSessionToRemoteHost",
        ),
        SSM_SAR + " (document, task); Session Manager guide getting-started-specify-session-document.html",
    ),
    EXEC_KEY,
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
