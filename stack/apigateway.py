"""The schema of ``webstack:edge.apiGateway``: the HTTP API in front of the internal load balancer when
``webstack:edge.kind`` is ``apigateway`` (the component is :mod:`components.frontdoor.apigateway`).

Its keys, environment defaults and checks, and the translation of load-balancer path patterns into HTTP
API route keys (with the problems of patterns an HTTP API cannot express).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field, StrictInt, StrictStr

from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

CATCH_ALL_PATH = "/*"
DEFAULT_ROUTE = "$default"
"""The HTTP API route that takes every request no other route matches."""
BURST_LIMIT_MAX = 5000
RATE_LIMIT_MAX = 10000
"""API Gateway's default account quota per region (burst 5,000, 10,000 requests per second); stage and
route throttling cannot exceed it (AWS API Gateway guide ``http-api-throttling.html``)."""
DEFAULT_BURST_LIMIT = 500
DEFAULT_RATE_LIMIT = 1000
DEFAULT_LOG_RETENTION = {Environment.DEV: 30, Environment.PROD: 365}


class ThrottlingConfig(StrictModel):
    """Token-bucket throttling: both values are always set (an unset one is 0: every request 429s)."""

    burst_limit: StrictInt = Field(
        default=DEFAULT_BURST_LIMIT,
        alias="burstLimit",
        description=f"Requests allowed in a burst. Default {DEFAULT_BURST_LIMIT}.",
        json_schema_extra={"fix": f"use 1 to {BURST_LIMIT_MAX}"},
    )
    rate_limit: StrictInt = Field(
        default=DEFAULT_RATE_LIMIT,
        alias="rateLimit",
        description=f"Steady requests per second. Default {DEFAULT_RATE_LIMIT}.",
        json_schema_extra={"fix": f"use 1 to {RATE_LIMIT_MAX}"},
    )


class JwtConfig(StrictModel):
    """``webstack:edge.apiGateway.jwt``: a JWT authorizer on the routes of some or all services."""

    issuer: StrictStr = Field(
        description="The token issuer, an https URL, e.g. https://cognito-idp.<region>.amazonaws.com/<pool>.",
        json_schema_extra={"fix": "use the issuer's https:// URL"},
    )
    audiences: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="Accepted `aud` values (for Cognito: the app client id). At least one.",
        json_schema_extra={"fix": "list the accepted audiences, e.g. [my-client-id]"},
    )
    services: tuple[StrictStr, ...] | None = Field(
        default=None,
        description="Services whose routes require a token. Default: every routed service.",
        json_schema_extra={"fix": "list routed service names, e.g. [api]"},
    )


class ApiGatewayConfig(StrictModel):
    """``webstack:edge.apiGateway``: the HTTP API when ``edge.kind`` is ``apigateway``."""

    throttling: ThrottlingConfig = Field(
        default_factory=ThrottlingConfig,
        description="Stage-wide throttling, and each route's unless routeThrottling overrides it.",
        json_schema_extra={"fix": "make throttling an object, e.g. {burstLimit: 500, rateLimit: 1000}"},
    )
    route_throttling: dict[StrictStr, ThrottlingConfig] = Field(
        default_factory=dict,
        alias="routeThrottling",
        description="Service name -> throttling of its routes. Default: none (the stage's values).",
        json_schema_extra={"fix": "make routeThrottling a map, e.g. {api: {burstLimit: 100, rateLimit: 50}}"},
    )
    jwt: JwtConfig | None = Field(
        default=None,
        description="A JWT authorizer (issuer and audiences). Default: none (routes are open).",
        json_schema_extra={"fix": "make jwt an object, e.g. {issuer: https://..., audiences: [client-id]}"},
    )
    log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="logRetentionDays",
        description="Retention of the JSON access logs. Default: dev 30, prod 365 (prod: at least 90).",
        json_schema_extra={"fix": RETENTION_FIX},
    )


@dataclass(frozen=True)
class Throttle:
    """Both throttling values of a stage or route."""

    burst_limit: int
    rate_limit: int


@dataclass(frozen=True)
class JwtSettings:
    issuer: str
    audiences: tuple[str, ...]
    services: tuple[str, ...] | None
    """None: every routed service."""


@dataclass(frozen=True)
class ApiGatewaySettings:
    """The HTTP API as validated, environment defaults applied."""

    throttle: Throttle
    route_throttles: Mapping[str, Throttle]
    jwt: JwtSettings | None
    log_retention_days: int


_KEY = "webstack:edge.apiGateway"


def _throttle(config: ThrottlingConfig, key: str) -> tuple[Throttle, list[str]]:
    problems = []
    for name, value, most in (
        ("burstLimit", config.burst_limit, BURST_LIMIT_MAX),
        ("rateLimit", config.rate_limit, RATE_LIMIT_MAX),
    ):
        if not 1 <= value <= most:
            problems.append(
                f"{key}.{name}: got {value}, but API Gateway throttles between 1 and the account quota "
                f"({most:,} by default; 0 would answer every request with 429); use 1 to {most}"
            )
    return Throttle(config.burst_limit, config.rate_limit), problems


def api_gateway_settings(
    config: ApiGatewayConfig, environment: Environment
) -> tuple[ApiGatewaySettings, list[str]]:
    """The HTTP API with its environment's defaults applied, and every problem found in the section
    alone (service names are checked by :func:`service_problems`)."""
    throttle, problems = _throttle(config.throttling, f"{_KEY}.throttling")
    route_throttles = {}
    for service, override in config.route_throttling.items():
        route_throttles[service], found = _throttle(override, f"{_KEY}.routeThrottling.{service}")
        problems += found
    jwt = None
    if config.jwt is not None:
        issuer = config.jwt.issuer
        if not re.match(r"^https://[^\s/]+", issuer):
            problems.append(
                f"{_KEY}.jwt.issuer: got {json.dumps(issuer)}, but API Gateway fetches the issuer's keys "
                "over TLS and accepts only https:// issuers; use e.g. "
                "https://cognito-idp.<region>.amazonaws.com/<user pool id>"
            )
        jwt = JwtSettings(issuer, config.jwt.audiences, config.jwt.services)
    retention = config.log_retention_days or DEFAULT_LOG_RETENTION[environment]
    if environment is Environment.PROD and retention < PROD_MIN_LOG_RETENTION_DAYS:
        problems.append(
            f"{_KEY}.logRetentionDays: got {retention}, but prod keeps logs at least "
            f"{PROD_MIN_LOG_RETENTION_DAYS} days for incident response; use 90 or more"
        )
    return ApiGatewaySettings(throttle, route_throttles, jwt, retention), problems


def service_problems(settings: ApiGatewaySettings, routed: Sequence[str]) -> list[str]:
    """Service names in routeThrottling and jwt.services must be routed services."""
    known = ", ".join(routed) or "none"
    problems = [
        f"{_KEY}.routeThrottling.{service}: no routed service has that name (routed: {known}); name one "
        "of them or remove the entry"
        for service in settings.route_throttles
        if service not in routed
    ]
    if settings.jwt is not None and settings.jwt.services is not None:
        problems += [
            f"{_KEY}.jwt.services: got {json.dumps(service)}, but no routed service has that name "
            f"(routed: {known}); name one of them"
            for service in settings.jwt.services
            if service not in routed
        ]
    return problems


def route_keys(
    config_key: str, path_patterns: Sequence[str], host_headers: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The HTTP API route keys that mirror a load-balancer route, and every problem, named under
    ``config_key`` (``webstack:services.<service>`` or ``...<service>.extraPorts[<index>]``).

    ``/*`` is the ``$default`` route; ``/prefix/*`` is ``ANY /prefix/{proxy+}``; an exact path is
    ``ANY /path``. HTTP API routes match methods and whole path segments only, so host headers and
    wildcards inside a segment (``/img/*.png``, ``/api*``, ``?``) cannot be expressed.
    """
    key = f"{config_key}.routing"
    problems = []
    if host_headers:
        problems.append(
            f"{key}.hostHeaders: got {json.dumps(list(host_headers))}, but webstack:edge.kind apigateway "
            "routes by path only (HTTP API routes cannot match the Host header); route this service by "
            "pathPatterns, or use edge.kind alb"
        )
    keys = []
    for pattern in path_patterns:
        if pattern == CATCH_ALL_PATH:
            keys.append(DEFAULT_ROUTE)
            continue
        prefix, star, rest = pattern.partition("*")
        literal = not star and "?" not in pattern
        if literal:
            keys.append(f"ANY {pattern}")
        elif prefix.endswith("/") and not rest and "?" not in prefix and prefix != "/":
            keys.append(f"ANY {prefix}{{proxy+}}")
        else:
            problems.append(
                f"{key}.pathPatterns: got {json.dumps(pattern)}, but HTTP API routes match whole path "
                "segments, so webstack:edge.kind apigateway accepts only /*, /<prefix>/* and exact paths; "
                "use e.g. /api/* instead"
            )
    return keys, problems
