"""What a cost estimate is made of: its lines, the estimate with its total (and what that total misses), and
the context the pricing rules in ``plan/cost.py`` read (graph index, prices, assumptions, commitments)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plan.graph import Graph
from plan.graph_index import Index

NOT_PRICED = "not priced"


@dataclass(frozen=True)
class Line:
    """One resource's monthly cost and how it was worked out."""

    component: str
    kind: str
    resource: str
    type: str
    monthly: float | None
    """USD a month; None when usage-based or not priced."""
    how: str
    basis: str = "fixed"
    """``fixed`` (in the total), ``usage-based`` or ``not priced`` (neither in the total)."""


@dataclass
class Estimate:
    region: str
    prices: Mapping[str, Any]
    assumptions: Mapping[str, float]
    lines: list[Line] = field(default_factory=list)
    no_charge: dict[str, int] = field(default_factory=dict)
    """Short type -> count of resources AWS does not charge for."""

    @property
    def priced(self) -> list[Line]:
        return [line for line in self.lines if line.basis == "fixed"]

    @property
    def unpriced(self) -> list[Line]:
        """Lines with a cost the estimate could not work out (no rule, no price for a size, no table)."""
        return [line for line in self.lines if line.basis == NOT_PRICED]

    @property
    def unpriced_resources(self) -> int:
        return len({(line.type, line.resource) for line in self.unpriced})

    @property
    def complete(self) -> bool:
        """True when the total counts everything with a fixed monthly cost."""
        return not self.unpriced

    @property
    def total(self) -> float:
        """The priced lines' sum: a lower bound when :attr:`complete` is False (see :meth:`total_text`)."""
        return round(sum(line.monthly or 0.0 for line in self.priced), 2)

    def total_text(self) -> str:
        """``$412.18``, or ``≥ $412.18, 2 resources unpriced`` when something could not be priced."""
        if self.complete:
            return f"${self.total:,.2f}"
        count = self.unpriced_resources
        return f"≥ ${self.total:,.2f}, {count} resource{'s' if count != 1 else ''} unpriced"

    def by(self, attribute: str) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for line in self.priced:
            sums[getattr(line, attribute)] += line.monthly or 0.0
        return {key: round(value, 2) for key, value in sorted(sums.items(), key=lambda kv: -kv[1])}

    def top(self, count: int = 3) -> list[Line]:
        """The ``count`` biggest priced lines, largest first."""
        return sorted(self.priced, key=lambda line: -(line.monthly or 0.0))[:count]


class MissingPriceError(KeyError):
    """A rule needs a price the region's table does not have (or there is no table)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Prices(Mapping[str, Any]):
    """A region's price table whose missing sections raise :class:`MissingPriceError` naming the section."""

    def __init__(self, table: Mapping[str, Any] | None) -> None:
        self._table = table or {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._table:
            raise MissingPriceError(key)
        return self._table[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def get(self, key: str, default: Any = None) -> Any:
        return self._table.get(key, default)

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


COMMITMENTS = {
    # service -> the assumption that turns its commitment on, and the discount it then takes.
    "fargate": (("savingsPlan", "savingsPlanDiscount", "Compute Savings Plan"),),
    "ec2": (
        ("reserved", "reservedDiscount", "reserved"),
        ("savingsPlan", "savingsPlanDiscount", "Compute Savings Plan"),
    ),
    "rds": (("reserved", "reservedDiscount", "reserved"),),
    "elasticache": (("reserved", "reservedDiscount", "reserved"),),
}
"""What ``--assume savings-plan`` and ``--assume reserved`` discount: a Compute Savings Plan covers Fargate
and EC2 (not Spot); reserved instances cover RDS, ElastiCache and EC2 (not storage, not Fargate)."""


class Context:
    """What pricing rules need: the graph index, prices, assumptions and derived facts."""

    def __init__(self, graph: Graph, prices: Mapping[str, Any], assumed: Mapping[str, float]) -> None:
        self.index = Index(graph)
        self.graph = graph
        self.prices = prices
        self.assumed = assumed
        self.hours = assumed["hoursPerMonth"]
        self.nat_count = len(self.index.of_type("aws:ec2/natGateway:NatGateway"))
        self.by_arn = {r["outputs"]["arn"]: r for r in self.index.resources if "arn" in r["outputs"]}

    @property
    def table_name(self) -> str:
        return f"plan/prices/{self.graph.get('region')}.json"

    def component(self, resource: Mapping[str, Any]) -> str:
        urn = self.index.component_of(resource)
        return self.index.by_urn[urn]["name"] if urn else "-"

    def line(self, resource: Mapping[str, Any], kind: str, monthly: float | None, how: str, basis="fixed"):
        return Line(self.component(resource), kind, resource["name"], resource["type"], monthly, how, basis)

    def missing(self, resource: Mapping[str, Any], kind: str, size: str) -> Line:
        return self.line(
            resource, kind, None, f"no price for {size} in {self.table_name}; add it there", NOT_PRICED
        )

    def commitment(self, service: str) -> tuple[float, str]:
        """The factor on-demand prices of ``service`` are multiplied by under the assumed commitments
        (1.0 with none) and how to say so (`` x 0.8 (Compute Savings Plan)``)."""
        for switch, discount, name in COMMITMENTS.get(service, ()):
            if self.assumed.get(switch):
                factor = 1 - self.assumed[discount]
                return factor, f" x {factor:g} ({name})"
        return 1.0, ""


def money(value: float) -> str:
    return f"${value:.4f}".rstrip("0").rstrip(".") if value < 1 else f"${value:,.2f}"


def hourly(
    ctx: Context,
    resource: Mapping[str, Any],
    kind: str,
    table_name: str,
    size: str,
    count: float,
    rate_key="",
) -> Line:
    """``count`` instances or nodes of ``size`` around the month, at the table's hourly rate (and the
    assumed commitment's discount of ``table_name``'s service)."""
    section = ctx.prices[table_name]
    rates = section.get(rate_key) if rate_key else section.get("instanceHour") or section.get("nodeHour")
    if not rates or size not in rates:
        return ctx.missing(resource, kind, size)
    factor, said = ctx.commitment(table_name)
    monthly = count * rates[size] * ctx.hours * factor
    how = f"{count:g} x {size} x {ctx.hours:g} h x {money(rates[size])}{said}"
    return ctx.line(resource, kind, monthly, how)
