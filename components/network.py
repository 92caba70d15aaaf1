"""The Network component: a VPC with a public and a private subnet in each zone, and the schema of
``webstack:network`` (its keys, environment defaults and checks).

Built from ``pulumi_aws`` resources (not ``awsx.ec2.Vpc``) so that every subnet, route and
association is a resource of its own that tests and the offline plan can see.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    PROD_MIN_ZONES,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

from .encryption import encrypted_log_group
from .iam import service_trust
from .pure import cidr
from .pure.naming import IAM_PATH, child_name, member_name, tags_with_name, type_token

ANYWHERE = "0.0.0.0/0"
HTTPS = 443
FLOW_LOG_AGGREGATION_SECONDS = 60
"""Flow logs aggregate for 1 minute (AWS default 10): incidents are seen while they happen."""


# --- Config: `webstack:network` -------------------------------------------------------------------


class NatMode(enum.StrEnum):
    """How private subnets reach the internet."""

    NONE = "none"
    """No NAT gateway: private subnets reach only the VPC and its endpoints."""
    SINGLE = "single"
    """One NAT gateway in the first zone serves every zone (cheap; one zone's outage cuts egress)."""
    PER_AZ = "per_az"
    """One NAT gateway per zone, each zone routing through its own (highly available)."""


DEFAULT_VPC_CIDR = "10.0.0.0/16"


@dataclass(frozen=True)
class NetworkDefaults:
    """The values an environment's network uses for keys a stack does not set."""

    az_count: int
    nat_mode: NatMode
    flow_log_retention_days: int


NETWORK_DEFAULTS: dict[Environment, NetworkDefaults] = {
    Environment.DEV: NetworkDefaults(az_count=2, nat_mode=NatMode.SINGLE, flow_log_retention_days=30),
    Environment.PROD: NetworkDefaults(az_count=3, nat_mode=NatMode.PER_AZ, flow_log_retention_days=365),
}


class NetworkConfig(StrictModel):
    """``webstack:network``: the VPC and its subnets."""

    cidr: StrictStr = Field(
        default=DEFAULT_VPC_CIDR,
        description=f"IPv4 CIDR of the VPC, a private range from /16 to /{cidr.MAX_VPC_PREFIX}. "
        f"Default {DEFAULT_VPC_CIDR}.",
        json_schema_extra={"fix": "use a private range such as 10.0.0.0/16"},
    )
    az_count: StrictInt | None = Field(
        default=None,
        alias="azCount",
        description="How many availability zones to use. Default: dev 2, prod 3 (prod needs 2+).",
        json_schema_extra={"fix": "use a whole number such as 3"},
    )
    availability_zones: tuple[StrictStr, ...] | None = Field(
        default=None,
        alias="availabilityZones",
        description="Explicit zone names (e.g. [eu-west-1a, eu-west-1b]). Default: the first "
        "azCount zones the region offers.",
        json_schema_extra={"fix": "list zone names of the stack's region, e.g. [eu-west-1a, eu-west-1b]"},
    )
    nat_mode: NatMode | None = Field(
        default=None,
        alias="natMode",
        description="none | single | per_az. Default: dev single, prod per_az (prod requires per_az).",
        json_schema_extra={"fix": "use one of none, single, per_az"},
    )
    interface_endpoints: StrictBool = Field(
        default=False,
        alias="interfaceEndpoints",
        description=(
            "Interface VPC endpoints for what private tasks call: ECR (api, dkr), CloudWatch Logs, and "
            "Secrets Manager, SSM and SSM Messages when services use them. Default false. Required "
            "with natMode none when the stack runs services (they could not pull images otherwise)."
        ),
        json_schema_extra={"fix": "use true or false"},
    )
    flow_log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="flowLogRetentionDays",
        description=f"Days VPC flow logs are kept. Default: dev 30, prod 365 (prod needs "
        f"{PROD_MIN_LOG_RETENTION_DAYS}+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )

    @field_validator("cidr")
    @classmethod
    def _valid_vpc_cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as error:
            if "has host bits set" in str(error):
                suggestion = ipaddress.IPv4Network(value, strict=False)
                raise ValueError(f"it has host bits set; did you mean {suggestion}?") from None
            raise ValueError("it is not an IPv4 CIDR such as 10.0.0.0/16") from None
        if not network.is_private:
            raise ValueError("it is not a private (RFC 1918) range")
        problem = cidr.vpc_prefix_problem(network)
        if problem:
            raise ValueError(f"{problem}; use a prefix from /{cidr.MIN_VPC_PREFIX} to /{cidr.MAX_VPC_PREFIX}")
        return value

    @field_validator("az_count")
    @classmethod
    def _positive_zone_count(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= cidr.MAX_ZONE_SLOTS:
            raise ValueError(f"it must be from 1 to {cidr.MAX_ZONE_SLOTS}")
        return value

    @field_validator("availability_zones")
    @classmethod
    def _distinct_zones(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("the list is empty; leave the key out to use the region's zones")
        if len(set(value)) != len(value):
            raise ValueError("a zone is listed twice")
        for zone in value:
            cidr.zone_slot(zone)  # raises ValueError naming the zone
        return value


@dataclass(frozen=True)
class NetworkSettings:
    """The network as validated; zones are resolved later against the region."""

    cidr: ipaddress.IPv4Network
    az_count: int
    availability_zones: tuple[str, ...] | None
    nat_mode: NatMode
    flow_log_retention_days: int
    interface_endpoints: bool = False


def network_settings(config: NetworkConfig, environment: Environment) -> tuple[NetworkSettings, list[str]]:
    """The network with its environment's defaults applied, and every problem found."""
    defaults = NETWORK_DEFAULTS[environment]
    problems: list[str] = []
    zones = config.availability_zones
    az_count = config.az_count
    if zones is not None and az_count is not None and az_count != len(zones):
        problems.append(
            f"webstack:network.azCount: got {az_count}, but availabilityZones lists {len(zones)} "
            "zone(s); set one of the two, not both"
        )
    if az_count is None:
        az_count = len(zones) if zones is not None else defaults.az_count
    nat_mode = config.nat_mode or defaults.nat_mode
    retention = config.flow_log_retention_days or defaults.flow_log_retention_days

    if environment is Environment.PROD:
        if az_count < PROD_MIN_ZONES:
            problems.append(
                f"webstack:network.azCount: got {az_count}, but prod needs at least {PROD_MIN_ZONES} "
                "availability zones to survive a zone outage; use 2 or more (default 3)"
            )
        if nat_mode is not NatMode.PER_AZ:
            problems.append(
                f"webstack:network.natMode: got '{nat_mode.value}', but prod must use 'per_az' so that "
                "losing one zone does not cut every zone's egress; use per_az (the prod default)"
            )
        if retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"webstack:network.flowLogRetentionDays: got {retention}, but prod keeps flow logs at "
                f"least {PROD_MIN_LOG_RETENTION_DAYS} days for incident response; use 90 or more"
            )
    settings = NetworkSettings(
        cidr=ipaddress.IPv4Network(config.cidr),
        az_count=az_count,
        availability_zones=zones,
        nat_mode=nat_mode,
        flow_log_retention_days=retention,
        interface_endpoints=config.interface_endpoints,
    )
    return settings, problems


ENDPOINTS_ALWAYS = ("ecr.api", "ecr.dkr", "logs")
"""What every private task calls: image manifests and tokens, image layers' registry, its log driver
(layers themselves come through the free S3 gateway endpoint). AWS ECS docs, "Amazon ECS interface VPC
endpoints (AWS PrivateLink)"."""


ENDPOINTS_EC2_CAPACITY = ("ecs", "ecs-agent", "ecs-telemetry")
"""What the ECS agent on EC2 container instances calls (Fargate's agent needs none of them): AWS ECS
``vpc-endpoints.html``."""


def endpoint_services(
    secret_arns: Iterable[str], exec_enabled: bool, ec2_capacity: bool = False
) -> tuple[str, ...]:
    """The interface endpoints private tasks need, given the secrets they read, ECS Exec and whether
    they run on EC2 container instances."""
    arns = list(secret_arns)
    return (
        *ENDPOINTS_ALWAYS,
        *(ENDPOINTS_EC2_CAPACITY if ec2_capacity else ()),
        *(("secretsmanager",) if any(":secretsmanager:" in arn for arn in arns) else ()),
        *(("ssm",) if any(":ssm:" in arn for arn in arns) else ()),
        *(("ssmmessages",) if exec_enabled else ()),
    )


def network_problems_with_services(
    settings: NetworkSettings, service_count: int, load_balanced_count: int
) -> list[str]:
    """What the network cannot do for the stack's services (checked with the whole stack's config)."""
    if not service_count:
        return []
    problems = []
    if load_balanced_count and settings.az_count < 2:
        problems.append(
            f"webstack:network.azCount: got {settings.az_count}, but the stack runs services behind an "
            "Application Load Balancer, which needs subnets in at least 2 availability zones; use 2 or more"
        )
    if settings.nat_mode is NatMode.NONE and not settings.interface_endpoints:
        problems.append(
            "webstack:network.natMode: got 'none', but the stack runs services and without NAT their "
            "tasks can reach AWS only through VPC endpoints (to pull images, write logs, read secrets); "
            "set webstack:network.interfaceEndpoints: true, or use natMode single or per_az"
        )
    return problems


_PRIVATE_ECR = re.compile(r"^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/")


def image_reach_problems(
    settings: NetworkSettings, region: str, images: Mapping[str, str | None]
) -> list[str]:
    """Without NAT, tasks pull only from private ECR in the stack's region, through the ecr.api/ecr.dkr
    endpoints: "VPC endpoints currently don't support Amazon ECR Public repositories" (AWS ECR guide,
    vpc-endpoints.html), and Docker Hub, GHCR or another region's ECR are on the internet. ``images``:
    service -> configured image reference, or None when webstack builds it into the stack's own ECR."""
    if settings.nat_mode is not NatMode.NONE:
        return []
    problems = []
    for service, image in images.items():
        match = _PRIVATE_ECR.match(image or "")
        if image is None or (match is not None and match.group(1) == region):
            continue
        problems.append(
            f"webstack:services.{service}.image: got {json.dumps(image)}, but with natMode none tasks "
            f"reach no registry on the internet, only private ECR in {region} through the VPC endpoints; "
            f"build it here (webstack:services.{service}.build), copy it into a private ECR repository "
            f"in {region} (e.g. with a pull-through cache rule), or use natMode single"
        )
    return problems


def security_group_path(
    egress: tuple[str, str],
    ingress: tuple[str, str],
    source_group_id: pulumi.Input[str],
    destination_group_id: pulumi.Input[str],
    port: int,
    tags: Mapping[str, str],
    child: pulumi.ResourceOptions,
) -> None:
    """One TCP path between two security groups: egress on the source and ingress on the destination,
    each referencing the other group (never a CIDR). ``egress``/``ingress``: (logical name, description)."""
    aws.vpc.SecurityGroupEgressRule(
        egress[0],
        security_group_id=source_group_id,
        description=egress[1],
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=destination_group_id,
        tags=tags,
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        ingress[0],
        security_group_id=destination_group_id,
        description=ingress[1],
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=source_group_id,
        tags=tags,
        opts=child,
    )


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkArgs:
    """What the Network builds. Fields decide resource counts, so they are plain values."""

    cidr: ipaddress.IPv4Network
    """The VPC's IPv4 range; subnets are planned inside it by :mod:`components.pure.cidr`."""
    zones: tuple[str, ...]
    """Availability zone names, in the order subnet outputs list them. At least one."""
    nat_mode: NatMode
    """How private subnets reach the internet: none, single or per_az."""
    flow_log_retention_days: int
    """How long VPC flow logs are kept in CloudWatch Logs."""
    region: str
    """The stack's region, for the S3 gateway endpoint's service name."""
    kms_key_arn: pulumi.Input[str]
    """The stack key (:class:`components.encryption.StackKey`) that encrypts the flow logs."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags."""
    interface_endpoints: tuple[str, ...] = ()
    """Interface endpoints to create in the private subnets (``ecr.api``, ``logs``, ...); see
    :func:`endpoint_services`. Default none."""
    isolated: bool = False
    """Add the isolated tier (a subnet per zone with no route out of the VPC) for data stores.
    Default False: the tier exists only when a database or cache does."""

    def __post_init__(self) -> None:
        if not self.zones:
            raise ValueError("NetworkArgs.zones is empty; a network needs at least one zone")


class Network(pulumi.ComponentResource):
    """VPC, subnets per zone, internet gateway, NAT, route tables, flow logs, S3 endpoint; the isolated
    data tier when asked."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    internet_gateway: aws.ec2.InternetGateway
    """The VPC's internet gateway (internet-facing load balancers wait for it)."""
    public_subnet_ids: list[pulumi.Output[str]]
    """Public subnet ids in zone order (load balancers and NAT gateways live here)."""
    private_subnet_ids: list[pulumi.Output[str]]
    """Private subnet ids in zone order (tasks live here)."""
    private_route_table_ids: list[pulumi.Output[str]]
    """One route table per private subnet, in zone order."""
    isolated_subnet_ids: list[pulumi.Output[str]]
    """Isolated subnet ids in zone order (databases and caches); empty without the isolated tier."""
    nat_gateway_ids: list[pulumi.Output[str]]
    """NAT gateway ids: none, one, or one per zone in zone order."""
    nat_gateways: dict[str, pulumi.Output[str]]
    """Zone -> the id of the NAT gateway in that zone (for its alarms)."""
    cidr_plan: dict[str, dict[str, str]]
    """``{tier: {zone: cidr}}``, known before deployment."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Network"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tiers = (*cidr.BASE_TIERS, cidr.Tier.ISOLATED) if args.isolated else cidr.BASE_TIERS
        plan = cidr.plan_subnets(args.cidr, list(args.zones), tiers)

        def tags(logical: str) -> dict[str, str]:
            return tags_with_name(logical, args.tags)

        vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=str(args.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags(child_name(name, "vpc")),
            opts=child,
        )

        # Take over the default security group and leave it without rules, so nothing that lands in
        # it by accident can talk to anything.
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=tags(child_name(name, "default-sg")),
            opts=child,
        )

        subnets: dict[tuple[cidr.Tier, str], aws.ec2.Subnet] = {}
        for planned in plan:
            logical = child_name(name, planned.tier.value, planned.zone)
            subnets[(planned.tier, planned.zone)] = aws.ec2.Subnet(
                logical,
                vpc_id=vpc.id,
                cidr_block=str(planned.cidr),
                availability_zone=planned.zone,
                # Not even public subnets: the load balancer and NAT get their addresses from AWS.
                map_public_ip_on_launch=False,
                tags={**tags(logical), "Tier": planned.tier.value},
                opts=child,
            )

        igw = aws.ec2.InternetGateway(
            child_name(name, "igw"), vpc_id=vpc.id, tags=tags(child_name(name, "igw")), opts=child
        )
        public_rt = aws.ec2.RouteTable(
            child_name(name, "public-rt"), vpc_id=vpc.id, tags=tags(child_name(name, "public-rt")), opts=child
        )
        aws.ec2.Route(
            child_name(name, "public-default"),
            route_table_id=public_rt.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=igw.id,
            opts=child,
        )
        for zone in args.zones:
            aws.ec2.RouteTableAssociation(
                child_name(name, "public-rta", zone),
                route_table_id=public_rt.id,
                subnet_id=subnets[(cidr.Tier.PUBLIC, zone)].id,
                opts=child,
            )

        nat_zones = {
            NatMode.NONE: [],
            NatMode.SINGLE: [args.zones[0]],
            NatMode.PER_AZ: list(args.zones),
        }[args.nat_mode]
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in nat_zones:
            eip = aws.ec2.Eip(
                child_name(name, "nat-eip", zone),
                domain="vpc",
                tags=tags(child_name(name, "nat-eip", zone)),
                opts=child,
            )
            nats[zone] = aws.ec2.NatGateway(
                child_name(name, "nat", zone),
                allocation_id=eip.allocation_id,
                subnet_id=subnets[(cidr.Tier.PUBLIC, zone)].id,
                connectivity_type="public",
                tags=tags(child_name(name, "nat", zone)),
                # AWS asks for the internet gateway to exist before a public NAT gateway.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )

        private_rts: list[aws.ec2.RouteTable] = []
        for zone in args.zones:
            route_table = aws.ec2.RouteTable(
                child_name(name, "private-rt", zone),
                vpc_id=vpc.id,
                tags=tags(child_name(name, "private-rt", zone)),
                opts=child,
            )
            private_rts.append(route_table)
            # per_az: the NAT in this zone; single: the one NAT; none: no default route at all.
            nat = nats.get(zone) or (nats[nat_zones[0]] if nat_zones else None)
            if nat is not None:
                aws.ec2.Route(
                    child_name(name, "private-default", zone),
                    route_table_id=route_table.id,
                    destination_cidr_block=ANYWHERE,
                    nat_gateway_id=nat.id,
                    opts=child,
                )
            aws.ec2.RouteTableAssociation(
                child_name(name, "private-rta", zone),
                route_table_id=route_table.id,
                subnet_id=subnets[(cidr.Tier.PRIVATE, zone)].id,
                opts=child,
            )

        # Image layers come from S3: a gateway endpoint is free and keeps that traffic off the NAT.
        aws.ec2.VpcEndpoint(
            child_name(name, "s3-endpoint"),
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[route_table.id for route_table in private_rts],
            tags=tags(child_name(name, "s3-endpoint")),
            opts=child,
        )

        private = {zone: subnets[(cidr.Tier.PRIVATE, zone)] for zone in args.zones}
        self._interface_endpoints(name, vpc, private, args, child)
        self._flow_logs(name, vpc, args, child)
        self.isolated_subnet_ids = self._isolated_tier(name, vpc, subnets, args, child)

        self.vpc_id = vpc.id
        self.internet_gateway = igw
        self.public_subnet_ids = [subnets[(cidr.Tier.PUBLIC, zone)].id for zone in args.zones]
        self.private_subnet_ids = [subnets[(cidr.Tier.PRIVATE, zone)].id for zone in args.zones]
        self.private_route_table_ids = [route_table.id for route_table in private_rts]
        self.nat_gateway_ids = [nats[zone].id for zone in nat_zones]
        self.nat_gateways = {zone: nats[zone].id for zone in nat_zones}
        self.cidr_plan = {tier.value: {p.zone: str(p.cidr) for p in plan if p.tier is tier} for tier in tiers}
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "privateRouteTableIds": self.private_route_table_ids,
                "isolatedSubnetIds": self.isolated_subnet_ids,
                "natGatewayIds": self.nat_gateway_ids,
                "cidrPlan": self.cidr_plan,
            }
        )

    def _isolated_tier(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        subnets: Mapping[tuple[cidr.Tier, str], aws.ec2.Subnet],
        args: NetworkArgs,
        child: pulumi.ResourceOptions,
    ) -> list[pulumi.Output[str]]:
        """One route table with only the implicit local route, explicitly associated in every zone.

        No NAT, internet gateway or endpoint route, not even the free S3 gateway: RDS and ElastiCache
        keep backups and snapshots through AWS's own network, so nothing here needs one, and a
        compromised data store cannot send data anywhere outside the VPC.
        """
        if not args.isolated:
            return []
        route_table = aws.ec2.RouteTable(
            child_name(name, "isolated-rt"),
            vpc_id=vpc.id,
            tags=tags_with_name(child_name(name, "isolated-rt"), args.tags),
            opts=child,
        )
        for zone in args.zones:
            aws.ec2.RouteTableAssociation(
                child_name(name, "isolated-rta", zone),
                route_table_id=route_table.id,
                subnet_id=subnets[(cidr.Tier.ISOLATED, zone)].id,
                opts=child,
            )
        return [subnets[(cidr.Tier.ISOLATED, zone)].id for zone in args.zones]

    def _interface_endpoints(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        private_subnets: Mapping[str, aws.ec2.Subnet],
        args: NetworkArgs,
        child: pulumi.ResourceOptions,
    ) -> None:
        """One endpoint per service in every private subnet, behind a group that admits only HTTPS
        from the private subnets (without an explicit group AWS attaches the VPC's default group,
        which this network locks: calls would time out)."""
        if not args.interface_endpoints:
            return
        group = aws.ec2.SecurityGroup(
            child_name(name, "endpoints-sg"),
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS in from the private subnets only",
            tags=tags_with_name(child_name(name, "endpoints-sg"), args.tags),
            opts=child,
        )
        for zone, subnet in private_subnets.items():
            aws.vpc.SecurityGroupIngressRule(
                child_name(name, "endpoints-in", zone),
                security_group_id=group.id,
                description="HTTPS from a private subnet's tasks",
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                cidr_ipv4=subnet.cidr_block,
                tags=args.tags,
                opts=child,
            )
        for service in args.interface_endpoints:
            logical = member_name(name, "endpoint", service.replace(".", "-"))
            aws.ec2.VpcEndpoint(
                logical,
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                # Defaults to false; tasks resolve the service's usual name to the endpoint only with it.
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in private_subnets.values()],
                security_group_ids=[group.id],
                tags=tags_with_name(logical, args.tags),
                opts=child,
            )

    def _flow_logs(
        self, name: str, vpc: aws.ec2.Vpc, args: NetworkArgs, child: pulumi.ResourceOptions
    ) -> None:
        """All traffic to a log group with retention, written by a role that can touch only it."""
        log_group = encrypted_log_group(
            child_name(name, "flow-logs"), args.flow_log_retention_days, args.kms_key_arn, self, args.tags
        )
        role = aws.iam.Role(
            child_name(name, "flow-logs-role"),
            description="VPC flow logs delivery: writes only to its own log group",
            assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com", parent=self),
            path=IAM_PATH,
            tags=args.tags,
            opts=child,
        )
        write_own_group = aws.iam.get_policy_document_output(
            statements=log_group.arn.apply(
                lambda arn: [
                    aws.iam.GetPolicyDocumentStatementArgs(
                        effect="Allow",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        resources=[arn, f"{arn}:*"],
                    )
                ]
            ),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        aws.iam.RolePolicy(
            child_name(name, "flow-logs-policy"), role=role.id, policy=write_own_group.json, opts=child
        )
        aws.ec2.FlowLog(
            child_name(name, "flow-log"),
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            tags=tags_with_name(child_name(name, "flow-log"), args.tags),
            opts=child,
        )
