"""The Queue component: an encrypted SQS queue with a dead-letter queue, one consumer, named senders.

Also the schema of ``webstack:queues`` (its keys and checks). Who may use a queue is decided here and
granted by each service's task role (:mod:`components.service`): the consumer may receive, delete and
extend messages of exactly its queue, each sender may send to exactly it, nobody else may do anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictInt, StrictStr

from stack.schema import StrictModel

from .pure.naming import child_name, tags_with_name, type_token

DLQ_RETENTION_SECONDS = 14 * 24 * 3600
"""The SQS maximum. A standard queue keeps a message's original enqueue time when it moves to the DLQ,
so the DLQ must keep messages longer than the source (AWS ``setting-up-dead-letter-queue-retention``)."""
CONSUMER_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
)
"""What a consumer needs on its queue, and nothing else (no purge, no send)."""
SENDER_ACTIONS = ("sqs:SendMessage",)
"""What a sender needs on the queue (``SendMessageBatch`` is authorised by ``sqs:SendMessage``)."""


# --- Config: `webstack:queues.<name>` -------------------------------------------------------------


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


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueArgs:
    """What a Queue builds."""

    settings: QueueSettings
    """The validated queue config."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""


class Queue(pulumi.ComponentResource):
    """An SQS queue, its dead-letter queue, and the redrive between them."""

    arn: pulumi.Output[str]
    """The queue's ARN (task roles are granted on exactly it)."""
    url: pulumi.Output[str]
    """The queue's URL (what the SDKs send to and receive from)."""
    queue_name: pulumi.Output[str]
    """The queue's name (the ``QueueName`` dimension of its metrics)."""
    dead_letter_arn: pulumi.Output[str]
    """The dead-letter queue's ARN."""

    def __init__(self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Queue"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        # SSE-SQS (keys SQS owns and rotates): at-rest encryption that needs no key-policy grant for
        # every sender, consumer and EventBridge Scheduler; a stack CMK can replace it once one exists.
        dead_letter = aws.sqs.Queue(
            child_name(name, "dlq"),
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            tags=tags_with_name(child_name(name, "dlq"), args.tags),
            opts=child,
        )
        queue = aws.sqs.Queue(
            child_name(name, "sqs"),
            visibility_timeout_seconds=settings.visibility_timeout,
            message_retention_seconds=settings.retention_seconds,
            sqs_managed_sse_enabled=True,
            tags=tags_with_name(child_name(name, "sqs"), args.tags),
            opts=child,
        )
        # Separate redrive resources, not the queues' inline attributes: no queue <-> DLQ cycle
        # (SDK sqs/redrive_policy.py, sqs/redrive_allow_policy.py).
        aws.sqs.RedrivePolicy(
            child_name(name, "redrive"),
            queue_url=queue.id,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": settings.max_receive_count}
            ),
            opts=child,
        )
        aws.sqs.RedriveAllowPolicy(
            child_name(name, "redrive-allow"),
            queue_url=dead_letter.id,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
            ),
            opts=child,
        )
        self.arn = queue.arn
        self.url = queue.url
        self.queue_name = queue.name
        self.dead_letter_arn = dead_letter.arn
        self.register_outputs(
            {"arn": self.arn, "url": self.url, "name": self.queue_name, "deadLetterArn": self.dead_letter_arn}
        )
