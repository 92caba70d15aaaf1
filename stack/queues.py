"""``webstack:queues``: a map of named work queues between services, and their checks.

Who may use a queue is decided here (one consumer, named senders) and granted by each service's task
role (:mod:`components.service`); :mod:`stack.wiring.data` turns :class:`QueueSettings` into
:class:`components.queue.QueueArgs`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictInt, StrictStr

from stack.schema import StrictModel


class QueueConfig(StrictModel):
    """``queues.<name>``: a work queue between services."""

    consumer: StrictStr = Field(
        description="The service that receives the messages (required: a queue nobody consumes only "
        "fills up).",
        json_schema_extra={"fix": "name the service of this stack that consumes the queue, e.g. worker"},
    )
    senders: tuple[StrictStr, ...] = Field(
        default=(),
        description="Services that may send messages. Default: none (only the consumer touches it).",
        json_schema_extra={"fix": "list service names of this stack, e.g. [api]"},
    )
    visibility_timeout: StrictInt = Field(
        default=30,
        alias="visibilityTimeout",
        ge=0,
        le=43200,
        description="Seconds a received message stays hidden from other consumers (0-43200). Default 30.",
        json_schema_extra={"fix": "use seconds from 0 to 43200, longer than one message takes"},
    )
    max_receive_count: StrictInt = Field(
        default=5,
        alias="maxReceiveCount",
        ge=1,
        le=1000,
        description="Receives before a message moves to the dead-letter queue (1-1000). Default 5.",
        json_schema_extra={"fix": "use a count from 1 to 1000"},
    )
    retention_days: StrictInt = Field(
        default=4,
        alias="retentionDays",
        ge=1,
        le=14,
        description="Days an unconsumed message is kept (1-14; the dead-letter queue keeps 14). Default 4.",
        json_schema_extra={"fix": "use days from 1 to 14"},
    )


@dataclass(frozen=True)
class QueueSettings:
    """One queue as validated."""

    name: str
    consumer: str
    senders: tuple[str, ...]
    visibility_timeout: int
    max_receive_count: int
    retention_seconds: int


_QUEUE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def queue_settings(
    queues: Mapping[str, QueueConfig], services: Mapping[str, object]
) -> tuple[tuple[QueueSettings, ...], list[str]]:
    """Every queue, checked against the stack's services, and every problem found."""
    problems: list[str] = []
    consumed: dict[str, str] = {}
    resolved = []
    for name, queue in queues.items():
        key = f"webstack:queues.{name}"
        if not _QUEUE_NAME.match(name):
            problems.append(
                f"{key}: the name {json.dumps(name)} is not usable in AWS resource names; use 1-40 "
                "lowercase letters, digits and dashes, starting with a letter"
            )
        known = ", ".join(sorted(services)) or "none"
        if queue.consumer not in services:
            problems.append(
                f"{key}.consumer: got {json.dumps(queue.consumer)}, but no service has that name, so "
                f"nobody would consume the queue; use one of: {known}"
            )
        elif queue.consumer in consumed:
            problems.append(
                f"{key}.consumer: {queue.consumer} already consumes "
                f"webstack:queues.{consumed[queue.consumer]}; a service consumes one queue (its "
                "backlog drives its scaling), give this one its own consumer"
            )
        else:
            consumed[queue.consumer] = name
        for sender in queue.senders:
            if sender not in services:
                problems.append(
                    f"{key}.senders: got {json.dumps(sender)}, but no service has that name; use one of: "
                    f"{known}"
                )
        if len(set(queue.senders)) != len(queue.senders):
            problems.append(f"{key}.senders: a service is listed twice; list each sender once")
        resolved.append(
            QueueSettings(
                name=name,
                consumer=queue.consumer,
                senders=tuple(queue.senders),
                visibility_timeout=queue.visibility_timeout,
                max_receive_count=queue.max_receive_count,
                retention_seconds=queue.retention_days * 24 * 3600,
            )
        )
    return tuple(resolved), problems


__all__ = ["QueueConfig", "QueueSettings", "queue_settings"]
