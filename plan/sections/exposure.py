"""Network exposure: who may open connections to whom, read from the security-group rules, where each
group is placed (subnets and their default routes) and the API Gateway APIs."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plan.graph import Graph
from plan.graph_index import (
    AUTO_SCALING_GROUP,
    EGRESS_RULE,
    HTTP_API,
    INGRESS_RULE,
    LAUNCH_TEMPLATE,
    SECURITY_GROUP,
    SUBNET,
    Index,
)
from plan.sections.storage import storage_access
from plan.sections.subnets import default_routes
from plan.text import table

INTERNET = "internet"
INTERNET_CIDRS = ("0.0.0.0/0", "::/0")
HTTPS = "tcp/443"
"""What the internet may open to an API Gateway API: its endpoints serve HTTPS only."""


@dataclass(frozen=True)
class Permission:
    """One security-group rule, normalised: which group, which direction, which peer, which ports."""

    group: str
    """Node name of the group the rule belongs to."""
    direction: str
    peer: str
    """``internet``, another node name, or a CIDR."""
    protocol: str
    from_port: int
    to_port: int

    def ports(self) -> str:
        if self.protocol in ("-1", "all"):
            return "all"
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"

    def covers(self, other: Permission) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return (
            self.protocol == other.protocol
            and self.from_port <= other.from_port <= other.to_port <= self.to_port
        )


def _peer(rule: Mapping[str, Any], index: Index, groups: Mapping[str, str]) -> str | None:
    for key in ("cidrIpv4", "cidrIpv6"):
        if rule.get(key):
            return INTERNET if rule[key] in INTERNET_CIDRS else str(rule[key])
    reference = rule.get("referencedSecurityGroupId")
    if reference:
        return groups.get(reference, str(reference))
    return None


def permissions(graph: Graph) -> tuple[list[str], list[Permission]]:
    """The security-group nodes (named after their component) and every rule between them."""
    index = Index(graph)
    groups = {g["outputs"]["id"]: index.group_node(g) for g in index.of_type(SECURITY_GROUP)}
    found: list[Permission] = []
    for type_token, direction in ((INGRESS_RULE, "ingress"), (EGRESS_RULE, "egress")):
        for rule in index.of_type(type_token):
            inputs = rule["inputs"]
            peer = _peer(inputs, index, groups)
            group = groups.get(inputs.get("securityGroupId", ""))
            if peer is None or group is None:
                continue
            found.append(
                Permission(
                    group,
                    direction,
                    peer,
                    str(inputs.get("ipProtocol", "")),
                    int(inputs.get("fromPort", 0)),
                    int(inputs.get("toPort", 0)),
                )
            )
    for group in index.of_type(SECURITY_GROUP):
        for direction in ("ingress", "egress"):
            for rule in group["inputs"].get(direction) or []:
                for cidr in (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or []):
                    peer = INTERNET if cidr in INTERNET_CIDRS else cidr
                    found.append(
                        Permission(
                            groups[group["outputs"]["id"]],
                            direction,
                            peer,
                            str(rule.get("protocol", "")),
                            int(rule.get("fromPort", 0)),
                            int(rule.get("toPort", 0)),
                        )
                    )
    nodes = sorted(set(groups.values()), key=lambda name: (name not in ("api-gateway", "edge"), name))
    return nodes, found


def http_apis(graph: Graph) -> dict[str, str]:
    """Node name -> what the internet reaches of each API Gateway HTTP API: the API is not in a
    security group but is internet-facing by nature; its node is the component that also owns its
    VPC link's group (``api-gateway``), so the matrix shows internet -> API -> load balancer."""
    index = Index(graph)
    return {
        index.owner(api): HTTPS
        for api in index.of_type(HTTP_API)
        if api["inputs"].get("protocolType") == "HTTP"
    }


def exposure_matrix(graph: Graph) -> dict[tuple[str, str], list[str]]:
    """``{(source, destination): ["tcp/443", ...]}`` for every path a connection can take.

    A path from a group needs the destination's ingress *and* the source's egress to allow it; a path
    from the internet needs only the destination's ingress.
    """
    _, rules = permissions(graph)
    matrix: dict[tuple[str, str], list[str]] = {}
    for rule in (r for r in rules if r.direction == "ingress"):
        if rule.peer != INTERNET:
            allowed_out = any(
                out.group == rule.peer
                and out.direction == "egress"
                and out.peer in (rule.group, INTERNET)
                and out.covers(rule)
                for out in rules
            )
            if not allowed_out:
                continue
        matrix.setdefault((rule.peer, rule.group), []).append(rule.ports())
    for key, ports in _cidr_sources(graph, rules).items():
        matrix.setdefault(key, []).extend(ports)
    for key, ports in _outside_sources(graph, rules).items():
        matrix.setdefault(key, []).extend(ports)
    for node, ports in http_apis(graph).items():
        matrix.setdefault((INTERNET, node), []).append(ports)
    grounded = groups_without_internet_route(graph)
    for rule in (r for r in rules if r.direction == "egress" and r.peer == INTERNET):
        if rule.group in grounded:
            continue  # its subnets have no default route: only VPC endpoints answer, not the internet
        matrix.setdefault((rule.group, INTERNET), []).append(rule.ports())
    return {key: sorted(set(ports), key=_port_order) for key, ports in matrix.items()}


_PLACEMENTS = (
    # (type, where its security groups are listed, where its subnets are listed)
    (
        "aws:ecs/service:Service",
        ("networkConfiguration", "securityGroups"),
        ("networkConfiguration", "subnets"),
    ),
    ("aws:lb/loadBalancer:LoadBalancer", ("securityGroups",), ("subnets",)),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", ("securityGroupIds",), ("subnetIds",)),
)


def _dig(inputs: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    value: Any = inputs
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return [str(item) for item in value] if isinstance(value, list) else []


def groups_without_internet_route(graph: Graph) -> set[str]:
    """Security groups (by node name) used only in subnets that have no default route out."""
    routed = {subnet for subnet, target in default_routes(graph).items() if target != "none"}
    return {group for group, subnets in placements(graph).items() if subnets and not subnets & routed}


def placements(graph: Graph) -> dict[str, set[str]]:
    """Security group (by node name) -> the subnet ids of what uses it (tasks, load balancers,
    endpoints, container instances)."""
    index = Index(graph)
    names = {g["outputs"]["id"]: index.group_node(g) for g in index.of_type(SECURITY_GROUP)}
    subnets_of: dict[str, set[str]] = {}
    for type_token, groups_at, subnets_at in _PLACEMENTS:
        for resource in index.of_type(type_token):
            for group in _dig(resource["inputs"], groups_at):
                subnets_of.setdefault(names.get(group, group), set()).update(
                    _dig(resource["inputs"], subnets_at)
                )
    for template in index.of_type(LAUNCH_TEMPLATE):
        # Container instances: the template names the group, the Auto Scaling group the subnets.
        subnets = {
            subnet
            for group in index.of_type(AUTO_SCALING_GROUP)
            if template["outputs"].get("id") in json.dumps(group["inputs"].get("mixedInstancesPolicy"))
            for subnet in group["inputs"].get("vpcZoneIdentifiers") or []
        }
        for interface in template["inputs"].get("networkInterfaces") or []:
            for group_id in interface.get("securityGroups") or []:
                subnets_of.setdefault(str(names.get(group_id, group_id)), set()).update(subnets)
    return subnets_of


def _inside(cidr: str, peers: Iterable[str]) -> bool:
    """Whether the CIDR ``cidr`` lies inside one of the CIDRs ``peers``."""
    try:
        network = ipaddress.ip_network(cidr)
        return any(
            network.version == (peer := ipaddress.ip_network(other)).version and network.subnet_of(peer)  # type: ignore[arg-type]
            for other in peers
        )
    except ValueError:
        return False


def _outside_sources(graph: Graph, rules: list[Permission]) -> dict[tuple[str, str], list[str]]:
    """Ranges outside the VPC a rule admits (e.g. an office on the test listener of blue/green
    deployments, ``edge.testCidrs``): each is a source of its own, not the internet."""
    subnets = [str(s["inputs"].get("cidrBlock", "")) for s in Index(graph).of_type(SUBNET)]
    found: dict[tuple[str, str], list[str]] = {}
    for rule in rules:
        if rule.direction != "ingress" or rule.peer == INTERNET or "/" not in rule.peer:
            continue
        if any(_inside(subnet, [rule.peer]) or _inside(rule.peer, [subnet]) for subnet in subnets if subnet):
            continue  # a range of this VPC: _cidr_sources finds the groups placed in it
        found.setdefault((rule.peer, rule.group), []).append(rule.ports())
    return found


def _cidr_sources(graph: Graph, rules: list[Permission]) -> dict[tuple[str, str], list[str]]:
    """Paths through rules that admit CIDRs (e.g. the endpoints admit each private subnet on 443): a
    group whose every subnet lies inside CIDRs the destination admits on those ports, and whose egress
    allows the port there, may connect."""
    index = Index(graph)
    cidr_of = {s["outputs"]["id"]: str(s["inputs"].get("cidrBlock", "")) for s in index.of_type(SUBNET)}
    where = {
        group: [cidr_of.get(subnet, "") for subnet in subnets] for group, subnets in placements(graph).items()
    }
    admitted: dict[tuple[str, Permission], list[str]] = {}
    for rule in rules:
        if rule.direction == "ingress" and rule.peer != INTERNET and rule.peer not in where:
            port = Permission(rule.group, "ingress", "", rule.protocol, rule.from_port, rule.to_port)
            admitted.setdefault((rule.group, port), []).append(rule.peer)
    found: dict[tuple[str, str], list[str]] = {}
    for (destination, port), peers in admitted.items():
        for source, cidrs in where.items():
            if source == destination or not cidrs or not all(_inside(cidr, peers) for cidr in cidrs):
                continue
            if any(
                out.group == source
                and out.direction == "egress"
                and (out.peer in (INTERNET, destination) or all(_inside(peer, [out.peer]) for peer in peers))
                and out.covers(port)
                for out in rules
            ):
                found.setdefault((source, destination), []).append(port.ports())
    return found


def _port_order(ports: str) -> tuple[int, str]:
    number = ports.split("/")[-1].split("-")[0]
    return (int(number) if number.isdigit() else -1, ports)


def exposure(graph: Graph) -> list[str]:
    """The matrix as a table (rows: source, columns: destination) and a one-line verdict."""
    nodes, _ = permissions(graph)
    nodes += [node for node in http_apis(graph) if node not in nodes]
    matrix = exposure_matrix(graph)
    if not nodes:
        return [
            "Network exposure: no security groups in this stack.",
            "Verdict: nothing is reachable from 0.0.0.0/0.",
        ]
    sources = [INTERNET, *nodes]
    destinations = [*nodes, f"{INTERNET} (out)"]
    rows = [["from \\ to", *destinations]]
    for source in sources:
        cells = [", ".join(matrix.get((source, dest.split(" ")[0]), [])) or "-" for dest in destinations]
        if source == INTERNET:
            cells[-1] = ""
        rows.append([source, *cells])
    lines = ["Network exposure (who may open connections to whom):", *table(rows), verdict(graph)]
    return [*lines, *storage_access(graph)]


def verdict(graph: Graph) -> str:
    matrix = exposure_matrix(graph)
    reachable = {dest: ports for (source, dest), ports in matrix.items() if source == INTERNET}
    if not reachable:
        return "Verdict: nothing is reachable from 0.0.0.0/0."
    parts = [f"{dest} on {', '.join(ports)}" for dest, ports in sorted(reachable.items())]
    return f"Verdict: from 0.0.0.0/0 only {'; '.join(parts)} is reachable; everything else is private."
