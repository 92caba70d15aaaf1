"""The Mermaid flowchart of a stack (written next to the text report), drawn from the diagram model
(plan/diagram_model.py) that the PNG is drawn from too."""

from __future__ import annotations

from plan.diagram_model import NAT, OUTSIDE, TIERS, Model, Node, build
from plan.graph import Graph
from plan.sections.exposure import INTERNET
from plan.sections.messaging import SCHEDULER

SHAPES = {
    "internet": "(({}))",
    "rds": '[("{}")]',
    "elasticache": '[("{}")]',
    "efs": '[("{}")]',
    "sqs": '[("{}")]',
    "s3": '[("{}")]',
    "backup": '[("{}")]',
    "scheduler": '(["{}"])',
}
"""Kind -> the node's shape (a cylinder for what keeps data); any other kind is a box ``["..."]``."""

LINKS = {"flow": "-.->", "front": "-.->", "out": "-->", "network": "-->", "door": "-->"}

BARE_IDS = (INTERNET, NAT, SCHEDULER)
"""Node ids Mermaid shows as they are; the others get an ``n_`` id of letters, digits and ``_``."""


def mermaid_id(name: str) -> str:
    if name in BARE_IDS:
        return name
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def _label(node: Node) -> str:
    if node.kind == "internet" and node.id == INTERNET:
        return "Internet"
    if node.kind in ("nat", "scheduler"):
        return node.title
    text = f"{node.name}: {node.title}"
    return f"{text}<br/>{node.detail}" if node.detail else text


def _node(node: Node, indent: str) -> str:
    shape = SHAPES.get(node.kind, '["{}"]')
    return f"{indent}{mermaid_id(node.id)}{shape.format(_label(node))}"


def mermaid(graph: Graph, model: Model | None = None) -> str:
    """A flowchart of the stack: what is outside the VPC, then the VPC's tiers, then the links."""
    model = model or build(graph)
    lines = ["flowchart LR", *[_node(node, "  ") for node in model.in_tier(OUTSIDE)]]
    lines.append(f'  subgraph vpc["{model.vpc}"]')
    for tier in TIERS:
        nodes = model.in_tier(tier)
        if nodes:
            lines.append(f'    subgraph {tier}["{tier} subnets"]')
            lines += [_node(node, "      ") for node in nodes]
            lines.append("    end")
    lines.append("  end")
    for link in model.links:
        arrow = LINKS[link.style]
        label = f'"{link.label}"' if link.style in ("flow", "front") else link.label
        middle = f"{arrow}|{label}|" if link.label else arrow
        lines.append(f"  {mermaid_id(link.source)} {middle} {mermaid_id(link.destination)}")
    return "\n".join(lines) + "\n"
