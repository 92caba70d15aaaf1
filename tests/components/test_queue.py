"""The Queue component on its own, built from its Args under the mock engine, and the actions it lets
services be granted."""

import json
from typing import Any

import pulumi
import pytest

from components.queue import CONSUMER_ACTIONS, SENDER_ACTIONS, Queue, QueueArgs
from plan.engine import Run, run_component

SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600
"""The longest SQS keeps a message (SetQueueAttributes MessageRetentionPeriod: 60 to 1209600)."""


class Built:
    """One Queue's recorded graph and its outputs."""

    def __init__(self, args: QueueArgs) -> None:
        self.outputs: dict[str, Any] = {}

        def build() -> pulumi.Output[Any]:
            queue = Queue("jobs", args)
            return pulumi.Output.all(
                arn=queue.arn, url=queue.url, name=queue.queue_name, dead_letter_arn=queue.dead_letter_arn
            ).apply(self.outputs.update)

        self.run: Run = run_component(build)
        self.component = self.run.named("jobs")
        self.queue = self.run.named("jobs-sqs")
        self.dead_letter = self.run.named("jobs-dlq")
        self.redrive = self.run.named("jobs-redrive")
        self.redrive_allow = self.run.named("jobs-redrive-allow")


@pytest.fixture(scope="module")
def built() -> Built:
    return Built(
        QueueArgs(
            visibility_timeout_seconds=120,
            max_receive_count=3,
            message_retention_seconds=7 * 24 * 3600,
            tags={"Stack": "test"},
        )
    )


def test_a_queue_is_exactly_its_queue_dead_letter_queue_and_the_two_redrive_policies(built: Built):
    assert sorted((r.type, r.name) for r in built.run.resources if r is not built.component) == [
        ("aws:sqs/queue:Queue", "jobs-dlq"),
        ("aws:sqs/queue:Queue", "jobs-sqs"),
        ("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "jobs-redrive-allow"),
        ("aws:sqs/redrivePolicy:RedrivePolicy", "jobs-redrive"),
    ]
    assert built.component.type == "webstack:components:Queue"


def test_every_child_of_a_queue_has_the_queue_as_its_parent(built: Built):
    children = [r for r in built.run.resources if r is not built.component]
    assert {r.name: r.parent for r in children} == {r.name: built.component.urn for r in children}


def test_the_queue_hides_and_keeps_messages_as_given_encrypted_by_sqs(built: Built):
    inputs = built.queue.inputs
    assert inputs["visibilityTimeoutSeconds"] == 120
    assert inputs["messageRetentionSeconds"] == 7 * 24 * 3600
    assert inputs["sqsManagedSseEnabled"] is True


def test_the_dead_letter_queue_keeps_messages_14_days_the_sqs_maximum_so_longer_than_the_queue(built: Built):
    inputs = built.dead_letter.inputs
    assert inputs["messageRetentionSeconds"] == SQS_MAX_RETENTION_SECONDS == 1209600
    assert inputs["messageRetentionSeconds"] >= built.queue.inputs["messageRetentionSeconds"]
    assert inputs["sqsManagedSseEnabled"] is True
    assert "visibilityTimeoutSeconds" not in inputs


def test_a_message_received_the_given_number_of_times_moves_to_the_dead_letter_queue(built: Built):
    assert built.redrive.inputs["queueUrl"] == built.queue.id
    assert json.loads(built.redrive.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": built.dead_letter.state["arn"],
        "maxReceiveCount": 3,
    }


def test_only_this_queue_may_redrive_into_its_dead_letter_queue(built: Built):
    assert built.redrive_allow.inputs["queueUrl"] == built.dead_letter.id
    assert json.loads(built.redrive_allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [built.queue.state["arn"]],
    }


def test_both_queues_carry_the_given_tags_and_their_own_name(built: Built):
    assert built.queue.inputs["tags"] == {"Stack": "test", "Name": "jobs-sqs"}
    assert built.dead_letter.inputs["tags"] == {"Stack": "test", "Name": "jobs-dlq"}


def test_the_queue_exposes_its_arn_url_and_name_and_the_dead_letter_queues_arn(built: Built):
    assert built.outputs == {
        "arn": built.queue.state["arn"],
        "url": built.queue.state["url"],
        "name": built.queue.state["name"],
        "dead_letter_arn": built.dead_letter.state["arn"],
    }


def test_a_queue_built_from_defaults_hides_messages_30_seconds_keeps_them_4_days_and_retries_5_times():
    built = Built(QueueArgs())
    assert built.queue.inputs["visibilityTimeoutSeconds"] == 30
    assert built.queue.inputs["messageRetentionSeconds"] == 4 * 24 * 3600
    assert json.loads(built.redrive.inputs["redrivePolicy"])["maxReceiveCount"] == 5
    assert built.queue.inputs["tags"] == {"Name": "jobs-sqs"}


def test_a_consumer_may_receive_delete_extend_and_read_attributes_and_a_sender_only_send():
    assert CONSUMER_ACTIONS == (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
    )
    assert SENDER_ACTIONS == ("sqs:SendMessage",)
