"""AWS under the caller's credentials: one boto3 session in the stack's region, checked against the
account the stack is pinned to before any other call, and AWS errors turned into one paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions

from ops.errors import OpsError
from ops.outputs import Stack

_HINTS = {
    "AccessDeniedException": "your role lacks this permission; use the operator role the bootstrap creates",
    "AccessDenied": "your role lacks this permission; use the operator role the bootstrap creates",
    "UnauthorizedOperation": "your role lacks this permission; use the operator role the bootstrap creates",
    "ExpiredToken": "your credentials expired; log in again (for example `aws sso login`)",
    "ExpiredTokenException": "your credentials expired; log in again (for example `aws sso login`)",
    "ClusterNotFoundException": "the stack's cluster is gone; was the stack destroyed?",
}


@dataclass
class Aws:
    """Clients for one stack's region; ``account`` is the caller's (checked against the stack's pin)."""

    session: Any
    account: str = ""
    profile: str = ""
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    @property
    def region(self) -> str:
        return self.session.region_name

    def partition(self) -> str:
        return self.session.get_partition_for_region(self.region)


def connect(stack: Stack, profile: str | None = None) -> Aws:
    """A session in the stack's region whose caller is in one of the stack's pinned accounts."""
    session = boto3.Session(region_name=stack.region, profile_name=profile)
    aws = Aws(session, profile=profile or "")
    with aws_errors("checking who you are (sts:GetCallerIdentity)"):
        identity = aws.client("sts").get_caller_identity()
    aws.account = identity["Account"]
    if stack.pinned_accounts and aws.account not in stack.pinned_accounts:
        raise OpsError(
            f"your credentials are for account {aws.account} ({identity['Arn']}), but stack {stack.name} "
            f"is pinned to {', '.join(stack.pinned_accounts)} (aws:allowedAccountIds). Switch to that "
            "account's profile (AWS_PROFILE or --profile), or name the right stack with --stack."
        )
    return aws


@contextmanager
def aws_errors(doing: str) -> Iterator[None]:
    """Any AWS or credentials error inside becomes an :class:`OpsError` saying what was being done."""
    try:
        yield
    except botocore.exceptions.ClientError as error:
        info = error.response.get("Error", {})
        code = info.get("Code", "Error")
        hint = _HINTS.get(code)
        raise OpsError(
            f"AWS refused {doing}: {code}: {info.get('Message', '')}" + (f". Hint: {hint}." if hint else ".")
        ) from None
    except botocore.exceptions.NoCredentialsError:
        raise OpsError(
            f"no AWS credentials while {doing}: log in (for example `aws sso login --profile NAME`) and set "
            "AWS_PROFILE, or pass --profile."
        ) from None
    except botocore.exceptions.ProfileNotFound as error:
        raise OpsError(f"{error}; list your profiles with `aws configure list-profiles`.") from None
    except botocore.exceptions.BotoCoreError as error:
        raise OpsError(f"AWS could not be reached while {doing}: {error}.") from None
