"""The first edition of the price tables (``plan/prices/<region>.json``), made offline: which figures were
read, which carried over from the previous tables, and how every other one was derived.

``make prices`` (tools/prices.py) replaces these figures with the AWS Price List API's where a user has
credentials and internet; this module is how the committed tables were written on a machine with
neither. Every figure gets a ``provenance`` entry (``plan/prices/<region>.json["provenance"]``, keyed
``section/key/...``) that starts with how it was obtained and the date:

- ``read <date>``: found on a public page with the search tool that day (the page is named);
- ``table <date>``: kept from the tables of 2026-11-23 (their ``notes`` say how those were obtained);
- ``transcribed <date>``: AWS's published on-demand list price as this module's author knew it, not
  re-checked from a machine without network access to aws.amazon.com: check it before relying on it;
- ``derived <date>``: computed from other figures by the rule the entry states (a size from its
  family's base size, a region from us-east-1 and a regional ratio, Spot from on-demand).

Run ``venv/bin/python -m tools.price_tables`` to rewrite the tables (it keeps nothing else in them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.pure.cache_nodes import NODE_SIZES
from components.pure.db_instances import FAMILY_SIZES
from stack.cluster import DEFAULT_INSTANCE_TYPE

PRICES_DIR = Path(__file__).parents[1] / "plan" / "prices"
TODAY = "2026-12-06"
OLD = "2026-11-23"

REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
)

# --- Size arithmetic: on-demand prices are linear in size within a family --------------------------

BURSTABLE = {"nano": 0.5, "micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
"""Size -> multiple of the family's ``micro`` price (t families)."""


def fixed_factor(size: str) -> float:
    """Size -> multiple of the family's ``large`` price (m, c, r families): xlarge 2, Nxlarge 2N."""
    if size == "large":
        return 1
    return 2 * int(size.removesuffix("xlarge") or 1)


def size_factor(family: str, size: str) -> tuple[float, str]:
    if family.startswith("t"):
        return BURSTABLE[size], "micro"
    return fixed_factor(size), "large"


# --- us-east-1 base prices (one per family; explicit sizes where known) -----------------------------

RDS_BASE = {
    # PostgreSQL, single-AZ, on-demand, USD per hour, us-east-1: the family's micro (t) or large price.
    "t3": 0.018, "t4g": 0.016, "m5": 0.178, "m5d": 0.21, "m6g": 0.159, "m6gd": 0.188, "m6i": 0.178,
    "m6id": 0.2115, "m7g": 0.168, "m7i": 0.187, "m8g": 0.1765, "r5": 0.25, "r5b": 0.298, "r5d": 0.288,
    "r6g": 0.225, "r6gd": 0.26, "r6i": 0.25, "r6id": 0.302, "r7g": 0.239, "r7i": 0.2625, "r8g": 0.2505,
}  # fmt: skip
RDS_KNOWN = {
    "db.t4g.micro": (0.016, "read", "https://infratally.com/articles/aws-rds-pricing-explained-2026.html"),
    "db.t4g.small": (0.032, "read", "https://infratally.com/articles/aws-rds-pricing-explained-2026.html"),
    "db.t4g.medium": (0.065, "read", "https://infratally.com/articles/aws-rds-pricing-explained-2026.html"),
    "db.t4g.large": (0.129, "transcribed", ""),
    "db.t4g.xlarge": (0.258, "transcribed", ""),
    "db.t4g.2xlarge": (0.517, "transcribed", ""),
    "db.t3.small": (0.036, "table", ""),
    "db.t3.medium": (0.072, "transcribed", ""),
    "db.t3.large": (0.145, "transcribed", ""),
}
CACHE_BASE = {
    # Redis OSS node-based, on-demand, USD per hour, us-east-1 (Valkey: x valkeyFactor).
    "t3": 0.017, "t4g": 0.016, "m5": 0.156, "m6g": 0.149, "m7g": 0.158, "r5": 0.216, "r6g": 0.206,
    "r7g": 0.219,
}  # fmt: skip
CACHE_KNOWN = {
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.t3.small": 0.034,
    "cache.t3.medium": 0.068,
}
EC2_BASE = {
    # Linux on-demand, USD per hour, us-east-1.
    "t3": 0.0104, "t3a": 0.0094, "t4g": 0.0084, "m5": 0.096, "m5a": 0.086, "m6a": 0.0864, "m6g": 0.077,
    "m6i": 0.096, "m7a": 0.11592, "m7g": 0.0816, "m7i": 0.1008, "m7i-flex": 0.09576, "m8g": 0.08976,
    "c5": 0.085, "c6a": 0.0765, "c6g": 0.068, "c6i": 0.085, "c7a": 0.10264, "c7g": 0.0725, "c7i": 0.08925,
    "c8g": 0.07976, "r5": 0.126, "r6a": 0.1134, "r6g": 0.1008, "r6i": 0.126, "r7a": 0.15215, "r7g": 0.1071,
    "r7i": 0.1323, "r8g": 0.11782,
}  # fmt: skip
EC2_SIZES = {"t": ("micro", "small", "medium", "large", "xlarge", "2xlarge")}
EC2_FIXED_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
EC2_READ = {
    "m7g.large": "https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/"
}

# --- Regional ratios against us-east-1 ---------------------------------------------------------------

RATIOS: dict[str, dict[str, tuple[float, str]]] = {
    "ec2": {
        "us-east-2": (1.0, "US East (Ohio) lists the same Linux prices as N. Virginia"),
        "us-west-2": (1.0, "US West (Oregon) lists the same Linux prices as N. Virginia"),
        "eu-west-1": (0.107 / 0.096, "m6i.large 0.107 vs 0.096 in the 2026-11-23 tables"),
        "eu-west-2": (0.111 / 0.096, "m6i.large 0.111 vs 0.096 in the 2026-11-23 tables"),
        "eu-central-1": (0.115 / 0.096, "m6i.large 0.115 vs 0.096 in the 2026-11-23 tables"),
        "ap-southeast-1": (0.12 / 0.096, "m6i.large 0.12 vs 0.096 (transcribed)"),
        "ap-southeast-2": (0.12 / 0.096, "m6i.large 0.12 vs 0.096 in the 2026-11-23 tables"),
        "ap-northeast-1": (0.124 / 0.096, "m6i.large 0.124 vs 0.096 (transcribed)"),
        "ap-south-1": (0.101 / 0.096, "m6i.large 0.101 vs 0.096 (transcribed)"),
    },
    "rds": {
        "us-east-2": (1.0, "US East (Ohio) lists the same RDS prices as N. Virginia"),
        "us-west-2": (1.0, "US West (Oregon) lists the same RDS prices as N. Virginia"),
        "eu-west-1": (0.168 / 0.159, "db.m6g.large 0.168 vs 0.159 in the 2026-11-23 tables"),
        "eu-west-2": (1.18, "db.t3.micro 0.021 vs 0.018 (transcribed), rounded"),
        "eu-central-1": (1.18, "db.t3.micro 0.021 vs 0.018 (transcribed), rounded"),
        "ap-southeast-1": (1.5, "db.t3.micro 0.027 vs 0.018 (transcribed)"),
        "ap-southeast-2": (1.5, "db.t3.micro 0.027 vs 0.018 (transcribed)"),
        "ap-northeast-1": (1.5, "db.t3.micro 0.027 vs 0.018 (transcribed)"),
        "ap-south-1": (1.22, "db.t3.micro 0.022 vs 0.018 (transcribed), rounded"),
    },
    "elasticache": {
        "us-east-2": (1.0, "US East (Ohio) lists the same ElastiCache prices as N. Virginia"),
        "us-west-2": (1.0, "US West (Oregon) lists the same ElastiCache prices as N. Virginia"),
        "eu-west-1": (0.165 / 0.149, "cache.m6g.large 0.165 vs 0.149 in the 2026-11-23 tables"),
        "eu-west-2": (1.17, "cache.t3.micro 0.02 vs 0.017 (transcribed), rounded"),
        "eu-central-1": (1.17, "cache.t3.micro 0.02 vs 0.017 (transcribed), rounded"),
        "ap-southeast-1": (1.47, "cache.t3.micro 0.025 vs 0.017 (transcribed)"),
        "ap-southeast-2": (1.47, "cache.t3.micro 0.025 vs 0.017 (transcribed)"),
        "ap-northeast-1": (1.47, "cache.t3.micro 0.025 vs 0.017 (transcribed)"),
        "ap-south-1": (1.29, "cache.t3.micro 0.022 vs 0.017 (transcribed), rounded"),
    },
}

# Flat figures of the three regions the 2026-11-23 tables did not have (transcribed unless noted).
NEW_REGIONS: dict[str, dict[str, Any]] = {
    "ap-southeast-1": {
        "natGateway": {"hour": 0.059, "gb": 0.059},
        "interfaceEndpoint": {"azHour": 0.013, "gb": 0.01},
        "loadBalancer": {
            "application": {"hour": 0.0252, "lcuHour": 0.008},
            "network": {"hour": 0.0252, "lcuHour": 0.006},
        },
        "fargate": {
            "X86_64": {"vcpuHour": 0.05056, "gbHour": 0.00553},
            "ARM64": {"vcpuHour": 0.04045, "gbHour": 0.00442},
        },
        "cloudwatch": {"logIngestionGb": 0.7},
        "rdsStorage": 0.138,
    },
    "ap-northeast-1": {
        "natGateway": {"hour": 0.062, "gb": 0.062},
        "interfaceEndpoint": {"azHour": 0.014, "gb": 0.01},
        "loadBalancer": {
            "application": {"hour": 0.0243, "lcuHour": 0.008},
            "network": {"hour": 0.0243, "lcuHour": 0.006},
        },
        "fargate": {
            "X86_64": {"vcpuHour": 0.05056, "gbHour": 0.00553},
            "ARM64": {"vcpuHour": 0.04045, "gbHour": 0.00442},
        },
        "cloudwatch": {"logIngestionGb": 0.76},
        "rdsStorage": 0.138,
    },
    "ap-south-1": {
        "natGateway": {"hour": 0.056, "gb": 0.056},
        "interfaceEndpoint": {"azHour": 0.011, "gb": 0.01},
        "loadBalancer": {
            "application": {"hour": 0.0239, "lcuHour": 0.008},
            "network": {"hour": 0.0239, "lcuHour": 0.006},
        },
        "fargate": {
            "X86_64": {"vcpuHour": 0.04256, "gbHour": 0.00467},
            "ARM64": {"vcpuHour": 0.03405, "gbHour": 0.00374},
        },
        "cloudwatch": {"logIngestionGb": 0.67},
        "rdsStorage": 0.131,
    },
}
NEW_REGION_READ = {("ap-southeast-1", "natGateway"): "https://basavytix.com/blog/aws-nat-gateway-pricing"}

GLOBAL = {
    "publicIpv4": {"hour": 0.005},
    "cloudwatch": {"alarmMetricMonth": 0.1, "dashboardMonth": 3.0, "metricMonth": 0.3},
    "kms": {"keyMonth": 1.0},
    "route53": {"zoneMonth": 0.5},
    "waf": {"webAclMonth": 5.0, "ruleMonth": 1.0, "millionRequests": 0.6},
    "secretsManager": {"secretMonth": 0.4},
    # webstack:backup: warm storage of RDS snapshots in a vault, and a cross-region copy's transfer.
    "backup": {"warmStorageGbMonth": 0.095, "crossRegionTransferGb": 0.02},
}
"""The same in every region (AWS's pricing pages list one price)."""

STORAGE = {
    # region: (S3 Standard first 50 TB, EFS Standard Regional), USD per GB-month
    "us-east-1": (0.023, 0.30),
    "us-east-2": (0.023, 0.30),
    "us-west-2": (0.023, 0.30),
    "eu-west-1": (0.023, 0.33),
    "eu-west-2": (0.024, 0.33),
    "eu-central-1": (0.0245, 0.36),
    "ap-southeast-1": (0.025, 0.36),
    "ap-southeast-2": (0.025, 0.36),
    "ap-northeast-1": (0.025, 0.36),
    "ap-south-1": (0.025, 0.33),
}
"""App buckets' and volumes' storage (webstack:buckets, webstack:volumes): AWS's published list prices,
transcribed (not re-fetched: no network access here)."""

SPOT_OFF = 0.7
"""Fargate Spot and EC2 Spot: on-demand less 70% ("up to 70% off" Fargate Spot, AWS's Fargate page;
EC2 Spot 'up to 90%'), where no Spot figure was read."""

SOURCES = {
    "natGateway": "https://aws.amazon.com/vpc/pricing/ (NAT gateways)",
    "publicIpv4": "https://aws.amazon.com/vpc/pricing/ (public IPv4 addresses, charged since 2024-02-01)",
    "interfaceEndpoint": "https://aws.amazon.com/privatelink/pricing/ (interface endpoints)",
    "loadBalancer": "https://aws.amazon.com/elasticloadbalancing/pricing/",
    "fargate": "https://aws.amazon.com/fargate/pricing/ (Linux, per vCPU-hour and GB-hour)",
    "fargateSpot": "https://aws.amazon.com/fargate/pricing/ (Spot: variable, set by AWS; see provenance)",
    "cloudwatch": "https://aws.amazon.com/cloudwatch/pricing/ (standard logs ingestion, standard alarms, "
    "dashboards, custom metrics first tier)",
    "kms": "https://aws.amazon.com/kms/pricing/ (customer managed key)",
    "route53": "https://aws.amazon.com/route53/pricing/ (hosted zone, first 25)",
    "waf": "https://aws.amazon.com/waf/pricing/ (web ACL, rule, requests)",
    "ec2": "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux on-demand)",
    "ec2Spot": "https://aws.amazon.com/ec2/spot/pricing/ (variable; see provenance)",
    "ebs": "https://aws.amazon.com/ebs/pricing/ (volumes per GB-month: the instances' root volumes)",
    "rds": "https://aws.amazon.com/rds/postgresql/pricing/ (single-AZ on-demand; Multi-AZ doubles "
    "instance and storage)",
    "aurora": "https://aws.amazon.com/rds/aurora/pricing/ (Aurora PostgreSQL standard, on-demand)",
    "elasticache": "https://aws.amazon.com/elasticache/pricing/ (on-demand nodes, Redis OSS; Valkey "
    "node-based is 20% lower: valkeyFactor)",
    "secretsManager": "https://aws.amazon.com/secrets-manager/pricing/ (per secret per month; API calls "
    "usage-based)",
    "s3": "https://aws.amazon.com/s3/pricing/ (S3 Standard, first 50 TB per month)",
    "efs": "https://aws.amazon.com/efs/pricing/ (EFS Standard storage, Regional, per GB-month)",
    "priceList": "AWS Price List Query API (boto3 pricing get_products): make prices",
    "backup": "https://aws.amazon.com/backup/pricing/ (warm storage of Amazon RDS snapshots per GB-month; "
    "cross-region copy data transfer per GB)",
}


class _Table:
    """One region's table being written: figures and their provenance."""

    def __init__(self, region: str, old: Mapping[str, Any]) -> None:
        self.region = region
        self.old = old
        self.data: dict[str, Any] = {}
        self.provenance: dict[str, str] = {}
        self.us_east_1: _Table = self
        self.ratios: dict[str, str] = {}

    def provenance_value(self, path: str) -> float:
        node: Any = self.data
        for part in path.split("/"):
            node = node[part]
        return float(node)

    def put(self, path: str, value: float, how: str) -> None:
        node = self.data
        *parents, leaf = path.split("/")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = round(value, 6)
        self.provenance[path] = how

    def old_value(self, path: str) -> float | None:
        node: Any = self.old
        for part in path.split("/"):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node if isinstance(node, int | float) and not isinstance(node, bool) else None

    def keep_or(self, path: str, value: float, how: str) -> None:
        """The 2026-11-23 figure where the old table had one, else ``value``."""
        old = self.old_value(path)
        if old is not None:
            self.put(path, old, f"table {OLD}: kept from the previous table (see notes)")
        else:
            self.put(path, value, how)


def _family_price(
    table: _Table, section: str, key: str, name: str, family: str, size: str, base: float, ratio: tuple
) -> None:
    """us-east-1: the family's base price x the size's factor; elsewhere: us-east-1's figure x the
    service's regional ratio (named in the table's ``ratios``)."""
    path = f"{section}/{key}/{name}"
    if table.region != "us-east-1":
        us = table.us_east_1.provenance_value(path)
        table.keep_or(path, us * ratio[0], f"derived {TODAY}: us-east-1 x {ratio[0]:.4f} (ratios/{ratio[2]})")
        return
    factor, unit = size_factor(family, size)
    table.keep_or(path, base * factor, f"derived {TODAY}: {factor:g} x {unit} {base:g} (linear in size)")


def _us_known(table: _Table, path: str, value: float, method: str, url: str) -> None:
    if method == "read":
        table.put(path, value, f"read {TODAY}: {url}")
    elif method == "table":
        table.keep_or(path, value, f"transcribed {TODAY}: AWS list price")
    else:
        table.keep_or(path, value, f"transcribed {TODAY}: AWS list price, not re-checked from this machine")


def _ratio(table: _Table, service: str) -> tuple[float, str, str]:
    value, why = RATIOS[service].get(table.region, (1.0, "us-east-1 itself"))
    table.ratios[service] = f"{value:.4f}: {why}"
    return value, why, service


def _rds(table: _Table) -> None:
    ratio = _ratio(table, "rds")
    for family, sizes in FAMILY_SIZES.items():
        for size in sizes:
            name = f"db.{family}.{size}"
            if table.region == "us-east-1" and name in RDS_KNOWN:
                value, method, url = RDS_KNOWN[name]
                _us_known(table, f"rds/instanceHour/{name}", value, method, url)
            else:
                _family_price(table, "rds", "instanceHour", name, family, size, RDS_BASE[family], ratio)
    storage = NEW_REGIONS.get(table.region, {}).get("rdsStorage", 0.115 * ratio[0])
    for kind in ("gp2", "gp3"):
        table.keep_or(
            f"rds/storageGbMonth/{kind}", storage, f"derived {TODAY}: 0.115 (us-east-1) x {ratio[0]:.4f}"
        )
    for kind in ("io1", "io2"):
        table.keep_or(
            f"rds/storageGbMonth/{kind}",
            0.125 * ratio[0],
            f"derived {TODAY}: 0.125 (us-east-1) x {ratio[0]:.4f}",
        )
    table.put("rds/multiAzFactor", 2, f"read {TODAY}: Multi-AZ bills the primary and the standby "
              "(docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html)")  # fmt: skip


def _elasticache(table: _Table) -> None:
    ratio = _ratio(table, "elasticache")
    for family, sizes in NODE_SIZES.items():
        for size in sizes:
            name = f"cache.{family}.{size}"
            if table.region == "us-east-1" and name in CACHE_KNOWN:
                _us_known(table, f"elasticache/nodeHour/{name}", CACHE_KNOWN[name], "table", "")
            else:
                _family_price(table, "elasticache", "nodeHour", name, family, size, CACHE_BASE[family], ratio)
    table.keep_or(
        "elasticache/valkeyFactor", 0.8, f"transcribed {TODAY}: Valkey node-based is 20% below Redis OSS"
    )


def _ec2(table: _Table) -> None:
    ratio = _ratio(table, "ec2")
    for family, base in EC2_BASE.items():
        sizes = EC2_SIZES["t"] if family.startswith("t") else EC2_FIXED_SIZES
        for size in sizes:
            name = f"{family}.{size}"
            if table.region == "us-east-1" and name in EC2_READ:
                table.put(f"ec2/instanceHour/{name}", base, f"read {TODAY}: {EC2_READ[name]}")
                continue
            _family_price(table, "ec2", "instanceHour", name, family, size, base, ratio)
    for kind, us in (("gp3", 0.08), ("gp2", 0.1)):
        how = f"transcribed {TODAY}: EBS {kind} per GB-month in us-east-1"
        if table.region != "us-east-1":
            how = f"derived {TODAY}: us-east-1 {us:g} x {ratio[0]:.4f} (ratios/ec2)"
        table.keep_or(f"ebs/gbMonth/{kind}", us * ratio[0], how)
    for name, price in dict(table.data["ec2"]["instanceHour"]).items():
        table.put(
            f"ec2Spot/instanceHour/{name}",
            price * (1 - SPOT_OFF),
            f"derived {TODAY}: on-demand less {SPOT_OFF:.0%} (Spot prices vary; AWS quotes up to 90% off)",
        )


def _flat(table: _Table) -> None:
    new = NEW_REGIONS.get(table.region)
    for section in ("natGateway", "interfaceEndpoint", "loadBalancer", "fargate"):
        for path, value in _leaves(new[section] if new else table.old[section], section):
            if new:
                source = NEW_REGION_READ.get((table.region, section))
                how = f"read {TODAY}: {source}" if source else f"transcribed {TODAY}: AWS list price"
                table.put(path, value, how)
            else:
                table.put(path, value, f"table {OLD}: kept from the previous table (see notes)")
    fargate = table.data["fargate"]
    for arch, rates in fargate.items():
        for unit, value in rates.items():
            table.keep_or(
                f"fargateSpot/{arch}/{unit}",
                value * (1 - SPOT_OFF),
                f"derived {TODAY}: on-demand less {SPOT_OFF:.0%} (AWS: 'up to 70% off'; Spot varies)",
            )
    logs = new["cloudwatch"]["logIngestionGb"] if new else table.old_value("cloudwatch/logIngestionGb")
    table.keep_or("cloudwatch/logIngestionGb", logs or 0.5, f"transcribed {TODAY}: AWS list price")
    for section, values in GLOBAL.items():
        for path, value in _leaves(values, section):
            table.keep_or(path, value, f"transcribed {TODAY}: one price in every region")


def _storage(table: _Table) -> None:
    s3, efs = STORAGE[table.region]
    how = f"transcribed {TODAY}: AWS list price"
    table.keep_or("s3/standardGbMonth", s3, how)
    table.keep_or("efs/standardGbMonth", efs, how)


def _aurora(table: _Table) -> None:
    ratio = _ratio(table, "rds")
    for name, us in (("db.t4g.medium", 0.073), ("db.r6g.large", 0.26)):
        how = f"derived {TODAY}: us-east-1 {us:g} x {ratio[0]:.4f} (ratios/rds)"
        table.keep_or(f"aurora/instanceHour/{name}", us * ratio[0], how)


def _leaves(node: Mapping[str, Any], prefix: str):
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}/{key}")
        else:
            yield f"{prefix}/{key}", value


def build(region: str, old: Mapping[str, Any], us_east_1: _Table | None = None) -> _Table:
    table = _Table(region, old)
    table.us_east_1 = us_east_1 or table
    _flat(table)
    _ec2(table)
    _rds(table)
    _aurora(table)
    _elasticache(table)
    _storage(table)
    return table


def document(table: _Table) -> dict[str, Any]:
    region, old = table.region, table.old
    head = {
        "region": region,
        "currency": "USD",
        "retrieved": TODAY,
        "sources": SOURCES,
        "notes": [
            f"Written {TODAY} by tools/price_tables.py on a machine without network access to AWS: each "
            "figure's provenance entry says whether it was read (on the page named), kept from the "
            f"{OLD} table, transcribed from AWS's list prices (not re-checked) or derived (the rule is "
            "given). `make prices` replaces them with the AWS Price List API's figures.",
            *[n for n in old.get("notes", []) if not n.startswith("No instance prices")],
        ],
    }
    return {
        **head,
        **table.data,
        "ratios": table.ratios,
        "provenance": dict(sorted(table.provenance.items())),
    }


def main() -> int:
    us_east_1: _Table | None = None
    for region in REGIONS:  # us-east-1 first: the other regions derive from its figures
        path = PRICES_DIR / f"{region}.json"
        old = json.loads(path.read_text()) if path.is_file() else {}
        if "provenance" in old:
            print(f"{path}: already written with provenance; refresh with make prices", file=sys.stderr)
            return 1
        table = build(region, old, us_east_1)
        us_east_1 = us_east_1 or table
        path.write_text(json.dumps(document(table), indent=2) + "\n")
        print(f"wrote {path}")
    assert DEFAULT_INSTANCE_TYPE.split(".")[0] in EC2_BASE
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
