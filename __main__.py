"""webstack: builds the components the stack's config asks for, and exports what users need.

No resource is declared here; every one lives in a component under ``components/``.
"""

from dataclasses import replace

import pulumi

from components.alarms import cache_targets, database_target
from components.apigateway import ApiGateway, ApiGatewayArgs, CustomDomain, gateway_routes
from components.cache import Cache, CacheArgs
from components.cdn import Cdn, CdnArgs
from components.cluster import Cluster, ClusterArgs
from components.config import load_settings
from components.database import Database, DatabaseArgs
from components.datastore import identifier
from components.domain import CLOUDFRONT_REGION, CertificateRequest, Domain, DomainArgs
from components.edge import Edge, EdgeArgs, EdgeKind, EdgeRoute, TargetHealthCheck
from components.encryption import StackKey, StackKeyArgs
from components.network import Network, NetworkArgs, endpoint_services
from components.observability import (
    Notifications,
    NotificationsArgs,
    Observability,
    ObservabilityArgs,
    ServiceMetrics,
    ServiceMonitoring,
)
from components.queue import Queue, QueueArgs
from components.service import QueueAccess, Service, ServiceArgs, call_order, route_key
from components.waf import Scope, Waf, WafArgs, waf_log_group_name

settings = load_settings()  # validates everything before any resource is registered
tags = {"Stack": settings.stack}

# First: every log group, ECS Exec session and the alarm topic is encrypted with this key.
observing = settings.observability
stack_key = StackKey(
    "stack-key", StackKeyArgs(region=settings.aws.region, publishers=observing.publishers, tags=tags)
)
# Before the services: they alarm into its topic (and name their deployment alarms).
notifications = (
    Notifications(
        "alerts",
        NotificationsArgs(
            kms_key_arn=stack_key.arn,
            region=settings.aws.region,
            emails=observing.emails,
            https_endpoints=observing.https_endpoints,
            budget=observing.budget,
            tags=tags,
        ),
    )
    if observing.topic
    else None
)
alarm_topic = notifications.topic_arn if notifications and observing.alarms else None
watched = ObservabilityArgs(region=settings.aws.region, topic_arn=alarm_topic, tags=tags)

network = Network(
    "webstack",
    NetworkArgs(
        cidr=settings.network.cidr,
        zones=settings.network.availability_zones or (),
        nat_mode=settings.network.nat_mode,
        flow_log_retention_days=settings.network.flow_log_retention_days,
        region=settings.aws.region,
        kms_key_arn=stack_key.arn,
        interface_endpoints=endpoint_services(
            [arn for service in settings.services for arn in service.secret_resource_arns],
            exec_enabled=settings.cluster.exec_enabled and bool(settings.services),
            ec2_capacity=settings.cluster.ec2 is not None and bool(settings.services),
        )
        if settings.network.interface_endpoints
        else (),
        tags=tags,
        isolated=settings.data_tier,
    ),
)

pulumi.export("environment", settings.environment.value)
pulumi.export("region", settings.aws.region)
pulumi.export("availabilityZones", list(settings.network.availability_zones or ()))
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("natGatewayIds", network.nat_gateway_ids)
pulumi.export("cidrPlan", network.cidr_plan)

# The data tier: each database and cache in the isolated subnets, reachable only from the services
# that declare it (the services add those rules).
databases = {
    database.name: Database(
        f"db-{database.name}",
        DatabaseArgs(
            settings=database,
            identifier=identifier(pulumi.get_project(), settings.stack, database.name),
            logs_key_arn=stack_key.arn,
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.isolated_subnet_ids),
            region=settings.aws.region,
            tags=tags,
        ),
    )
    for database in settings.databases
}
caches = {
    cache.name: Cache(
        f"cache-{cache.name}",
        CacheArgs(
            settings=cache,
            identifier=identifier(pulumi.get_project(), settings.stack, f"cache-{cache.name}"),
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.isolated_subnet_ids),
            region=settings.aws.region,
            tags=tags,
        ),
    )
    for cache in settings.caches
}
if settings.data_tier:
    pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
if databases:
    pulumi.export(
        "databases",
        {
            name: {
                "address": database.address,
                "port": database.port,
                "dbName": database.link().environment["DB_NAME"],
                "secretArn": database.secret_arn,
                "identifier": database.identifier,
                "services": [s.name for s in settings.services if s.config.database == name],
            }
            for name, database in databases.items()
        },
    )
if caches:
    pulumi.export(
        "caches",
        {
            name: {
                "address": cache.address,
                "port": cache.link().port,
                "secretArn": cache.secret_arn,
                "services": [s.name for s in settings.services if s.config.cache == name],
            }
            for name, cache in caches.items()
        },
    )

if settings.services:
    cluster = Cluster(
        "cluster",
        ClusterArgs(
            capacity=settings.cluster.capacity,
            container_insights=settings.cluster.container_insights,
            exec_enabled=settings.cluster.exec_enabled,
            exec_log_retention_days=settings.cluster.exec_log_retention_days,
            kms_key_arn=stack_key.arn,
            service_connect=any(service.config.calls for service in settings.services),
            off_hours=settings.cluster.off_hours,
            tags=tags,
            default_tags=settings.aws.default_tags,
            ec2=settings.cluster.ec2,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
        ),
    )
    domain = (
        Domain(
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
                tags=tags,
            ),
        )
        if settings.domain
        else None
    )
    # edge.kind apigateway: the load balancer is internal, in the private subnets, behind the HTTP API.
    gateway_settings = settings.edge.api_gateway if settings.edge.kind is EdgeKind.APIGATEWAY else None
    internal = gateway_settings is not None
    edge = Edge(
        "edge",
        EdgeArgs(
            vpc_id=network.vpc_id,
            public_subnet_ids=network.private_subnet_ids if internal else network.public_subnet_ids,
            # Workers (no port) get no target group, no rule and no place in the edge's routes.
            routes=tuple(
                EdgeRoute(
                    service=service.name,
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
                )
                for service in settings.services
                if service.port is not None and service.route is not None
            )
            + tuple(
                EdgeRoute(
                    service=route_key(service.name, port),
                    port=port.port,
                    health_check=TargetHealthCheck(path=port.health_check_path),
                    path_patterns=route.path_patterns,
                    host_headers=route.host_headers,
                    priority=route.priority,
                )
                for service in settings.services
                for port, route in service.extra_routes
            ),
            certificate_arn=None
            if internal
            else domain.certificate_arns["cert"]
            if domain
            else settings.edge.certificate_arn,
            access_logs=settings.edge.access_logs,
            access_log_expiration_days=settings.edge.access_log_expiration_days,
            deletion_protection=settings.edge.deletion_protection,
            idle_timeout=settings.edge.idle_timeout,
            depends_on=[] if internal else [network.internet_gateway],
            tags=tags,
            internal=internal,
        ),
    )
    gateway = (
        ApiGateway(
            "api-gateway",
            ApiGatewayArgs(
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                load_balancer_security_group_id=edge.security_group_id,
                listener_arn=edge.listener_arn,
                listener_port=edge.listener_port,
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
                throttle=gateway_settings.throttle,
                jwt=gateway_settings.jwt,
                kms_key_arn=stack_key.arn,
                log_retention_days=gateway_settings.log_retention_days,
                domain=CustomDomain(settings.domain.host, domain.certificate_arns["cert"])
                if domain and settings.domain
                else None,
                tags=tags,
            ),
        )
        if gateway_settings is not None
        else None
    )
    if settings.waf.enabled:
        Waf(
            "waf",
            WafArgs(
                settings=settings.waf,
                scope=Scope.REGIONAL,
                region=settings.aws.region,
                log_group_name=waf_log_group_name(pulumi.get_project(), settings.stack),
                protected_arn=edge.load_balancer_arn,
                kms_key_arn=stack_key.arn,
                tags=tags,
            ),
        )
    queues = {
        queue.name: Queue(queue.name, QueueArgs(settings=queue, tags=tags)) for queue in settings.queues
    }
    access = {
        name: QueueAccess(name=name, arn=queue.arn, url=queue.url, queue_name=queue.queue_name)
        for name, queue in queues.items()
    }
    services: dict[str, Service] = {}
    for service in call_order(settings.services):  # callees first: callers reference them
        routed = service.name in edge.target_group_arns
        services[service.name] = Service(
            service.name,
            ServiceArgs(
                settings=service,
                cluster=cluster,
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                edge_security_group_id=edge.security_group_id if routed else None,
                target_group_arn=edge.target_group_arns.get(service.name),
                routing_ready=[
                    edge.rules[key]
                    for key in (
                        service.name,
                        *(route_key(service.name, port) for port, _ in service.extra_routes),
                    )
                    if key in edge.rules
                ],
                extra_target_groups={
                    port.name: edge.target_group_arns[route_key(service.name, port)]
                    for port, _ in service.extra_routes
                },
                request_count_label=pulumi.Output.concat(
                    edge.load_balancer_arn_suffix, "/", edge.target_group_arn_suffixes[service.name]
                )
                if routed
                else None,
                region=settings.aws.region,
                monitoring=ServiceMonitoring(
                    app_error_pattern=observing.app_error_pattern,
                    load_balancer_arn_suffix=edge.load_balancer_arn_suffix,
                    target_group_arn_suffix=edge.target_group_arn_suffixes.get(service.name),
                    topic_arn=alarm_topic,
                ),
                tags=tags,
                data_stores=tuple(
                    store.link()
                    for store in (
                        databases.get(service.config.database or ""),
                        caches.get(service.config.cache or ""),
                    )
                    if store is not None
                ),
                callees=[services[callee].as_callee() for callee in service.config.calls],
                consumes=access[service.consumes] if service.consumes else None,
                sends_to=[access[queue.name] for queue in settings.queues if service.name in queue.senders],
            ),
        )
    watched = replace(
        watched,
        load_balancer_arn_suffix=edge.load_balancer_arn_suffix,
        https=edge.https,
        services=tuple(
            ServiceMetrics(
                name=name,
                cluster_name=cluster.cluster_name,
                service_name=service.service_name,
                target_group_arn_suffix=edge.target_group_arn_suffixes.get(name),
            )
            for name, service in services.items()
        ),
    )

    if domain and settings.domain:
        if gateway is not None and gateway.target_domain_name is not None and gateway.target_zone_id:
            # The API's regional domain (IPv4 endpoint type by default), so no AAAA record.
            domain.alias(
                "app", settings.domain.host, gateway.target_domain_name, gateway.target_zone_id, ipv6=False
            )
        else:
            # The load balancer is IPv4-only (ip_address_type="ipv4"), so no AAAA record.
            domain.alias("app", settings.domain.host, edge.dns_name, edge.zone_id, ipv6=False)
        if settings.static:
            cdn = Cdn(
                "cdn",
                CdnArgs(
                    settings=settings.static,
                    certificate_arn=domain.certificate_arns["cdn-cert"],
                    log_delivery_name=f"{pulumi.get_project()}-{settings.stack}-cloudfront",
                    tags=tags,
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
            pulumi.export("staticUrl", f"https://{settings.static.host}")
            pulumi.export("staticBucket", cdn.bucket_name)
    pulumi.export(
        "url",
        f"https://{settings.domain.host}" if settings.domain else gateway.url if gateway else edge.url,
    )
    pulumi.export("clusterName", cluster.cluster_name)
    pulumi.export("serviceNames", {name: service.service_name for name, service in services.items()})
    pulumi.export("logGroups", {name: service.log_group_name for name, service in services.items()})
    pulumi.export(
        "repositoryUrls",
        {
            name: service.repository_url
            for name, service in services.items()
            if service.repository_url is not None
        },
    )
    pulumi.export("images", {name: service.image for name, service in services.items()})
    if queues:
        pulumi.export("queueUrls", {name: queue.url for name, queue in queues.items()})

# Last: edge, NAT and data-tier alarms, and the dashboard of everything above.
watched = replace(
    watched,
    nat_gateways=network.nat_gateways,
    databases=tuple(
        database_target(
            d.name, databases[d.name].identifier, d.config.instance_class, d.config.allocated_storage
        )
        for d in settings.databases
    ),
    caches=tuple(
        target
        for c in settings.caches
        for target in cache_targets(c.name, caches[c.name].replication_group_id, c.nodes)
    ),
)
observability = Observability("observability", watched)
pulumi.export("dashboard", observability.dashboard_name)
if notifications is not None:
    pulumi.export("alarmTopicArn", notifications.topic_arn)
