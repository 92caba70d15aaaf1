"""``make prices`` (``python -m tools.prices [--region R ...]``): refresh the committed price tables from
the AWS Price List Query API.

Needs AWS credentials (any principal allowed ``pricing:GetProducts``) and internet access; the plan never
does: it reads the committed ``plan/prices/<region>.json``. For each figure of a table that has a query
below (instances, nodes, classes, Fargate, NAT, load balancers, endpoints, EBS, RDS storage, log
ingestion), the tool asks ``get_products`` (boto3 ``pricing`` client; its endpoints are us-east-1 and
ap-south-1) for the region's on-demand product, and writes the price with the provenance
``AWS Price List API <date>: <service> <filters>``. Figures without a query (one price everywhere: KMS,
Route 53, WAF, Secrets Manager, alarms; derived ones: Spot, the Valkey factor, Multi-AZ) keep their
value and provenance, and so does a figure the API answers with no product or with several prices (the
tool prints it). The JSON format stays the same.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRICES_DIR = Path(__file__).parents[1] / "plan" / "prices"
PRICING_REGION = "us-east-1"
"""The Price List Query API answers in us-east-1 and ap-south-1 (it prices every region from there)."""


@dataclass(frozen=True)
class Query:
    """One ``get_products`` call: the service, exact-match attributes, and substrings the product's
    ``usagetype`` must (``contains``) and must not (``rejects``) hold."""

    service: str
    match: Mapping[str, str]
    contains: str = ""
    rejects: tuple[str, ...] = ()

    def filters(self, region: str) -> list[dict[str, str]]:
        found = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
        found += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(self.match.items())]
        if self.contains:
            found.append({"Type": "CONTAINS", "Field": "usagetype", "Value": self.contains})
        return found

    def describe(self) -> str:
        terms = [f"{k}={v}" for k, v in sorted(self.match.items())]
        terms += [f"usagetype~{self.contains}"] if self.contains else []
        return f"{self.service} {', '.join(terms)}"


EC2_LINUX = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}
RDS_POSTGRES = {"databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ"}
RDS_STORAGE_USAGE = {
    "gp2": "GP2-Storage",
    "gp3": "GP3-Storage",
    "io1": "PIOPS-Storage",
    "io2": "PIOPS-Storage-IO2",
}
FARGATE_USAGE = {
    ("fargate", "X86_64", "vcpuHour"): "Fargate-vCPU-Hours:perCPU",
    ("fargate", "X86_64", "gbHour"): "Fargate-GB-Hours",
    ("fargate", "ARM64", "vcpuHour"): "Fargate-ARM-vCPU-Hours:perCPU",
    ("fargate", "ARM64", "gbHour"): "Fargate-ARM-GB-Hours",
    ("fargateSpot", "X86_64", "vcpuHour"): "SpotUsage-Fargate-vCPU-Hours:perCPU",
    ("fargateSpot", "X86_64", "gbHour"): "SpotUsage-Fargate-GB-Hours",
    ("fargateSpot", "ARM64", "vcpuHour"): "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU",
    ("fargateSpot", "ARM64", "gbHour"): "SpotUsage-Fargate-ARM-GB-Hours",
}
FLAT: dict[str, Query] = {
    "natGateway/hour": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Hours"),
    "natGateway/gb": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Bytes"),
    "interfaceEndpoint/azHour": Query("AmazonVPC", {"productFamily": "VpcEndpoint"}, "VpcEndpoint-Hours"),
    "interfaceEndpoint/gb": Query("AmazonVPC", {"productFamily": "VpcEndpoint"}, "VpcEndpoint-Bytes"),
    "loadBalancer/application/hour": Query(
        "AWSELB", {"productFamily": "Load Balancer-Application"}, "LoadBalancerUsage"
    ),
    "loadBalancer/application/lcuHour": Query(
        "AWSELB", {"productFamily": "Load Balancer-Application"}, "LCUUsage"
    ),
    "loadBalancer/network/hour": Query(
        "AWSELB", {"productFamily": "Load Balancer-Network"}, "LoadBalancerUsage"
    ),
    "loadBalancer/network/lcuHour": Query("AWSELB", {"productFamily": "Load Balancer-Network"}, "LCUUsage"),
    "cloudwatch/logIngestionGb": Query("AmazonCloudWatch", {}, "DataProcessing-Bytes", ("Vended", "IA-")),
    "publicIpv4/hour": Query("AmazonVPC", {}, "PublicIPv4:InUseAddress"),
}


def query_for(path: str) -> Query | None:
    """The Price List query of a table figure (``section/key/...``), or None when it has none."""
    parts = path.split("/")
    if path in FLAT:
        return FLAT[path]
    if parts[:2] == ["ec2", "instanceHour"]:
        return Query("AmazonEC2", {**EC2_LINUX, "instanceType": parts[2]})
    if parts[:2] == ["rds", "instanceHour"]:
        return Query("AmazonRDS", {**RDS_POSTGRES, "instanceType": parts[2]})
    if parts[:2] == ["rds", "storageGbMonth"] and parts[2] in RDS_STORAGE_USAGE:
        return Query(
            "AmazonRDS", {**RDS_POSTGRES, "productFamily": "Database Storage"}, RDS_STORAGE_USAGE[parts[2]]
        )
    if parts[:2] == ["elasticache", "nodeHour"]:
        return Query("AmazonElastiCache", {"instanceType": parts[2], "cacheEngine": "Redis"})
    if parts[:2] == ["ebs", "gbMonth"]:
        return Query("AmazonEC2", {"productFamily": "Storage", "volumeApiName": parts[2]})
    if tuple(parts) in FARGATE_USAGE:
        rejects = () if parts[0] == "fargateSpot" else ("Spot",)
        return Query("AmazonECS", {}, FARGATE_USAGE[tuple(parts)], rejects)  # type: ignore[index]
    return None


METADATA = {"region", "currency", "retrieved", "sources", "notes", "ratios", "provenance"}


def leaves(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    for key, value in node.items():
        if not prefix and key in METADATA:
            continue
        if isinstance(value, Mapping):
            yield from leaves(value, f"{prefix}{key}/")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield f"{prefix}{key}", float(value)


def on_demand_prices(price_list: list[str], query: Query) -> set[float]:
    """The USD on-demand prices (first tier) of the products a ``get_products`` page returned."""
    found = set()
    for item in price_list:
        product = json.loads(item)
        usage = product["product"]["attributes"].get("usagetype", "")
        if any(word in usage for word in query.rejects):
            continue
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term["priceDimensions"].values():
                if dimension.get("beginRange", "0") == "0":
                    found.add(float(dimension["pricePerUnit"]["USD"]))
    return found


def ask(client: Any, query: Query, region: str) -> set[float]:
    prices: set[float] = set()
    token = None
    while True:
        arguments: dict[str, Any] = {
            "ServiceCode": query.service,
            "Filters": query.filters(region),
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        if token:
            arguments["NextToken"] = token
        page = client.get_products(**arguments)
        prices |= on_demand_prices(page["PriceList"], query)
        token = page.get("NextToken")
        if not token:
            return prices


def refresh(
    table: dict[str, Any], client: Any, date: str, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """The table with every figure that has a query replaced by the API's price (same format)."""
    region = table["region"]
    provenance = dict(table.get("provenance", {}))
    updated = json.loads(json.dumps(table))
    refreshed = kept = 0
    for path, _ in sorted(leaves(table)):
        query = query_for(path)
        if query is None:
            kept += 1
            continue
        prices = ask(client, query, region)
        if len(prices) != 1:
            say(f"{region} {path}: {len(prices)} prices from {query.describe()}; kept the table's figure")
            kept += 1
            continue
        node = updated
        *parents, leaf = path.split("/")
        for part in parents:
            node = node[part]
        node[leaf] = prices.pop()
        provenance[path] = f"AWS Price List API {date}: {query.describe()}"
        refreshed += 1
    updated["retrieved"] = date
    updated["provenance"] = dict(sorted(provenance.items()))
    note = f"Refreshed {date} by make prices: {refreshed} figures from the AWS Price List API, {kept} kept."
    updated["notes"] = [note, *[n for n in table.get("notes", []) if not n.startswith("Refreshed ")]]
    say(f"{region}: {note}")
    return updated


def main(argv: list[str] | None = None, client: Any = None, directory: Path = PRICES_DIR) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.prices", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--region", action="append", help="only this region's table (repeatable)")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="date to record")
    args = parser.parse_args(argv)
    paths = sorted(directory.glob("*.json"))
    if args.region:
        paths = [directory / f"{region}.json" for region in args.region]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            print(f"no such table: {', '.join(missing)} in {directory}", file=sys.stderr)
            return 2
    if client is None:
        import boto3  # only here: the plan and the tests never need it

        client = boto3.client("pricing", region_name=PRICING_REGION)
    for path in paths:
        table = refresh(json.loads(path.read_text()), client, args.date)
        path.write_text(json.dumps(table, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
