"""Restore-test validation (the Lambda function's code; standard library and the runtime's boto3 only).

EventBridge invokes it with AWS Backup events:

- "Restore Job State Change", COMPLETED, of our restore testing plan: for an RDS restore, look up the
  restored instance's endpoint and send PostgreSQL's SSLRequest (8 bytes: length 8, code 80877103); a
  server that answers ``S`` or ``N`` is accepting connections (PostgreSQL protocol docs, "SSL Session
  Encryption"). No credentials needed, nothing read. Report SUCCESSFUL or FAILED with
  backup:PutRestoreValidationResult; tell the alarm topic when it FAILED. Other resource types: the
  completed restore job is the check.
- "Restore Job State Change", FAILED or ABORTED: tell the alarm topic.
- "Backup Job State Change" (FAILED, ABORTED, EXPIRED, filtered by the rule): tell the alarm topic.
- "Copy Job State Change" (FAILED, filtered by the rule): tell the alarm topic.
"""

import importlib
import os
import socket
import struct
from typing import Any

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
"""PostgreSQL's SSLRequest message: Int32 length 8, Int32 code 1234 << 16 | 5679."""
CONNECT_TIMEOUT_SECONDS = 10.0

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """One boto3 client per service (tests put botocore-stubbed ones here)."""
    if service not in _clients:
        # The Lambda runtime ships boto3; imported by name so that components/ (whose distribution does
        # not depend on boto3) declares no import of it.
        boto3 = importlib.import_module("boto3")
        _clients[service] = boto3.client(service)
    return _clients[service]


def accepts_connections(host: str, port: int, timeout: float = CONNECT_TIMEOUT_SECONDS) -> tuple[bool, str]:
    """Whether a PostgreSQL server at host:port answers the SSLRequest, and what happened."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.settimeout(timeout)
            connection.sendall(SSL_REQUEST)
            answer = connection.recv(1)
    except OSError as error:
        return False, f"no PostgreSQL connection to {host}:{port}: {error}"
    if answer in (b"S", b"N"):
        return True, f"{host}:{port} accepted a PostgreSQL connection (SSLRequest answered {answer.decode()})"
    return False, f"{host}:{port} answered {answer!r} to the SSLRequest, not a PostgreSQL server"


def database_endpoint(instance_arn: str) -> tuple[str, int]:
    """The restored instance's address and port."""
    found = client("rds").describe_db_instances(DBInstanceIdentifier=instance_arn)
    endpoint = found["DBInstances"][0]["Endpoint"]
    return endpoint["Address"], int(endpoint["Port"])


def notify(subject: str, message: str) -> None:
    """Tell the alarm topic (when the stack has one)."""
    topic = os.environ.get("TOPIC_ARN")
    print(f"{subject}: {message}")
    if topic:
        client("sns").publish(TopicArn=topic, Subject=subject[:100], Message=message)


def validate(detail: dict[str, Any]) -> tuple[str, str]:
    """SUCCESSFUL or FAILED, and why, for a completed restore job."""
    if detail.get("resourceType") != "RDS":
        return "SUCCESSFUL", f"{detail.get('resourceType')} restore job completed"
    try:
        host, port = database_endpoint(detail["createdResourceArn"])
    except Exception as error:  # any API failure is a failed validation, reported as such
        return "FAILED", f"could not find the restored database: {error}"
    ok, message = accepts_connections(host, port)
    return ("SUCCESSFUL" if ok else "FAILED"), message


def handler(event: dict[str, Any], _context: Any = None) -> dict[str, str]:
    detail = event.get("detail", {})
    kind = event.get("detail-type")
    if kind == "Backup Job State Change":
        job = detail.get("backupJobId", "?")
        notify(
            "Backup job failed",
            f"backup job {job} of {detail.get('resourceArn', '?')} ended {detail.get('state')}: "
            f"{detail.get('statusMessage', '')}",
        )
        return {"backupJob": job, "state": str(detail.get("state"))}
    if kind == "Copy Job State Change":
        job = detail.get("copyJobId", "?")
        notify(
            "Backup copy failed",
            f"copy job {job} of {detail.get('resourceArn', '?')} to "
            f"{detail.get('destinationBackupVaultArn', '?')} ended {detail.get('state')}: "
            f"{detail.get('statusMessage', '')}",
        )
        return {"copyJob": job, "state": str(detail.get("state"))}
    job = detail["restoreJobId"]
    if detail.get("status") != "COMPLETED":
        notify(
            "Restore test failed",
            f"restore job {job} ended {detail.get('status')}: {detail.get('statusMessage', '')}",
        )
        return {"restoreJob": job, "validation": "NOT_RUN"}
    status, message = validate(detail)
    client("backup").put_restore_validation_result(
        RestoreJobId=job, ValidationStatus=status, ValidationStatusMessage=message[:1000]
    )
    if status == "FAILED":
        notify("Restore test validation failed", f"restore job {job}: {message}")
    return {"restoreJob": job, "validation": status}
