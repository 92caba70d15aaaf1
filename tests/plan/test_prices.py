"""The shipped price tables price every type and size the config accepts, in every region, and say how
each figure was obtained."""

import json
import re
from functools import cache

import pytest

from components.pure import cache_nodes, db_instances
from components.pure.fargate import FARGATE_SIZES
from components.pure.instances import Architecture
from plan import cost, graph
from plan.graph import stacks
from stack.caches import CacheConfig
from stack.cluster import Ec2CapacityConfig
from stack.databases import DatabaseConfig
from tests.support.fixture_stacks import FIXTURES
from tools import price_tables

TABLES = {path.stem: json.loads(path.read_text()) for path in sorted(cost.PRICES_DIR.glob("*.json"))}
SUPPORTED = (
    "us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1",
    "ap-southeast-2", "ap-northeast-1", "ap-south-1",
)  # fmt: skip
METADATA = {"region", "currency", "retrieved", "sources", "notes", "ratios", "provenance"}
TASK_ARCHITECTURES = {Architecture.X86_64: "X86_64", Architecture.ARM64: "ARM64"}
"""The config's architectures as ECS task definitions spell them (runtimePlatform.cpuArchitecture)."""


def accepted_instance_classes() -> list[str]:
    """Every RDS class the databases schema accepts: the validator's own families and sizes, each
    checked against the schema."""
    classes = [f"db.{family}.{size}" for family, sizes in db_instances.FAMILY_SIZES.items() for size in sizes]
    for name in classes:
        DatabaseConfig.model_validate({"instanceClass": name})
    return classes


def accepted_node_types() -> list[str]:
    types = cache_nodes.node_types()
    for name in types:
        CacheConfig.model_validate({"nodeType": name})
    return types


def leaves(node, prefix=""):
    for key, value in node.items():
        if prefix == "" and key in METADATA:
            continue
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}/")
        else:
            yield f"{prefix}{key}", value


def test_a_table_ships_for_each_of_the_ten_supported_regions():
    assert set(SUPPORTED) <= set(TABLES)


@pytest.mark.parametrize("region", SUPPORTED)
def test_every_rds_class_and_storage_type_the_config_accepts_has_a_price(region):
    rds = TABLES[region]["rds"]

    missing = [name for name in accepted_instance_classes() if name not in rds["instanceHour"]]

    assert missing == []
    assert "gp3" in rds["storageGbMonth"]  # components/database.py creates gp3 volumes only
    assert rds["multiAzFactor"] == 2


@pytest.mark.parametrize("region", SUPPORTED)
def test_every_cache_node_type_the_config_accepts_has_a_price(region):
    nodes = TABLES[region]["elasticache"]["nodeHour"]

    assert [name for name in accepted_node_types() if name not in nodes] == []
    assert 0 < TABLES[region]["elasticache"]["valkeyFactor"] <= 1


@pytest.mark.parametrize("region", SUPPORTED)
def test_the_default_ec2_capacity_type_and_every_fixture_type_have_on_demand_and_spot_prices(region):
    """The instance type list is open (any AWS name): the default and the fixtures' types are priced, and
    a type missing from a table is shown unpriced (tests/plan/test_cost.py)."""
    fixture_types = {"m7g.large", "c7g.large"}  # tests/stacks/Pulumi.reference-apigw-ec2.yaml
    table = TABLES[region]

    for name in {*Ec2CapacityConfig().instance_types, *fixture_types}:
        assert table["ec2"]["instanceHour"][name] > table["ec2Spot"]["instanceHour"][name] > 0


@pytest.mark.parametrize("region", SUPPORTED)
def test_fargate_and_fargate_spot_are_priced_for_both_architectures_per_vcpu_and_gb(region):
    table = TABLES[region]

    for architecture in TASK_ARCHITECTURES.values():
        for name in ("fargate", "fargateSpot"):
            assert set(table[name][architecture]) == {"vcpuHour", "gbHour"}
        assert table["fargateSpot"][architecture]["vcpuHour"] < table["fargate"][architecture]["vcpuHour"]
    assert set(TASK_ARCHITECTURES) == set(Architecture)
    assert FARGATE_SIZES  # every size is vCPU x rate + GB x rate: priced once both rates exist


@pytest.mark.parametrize("region", SUPPORTED)
def test_every_flat_price_a_rule_reads_is_in_every_table(region):
    table = TABLES[region]
    needed = {
        "natGateway": {"hour", "gb"},
        "publicIpv4": {"hour"},
        "interfaceEndpoint": {"azHour", "gb"},
        "cloudwatch": {"logIngestionGb", "alarmMetricMonth", "dashboardMonth", "metricMonth"},
        "kms": {"keyMonth"},
        "route53": {"zoneMonth"},
        "waf": {"webAclMonth", "ruleMonth", "millionRequests"},
        "secretsManager": {"secretMonth"},
    }

    for section, keys in needed.items():
        assert keys <= set(table[section]), section
    for kind in ("application", "network"):
        assert set(table["loadBalancer"][kind]) == {"hour", "lcuHour"}


PROVENANCE = re.compile(r"^(read|table|transcribed|derived|AWS Price List API) \d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize("region", sorted(TABLES))
def test_every_figure_says_how_it_was_obtained_and_when(region):
    """A figure's provenance is its own entry or its section's (a section added later may give one line)."""
    table = TABLES[region]
    provenance = table["provenance"]

    def how(path: str) -> str | None:
        parts = path.split("/")
        return next((provenance["/".join(parts[:n])] for n in range(len(parts), 0, -1)
                     if "/".join(parts[:n]) in provenance), None)  # fmt: skip

    unexplained = [path for path, _ in leaves(table) if not PROVENANCE.match(how(path) or "")]
    assert unexplained == []
    derived_by_ratio = [p for p in provenance.values() if "(ratios/" in p]
    assert all(p.split("(ratios/")[1].rstrip(")") in table["ratios"] for p in derived_by_ratio)


def test_every_us_east_1_figure_the_tool_read_transcribed_or_derived_is_what_its_rules_give():
    """tools/price_tables.py is the record of how the figures were made: rebuilding us-east-1 without the
    2026-11-23 table gives every figure not kept from that table, exactly."""
    committed = TABLES["us-east-1"]
    figures = dict(leaves(committed))
    kept: dict = {}  # the figures kept from the 2026-11-23 table, as that table held them
    for path, how in committed["provenance"].items():
        if how.startswith("table "):
            *parents, leaf = path.split("/")
            node = kept
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = figures[path]

    rebuilt = dict(leaves(price_tables.document(price_tables.build("us-east-1", kept))))

    made_here = [p for p, how in committed["provenance"].items() if not how.startswith("table ")]
    assert len(made_here) > 300
    assert [p for p in figures if rebuilt.get(p) != figures[p]] == []


@cache
def fixture(stack: str, folder: str = "") -> graph.Graph:
    return graph.capture(stack, root=FIXTURES / folder if folder else FIXTURES)


STACKS = [(name, "") for name in stacks(FIXTURES)] + [(name, "shipped") for name in ("dev", "prod")]


@pytest.mark.parametrize(("stack", "folder"), STACKS, ids=[f"{f or 'fixture'}-{s}" for s, f in STACKS])
def test_every_fixture_and_shipped_stack_is_fully_priced_in_every_supported_region(stack, folder):
    """The issue's eu-central-1 prod priced its database and cache at nothing, silently: with each
    region's table, every resource with a fixed cost of every fixture stack (and the pinned copies of the
    shipped stacks) is priced."""
    captured = fixture(stack, folder)

    for region in SUPPORTED:
        found = cost.estimate(captured, TABLES[region], cost.assumptions())
        assert [x.how for x in found.unpriced] == [], region
        assert found.total_text() == f"${found.total:,.2f}"
