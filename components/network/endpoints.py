"""The Network's VPC endpoints: the free S3 gateway endpoint on the private route tables, and the
interface endpoints private tasks call instead of going through NAT."""

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ..pure.naming import child_name, member_name, tags_with_name
from .args import NetworkArgs

HTTPS = 443


def s3_gateway_endpoint(
    name: str,
    vpc_id: pulumi.Input[str],
    route_table_ids: Sequence[pulumi.Input[str]],
    args: NetworkArgs,
    child: pulumi.ResourceOptions,
) -> None:
    """Image layers come from S3: a gateway endpoint is free and keeps that traffic off the NAT."""
    aws.ec2.VpcEndpoint(
        child_name(name, "s3-endpoint"),
        vpc_id=vpc_id,
        service_name=f"com.amazonaws.{args.region}.s3",
        vpc_endpoint_type="Gateway",
        route_table_ids=list(route_table_ids),
        tags=tags_with_name(child_name(name, "s3-endpoint"), args.tags),
        opts=child,
    )


def interface_endpoints(
    name: str,
    vpc_id: pulumi.Input[str],
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
        vpc_id=vpc_id,
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
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.{service}",
            vpc_endpoint_type="Interface",
            # Defaults to false; tasks resolve the service's usual name to the endpoint only with it.
            private_dns_enabled=True,
            subnet_ids=[subnet.id for subnet in private_subnets.values()],
            security_group_ids=[group.id],
            tags=tags_with_name(logical, args.tags),
            opts=child,
        )
