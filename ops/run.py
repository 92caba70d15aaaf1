"""``run SERVICE -- COMMAND``: a one-off task with the service's task definition (image, roles, secrets,
environment) and network, its logs streamed, exiting with the container's exit code.

:func:`run_one_off` is the reusable part (a release or migration step calls it with its own command).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ops.aws import Aws, aws_errors
from ops.ecs import describe_services, describe_tasks, task_id
from ops.errors import OpsError
from ops.logs import format_event, parse_duration
from ops.outputs import Stack

POLL_SECONDS = 6.0
TIMEOUT_EXIT_CODE = 124
"""What ``run --timeout`` exits with when it stopped the task (as GNU timeout does)."""
STARTED_BY = "webstack-ops"
"""startedBy on the one-off tasks (ECS: up to 128 letters, digits, hyphens, underscores)."""
_NETWORK_KEYS = ("launchType", "capacityProviderStrategy", "platformVersion", "networkConfiguration")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _clock() -> float:
    return time.monotonic()


def _stop(aws: Aws, stack: Stack, arn: str, timeout: str) -> None:
    """Stop the one-off task (ECS sends SIGTERM, then SIGKILL after the container's stopTimeout)."""
    with aws_errors(f"stopping task {task_id(arn)} after --timeout {timeout} (ecs:StopTask)"):
        aws.client("ecs").stop_task(
            cluster=stack.cluster, task=arn, reason=f"{STARTED_BY}: --timeout {timeout} reached"
        )


def _resolve(stack: Stack, name: str) -> tuple[str, str]:
    """``(key, ECS service name)`` of the service ``name``; a webstack:jobs entry is refused clearly."""
    if name not in stack.services and name in (stack.outputs.get("jobs") or {}):
        raise OpsError(
            f"{name} is a webstack:jobs entry of stack {stack.name}; `run` starts one-off tasks of services "
            "only for now. Run the job on its schedule, or a service's image with the job's command: "
            f"run <service> -- <command>."
        )
    return stack.service(name)


def _task_definition(aws: Aws, arn: str) -> dict[str, Any]:
    with aws_errors(f"reading task definition {arn.rsplit('/', 1)[-1]} (ecs:DescribeTaskDefinition)"):
        return aws.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]


def _container(definition: Mapping[str, Any], key: str) -> dict[str, Any]:
    containers = list(definition.get("containerDefinitions") or [])
    return next((c for c in containers if c.get("name") == key), containers[0])


def _start(aws: Aws, stack: Stack, service: Mapping[str, Any], container: str, command: Sequence[str]) -> str:
    params: dict[str, Any] = {k: service[k] for k in _NETWORK_KEYS if service.get(k)}
    if params.get("capacityProviderStrategy"):
        params.pop("launchType", None)
    with aws_errors(f"starting a one-off task of {service['serviceName']} (ecs:RunTask)"):
        answer = aws.client("ecs").run_task(
            cluster=stack.cluster,
            taskDefinition=service["taskDefinition"],
            count=1,
            startedBy=STARTED_BY,
            overrides={"containerOverrides": [{"name": container, "command": list(command)}]},
            **params,
        )
    if answer.get("failures") or not answer.get("tasks"):
        reasons = "; ".join(
            f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in answer.get("failures", [])
        )
        raise OpsError(f"ECS did not start the task: {reasons or 'no task and no reason given'}.")
    return answer["tasks"][0]["taskArn"]


def _stream_name(container: Mapping[str, Any], ident: str) -> tuple[str, str] | None:
    """``(log group, stream)`` of the container's awslogs output, if it logs through awslogs."""
    logging = container.get("logConfiguration") or {}
    options = logging.get("options") or {}
    if logging.get("logDriver") != "awslogs" or "awslogs-group" not in options:
        return None
    prefix = options.get("awslogs-stream-prefix")
    stream = f"{prefix}/{container['name']}/{ident}" if prefix else ident
    return options["awslogs-group"], stream


class _LogTail:
    """New lines of one stream since the last poll (FilterLogEvents, deduplicated by event id)."""

    def __init__(self, aws: Aws, where: tuple[str, str] | None, out: TextIO) -> None:
        self.aws, self.where, self.out, self.seen = aws, where, out, set[str]()

    def poll(self) -> None:
        if self.where is None:
            return
        group, stream = self.where
        with aws_errors(f"reading the task's logs in {group} (logs:FilterLogEvents)"):
            try:
                pages = (
                    self.aws.client("logs")
                    .get_paginator("filter_log_events")
                    .paginate(logGroupName=group, logStreamNames=[stream])
                )
                events = [e for page in pages for e in page.get("events", [])]
            except self.aws.client("logs").exceptions.ResourceNotFoundException:
                return  # the stream appears when the container writes its first line
        for event in sorted(events, key=lambda e: (e.get("timestamp", 0), e.get("eventId", ""))):
            if event.get("eventId") not in self.seen:
                self.seen.add(event.get("eventId", ""))
                print(format_event(event), file=self.out, flush=True)


def _outcome(task: Mapping[str, Any], container: str) -> tuple[int, str]:
    ident = task_id(task["taskArn"])
    mine = next((c for c in task.get("containers", []) if c.get("name") == container), {})
    code = mine.get("exitCode")
    why = task.get("stoppedReason") or "no reason given"
    if code is None:
        detail = f"; container: {mine['reason']}" if mine.get("reason") else ""
        return 1, f"task {ident} failed before {container} exited: {why}{detail}."
    if code != 0:
        return int(code), f"task {ident}: {container} exited with code {code} (task stopped: {why})."
    return 0, f"task {ident}: {container} exited with code 0."


def run_one_off(
    aws: Aws,
    stack: Stack,
    service: str,
    command: Sequence[str],
    out: TextIO,
    err: TextIO,
    timeout: str | None = None,
) -> int:
    """Start, stream, wait; the container's exit code (1 when the task failed before it ran,
    TIMEOUT_EXIT_CODE when ``timeout`` passed and the task was stopped)."""
    if not command:
        raise OpsError("run needs a command after --, for example: run api -- python manage.py migrate")
    limit = parse_duration(timeout, "--timeout") if timeout else None
    key, ecs_service = _resolve(stack, service)
    described = describe_services(aws, stack, [ecs_service])[ecs_service]
    definition = _task_definition(aws, described["taskDefinition"])
    container = _container(definition, key)
    secrets = ", ".join(s["name"] for s in container.get("secrets", [])) or "none"
    arn = _start(aws, stack, described, container["name"], command)
    ident = task_id(arn)
    print(
        f"# started task {ident} ({definition.get('family')}:{definition.get('revision')}, container "
        f"{container['name']}, secrets by name: {secrets})",
        file=err,
        flush=True,
    )
    tail, status, started, stopped = _LogTail(aws, _stream_name(container, ident), out), "", _clock(), False
    while True:
        (task,) = describe_tasks(aws, stack, [arn]) or [{"taskArn": arn, "lastStatus": "UNKNOWN"}]
        if task.get("lastStatus") != status:
            status = task.get("lastStatus", "")
            print(f"# task {ident}: {status}", file=err, flush=True)
        tail.poll()
        if status == "STOPPED":
            break
        if limit is not None and not stopped and _clock() - started >= limit:
            print(
                f"# task {ident}: --timeout {timeout} reached, stopping it (ecs:StopTask)",
                file=err,
                flush=True,
            )
            _stop(aws, stack, arn, str(timeout))
            stopped = True
        _sleep(POLL_SECONDS)
    code, summary = _outcome(task, container["name"])
    if stopped:
        code, summary = (
            TIMEOUT_EXIT_CODE,
            f"task {ident} stopped after --timeout {timeout} (exit code {TIMEOUT_EXIT_CODE}).",
        )
    print(f"# {summary}", file=err, flush=True)
    return code
