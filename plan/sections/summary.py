"""The first sections of a plan: the resource inventory by component, the stack outputs (engine-invented
values marked as placeholders) and the warnings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from plan.engine import PLACEHOLDER_NOTE
from plan.graph import Graph
from plan.graph_index import Index, short_type

COMPONENT_ORDER = {
    "StackKey": 0,
    "Notifications": 1,
    "Network": 2,
    "Cluster": 3,
    "ApiGateway": 4,
    "Edge": 4,
    "InternalEdge": 4,
    "Waf": 5,
    "Domain": 6,
    "Cdn": 7,
    "Queue": 8,
    "Service": 9,
    "Observability": 10,
}
"""The order the inventory lists components in: foundation first."""


def inventory(graph: Graph) -> list[str]:
    """A tree: each component, then its resources counted by type."""
    index = Index(graph)
    custom = [r for r in index.resources if r["custom"] or r["type"].startswith("awsx:")]
    components = sorted(
        (r for r in index.resources if not r["custom"] and not r["type"].startswith("awsx:")),
        key=lambda r: (COMPONENT_ORDER.get(short_type(r["type"]), len(COMPONENT_ORDER)), r["name"]),
    )
    lines = [f"Resources: {len(custom)} in {len(components)} components (stack {graph['stack']})"]
    for position, component in enumerate(components):
        children = [r for r in custom if index.component_of(r) == component["urn"]]
        last = position == len(components) - 1
        lines.append(
            f"{'└─' if last else '├─'} {component['name']} ({short_type(component['type'])}): {len(children)}"
        )
        counts = Counter(short_type(r["type"]) for r in children)
        for type_position, (kind, count) in enumerate(sorted(counts.items())):
            branch = "└─" if type_position == len(counts) - 1 else "├─"
            lines.append(f"{'   ' if last else '│  '} {branch} {kind} x{count}")
    orphans = [r for r in custom if index.component_of(r) is None]
    if orphans:
        lines.append(f"Outside any component: {', '.join(r['name'] for r in orphans)}")
    return lines


PLACEHOLDER_MARK = "*"


def invented_values(graph: Graph) -> set[str]:
    """Values the offline engine made up (ids, ARNs, DNS names): resource outputs that no input gave."""
    return {
        value
        for resource in graph["resources"]
        for key, value in (resource.get("outputs") or {}).items()
        if isinstance(value, str) and key != "tagsAll"
    }


def is_placeholder(value: Any, invented: set[str]) -> bool:
    """Whether any text in ``value`` carries a value the offline engine invented."""
    if isinstance(value, Mapping):
        return any(is_placeholder(v, invented) for v in value.values())
    if isinstance(value, list):
        return any(is_placeholder(v, invented) for v in value)
    return isinstance(value, str) and any(made_up in value for made_up in invented)


def outputs(graph: Graph) -> list[str]:
    """The stack outputs; those holding engine-invented values are marked as offline placeholders."""
    invented = invented_values(graph)
    lines = [f"Stack outputs ({PLACEHOLDER_MARK} = {PLACEHOLDER_NOTE}):"]
    for key, value in sorted(graph["outputs"].items()):
        mark = PLACEHOLDER_MARK if is_placeholder(value, invented) else " "
        lines.append(f"{mark} {key} = {json.dumps(value)}")
    return lines


def warnings(graph: Graph) -> list[str]:
    found = graph.get("warnings") or []
    return ["Warnings:", *[f"  ! {w}" for w in found]] if found else ["Warnings: none."]
