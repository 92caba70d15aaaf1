"""The release task in the graph: a ``command:local:Command`` between the service's task definition and
its ECS service, re-run when the task definition or the command changes, handing ops/release.py the
new task definition, the command and the service's own network.

Exact values come from the fixture stack ``tests/stacks/Pulumi.data-dev.yaml`` (web, database main,
``release: {command: [python, server.py, migrate]}``); the runner itself: tests/ops/test_release.py.
"""

import json
from pathlib import Path

import pytest

from components.service.args import DEFAULT_RELEASE_RUNNER
from ops.release import ENVIRONMENT, Release
from plan.engine import Run, run_stack

STACKS = Path(__file__).parents[1] / "stacks"
COMMAND = "command:local:Command"


@pytest.fixture(scope="module")
def run() -> Run:
    return run_stack("data-dev", root=STACKS)


def release_of(run: Run) -> Release:
    return Release.parse(run.named("web-release").inputs["environment"][ENVIRONMENT])


def test_the_service_rolls_out_only_after_the_release_which_runs_only_after_its_task_definition(run: Run):
    command, task, service = run.named("web-release"), run.named("web-task"), run.named("web-service")
    assert [c.name for c in run.of_type(COMMAND)] == ["web-release"]
    assert command.parent == run.named("web").urn
    assert task.urn in command.options["dependsOn"]
    assert command.urn in service.options["dependsOn"]
    # The task needs its roles' policies and its path to the database before it runs.
    for needed in ("web-execution-data", "web-execution-managed", "web-to-database-main", "web-out-https"):
        assert run.named(needed).urn in command.options["dependsOn"], needed


def test_the_release_is_rerun_exactly_when_the_task_definition_or_the_command_changes(run: Run):
    """pulumi-command replaces a Command whose triggers change (provider/pkg/provider/common/inputs.go:
    ``Triggers ... provider:"replaceOnChanges"``); the task definition's ARN carries its revision."""
    command = run.named("web-release")
    assert command.inputs["triggers"] == [
        run.named("web-task").state["arn"],
        ["python", "server.py", "migrate"],
    ]
    assert command.inputs["create"] == DEFAULT_RELEASE_RUNNER
    assert "update" not in command.inputs and "delete" not in command.inputs


def test_the_runner_gets_the_new_task_definition_the_command_and_the_services_own_network(run: Run):
    release, service = release_of(run), run.named("web-service")
    assert release.service == "web" and release.region == "eu-west-1"
    assert release.task_definition == run.named("web-task").state["arn"]
    assert release.cluster == service.inputs["cluster"]
    assert release.command == ("python", "server.py", "migrate") and release.timeout == 300
    network = service.inputs["networkConfiguration"]
    assert release.placement["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": network["subnets"],
        "securityGroups": network["securityGroups"],
        "assignPublicIp": "DISABLED",
    }
    assert release.placement["capacityProviderStrategy"] == service.inputs["capacityProviderStrategies"]
    assert release.placement["platformVersion"] == service.inputs["platformVersion"]
    assert release.assume_roles == ()


def test_the_release_runs_as_the_stacks_deploy_role_when_the_stack_assumes_one():
    role = "arn:aws:iam::111111111111:role/webstack-deploy"
    run = run_stack("data-dev", {"aws:assumeRoles": json.dumps([{"roleArn": role}])}, root=STACKS)
    assert release_of(run).assume_roles == (role,)


def test_a_service_without_release_has_no_command_and_its_service_waits_for_none():
    services = json.dumps({"web": {"image": "ghcr.io/example/web:1.0.0", "port": 8080, "database": "main"}})
    run = run_stack("data-dev", {"webstack:services": services}, root=STACKS)
    assert run.of_type(COMMAND) == []
    assert not any(":command:" in urn for urn in run.named("web-service").options["dependsOn"])


def test_the_offline_plan_lists_each_release_task_with_the_service_rollout_that_waits_for_it():
    from plan import graph, report

    lines = report.releases(graph.capture("data-dev", root=STACKS))
    assert lines == [
        "Release tasks (run from each new task definition; the rollout waits for exit 0):",
        "  web: python server.py migrate (timeout 300 s) before web-service",
    ]
    assert report.releases(graph.capture("example-dev", root=STACKS)) == ["Release tasks: none."]
