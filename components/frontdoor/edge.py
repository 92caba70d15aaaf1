"""The Edge component: an Application Load Balancer in front of services, its security group,
listeners, and a target group and routing rule per route.

Two kinds (``EdgeArgs.internal``):

* internet-facing (the default): in public subnets, HTTPS with the given certificate (HTTP only
  redirects), or plain HTTP without one;
* internal, behind an API Gateway HTTP API (:class:`ApiGateway`): in private subnets, reachable only
  from the API's VPC link. Its listener is plain HTTP: TLS terminates at API Gateway, and the hop from
  the VPC link's network interfaces to the load balancer stays inside the VPC, admitted by security
  group from the link alone (an HTTPS listener would need a certificate for a name nobody resolves,
  and ``tls_config`` to verify it). The component then registers as
  ``webstack:components:InternalEdge``, so guardrails can tell, from a listener's URN alone, that its
  plain-HTTP forwarding is the internal kind (and require its load balancer to be internal).

Day two (a change to a running stack applies, both ways):

* HTTP <-> HTTPS keeps one listener per port: port 80 is always ``{name}-http`` (it forwards, or with TLS
  redirects: an update of its default action), aliased from release 1's ``{name}-http-redirect``, so no
  new listener is created on a port the old one still holds (ELB: ``DuplicateListener``).
* internet-facing <-> internal (``edge.kind`` alb <-> apigateway) keeps every URN: each of the two type
  tokens aliases the other, so the children are the same resources under the other token. What AWS
  cannot change in place is replaced: the load balancer (``internal`` is ForceNew; it has no explicit
  name, so the replacement cannot collide on one), its listeners and rules, and the group whose
  description names the kind. Target groups and the access-log bucket stay.

Either way services see the same interface (routes in; security group, target groups out) and admit
only this load balancer's security group.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..buckets import private_bucket
from ..iam import Statement
from ..pure.frontdoor import (
    HEALTH_CHECK_INTERVAL_SECONDS,
    HEALTH_CHECK_MATCHER,
    HEALTH_CHECK_TIMEOUT_SECONDS,
    HEALTHY_THRESHOLD,
    UNHEALTHY_THRESHOLD,
    BucketRemoval,
)
from ..pure.inputs import args_of
from ..pure.naming import child_name, member_name, tags_with_name, type_token
from ..pure.regions import ELB_LOG_DELIVERY_ACCOUNTS

ANYWHERE_IPV4 = "0.0.0.0/0"
HTTP_PORT = 80
HTTPS_PORT = 443
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only, forward-secret ciphers."""
DESYNC_MITIGATION = "defensive"
DEREGISTRATION_DELAY_SECONDS = 30
"""AWS defaults to 300 s, which makes every deploy wait five minutes per task."""
ACCESS_LOG_NONCURRENT_DAYS = 30
"""Days a deleted or overwritten access log stays recoverable in the versioned bucket."""
DEFAULT_HEALTH_CHECK_PATH = "/"
"""The path the load balancer requests from each target unless told otherwise."""
DEFAULT_ACCESS_LOG_EXPIRATION_DAYS = 90
"""Days before access logs expire unless told otherwise."""
DEFAULT_IDLE_TIMEOUT_SECONDS = 60
"""Seconds an idle connection stays open unless told otherwise (AWS's default)."""
TEST_PORT_HTTPS = 8443
"""The test listener's port with TLS: where a blue/green, canary or linear route's new copy answers
before production traffic moves (ECS advanced configuration test_listener_rule)."""
TEST_PORT_HTTP = 8080
"""The test listener's port without TLS (or on an internal load balancer)."""


@dataclass(frozen=True)
class TargetHealthCheck:
    """How the load balancer checks each target of a route."""

    path: str = DEFAULT_HEALTH_CHECK_PATH
    """The path requested. Default: /."""
    interval: int = HEALTH_CHECK_INTERVAL_SECONDS
    """Seconds between checks (5-300). Default: 10."""
    timeout: int = HEALTH_CHECK_TIMEOUT_SECONDS
    """Seconds a target has to answer (2-120, less than the interval). Default: 5."""
    healthy_threshold: int = HEALTHY_THRESHOLD
    """Consecutive passed checks before a target receives traffic (2-10). Default: 2."""
    unhealthy_threshold: int = UNHEALTHY_THRESHOLD
    """Consecutive failed checks before a target stops receiving traffic (2-10). Default: 3."""
    matcher: str = HEALTH_CHECK_MATCHER
    """The HTTP codes of a healthy answer, e.g. 200 or 200-399. Default: 200-399."""


@dataclass(frozen=True)
class EdgeRoute:
    """One destination reachable through the edge: a target group and the listener rule to it."""

    name: str
    """Names the target group and rule (``{component}-tg-{name}``, ``{component}-rule-{name}``) and
    keys the component's outputs. Required."""
    port: int
    """The container port traffic goes to. Required."""
    priority: int
    """Listener rule priority (1-50000, unique per listener); lower is evaluated first. Required."""
    path_patterns: Sequence[str] = ()
    """Request paths that reach the route, e.g. /api/*. Default: none (any path)."""
    host_headers: Sequence[str] = ()
    """Host names that reach the route. Default: none (any host)."""
    health_check: TargetHealthCheck = TargetHealthCheck()
    """How the load balancer checks each target. Default: GET / every 10 s, 200-399 is healthy."""
    alternate: bool = False
    """A second target group ``{component}-bg-{name}`` and a test rule ``{component}-test-{name}`` on the
    test listener, for ECS blue/green, canary and linear deployments; ECS then owns both rules' forward
    actions. Default: False."""


@dataclass(frozen=True)
class EdgeArgs:
    """What the Edge builds."""

    vpc_id: pulumi.Input[str]
    """The VPC of the load balancer and its target groups. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The load balancer's subnets, one per zone, at least two zones: public subnets, or private ones
    when ``internal``. Required."""
    routes: Sequence[EdgeRoute] = ()
    """The destinations to route to. Default: none (every request is answered 404)."""
    certificate_arn: pulumi.Input[str] | None = None
    """ACM certificate for HTTPS, in the load balancer's region. Default: None (plain HTTP on port 80;
    ignored when ``internal``)."""
    internal: bool = False
    """An internal load balancer behind API Gateway: plain HTTP on port 80 and no ingress rule of its
    own (the VPC link's component adds the only one). Default: False (internet-facing)."""
    access_logs: bool = False
    """Write access logs to a private, versioned, TLS-only bucket. Default: False (AWS's default)."""
    access_log_expiration_days: int = DEFAULT_ACCESS_LOG_EXPIRATION_DAYS
    """Days before access logs expire (when ``access_logs``). Default: 90."""
    access_log_removal: BucketRemoval = BucketRemoval.RETAIN
    """What removing the access-log bucket (turning ``access_logs`` off, or the edge) does to it and its
    logs. Default: RETAIN (kept in AWS)."""
    deletion_protection: bool = False
    """Protect the load balancer from deletion. Default: False (AWS's default)."""
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT_SECONDS
    """Seconds an idle connection stays open (1-4000). Default: 60."""
    test_cidrs: Sequence[str] = ()
    """Who may reach the test listener (created when a route is ``alternate``): IPv4 CIDRs, never the
    internet. Default: none (the listener admits nobody)."""
    internet_gateway: aws.ec2.InternetGateway | None = None
    """The VPC's internet gateway, which an internet-facing load balancer must wait for (AWS answers
    "InvalidSubnet: VPC ... has no internet gateway" otherwise). Default: None (no wait)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""

    def __post_init__(self) -> None:
        if len(self.subnet_ids) < 2:
            raise ValueError("EdgeArgs.subnet_ids: an Application Load Balancer needs subnets in 2+ zones")


class Edge(pulumi.ComponentResource):
    """The ALB (internet-facing, or internal behind API Gateway), its security group, listeners, target
    groups and routing rules."""

    security_group_id: pulumi.Output[str]
    """The edge's security group: services admit traffic from it alone."""
    target_group_arns: dict[str, pulumi.Output[str]]
    """Route name -> its target group."""
    target_group_arn_suffixes: dict[str, pulumi.Output[str]]
    """Route name -> target group ARN suffix (for request-count scaling)."""
    load_balancer_arn_suffix: pulumi.Output[str]
    """The load balancer's ARN suffix (for request-count scaling)."""
    load_balancer_arn: pulumi.Output[str]
    """The load balancer (a regional web ACL is associated with it)."""
    dns_name: pulumi.Output[str]
    """The load balancer's DNS name."""
    zone_id: pulumi.Output[str]
    """The load balancer's canonical hosted zone (the target of alias records)."""
    url: pulumi.Output[str]
    """https://<dns name> (http:// without a certificate, or when internal)."""
    https: bool
    """Whether the edge terminates TLS."""
    internal: bool
    """Whether the load balancer is internal (behind API Gateway): its DNS name resolves to private
    addresses."""
    listener_arn: pulumi.Output[str]
    """The listener the routing rules hang on (API Gateway's integration targets it)."""
    listener_port: int
    """That listener's port: 443 with TLS, else 80."""
    alternate_target_group_arns: dict[str, pulumi.Output[str]]
    """Route name -> its alternate target group (``alternate`` routes only)."""
    test_port: int | None
    """The test listener's port; None without an ``alternate`` route."""

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(EdgeArgs, args)
        # Internal: its own type token, so guardrails see from a URN which kind a listener belongs to;
        # each kind aliases the other's token, so switching kinds keeps every child's identity.
        kind, other = ("InternalEdge", "Edge") if args.internal else ("Edge", "InternalEdge")
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=type_token(other))])
        )
        super().__init__(type_token(kind), name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        self.https = args.certificate_arn is not None and not args.internal
        self.internal = args.internal
        security_group = self._security_group(args)
        load_balancer = self._load_balancer(args, security_group)
        entry = self._listeners(args, load_balancer)
        test = self._test_listener(args, load_balancer, security_group)
        # Route name -> its listener rule (and test rule): what registers targets waits for them (a
        # target group needs a listener). Annotated here, not on the class: a resource is not an output.
        self.rules: dict[str, aws.lb.ListenerRule] = {}
        self.test_rules: dict[str, aws.lb.ListenerRule] = {}
        self.target_group_arns = {}
        self.target_group_arn_suffixes = {}
        self.alternate_target_group_arns = {}
        for route in args.routes:
            self._route(args, route, entry, test)
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

    def _security_group(self, args: EdgeArgs) -> aws.ec2.SecurityGroup:
        """The load balancer's group; internet-facing, it admits HTTPS (and HTTP to redirect) from
        anywhere; internal, nothing of its own."""
        name = self._name
        security_group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description="Internal load balancer: HTTP in from the API Gateway VPC link only, out to services"
            if args.internal
            else "Internet-facing load balancer: HTTPS in, HTTP only to redirect, out to services",
            # No inline rules: each rule is its own resource below, and the provider removes the
            # allow-all egress rule AWS adds to new groups.
            tags=tags_with_name(child_name(name, "sg"), args.tags),
            opts=self._child,
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
                opts=self._child,
            )
        return security_group

    def _load_balancer(self, args: EdgeArgs, security_group: aws.ec2.SecurityGroup) -> aws.lb.LoadBalancer:
        name = self._name
        access_logs, log_policy = self._access_log_bucket(name, args) if args.access_logs else (None, None)
        # AWS may answer "InvalidSubnet: VPC ... has no internet gateway" to an internet-facing load
        # balancer created before the gateway, and ELB checks it may write access logs when logging
        # is turned on, so both come first (plan/aws_rules.py enforces this offline).
        ready = [
            *([args.internet_gateway] if args.internet_gateway is not None else []),
            *([log_policy] if log_policy else []),
        ]
        return aws.lb.LoadBalancer(
            child_name(name, "alb"),
            load_balancer_type="application",
            internal=args.internal,
            ip_address_type="ipv4",
            security_groups=[security_group.id],
            subnets=list(args.subnet_ids),
            drop_invalid_header_fields=True,
            desync_mitigation_mode=DESYNC_MITIGATION,
            enable_deletion_protection=args.deletion_protection,
            enable_http2=True,
            idle_timeout=args.idle_timeout,
            access_logs=access_logs,
            tags=tags_with_name(child_name(name, "alb"), args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
        )

    def _listeners(self, args: EdgeArgs, load_balancer: aws.lb.LoadBalancer) -> aws.lb.Listener:
        """One listener per port, under one logical name whatever the mode: port 80 answers 404 outside
        the routes (no TLS, or internal) or redirects to HTTPS; port 443 exists with TLS. Returns the
        listener the routing rules hang on."""
        name = self._name
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", status_code="404", message_body="Not Found"
            ),
        )
        redirect = aws.lb.ListenerDefaultActionArgs(
            type="redirect",
            redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"
            ),
        )
        # ELB keys a listener by load balancer + port (CreateListener: DuplicateListener), and Pulumi
        # creates before it deletes: a port-80 listener renamed with the mode would be created while
        # the old one holds the port. So one name, aliased from release 1's name of the redirect;
        # default_actions and protocol are updatable (TF src elbv2/listener.go: only
        # load_balancer_arn is ForceNew).
        # Internal: plain HTTP inside the VPC, TLS ended at API Gateway (see the module docstring).
        http = aws.lb.Listener(
            child_name(name, "http"),
            load_balancer_arn=load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[redirect if self.https else not_found],
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, aliases=[pulumi.Alias(name=child_name(name, "http-redirect"))]
            ),
        )
        if not self.https:
            return http
        return aws.lb.Listener(
            child_name(name, "https"),
            load_balancer_arn=load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=args.certificate_arn,
            default_actions=[not_found],
            tags=args.tags,
            opts=self._child,
        )

    def _test_listener(
        self, args: EdgeArgs, load_balancer: aws.lb.LoadBalancer, security_group: aws.ec2.SecurityGroup
    ) -> aws.lb.Listener | None:
        """With an ``alternate`` route: a listener on its own port where each such route's new copy
        answers through its test rule before production traffic moves. Only ``test_cidrs`` reach it (a
        rule per CIDR, named by the CIDR so a list change never recreates a kept rule); no rule, nobody.
        A port, not a header: a header condition on the production listener would be open to anyone
        who sends the header."""
        if not any(route.alternate for route in args.routes):
            self.test_port = None
            return None
        name = self._name
        self.test_port = TEST_PORT_HTTPS if self.https else TEST_PORT_HTTP
        for cidr in args.test_cidrs:
            aws.vpc.SecurityGroupIngressRule(
                member_name(name, "in-test", cidr.replace(".", "-").replace("/", "-")),
                security_group_id=security_group.id,
                description="Test listener of blue/green, canary and linear deployments",
                ip_protocol="tcp",
                from_port=self.test_port,
                to_port=self.test_port,
                cidr_ipv4=cidr,
                tags=args.tags,
                opts=self._child,
            )
        return aws.lb.Listener(
            child_name(name, "test"),
            load_balancer_arn=load_balancer.arn,
            port=self.test_port,
            protocol="HTTPS" if self.https else "HTTP",
            ssl_policy=TLS_POLICY if self.https else None,
            certificate_arn=args.certificate_arn if self.https else None,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                        content_type="text/plain", status_code="404", message_body="Not Found"
                    ),
                )
            ],
            tags=args.tags,
            opts=self._child,
        )

    def _target_group(self, args: EdgeArgs, route: EdgeRoute, logical_name: str) -> aws.lb.TargetGroup:
        check = route.health_check
        return aws.lb.TargetGroup(
            logical_name,
            vpc_id=args.vpc_id,
            target_type="ip",
            protocol="HTTP",
            port=route.port,
            deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=check.path,
                protocol="HTTP",
                port="traffic-port",
                matcher=check.matcher,
                interval=check.interval,
                timeout=check.timeout,
                healthy_threshold=check.healthy_threshold,
                unhealthy_threshold=check.unhealthy_threshold,
            ),
            tags=tags_with_name(logical_name, args.tags),
            opts=self._child,
        )

    def _route(
        self, args: EdgeArgs, route: EdgeRoute, entry: aws.lb.Listener, test: aws.lb.Listener | None
    ) -> None:
        """The route's target group and the listener rule that forwards to it; for an ``alternate``
        route also the second target group and the test rule that forwards to it."""
        name = self._name
        target_group = self._target_group(args, route, member_name(name, "tg", route.name))
        conditions = []
        if route.path_patterns:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(route.path_patterns))
                )
            )
        if route.host_headers:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(route.host_headers))
                )
            )
        self.rules[route.name] = aws.lb.ListenerRule(
            member_name(name, "rule", route.name),
            listener_arn=entry.arn,
            priority=route.priority,
            conditions=conditions,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=args.tags,
            # With a traffic-shifting deployment ECS rewrites the forward action to weights over both
            # target groups and swings them on every deployment (ECS blue/green docs; the live rule
            # leaves the declared shape, cdk-real-drift issue 1730): the action is ECS's to change.
            # A rule moves (is replaced) when its listener does: HTTP <-> HTTPS, or with the load
            # balancer on a kind switch. Deleted first, so the kept target group leaves the old load
            # balancer before the new rule joins it to the new one (an ALB target group belongs to one
            # load balancer: "TargetGroupAssociationLimit", terraform-provider-aws issue 22005), and
            # the priority is free on any listener. Nothing is replaced with it: dependents only wait
            # for it (depends_on), and the engine replaces only those whose inputs it feeds
            # (pulumi/pulumi step_generator.go calculateDependentReplacements).
            opts=pulumi.ResourceOptions(
                parent=self,
                delete_before_replace=True,
                ignore_changes=["actions"] if route.alternate else None,
            ),
        )
        self.target_group_arns[route.name] = target_group.arn
        self.target_group_arn_suffixes[route.name] = target_group.arn_suffix
        if route.alternate and test is not None:
            self._test_route(args, route, test, conditions)

    def _test_route(
        self,
        args: EdgeArgs,
        route: EdgeRoute,
        test: aws.lb.Listener,
        conditions: list[aws.lb.ListenerRuleConditionArgs],
    ) -> None:
        """The alternate target group (``bg``: same length as ``tg``, so the name fits AWS's 32
        characters) and the test rule, which matches what the production rule matches, at its
        priority, on the test listener."""
        name = self._name
        alternate = self._target_group(args, route, member_name(name, "bg", route.name))
        self.test_rules[route.name] = aws.lb.ListenerRule(
            member_name(name, "test", route.name),
            listener_arn=test.arn,
            priority=route.priority,
            conditions=conditions,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=alternate.arn)],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True, ignore_changes=["actions"]),
        )
        self.alternate_target_group_arns[route.name] = alternate.arn

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
            removal=args.access_log_removal,
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
