"""The VpcFunction component on its own, built from its Args under the mock engine: its network paths,
its execution role's statements, its log group and the function's VPC and logging settings."""

import json
from typing import Any

import pytest

from components.function import (
    LOG_ACTIONS,
    VPC_ACTIONS,
    FunctionEgress,
    FunctionStatement,
    VpcFunction,
    VpcFunctionArgs,
)
from plan.engine import Run, run_component
from plan.graph import _plain  # pyright: ignore[reportPrivateUsage]

KEY = "arn:aws:kms:eu-west-1:111111111111:key/fixture"
SOURCE = "def handler(event, context):\n    return {'ok': True}\n"


def args(**overrides: Any) -> VpcFunctionArgs:
    given: dict[str, Any] = {
        "source": SOURCE,
        "vpc_id": "vpc-fixture",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "kms_key_arn": KEY,
        "description": "checks a thing",
        "egress": [FunctionEgress(8080, "sg-balancer", "to the test listener")],
        "statements": [FunctionStatement(["backup:PutRestoreValidationResult"], ["arn:aws:backup:*:*:*"])],
        "reserved_concurrency": 2,
        "log_retention_days": 30,
        "tags": {"Stack": "test"},
    }
    return VpcFunctionArgs(**{**given, **overrides})


def build(function_args: VpcFunctionArgs) -> Run:
    return run_component(lambda: VpcFunction("check", function_args))


@pytest.fixture(scope="module")
def run() -> Run:
    return build(args())


def statements(run: Run) -> list[dict[str, Any]]:
    return json.loads(run.named("check-policy").inputs["policy"])["Statement"]


def test_a_function_is_its_group_one_path_each_way_its_log_group_role_policy_and_function(run: Run):
    assert sorted((r.type, r.name) for r in run.resources if r.custom) == [
        ("aws:cloudwatch/logGroup:LogGroup", "check-logs"),
        ("aws:ec2/securityGroup:SecurityGroup", "check-sg"),
        ("aws:iam/role:Role", "check-fn-role"),
        ("aws:iam/rolePolicy:RolePolicy", "check-policy"),
        ("aws:lambda/function:Function", "check-fn"),
        ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "check-out-8080"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "check-in-8080"),
    ]
    component = run.named("check")
    assert component.type == "webstack:components:VpcFunction"
    assert all(r.parent == component.urn for r in run.resources if r.custom)


def test_the_function_leaves_only_to_the_given_group_on_the_given_port_and_that_group_admits_it(run: Run):
    out, into = run.named("check-out-8080").inputs, run.named("check-in-8080").inputs
    own = run.named("check-sg").id
    assert (out["securityGroupId"], out["referencedSecurityGroupId"]) == (own, "sg-balancer")
    assert (into["securityGroupId"], into["referencedSecurityGroupId"]) == ("sg-balancer", own)
    assert {(r["ipProtocol"], r["fromPort"], r["toPort"]) for r in (out, into)} == {("tcp", 8080, 8080)}
    assert "egress" not in run.named("check-sg").inputs and "ingress" not in run.named("check-sg").inputs


def test_without_egress_paths_the_function_has_no_rule_at_all_and_a_path_may_leave_the_ingress_to_its_owner():
    closed = build(args(egress=[]))
    assert not [r for r in closed.resources if "securityGroup" in r.type and "Rule" in r.type]
    outward = build(args(egress=[FunctionEgress(5432, "sg-db", "restored db", admit_on_destination=False)]))
    assert [r.name for r in outward.resources if "Rule" in r.type] == ["check-out-5432"]


def test_the_role_is_assumed_by_lambda_of_this_account_and_writes_only_its_own_log_group(run: Run):
    (trust,) = json.loads(run.named("check-fn-role").inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ["111111111111"]}}
    assert run.named("check-fn-role").inputs["path"] == "/webstack/"
    logs, network, given = statements(run)
    log_group_arn = run.named("check-logs").state["arn"]
    assert (logs["Action"], logs["Resource"]) == (list(LOG_ACTIONS), [f"{log_group_arn}:*"])
    assert "logs:CreateLogGroup" not in logs["Action"]
    # configuration-vpc.html: DescribeNetworkInterfaces only works on "*".
    assert (network["Action"], network["Resource"]) == (list(VPC_ACTIONS), ["*"])
    assert (given["Action"], given["Resource"]) == (
        ["backup:PutRestoreValidationResult"],
        ["arn:aws:backup:*:*:*"],
    )
    assert {s["Effect"] for s in (logs, network, given)} == {"Allow"}


def test_the_function_runs_in_the_given_subnets_behind_its_group_and_logs_to_its_encrypted_group(run: Run):
    function = run.named("check-fn").inputs
    assert function["vpcConfig"] == {
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": ["check-sg-id"],
    }
    assert function["loggingConfig"] == {
        "logFormat": "JSON",
        "logGroup": run.named("check-logs").state["name"],
    }
    assert (function["runtime"], function["handler"]) == ("python3.13", "index.handler")
    assert (function["reservedConcurrentExecutions"], function["timeout"]) == (2, 30)
    assert function["role"] == run.named("check-fn-role").state["arn"]
    log_group = run.named("check-logs").inputs
    assert (log_group["kmsKeyId"], log_group["retentionInDays"]) == (KEY, 30)


def test_the_function_waits_for_its_policy_and_its_network_path(run: Run):
    waits = run.named("check-fn").options["dependsOn"]
    assert {run.named(name).urn for name in ("check-policy", "check-out-8080", "check-in-8080")} <= set(waits)


def test_the_code_is_the_source_as_index_py_and_plans_the_same_twice():
    first, second = (_plain(build(args()).named("check-fn").inputs["code"]) for _ in range(2))
    assert first == second
    assert list(first["archive"]) == ["index.py"]
    changed = _plain(build(args(source=SOURCE + "# v2\n")).named("check-fn").inputs["code"])
    assert changed != first


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"runtime": "python3.9"}, "runtime 'python3.9' is not one of python3.12, python3.13"),
        ({"timeout_seconds": 901}, "timeout_seconds 901 is outside 1-900"),
        ({"subnet_ids": []}, "needs at least one subnet"),
        (
            {"egress": [FunctionEgress(443, "sg-a", "a"), FunctionEgress(443, "sg-b", "b")]},
            "egress ports [443, 443] repeat",
        ),
    ],
)
def test_what_lambda_refuses_is_refused_before_any_resource_exists(overrides: dict[str, Any], message: str):
    with pytest.raises(ValueError, match="check: ") as raised:
        VpcFunction("check", args(**overrides))
    assert message in str(raised.value)
