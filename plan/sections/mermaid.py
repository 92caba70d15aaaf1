"""The Mermaid flowchart of a stack (written next to the text report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.graph import Graph
from plan.graph_index import AUTO_SCALING_GROUP, LOAD_BALANCER, Index
from plan.sections.exposure import INTERNET, exposure_matrix, http_apis, permissions
from plan.sections.messaging import SCHEDULER, flows
from plan.sections.routing import service_routes


def _mermaid_id(name: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def mermaid(graph: Graph) -> str:
    """A flowchart of the stack: internet, edge, services, NAT, cluster and the edges between them."""
    index = Index(graph)
    nodes, _ = permissions(graph)
    nats = index.of_type("aws:ec2/natGateway:NatGateway")
    apis = http_apis(graph)
    lines = [
        "flowchart LR",
        f"  {INTERNET}((Internet))",
        *[f'  {_mermaid_id(node)}["{node}: API Gateway HTTP API<br/>HTTPS, VPC link"]' for node in apis],
        *_vpc(graph, index, nodes, nats, apis),
        *_work(graph),
        *_connections(graph, nats, apis),
    ]
    if nats:
        lines.append(f"  nat --> {INTERNET}")
    return "\n".join(lines) + "\n"


def _vpc(
    graph: Graph, index: Index, nodes: list[str], nats: list[dict[str, Any]], apis: Mapping[str, str]
) -> list[str]:
    """The VPC subgraph: the load balancer and NAT in the public subnets (an internal load balancer in
    the private ones), the container instances and the services in the private subnets."""
    zones = graph["outputs"].get("availabilityZones", [])
    vpc = index.of_type("aws:ec2/vpc:Vpc")
    internal = any(b["inputs"].get("internal") for b in index.of_type(LOAD_BALANCER))
    listeners = index.of_type("aws:lb/listener:Listener")
    described = ", ".join(f"{item['inputs']['protocol']} {item['inputs']['port']}" for item in listeners)
    cidr = vpc[0]["inputs"]["cidrBlock"] if vpc else "?"
    lines = [f'  subgraph vpc["VPC {cidr} in {len(zones)} zones"]']
    lines.append('    subgraph public["public subnets"]')
    if "edge" in nodes and not internal:
        lines.append(f'      {_mermaid_id("edge")}["edge: Application Load Balancer<br/>{described}"]')
    if nats:
        lines.append(f'      nat["NAT gateway x{len(nats)}"]')
    lines.append("    end")
    lines.append('    subgraph private["private subnets"]')
    if "edge" in nodes and internal:
        lines.append(
            f'      {_mermaid_id("edge")}["edge: internal Application Load Balancer<br/>{described}"]'
        )
    lines += _compute(index, nodes, apis)
    lines.append("    end")
    lines.append("  end")
    return lines


def _compute(index: Index, nodes: list[str], apis: Mapping[str, str]) -> list[str]:
    """The container instances (EC2 capacity) and each service with its task range."""
    lines = []
    groups = index.of_type(AUTO_SCALING_GROUP)
    services = [n for n in nodes if n not in ("edge", "cluster", *apis)]
    if groups and "cluster" in nodes:
        sizes = f"{groups[0]['inputs'].get('minSize')}-{groups[0]['inputs'].get('maxSize')}"
        lines.append(
            f'      {_mermaid_id("cluster")}["cluster: ECS container instances<br/>'
            f'EC2 Auto Scaling group, {sizes}"]'
        )
    kind = "EC2 service" if groups else "Fargate service"
    for service in services:
        target = next(
            (t for t in index.of_type("aws:appautoscaling/target:Target") if index.owner(t) == service), None
        )
        tasks = f"{target['inputs']['minCapacity']}-{target['inputs']['maxCapacity']} tasks" if target else ""
        lines.append(f'      {_mermaid_id(service)}["{service}: {kind}<br/>{tasks}"]')
    return lines


def _work(graph: Graph) -> list[str]:
    """The queues and the scheduler, and the dotted edges of messages and scheduled starts."""
    lines = []
    work = flows(graph)
    for queue in sorted(
        {f.destination for f in work if f.label == "sends"}
        | {f.source for f in work if f.label == "consumes"}
    ):
        lines.append(f'  {_mermaid_id("queue " + queue)}[("{queue}: SQS queue + DLQ")]')
    if any(f.source == SCHEDULER for f in work):
        lines.append(f'  {SCHEDULER}(["EventBridge Scheduler"])')
    for flow in work:
        source = (
            SCHEDULER
            if flow.source == SCHEDULER
            else _mermaid_id(("queue " if flow.label == "consumes" else "") + flow.source)
        )
        dest = _mermaid_id(("queue " if flow.label == "sends" else "") + flow.destination)
        lines.append(f'  {source} -.->|"{flow.label}"| {dest}')
    return lines


def _connections(graph: Graph, nats: list[dict[str, Any]], apis: Mapping[str, str]) -> list[str]:
    """An edge per path of the exposure matrix, labelled with its ports and what it carries."""
    lines = []
    routes = service_routes(graph)
    for (source, dest), ports in sorted(exposure_matrix(graph).items()):
        if dest == INTERNET:
            via = "nat" if nats else INTERNET
            lines.append(f"  {_mermaid_id(source)} -->|{', '.join(ports)} out| {via}")
            continue
        label = ", ".join(ports)
        if source == "edge" and routes.get(dest):
            label += " " + " ".join(routes[dest])
        elif source in apis:
            label += " VPC link"
        elif source not in (INTERNET, "edge"):
            label += " Service Connect"
        src = INTERNET if source == INTERNET else _mermaid_id(source)
        lines.append(f"  {src} -->|{label}| {_mermaid_id(dest)}")
    return lines
