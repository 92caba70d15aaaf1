"""``exec SERVICE [--task ID] [-- COMMAND]``: an ECS Exec session into a running task (a shell by default),
the equivalent of ``aws ecs execute-command --interactive``."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any, TextIO

from ops import plugin
from ops.aws import Aws, aws_errors
from ops.ecs import describe_services, main_container, pick_task, task_id
from ops.errors import OpsError
from ops.outputs import Stack

DEFAULT_COMMAND = "/bin/sh"


def require_exec(stack: Stack, key: str, service: dict[str, Any]) -> None:
    if not service.get("enableExecuteCommand"):
        raise OpsError(
            f"ECS Exec is off for service {key} in stack {stack.name}, so no session can open. Turn it on "
            f"with webstack:cluster: {{execEnabled: true}} in Pulumi.{stack.name}.yaml (the dev default; "
            "sessions are logged) and run `pulumi up`; tasks started after that deploy accept sessions."
        )


def exec_target(aws: Aws, stack: Stack, key: str, task_wanted: str | None) -> tuple[dict, dict]:
    """``(task, container)`` of a running task of ``key`` that accepts ECS Exec sessions."""
    _, ecs_service = stack.service(key)
    service = describe_services(aws, stack, [ecs_service])[ecs_service]
    require_exec(stack, key, service)
    task = pick_task(aws, stack, key, ecs_service, task_wanted)
    if not task.get("enableExecuteCommand", True):
        raise OpsError(
            f"task {task_id(task['taskArn'])} started before ECS Exec was turned on; pick a newer task with "
            f"--task, or force a new deployment (`aws ecs update-service --force-new-deployment`)."
        )
    return task, main_container(task, key)


def shell(
    aws: Aws,
    stack: Stack,
    service: str,
    task_wanted: str | None,
    command: Sequence[str],
    out: TextIO,
) -> int:
    key, _ = stack.service(service)
    plugin.require_plugin()
    task, container = exec_target(aws, stack, key, task_wanted)
    line = shlex.join(command) if command else DEFAULT_COMMAND
    ident = task_id(task["taskArn"])
    print(f"# {key}: task {ident}, container {container['name']}: {line}", file=out, flush=True)
    ecs = aws.client("ecs")
    with aws_errors(f"starting ECS Exec in task {ident} (ecs:ExecuteCommand)"):
        answer = ecs.execute_command(
            cluster=stack.cluster,
            task=task["taskArn"],
            container=container["name"],
            command=line,
            interactive=True,
        )
    runtime = container.get("runtimeId")
    if not runtime:
        raise OpsError(f"container {container['name']} of task {ident} has no runtime id yet; try again.")
    target = {"Target": f"ecs:{stack.cluster}_{ident}_{runtime}"}
    return plugin.hand_over(plugin.argv(aws, ecs, answer["session"], target))
