"""The ApiGateway component: an API Gateway HTTP API in front of the internal load balancer, through a
VPC link with its own security group; and the schema of ``webstack:edge.apiGateway``.

With ``webstack:edge.kind: apigateway`` the stack's only internet-facing entry point is this API. The
load balancer (components/edge.py) becomes internal, in the private subnets, and admits only the VPC
link's security group; the services keep admitting only the load balancer.

Why an HTTP API, not a REST API: HTTP APIs authorize JWTs natively, cost less per request, and reach an
Application Load Balancer directly through a VPC link (v2); a REST API would need a Network Load
Balancer in front of the ALB (VPC link v1) and brings usage plans and API keys webstack does not use.
The price of that choice: AWS WAF cannot be associated with HTTP APIs (WAF protects REST API stages,
not HTTP APIs: AWS API Gateway guide ``apigateway-control-access-aws-waf.html``), so this edge relies
on API Gateway throttling (stage-wide and per route) and, optionally, a JWT authorizer.

One integration serves every route: API Gateway proxies the request, path unchanged, to the load
balancer's listener, whose rules (components/pure/priorities.py) pick the service, so the ALB stays the one
place that maps paths to services. The routes mirror those rules so that API Gateway answers 404 for
paths no service claims, and so throttling and authorization can differ per service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictInt, StrictStr

from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

from .encryption import encrypted_log_group
from .network import security_group_path
from .pure.naming import child_name, member_name, tags_with_name, type_token

CATCH_ALL_PATH = "/*"
DEFAULT_ROUTE = "$default"
"""The HTTP API route that takes every request no other route matches."""
STAGE_NAME = "$default"
"""The stage served at the API's root (no /stage prefix in URLs), deployed on every change."""
PAYLOAD_FORMAT_VERSION = "1.0"
"""The only payload format HTTP_PROXY private integrations accept (aws-traps §5; SDK integration.py)."""
CUSTOM_DOMAIN_TLS = "TLS_1_2"
"""The only security policy regional HTTP API custom domains offer for TLS 1.2+."""
JWT_IDENTITY_SOURCE = "$request.header.Authorization"

BURST_LIMIT_MAX = 5000
RATE_LIMIT_MAX = 10000
"""API Gateway's default account quota per region (burst 5,000, 10,000 requests per second); stage and
route throttling cannot exceed it (AWS API Gateway guide ``http-api-throttling.html``)."""
DEFAULT_BURST_LIMIT = 500
DEFAULT_RATE_LIMIT = 1000
DEFAULT_LOG_RETENTION = {Environment.DEV: 30, Environment.PROD: 365}

ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "path": "$context.path",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}
"""One JSON object per request (AWS API Gateway guide ``http-api-logging-variables.html``)."""


# --- Config: `webstack:edge.apiGateway` -----------------------------------------------------------


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


def gateway_routes(
    settings: ApiGatewaySettings, routes: Sequence[tuple[str, str, Sequence[str]]]
) -> tuple[GatewayRoute, ...]:
    """The API routes of the load balancer's routes ``(route name, owning service, path patterns)``:
    throttled by the route name's override (else the stage's), guarded when JWT covers the owning
    service or the route name. Config validation already refused what has no route key."""
    jwt = settings.jwt
    return tuple(
        GatewayRoute(
            service=name,
            keys=tuple(route_keys(f"webstack:services.{name}", patterns, ())[0]),
            throttle=settings.route_throttles.get(name, settings.throttle),
            authorized=jwt is not None
            and (jwt.services is None or service in jwt.services or name in jwt.services),
        )
        for name, service, patterns in routes
    )


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayRoute:
    """The routes of one service."""

    service: str
    keys: tuple[str, ...]
    """HTTP API route keys (from :func:`route_keys`)."""
    throttle: Throttle
    """This service's throttling (its override, else the stage's)."""
    authorized: bool
    """Whether its routes require a JWT."""


@dataclass(frozen=True)
class CustomDomain:
    host: str
    certificate_arn: pulumi.Input[str]
    """A validated ACM certificate of the stack's region for ``host``."""


@dataclass(frozen=True)
class ApiGatewayArgs:
    """What the ApiGateway builds."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """The private subnets the VPC link's network interfaces live in (one per zone)."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The internal load balancer's group: the link may reach it, and it admits the link alone."""
    listener_arn: pulumi.Input[str]
    """The internal load balancer's listener every route is proxied to."""
    listener_port: int
    routes: tuple[GatewayRoute, ...]
    throttle: Throttle
    """Stage-wide throttling (``$default`` route settings)."""
    jwt: JwtSettings | None
    kms_key_arn: pulumi.Input[str]
    """The stack key; encrypts the access-log group."""
    log_retention_days: int
    domain: CustomDomain | None = None
    """Serve on this host (and turn the execute-api endpoint off); None: the execute-api URL."""
    tags: Mapping[str, str] = field(default_factory=dict)


class ApiGateway(pulumi.ComponentResource):
    """HTTP API, VPC link and its security group, integration, routes, stage, authorizer, domain."""

    security_group_id: pulumi.Output[str]
    """The VPC link's group."""
    api_id: pulumi.Output[str]
    url: pulumi.Output[str]
    """https://<custom host> or the execute-api endpoint."""
    target_domain_name: pulumi.Output[str] | None
    """The regional domain an alias record for the custom host points at (None without a domain)."""
    target_zone_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: ApiGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("ApiGateway"), name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        link = self._vpc_link(args)
        api = aws.apigatewayv2.Api(
            child_name(name, "api"),
            protocol_type="HTTP",
            description=f"{pulumi.get_project()}-{pulumi.get_stack()}: the internet-facing entry point",
            # With a custom domain, clients use it alone: the default execute-api URL would be a second
            # door that bypasses the name (and anything later attached to it).
            disable_execute_api_endpoint=args.domain is not None,
            tags=tags_with_name(child_name(name, "api"), args.tags),
            opts=self._child,
        )
        integration = aws.apigatewayv2.Integration(
            child_name(name, "integration"),
            api_id=api.id,
            integration_type="HTTP_PROXY",
            integration_method="ANY",
            connection_type="VPC_LINK",
            connection_id=link.id,
            integration_uri=args.listener_arn,  # the listener's ARN, not the load balancer's
            payload_format_version=PAYLOAD_FORMAT_VERSION,
            opts=self._child,
        )
        authorizer = self._authorizer(api, args.jwt) if args.jwt else None
        routes = self._routes(api, integration, authorizer, args.routes)
        stage = self._stage(api, routes, args)
        self.api_id = api.id
        self.target_domain_name = None
        self.target_zone_id = None
        if args.domain is not None:
            self.url = pulumi.Output.from_input(f"https://{args.domain.host}")
            self._custom_domain(api, stage, args)
        else:
            self.url = api.api_endpoint
        self.register_outputs(
            {"apiId": self.api_id, "url": self.url, "securityGroupId": self.security_group_id}
        )

    def _vpc_link(self, args: ApiGatewayArgs) -> aws.apigatewayv2.VpcLink:
        """The link and its own group: out only to the load balancer's group on the listener port, and
        that group's matching ingress (the only way into the load balancer)."""
        name = self._name
        group = aws.ec2.SecurityGroup(
            child_name(name, "link-sg"),
            vpc_id=args.vpc_id,
            description="API Gateway VPC link: out to the internal load balancer only",
            tags=tags_with_name(child_name(name, "link-sg"), args.tags),
            opts=self._child,
        )
        security_group_path(
            (child_name(name, "link-out-to-edge"), "To the internal load balancer's listener"),
            (child_name(name, "edge-in-from-link"), "From the API Gateway VPC link only"),
            group.id,
            args.load_balancer_security_group_id,
            args.listener_port,
            args.tags,
            self._child,
        )
        self.security_group_id = group.id
        # Subnets and groups are ForceNew (TF src apigatewayv2/vpc_link.go): a change replaces the link.
        return aws.apigatewayv2.VpcLink(
            child_name(name, "link"),
            name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
            subnet_ids=list(args.subnet_ids),
            security_group_ids=[group.id],
            tags=tags_with_name(child_name(name, "link"), args.tags),
            opts=self._child,
        )

    def _authorizer(self, api: aws.apigatewayv2.Api, jwt: JwtSettings) -> aws.apigatewayv2.Authorizer:
        return aws.apigatewayv2.Authorizer(
            child_name(self._name, "jwt"),
            api_id=api.id,
            authorizer_type="JWT",
            identity_sources=[JWT_IDENTITY_SOURCE],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                issuer=jwt.issuer, audiences=list(jwt.audiences)
            ),
            name="jwt",
            opts=self._child,
        )

    def _routes(
        self,
        api: aws.apigatewayv2.Api,
        integration: aws.apigatewayv2.Integration,
        authorizer: aws.apigatewayv2.Authorizer | None,
        routes: Sequence[GatewayRoute],
    ) -> list[aws.apigatewayv2.Route]:
        created = []
        for route in routes:
            for index, key in enumerate(route.keys):
                guarded = route.authorized and authorizer is not None
                created.append(
                    aws.apigatewayv2.Route(
                        member_name(self._name, "route", f"{route.service}-{index}"),
                        api_id=api.id,
                        route_key=key,
                        target=pulumi.Output.concat("integrations/", integration.id),
                        authorization_type="JWT" if guarded else "NONE",
                        authorizer_id=authorizer.id if guarded and authorizer else None,
                        opts=self._child,
                    )
                )
        return created

    def _stage(
        self, api: aws.apigatewayv2.Api, routes: Sequence[aws.apigatewayv2.Route], args: ApiGatewayArgs
    ) -> aws.apigatewayv2.Stage:
        """``$default``, auto-deployed, throttled stage-wide and per route, logging JSON per request."""
        logs = encrypted_log_group(
            child_name(self._name, "access-logs"),
            args.log_retention_days,
            args.kms_key_arn,
            parent=self,
            tags=args.tags,
        )
        # Both throttling values, always: setting any route setting leaves an unset limit at 0, and
        # then every request is answered 429 (pulumi/pulumi-aws #2363; aws-traps §5).
        route_settings = [
            aws.apigatewayv2.StageRouteSettingArgs(
                route_key=key,
                throttling_burst_limit=route.throttle.burst_limit,
                throttling_rate_limit=route.throttle.rate_limit,
            )
            for route in args.routes
            for key in route.keys
        ]
        return aws.apigatewayv2.Stage(
            child_name(self._name, "stage"),
            api_id=api.id,
            name=STAGE_NAME,
            auto_deploy=True,
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_burst_limit=args.throttle.burst_limit,
                throttling_rate_limit=args.throttle.rate_limit,
            ),
            route_settings=route_settings,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=logs.arn, format=json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":"))
            ),
            tags=args.tags,
            # Route settings name route keys: AWS refuses settings for a route that does not exist yet
            # (NotFoundException "Unable to find Route by key ... within the provided RouteSettings":
            # terraform-aws-modules/terraform-aws-apigateway-v2 PR 80, aws/serverless-application-model 2479).
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(routes)),
        )

    def _custom_domain(
        self, api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage, args: ApiGatewayArgs
    ) -> None:
        domain = args.domain
        assert domain is not None
        name = aws.apigatewayv2.DomainName(
            child_name(self._name, "domain"),
            domain_name=domain.host,
            domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
                certificate_arn=domain.certificate_arn,
                endpoint_type="REGIONAL",
                security_policy=CUSTOM_DOMAIN_TLS,
            ),
            tags=tags_with_name(domain.host, args.tags),
            opts=self._child,
        )
        aws.apigatewayv2.ApiMapping(
            child_name(self._name, "mapping"),
            api_id=api.id,
            domain_name=name.id,
            stage=stage.id,
            opts=self._child,
        )
        configuration = name.domain_name_configuration
        self.target_domain_name = configuration.apply(lambda c: str(c.target_domain_name))
        self.target_zone_id = configuration.apply(lambda c: str(c.hosted_zone_id))
