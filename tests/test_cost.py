"""The monthly estimate: figures worked out by hand from the price table, the levers, and the CLI."""

import json
import re
from pathlib import Path

import pytest

from components.schedule import OffHours, cron_problem, timezone_problem, weekly_running_hours
from plan import cost, graph
from plan.__main__ import main

STACKS = Path(__file__).parent / "stacks"
README = Path(__file__).parents[1] / "README.md"
PRICES = json.loads((cost.PRICES_DIR / "eu-west-1.json").read_text())
HOURS = 730
NAT_GB = 100
LOG_GB = 1


@pytest.fixture(scope="module")
def prod() -> graph.Graph:
    return graph.capture("example-prod", root=STACKS)


@pytest.fixture(scope="module")
def dev() -> graph.Graph:
    return graph.capture("example-dev", root=STACKS)


@pytest.fixture(scope="module")
def cheap_dev() -> graph.Graph:
    return graph.capture("cheap-dev", root=STACKS)


def estimate_of(stack: graph.Graph, **overrides: float) -> cost.Estimate:
    return cost.estimate(stack, PRICES, cost.assumptions(overrides))


def task_hour(table: str, vcpu: float, gb: float) -> float:
    rate = PRICES[table]["X86_64"]
    return vcpu * rate["vcpuHour"] + gb * rate["gbHour"]


def nat_and_ip(nat_count: int) -> float:
    nat = PRICES["natGateway"]
    return (
        nat_count * nat["hour"] * HOURS
        + NAT_GB * nat["gb"]
        + nat_count * PRICES["publicIpv4"]["hour"] * HOURS
    )


def alb(zones: int) -> float:
    price = PRICES["loadBalancer"]["application"]
    return (price["hour"] + 1 * price["lcuHour"]) * HOURS + zones * PRICES["publicIpv4"]["hour"] * HOURS


def logs(groups: int) -> float:
    return groups * LOG_GB * PRICES["cloudwatch"]["logIngestionGb"]


def test_prod_costs_three_nats_an_alb_in_three_zones_and_four_on_demand_tasks(prod):
    fargate = 2 * HOURS * (task_hour("fargate", 0.25, 0.5) + task_hour("fargate", 0.5, 1))
    insights = (8 + 2 * 11 + 4 * 8) * PRICES["cloudwatch"]["metricMonth"]  # enhanced: 4 tasks x 8
    by_hand = nat_and_ip(3) + alb(3) + fargate + logs(4) + insights

    found = estimate_of(prod)

    assert found.total == round(by_hand, 2) == 231.00
    assert found.by("kind")["NAT gateway"] == round(3 * 0.048 * HOURS + NAT_GB * 0.048, 2)


def test_dev_costs_one_nat_an_alb_in_two_zones_and_two_tasks_three_quarters_on_spot(dev):
    per_task = 0.25 * task_hour("fargate", 0.25, 0.5) + 0.75 * task_hour("fargateSpot", 0.25, 0.5)
    insights = (8 + 2 * 11) * PRICES["cloudwatch"]["metricMonth"]
    by_hand = nat_and_ip(1) + alb(2) + 2 * per_task * HOURS + logs(4) + insights

    assert estimate_of(dev).total == round(by_hand, 2)


def test_off_hours_count_only_the_60_weekday_hours_a_week_of_fargate(dev, cheap_dev):
    always_on = {x.resource: x.monthly for x in estimate_of(dev).lines if x.kind == "Fargate"}
    scheduled = {x.resource: x.monthly for x in estimate_of(cheap_dev).lines if x.kind == "Fargate"}

    assert scheduled == pytest.approx({name: (value or 0) * 60 / 168 for name, value in always_on.items()})


def test_the_cheap_dev_settings_cost_at_most_40_percent_of_prod(cheap_dev, prod):
    assert estimate_of(cheap_dev).total <= 0.40 * estimate_of(prod).total


def test_the_readme_quotes_the_dev_and_prod_totals_the_plan_computes(cheap_dev, prod):
    text = README.read_text()
    quoted = dict(re.findall(r"^\| `(cheap-dev|example-prod)` \| \$([\d,.]+) \|", text, re.MULTILINE))

    assert quoted == {
        "cheap-dev": f"{estimate_of(cheap_dev).total:,.2f}",
        "example-prod": f"{estimate_of(prod).total:,.2f}",
    }


@pytest.mark.parametrize(
    ("count", "strategy", "split"),
    [
        (1, [("FARGATE", 0, 1), ("FARGATE_SPOT", 0, 3)], {"FARGATE": 0.25, "FARGATE_SPOT": 0.75}),
        (4, [("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 1)], {"FARGATE": 3, "FARGATE_SPOT": 1}),
        (1, [("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 1)], {"FARGATE": 1, "FARGATE_SPOT": 0}),
        (2, [], {"FARGATE": 2}),
    ],
)
def test_tasks_fill_each_providers_base_first_then_split_by_weight(count, strategy, split):
    items = [{"capacityProvider": p, "base": b, "weight": w} for p, b, w in strategy]
    assert cost.provider_split(count, items) == split


def test_a_region_without_a_price_table_says_which_file_to_add(monkeypatch, capsys):
    monkeypatch.setattr(cost, "load_prices", lambda region, directory=cost.PRICES_DIR: None)

    main(["example-dev", "--no-diagram"], root=STACKS)

    assert "no price table for eu-west-1; add plan/prices/eu-west-1.json" in capsys.readouterr().out
    assert cost.load_prices("sa-east-1") is None


def test_an_assumed_500_gb_through_nat_adds_400_gb_at_the_per_gb_price(dev):
    base, more = estimate_of(dev), estimate_of(dev, natGbPerMonth=500)

    assert more.total - base.total == pytest.approx(400 * PRICES["natGateway"]["gb"], abs=0.01)


def test_assumptions_come_from_a_file_then_the_command_line_and_unknown_keys_fail(tmp_path, capsys):
    assumptions_file = tmp_path / "assume.yaml"
    assumptions_file.write_text("natGbPerMonth: 300\nlogGbPerLogGroup: 2\n")

    main(
        [
            "example-dev",
            "--no-diagram",
            "--assumptions",
            str(assumptions_file),
            "--assume",
            "natGbPerMonth=50",
        ],
        root=STACKS,
    )
    out = capsys.readouterr().out
    assert "natGbPerMonth=50:" in out and "logGbPerLogGroup=2:" in out

    with pytest.raises(SystemExit):
        main(["example-dev", "--no-diagram", "--assume", "natGb=5"], root=STACKS)
    assert "unknown assumption 'natGb'" in capsys.readouterr().err


def test_compare_shows_each_component_and_the_total_difference(cheap_dev, prod):
    first, second = estimate_of(prod), estimate_of(cheap_dev)

    lines = cost.compare(first, second, ("example-prod", "cheap-dev"))

    total_row = lines[-1].split()
    assert total_row == [
        "total",
        f"{first.total:,.2f}",
        f"{second.total:,.2f}",
        f"{second.total - first.total:+,.2f}",
    ]
    assert any(line.split()[0] == "webstack" for line in lines[3:])


def test_endpoints_in_three_zones_beat_three_nats_only_above_403_gb(prod):
    found = cost.break_even(prod, PRICES, cost.assumptions())
    nat, endpoint = PRICES["natGateway"], PRICES["interfaceEndpoint"]
    endpoints_fixed = 5 * 3 * endpoint["azHour"] * HOURS

    assert found is not None
    assert found.break_even_gb == round(
        (endpoints_fixed - 3 * nat["hour"] * HOURS) / (nat["gb"] - endpoint["gb"]), 1
    )
    assert found.break_even_gb == 403.4
    assert found.endpoints_monthly == round(endpoints_fixed + NAT_GB * endpoint["gb"], 2)


def test_the_json_carries_the_estimate_next_to_the_graph(tmp_path, prod):
    out = tmp_path / "prod.json"
    main(["example-prod", "--no-diagram", "--json", str(out)], root=STACKS)

    written = json.loads(out.read_text())

    assert written["format"] == graph.FORMAT
    assert written["estimate"]["total"] == estimate_of(prod).total
    assert written["estimate"]["natVersusEndpoints"]["breakEvenGbPerMonth"] == 403.4


def resource(type_token: str, name: str, **inputs) -> dict:
    return {"urn": f"urn:{name}", "type": type_token, "name": name, "parent": None, "custom": True,
            "inputs": inputs, "outputs": {"id": f"{name}-id"}}  # fmt: skip


def test_the_types_others_are_adding_are_priced_from_their_inputs():
    synthetic = {
        "stack": "synthetic",
        "region": "eu-west-1",
        "outputs": {},
        "resources": [
            resource("aws:rds/instance:Instance", "db", instanceClass="db.t4g.micro", multiAz=True,
                     allocatedStorage=20, storageType="gp3"),
            resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache", nodeType="cache.t4g.micro",
                     numCacheClusters=2),
            resource("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", vpcEndpointType="Interface",
                     subnetIds=["a", "b"]),
            resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm"),
            resource("aws:cloudwatch/dashboard:Dashboard", "board"),
            resource("aws:kms/key:Key", "key"),
            resource("aws:wafv2/webAcl:WebAcl", "acl", rules=[{}, {}]),
            resource("aws:route53/zone:Zone", "zone"),
            resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", instanceType="t4g.small"),
            resource("aws:autoscaling/group:Group", "asg", desiredCapacity=2, launchTemplate={"id": "lt-id"}),
            resource("aws:rds/clusterInstance:ClusterInstance", "aurora", instanceClass="db.x9.huge"),
            resource("aws:cloudfront/distribution:Distribution", "cdn"),
            resource("aws:apigatewayv2/api:Api", "api"),
            resource("aws:sqs/queue:Queue", "queue"),
            resource("aws:made/up:Thing", "thing"),
        ],
    }  # fmt: skip

    lines = {line.resource: line for line in estimate_of(synthetic).lines}
    monthly = {name: round(line.monthly, 2) for name, line in lines.items() if line.monthly is not None}

    assert monthly == {
        "db": round(2 * 0.017 * HOURS + 2 * 20 * 0.127, 2),
        "cache": round(2 * 0.018 * HOURS, 2),
        "ecr": round(2 * 0.011 * HOURS, 2),
        "alarm": 0.10,
        "board": 3.00,
        "key": 1.00,
        "acl": 5 + 2 * 1 + 10 * 0.6,
        "zone": 0.50,
        "asg": round(2 * 0.0184 * HOURS, 2),
    }
    assert {name: line.basis for name, line in lines.items() if line.monthly is None} == {
        "aurora": "not priced",
        "cdn": "usage-based",
        "api": "usage-based",
        "queue": "usage-based",
        "thing": "not priced",
    }
    assert "db.x9.huge" in lines["aurora"].how


def test_every_price_table_names_its_region_date_sources_and_every_table_the_rules_read():
    files = sorted(cost.PRICES_DIR.glob("*.json"))
    assert {f.stem for f in files} >= {
        "eu-west-1", "us-east-1", "us-east-2", "us-west-2", "eu-central-1", "eu-west-2", "ap-southeast-2"
    }  # fmt: skip
    for path in files:
        table = json.loads(path.read_text())
        assert table["region"] == path.stem and re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["retrieved"])
        assert table["sources"]["natGateway"].startswith("https://aws.amazon.com/")
        for key in ("natGateway", "loadBalancer", "fargate", "fargateSpot", "publicIpv4", "cloudwatch"):
            assert table[key], f"{path.name} has no {key}"


def test_a_weekday_7_to_19_schedule_runs_60_hours_and_a_friday_stop_runs_through_the_week():
    assert weekly_running_hours(OffHours("Europe/Dublin", "0 19 ? * MON-FRI *", "0 7 ? * MON-FRI *")) == 60
    assert weekly_running_hours(OffHours("UTC", "0 20 ? * FRI *", "0 7 ? * MON-FRI *")) == 4 * 24 + 13
    assert weekly_running_hours(None) == 168


def test_unsupported_cron_and_unknown_time_zones_are_explained():
    assert cron_problem("0 20 * * MON-FRI") == (
        "it has 5 fields, not 6; use '<minute> <hour> ? * <days> *', e.g. '0 20 ? * MON-FRI *'"
    )
    assert "day-of-week 'MONDAY'" in (cron_problem("0 20 ? * MONDAY *") or "")
    assert timezone_problem("Europe/Dubln") is not None and timezone_problem("Europe/Dublin") is None


def test_off_hours_scale_each_dev_service_to_zero_at_19_and_back_to_its_range_at_7_dublin_time(
    cheap_dev, dev
):
    actions = {
        r["name"]: (r["inputs"]["schedule"], r["inputs"]["timezone"], r["inputs"]["scalableTargetAction"])
        for r in cheap_dev["resources"]
        if r["type"] == "aws:appautoscaling/scheduledAction:ScheduledAction"
    }
    stop, start = {"minCapacity": 0, "maxCapacity": 0}, {"minCapacity": 1, "maxCapacity": 2}

    assert actions == {
        f"{service}-scale-{role}": (f"cron(0 {hour} ? * MON-FRI *)", "Europe/Dublin", target)
        for service in ("web", "api")
        for role, hour, target in (("stop", 19, stop), ("start", 7, start))
    }
    assert not [r for r in dev["resources"] if "scheduledAction" in r["type"]]
