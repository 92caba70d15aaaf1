"""The Queue component: an encrypted SQS queue with a dead-letter queue and the redrive between them.

Who may use a queue is granted by each service's task role (:mod:`components.service`) with the actions
below: the consumer may receive, delete and extend messages of exactly its queue, each sender may send
to exactly it, nobody else may do anything.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .pure.inputs import args_of
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

DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_MESSAGE_RETENTION_SECONDS = 4 * 24 * 3600
"""SQS's own default: 4 days."""


@dataclass(frozen=True)
class QueueArgs:
    """What a Queue builds: its delivery settings."""

    visibility_timeout_seconds: int = DEFAULT_VISIBILITY_TIMEOUT_SECONDS
    """Seconds a received message stays hidden from other consumers (0-43200). Default: 30."""
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    """Receives before a message moves to the dead-letter queue (1-1000). Default: 5."""
    message_retention_seconds: int = DEFAULT_MESSAGE_RETENTION_SECONDS
    """Seconds an unconsumed message is kept (60 to 1209600; the dead-letter queue keeps 1209600, the
    most SQS allows). Default: 345600 (4 days)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""


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
        args = args_of(QueueArgs, args)
        super().__init__(type_token("Queue"), name, None, opts)
        dead_letter, queue = self._queues(name, args)
        self._redrive(name, args, queue, dead_letter)
        self.arn = queue.arn
        self.url = queue.url
        self.queue_name = queue.name
        self.dead_letter_arn = dead_letter.arn
        self.register_outputs(
            {"arn": self.arn, "url": self.url, "name": self.queue_name, "deadLetterArn": self.dead_letter_arn}
        )

    def _queues(self, name: str, args: QueueArgs) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        """The dead-letter queue, then the queue."""
        child = pulumi.ResourceOptions(parent=self)
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
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            message_retention_seconds=args.message_retention_seconds,
            sqs_managed_sse_enabled=True,
            tags=tags_with_name(child_name(name, "sqs"), args.tags),
            opts=child,
        )
        return dead_letter, queue

    def _redrive(self, name: str, args: QueueArgs, queue: aws.sqs.Queue, dead_letter: aws.sqs.Queue) -> None:
        """Separate redrive resources, not the queues' inline attributes: no queue <-> DLQ cycle
        (SDK sqs/redrive_policy.py, sqs/redrive_allow_policy.py)."""
        child = pulumi.ResourceOptions(parent=self)
        aws.sqs.RedrivePolicy(
            child_name(name, "redrive"),
            queue_url=queue.id,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": args.max_receive_count}
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


__all__ = ["CONSUMER_ACTIONS", "DLQ_RETENTION_SECONDS", "SENDER_ACTIONS", "Queue", "QueueArgs"]
