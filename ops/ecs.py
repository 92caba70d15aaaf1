"""ECS look-ups the commands share: a service, its running tasks, the container to talk to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ops.aws import Aws, aws_errors
from ops.errors import OpsError
from ops.outputs import Stack

DESCRIBE_SERVICES_LIMIT = 10
"""DescribeServices takes at most 10 services per call (ECS API reference)."""
DESCRIBE_TASKS_LIMIT = 100
"""DescribeTasks takes at most 100 tasks per call (ECS API reference)."""


def describe_services(aws: Aws, stack: Stack, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """ECS service name -> its description; a service the cluster does not have is an error."""
    found: dict[str, dict[str, Any]] = {}
    ecs = aws.client("ecs")
    for start in range(0, len(names), DESCRIBE_SERVICES_LIMIT):
        chunk = list(names[start : start + DESCRIBE_SERVICES_LIMIT])
        with aws_errors(f"describing services {', '.join(chunk)} (ecs:DescribeServices)"):
            answer = ecs.describe_services(cluster=stack.cluster, services=chunk)
        found.update(
            {s["serviceName"]: s for s in answer.get("services", []) if s.get("status") != "INACTIVE"}
        )
    missing = [name for name in names if name not in found]
    if missing:
        raise OpsError(
            f"stack {stack.name}: cluster {stack.cluster} has no service {', '.join(missing)}. The stack "
            "outputs name it, so the service was deleted outside Pulumi or a deploy is half done; run "
            "`pulumi up` (or `pulumi refresh`) for this stack."
        )
    return found


def running_tasks(aws: Aws, stack: Stack, ecs_service: str) -> list[dict[str, Any]]:
    """The service's RUNNING tasks, described, oldest first (ECS groups them as ``service:<name>``)."""
    ecs = aws.client("ecs")
    with aws_errors(f"listing the tasks of {ecs_service} (ecs:ListTasks)"):
        pages = ecs.get_paginator("list_tasks").paginate(
            cluster=stack.cluster, serviceName=ecs_service, desiredStatus="RUNNING"
        )
        arns = [arn for page in pages for arn in page.get("taskArns", [])]
    tasks = describe_tasks(aws, stack, arns)
    mine = [t for t in tasks if t.get("group") == f"service:{ecs_service}"]
    return sorted(mine, key=lambda t: (str(t.get("startedAt") or t.get("createdAt") or ""), t["taskArn"]))


def describe_tasks(aws: Aws, stack: Stack, arns: Sequence[str]) -> list[dict[str, Any]]:
    ecs = aws.client("ecs")
    tasks: list[dict[str, Any]] = []
    for start in range(0, len(arns), DESCRIBE_TASKS_LIMIT):
        with aws_errors("describing tasks (ecs:DescribeTasks)"):
            answer = ecs.describe_tasks(cluster=stack.cluster, tasks=list(arns[start : start + 100]))
        tasks.extend(answer.get("tasks", []))
    return tasks


def task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def pick_task(aws: Aws, stack: Stack, key: str, ecs_service: str, wanted: str | None) -> dict[str, Any]:
    """The task ``wanted`` (an id or its prefix) or the service's newest running task."""
    tasks = running_tasks(aws, stack, ecs_service)
    if not tasks:
        raise OpsError(
            f"service {key} has no running task to connect to; see `python -m ops status {key} "
            f"--stack {stack.name}` for why (desired count 0, tasks failing to start, ...)."
        )
    if wanted is None:
        return tasks[-1]
    matches = [t for t in tasks if task_id(t["taskArn"]).startswith(wanted)]
    if len(matches) != 1:
        ids = ", ".join(task_id(t["taskArn"]) for t in tasks)
        what = "matches no" if not matches else "matches more than one"
        raise OpsError(f"task {wanted!r} {what} running task of service {key}; its tasks are: {ids}.")
    return matches[0]


def main_container(task: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The service's own container (named after the service key by components/service), else the first."""
    containers = list(task.get("containers") or [])
    if not containers:
        raise OpsError(f"task {task_id(task['taskArn'])} has no containers yet; wait and try again.")
    return next((c for c in containers if c.get("name") == key), containers[0])
