"""``services.<name>.release``: the release task a service runs from each new task definition before
it is rolled out (database migrations), its schema and its checks (no Pulumi resource SDK here)."""

from __future__ import annotations

import json

from pydantic import Field, StrictInt, StrictStr

from stack.schema import StrictModel

RELEASE_TIMEOUT_SECONDS = 600
"""How long a release may run by default: a migration that takes longer belongs in a job."""
RELEASE_MIN_TIMEOUT = 30
"""A Fargate task needs tens of seconds to pull and start: shorter timeouts fail before it runs."""
RELEASE_MAX_TIMEOUT = 3600
"""`pulumi up` waits this long at most; longer backfills belong in a webstack:jobs entry."""


class ReleaseConfig(StrictModel):
    """``services.<name>.release``: a one-off task of the new version that must succeed before the
    service is updated (e.g. a backwards-compatible database migration)."""

    command: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="Command of the release task, run in the service's container with the new image, "
        "e.g. [python, server.py, migrate] (required).",
        json_schema_extra={"fix": "give a list of strings, e.g. [python, manage.py, migrate]"},
    )
    timeout: StrictInt = Field(
        default=RELEASE_TIMEOUT_SECONDS,
        ge=RELEASE_MIN_TIMEOUT,
        le=RELEASE_MAX_TIMEOUT,
        description=f"Seconds the release task may run before it is stopped and the deploy fails "
        f"({RELEASE_MIN_TIMEOUT}-{RELEASE_MAX_TIMEOUT}). Default {RELEASE_TIMEOUT_SECONDS}.",
        json_schema_extra={"fix": f"use seconds from {RELEASE_MIN_TIMEOUT} to {RELEASE_MAX_TIMEOUT}"},
    )


def release_problems(key: str, release: ReleaseConfig | None) -> list[str]:
    """A release command must run something: no empty words (ECS passes them as arguments)."""
    if release is None:
        return []
    if any(not word.strip() for word in release.command):
        return [
            f"{key}.release.command: got {json.dumps(list(release.command))}, but a word is empty; "
            "remove the empty strings"
        ]
    return []
