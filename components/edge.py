"""The Edge component: the Application Load Balancer in front of the services, and the schema of
``webstack:edge`` (its keys, environment defaults and checks).

``webstack:edge.kind`` picks the stack's entry point:

* ``alb`` (the default, release 1's behaviour): the load balancer is internet-facing in the public
  subnets and terminates TLS;
* ``apigateway``: an API Gateway HTTP API (components/apigateway.py) is the entry point, and this load
  balancer is *internal*, in the private subnets, reachable only from the API's VPC link. Its listener
  is plain HTTP: TLS terminates at API Gateway, and the hop from the VPC link's network interfaces to
  the load balancer stays inside the VPC, admitted by security group from the link alone (an HTTPS
  listener would need a certificate for a name nobody resolves, and ``tls_config`` to verify it). The
  component then registers as ``webstack:components:InternalEdge``, so the guardrails can tell, from a
  listener's URN alone, that its plain-HTTP forwarding is the internal kind (and require its load
  balancer to be internal).

Either way services see the same interface (routes in; security group, target groups out) and admit
only this load balancer's security group.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool, StrictInt, StrictStr

from stack.schema import Environment, StrictModel

from .apigateway import ApiGatewayConfig, ApiGatewaySettings, api_gateway_settings
from .buckets import private_bucket
from .iam import Statement
from .pure.naming import child_name, member_name, tags_with_name, type_token
from .pure.regions import ELB_LOG_DELIVERY_ACCOUNTS

ANYWHERE_IPV4 = "0.0.0.0/0"
HTTP_PORT = 80
HTTPS_PORT = 443
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only, forward-secret ciphers."""
DESYNC_MITIGATION = "defensive"
DEREGISTRATION_DELAY_SECONDS = 30
"""AWS defaults to 300 s, which makes every deploy wait five minutes per task."""
HEALTH_CHECK_INTERVAL_SECONDS = 10
HEALTH_CHECK_TIMEOUT_SECONDS = 5
HEALTHY_THRESHOLD = 2
UNHEALTHY_THRESHOLD = 3
ACCESS_LOG_NONCURRENT_DAYS = 30
"""Days a deleted or overwritten access log stays recoverable in the versioned bucket."""
HEALTH_CHECK_MATCHER = "200-399"
"""The load balancer's check of each task, unless a service overrides it (``healthCheck``)."""


class EdgeKind(enum.StrEnum):
    """What the internet reaches first."""

    ALB = "alb"
    """An internet-facing Application Load Balancer (release 1's behaviour)."""
    APIGATEWAY = "apigateway"
    """An API Gateway HTTP API, through a VPC link to an internal load balancer."""


# --- Config: `webstack:edge` ----------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeDefaults:
    """The values an environment's load balancer uses for keys a stack does not set."""

    access_logs: bool
    deletion_protection: bool


EDGE_DEFAULTS: dict[Environment, EdgeDefaults] = {
    Environment.DEV: EdgeDefaults(access_logs=False, deletion_protection=False),
    Environment.PROD: EdgeDefaults(access_logs=True, deletion_protection=True),
}


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


_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[0-9a-f-]{36}$")


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
    problems = []
    arn = config.certificate_arn
    if arn is not None:
        match = _CERTIFICATE_ARN.match(arn)
        if not match:
            problems.append(
                f"webstack:edge.certificateArn: got {json.dumps(arn)}, but it is not an ACM certificate ARN; "
                "use arn:aws:acm:<region>:<account>:certificate/<id>"
            )
        elif region and match.group(1) != region:
            problems.append(
                f"webstack:edge.certificateArn: got a certificate in {match.group(1)}, but a load balancer "
                f"in {region} needs one from its own region; request or import it in {region}"
            )
        elif allowed_account_ids and match.group(2) not in allowed_account_ids:
            problems.append(
                f"webstack:edge.certificateArn: got a certificate of account {match.group(2)}, which is not "
                f"in aws:allowedAccountIds {list(allowed_account_ids)}; use this account's certificate"
            )
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
    if environment is Environment.PROD:
        if arn is None and not has_domain and gateway is None:
            problems.append(
                "webstack:edge.certificateArn: missing, but prod serves HTTPS only; set webstack:domain "
                "(a validated certificate for your host) or an ACM certificate ARN of the prod account "
                "and region"
            )
        if not access_logs:
            problems.append(
                "webstack:edge.accessLogs: got false, but prod keeps load balancer access logs for "
                "incident response; remove the key or set it to true"
            )
        if not protection:
            problems.append(
                "webstack:edge.deletionProtection: got false, but prod protects its load balancer from "
                "deletion; remove the key or set it to true"
            )
    settings = EdgeSettings(
        certificate_arn=arn,
        access_logs=access_logs,
        access_log_expiration_days=config.access_log_expiration_days,
        deletion_protection=protection,
        idle_timeout=config.idle_timeout,
        kind=config.kind,
        api_gateway=gateway,
    )
    return settings, problems


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetHealthCheck:
    """How the load balancer checks each task of a route."""

    path: str = "/"
    interval: int = HEALTH_CHECK_INTERVAL_SECONDS
    timeout: int = HEALTH_CHECK_TIMEOUT_SECONDS
    healthy_threshold: int = HEALTHY_THRESHOLD
    unhealthy_threshold: int = UNHEALTHY_THRESHOLD
    matcher: str = HEALTH_CHECK_MATCHER


@dataclass(frozen=True)
class EdgeRoute:
    """One service reachable through the edge."""

    service: str
    """The service's name; names its target group."""
    port: int
    """The container port traffic goes to."""
    health_check: TargetHealthCheck
    """How the load balancer checks each task."""
    path_patterns: tuple[str, ...]
    """Request paths that reach the service (empty: any path)."""
    host_headers: tuple[str, ...]
    """Host names that reach the service (empty: any host)."""
    priority: int
    """Listener rule priority; lower is evaluated first."""


@dataclass(frozen=True)
class EdgeArgs:
    """What the Edge builds."""

    vpc_id: pulumi.Input[str]
    """The VPC of the load balancer and its target groups."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """The load balancer's subnets, one per zone, at least two zones: the public subnets, or the
    private ones when ``internal``."""
    routes: tuple[EdgeRoute, ...]
    """The services to route to."""
    certificate_arn: pulumi.Input[str] | None
    """ACM certificate for HTTPS (configured, or the Domain's validated one); None serves HTTP only
    (dev), with a warning."""
    access_logs: bool
    """Write access logs to a private bucket."""
    access_log_expiration_days: int
    """Days before access logs expire."""
    deletion_protection: bool
    """Protect the load balancer from deletion."""
    idle_timeout: int
    """Seconds an idle connection stays open."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the load balancer must wait for: the VPC's internet gateway."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    internal: bool = False
    """An internal load balancer behind API Gateway (``edge.kind: apigateway``): in private subnets,
    plain HTTP on port 80, no ingress rule of its own (the VPC link's component adds the only one)."""

    def __post_init__(self) -> None:
        if len(self.public_subnet_ids) < 2:
            raise ValueError(
                "EdgeArgs.public_subnet_ids: an Application Load Balancer needs subnets in 2+ zones"
            )


class Edge(pulumi.ComponentResource):
    """The ALB (internet-facing, or internal behind API Gateway), its security group, listeners, target
    groups and routing rules."""

    security_group_id: pulumi.Output[str]
    """The edge's security group: services admit traffic from it alone."""
    target_group_arns: dict[str, pulumi.Output[str]]
    """Service name -> its target group."""
    target_group_arn_suffixes: dict[str, pulumi.Output[str]]
    """Service name -> target group ARN suffix (for request-count scaling)."""
    load_balancer_arn_suffix: pulumi.Output[str]
    """The load balancer's ARN suffix (for request-count scaling)."""
    load_balancer_arn: pulumi.Output[str]
    """The load balancer (a regional web ACL is associated with it)."""
    rules: dict[str, aws.lb.ListenerRule]
    """Service name -> its listener rule; services wait for it (a target group needs a listener)."""
    dns_name: pulumi.Output[str]
    """The load balancer's DNS name."""
    zone_id: pulumi.Output[str]
    """The load balancer's canonical hosted zone (the target of alias records)."""
    url: pulumi.Output[str]
    """https://<dns name> (http:// when dev runs without a certificate)."""
    https: bool
    """Whether the edge terminates TLS."""
    listener_arn: pulumi.Output[str]
    """The listener the routing rules hang on (API Gateway's integration targets it)."""
    listener_port: int

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Internal: its own type token, so guardrails see from a URN which kind a listener belongs to.
        super().__init__(type_token("InternalEdge" if args.internal else "Edge"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.https = args.certificate_arn is not None and not args.internal

        security_group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description="Internal load balancer: HTTP in from the API Gateway VPC link only, out to services"
            if args.internal
            else "Internet-facing load balancer: HTTPS in, HTTP only to redirect, out to services",
            # No inline rules: each rule is its own resource below, and the provider removes the
            # allow-all egress rule AWS adds to new groups.
            tags=tags_with_name(child_name(name, "sg"), args.tags),
            opts=child,
        )
        public_ports = () if args.internal else (HTTPS_PORT, HTTP_PORT) if self.https else (HTTP_PORT,)
        for port in public_ports:
            aws.vpc.SecurityGroupIngressRule(
                child_name(name, f"in-{port}"),
                security_group_id=security_group.id,
                description="HTTPS from the internet" if port == HTTPS_PORT else "HTTP from the internet",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=ANYWHERE_IPV4,
                tags=args.tags,
                opts=child,
            )

        access_logs, log_policy = self._access_log_bucket(name, args) if args.access_logs else (None, None)
        # AWS may answer "InvalidSubnet: VPC ... has no internet gateway" to an internet-facing load
        # balancer created before the gateway, and ELB checks it may write access logs when logging
        # is turned on, so both come first (plan/aws_rules.py enforces this offline).
        ready = [*args.depends_on, *([log_policy] if log_policy else [])]
        load_balancer = aws.lb.LoadBalancer(
            child_name(name, "alb"),
            load_balancer_type="application",
            internal=args.internal,
            ip_address_type="ipv4",
            security_groups=[security_group.id],
            subnets=list(args.public_subnet_ids),
            drop_invalid_header_fields=True,
            desync_mitigation_mode=DESYNC_MITIGATION,
            enable_deletion_protection=args.deletion_protection,
            enable_http2=True,
            idle_timeout=args.idle_timeout,
            access_logs=access_logs,
            tags=tags_with_name(child_name(name, "alb"), args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
        )

        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", status_code="404", message_body="Not Found"
            ),
        )
        if self.https:
            entry = aws.lb.Listener(
                child_name(name, "https"),
                load_balancer_arn=load_balancer.arn,
                port=HTTPS_PORT,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args.certificate_arn,
                default_actions=[not_found],
                tags=args.tags,
                opts=child,
            )
            aws.lb.Listener(
                child_name(name, "http-redirect"),
                load_balancer_arn=load_balancer.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"
                        ),
                    )
                ],
                tags=args.tags,
                opts=child,
            )
        elif args.internal:
            # Plain HTTP inside the VPC: TLS ended at API Gateway (see the module docstring).
            entry = aws.lb.Listener(
                child_name(name, "http"),
                load_balancer_arn=load_balancer.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_actions=[not_found],
                tags=args.tags,
                opts=child,
            )
        else:
            pulumi.log.warn(
                f"{name}: no webstack:edge.certificateArn, so this stack serves plain HTTP on port 80 "
                "without TLS. Fine for a throwaway dev stack; set a certificate to serve HTTPS.",
                resource=self,
            )
            entry = aws.lb.Listener(
                child_name(name, "http"),
                load_balancer_arn=load_balancer.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_actions=[not_found],
                tags=args.tags,
                opts=child,
            )

        self.target_group_arns = {}
        self.target_group_arn_suffixes = {}
        self.rules = {}
        for route in args.routes:
            target_group = aws.lb.TargetGroup(
                member_name(name, "tg", route.service),
                vpc_id=args.vpc_id,
                target_type="ip",
                protocol="HTTP",
                port=route.port,
                deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    enabled=True,
                    path=route.health_check.path,
                    protocol="HTTP",
                    port="traffic-port",
                    matcher=route.health_check.matcher,
                    interval=route.health_check.interval,
                    timeout=route.health_check.timeout,
                    healthy_threshold=route.health_check.healthy_threshold,
                    unhealthy_threshold=route.health_check.unhealthy_threshold,
                ),
                tags=tags_with_name(member_name(name, "tg", route.service), args.tags),
                opts=child,
            )
            conditions = []
            if route.path_patterns:
                conditions.append(
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                            values=list(route.path_patterns)
                        )
                    )
                )
            if route.host_headers:
                conditions.append(
                    aws.lb.ListenerRuleConditionArgs(
                        host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(
                            values=list(route.host_headers)
                        )
                    )
                )
            self.rules[route.service] = aws.lb.ListenerRule(
                member_name(name, "rule", route.service),
                listener_arn=entry.arn,
                priority=route.priority,
                conditions=conditions,
                actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
                tags=args.tags,
                opts=child,
            )
            self.target_group_arns[route.service] = target_group.arn
            self.target_group_arn_suffixes[route.service] = target_group.arn_suffix

        self.security_group_id = security_group.id
        self.listener_arn = entry.arn
        self.listener_port = HTTPS_PORT if self.https else HTTP_PORT
        self.load_balancer_arn_suffix = load_balancer.arn_suffix
        self.load_balancer_arn = load_balancer.arn
        self.dns_name = load_balancer.dns_name
        self.zone_id = load_balancer.zone_id
        self.url = pulumi.Output.concat("https://" if self.https else "http://", load_balancer.dns_name)
        self.register_outputs(
            {
                "securityGroupId": self.security_group_id,
                "dnsName": self.dns_name,
                "url": self.url,
                "targetGroupArns": self.target_group_arns,
            }
        )

    def _access_log_bucket(
        self, name: str, args: EdgeArgs
    ) -> tuple[aws.lb.LoadBalancerAccessLogsArgs, aws.s3.BucketPolicy]:
        """A private, TLS-only bucket that only ELB log delivery may write to, with expiry.

        SSE-S3 (AES256) because ALB log delivery cannot write to KMS-encrypted buckets.
        """
        invoke = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        bucket, policy = private_bucket(
            child_name(name, "access-logs"),
            parent=self,
            lifecycle_rule=aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-access-logs",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=args.access_log_expiration_days
                ),
                # Versioned (CKV_AWS_21): a deleted or overwritten log is kept this long, then expires.
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=ACCESS_LOG_NONCURRENT_DAYS
                ),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1
                ),
            ),
            extra_statements=lambda arn: pulumi.Output.all(arn, region, account_id).apply(
                lambda values: [_log_delivery_statement(*values)]
            ),
            tags=args.tags,
        )
        return aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket.bucket, enabled=True, prefix=name), policy


def _log_delivery_statement(bucket_arn: str, region: str, account_id: str) -> Statement:
    """ELB log delivery may put objects under this account's prefix, and nothing else."""
    # Regions available before August 2022 deliver as their regional ELB account (from a table, not
    # aws.elb.get_service_account, which fails in newer regions); every region as the service principal.
    legacy = ELB_LOG_DELIVERY_ACCOUNTS.get(region)
    principals = [
        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="Service", identifiers=["logdelivery.elasticloadbalancing.amazonaws.com"]
        )
    ]
    if legacy:
        principals.insert(
            0,
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                type="AWS", identifiers=[f"arn:aws:iam::{legacy}:root"]
            ),
        )
    return Statement(
        sid="ElbLogDelivery",
        effect="Allow",
        actions=["s3:PutObject"],
        principals=principals,
        resources=[f"{bucket_arn}/*/AWSLogs/{account_id}/*"],
    )
