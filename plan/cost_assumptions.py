"""The usage a cost estimate assumes (what a graph cannot know), and the overrides of ``--assume`` and
``--assumptions``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ASSUMPTIONS: dict[str, tuple[float, str]] = {
    "hoursPerMonth": (730, "hours in a month (AWS's convention)"),
    "natGbPerMonth": (100, "GB processed by all NAT gateways together, split evenly between them"),
    "lcuPerLoadBalancer": (1, "average LCUs each load balancer uses per hour"),
    "logGbPerLogGroup": (1, "GB each log group ingests per month"),
    "wafMillionRequests": (10, "million requests each web ACL inspects per month"),
    "insightsMetricsPerCluster": (8, "Container Insights metrics per cluster"),
    "insightsMetricsPerService": (11, "Container Insights metrics per service"),
    "insightsEnhancedMetricsPerTask": (8, "extra task-level metrics per running task with enhanced"),
    "deploymentsPerMonth": (20, "deployments of each service per month (blue/green copies)"),
    "deploymentMinutes": (15, "minutes a new copy runs before traffic moves (start, checks, tests)"),
    "jobMinutesPerRun": (10, "minutes each run of a scheduled job (webstack:jobs) takes"),
    "appBucketGb": (10, "GB each app bucket (webstack:buckets) stores in S3 Standard, old versions included"),
    "volumeGb": (10, "GB each volume (webstack:volumes) stores in EFS Standard"),
    "breakEvenEndpoints": (5, "interface endpoints that replace NAT: ecr.api, ecr.dkr, logs, sts, secrets"),
    "savingsPlan": (0, "1: Fargate and EC2 on-demand under a Compute Savings Plan (--assume savings-plan)"),
    "savingsPlanDiscount": (
        0.2,
        "off on-demand under the savings plan: 1-year, no upfront (AWS: up to 50% Fargate, 66% EC2 "
        "with 3 years; aws.amazon.com/savingsplans/compute-pricing/)",
    ),
    "reserved": (0, "1: RDS, ElastiCache and EC2 as reserved instances (--assume reserved)"),
    "reservedDiscount": (
        0.3,
        "off on-demand instance hours when reserved: 1-year, no upfront, AWS's 'up to' figure for that "
        "term (aws.amazon.com/rds/reserved-instances/; storage is not discounted)",
    ),
}
"""Usage the graph cannot know: key -> (default, meaning). Override with ``--assume KEY=VALUE``."""

COMMITMENT_WORDS = {"savings-plan": "savingsPlan", "reserved": "reserved"}
"""``--assume savings-plan`` and ``--assume reserved``: commitments, off by default."""
FRACTIONS = ("savingsPlanDiscount", "reservedDiscount")


class AssumptionError(ValueError):
    """An ``--assume`` override or assumptions file AWS cannot be estimated with."""


def assumptions(overrides: Mapping[str, Any] | None = None) -> dict[str, float]:
    """The defaults with ``overrides`` applied; unknown keys and non-numbers are errors."""
    values = {key: float(default) for key, (default, _) in ASSUMPTIONS.items()}
    for key, value in (overrides or {}).items():
        if key not in ASSUMPTIONS:
            raise AssumptionError(f"unknown assumption '{key}'; known: {', '.join(ASSUMPTIONS)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AssumptionError(f"assumption {key}: got {value!r}, but it must be a number") from None
        if number < 0:
            raise AssumptionError(f"assumption {key}: got {value!r}, but it must not be negative")
        if key in FRACTIONS and number >= 1:
            raise AssumptionError(
                f"assumption {key}: got {value!r}, but it is a fraction; use e.g. 0.2 for 20%"
            )
        values[key] = number
    return values


def parse_assume(items: Iterable[str]) -> dict[str, str]:
    """``["natGbPerMonth=500", "savings-plan"]`` -> ``{"natGbPerMonth": "500", "savingsPlan": "1"}``."""
    parsed = {}
    for item in items:
        if item.strip() in COMMITMENT_WORDS:
            parsed[COMMITMENT_WORDS[item.strip()]] = "1"
            continue
        key, separator, value = item.partition("=")
        if not separator:
            raise AssumptionError(
                f"--assume {item!r}: use KEY=VALUE (e.g. natGbPerMonth=500), savings-plan or reserved"
            )
        parsed[key.strip()] = value.strip()
    return parsed
