"""Security-group paths shared by the components: one TCP path between two groups, each side's rule
referencing the other group (never a CIDR)."""

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def security_group_path(
    egress: tuple[str, str],
    ingress: tuple[str, str],
    source_group_id: pulumi.Input[str],
    destination_group_id: pulumi.Input[str],
    port: int,
    tags: Mapping[str, str],
    child: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    """One TCP path between two security groups: egress on the source and ingress on the destination,
    each referencing the other group (never a CIDR). ``egress``/``ingress``: (logical name, description).
    Returns the two rules (what must exist before a task uses the path)."""
    out_rule = aws.vpc.SecurityGroupEgressRule(
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
    in_rule = aws.vpc.SecurityGroupIngressRule(
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
    return [out_rule, in_rule]
