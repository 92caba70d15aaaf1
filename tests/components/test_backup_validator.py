"""The restore-test validation function's code, run here: a fake PostgreSQL server on a local socket, and
botocore Stubbers for RDS, AWS Backup and SNS that fail on any call they were not told to expect."""

import socket
import socketserver
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import pytest
from botocore.stub import Stubber

from components.backup import validator

RESTORED = "arn:aws:rds:eu-west-1:111111111111:db:awsbackup-restore-test-abc123"
PLAN = "arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:webstack_prod_restore_tests-1a2b"
TOPIC = "arn:aws:sns:eu-west-1:111111111111:alerts"


class _Answer(socketserver.BaseRequestHandler):
    """Reads PostgreSQL's 8-byte SSLRequest and answers with the server's one byte."""

    answer = b"S"
    received: ClassVar[list[bytes]] = []

    def handle(self) -> None:
        type(self).received.append(self.request.recv(8))
        self.request.sendall(type(self).answer)


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    _Answer.received.clear()
    _Answer.answer = b"S"
    with socketserver.TCPServer(("127.0.0.1", 0), _Answer) as fake:
        thread = threading.Thread(target=fake.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        yield "127.0.0.1", int(fake.server_address[1])
        fake.shutdown()


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    monkeypatch.setenv("TOPIC_ARN", TOPIC)
    created = {name: boto3.client(name, region_name="eu-west-1") for name in ("rds", "backup", "sns")}
    stubbers = {name: Stubber(c) for name, c in created.items()}
    monkeypatch.setattr(validator, "_clients", dict(created))
    for stub in stubbers.values():
        stub.activate()
    yield stubbers
    for stub in stubbers.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def completed(resource_type: str = "RDS") -> dict[str, Any]:
    return {
        "source": "aws.backup",
        "detail-type": "Restore Job State Change",
        "detail": {
            "restoreJobId": "job-1",
            "status": "COMPLETED",
            "resourceType": resource_type,
            "createdResourceArn": RESTORED,
            "restoreTestingPlanArn": PLAN,
        },
    }


def expect_endpoint(stubs: dict[str, Stubber], host: str, port: int) -> None:
    stubs["rds"].add_response(
        "describe_db_instances",
        {"DBInstances": [{"Endpoint": {"Address": host, "Port": port}}]},
        {"DBInstanceIdentifier": RESTORED},
    )


class StartsWith:
    """Equal to any text that starts with ``start`` (a Stubber compares expected parameters with ==)."""

    def __init__(self, start: str) -> None:
        self.start = start

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith(self.start)


def expect_result(stubs: dict[str, Stubber], status: str, message_start: str) -> None:
    stubs["backup"].add_response(
        "put_restore_validation_result",
        {},
        {
            "RestoreJobId": "job-1",
            "ValidationStatus": status,
            "ValidationStatusMessage": StartsWith(message_start),
        },
    )


def expect_alarm(stubs: dict[str, Stubber], subject: str, message_start: str) -> None:
    stubs["sns"].add_response(
        "publish",
        {"MessageId": "m-1"},
        {"TopicArn": TOPIC, "Subject": subject, "Message": StartsWith(message_start)},
    )


def test_a_restored_database_that_answers_the_ssl_request_is_reported_successful(server, stubs):
    host, port = server
    expect_endpoint(stubs, host, port)
    expect_result(stubs, "SUCCESSFUL", f"{host}:{port} accepted a PostgreSQL connection")
    assert validator.handler(completed()) == {"restoreJob": "job-1", "validation": "SUCCESSFUL"}
    assert _Answer.received == [validator.SSL_REQUEST]
    assert bytes([0, 0, 0, 8, 4, 210, 22, 47]) == validator.SSL_REQUEST  # 8, then 1234 << 16 | 5679


def test_a_database_that_refuses_the_connection_fails_validation_and_tells_the_alarm_topic(stubs):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    expect_endpoint(stubs, "127.0.0.1", closed_port)
    expect_result(stubs, "FAILED", f"no PostgreSQL connection to 127.0.0.1:{closed_port}")
    expect_alarm(stubs, "Restore test validation failed", "restore job job-1: no PostgreSQL connection")
    assert validator.handler(completed())["validation"] == "FAILED"


def test_a_server_that_is_not_postgresql_fails_validation(server, stubs):
    _Answer.answer = b"H"
    host, port = server
    expect_endpoint(stubs, host, port)
    expect_result(stubs, "FAILED", f"{host}:{port} answered b'H' to the SSLRequest")
    expect_alarm(stubs, "Restore test validation failed", f"restore job job-1: {host}:{port} answered")
    assert validator.handler(completed())["validation"] == "FAILED"


def test_a_completed_bucket_restore_is_successful_without_a_connection(stubs):
    expect_result(stubs, "SUCCESSFUL", "S3 restore job completed")
    assert validator.handler(completed("S3"))["validation"] == "SUCCESSFUL"


def test_a_failed_restore_job_is_told_to_the_topic_and_not_validated(stubs):
    event = completed()
    event["detail"].update(status="FAILED", statusMessage="subnet group not found")
    stubs["sns"].add_response(
        "publish",
        {"MessageId": "m-1"},
        {
            "TopicArn": TOPIC,
            "Subject": "Restore test failed",
            "Message": "restore job job-1 ended FAILED: subnet group not found",
        },
    )
    assert validator.handler(event) == {"restoreJob": "job-1", "validation": "NOT_RUN"}


def test_a_failed_backup_job_is_told_to_the_topic(stubs):
    event = {
        "detail-type": "Backup Job State Change",
        "detail": {"backupJobId": "b-1", "state": "FAILED", "resourceArn": RESTORED, "statusMessage": "boom"},
    }
    stubs["sns"].add_response(
        "publish",
        {"MessageId": "m-1"},
        {
            "TopicArn": TOPIC,
            "Subject": "Backup job failed",
            "Message": f"backup job b-1 of {RESTORED} ended FAILED: boom",
        },
    )
    assert validator.handler(event) == {"backupJob": "b-1", "state": "FAILED"}


def test_a_failed_copy_job_is_told_to_the_topic_with_its_destination_vault(stubs):
    copy_vault = "arn:aws:backup:eu-central-1:222222222222:backup-vault:webstack-copy"
    event = {
        "detail-type": "Copy Job State Change",
        "detail": {
            "copyJobId": "c-1",
            "state": "FAILED",
            "resourceArn": RESTORED,
            "destinationBackupVaultArn": copy_vault,
            "statusMessage": "key not shared",
        },
    }
    stubs["sns"].add_response(
        "publish",
        {"MessageId": "m-1"},
        {
            "TopicArn": TOPIC,
            "Subject": "Backup copy failed",
            "Message": f"copy job c-1 of {RESTORED} to {copy_vault} ended FAILED: key not shared",
        },
    )
    assert validator.handler(event) == {"copyJob": "c-1", "state": "FAILED"}
