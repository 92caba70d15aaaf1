"""The ApiGateway component: an API Gateway HTTP API in front of an internal Application Load Balancer,
through a VPC link with its own security group.

The API is then the only internet-facing entry point: the load balancer (:class:`Edge` with
``internal=True``) lives in the private subnets and admits only the VPC link's security group; the
services behind it keep admitting only the load balancer.

Why an HTTP API, not a REST API: HTTP APIs authorize JWTs natively, cost less per request, and reach an
Application Load Balancer directly through a VPC link (v2); a REST API would need a Network Load
Balancer in front of the ALB (VPC link v1) and brings usage plans and API keys this component does not
use. The price of that choice: AWS WAF cannot be associated with HTTP APIs (WAF protects REST API
stages, not HTTP APIs: AWS API Gateway guide ``apigateway-control-access-aws-waf.html``), so this edge
relies on API Gateway throttling (stage-wide and per route) and, optionally, a JWT authorizer.

One integration serves every route: API Gateway proxies the request, path unchanged, to the load
balancer's listener, whose rules pick the service, so the ALB stays the one place that maps paths to
services. The routes mirror those rules so that API Gateway answers 404 for paths no service claims,
and so throttling and authorization can differ per route.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..encryption import encrypted_log_group
from ..network import security_group_path
from ..pure.inputs import args_of
from ..pure.naming import child_name, member_name, tags_with_name, type_token

STAGE_NAME = "$default"
"""The stage served at the API's root (no /stage prefix in URLs), deployed on every change."""
PAYLOAD_FORMAT_VERSION = "1.0"
"""The only payload format HTTP_PROXY private integrations accept (aws-traps §5; SDK integration.py)."""
CUSTOM_DOMAIN_TLS = "TLS_1_2"
"""The only security policy regional HTTP API custom domains offer for TLS 1.2+."""
JWT_IDENTITY_SOURCE = "$request.header.Authorization"
"""Where the authorizer reads the token."""

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


DEFAULT_THROTTLE_BURST_LIMIT = 500
"""Requests a stage or route takes in a burst unless told otherwise."""
DEFAULT_THROTTLE_RATE_LIMIT = 1000
"""Steady requests per second a stage or route takes unless told otherwise."""
DEFAULT_LOG_RETENTION_DAYS = 365
"""Days the access logs are kept unless told otherwise."""


@dataclass(frozen=True)
class GatewayThrottle:
    """Token-bucket throttling of a stage or route: both values are always set (API Gateway reads an
    unset one as 0, and then answers every request with 429)."""

    burst_limit: int = DEFAULT_THROTTLE_BURST_LIMIT
    """Requests allowed in a burst (1 to the account quota, 5,000 by default). Default: 500."""
    rate_limit: int = DEFAULT_THROTTLE_RATE_LIMIT
    """Steady requests per second (1 to the account quota, 10,000 by default). Default: 1000."""


@dataclass(frozen=True)
class JwtAuthorizer:
    """A JWT authorizer: API Gateway checks the token in the Authorization header."""

    issuer: str
    """The token issuer, an https:// URL whose keys API Gateway fetches. Required."""
    audiences: Sequence[str]
    """Accepted ``aud`` values (for Cognito: the app client id); at least one. Required."""


@dataclass(frozen=True)
class GatewayRoute:
    """The HTTP API routes of one load-balancer route."""

    name: str
    """Names the route resources (``{component}-route-{name}-{index}``). Required."""
    keys: Sequence[str]
    """HTTP API route keys, e.g. ``$default``, ``ANY /api/{proxy+}``, ``ANY /health``. Required."""
    throttle: GatewayThrottle = GatewayThrottle()
    """Throttling of these routes. Default: 500 burst, 1000 per second."""
    authorized: bool = False
    """Whether these routes require a JWT (needs ``ApiGatewayArgs.jwt``). Default: False."""


@dataclass(frozen=True)
class CustomDomain:
    """A host name of the API's own, instead of the execute-api endpoint."""

    host: str
    """The host name, e.g. app.example.com. Required."""
    certificate_arn: pulumi.Input[str]
    """A validated ACM certificate of the stack's region for ``host``. Required."""


@dataclass(frozen=True)
class ApiGatewayArgs:
    """What the ApiGateway builds."""

    vpc_id: pulumi.Input[str]
    """The VPC of the load balancer and the VPC link. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The private subnets the VPC link's network interfaces live in (one per zone). Required."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The internal load balancer's group: the link may reach it, and it admits the link alone.
    Required."""
    listener_arn: pulumi.Input[str]
    """The internal load balancer's listener every route is proxied to. Required."""
    listener_port: int
    """The port of that listener (the link's security-group rules open it). Required."""
    kms_key_arn: pulumi.Input[str]
    """The KMS key that encrypts the access-log group. Required."""
    routes: Sequence[GatewayRoute] = ()
    """The API routes; requests no route matches are answered 404 by API Gateway. Default: none."""
    throttle: GatewayThrottle = GatewayThrottle()
    """Stage-wide throttling (``$default`` route settings). Default: 500 burst, 1000 per second."""
    jwt: JwtAuthorizer | None = None
    """The authorizer of the routes marked ``authorized``. Default: None (routes are open)."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the JSON access logs are kept (a CloudWatch Logs retention period). Default: 365."""
    domain: CustomDomain | None = None
    """Serve on this host (and turn the execute-api endpoint off). Default: None (the execute-api
    URL)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child, on top of the provider's default tags. Default: none."""


class ApiGateway(pulumi.ComponentResource):
    """HTTP API, VPC link and its security group, integration, routes, stage, authorizer, domain."""

    security_group_id: pulumi.Output[str]
    """The VPC link's group."""
    api_id: pulumi.Output[str]
    """The HTTP API's id."""
    url: pulumi.Output[str]
    """https://<custom host> or the execute-api endpoint."""
    target_domain_name: pulumi.Output[str] | None
    """The regional domain an alias record for the custom host points at (None without a domain)."""
    target_zone_id: pulumi.Output[str] | None
    """The hosted zone of that regional domain (None without a domain)."""

    def __init__(self, name: str, args: ApiGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(ApiGatewayArgs, args)
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

    def _authorizer(self, api: aws.apigatewayv2.Api, jwt: JwtAuthorizer) -> aws.apigatewayv2.Authorizer:
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
                        member_name(self._name, "route", f"{route.name}-{index}"),
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
