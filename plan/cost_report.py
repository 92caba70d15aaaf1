"""How a cost estimate is shown: the text tables, the JSON block, the comparison of two estimates, and
NAT gateways against interface endpoints."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plan.cost_assumptions import ASSUMPTIONS
from plan.cost_model import MissingPriceError
from plan.graph import Graph
from plan.graph_index import Index
from plan.text import table

if TYPE_CHECKING:
    from plan.cost import Estimate
    from plan.cost_model import Line


@dataclass(frozen=True)
class BreakEven:
    nat_gateways: int
    endpoints: int
    zones: int
    nat_monthly: float
    endpoints_monthly: float
    break_even_gb: float | None
    """GB a month above which endpoints are cheaper; None when they never are."""
    stack_has: str = "nat"
    """What the stack runs: ``nat`` (priced against assumed endpoints) or ``endpoints`` (its own
    interface endpoints, priced against the one NAT gateway of natMode single)."""


INTERFACE = "Interface"


def break_even(graph: Graph, prices: Mapping[str, Any], assumed: Mapping[str, float]) -> BreakEven | None:
    """The stack's NAT gateways and their data against interface endpoints in every zone or, for a stack
    without NAT, its interface endpoints against one NAT gateway (natMode single)."""
    index = Index(graph)
    nats = len(index.of_type("aws:ec2/natGateway:NatGateway"))
    interface = [
        r
        for r in index.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if r["inputs"].get("vpcEndpointType") == INTERFACE
    ]
    if not nats and not interface:
        return None
    stack_has = "nat" if nats else "endpoints"
    if nats:
        zones = len(graph["outputs"].get("availabilityZones") or []) or nats
        endpoints = int(assumed["breakEvenEndpoints"])
    else:
        zones = max(len(r["inputs"].get("subnetIds") or ()) for r in interface)
        endpoints, nats = len(interface), 1
    hours, gb = assumed["hoursPerMonth"], assumed["natGbPerMonth"]
    try:
        nat, endpoint = prices["natGateway"], prices["interfaceEndpoint"]
    except (KeyError, MissingPriceError):
        return None  # no prices: the estimate lists the NAT gateways and endpoints as not priced
    nat_fixed = nats * nat["hour"] * hours
    endpoint_fixed = endpoints * zones * endpoint["azHour"] * hours
    saving_per_gb = nat["gb"] - endpoint["gb"]
    crossing = (endpoint_fixed - nat_fixed) / saving_per_gb if saving_per_gb > 0 else None
    return BreakEven(
        nats,
        endpoints,
        zones,
        round(nat_fixed + gb * nat["gb"], 2),
        round(endpoint_fixed + gb * endpoint["gb"], 2),
        None if crossing is None else round(max(crossing, 0.0), 1),
        stack_has,
    )


# --- Output ---------------------------------------------------------------------------------------


def render(result: Estimate, graph: Graph) -> list[str]:
    """The estimate as tables: per resource, per component, per kind, then what is not in it."""
    lines = [
        f"Monthly estimate: {result.total_text()} (stack {graph['stack']}, {result.region}, {_basis(result)})"
    ]
    rows = [["component", "kind", "resource", "monthly", "how"]]
    ordered = sorted(result.priced, key=lambda x: (x.component, x.kind, x.resource))
    rows += [[x.component, x.kind, x.resource, f"{x.monthly:,.2f}", x.how] for x in ordered]
    lines += table(rows)
    lines.append("By component: " + ", ".join(f"{k} ${v:,.2f}" for k, v in result.by("component").items()))
    lines.append("By kind: " + ", ".join(f"{k} ${v:,.2f}" for k, v in result.by("kind").items()))
    usage = [x for x in result.lines if x.basis == "usage-based"]
    if usage:
        lines.append("Usage-based, not in the total: " + "; ".join(f"{x.resource} ({x.how})" for x in usage))
    if result.unpriced:
        lines.append(
            f"Not priced, so the total is a lower bound ({result.unpriced_resources} resources): "
            + "; ".join(f"{x.resource} ({x.kind}: {x.how})" for x in result.unpriced)
        )
    if result.no_charge:
        free = ", ".join(f"{kind} x{count}" for kind, count in sorted(result.no_charge.items()))
        lines.append(f"No charge: {sum(result.no_charge.values())} resources ({free})")
    lines.append("Assumptions (override with --assume KEY=VALUE or --assumptions FILE):")
    lines += [f"  {key}={_number(value)}: {ASSUMPTIONS[key][1]}" for key, value in result.assumptions.items()]
    found = break_even(graph, result.prices, result.assumptions)
    if found:
        lines.append(break_even_sentence(found, result.assumptions["natGbPerMonth"]))
    return lines


def _basis(result: Estimate) -> str:
    """Which prices the estimate uses: the table's date and the commitments assumed."""
    prices = result.prices
    if "retrieved" not in prices:
        return f"nothing priced: no price table for {result.region}; add plan/prices/{result.region}.json"
    assumed = result.assumptions
    terms = [
        f"a Compute Savings Plan ({assumed['savingsPlanDiscount']:.0%} off Fargate and EC2)"
        for _ in [0]
        if assumed.get("savingsPlan")
    ] + [
        f"reserved instances ({assumed['reservedDiscount']:.0%} off RDS, ElastiCache and EC2 hours)"
        for _ in [0]
        if assumed.get("reserved")
    ]
    kind = "on-demand list prices" + (f" with {' and '.join(terms)}" if terms else "")
    return (
        f"{prices['currency']}, {kind} of {prices['retrieved']} from plan/prices/{result.region}.json; "
        "free tiers and taxes not counted"
    )


def _number(value: float) -> str:
    return f"{value:g}"


def break_even_sentence(found: BreakEven, gb: float) -> str:
    if found.stack_has == "endpoints":
        head = (
            f"Interface endpoints vs NAT at {gb:g} GB/month: endpoints ${found.endpoints_monthly:,.2f} "
            f"vs one NAT gateway ${found.nat_monthly:,.2f} (this stack's {found.endpoints} endpoints x "
            f"{found.zones} zones; the NAT gateway of natMode single instead)"
        )
    else:
        head = (
            f"NAT vs interface endpoints at {gb:g} GB/month: {found.nat_gateways} NAT gateway(s) "
            f"${found.nat_monthly:,.2f}; {found.endpoints} endpoints x {found.zones} zones "
            f"${found.endpoints_monthly:,.2f}"
        )
    if found.break_even_gb is None:
        return f"{head}; endpoints are never cheaper."
    return (
        f"{head}; endpoints are cheaper above {found.break_even_gb:,.0f} GB/month "
        "(only for AWS APIs: images from other registries still need NAT)."
    )


def to_json(result: Estimate, graph: Graph) -> dict[str, Any]:
    """The estimate as the ``estimate`` block of the plan JSON (docs/plan-format.md)."""
    found = break_even(graph, result.prices, result.assumptions)
    return {
        "region": result.region,
        "currency": result.prices.get("currency", "USD"),
        "pricesRetrieved": result.prices.get("retrieved"),
        "total": result.total,
        "totalText": result.total_text(),
        "complete": result.complete,
        "unpricedResources": result.unpriced_resources,
        "top": [
            {
                "component": x.component,
                "kind": x.kind,
                "resource": x.resource,
                "monthly": round(x.monthly or 0, 2),
            }
            for x in result.top(3)
        ],
        "byComponent": result.by("component"),
        "byKind": result.by("kind"),
        "assumptions": dict(result.assumptions),
        "lines": [
            {
                "component": x.component,
                "kind": x.kind,
                "resource": x.resource,
                "type": x.type,
                "monthly": None if x.monthly is None else round(x.monthly, 2),
                "basis": x.basis,
                "how": x.how,
            }
            for x in result.lines
        ],
        "noCharge": dict(sorted(result.no_charge.items())),
        "natVersusEndpoints": None
        if found is None
        else {
            "stackHas": found.stack_has,
            "natGateways": found.nat_gateways,
            "endpoints": found.endpoints,
            "zones": found.zones,
            "natMonthly": found.nat_monthly,
            "endpointsMonthly": found.endpoints_monthly,
            "breakEvenGbPerMonth": found.break_even_gb,
        },
    }


def compare(first: Estimate, second: Estimate, names: tuple[str, str]) -> list[str]:
    """Per component and in total: what each stack costs and the difference; then every priced line that
    differs (database class, Multi-AZ and storage, cache node type and count, NAT gateways, endpoints...)
    with how each side worked it out."""
    a, b = first.by("component"), second.by("component")
    rows = [["component", names[0], names[1], "difference"]]
    for key in sorted(set(a) | set(b)):
        rows.append(
            [key, f"{a.get(key, 0):,.2f}", f"{b.get(key, 0):,.2f}", f"{b.get(key, 0) - a.get(key, 0):+,.2f}"]
        )
    rows.append(
        [
            "total",
            first.total_text().lstrip("$"),
            second.total_text().lstrip("$"),
            f"{second.total - first.total:+,.2f}",
        ]
    )
    return [
        f"Monthly cost, {names[0]} vs {names[1]} (USD):",
        *table(rows),
        *line_differences(first, second, names),
        *[
            f"Not priced in {name}: " + "; ".join(f"{x.resource} ({x.how})" for x in side.unpriced)
            for name, side in zip(names, (first, second), strict=True)
            if side.unpriced
        ],
    ]


SMALL = 1.0
"""Differences under a dollar a month are summed per kind (one row: kind, count, total difference)."""


def line_differences(first: Estimate, second: Estimate, names: tuple[str, str]) -> list[str]:
    """Every priced resource line whose monthly cost differs between the two estimates, largest first;
    those under :data:`SMALL` summed per kind."""
    a, b = _lines_by_key(first), _lines_by_key(second)
    rows, small = [], defaultdict(list)
    for key in set(a) | set(b):
        before, after = a.get(key), b.get(key)
        old, new = (before.monthly or 0.0) if before else 0.0, (after.monthly or 0.0) if after else 0.0
        if round(new - old, 2) == 0:
            continue
        if abs(new - old) < SMALL:
            small[key[1]].append(new - old)
            continue
        how = (
            f"{before.how} -> {after.how}"
            if before and after and before.how != after.how
            else _how(after or before)
        )
        rows.append((abs(new - old), [*key, _side(before), _side(after), f"{new - old:+,.2f}", how]))
    if not rows and not small:
        return ["Priced differences: none."]
    ordered = [row for _, row in sorted(rows, key=lambda item: (-item[0], item[1][:3]))]
    ordered += [
        ["*", kind, f"{len(deltas)} resources", "", "", f"{sum(deltas):+,.2f}", f"each under ${SMALL:.2f}"]
        for kind, deltas in sorted(small.items(), key=lambda item: -abs(sum(item[1])))
    ]
    header = ["component", "kind", "resource", names[0], names[1], "difference", "how"]
    return [f"Priced differences ({len(rows)} lines, then smaller ones by kind):", *table([header, *ordered])]


def differences_json(first: Estimate, second: Estimate) -> dict[str, Any]:
    """The comparison's ``cost`` block: both totals and every priced line that differs."""
    a, b = _lines_by_key(first), _lines_by_key(second)
    lines = []
    for key in sorted(set(a) | set(b)):
        before, after = a.get(key), b.get(key)
        old, new = (before.monthly or 0.0) if before else 0.0, (after.monthly or 0.0) if after else 0.0
        if round(new - old, 2):
            lines.append(
                {
                    "component": key[0],
                    "kind": key[1],
                    "resource": key[2],
                    "before": None if before is None else round(old, 2),
                    "after": None if after is None else round(new, 2),
                    "difference": round(new - old, 2),
                    "howBefore": before and before.how,
                    "howAfter": after and after.how,
                }
            )
    return {
        "before": {"total": first.total, "totalText": first.total_text(), "complete": first.complete},
        "after": {"total": second.total, "totalText": second.total_text(), "complete": second.complete},
        "difference": round(second.total - first.total, 2),
        "lines": lines,
    }


def _lines_by_key(result: Estimate) -> dict[tuple[str, str, str], Any]:
    return {(x.component, x.kind, x.resource): x for x in result.priced}


def _how(line: Line | None) -> str:
    return "" if line is None else line.how


def _side(line: Any) -> str:
    return "-" if line is None else f"{line.monthly:,.2f}"
