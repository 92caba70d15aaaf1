"""The plan's first screen: at most 25 lines that answer what a new reader asks first.

Stack, account and region; resources by component; the doors from the internet; each service's size,
count, deployment strategy and image; the data stores (by resource type, so a kind another feature adds
shows up once its type is in ``STORES``); the monthly estimate and its three biggest items; warnings.
:func:`summary` is the JSON (the plan document's ``summary`` key) and :func:`first_screen` renders it.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from plan.cost_model import Estimate
from plan.graph import Graph
from plan.graph_index import Index, short_type
from plan.sections.deployments import ECS_SERVICE, rollouts
from plan.sections.exposure import INTERNET, exposure_matrix
from plan.sections.front_door import hosts
from plan.sections.security import security_verdict
from plan.sections.summary import COMPONENT_ORDER

MAX_LINES = 25
WIDTH = 110
"""Characters a line may take before it wraps (or, for a warning, is cut short)."""
MAX_SERVICES = 5
MAX_WARNINGS = 3
# At most: title 1 + resources 2 + doors 2 + services 1+5 + stores 1+7 kinds + estimate 1 + security 1
# + warnings 1+3 = 25 lines.

Describe = Callable[[Mapping[str, Any]], str]


def _gb(value: Any) -> str:
    return f"{value} GB" if value not in (None, "") else "? GB"


def _database(r: Mapping[str, Any]) -> str:
    i = r["inputs"]
    multi = ", Multi-AZ" if i.get("multiAz") else ""
    storage = _gb(i.get("allocatedStorage"))
    return f"{i.get('engine')} {i.get('engineVersion')} {i.get('instanceClass')}{multi}, {storage}"


def _aurora(r: Mapping[str, Any]) -> str:
    return f"{r['inputs'].get('engine')} {r['inputs'].get('engineVersion') or ''}".strip()


def _cache(r: Mapping[str, Any]) -> str:
    i = r["inputs"]
    nodes = i.get("numCacheClusters") or i.get("numNodeGroups") or i.get("numCacheNodes") or 1
    return f"{i.get('engine')} {i.get('engineVersion')} {i.get('nodeType')} x{nodes}"


def _plain(r: Mapping[str, Any]) -> str:
    return ""


STORES: dict[str, tuple[str, Describe]] = {
    "aws:rds/instance:Instance": ("database", _database),
    "aws:rds/cluster:Cluster": ("database", _aurora),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("cache", _cache),
    "aws:elasticache/cluster:Cluster": ("cache", _cache),
    "aws:dynamodb/table:Table": ("table", _plain),
    "aws:sqs/queue:Queue": ("queue", _plain),
    "aws:s3/bucket:Bucket": ("bucket", _plain),
    "aws:s3/bucketV2:BucketV2": ("bucket", _plain),
    "aws:efs/fileSystem:FileSystem": ("file system", _plain),
    "aws:backup/vault:Vault": ("backup vault", _plain),
}
"""Resource type -> (the kind of data it keeps, what to say of one). Everything that keeps data."""


def _cost(estimate: Estimate | None) -> dict[str, Any] | None:
    """The estimate's headline: its total as text (``≥ $X, N resources unpriced`` when it misses
    something) and its three biggest kinds. The one place the first screen reads the estimate."""
    if estimate is None:
        return None
    return {
        "total": estimate.total_text(),
        "monthly": estimate.total,
        "complete": estimate.complete,
        "biggest": [
            {"item": kind, "monthly": value} for kind, value in list(estimate.by("kind").items())[:3]
        ],
    }


def _components(index: Index) -> dict[str, int]:
    """Component name -> its resources, foundation first (as the inventory lists them)."""
    components = sorted(
        (r for r in index.resources if not r["custom"] and not r["type"].startswith("awsx:")),
        key=lambda r: (COMPONENT_ORDER.get(short_type(r["type"]), len(COMPONENT_ORDER)), r["name"]),
    )
    counted = Counter(
        index.component_of(r) for r in index.resources if r["custom"] or r["type"].startswith("awsx:")
    )
    return {c["name"]: counted.get(c["urn"], 0) for c in components}


def _size(task: Mapping[str, Any] | None) -> tuple[float | None, float | None]:
    """(vCPU, GB) of a task definition (its cpu and memory are in CPU units and MiB)."""
    inputs = (task or {}).get("inputs") or {}
    cpu, memory = inputs.get("cpu"), inputs.get("memory")
    return (
        None if cpu in (None, "") else int(cpu) / 1024,
        None if memory in (None, "") else int(memory) / 1024,
    )


def _services(graph: Graph, index: Index, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_arn = {r["outputs"].get("arn"): r for r in index.resources if r["outputs"].get("arn")}
    strategies = {r.service: r.strategy for r in rollouts(graph)}
    targets = {index.owner(t): t["inputs"] for t in index.of_type("aws:appautoscaling/target:Target")}
    image_of = {row["service"]: row for row in images}
    found = []
    for service in index.of_type(ECS_SERVICE):
        name = index.owner(service)
        cpu, memory = _size(by_arn.get(service["inputs"].get("taskDefinition")))
        target = targets.get(name) or {}
        desired = service["inputs"].get("desiredCount")
        image = image_of.get(name) or {}
        providers = [
            s.get("capacityProvider") for s in service["inputs"].get("capacityProviderStrategies") or []
        ]
        found.append(
            {
                "service": name,
                "vcpu": cpu,
                "memoryGb": memory,
                "minTasks": target.get("minCapacity", desired),
                "maxTasks": target.get("maxCapacity", desired),
                "strategy": strategies.get(name, "ROLLING"),
                "capacity": [p for p in providers if p],
                "image": image.get("image"),
                "digest": image.get("digest"),
                "builtFromSource": image.get("source") == "built",
            }
        )
    return sorted(found, key=lambda s: s["service"])


def _stores(index: Index) -> list[dict[str, Any]]:
    found = []
    for resource in index.resources:
        kind = STORES.get(resource["type"])
        if kind is not None:
            found.append(
                {
                    "kind": kind[0],
                    "name": index.owner(resource),
                    "resource": resource["name"],
                    "type": resource["type"],
                    "detail": kind[1](resource),
                }
            )
    return sorted(
        found,
        key=lambda s: (list(dict.fromkeys(k for k, _ in STORES.values())).index(s["kind"]), s["resource"]),
    )


def _doors(graph: Graph) -> list[dict[str, Any]]:
    """What the internet may open (the exposure matrix), then each public host and where it leads."""
    doors: list[dict[str, Any]] = [
        {"to": dest, "ports": ports}
        for (source, dest), ports in sorted(exposure_matrix(graph).items())
        if source == INTERNET
    ]
    doors += [{"host": host, "to": target} for host, target in hosts(graph)]
    return doors


def summary(
    graph: Graph, estimate: Estimate | None = None, images: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The first screen's facts as JSON (the ``summary`` key of ``python -m plan --json``)."""
    index = Index(graph)
    components = _components(index)
    return {
        "stack": graph["stack"],
        "environment": graph.get("outputs", {}).get("environment"),
        "accounts": list(graph.get("accounts") or []),
        "region": graph.get("region"),
        "resources": sum(components.values()),
        "byComponent": components,
        "doors": _doors(graph),
        "services": _services(graph, index, images or []),
        "dataStores": _stores(index),
        "estimate": _cost(estimate),
        "warnings": list(graph.get("warnings") or []),
        "security": security_verdict(graph).line(),
    }


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _service_line(service: Mapping[str, Any], width: int) -> str:
    low, high = service["minTasks"], service["maxTasks"]
    count = f"x{low}" if low == high else f"x{low}-{high}"
    if service["builtFromSource"]:
        image = "built from source"
    elif service["digest"]:
        image = f"{service['image']}"
    else:
        image = f"{service['image']} (a tag, no digest)"
    size = f"{_number(service['vcpu'])} vCPU/{_number(service['memoryGb'])} GB"
    return f"  {service['service']:<{width}}  {size:<16} {count:<6} {service['strategy']:<10}  {image}"


def _wrapped(text: str, limit: int) -> list[str]:
    lines = textwrap.wrap(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False)
    return lines if len(lines) <= limit else [*lines[: limit - 1], lines[limit - 1][: WIDTH - 1] + "…"]


def _store_lines(stores: list[dict[str, Any]]) -> list[str]:
    if not stores:
        return ["Data stores: none."]
    by_kind: dict[str, list[str]] = {}
    for store in stores:
        text = f"{store['name']} ({store['detail']})" if store["detail"] else store["resource"]
        by_kind.setdefault(store["kind"], []).append(text)
    lines = ["Data stores:"]
    for kind, items in by_kind.items():
        head = f"  {kind}{'s' if len(items) > 1 and not kind.endswith('s') else ''}: "
        lines += _wrapped(head + "; ".join(items), 1)
    return lines


def first_screen(facts: Mapping[str, Any]) -> list[str]:
    """The summary's lines (at most ``MAX_LINES``), from :func:`summary`."""
    accounts = ", ".join(facts["accounts"]) or "any (aws:allowedAccountIds unset)"
    environment = f" ({facts['environment']})" if facts["environment"] else ""
    lines = [f"Summary of stack {facts['stack']}{environment}: account {accounts}, region {facts['region']}"]
    parts = ", ".join(f"{name} {count}" for name, count in facts["byComponent"].items())
    lines += _wrapped(
        f"Resources: {facts['resources']} in {len(facts['byComponent'])} components: {parts}", 3
    )
    doors = [
        f"{d['to']} on {', '.join(d['ports'])}" if "ports" in d else f"https://{d['host']} -> {d['to']}"
        for d in facts["doors"]
    ]
    lines += _wrapped(f"Doors from the internet: {'; '.join(doors) or 'none'}", 2)
    services = facts["services"]
    lines.append(
        f"Services ({len(services)}): size, tasks, deployment, image" if services else "Services: none."
    )
    width = max((len(s["service"]) for s in services), default=0)
    shown = services if len(services) <= MAX_SERVICES else services[: MAX_SERVICES - 1]
    lines += [_service_line(s, width)[:WIDTH] for s in shown]
    if len(shown) < len(services):
        lines.append(f"  … and {len(services) - len(shown)} more (Deployments and Images sections)")
    lines += _store_lines(facts["dataStores"])
    cost = facts["estimate"]
    if cost is None:
        lines.append("Monthly estimate: not computed")
    else:
        biggest = ", ".join(f"{b['item']} ${b['monthly']:,.2f}" for b in cost["biggest"])
        lines += _wrapped(f"Monthly estimate: {cost['total']}; biggest: {biggest}", 1)
    if facts.get("security"):
        lines += _wrapped(facts["security"], 1)
    warnings = facts["warnings"]
    lines.append(f"Warnings: {len(warnings)}" if warnings else "Warnings: none.")
    shown_warnings = warnings if len(warnings) <= MAX_WARNINGS else warnings[: MAX_WARNINGS - 1]
    lines += [_cut(f"  ! {w}") for w in shown_warnings]
    if len(shown_warnings) < len(warnings):
        lines.append(f"  … and {len(warnings) - len(shown_warnings)} more (Warnings section)")
    return lines


def _cut(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"
