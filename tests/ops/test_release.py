"""The release runner (``python -m ops.release``) against a fake AWS (moto): it runs the NEW task
definition in the given network, streams its log, exits with the container's code, stops it at its
timeout, and names the task's log stream (with its console link) in the error `pulumi up` shows."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager

from ops import release as runner
from ops.errors import OpsError
from ops.release import ENVIRONMENT, Release, console_link

ACCOUNT, REGION, CLUSTER = "111111111111", "eu-west-1", "cluster-ecs-id"
GROUP = "api-logs-id"


@pytest.fixture
def fake(aws_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A cluster, the new task definition (awslogs to the service's group) and the release document."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    # A task stays RUNNING until the test stops it (moto otherwise advances it on every DescribeTasks).
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 1_000_000})
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as components/network does
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.0.0/20")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.put_account_setting(name="taskLongArnFormat", value="enabled")
        ecs.create_cluster(clusterName=CLUSTER)
        definition = ecs.register_task_definition(
            family="webstack-dev-api",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": "api",
                    "image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/api-repo:v2",
                    "memory": 512,
                    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:x:1:secret:db"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": GROUP,
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "api",
                        },
                    },
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        boto3.client("logs", region_name=REGION).create_log_group(logGroupName=GROUP)
        document = {
            "service": "api",
            "region": REGION,
            "cluster": CLUSTER,
            "taskDefinition": definition,
            "command": ["python", "server.py", "migrate"],
            "timeout": 120,
            "placement": {
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [subnet],
                        "securityGroups": [group],
                        "assignPublicIp": "DISABLED",
                    }
                },
            },
            "assumeRoles": [],
        }
        calls: list[tuple[str, dict[str, Any]]] = []
        real = boto3.Session

        def session(*args: Any, **kwargs: Any) -> Any:
            made = real(*args, **kwargs)
            made.events.register(
                "before-parameter-build", lambda params, model, **_: calls.append((model.name, dict(params)))
            )
            return made

        monkeypatch.setattr("ops.release.boto3.Session", session)
        yield {"document": document, "calls": calls}
    state_manager.unset_transition("ecs::task")


def _release_task() -> Any:
    tasks = ecs_backends[ACCOUNT][REGION].tasks[CLUSTER]
    (task,) = [t for t in tasks.values() if t.started_by == "webstack-release"]
    return task


def _stop_with(monkeypatch: pytest.MonkeyPatch, exit_code: int | None, reason: str, line: str) -> None:
    """On the runner's first wait, ECS stops the task (exit code or none) after it logged ``line``."""

    def stop(_: float) -> None:
        task = _release_task()
        task.last_status, task.stopped_reason = "STOPPED", reason
        for container in task.containers:
            setattr(container, "exitCode", exit_code)  # noqa: B010 (moto's model has no annotation for it)
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=f"api/api/{task.id}")
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=f"api/api/{task.id}",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
        )

    monkeypatch.setattr("ops.run._sleep", stop)


def _run(document: dict[str, Any]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = runner.main({ENVIRONMENT: json.dumps(document)}, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_release_runs_the_new_task_definition_with_its_command_in_the_services_network(fake, monkeypatch):
    _stop_with(monkeypatch, 0, "Essential container in task exited", "created table visits")
    code, out, err = _run(fake["document"])
    assert code == 0
    (started,) = [params for op, params in fake["calls"] if op == "RunTask"]
    document = fake["document"]
    assert started["taskDefinition"] == document["taskDefinition"]
    assert started["cluster"] == CLUSTER and started["startedBy"] == "webstack-release"
    assert started["overrides"] == {
        "containerOverrides": [{"name": "api", "command": ["python", "server.py", "migrate"]}]
    }
    assert started["networkConfiguration"] == document["placement"]["networkConfiguration"]
    assert out.endswith(" api | created table visits\n")
    assert "# release of api done: task " in err and "api exited with code 0." in err


def test_a_failed_release_exits_with_the_containers_code_and_names_its_log_stream(fake, monkeypatch):
    _stop_with(monkeypatch, 3, "Essential container in task exited", "relation visits: permission denied")
    code, _, err = _run(fake["document"])
    ident = _release_task().id
    assert code == 3
    assert f"release of api failed: task {ident}: api exited with code 3" in err
    assert f"log stream api/api/{ident} in {GROUP}: {console_link(REGION, GROUP, f'api/api/{ident}')}" in err
    assert "The service was not updated: the old version keeps serving." in err


def test_a_release_whose_container_never_ran_fails_with_exit_1_and_the_stopped_reason(fake, monkeypatch):
    _stop_with(monkeypatch, None, "CannotPullContainerError: pull access denied", "-")
    code, _, err = _run(fake["document"])
    assert code == 1 and "failed before api exited: CannotPullContainerError: pull access denied." in err


def test_a_release_that_outlives_its_timeout_is_stopped_and_fails(fake, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("ops.run._clock", lambda: now[0])
    monkeypatch.setattr("ops.run._sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    code, _, err = _run({**fake["document"], "timeout": 30})
    assert code == 1
    (stopped,) = [params for op, params in fake["calls"] if op == "StopTask"]
    assert stopped["task"].endswith(_release_task().id) and stopped["reason"] == "timed out after 30 seconds"
    assert "api did not finish within 30 seconds; stopped it." in err
    assert _release_task().desired_status == "STOPPED"


def test_the_runner_assumes_the_stacks_deploy_roles_in_turn_before_calling_ecs(fake, monkeypatch):
    _stop_with(monkeypatch, 0, "done", "ok")
    roles = ["arn:aws:iam::111111111111:role/webstack-deploy", "arn:aws:iam::111111111111:role/other"]
    code, _, _ = _run({**fake["document"], "assumeRoles": roles})
    assumed = [params["RoleArn"] for op, params in fake["calls"] if op == "AssumeRole"]
    assert code == 0 and assumed == roles
    names = [op for op, _ in fake["calls"]]
    assert names.index("AssumeRole") < names.index("RunTask")


def test_the_runner_refuses_to_run_without_its_document_and_says_what_it_is_for():
    err = io.StringIO()
    assert runner.main({}, out=io.StringIO(), err=err) == 1
    assert "WEBSTACK_RELEASE is not set" in err.getvalue() and "python -m ops run SERVICE" in err.getvalue()


def test_the_console_link_escapes_the_group_and_stream_as_the_cloudwatch_console_does():
    assert console_link("eu-west-1", "/ecs/api", "api/api/abc") == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#logsV2:log-groups/log-group/$252Fecs$252Fapi/log-events/api$252Fapi$252Fabc"
    )


def test_a_document_without_its_keys_is_refused_naming_the_missing_key():
    with pytest.raises(OpsError, match=r"not a release document \(KeyError: 'cluster'\)"):
        Release.parse(json.dumps({"service": "api", "region": REGION}))
