"""The front door: the domain and its certificates, the edge (load balancer), the optional HTTP API
in front of it, the WAF, and after the services the DNS aliases and the static site's CDN."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.frontdoor.apigateway import (
    ApiGateway,
    ApiGatewayArgs,
    CustomDomain,
    GatewayRoute,
    GatewayThrottle,
    JwtAuthorizer,
)
from components.frontdoor.cdn import Cdn, CdnArgs
from components.frontdoor.domain import CLOUDFRONT_REGION, CertificateRequest, Domain, DomainArgs
from components.frontdoor.edge import Edge, EdgeArgs, EdgeRoute, TargetHealthCheck
from components.frontdoor.waf import Scope, Waf, WafArgs, waf_log_group_name
from stack.apigateway import ApiGatewaySettings, Throttle, route_keys
from stack.config import StackSettings
from stack.edge import EDGE_DEFAULTS, UNPROTECTED_PROD_WARNING, EdgeKind
from stack.schema import Environment
from stack.services import route_key
from stack.static import BUCKET_REMOVAL
from stack.wiring.foundation import Foundation, tags_of


@dataclass(frozen=True)
class FrontDoor:
    """The domain (if any), the edge and the HTTP API (with ``edge.kind: apigateway``)."""

    domain: Domain | None
    edge: Edge
    gateway: ApiGateway | None


def build_front_door(settings: StackSettings, foundation: Foundation) -> FrontDoor:
    """Domain, edge, API Gateway and WAF, in the order their references need."""
    domain = _domain(settings)
    edge = _edge(settings, foundation, domain)
    gateway = _gateway(settings, foundation, domain, edge)
    if settings.waf.enabled:
        _waf(settings, foundation, edge)
    return FrontDoor(domain, edge, gateway)


def _waf(settings: StackSettings, foundation: Foundation, edge: Edge) -> Waf:
    """The web ACL on the load balancer (``webstack:waf``)."""
    waf = settings.waf
    groups = waf.rule_groups
    return Waf(
        "waf",
        WafArgs(
            scope=Scope.REGIONAL,
            region=settings.aws.region,
            log_group_name=waf_log_group_name(pulumi.get_project(), settings.stack),
            rate_limit=waf.rate_limit,
            rate_window_seconds=waf.rate_window_seconds,
            ip_reputation=groups["ipReputation"],
            common_rule_set=groups["common"],
            known_bad_inputs=groups["knownBadInputs"],
            sql_injection=groups["sqli"],
            log_retention_days=waf.log_retention_days,
            protected_arn=edge.load_balancer_arn,
            kms_key_arn=foundation.stack_key.arn,
            tags=tags_of(settings),
        ),
    )


def _domain(settings: StackSettings) -> Domain | None:
    if not settings.domain:
        return None
    return Domain(
        "domain",
        DomainArgs(
            zone_id=settings.domain.zone_id or "",
            certificates=(
                CertificateRequest(role="cert", names=(settings.domain.host,)),
                # CloudFront takes certificates from us-east-1 only.
                *(
                    [CertificateRequest("cdn-cert", (settings.static.host,), CLOUDFRONT_REGION)]
                    if settings.static
                    else []
                ),
            ),
            tags=tags_of(settings),
        ),
    )


def _edge_routes(settings: StackSettings) -> tuple[EdgeRoute, ...]:
    # Workers (no port) get no target group, no rule and no place in the edge's routes.
    main = tuple(
        EdgeRoute(
            name=service.name,
            port=service.port,
            health_check=TargetHealthCheck(
                path=service.config.health_check_path,
                interval=service.config.health_check.interval,
                timeout=service.config.health_check.timeout,
                healthy_threshold=service.config.health_check.healthy_threshold,
                unhealthy_threshold=service.config.health_check.unhealthy_threshold,
                matcher=service.config.health_check.matcher,
            ),
            path_patterns=service.route.path_patterns,
            host_headers=service.route.host_headers,
            priority=service.route.priority,
            alternate=service.deployment.shifts_traffic,
        )
        for service in settings.services
        if service.port is not None and service.route is not None
    )
    extra = tuple(
        EdgeRoute(
            name=route_key(service.name, port),
            port=port.port,
            health_check=TargetHealthCheck(path=port.health_check_path),
            path_patterns=route.path_patterns,
            host_headers=route.host_headers,
            priority=route.priority,
        )
        for service in settings.services
        for port, route in service.extra_routes
    )
    return main + extra


def _edge(settings: StackSettings, foundation: Foundation, domain: Domain | None) -> Edge:
    # edge.kind apigateway: the load balancer is internal, in the private subnets, behind the HTTP API.
    internal = settings.edge.kind is EdgeKind.APIGATEWAY
    network = foundation.network
    certificate_arn = (
        None if internal else domain.certificate_arns["cert"] if domain else settings.edge.certificate_arn
    )
    edge = Edge(
        "edge",
        EdgeArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids if internal else network.public_subnet_ids,
            routes=_edge_routes(settings),
            certificate_arn=certificate_arn,
            internal=internal,
            access_logs=settings.edge.access_logs,
            access_log_expiration_days=settings.edge.access_log_expiration_days,
            access_log_removal=EDGE_DEFAULTS[settings.environment].access_log_removal,
            deletion_protection=settings.edge.deletion_protection,
            idle_timeout=settings.edge.idle_timeout,
            test_cidrs=settings.edge.test_cidrs,
            internet_gateway=None if internal else network.internet_gateway,
            tags=tags_of(settings),
        ),
    )
    if settings.environment is Environment.PROD and not settings.edge.deletion_protection:
        pulumi.log.warn(UNPROTECTED_PROD_WARNING, resource=edge)
    if certificate_arn is None and not internal:
        pulumi.log.warn(
            "edge: no webstack:edge.certificateArn, so this stack serves plain HTTP on port 80 "
            "without TLS. Fine for a throwaway dev stack; set a certificate to serve HTTPS.",
            resource=edge,
        )
    return edge


def _gateway(
    settings: StackSettings, foundation: Foundation, domain: Domain | None, edge: Edge
) -> ApiGateway | None:
    gateway_settings = settings.edge.api_gateway if settings.edge.kind is EdgeKind.APIGATEWAY else None
    if gateway_settings is None:
        return None
    network = foundation.network
    return ApiGateway(
        "api-gateway",
        ApiGatewayArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            load_balancer_security_group_id=edge.security_group_id,
            listener_arn=edge.listener_arn,
            listener_port=edge.listener_port,
            kms_key_arn=foundation.stack_key.arn,
            # Every load-balancer route (each service's, and each extra port's) gets its API routes.
            routes=gateway_routes(
                gateway_settings,
                [
                    (route_key(service.name, port), service.name, route.path_patterns)
                    for service in settings.services
                    if service.port is not None and service.route is not None
                    for port, route in ((None, service.route), *service.extra_routes)
                ],
            ),
            throttle=_throttle(gateway_settings.throttle),
            jwt=JwtAuthorizer(gateway_settings.jwt.issuer, gateway_settings.jwt.audiences)
            if gateway_settings.jwt
            else None,
            log_retention_days=gateway_settings.log_retention_days,
            domain=CustomDomain(settings.domain.host, domain.certificate_arns["cert"])
            if domain and settings.domain
            else None,
            tags=tags_of(settings),
        ),
    )


def _throttle(throttle: Throttle) -> GatewayThrottle:
    return GatewayThrottle(burst_limit=throttle.burst_limit, rate_limit=throttle.rate_limit)


def gateway_routes(
    settings: ApiGatewaySettings, routes: Sequence[tuple[str, str, Sequence[str]]]
) -> tuple[GatewayRoute, ...]:
    """The API routes of the load balancer's routes ``(route name, owning service, path patterns)``:
    throttled by the route name's override (else the stage's), guarded when JWT covers the owning
    service or the route name. Config validation already refused what has no route key."""
    jwt = settings.jwt
    return tuple(
        GatewayRoute(
            name=name,
            keys=tuple(route_keys(f"webstack:services.{name}", patterns, ())[0]),
            throttle=_throttle(settings.route_throttles.get(name, settings.throttle)),
            authorized=jwt is not None
            and (jwt.services is None or service in jwt.services or name in jwt.services),
        )
        for name, service, patterns in routes
    )


def build_aliases_and_cdn(settings: StackSettings, front: FrontDoor) -> Cdn | None:
    """The app's DNS alias (to the API or the load balancer) and the static site behind CloudFront."""
    domain, gateway, edge = front.domain, front.gateway, front.edge
    if not (domain and settings.domain):
        return None
    if gateway is not None and gateway.target_domain_name is not None and gateway.target_zone_id:
        # The API's regional domain (IPv4 endpoint type by default), so no AAAA record.
        domain.alias(
            "app", settings.domain.host, gateway.target_domain_name, gateway.target_zone_id, ipv6=False
        )
    else:
        # The load balancer is IPv4-only (ip_address_type="ipv4"), so no AAAA record.
        domain.alias("app", settings.domain.host, edge.dns_name, edge.zone_id, ipv6=False)
    if not settings.static:
        return None
    cdn = Cdn(
        "cdn",
        CdnArgs(
            host=settings.static.host,
            certificate_arn=domain.certificate_arns["cdn-cert"],
            log_delivery_name=f"{pulumi.get_project()}-{settings.stack}-cloudfront",
            price_class=settings.static.price_class,
            log_expiration_days=settings.static.log_expiration_days,
            bucket_removal=BUCKET_REMOVAL[settings.environment],
            tags=tags_of(settings),
        ),
    )
    # CloudFront serves IPv6: AAAA too. Route 53 refuses target-health checks on CloudFront.
    domain.alias(
        "static",
        settings.static.host,
        cdn.domain_name,
        cdn.hosted_zone_id,
        ipv6=True,
        evaluate_target_health=False,
    )
    return cdn
