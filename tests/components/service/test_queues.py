"""The queue of the workers fixture stack as the services use it.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json

import pytest

from components.queue import DLQ_RETENTION_SECONDS
from plan.engine import Run


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_the_queue_and_its_dead_letter_queue_are_encrypted_and_redriven(run: Run):
    queue, dlq = run.named("jobs-sqs"), run.named("jobs-dlq")
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] == 60
    assert queue.inputs["messageRetentionSeconds"] == 4 * 24 * 3600
    assert dlq.inputs["messageRetentionSeconds"] == DLQ_RETENTION_SECONDS == 1209600
    redrive = run.named("jobs-redrive").inputs
    assert redrive["queueUrl"] == queue.id
    assert json.loads(redrive["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.state["arn"],
        "maxReceiveCount": 5,
    }
    allow = run.named("jobs-redrive-allow").inputs
    assert allow["queueUrl"] == dlq.id
    assert json.loads(allow["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.state["arn"]],
    }
