"""``run SERVICE -- COMMAND``: a one-off task with the service's task definition (image, roles, secrets,
environment) and network, its logs streamed, exiting with the container's exit code.

:func:`run_task_to_end` is the reusable part: the release runner (:mod:`ops.release`) runs a new task
definition with it before its service is updated.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from ops.aws import Aws, aws_errors
from ops.ecs import describe_services, task_id
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


def _start(
    aws: Aws,
    cluster: str,
    task_definition: str,
    placement: Mapping[str, Any],
    container: str,
    command: Sequence[str],
    started_by: str = STARTED_BY,
) -> str:
    """RunTask of ``task_definition`` with ``command`` in ``placement`` (a service's launch type or
    capacity provider strategy, platform version and network configuration); the task's ARN."""
    params: dict[str, Any] = {k: placement[k] for k in _NETWORK_KEYS if placement.get(k)}
    if params.get("capacityProviderStrategy"):
        params.pop("launchType", None)
    family = task_definition.rsplit("/", 1)[-1]
    with aws_errors(f"starting a one-off task of {family} (ecs:RunTask)"):
        answer = aws.client("ecs").run_task(
            cluster=cluster,
            taskDefinition=task_definition,
            count=1,
            startedBy=started_by,
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


@dataclass(frozen=True)
class Finished:
    """How a one-off task ended."""

    code: int
    """The container's exit code; 1 when the task failed before it ran, or timed out."""
    summary: str
    """One sentence: which task, which container, which exit code or why it stopped."""
    task_id: str
    log_stream: tuple[str, str] | None
    """``(log group, stream)`` of the container's output, when it logs through awslogs."""
    timed_out: bool = False
    """Whether the task was stopped because its timeout passed."""


def run_task_to_end(
    aws: Aws,
    cluster: str,
    task_definition: str,
    placement: Mapping[str, Any],
    command: Sequence[str],
    out: TextIO,
    err: TextIO,
    container_key: str = "",
    timeout: float | None = None,
    started_by: str = STARTED_BY,
    stop_reason: str | None = None,
) -> Finished:
    """Start ``task_definition`` with ``command``, stream its log, wait until it stops (or, after
    ``timeout`` seconds, stop it: ecs:StopTask), and say how it ended."""
    definition = _task_definition(aws, task_definition)
    container = _container(definition, container_key)
    secrets = ", ".join(s["name"] for s in container.get("secrets", [])) or "none"
    arn = _start(aws, cluster, task_definition, placement, container["name"], command, started_by)
    ident = task_id(arn)
    print(
        f"# started task {ident} ({definition.get('family')}:{definition.get('revision')}, container "
        f"{container['name']}, secrets by name: {secrets})",
        file=err,
        flush=True,
    )
    where = _stream_name(container, ident)
    tail, status, deadline = _LogTail(aws, where, out), "", None if timeout is None else _clock() + timeout
    while True:
        (task,) = _describe(aws, cluster, arn) or [{"taskArn": arn, "lastStatus": "UNKNOWN"}]
        if task.get("lastStatus") != status:
            status = task.get("lastStatus", "")
            print(f"# task {ident}: {status}", file=err, flush=True)
        tail.poll()
        if status == "STOPPED":
            break
        if deadline is not None and _clock() >= deadline:
            with aws_errors(f"stopping task {ident} after its timeout (ecs:StopTask)"):
                aws.client("ecs").stop_task(
                    cluster=cluster, task=arn, reason=stop_reason or f"timed out after {timeout:g} seconds"
                )
            tail.poll()
            late = f"{container['name']} did not finish within {timeout:g} seconds"
            summary = f"task {ident}: {late}; stopped it."
            return Finished(1, summary, ident, where, timed_out=True)
        _sleep(POLL_SECONDS)
    code, summary = _outcome(task, container["name"])
    return Finished(code, summary, ident, where)


def _describe(aws: Aws, cluster: str, arn: str) -> list[dict[str, Any]]:
    with aws_errors("describing tasks (ecs:DescribeTasks)"):
        return aws.client("ecs").describe_tasks(cluster=cluster, tasks=[arn]).get("tasks", [])


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
    finished = run_task_to_end(
        aws,
        stack.cluster,
        described["taskDefinition"],
        described,
        command,
        out,
        err,
        container_key=key,
        timeout=limit,
        stop_reason=f"{STARTED_BY}: --timeout {timeout} reached",
    )
    if finished.timed_out:
        print(f"# task {finished.task_id}: --timeout {timeout} reached, stopping it (ecs:StopTask)", file=err)
        print(
            f"# task {finished.task_id} stopped after --timeout {timeout} (exit code {TIMEOUT_EXIT_CODE}).",
            file=err,
            flush=True,
        )
        return TIMEOUT_EXIT_CODE
    print(f"# {finished.summary}", file=err, flush=True)
    return finished.code
