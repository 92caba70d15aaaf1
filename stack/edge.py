"""The schema of ``webstack:edge``: the stack's entry point and its load balancer (the components are
:mod:`components.frontdoor.edge` and, with ``kind: apigateway``, :mod:`components.frontdoor.apigateway`).

``webstack:edge.kind`` picks the stack's entry point:

* ``alb`` (the default, release 1's behaviour): the load balancer is internet-facing in the public
  subnets and terminates TLS;
* ``apigateway``: an API Gateway HTTP API is the entry point, and the load balancer is *internal*, in
  the private subnets, reachable only from the API's VPC link (see ``webstack:edge.apiGateway``).
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from components.pure.frontdoor import BucketRemoval
from stack.apigateway import ApiGatewayConfig, ApiGatewaySettings, api_gateway_settings
from stack.schema import Environment, StrictModel


class EdgeKind(enum.StrEnum):
    """What the internet reaches first."""

    ALB = "alb"
    """An internet-facing Application Load Balancer (release 1's behaviour)."""
    APIGATEWAY = "apigateway"
    """An API Gateway HTTP API, through a VPC link to an internal load balancer."""


@dataclass(frozen=True)
class EdgeDefaults:
    """The values an environment's load balancer uses for keys a stack does not set."""

    access_logs: bool
    deletion_protection: bool
    access_log_removal: BucketRemoval
    """What removing the access-log bucket does: dev's empty and go, prod's stay in AWS (logs are
    incident evidence; delete by hand after a backup)."""


EDGE_DEFAULTS: dict[Environment, EdgeDefaults] = {
    Environment.DEV: EdgeDefaults(
        access_logs=False, deletion_protection=False, access_log_removal=BucketRemoval.DELETE_WITH_OBJECTS
    ),
    Environment.PROD: EdgeDefaults(
        access_logs=True, deletion_protection=True, access_log_removal=BucketRemoval.RETAIN
    ),
}


MAX_TEST_CIDRS = 5
"""Ingress rules of the test listener (one per CIDR)."""
MIN_TEST_PREFIX = 8
"""The widest range the test listener admits: /8 (a VPC is /16 to /28); 0.0.0.0/0 is the internet."""


class EdgeConfig(StrictModel):
    """``webstack:edge``: the stack's entry point and its load balancer."""

    kind: EdgeKind = Field(
        default=EdgeKind.ALB,
        description="alb: an internet-facing load balancer; apigateway: an API Gateway HTTP API through "
        "a VPC link to an internal load balancer. Default alb.",
        json_schema_extra={"fix": "use alb or apigateway"},
    )
    certificate_arn: StrictStr | None = Field(
        default=None,
        alias="certificateArn",
        description="ACM certificate for HTTPS, in the stack's region and account. Required in prod; "
        "dev without one runs HTTP-only (and says so).",
        json_schema_extra={
            "fix": "use an ACM ARN such as arn:aws:acm:eu-west-1:111111111111:certificate/<id>"
        },
    )
    access_logs: StrictBool | None = Field(
        default=None,
        alias="accessLogs",
        description="Write ALB access logs to a private S3 bucket. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false"},
    )
    access_log_expiration_days: StrictInt = Field(
        default=90,
        alias="accessLogExpirationDays",
        ge=1,
        le=3650,
        description="Days before access logs expire. Default 90.",
        json_schema_extra={"fix": "use days from 1 to 3650"},
    )
    deletion_protection: StrictBool | None = Field(
        default=None,
        alias="deletionProtection",
        description="Protect the load balancer from deletion. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false"},
    )
    idle_timeout: StrictInt = Field(
        default=60,
        alias="idleTimeout",
        ge=1,
        le=4000,
        description="Seconds an idle connection stays open. Default 60.",
        json_schema_extra={"fix": "use seconds from 1 to 4000"},
    )
    api_gateway: ApiGatewayConfig | None = Field(
        default=None,
        alias="apiGateway",
        description="The HTTP API when kind is apigateway: see the edge.apiGateway.* keys.",
        json_schema_extra={"fix": "make apiGateway an object, e.g. {throttling: {burstLimit: 500}}"},
    )
    test_cidrs: tuple[StrictStr, ...] = Field(
        default=(),
        alias="testCidrs",
        max_length=MAX_TEST_CIDRS,
        description="IPv4 ranges (an office, a VPN, the VPC) that may reach the test listener, where a "
        "blue_green, canary or linear service's new version answers before it takes production traffic. "
        "Default: none (the test listener exists but admits nobody).",
        json_schema_extra={"fix": "list private or office CIDRs such as 203.0.113.0/24, never 0.0.0.0/0"},
    )

    @field_validator("test_cidrs")
    @classmethod
    def _private_enough(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            try:
                network = ipaddress.IPv4Network(cidr, strict=True)
            except ValueError as error:
                raise ValueError(f"{cidr!r} is not an IPv4 CIDR ({error})") from None
            # The test path serves an untested version: it is never open to the whole internet.
            if network.prefixlen < MIN_TEST_PREFIX:
                raise ValueError(
                    f"{cidr!r} admits {network.num_addresses} addresses; the test listener serves an "
                    f"untested version, so list ranges of /{MIN_TEST_PREFIX} or smaller"
                )
        return value


@dataclass(frozen=True)
class EdgeSettings:
    """The load balancer as validated, environment defaults applied."""

    certificate_arn: str | None
    access_logs: bool
    access_log_expiration_days: int
    deletion_protection: bool
    idle_timeout: int
    kind: EdgeKind = EdgeKind.ALB
    api_gateway: ApiGatewaySettings | None = None
    """The HTTP API (kind apigateway only)."""
    test_cidrs: tuple[str, ...] = ()
    """Who may reach the test listener of traffic-shifting deployments."""


_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[0-9a-f-]{36}$")


def _certificate_problems(arn: str, region: str, allowed_account_ids: tuple[str, ...]) -> list[str]:
    """A configured certificate must be an ACM ARN of the stack's region and account."""
    match = _CERTIFICATE_ARN.match(arn)
    if not match:
        return [
            f"webstack:edge.certificateArn: got {json.dumps(arn)}, but it is not an ACM certificate ARN; "
            "use arn:aws:acm:<region>:<account>:certificate/<id>"
        ]
    if region and match.group(1) != region:
        return [
            f"webstack:edge.certificateArn: got a certificate in {match.group(1)}, but a load balancer "
            f"in {region} needs one from its own region; request or import it in {region}"
        ]
    if allowed_account_ids and match.group(2) not in allowed_account_ids:
        return [
            f"webstack:edge.certificateArn: got a certificate of account {match.group(2)}, which is not "
            f"in aws:allowedAccountIds {list(allowed_account_ids)}; use this account's certificate"
        ]
    return []


def _prod_problems(settings: EdgeSettings, has_domain: bool) -> list[str]:
    """Prod serves HTTPS only, keeps access logs and protects its load balancer from deletion."""
    problems = []
    if settings.certificate_arn is None and not has_domain and settings.api_gateway is None:
        problems.append(
            "webstack:edge.certificateArn: missing, but prod serves HTTPS only; set webstack:domain "
            "(a validated certificate for your host) or an ACM certificate ARN of the prod account "
            "and region"
        )
    if not settings.access_logs:
        problems.append(
            "webstack:edge.accessLogs: got false, but prod keeps load balancer access logs for "
            "incident response; remove the key or set it to true"
        )
    # deletionProtection: false is allowed in prod for one purpose, the middle step of a change that
    # replaces the load balancer (edge.kind): AWS refuses to delete a protected one, and Pulumi cannot
    # turn protection off and replace in one update. The plan warns (see unprotected_prod_warning).
    return problems


UNPROTECTED_PROD_WARNING = (
    "webstack:edge.deletionProtection: false in prod: the load balancer can be deleted. Meant only for "
    "the middle step of a change that replaces it (edge.kind alb <-> apigateway): 1. deletionProtection: "
    "false, pulumi up; 2. the change, pulumi up; 3. remove deletionProtection (back to true), pulumi up"
)
"""What the plan and ``pulumi up`` say while a prod load balancer is unprotected."""


def edge_settings(
    config: EdgeConfig,
    environment: Environment,
    region: str,
    allowed_account_ids: tuple[str, ...],
    has_domain: bool = False,
) -> tuple[EdgeSettings, list[str]]:
    """The load balancer with its environment's defaults applied, and every problem found.

    ``region`` and ``allowed_account_ids`` are the stack's (``aws:*``): the certificate must be theirs.
    ``has_domain``: ``webstack:domain`` is set, which brings its own validated certificate.
    """
    defaults = EDGE_DEFAULTS[environment]
    arn = config.certificate_arn
    problems = [] if arn is None else _certificate_problems(arn, region, allowed_account_ids)
    access_logs = defaults.access_logs if config.access_logs is None else config.access_logs
    protection = (
        defaults.deletion_protection if config.deletion_protection is None else config.deletion_protection
    )
    gateway = None
    if config.kind is EdgeKind.APIGATEWAY:
        gateway, found = api_gateway_settings(config.api_gateway or ApiGatewayConfig(), environment)
        problems += found
        if arn is not None:
            problems.append(
                "webstack:edge.certificateArn: got a certificate, but with edge.kind apigateway the load "
                "balancer is internal and serves HTTP to the VPC link only, and API Gateway terminates TLS "
                "(its own certificate, or webstack:domain's); remove certificateArn (set webstack:domain "
                "for your own host name)"
            )
    elif config.api_gateway is not None:
        problems.append(
            "webstack:edge.apiGateway: set, but webstack:edge.kind is alb (the default); set "
            "edge.kind: apigateway or remove apiGateway"
        )
    if arn is not None and has_domain and gateway is None:
        problems.append(
            "webstack:edge.certificateArn: got a certificate, but webstack:domain requests and validates "
            "its own; remove one of the two"
        )
    settings = EdgeSettings(
        certificate_arn=arn,
        access_logs=access_logs,
        access_log_expiration_days=config.access_log_expiration_days,
        deletion_protection=protection,
        idle_timeout=config.idle_timeout,
        kind=config.kind,
        api_gateway=gateway,
        test_cidrs=config.test_cidrs,
    )
    if environment is Environment.PROD:
        problems += _prod_problems(settings, has_domain)
    return settings, problems
