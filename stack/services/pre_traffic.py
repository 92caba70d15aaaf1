"""``webstack:services.<name>.deployment.preTrafficCheck``: a smoke test of the new version on the test
listener before production traffic moves.

ECS invokes a Lambda lifecycle hook at ``POST_TEST_TRAFFIC_SHIFT``: the green copy is healthy and takes
all test traffic, production has not moved yet (AWS ECS developer guide, "Lifecycle hooks for Amazon ECS
service deployments", deployment-lifecycle-hooks.html). The function GETs ``path`` through the load
balancer's test listener and answers ``SUCCEEDED`` when the status is ``expectStatus``, else ``FAILED``,
and ECS rolls back (lambda-lifecycle-hooks.html). Only blue_green, canary and linear have a test listener.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import Field, StrictInt, StrictStr, field_validator

from stack.schema import StrictModel

MAX_CHECK_TIMEOUT_SECONDS = 60
"""One request's ceiling: the hook answers within one short Lambda invocation."""


class PreTrafficCheckConfig(StrictModel):
    """``services.<name>.deployment.preTrafficCheck``: the request, and the answer the new version gives."""

    path: StrictStr | None = Field(
        default=None,
        description="Path requested through the test listener; it must match the service's pathPatterns. "
        "Default: the service's healthCheckPath.",
        json_schema_extra={"fix": "use a path that starts with /, e.g. /healthz"},
    )
    expect_status: StrictInt = Field(
        default=200,
        alias="expectStatus",
        ge=100,
        le=599,
        description="HTTP status the new version must answer (redirects are not followed). Default 200.",
        json_schema_extra={"fix": "use an HTTP status from 100 to 599, e.g. 200"},
    )
    timeout_seconds: StrictInt = Field(
        default=5,
        alias="timeoutSeconds",
        ge=1,
        le=MAX_CHECK_TIMEOUT_SECONDS,
        description="Seconds to wait for the answer before the check fails (1-60). Default 5.",
        json_schema_extra={"fix": "use seconds from 1 to 60"},
    )

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("it does not start with /")
        return value


@dataclass(frozen=True)
class PreTrafficCheck:
    """A service's pre-traffic check as resolved: what is requested and what must come back."""

    path: str
    expect_status: int
    timeout_seconds: int
    host_header: str | None
    """A host of the service's route (its test rule matches the same hosts); None without hosts."""


def _matches(pattern: str, path: str) -> bool:
    """ALB path-pattern matching: case-sensitive, ``*`` any characters, ``?`` exactly one (AWS ELB
    load-balancer-listeners.html#path-conditions)."""
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(expression, path) is not None


def pre_traffic_check_settings(
    key: str,
    config: PreTrafficCheckConfig | None,
    strategy: str,
    shifts_traffic: bool,
    path_patterns: tuple[str, ...],
    host_headers: tuple[str, ...],
    health_check_path: str,
) -> tuple[PreTrafficCheck | None, list[str]]:
    """The resolved check and the problems of its keys (``key`` is ``services.<name>.deployment``)."""
    if config is None:
        return None, []
    key = f"{key}.preTrafficCheck"
    if not shifts_traffic:
        return None, [
            f"{key}: set, but the strategy is {strategy}, which has no test listener to check the new "
            "version on before it takes traffic; set strategy: blue_green, canary or linear, or remove "
            "preTrafficCheck"
        ]
    path = config.path or health_check_path
    problems: list[str] = []
    if path_patterns and not any(_matches(pattern, path) for pattern in path_patterns):
        problems.append(
            f"{key}.path: got {json.dumps(path)}, but the service's test rule only matches "
            f"{', '.join(path_patterns)}, so the check would get the test listener's 404; use a path "
            "those patterns match"
        )
    hosts = [host for host in host_headers if "*" not in host and "?" not in host]
    if host_headers and not hosts:
        problems.append(
            f"{key}: the service's routing hosts {', '.join(host_headers)} are all wildcards, so the check "
            "has no Host header its test rule matches; add one exact host to routing.hostHeaders"
        )
    check = PreTrafficCheck(
        path=path,
        expect_status=config.expect_status,
        timeout_seconds=config.timeout_seconds,
        host_header=hosts[0] if hosts else None,
    )
    return check, problems
