"""Queues and schedules: work that moves without a network path of its own."""

from __future__ import annotations

import json
from dataclasses import dataclass

from plan.graph import Graph
from plan.graph_index import Index, short_type

SCHEDULER = "scheduler"
"""The node EventBridge Scheduler's starts come from."""


@dataclass(frozen=True)
class Flow:
    """Work that moves without a network path of its own: a message or a scheduled start."""

    source: str
    destination: str
    label: str


def flows(graph: Graph) -> list[Flow]:
    """Sender -> queue and queue -> consumer, read from the task roles' SQS permissions (what IAM
    really allows), and scheduler -> service for every schedule."""
    index = Index(graph)
    queues = {
        q["outputs"].get("arn"): index.owner(q)
        for q in index.of_type("aws:sqs/queue:Queue")
        if short_type(index.by_urn.get(q.get("parent") or "", {}).get("type", "")) == "Queue"
    }
    found: list[Flow] = []
    for policy in index.of_type("aws:iam/rolePolicy:RolePolicy"):
        document = policy["inputs"].get("policy")
        statements = json.loads(document).get("Statement", []) if isinstance(document, str) else []
        for statement in statements:
            actions = statement.get("Action") or []
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource") or []
            for queue in (
                queues[r] for r in ([resources] if isinstance(resources, str) else resources) if r in queues
            ):
                if "sqs:SendMessage" in actions:
                    found.append(Flow(index.owner(policy), queue, "sends"))
                if "sqs:ReceiveMessage" in actions:
                    found.append(Flow(queue, index.owner(policy), "consumes"))
    for schedule in index.of_type("aws:scheduler/schedule:Schedule"):
        found.append(
            Flow(SCHEDULER, index.owner(schedule), str(schedule["inputs"].get("scheduleExpression")))
        )
    return sorted(set(found), key=lambda flow: (flow.source, flow.destination, flow.label))


def messaging(graph: Graph) -> list[str]:
    """Queues and schedules as lines: who sends, who consumes, what runs when."""
    found = flows(graph)
    if not found:
        return ["Queues and schedules: none."]
    return ["Queues and schedules:", *[f"  {f.source} -> {f.destination}: {f.label}" for f in found]]
