"""The Mermaid flowchart of a stack (written next to the text report)."""

from __future__ import annotations

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
    matrix = exposure_matrix(graph)
    nodes, _ = permissions(graph)
    zones = graph["outputs"].get("availabilityZones", [])
    vpc = index.of_type("aws:ec2/vpc:Vpc")
    nats = index.of_type("aws:ec2/natGateway:NatGateway")
    routes = service_routes(graph)
    lines = ["flowchart LR", f"  {INTERNET}((Internet))"]
    apis = http_apis(graph)
    for node in apis:
        lines.append(f'  {_mermaid_id(node)}["{node}: API Gateway HTTP API<br/>HTTPS, VPC link"]')
    internal = any(b["inputs"].get("internal") for b in index.of_type(LOAD_BALANCER))
    listeners = index.of_type("aws:lb/listener:Listener")
    described = ", ".join(f"{item['inputs']['protocol']} {item['inputs']['port']}" for item in listeners)
    cidr = vpc[0]["inputs"]["cidrBlock"] if vpc else "?"
    lines.append(f'  subgraph vpc["VPC {cidr} in {len(zones)} zones"]')
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
    lines.append("    end")
    lines.append("  end")
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
    for (source, dest), ports in sorted(matrix.items()):
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
    if nats:
        lines.append(f"  nat --> {INTERNET}")
    return "\n".join(lines) + "\n"
