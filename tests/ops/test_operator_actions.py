"""The operator role allows exactly what the commands call: each recorded AWS call (botocore's
before-parameter-build event) is matched, by action and resource ARN, against
bootstrap/operator_actions.py's row for that command; every row is called by its command."""

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from bootstrap.operator_actions import OPERATOR_ACTIONS, fill, statements
from tests.ops.conftest import Fake
from tests.ops.test_commands import _stop_with
from tests.ops.test_rollback import _deploy_new_revision

PREFIX = {
    "ecs": "ecs",
    "elastic-load-balancing-v2": "elasticloadbalancing",
    "cloudwatch": "cloudwatch",
    "cloudwatch-logs": "logs",
    "sts": "sts",
    "ssm": "ssm",
}
ECS = "arn:aws:ecs:eu-west-1:111111111111"


def resource_arns(op: str, params: dict[str, Any], fake: Fake) -> list[str]:
    """The ARNs IAM evaluates the call against (the service authorization reference's resource types)."""
    cluster = fake.outputs["clusterName"]
    logs = "arn:aws:logs:eu-west-1:111111111111:log-group:"
    by_op = {
        "DescribeServices": lambda: [f"{ECS}:service/{cluster}/{s}" for s in params["services"]],
        "DescribeTasks": lambda: [f"{ECS}:task/{cluster}/{t.rsplit('/', 1)[-1]}" for t in params["tasks"]],
        "ExecuteCommand": lambda: [f"{ECS}:cluster/{cluster}", params["task"]],
        "RunTask": lambda: [params["taskDefinition"]],
        "UpdateService": lambda: [f"{ECS}:service/{cluster}/{params['service']}"],
        "FilterLogEvents": lambda: [logs + params["logGroupName"]],
        "StartLiveTail": lambda: list(params["logGroupIdentifiers"]),
        "DescribeAlarms": lambda: [
            "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:" + params["AlarmNamePrefix"]
        ],
        "StartSession": lambda: [
            f"{ECS}:task/{cluster}/{params['Target'].split('_')[1]}",
            f"arn:aws:ssm:eu-west-1::document/{params['DocumentName']}",
        ],
    }
    return by_op[op]() if op in by_op else ["*"]


def _with_data_stores(fake: Fake) -> None:
    outputs = dict(fake.outputs)
    outputs["databases"] = {
        "main": {
            "address": "db.internal",
            "port": 5432,
            "secretArn": "arn:s",
            "dbName": "app",
            "services": ["api"],
        }
    }
    outputs["caches"] = {"sessions": {"address": "cache.internal", "port": 6379, "services": ["web"]}}
    fake.outputs_file.write_text(json.dumps(outputs))


COMMANDS = {
    "status": ("status",),
    "logs": ("logs", "api", "--follow"),
    "exec": ("exec", "web"),
    "run": ("run", "api", "--", "true"),
    "db": ("db",),
    "cache": ("cache",),
    "rollback": ("rollback", "api", "--no-wait"),  # the waiter's DescribeServices: tests/ops/test_rollback.py
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_call_a_command_makes_is_allowed_by_its_row_and_each_row_is_called(
    command: str, fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    _with_data_stores(fake_dev)
    _stop_with(fake_dev, monkeypatch, 0, "Essential container in task exited")
    if command == "rollback":
        _deploy_new_revision(fake_dev)
    code, _, err = fake_dev.run(*COMMANDS[command])
    assert code == 0, err
    grants = OPERATOR_ACTIONS[command]
    values = {
        "partition": "aws",
        "region": "eu-west-1",
        "account": "111111111111",
        "cluster": "cluster-ecs-id",
    }
    called, uncovered = set(), []
    for service, op, params in fake_dev.calls:
        action = f"{PREFIX[service]}:{op}"
        called.add(action)
        patterns = [
            fill(p, **values, log_group="*") for g in grants if g.action == action for p in g.resources
        ]
        for arn in resource_arns(op, params, fake_dev):
            if not any(fnmatchcase(arn, pattern) for pattern in patterns):
                uncovered.append(f"{action} on {arn}")
    assert uncovered == []
    assert sorted(g.action for g in grants if not g.dependent and g.action not in called) == []


def test_the_table_becomes_policy_statements_with_the_stacks_values_filled_in():
    by_action = {
        s["Action"]: s for s in statements(("exec",), partition="aws", region="eu-west-1", account="1")
    }
    assert by_action["ecs:ExecuteCommand"]["Resource"] == [
        "arn:aws:ecs:eu-west-1:1:cluster/*",
        "arn:aws:ecs:eu-west-1:1:task/*/*",
    ]
    assert by_action["ecs:ListTasks"]["Condition"] == {
        "ArnEquals": {"ecs:cluster": "arn:aws:ecs:eu-west-1:1:cluster/*"}
    }
    assert "ecs:RunTask" not in by_action and "iam:PassRole" not in by_action


def test_every_row_names_its_source_in_the_service_authorization_reference():
    rows = [g for grants in OPERATOR_ACTIONS.values() for g in grants]
    assert rows and all(
        g.source.startswith("https://docs.aws.amazon.com/service-authorization/") for g in rows
    )
