"""Every failure is one paragraph naming the problem and the fix, exit code 1, and no traceback."""

import json
import subprocess
from pathlib import Path

import pytest

from ops.aws import Aws
from ops.errors import OpsError
from ops.outputs import load
from tests.ops.conftest import Fake


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and err.count("\n") == 1


def test_an_unknown_service_lists_the_services_the_stack_has(fake_dev: Fake):
    code, out, err = fake_dev.run("logs", "payments")
    assert (code, out) == (1, "")
    assert (
        err
        == "python -m ops logs: stack example-dev has no service 'payments'; its services are: api, web.\n"
    )


def test_exec_explains_how_to_turn_ecs_exec_on_when_the_stack_has_it_off(fake_prod: Fake):
    code, _, err = fake_prod.run("exec", "api")
    assert code == 1
    assert "ECS Exec is off for service api in stack example-prod" in err
    assert "webstack:cluster: {execEnabled: true} in Pulumi.example-prod.yaml" in err
    assert not [op for _, op, _ in fake_prod.calls if op == "ExecuteCommand"]
    _no_traceback(err)


def test_a_missing_session_manager_plugin_says_how_to_install_it_before_any_session_starts(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("ops.plugin._which", lambda name: None)
    for argv in (("exec", "api"), ("cache",)):
        code, _, err = fake_dev.run(*argv)
        assert code == 1
        assert "Session Manager plugin is not installed" in err or "exports no caches" in err
    code, _, err = fake_dev.run("exec", "api")
    assert "brew install --cask session-manager-plugin" in err and "sudo dpkg -i" in err
    assert not [op for _, op, _ in fake_dev.calls if op in ("ExecuteCommand", "StartSession")]
    _no_traceback(err)


def test_credentials_for_another_account_are_refused_before_any_other_call(fake_dev: Fake):
    outputs = dict(fake_dev.outputs, allowedAccountIds=["999999999999"])
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    code, _, err = fake_dev.run("status")
    assert code == 1
    assert "your credentials are for account 111111111111" in err
    assert "stack example-dev is pinned to 999999999999 (aws:allowedAccountIds)" in err
    assert [op for _, op, _ in fake_dev.calls] == ["GetCallerIdentity"]


def test_without_the_output_the_pin_comes_from_the_stack_file(fake_dev: Fake):
    outputs = {k: v for k, v in fake_dev.outputs.items() if k != "allowedAccountIds"}
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    stack_file = fake_dev.outputs_file.parent / "Pulumi.example-dev.yaml"
    stack_file.write_text('config:\n  aws:allowedAccountIds: ["222222222222"]\n')
    code, _, err = fake_dev.run("status")
    assert code == 1 and "is pinned to 222222222222" in err


def test_a_stack_that_is_not_deployed_says_to_run_pulumi_up():
    def pulumi(argv):
        return subprocess.CompletedProcess(argv, 0, stdout="{}\n", stderr="")

    with pytest.raises(OpsError, match=r"stack dev has no outputs: it is not deployed yet \(run `pulumi up"):
        load("dev", None, Path("."), run=pulumi)


def test_a_failing_pulumi_cli_and_a_missing_one_are_explained():
    def failing(argv):
        return subprocess.CompletedProcess(argv, 255, stdout="", stderr="error: no stack named 'prd' found\n")

    def missing(argv):
        raise FileNotFoundError(argv[0])

    with pytest.raises(OpsError, match=r"no stack named 'prd' found\. Check the stack name"):
        load("prd", None, Path("."), run=failing)
    with pytest.raises(OpsError, match="the Pulumi CLI is not installed"):
        load("prd", None, Path("."), run=missing)


def test_outputs_of_an_older_deploy_name_the_missing_export(fake_dev: Fake):
    outputs = {k: v for k, v in fake_dev.outputs.items() if k != "clusterName"}
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    code, _, err = fake_dev.run("status")
    assert code == 1 and "its outputs have no 'clusterName'" in err


def test_an_unexpected_error_is_one_line_without_a_traceback(fake_dev: Fake, monkeypatch: pytest.MonkeyPatch):
    def broken(*args, **kwargs):
        raise KeyError("deployments")

    monkeypatch.setattr("ops.status.collect", broken)
    code, _, err = fake_dev.run("status")
    assert code == 1 and "unexpected KeyError: 'deployments'. Run again with WEBSTACK_OPS_DEBUG=1" in err
    _no_traceback(err)


def test_an_aws_refusal_names_the_action_and_the_fix(fake_dev: Fake, monkeypatch: pytest.MonkeyPatch):
    import botocore.exceptions

    def denied(*args, **kwargs):
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "FilterLogEvents"
        )

    real = Aws.client
    refusing = type("Refusing", (), {"get_paginator": denied})()
    monkeypatch.setattr(Aws, "client", lambda self, name: refusing if name == "logs" else real(self, name))
    code, _, err = fake_dev.run("logs", "api")
    assert code == 1
    assert "AWS refused reading log group api-logs-id (logs:FilterLogEvents): AccessDeniedException" in err
    assert "use the operator role the bootstrap creates" in err
