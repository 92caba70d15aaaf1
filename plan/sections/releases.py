"""Release tasks: what runs from each new task definition before its service rolls out (and, when a
stack has them, scheduled-only jobs: what runs on a schedule without a service)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from plan.graph import Graph
from plan.graph_index import Index

JOB = "webstack:components:Job"
SCHEDULE = "aws:scheduler/schedule:Schedule"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
RELEASE_COMMAND = "command:local:Command"
"""components/service/release.py's Command: runs ops/release.py during `pulumi up`."""
RELEASE_ENVIRONMENT = "WEBSTACK_RELEASE"


@dataclass(frozen=True)
class ReleaseRow:
    """One service's release task as the graph declares it."""

    service: str
    command: str
    timeout: int
    gates: tuple[str, ...]
    """The ECS services that wait for it (depend on the Command)."""


def release_rows(graph: Graph) -> list[ReleaseRow]:
    """Each release Command with its command, its timeout and the services that wait for it."""
    index = Index(graph)
    rows = []
    for command in index.of_type(RELEASE_COMMAND):
        text = (command["inputs"].get("environment") or {}).get(RELEASE_ENVIRONMENT)
        document = json.loads(text) if isinstance(text, str) else {}
        gates = tuple(
            sorted(
                r["name"]
                for r in index.of_type("aws:ecs/service:Service")
                if command["urn"] in (r.get("options") or {}).get("dependsOn", [])
            )
        )
        rows.append(
            ReleaseRow(
                service=index.owner(command),
                command=" ".join(document.get("command", [])) or "?",
                timeout=int(document.get("timeout", 0)),
                gates=gates,
            )
        )
    return sorted(rows, key=lambda row: row.service)


@dataclass(frozen=True)
class JobRow:
    """One scheduled-only job (components/job.py) as the graph declares it."""

    job: str
    schedule: str
    timezone: str
    image: str
    size: str
    command: str
    timeout: str
    reaches: tuple[str, ...]
    """The data stores (``database main``) and queues (``queue emails``) it may use."""
    failures: str
    """Where a failed run is reported: the topic, or nobody."""


def job_rows(graph: Graph) -> list[JobRow]:
    """Each Job component with its schedule, image, size, command, timeout, reach and failure rule."""
    index = Index(graph)
    rows = []
    for job in index.of_type(JOB):
        children = [r for r in index.resources if index.component_of(r) == job["urn"]]
        schedule = next((r["inputs"] for r in children if r["type"] == SCHEDULE), {})
        task = next((r["inputs"] for r in children if r["type"] == TASK_DEFINITION), {})
        containers = task.get("containerDefinitions")
        container = (json.loads(containers) if isinstance(containers, str) else [{}])[0]
        entry = container.get("entryPoint") or []
        reaches = sorted(
            " ".join(r["name"].removeprefix(f"{job['name']}-to-").split("-", 1))
            for r in children
            if r["name"].startswith(f"{job['name']}-to-")
        )
        reaches += sorted(  # QUEUE_URL_<NAME> of each queue it sends to (service/task_definition.py)
            f"queue {variable['name'].removeprefix('QUEUE_URL_').lower().replace('_', '-')}"
            for variable in container.get("environment") or []
            if variable["name"].startswith("QUEUE_URL_")
        )
        rule = next((r for r in children if r["type"] == "aws:cloudwatch/eventTarget:EventTarget"), None)
        rows.append(
            JobRow(
                job=job["name"],
                schedule=str(schedule.get("scheduleExpression", "?")),
                timezone=str(schedule.get("scheduleExpressionTimezone", "UTC")),
                image=str(container.get("image", "?")),
                size=f"{task.get('cpu', '?')} CPU / {task.get('memory', '?')} MiB",
                command=" ".join(container.get("command") or []) or "the image's",
                timeout=f"{entry[1]} s" if entry[:1] == ["timeout"] and len(entry) > 1 else "none",
                reaches=tuple(reaches),
                failures="the alarm topic" if rule is not None else "NOBODY (no alarm topic)",
            )
        )
    return sorted(rows, key=lambda row: row.job)


def releases(graph: Graph) -> list[str]:
    """Release tasks as lines: command, timeout, and which service rollout waits for it; then jobs."""
    rows = release_rows(graph)
    lines = (
        ["Release tasks: none."]
        if not rows
        else ["Release tasks (run from each new task definition; the rollout waits for exit 0):"]
    )
    for row in rows:
        waits = ", ".join(row.gates) or "NOTHING (the service does not wait: check the graph)"
        lines.append(f"  {row.service}: {row.command} (timeout {row.timeout} s) before {waits}")
    return lines + jobs(graph)


def jobs(graph: Graph) -> list[str]:
    """Scheduled-only jobs: no task runs between their runs (none when the stack has none)."""
    rows = job_rows(graph)
    if not rows:
        return []
    lines = ["Jobs (an ECS task on a schedule; nothing runs between runs):"]
    for row in rows:
        lines.append(
            f"  {row.job}: {row.schedule} {row.timezone}, {row.command} (timeout {row.timeout}), "
            f"{row.size}, image {row.image}"
        )
        lines.append(
            f"    reaches {', '.join(row.reaches) or 'nothing but HTTPS'}; "
            f"a failed run notifies {row.failures}"
        )
    return lines
