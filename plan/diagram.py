# pyright: reportUnusedExpression=false
# (`a >> Edge() >> b` is how the diagrams library draws an edge: the expression's value is not needed.)
"""A PNG architecture diagram with AWS icons, drawn by the `diagrams` library when it is installed.

It draws the diagram model (plan/diagram_model.py) the Mermaid text is drawn from: each kind with its
own icon (``ICONS``), in its tier's cluster or outside the VPC. `diagrams` needs Graphviz's `dot`
program. Without either, the plan still writes the Mermaid text.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from pathlib import Path
from typing import Any

from plan.diagram_model import OUTSIDE, TIERS, Model, Node, build
from plan.graph import Graph

ICONS = {
    "internet": "diagrams.onprem.network.Internet",
    "load-balancer": "diagrams.aws.network.ALB",
    "nat": "diagrams.aws.network.NATGateway",
    "fargate": "diagrams.aws.compute.Fargate",
    "ec2-service": "diagrams.aws.compute.ElasticContainerServiceService",
    "container-instances": "diagrams.aws.compute.EC2AutoScaling",
    "endpoints": "diagrams.aws.network.Endpoint",
    "rds": "diagrams.aws.database.RDS",
    "elasticache": "diagrams.aws.database.ElastiCache",
    "efs": "diagrams.aws.storage.EFS",
    "lambda": "diagrams.aws.compute.Lambda",
    "job": "diagrams.aws.compute.ElasticContainerServiceTask",
    "other": "diagrams.aws.general.General",
    "api-gateway": "diagrams.aws.network.APIGateway",
    "vpc-link": "diagrams.aws.network.Privatelink",
    "route53": "diagrams.aws.network.Route53",
    "certificate": "diagrams.aws.security.CertificateManager",
    "waf": "diagrams.aws.security.WAF",
    "cloudfront": "diagrams.aws.network.CloudFront",
    "s3": "diagrams.aws.storage.S3",
    "backup": "diagrams.aws.storage.Backup",
    "sqs": "diagrams.aws.integration.SQS",
    "scheduler": "diagrams.aws.integration.EventbridgeScheduler",
}
"""Each kind of the diagram model -> the `diagrams` node class (its AWS icon) that draws it."""

EDGES = {
    "network": {},
    "door": {"color": "firebrick"},
    "out": {"style": "dashed"},
    "flow": {"style": "dotted"},
    "front": {"style": "dotted", "color": "gray40"},
}


def available() -> bool:
    """Whether a PNG can be drawn here (the `diagrams` package and Graphviz's `dot`)."""
    return importlib.util.find_spec("diagrams") is not None and shutil.which("dot") is not None


def icon(kind: str) -> Any:
    """The `diagrams` class of a kind."""
    module, name = ICONS[kind].rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _label(node: Node) -> str:
    if node.kind in ("internet", "nat", "scheduler"):
        return node.title if node.kind != "internet" else node.name
    return "\n".join(part for part in (node.name, node.title, node.detail) if part)


def render_png(graph: Graph, path: Path, model: Model | None = None) -> Path:
    """Draw the stack to ``path`` (a .png); returns the file written."""
    from diagrams import Cluster, Diagram, Edge

    model = model or build(graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    style = {"fontsize": "14", "pad": "1.0", "nodesep": "1.0", "ranksep": "1.6", "splines": "spline"}
    drawn: dict[str, Any] = {}
    with Diagram(
        model.title,
        filename=str(path.with_suffix("")),
        outformat="png",
        show=False,
        direction="LR",
        graph_attr=style,
    ):
        for node in model.in_tier(OUTSIDE):
            drawn[node.id] = icon(node.kind)(_label(node))
        with Cluster(model.vpc):
            for tier in TIERS:
                nodes = model.in_tier(tier)
                if nodes:
                    with Cluster(f"{tier} subnets"):
                        for node in nodes:
                            drawn[node.id] = icon(node.kind)(_label(node))
        for link in model.links:
            drawn[link.source] >> Edge(label=link.label, **EDGES[link.style]) >> drawn[link.destination]
    return path
