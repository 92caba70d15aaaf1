# pyright: reportUnusedExpression=false
# (`a >> Edge() >> b` is how the diagrams library draws an edge: the expression's value is not needed.)
"""A PNG architecture diagram with AWS icons, drawn by the `diagrams` library when it is installed.

`diagrams` needs Graphviz's `dot` program. Without either, the plan still writes the Mermaid text.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from plan.graph import Graph
from plan.graph_index import LOAD_BALANCER, Index
from plan.sections.exposure import INTERNET, exposure_matrix, http_apis, permissions
from plan.sections.messaging import SCHEDULER, flows
from plan.sections.routing import service_routes


def available() -> bool:
    """Whether a PNG can be drawn here (the `diagrams` package and Graphviz's `dot`)."""
    return importlib.util.find_spec("diagrams") is not None and shutil.which("dot") is not None


def render_png(graph: Graph, path: Path) -> Path:
    """Draw the stack to ``path`` (a .png); returns the file written."""
    from diagrams import Cluster, Diagram, Edge
    from diagrams.aws.compute import Fargate
    from diagrams.aws.integration import SQS, Eventbridge
    from diagrams.aws.network import ALB, APIGateway, NATGateway
    from diagrams.onprem.network import Internet

    index = Index(graph)
    nodes, _ = permissions(graph)
    matrix = exposure_matrix(graph)
    routes = service_routes(graph)
    zones = graph["outputs"].get("availabilityZones", [])
    nats = index.of_type("aws:ec2/natGateway:NatGateway")
    vpcs = index.of_type("aws:ec2/vpc:Vpc")
    cidr = vpcs[0]["inputs"]["cidrBlock"] if vpcs else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    style = {"fontsize": "14", "pad": "0.4", "nodesep": "1.0", "ranksep": "1.6", "splines": "spline"}
    with Diagram(
        f"webstack {graph['stack']} ({graph.get('region')})",
        filename=str(path.with_suffix("")),
        outformat="png",
        show=False,
        direction="LR",
        graph_attr=style,
    ):
        internet = Internet("internet")
        apis = http_apis(graph)
        internal = any(b["inputs"].get("internal") for b in index.of_type(LOAD_BALANCER))
        drawn: dict[str, Any] = {node: APIGateway(f"{node} (HTTP API)") for node in apis}
        with Cluster(f"VPC {cidr}, {len(zones)} zones"):
            with Cluster("public subnets"):
                if "edge" in nodes and not internal:
                    drawn["edge"] = ALB("edge load balancer")
                nat = NATGateway(f"NAT gateway x{len(nats)}") if nats else None
            with Cluster("private subnets"):
                if "edge" in nodes and internal:
                    drawn["edge"] = ALB("edge internal load balancer")
                for service in (n for n in nodes if n != "edge" and n not in apis):
                    drawn[service] = Fargate(f"{service} (Fargate)")
        for (source, dest), ports in sorted(matrix.items()):
            label = ", ".join(ports)
            if dest == INTERNET:
                if source in drawn:
                    drawn[source] >> Edge(label=f"{label} out", style="dashed") >> (nat or internet)
            elif source == INTERNET and dest in drawn:
                internet >> Edge(label=label, color="firebrick") >> drawn[dest]
            elif source in drawn and dest in drawn:
                (
                    drawn[source]
                    >> Edge(label=f"{label} {' '.join(routes.get(dest, []))}".strip())
                    >> drawn[dest]
                )
        for flow in flows(graph):
            for end in (flow.source, flow.destination):
                if end not in drawn:
                    drawn[end] = (
                        Eventbridge("EventBridge Scheduler") if end == SCHEDULER else SQS(f"{end} queue")
                    )
            drawn[flow.source] >> Edge(label=flow.label, style="dotted") >> drawn[flow.destination]
        if nat is not None:
            nat >> Edge(style="dashed") >> internet
    return path
