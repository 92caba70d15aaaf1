"""Release tasks: what runs from each new task definition before its service rolls out (and, when a
stack has them, scheduled-only jobs: what runs on a schedule without a service)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from plan.graph import Graph
from plan.graph_index import Index

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


def releases(graph: Graph) -> list[str]:
    """Release tasks as lines: command, timeout, and which service rollout waits for it."""
    rows = release_rows(graph)
    if not rows:
        return ["Release tasks: none."]
    lines = ["Release tasks (run from each new task definition; the rollout waits for exit 0):"]
    for row in rows:
        waits = ", ".join(row.gates) or "NOTHING (the service does not wait: check the graph)"
        lines.append(f"  {row.service}: {row.command} (timeout {row.timeout} s) before {waits}")
    return lines
