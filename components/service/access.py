"""Who may reach the service's tasks and where they may go: its security group (in only from the
load balancer, out only HTTPS), the paths to its data stores, volumes and callees, and Service Connect."""

import pulumi
import pulumi_aws as aws

from ..network import security_group_path
from ..pure.naming import child_name, tags_with_name
from ..storage.volume import NFS_PORT
from .args import ServiceArgs
from .task_definition import SERVICE_CONNECT_PORT_NAME

HTTPS_PORT = 443
ANYWHERE_IPV4 = "0.0.0.0/0"


def security_group(
    name: str, args: ServiceArgs, child: pulumi.ResourceOptions
) -> tuple[aws.ec2.SecurityGroup, list[pulumi.Resource]]:
    """Admits only the edge, on the container port; sends only HTTPS out (image pulls, AWS APIs).
    Returns the group and its rules.

    A worker admits nothing. The description names only the service: a security group's description
    is ForceNew (terraform-provider-aws internal/service/ec2/vpc_security_group.go), so a description
    carrying the port would replace the group, under running tasks, on every port change. Groups
    deployed before this carried the port: ``ignore_changes`` keeps their description, so upgrading
    replaces none of them; the port lives only in the rules, which a port change updates in place.
    """
    group = aws.ec2.SecurityGroup(
        child_name(name, "sg"),
        vpc_id=args.vpc_id,
        description=f"{name} tasks: in only through its own rules; out only HTTPS and declared paths",
        tags=tags_with_name(child_name(name, "sg"), args.tags),
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=["description"])),
    )
    rules: list[pulumi.Resource] = []
    https = aws.vpc.SecurityGroupEgressRule(
        child_name(name, "out-https"),
        security_group_id=group.id,
        description="HTTPS to AWS APIs, the image registry and the internet via NAT",
        ip_protocol="tcp",
        from_port=HTTPS_PORT,
        to_port=HTTPS_PORT,
        cidr_ipv4=ANYWHERE_IPV4,
        tags=args.tags,
        opts=child,
    )
    rules.append(https)
    edge = args.edge_security_group_id
    if edge is None:
        return group, rules
    if args.port is not None:
        # The edge may send to this service, on this port, and to nothing else.
        rules += security_group_path(
            (child_name(name, "edge-out"), f"To the {name} tasks"),
            (child_name(name, "in-from-edge"), "From the edge load balancer"),
            edge,
            group.id,
            args.port,
            args.tags,
            child,
        )
    for extra in args.extra_ports:
        rules += security_group_path(
            (child_name(name, f"edge-out-{extra.name}"), f"To the {name} tasks on {extra.name}"),
            (child_name(name, f"in-from-edge-{extra.name}"), f"From the edge load balancer to {extra.name}"),
            edge,
            group.id,
            extra.port,
            args.tags,
            child,
        )
    return group, rules


def data_store_paths(
    name: str, args: ServiceArgs, group: aws.ec2.SecurityGroup, child: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """To each declared store and nothing more: egress from the tasks to the store's group on its
    port, and the matching ingress on the store's group (security-group references, never CIDRs)."""
    rules: list[pulumi.Resource] = []
    for link in args.data_stores:
        rules += security_group_path(
            (child_name(name, f"to-{link.kind}-{link.name}"), f"To the {link.name} {link.kind}"),
            (child_name(name, f"{link.kind}-{link.name}-in"), f"From the {name} tasks"),
            group.id,
            link.security_group_id,
            link.port,
            args.tags,
            child,
        )
    return rules


def volume_paths(
    name: str, args: ServiceArgs, group: aws.ec2.SecurityGroup, child: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """To each mounted volume's mount targets on NFS (2049) and nothing more, and the matching
    ingress on the volume's group: only the services that mount a volume can reach it."""
    rules: list[pulumi.Resource] = []
    for mount in args.volume_mounts:
        rules += security_group_path(
            (child_name(name, f"to-volume-{mount.name}"), f"NFS to the {mount.name} volume"),
            (child_name(name, f"volume-{mount.name}-in"), f"NFS from the {name} tasks"),
            group.id,
            mount.security_group_id,
            NFS_PORT,
            args.tags,
            child,
        )
    return rules


def call_rules(
    name: str, args: ServiceArgs, group: aws.ec2.SecurityGroup, child: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """Exactly the declared calls: this group may send to each callee's group on its container
    port, and that group admits this one there. Service Connect's proxy listens on the container
    port, not the alias port (AWS service-connect-concepts.html, "Networking")."""
    rules: list[pulumi.Resource] = []
    for callee in args.callees:
        rules += security_group_path(
            (child_name(name, f"calls-{callee.name}-out"), f"To {callee.name} over Service Connect"),
            (child_name(name, f"calls-{callee.name}-in"), f"From {name} over Service Connect"),
            group.id,
            callee.security_group_id,
            callee.port,
            args.tags,
            child,
        )
    return rules


def service_connect(
    name: str, args: ServiceArgs
) -> aws.ecs.ServiceServiceConnectConfigurationArgsDict | None:
    """Callers join the namespace as clients; a called service also serves its named port there."""
    namespace = args.service_connect_namespace_arn
    if namespace is None or not (args.callees or args.serves_callers):
        return None
    if not args.serves_callers or args.port is None:
        return {"enabled": True, "namespace": namespace}
    return {
        "enabled": True,
        "namespace": namespace,
        # client_alias is a list with exactly one alias (SDK ServiceServiceConnectConfigurationService).
        "services": [
            {
                "port_name": SERVICE_CONNECT_PORT_NAME,
                "discovery_name": name,
                "client_alias": [{"port": args.port, "dns_name": name}],
            }
        ],
    }
