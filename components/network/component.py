"""The Network component: VPC, subnets per zone, internet gateway, NAT, route tables, endpoints and
flow logs; the isolated data tier when asked."""

import ipaddress
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ..pure import cidr
from ..pure.inputs import args_of
from ..pure.naming import child_name, tags_with_name, type_token
from ..pure.nat import nat_zones
from .args import NetworkArgs
from .endpoints import interface_endpoints, s3_gateway_endpoint
from .flow_logs import flow_logs

ANYWHERE = "0.0.0.0/0"

Subnets = Mapping[tuple[cidr.Tier, str], aws.ec2.Subnet]
"""The planned subnets by (tier, zone)."""


class Network(pulumi.ComponentResource):
    """VPC, subnets per zone, internet gateway, NAT, route tables, flow logs, S3 endpoint; the isolated
    data tier when asked."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    public_subnet_ids: Sequence[pulumi.Output[str]]
    """Public subnet ids in zone order (load balancers and NAT gateways live here)."""
    private_subnet_ids: Sequence[pulumi.Output[str]]
    """Private subnet ids in zone order (tasks live here)."""
    private_route_table_ids: Sequence[pulumi.Output[str]]
    """One route table per private subnet, in zone order."""
    isolated_subnet_ids: Sequence[pulumi.Output[str]]
    """Isolated subnet ids in zone order (databases and caches); empty without the isolated tier."""
    nat_gateway_ids: Sequence[pulumi.Output[str]]
    """NAT gateway ids: none, one, or one per zone in zone order."""
    nat_gateways: Mapping[str, pulumi.Output[str]]
    """Zone -> the id of the NAT gateway in that zone (for its alarms)."""
    cidr_plan: Mapping[str, Mapping[str, str]]
    """``{tier: {zone: cidr}}``, known before deployment."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(NetworkArgs, args)
        super().__init__(type_token("Network"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tiers = (*cidr.BASE_TIERS, cidr.Tier.ISOLATED) if args.isolated else cidr.BASE_TIERS
        plan = cidr.plan_subnets(ipaddress.IPv4Network(args.cidr), list(args.zones), tiers)
        vpc = self._vpc(name, args, child)
        subnets = self._subnets(name, vpc, plan, args, child)
        # Not a package output: a resource, which internet-facing load balancers wait for.
        self.internet_gateway: aws.ec2.InternetGateway = self._public_routes(name, vpc, subnets, args, child)
        nats = self._nat_gateways(name, subnets, args)
        private_rts = self._private_routes(name, vpc, subnets, nats, args, child)
        s3_gateway_endpoint(name, vpc.id, [route_table.id for route_table in private_rts], args, child)
        private = {zone: subnets[(cidr.Tier.PRIVATE, zone)] for zone in args.zones}
        interface_endpoints(name, vpc.id, private, args, child)
        flow_logs(name, vpc.id, args, self)
        self.isolated_subnet_ids = self._isolated_tier(name, vpc, subnets, args, child)
        self._outputs(vpc, subnets, private_rts, nats, plan, tiers, args)

    def _vpc(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions) -> aws.ec2.Vpc:
        """The VPC, and its default security group taken over and left without rules."""
        vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=str(args.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags_with_name(child_name(name, "vpc"), args.tags),
            opts=child,
        )
        # Take over the default security group and leave it without rules, so nothing that lands in
        # it by accident can talk to anything.
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=tags_with_name(child_name(name, "default-sg"), args.tags),
            opts=child,
        )
        return vpc

    def _subnets(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        plan: Sequence[cidr.SubnetPlan],
        args: NetworkArgs,
        child: pulumi.ResourceOptions,
    ) -> Subnets:
        """One subnet per planned (tier, zone), tagged with its tier."""
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
                tags={**tags_with_name(logical, args.tags), "Tier": planned.tier.value},
                opts=child,
            )
        return subnets

    def _public_routes(
        self, name: str, vpc: aws.ec2.Vpc, subnets: Subnets, args: NetworkArgs, child: pulumi.ResourceOptions
    ) -> aws.ec2.InternetGateway:
        """The internet gateway and the one public route table every public subnet uses."""
        igw = aws.ec2.InternetGateway(
            child_name(name, "igw"),
            vpc_id=vpc.id,
            tags=tags_with_name(child_name(name, "igw"), args.tags),
            opts=child,
        )
        public_rt = aws.ec2.RouteTable(
            child_name(name, "public-rt"),
            vpc_id=vpc.id,
            tags=tags_with_name(child_name(name, "public-rt"), args.tags),
            opts=child,
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
        return igw

    def _nat_gateways(self, name: str, subnets: Subnets, args: NetworkArgs) -> dict[str, aws.ec2.NatGateway]:
        """A NAT gateway with its Elastic IP in each zone the NAT mode names, in zone order."""
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in nat_zones(args.nat_mode, args.zones):
            eip = aws.ec2.Eip(
                child_name(name, "nat-eip", zone),
                domain="vpc",
                tags=tags_with_name(child_name(name, "nat-eip", zone), args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            nats[zone] = aws.ec2.NatGateway(
                child_name(name, "nat", zone),
                allocation_id=eip.allocation_id,
                subnet_id=subnets[(cidr.Tier.PUBLIC, zone)].id,
                connectivity_type="public",
                tags=tags_with_name(child_name(name, "nat", zone), args.tags),
                # AWS asks for the internet gateway to exist before a public NAT gateway.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.internet_gateway]),
            )
        return nats

    def _private_routes(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        subnets: Subnets,
        nats: Mapping[str, aws.ec2.NatGateway],
        args: NetworkArgs,
        child: pulumi.ResourceOptions,
    ) -> list[aws.ec2.RouteTable]:
        """One route table per private subnet, its default route through a NAT gateway if any."""
        private_rts: list[aws.ec2.RouteTable] = []
        first_nat = next(iter(nats.values()), None)
        for zone in args.zones:
            route_table = aws.ec2.RouteTable(
                child_name(name, "private-rt", zone),
                vpc_id=vpc.id,
                tags=tags_with_name(child_name(name, "private-rt", zone), args.tags),
                opts=child,
            )
            private_rts.append(route_table)
            # per_az: the NAT in this zone; single: the one NAT; none: no default route at all.
            nat = nats.get(zone) or first_nat
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
        return private_rts

    def _isolated_tier(
        self, name: str, vpc: aws.ec2.Vpc, subnets: Subnets, args: NetworkArgs, child: pulumi.ResourceOptions
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

    def _outputs(
        self,
        vpc: aws.ec2.Vpc,
        subnets: Subnets,
        private_rts: Sequence[aws.ec2.RouteTable],
        nats: Mapping[str, aws.ec2.NatGateway],
        plan: Sequence[cidr.SubnetPlan],
        tiers: Sequence[cidr.Tier],
        args: NetworkArgs,
    ) -> None:
        """The public outputs, then ``register_outputs`` with them."""
        self.vpc_id = vpc.id
        self.public_subnet_ids = [subnets[(cidr.Tier.PUBLIC, zone)].id for zone in args.zones]
        self.private_subnet_ids = [subnets[(cidr.Tier.PRIVATE, zone)].id for zone in args.zones]
        self.private_route_table_ids = [route_table.id for route_table in private_rts]
        self.nat_gateway_ids = [nat.id for nat in nats.values()]
        self.nat_gateways = {zone: nat.id for zone, nat in nats.items()}
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
