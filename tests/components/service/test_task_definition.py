"""A service's task definition (components/service/task_definition.py): hardened containers, their
logs, ports, options and environment.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json
from typing import Any

import pytest

from plan.engine import Run

STACKS = ["dev", "prod"]
PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def test_containers_are_hardened_and_log_to_their_own_group(stack):
    name, run = stack
    # dev turns ECS Exec on: its agent needs these writable under a read-only root (containers-roadmap 1359)
    writable = [
        "/tmp",
        *(["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"] if name == "dev" else []),
    ]
    for service, port in PORTS.items():
        definition = container(run, service)
        assert definition["readonlyRootFilesystem"] is True
        assert definition["privileged"] is False
        assert definition["portMappings"] == [{"containerPort": port, "protocol": "tcp"}]
        assert definition["mountPoints"] == [
            {"sourceVolume": f"scratch-{i}", "containerPath": path, "readOnly": False}
            for i, path in enumerate(writable)
        ]
        assert [v["name"] for v in run.named(f"{service}-task").inputs["volumes"]] == [
            f"scratch-{i}" for i in range(len(writable))
        ]
        options = definition["logConfiguration"]["options"]
        assert definition["logConfiguration"]["logDriver"] == "awslogs"
        assert options["awslogs-group"] == run.outputs["logGroups"][service]
        assert options["awslogs-region"] == "eu-west-1"
        task = run.named(f"{service}-task").inputs
        assert (task["networkMode"], task["requiresCompatibilities"]) == ("awsvpc", ["FARGATE"])


def test_the_called_service_names_its_port_and_others_do_not(run: Run):
    assert container(run, "api")["portMappings"] == [
        {"name": "http", "containerPort": 9090, "protocol": "tcp", "appProtocol": "http"},
        {"containerPort": 9091, "protocol": "tcp"},
    ]
    assert container(run, "web")["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]


def test_container_options_reach_the_container_definition(run: Run):
    api = container(run, "api")
    assert api["command"] == ["python", "server.py"]
    assert api["entryPoint"] == ["/usr/bin/env"]
    assert (api["workingDirectory"], api["user"]) == ("/srv", "10001:10001")
    assert not {"command", "entryPoint", "workingDirectory", "user"} & set(container(run, "web"))


def test_the_consumer_and_the_sender_find_the_queue_url_in_their_environment(run: Run):
    url = run.named("jobs-sqs").state["url"]
    worker = {e["name"]: e["value"] for e in container(run, "worker")["environment"]}
    api = {e["name"]: e["value"] for e in container(run, "api")["environment"]}
    assert (worker["QUEUE_URL"], api["QUEUE_URL_JOBS"]) == (url, url)
    assert not any(e["name"].startswith("QUEUE_URL") for e in container(run, "web")["environment"])
