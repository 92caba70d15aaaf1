"""The subnet layout: zone, tier, CIDR and where each subnet's default route goes."""

from __future__ import annotations

from plan.graph import Graph
from plan.graph_index import Index
from plan.text import table


def default_routes(graph: Graph) -> dict[str, str]:
    """Subnet id -> where its default route goes: internet gateway, NAT in a zone, or none."""
    index = Index(graph)
    table_of = {
        a["inputs"]["subnetId"]: a["inputs"]["routeTableId"]
        for a in index.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    default_route = {
        r["inputs"]["routeTableId"]: r["inputs"]
        for r in index.of_type("aws:ec2/route:Route")
        if r["inputs"].get("destinationCidrBlock") == "0.0.0.0/0"
    }
    targets = {}
    for subnet in index.of_type("aws:ec2/subnet:Subnet"):
        table_id = table_of.get(subnet["outputs"]["id"])
        route = default_route.get(table_id or "")
        if table_id is None:
            target = "main route table (not associated!)"
        elif route is None:
            target = "none"
        elif route.get("gatewayId"):
            target = "internet gateway"
        elif route.get("natGatewayId"):
            nat = index.by_id.get(route["natGatewayId"])
            nat_subnet = index.by_id.get(nat["inputs"]["subnetId"]) if nat else None
            zone = nat_subnet["inputs"]["availabilityZone"] if nat_subnet else "?"
            target = f"NAT in {zone}"
        else:
            target = "other"
        targets[subnet["outputs"]["id"]] = target
    return targets


def subnet_rows(graph: Graph) -> list[dict[str, str]]:
    """Zone, tier, CIDR and default route target of every subnet, zone by zone."""
    index = Index(graph)
    targets = default_routes(graph)
    rows = []
    for subnet in index.of_type("aws:ec2/subnet:Subnet"):
        target = targets[subnet["outputs"]["id"]]
        inputs = subnet["inputs"]
        rows.append(
            {
                "zone": inputs["availabilityZone"],
                "tier": (inputs.get("tags") or {}).get("Tier", "?"),
                "cidr": inputs["cidrBlock"],
                "default route": target,
                "public ip on launch": "yes" if inputs.get("mapPublicIpOnLaunch") else "no",
            }
        )
    return sorted(rows, key=lambda row: (row["zone"], row["tier"]))


def subnets(graph: Graph) -> list[str]:
    rows = subnet_rows(graph)
    if not rows:
        return ["Subnets: none."]
    header = list(rows[0])
    return ["Subnet layout:", *table([header, *[[row[key] for key in header] for row in rows]])]
