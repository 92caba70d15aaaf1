"""The operator role allows exactly what the commands call. Each AWS call a command makes against the
fake (botocore's before-parameter-build event), and each call made on its behalf (iam:PassRole inside
ecs:RunTask; the Session Manager plugin's kms:GenerateDataKey, ssm:ResumeSession/TerminateSession with
the session and target it was handed), is evaluated by resource ARN and request context
(tests/support/iam_policy.py) against:

- bootstrap/operator_actions.py's rows for that command, filled with the stack's values; and
- the policy the bootstrap renders for the operator role (``delivery-operator-commands``), whose
  statements are the table's rows and nothing else.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from bootstrap.operator_actions import OPERATOR_ACTIONS, statements
from components.pure.naming import IAM_PATH
from plan.engine import run_stack
from tests.delivery.test_bootstrap import bootstrap
from tests.delivery.test_bootstrap import statements as rendered
from tests.ops.conftest import STACKS, Fake
from tests.ops.test_commands import _stop_with, refuse_live_tail
from tests.ops.test_rollback import _deploy_new_revision
from tests.support.fixture_stacks import EXAMPLE_DEV
from tests.support.iam_policy import Request, allows, decide

PREFIX = {
    "ecs": "ecs",
    "elastic-load-balancing-v2": "elasticloadbalancing",
    "cloudwatch": "cloudwatch",
    "cloudwatch-logs": "logs",
    "sts": "sts",
    "ssm": "ssm",
}
ACCOUNT, REGION = "111111111111", "eu-west-1"
ECS = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
STACK_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
"""The stack key that encrypts ECS Exec sessions (components/cluster kmsKeyId); its id is the fake's."""


def resource_arns(op: str, params: dict[str, Any], fake: Fake) -> list[str]:
    """The ARNs IAM evaluates the call against (the service authorization reference's resource types)."""
    cluster = fake.outputs["clusterName"]
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
    by_op = {
        "DescribeServices": lambda: [f"{ECS}:service/{cluster}/{s}" for s in params["services"]],
        "DescribeTasks": lambda: [f"{ECS}:task/{cluster}/{t.rsplit('/', 1)[-1]}" for t in params["tasks"]],
        "ExecuteCommand": lambda: [f"{ECS}:cluster/{cluster}", params["task"]],
        "RunTask": lambda: [params["taskDefinition"]],
        "StopTask": lambda: [params["task"]],
        "UpdateService": lambda: [f"{ECS}:service/{cluster}/{params['service']}"],
        "FilterLogEvents": lambda: [logs + params["logGroupName"]],
        "StartLiveTail": lambda: list(params["logGroupIdentifiers"]),
        "DescribeAlarms": lambda: [
            f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:" + params["AlarmNamePrefix"]
        ],
        "StartSession": lambda: [
            f"{ECS}:task/{cluster}/{params['Target'].split('_')[1]}",
            f"arn:aws:ssm:{REGION}::document/{params['DocumentName']}",
        ],
    }
    return by_op[op]() if op in by_op else ["*"]


@pytest.fixture(scope="module")
def task_roles() -> list[str]:
    """The roles a one-off task passes: its task definition's task and execution roles, as AWS names
    them (the mocks' role ARNs leave out the path, so it is put back from the Role's own input)."""
    run = run_stack("example-dev", root=STACKS)
    roles = {r.state["arn"]: r for r in run.of_type("aws:iam/role:Role")}
    passed = {
        definition.inputs[key]
        for definition in run.of_type("aws:ecs/taskDefinition:TaskDefinition")
        for key in ("taskRoleArn", "executionRoleArn")
        if definition.inputs.get(key)
    }
    assert passed and all(roles[arn].inputs["path"] == IAM_PATH for arn in passed)
    return sorted(f"arn:aws:iam::{ACCOUNT}:role{IAM_PATH}{roles[arn].state['name']}" for arn in passed)


def requests(fake: Fake, task_roles: list[str]) -> Iterator[Request]:
    """Every authorization the command's run needed: its own calls, then the ones made for it."""
    cluster = {"ecs:cluster": f"{ECS}:cluster/{fake.outputs['clusterName']}"}
    for service, op, params in fake.calls:
        action = f"{PREFIX[service]}:{op}"
        for arn in resource_arns(op, params, fake):
            yield Request(action, arn, cluster if service == "ecs" else {})
        if op == "RunTask":
            for role in task_roles:
                yield Request("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    for (
        argv
    ) in fake.plugin_runs:  # session-manager-plugin <session> <region> StartSession <profile> <request>
        session, target = json.loads(argv[1]), json.loads(argv[5])["Target"]
        ident = session.get("sessionId") or session["SessionId"]
        context = {
            "kms:EncryptionContext:aws:ssm:SessionId": ident,
            "kms:EncryptionContext:aws:ssm:TargetId": target,
        }
        yield Request("kms:GenerateDataKey", STACK_KEY, context)
        for verb in ("ResumeSession", "TerminateSession"):
            yield Request(f"ssm:{verb}", f"arn:aws:ssm:{REGION}:{ACCOUNT}:session/{ident}")


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
VARIANTS = {
    **{name: (name, argv) for name, argv in COMMANDS.items()},
    "logs polling": ("logs", ("logs", "api", "--follow")),
    "run --timeout": ("run", ("run", "api", "--timeout", "1m", "--", "sleep", "600")),
}


@pytest.fixture(scope="module")
def operator_policy() -> list[Mapping[str, Any]]:
    """The ops commands' policy the bootstrap attaches to the operator role of the dev account."""
    run = bootstrap(
        EXAMPLE_DEV, {"webstack-bootstrap:operatorPrincipalArns": [f"arn:aws:iam::{ACCOUNT}:user/a"]}
    )
    return rendered(run, "delivery-operator-commands")


def _run(variant: str, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    command, argv = VARIANTS[variant]
    _with_data_stores(fake)
    if variant == "logs polling":
        refuse_live_tail(monkeypatch)
        monkeypatch.setattr("ops.logs._sleep", lambda _: (_ for _ in ()).throw(KeyboardInterrupt))
    if variant == "run --timeout":
        ticks = iter(range(0, 10_000, 100))
        monkeypatch.setattr("ops.run._clock", lambda: float(next(ticks)))
        monkeypatch.setattr("ops.run._sleep", lambda _: None)
    else:
        _stop_with(fake, monkeypatch, 0, "Essential container in task exited")
    if command == "rollback":
        _deploy_new_revision(fake)
    code, _, err = fake.run(*argv)
    assert code == (124 if variant == "run --timeout" else 0), err
    return command, argv


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_call_of_a_command_is_allowed_by_its_rows_and_by_the_operator_roles_policy(
    variant: str,
    fake_dev: Fake,
    monkeypatch: pytest.MonkeyPatch,
    operator_policy: list[Mapping[str, Any]],
    task_roles: list[str],
):
    command, _ = _run(variant, fake_dev, monkeypatch)
    own_rows = statements(
        (command,), partition="aws", region=REGION, account=ACCOUNT, cluster=fake_dev.outputs["clusterName"]
    )
    made = list(requests(fake_dev, task_roles))
    assert made and [r for r in made if not allows(own_rows, r)] == []
    assert [r for r in made if not allows(operator_policy, r)] == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_row_of_a_command_is_used_by_it(
    command: str, fake_dev: Fake, monkeypatch: pytest.MonkeyPatch, task_roles: list[str]
):
    """A row no run calls is one the table should not have (dependent rows are made for the command)."""
    _run(command, fake_dev, monkeypatch)
    if command == "run":
        _run("run --timeout", fake_dev, monkeypatch)  # ecs:StopTask
    called = {r.action for r in requests(fake_dev, task_roles)}
    assert sorted({g.action for g in OPERATOR_ACTIONS[command]} - called) == []


def _shape(statement: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str]:
    actions = statement["Action"]
    condition = {
        test: {key: sorted([v] if isinstance(v, str) else v) for key, v in keys.items()}
        for test, keys in statement.get("Condition", {}).items()
    }
    return (
        actions if isinstance(actions, str) else "+".join(actions),
        tuple(sorted(statement["Resource"])),
        json.dumps(condition, sort_keys=True),
    )


def test_the_operator_roles_policy_is_the_tables_rows_and_nothing_else(operator_policy):
    table = statements(partition="aws", account=ACCOUNT)
    assert sorted(map(_shape, operator_policy)) == sorted(map(_shape, table))
    assert {s["Effect"] for s in operator_policy} == {"Allow"}


@pytest.mark.parametrize(
    ("why", "request_"),
    [
        (
            "another account's cluster",
            Request("ecs:ExecuteCommand", "arn:aws:ecs:eu-west-1:999999999999:cluster/c"),
        ),
        (
            "a role webstack did not create",
            Request(
                "iam:PassRole",
                f"arn:aws:iam::{ACCOUNT}:role/Admin",
                {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
            ),
        ),
        (
            "a webstack role passed to another service",
            Request(
                "iam:PassRole",
                f"arn:aws:iam::{ACCOUNT}:role/webstack/r",
                {"iam:PassedToService": "lambda.amazonaws.com"},
            ),
        ),
        ("the stack key outside a session", Request("kms:GenerateDataKey", STACK_KEY)),
        (
            "the stack key for a session into an instance",
            Request(
                "kms:GenerateDataKey",
                STACK_KEY,
                {"kms:EncryptionContext:aws:ssm:TargetId": "i-0123456789abcdef0"},
            ),
        ),
        ("the stack key to decrypt", Request("kms:Decrypt", STACK_KEY)),
        (
            "a shell session document",
            Request("ssm:StartSession", f"arn:aws:ssm:{REGION}::document/AWS-StartInteractiveCommand"),
        ),
        ("an EC2 instance", Request("ssm:StartSession", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123")),
        ("a task outside any cluster", Request("ecs:RunTask", f"{ECS}:task-definition/api-task:1")),
        (
            "a secret's value",
            Request("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:x"),
        ),
    ],
)
def test_the_operator_roles_policy_refuses_what_no_command_needs(why, request_, operator_policy):
    assert decide(operator_policy, request_) == "ImplicitDeny", why


def test_every_row_names_its_source_in_the_service_authorization_reference():
    rows = [g for grants in OPERATOR_ACTIONS.values() for g in grants]
    assert rows and all(
        g.source.startswith("https://docs.aws.amazon.com/service-authorization/") for g in rows
    )
