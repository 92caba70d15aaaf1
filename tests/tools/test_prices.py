"""``make prices``: the tables refreshed from the AWS Price List API, against stubbed get_products answers
(tests/tools/fixtures/pricing-eu-west-1.json: PriceList JSON strings in the shape AWS returns)."""

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from tools import prices

RESPONSES = json.loads((Path(__file__).parent / "fixtures" / "pricing-eu-west-1.json").read_text())["pages"]
TABLE = {
    "region": "eu-west-1",
    "currency": "USD",
    "retrieved": "2026-12-06",
    "sources": {"ec2": "https://aws.amazon.com/ec2/pricing/on-demand/"},
    "notes": ["Written 2026-12-06 by tools/price_tables.py"],
    "ec2": {"instanceHour": {"m7i.large": 0.11}},
    "fargate": {"X86_64": {"vcpuHour": 0.04}},
    "kms": {"keyMonth": 1.0},
    "natGateway": {"hour": 0.05, "gb": 0.05},
    "rds": {"instanceHour": {"db.t4g.micro": 0.017}, "multiAzFactor": 2},
    "provenance": {"kms/keyMonth": "transcribed 2026-12-06: one price in every region"},
}


def stubbed_client() -> tuple[object, Stubber]:
    """A pricing client that answers each expected call (in the tool's order: the figures sorted by path)
    with the recorded pages, and fails on any other call."""
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    stubber = Stubber(client)
    for path in sorted(RESPONSES):
        query = prices.query_for(path)
        assert query is not None
        token = None
        for page in RESPONSES[path]:
            expected = {
                "ServiceCode": query.service,
                "Filters": query.filters("eu-west-1"),
                "FormatVersion": "aws_v1",
                "MaxResults": 100,
                **({"NextToken": token} if token else {}),
            }
            stubber.add_response("get_products", page, expected)
            token = page.get("NextToken")
    stubber.activate()
    return client, stubber


def test_each_figure_with_a_query_takes_the_apis_on_demand_price_and_says_so(tmp_path, capsys):
    (tmp_path / "eu-west-1.json").write_text(json.dumps(TABLE))
    client, stubber = stubbed_client()

    assert prices.main(["--date", "2026-12-07"], client=client, directory=tmp_path) == 0

    stubber.assert_no_pending_responses()
    table = json.loads((tmp_path / "eu-west-1.json").read_text())
    assert table["ec2"]["instanceHour"]["m7i.large"] == 0.1176
    assert table["fargate"]["X86_64"]["vcpuHour"] == 0.04048  # the Spot product of the page is not taken
    assert table["natGateway"] == {"hour": 0.048, "gb": 0.048}  # gb: two pages (NextToken)
    assert table["provenance"]["ec2/instanceHour/m7i.large"] == (
        "AWS Price List API 2026-12-07: AmazonEC2 capacitystatus=Used, instanceType=m7i.large, "
        "licenseModel=No License required, operatingSystem=Linux, preInstalledSw=NA, tenancy=Shared"
    )
    assert table["provenance"]["natGateway/hour"].startswith("AWS Price List API 2026-12-07: AmazonEC2")
    assert table["retrieved"] == "2026-12-07"
    assert table["notes"][0] == (
        "Refreshed 2026-12-07 by make prices: 4 figures from the AWS Price List API, 3 kept."
    )


def test_a_figure_the_api_does_not_answer_and_one_without_a_query_keep_their_value_and_provenance(
    tmp_path, capsys
):
    (tmp_path / "eu-west-1.json").write_text(json.dumps(TABLE))
    client, _ = stubbed_client()

    prices.main(["--region", "eu-west-1", "--date", "2026-12-07"], client=client, directory=tmp_path)

    table = json.loads((tmp_path / "eu-west-1.json").read_text())
    assert table["rds"]["instanceHour"]["db.t4g.micro"] == 0.017
    assert "rds/instanceHour/db.t4g.micro" not in table["provenance"]
    assert table["kms"] == {"keyMonth": 1.0} and table["rds"]["multiAzFactor"] == 2
    assert table["provenance"]["kms/keyMonth"] == TABLE["provenance"]["kms/keyMonth"]
    assert "eu-west-1 rds/instanceHour/db.t4g.micro: 0 prices from AmazonRDS" in capsys.readouterr().out


def test_every_rds_class_cache_node_instance_and_fargate_rate_of_the_shipped_tables_has_a_query():
    table = json.loads((prices.PRICES_DIR / "eu-west-1.json").read_text())
    without = [
        path
        for path, _ in prices.leaves(table)
        if path.split("/")[0] in {"ec2", "rds", "elasticache", "fargate", "fargateSpot", "ebs", "natGateway"}
        and prices.query_for(path) is None
    ]

    assert sorted(without) == ["elasticache/valkeyFactor", "rds/multiAzFactor"]  # factors, not prices


def test_an_unknown_region_is_refused_before_any_call(tmp_path, capsys):
    assert prices.main(["--region", "xx-east-9"], client=object(), directory=tmp_path) == 2
    assert "no such table: xx-east-9.json" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["fargate/X86_64/vcpuHour", "fargateSpot/X86_64/vcpuHour"])
def test_fargate_and_fargate_spot_queries_tell_the_two_products_apart(path):
    page = RESPONSES["fargate/X86_64/vcpuHour"][0]["PriceList"]
    query = prices.query_for(path)
    assert query is not None

    found = prices.on_demand_prices(
        [p for p in page if query.contains in json.loads(p)["product"]["attributes"]["usagetype"]], query
    )

    assert found == ({0.04048} if path.startswith("fargate/") else {0.01334053})
