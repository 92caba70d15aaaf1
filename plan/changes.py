"""Before and after of a stack: what an edit changes in its configuration and in its resources.

Pure functions over two captured graphs (``plan --compare``). The configuration summary is read from
the resources (task definitions, listener rules, scaling targets and policies, certificates), so it
says what will be deployed, not what the stack file says. Environment variables appear by name only
and secrets by reference only: no value of either is ever copied into a report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plan import pairing, replacement
from plan.engine import PLACEHOLDER_NOTE
from plan.graph import Graph
from plan.graph_index import short_type
from plan.routing import routes
from plan.sections.summary import PLACEHOLDER_MARK, invented_values
from plan.text import table

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
LISTENER = "aws:lb/listener:Listener"
CERTIFICATE = "aws:acm/certificate:Certificate"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

CATEGORIES = {
    "images": "images",
    "routes": "routes (host path -> target, priority, port)",
    "environment": "environment variables (names only)",
    "secrets": "secret references (valueFrom, never the value)",
    "certificates": "certificates",
    "scaling": "scaling bounds",
}
"""Configuration summary keys, in report order, with their headings."""

SEPARATORS = {"routes": " -> "}
"""Between a key and its value in the text report (``: `` unless listed)."""

ACTION_ORDER = ("replace", "update", "add", "remove")


def _owners(graph: Graph) -> dict[str, str]:
    """Resource URN -> the logical name of its parent (a service's resources -> the service)."""
    by_urn = {r["urn"]: r for r in graph["resources"]}
    return {
        r["urn"]: str(by_urn[r["parent"]]["name"]) if r.get("parent") in by_urn else str(r["name"])
        for r in graph["resources"]
    }


def _containers(graph: Graph) -> list[tuple[str, dict[str, Any]]]:
    """(label, container definition) of every task definition; the label is the service's name, with
    ``/container`` when the container is named otherwise (a sidecar)."""
    owners = _owners(graph)
    found: list[tuple[str, dict[str, Any]]] = []
    for task in (r for r in graph["resources"] if r["type"] == TASK_DEFINITION):
        document = task["inputs"].get("containerDefinitions")
        containers = json.loads(document) if isinstance(document, str) else document or []
        owner = owners[task["urn"]]
        for container in containers:
            name = str(container.get("name", "?"))
            found.append((owner if name == owner else f"{owner}/{name}", container))
    return found


def _scaling(graph: Graph) -> dict[str, str]:
    owners = _owners(graph)
    targets: dict[str, list[str]] = {}
    for policy in (r for r in graph["resources"] if r["type"] == SCALING_POLICY):
        tracking = policy["inputs"].get("targetTrackingScalingPolicyConfiguration") or {}
        metric = (tracking.get("predefinedMetricSpecification") or {}).get("predefinedMetricType", "custom")
        if "targetValue" in tracking:
            targets.setdefault(owners[policy["urn"]], []).append(f"{metric} {tracking['targetValue']:g}")
    found = {}
    for target in (r for r in graph["resources"] if r["type"] == SCALING_TARGET):
        owner = owners[target["urn"]]
        inputs = target["inputs"]
        tracked = ", ".join(sorted(targets.get(owner, []))) or "none"
        found[owner] = f"min {inputs.get('minCapacity')}, max {inputs.get('maxCapacity')}, target {tracked}"
    return found


def _certificates(graph: Graph) -> dict[str, str]:
    found = {}
    for resource in graph["resources"]:
        inputs = resource["inputs"]
        if resource["type"] == LISTENER and inputs.get("certificateArn"):
            found[f"listener {inputs.get('protocol')}:{inputs.get('port')}"] = str(inputs["certificateArn"])
        elif resource["type"] == CERTIFICATE:
            names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
            region = inputs.get("region") or graph.get("region")
            found[f"acm {resource['name']}"] = f"{', '.join(map(str, names))} ({region})"
        elif resource["type"] == DISTRIBUTION:
            viewer = inputs.get("viewerCertificate") or {}
            if viewer.get("acmCertificateArn"):
                found[f"cloudfront {resource['name']}"] = str(viewer["acmCertificateArn"])
    return found


def summary(graph: Graph) -> dict[str, dict[str, str | None]]:
    """The configuration a reader checks after an edit, category -> key -> value.

    Environment variables are keys with a None value (their names, never their values).
    """
    containers = _containers(graph)
    images: dict[str, str | None] = {label: str(c.get("image")) for label, c in containers}
    environment: dict[str, str | None] = {
        f"{label}: {variable.get('name')}": None
        for label, c in containers
        for variable in c.get("environment") or []
    }
    secrets: dict[str, str | None] = {
        f"{label}: {secret.get('name')}": str(secret.get("valueFrom"))
        for label, c in containers
        for secret in c.get("secrets") or []
    }
    routed: dict[str, str | None] = {
        f"{r.listener} {r.host} {r.path}": f"{r.target}, priority {r.priority}, "
        f"port {'-' if r.port is None else r.port}"
        for r in routes(graph)
    }
    return {
        "images": images,
        "routes": routed,
        "environment": environment,
        "secrets": secrets,
        "certificates": dict(_certificates(graph)),
        "scaling": dict(_scaling(graph)),
    }


@dataclass
class CategoryDiff:
    """What differs in one category of the summary."""

    added: dict[str, str | None] = field(default_factory=dict[str, "str | None"])
    removed: dict[str, str | None] = field(default_factory=dict[str, "str | None"])
    changed: dict[str, tuple[str | None, str | None]] = field(
        default_factory=dict[str, "tuple[str | None, str | None]"]
    )
    unchanged: int = 0
    placeholders: list[str] = field(default_factory=list[str])
    """Keys whose value, on either side, holds an offline placeholder (an id or ARN the engine made
    up): a difference there may be the engine's, not the edit's."""


def configuration_diff(before: Graph, after: Graph) -> dict[str, CategoryDiff]:
    """Category -> what was added, removed and changed from ``before`` to ``after``."""
    old, new = summary(before), summary(after)
    invented = invented_values(before) | invented_values(after)
    found = {}
    for category in CATEGORIES:
        a, b = old[category], new[category]
        diff = CategoryDiff(
            added={k: b[k] for k in sorted(set(b) - set(a))},
            removed={k: a[k] for k in sorted(set(a) - set(b))},
            changed={k: (a[k], b[k]) for k in sorted(set(a) & set(b)) if a[k] != b[k]},
        )
        diff.unchanged = len(set(a) & set(b)) - len(diff.changed)
        diff.placeholders = sorted(
            key
            for key in set(a) | set(b)
            if any(made_up in (value or "") for value in (a.get(key), b.get(key)) for made_up in invented)
        )
        found[category] = diff
    return found


@dataclass(frozen=True)
class ResourceChange:
    """One resource that an edit adds, removes, updates or replaces."""

    action: str
    """``add``, ``remove``, ``update``, ``replace``, or ``update?`` (a type the replacement table does
    not know: it may be replaced)."""
    type: str
    name: str
    properties: tuple[str, ...]
    """The inputs that change (names only), including those that reference a replaced resource."""
    replacing: tuple[str, ...] = ()
    """The inputs among ``properties`` that force the replacement."""
    via: tuple[str, ...] = ()
    """Replaced resources this one references (their new ids change its inputs)."""
    source: str | None = None
    """Where the replacement verdict comes from (plan/replacement.py's table and its origin)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "type": self.type,
            "name": self.name,
            "properties": list(self.properties),
            "replacing": list(self.replacing),
            "via": list(self.via),
            "source": self.source,
        }


def resource_changes(before: Graph, after: Graph) -> list[ResourceChange]:
    """Every cloud resource that differs between two runs of the same stack, and whether it is replaced.

    Resources are matched by URN or alias, and replaced when an input its provider marks ForceNew
    changes (plan/replacement.py) or such an input references a replaced resource (plan/pairing.py).
    """
    paired = pairing.pair(before, after)
    new = paired.new
    changes = []
    for key in sorted(paired.pairs):
        resource = new[key]
        direct, references = paired.direct[key], paired.references[key]
        properties = tuple(sorted({*direct, *references}))
        if not properties:
            continue
        via = tuple(sorted({owner for owners in references.values() for owner in owners}))
        if not replacement.known(resource["type"]):
            changes.append(ResourceChange("update?", resource["type"], resource["name"], properties, via=via))
            continue
        forcing = tuple(replacement.forcing(resource["type"], properties))
        action = "replace" if forcing else "update"
        source = replacement.source(resource["type"]) if forcing else None
        changes.append(
            ResourceChange(action, resource["type"], resource["name"], properties, forcing, via, source)
        )
    changes += [ResourceChange("add", new[key]["type"], new[key]["name"], ()) for key in paired.created]
    changes += [
        ResourceChange("remove", paired.old[key]["type"], paired.old[key]["name"], ())
        for key in paired.removed
    ]
    rank = {action: position for position, action in enumerate(ACTION_ORDER)}
    return sorted(changes, key=lambda c: (rank.get(c.action, 1), c.type, c.name))


# --- Rendering ------------------------------------------------------------------------------------


def render_configuration(diffs: Mapping[str, CategoryDiff], labels: tuple[str, str]) -> list[str]:
    """The configuration summary's differences as text, one block per category."""
    lines = [f"Configuration, {labels[0]} -> {labels[1]} ({PLACEHOLDER_MARK} = {PLACEHOLDER_NOTE}):"]
    for category, heading in CATEGORIES.items():
        diff = diffs[category]
        counts = [
            f"{len(items)} {word}"
            for items, word in ((diff.added, "added"), (diff.removed, "removed"), (diff.changed, "changed"))
            if items
        ]
        if not counts:
            lines.append(f"  {heading}: the same ({diff.unchanged})")
            continue
        lines.append(f"  {heading}: {', '.join(counts)}, {diff.unchanged} the same")

        def mark(key: str, diff: CategoryDiff = diff) -> str:
            return f" {PLACEHOLDER_MARK}" if key in diff.placeholders else ""

        between = SEPARATORS.get(category, ": ")
        for sign, items in (("-", diff.removed), ("+", diff.added)):
            for key, value in items.items():
                lines.append(f"    {sign} {key}" + ("" if value is None else f"{between}{value}") + mark(key))
        for key, (was, now) in diff.changed.items():
            lines.append(f"    ~ {key}{between}{was} => {now}{mark(key)}")
    return lines


def render_resources(changes: list[ResourceChange]) -> list[str]:
    """The resource changes as a table, with the source of each replacement verdict as a footnote."""
    counts = {action: sum(1 for c in changes if c.action == action) for action in ACTION_ORDER}
    heading = "Resource changes ({}):".format(
        ", ".join(f"{count} to {action}" for action, count in counts.items())
    )
    if not changes:
        return [heading, "  none: every resource keeps its inputs."]
    sources: list[str] = []
    rows = [["action", "resource", "changed inputs", "why"]]
    for change in changes:
        if change.action == "replace":
            if change.source not in sources:
                sources.append(str(change.source))
            why = f"replaced: {', '.join(change.replacing)} [{sources.index(str(change.source)) + 1}]"
        elif change.action == "update?":
            why = "may replace: type not in plan/replacement.py"
        else:
            why = ""
        if change.via:
            why += f" (references replaced {', '.join(change.via)})"
        rows.append(
            [
                change.action,
                f"{short_type(change.type)} {change.name}",
                ", ".join(change.properties) or "-",
                why.strip(),
            ]
        )
    return [heading, *table(rows), *[f"  [{n}] {text}" for n, text in enumerate(sources, start=1)]]


def to_json(
    before: Graph, after: Graph, labels: tuple[str, str], kind: str, changes: list[ResourceChange] | None
) -> dict[str, Any]:
    """The ``comparison`` block of the JSON document (docs/plan-format.md)."""
    diffs = configuration_diff(before, after)
    return {
        "kind": kind,
        "before": labels[0],
        "after": labels[1],
        "configuration": {
            category: {
                "added": diff.added,
                "removed": diff.removed,
                "changed": {key: {"before": was, "after": now} for key, (was, now) in diff.changed.items()},
                "unchanged": diff.unchanged,
                "placeholders": diff.placeholders,
            }
            for category, diff in diffs.items()
        },
        "resources": None if changes is None else [change.to_json() for change in changes],
    }
