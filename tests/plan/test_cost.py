"""The monthly estimate: figures worked out by hand from the price table, the levers, and the CLI."""

import json
import re
from functools import cache
from pathlib import Path

import pytest

from components.pure.schedules import (
    OffHours,
    runs_per_month,
    timezone_problem,
    weekly_cron_problem,
    weekly_running_hours,
)
from plan import cost, graph
from plan.__main__ import main
from plan.graph import stacks
from tests.support.fixture_stacks import FIXTURES as STACKS

COST_PAGE = Path(__file__).parents[2] / "docs" / "plan-and-cost.md"
PRICES = json.loads((cost.PRICES_DIR / "eu-west-1.json").read_text())
HOURS = 730
NAT_GB = 100
LOG_GB = 1


@cache
def fixture_graph(stack: str) -> graph.Graph:
    """The plan graph of a fixture stack in tests/stacks, captured once per test run."""
    return graph.capture(stack, root=STACKS)


@pytest.fixture(scope="module")
def prod() -> graph.Graph:
    return fixture_graph("example-prod")


@pytest.fixture(scope="module")
def dev() -> graph.Graph:
    return fixture_graph("example-dev")


@pytest.fixture(scope="module")
def cheap_dev() -> graph.Graph:
    return fixture_graph("cheap-dev")


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


STACK_KEY = PRICES["kms"]["keyMonth"]
"""Every stack has one KMS key (components/encryption.py)."""


def web_acl(rules: int) -> float:
    waf = PRICES["waf"]
    return waf["webAclMonth"] + rules * waf["ruleMonth"] + 10 * waf["millionRequests"]


def test_prod_costs_three_nats_an_alb_in_three_zones_four_on_demand_tasks_a_web_acl_and_its_key(prod):
    fargate = 2 * HOURS * (task_hour("fargate", 0.25, 0.5) + task_hour("fargate", 0.5, 1))
    insights = (8 + 2 * 11 + 4 * 8) * PRICES["cloudwatch"]["metricMonth"]  # enhanced: 4 tasks x 8
    # logs: 2 services, ECS Exec, flow logs, WAF; the web ACL has 4 rule groups; prod alarms are on:
    # 40 standard alarms (metric math counts its metrics) and one dashboard
    watch = 40 * PRICES["cloudwatch"]["alarmMetricMonth"] + PRICES["cloudwatch"]["dashboardMonth"]
    # Both services deploy blue/green (prod's default): a second copy of their 2 tasks runs 15 minutes
    # (start and test) + 10 minutes of bake, 20 deployments a month (plan/cost_assumptions.py).
    copies = 2 * (25 / 60) * 20 * (task_hour("fargate", 0.25, 0.5) + task_hour("fargate", 0.5, 1))
    by_hand = nat_and_ip(3) + alb(3) + fargate + copies + logs(5) + insights + STACK_KEY + web_acl(4) + watch

    found = estimate_of(prod)

    assert found.total == round(by_hand, 2) == 255.18
    assert found.by("kind")["Fargate (deployments)"] == round(copies, 2)
    assert found.by("kind")["NAT gateway"] == round(3 * 0.048 * HOURS + NAT_GB * 0.048, 2)
    assert found.by("kind")["WAF web ACL"] == web_acl(4) == 15.00


def test_dev_costs_one_nat_an_alb_in_two_zones_and_two_tasks_three_quarters_on_spot(dev):
    per_task = 0.25 * task_hour("fargate", 0.25, 0.5) + 0.75 * task_hour("fargateSpot", 0.25, 0.5)
    insights = (8 + 2 * 11) * PRICES["cloudwatch"]["metricMonth"]
    dashboard = PRICES["cloudwatch"]["dashboardMonth"]  # every stack has one; dev alarms are off
    by_hand = nat_and_ip(1) + alb(2) + 2 * per_task * HOURS + logs(4) + insights + STACK_KEY + dashboard

    assert estimate_of(dev).total == round(by_hand, 2)


FIXTURE_STACKS = sorted(stacks(STACKS))


@pytest.mark.parametrize("stack", FIXTURE_STACKS)
def test_every_resource_of_every_fixture_stack_is_priced_usage_based_or_free(stack):
    resources = [r for r in fixture_graph(stack)["resources"] if r["custom"] or r["type"].startswith("awsx:")]

    found = estimate_of(fixture_graph(stack))

    assert [line.how for line in found.lines if line.basis == "not priced"] == []
    listed = {(line.type, line.resource) for line in found.lines}
    unlisted = [r for r in resources if (r["type"], r["name"]) not in listed]
    assert all(cost.short_type(r["type"]) in found.no_charge for r in unlisted)
    assert sum(found.no_charge.values()) >= len(unlisted)


def test_the_data_tier_is_priced_from_class_storage_multi_az_engine_and_its_secrets():
    rds, cache_nodes = PRICES["rds"], PRICES["elasticache"]
    secret = PRICES["secretsManager"]["secretMonth"]
    by_resource = {
        stack: {(x.resource, x.kind): x.monthly for x in estimate_of(fixture_graph(stack)).priced}
        for stack in ("data-dev", "data-prod")
    }

    dev_db = 0.017 * HOURS + 20 * rds["storageGbMonth"]["gp3"]
    prod_db = 2 * (rds["instanceHour"]["db.m7g.large"] * HOURS + 50 * rds["storageGbMonth"]["gp3"])
    valkey = 2 * cache_nodes["nodeHour"]["cache.t4g.micro"] * HOURS * cache_nodes["valkeyFactor"]
    assert by_resource["data-dev"][("db-main-instance", "RDS instance")] == pytest.approx(dev_db)
    assert by_resource["data-prod"][("db-main-instance", "RDS instance")] == pytest.approx(prod_db)
    assert by_resource["data-prod"][("cache-main-valkey", "ElastiCache nodes")] == pytest.approx(valkey)
    # RDS keeps the master password in a secret of its own; the cache's auth token is ours.
    assert by_resource["data-prod"][("db-main-instance", "Secrets Manager secret")] == secret
    assert by_resource["data-prod"][("cache-main-auth-token", "Secrets Manager secret")] == secret


def test_queues_schedules_and_the_service_connect_namespace_are_usage_based():
    lines = estimate_of(fixture_graph("workers-dev")).lines

    usage = {x.type for x in lines if x.basis == "usage-based"}

    assert usage >= {
        "aws:sqs/queue:Queue",
        "aws:scheduler/schedule:Schedule",
        "aws:servicediscovery/httpNamespace:HttpNamespace",
    }


def test_a_job_costs_a_task_of_its_size_for_the_assumed_minutes_times_its_runs_a_month():
    """data-prod's report: 0.5 vCPU / 1 GB on Fargate (x86), cron(30 2 * * ? *) = once a day, i.e.
    730/24 runs in AWS's 730-hour month, each jobMinutesPerRun (default 10) minutes long; a service's
    scheduled tasks stay usage-based."""
    data = fixture_graph("data-prod")
    (line,) = [x for x in estimate_of(data).priced if x.kind == "Fargate (job)"]
    per_run = task_hour("fargate", 0.5, 1) * 10 / 60
    assert (line.resource, line.component) == ("job-report-schedule-run", "job-report")
    assert line.monthly == pytest.approx(per_run * 730 / 24)
    assert "30.4 runs a month" in line.how and "jobMinutesPerRun" in line.how
    (longer,) = [x for x in estimate_of(data, jobMinutesPerRun=45).priced if x.kind == "Fargate (job)"]
    assert longer.monthly == pytest.approx(per_run * 730 / 24 * 4.5)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(1 day)", 730 / 24),
        ("rate(15 minutes)", 730 * 4),
        ("rate(6 hours)", 730 / 6),
        ("cron(30 2 * * ? *)", 730 / 24),
        ("cron(0 3 ? * MON-FRI *)", 5 * 730 / 24 / 7),
        ("cron(0 */6 * * ? *)", 4 * 730 / 24),
        ("cron(0,30 9-17 ? * MON-FRI *)", 2 * 9 * 5 * 730 / 24 / 7),
        ("cron(0 3 1 * ? *)", 1),
        ("cron(0 3 ? * 2#1 *)", 1),
        ("cron(0 3 L * ? *)", 1),
        ("cron(0 3 1 JAN,JUL ? *)", 2 / 12),
    ],
)
def test_a_schedule_fires_its_rate_or_its_cron_combinations_in_a_730_hour_month(expression, runs):
    assert runs_per_month(expression) == pytest.approx(runs)


def test_the_static_site_distribution_and_its_log_delivery_are_usage_based():
    usage = {x.type for x in estimate_of(fixture_graph("frontdoor-prod")).lines if x.basis == "usage-based"}

    assert usage >= {"aws:cloudfront/distribution:Distribution", "aws:cloudwatch/logDelivery:LogDelivery"}


def test_off_hours_count_only_the_60_weekday_hours_a_week_of_fargate(dev, cheap_dev):
    always_on = {x.resource: x.monthly for x in estimate_of(dev).lines if x.kind == "Fargate"}
    scheduled = {x.resource: x.monthly for x in estimate_of(cheap_dev).lines if x.kind == "Fargate"}

    assert scheduled == pytest.approx({name: (value or 0) * 60 / 168 for name, value in always_on.items()})


def test_the_cheap_dev_settings_cost_at_most_40_percent_of_prod(cheap_dev, prod):
    assert estimate_of(cheap_dev).total <= 0.40 * estimate_of(prod).total


def test_the_cost_page_quotes_the_dev_and_prod_totals_the_plan_computes(cheap_dev, prod):
    text = COST_PAGE.read_text()
    quoted = dict(re.findall(r"^\| `([a-z-]+)` \| \$([\d,.]+) \|", text, re.MULTILINE))

    assert quoted == {
        stack: f"{estimate_of(fixture_graph(stack)).total:,.2f}"
        for stack in ("cheap-dev", "example-prod", "data-dev", "data-prod")
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


def test_a_region_without_a_price_table_lists_every_resource_with_a_cost_as_unpriced(monkeypatch, capsys):
    monkeypatch.setattr(cost, "load_prices", lambda region, directory=cost.PRICES_DIR: None)
    priced = estimate_of(fixture_graph("example-dev"))

    main(["example-dev", "--no-diagram"], root=STACKS)

    out = capsys.readouterr().out
    unpriced = len({(x.type, x.resource) for x in priced.priced if x.monthly})
    assert (
        f"Monthly estimate: ≥ $0.00, {unpriced} resources unpriced (stack example-dev, eu-west-1, nothing "
        "priced: no price table for eu-west-1; add plan/prices/eu-west-1.json)"
    ) in out
    assert "edge-alb (lb:LoadBalancer: no price table for eu-west-1; add plan/prices/eu-west-1.json)" in out
    assert cost.load_prices("sa-east-1") is None


@pytest.mark.parametrize("stack", ["example-prod", "data-prod", "reference-apigw-ec2"])
def test_no_missing_price_section_ever_lowers_the_total_silently(stack):
    """Remove each section of the table in turn: the total either stays the same and complete, or says
    "≥ ..., N resources unpriced" and names what is missing on the unpriced lines."""
    full = estimate_of(fixture_graph(stack))
    assert full.complete and full.total_text() == f"${full.total:,.2f}"

    for section in [key for key, value in PRICES.items() if isinstance(value, dict) and key != "sources"]:
        table = {key: value for key, value in PRICES.items() if key != section}
        partial = cost.estimate(fixture_graph(stack), table, cost.assumptions())
        if partial.total == full.total:
            continue
        assert not partial.complete, section
        assert partial.total < full.total
        assert partial.total_text().startswith(f"≥ ${partial.total:,.2f}, "), section
        assert all(f"no {section} prices in plan/prices/eu-west-1.json" in x.how for x in partial.unpriced)


def test_an_instance_size_missing_from_the_table_is_named_and_the_total_says_it_is_a_lower_bound():
    table = json.loads(json.dumps(PRICES))
    del table["rds"]["instanceHour"]["db.m7g.large"]

    found = cost.estimate(fixture_graph("data-prod"), table, cost.assumptions())

    assert [x.how for x in found.unpriced] == [
        "no price for db.m7g.large in plan/prices/eu-west-1.json; add it there"
    ]
    assert found.total_text() == f"≥ ${found.total:,.2f}, 1 resource unpriced"
    assert cost.render(found, fixture_graph("data-prod"))[0].startswith(
        f"Monthly estimate: ≥ ${found.total:,.2f}, 1 "
    )


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

    total_row = next(line for line in lines if line.split()[0] == "total").split()
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


def test_a_stack_without_nat_sets_its_own_endpoints_against_the_one_nat_gateway_of_natmode_single():
    """private-dev (natMode none) runs ecr.api, ecr.dkr, logs, secretsmanager, ssmmessages and kms in
    2 zones: the plan prices them against the NAT gateway they replace (PrivateLink pricing: per
    endpoint per zone-hour, plus per GB)."""
    private = fixture_graph("private-dev")
    found = cost.break_even(private, PRICES, cost.assumptions())
    nat, endpoint = PRICES["natGateway"], PRICES["interfaceEndpoint"]
    endpoints_fixed = 6 * 2 * endpoint["azHour"] * HOURS

    assert found is not None
    assert (found.stack_has, found.endpoints, found.zones, found.nat_gateways) == ("endpoints", 6, 2, 1)
    assert found.endpoints_monthly == round(endpoints_fixed + NAT_GB * endpoint["gb"], 2) == 97.36
    assert found.nat_monthly == round(nat["hour"] * HOURS + NAT_GB * nat["gb"], 2) == 39.84
    assert found.break_even_gb == round(
        (endpoints_fixed - nat["hour"] * HOURS) / (nat["gb"] - endpoint["gb"]), 1
    )
    sentence = cost.break_even_sentence(found, NAT_GB)
    assert sentence.startswith(
        "Interface endpoints vs NAT at 100 GB/month: endpoints $97.36 vs one NAT gateway $39.84 "
        "(this stack's 6 endpoints x 2 zones"
    )
    assert sentence in cost.render(estimate_of(private), private)


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
            resource("aws:secretsmanager/secret:Secret", "secret"),
            resource("aws:elasticache/replicationGroup:ReplicationGroup", "valkey", engine="valkey",
                     nodeType="cache.t4g.micro", numCacheClusters=1),
            resource("aws:scheduler/schedule:Schedule", "schedule"),
            resource("aws:servicediscovery/httpNamespace:HttpNamespace", "namespace"),
            resource("aws:route53/record:Record", "record"),
            resource("aws:acm/certificate:Certificate", "certificate"),
            resource("aws:sqs/redrivePolicy:RedrivePolicy", "redrive"),
            resource("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging"),
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
        "secret": 0.40,
        "valkey": round(0.018 * 0.8 * HOURS, 2),
    }
    assert {name: line.basis for name, line in lines.items() if line.monthly is None} == {
        "aurora": "not priced",
        "cdn": "usage-based",
        "api": "usage-based",
        "queue": "usage-based",
        "schedule": "usage-based",
        "namespace": "usage-based",
        "thing": "not priced",
    }
    assert {
        "route53:Record",
        "acm:Certificate",
        "sqs:RedrivePolicy",
        "wafv2:WebAclLoggingConfiguration",
    } <= set(estimate_of(synthetic).no_charge)
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
    assert weekly_cron_problem("0 20 * * MON-FRI") == (
        "it has 5 fields, not 6; use '<minute> <hour> ? * <days> *', e.g. '0 20 ? * MON-FRI *'"
    )
    assert "day-of-week 'MONDAY'" in (weekly_cron_problem("0 20 ? * MONDAY *") or "")
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


def test_ec2_capacity_prices_the_groups_instances_and_their_root_volumes_not_the_tasks_on_them():
    """reference-apigw-ec2: an Auto Scaling group of m7g.large (minSize 2, all on-demand: its mixed
    instances policy puts 100% above a base of 0 on on-demand), each with a 30 GB gp3 root volume; the
    services' tasks run on those instances and cost nothing more."""
    found = estimate_of(fixture_graph("reference-apigw-ec2"))
    lines = {(x.resource, x.kind): x for x in found.lines}

    instances = 2 * PRICES["ec2"]["instanceHour"]["m7g.large"] * HOURS
    volumes = 2 * 30 * PRICES["ebs"]["gbMonth"]["gp3"]
    assert lines[("cluster-asg", "EC2 instances (auto scaling)")].monthly == pytest.approx(instances)
    assert lines[("cluster-asg", "EBS volumes")].monthly == pytest.approx(volumes)
    for service in ("web-service", "api-service"):
        assert lines[(service, "ECS tasks on EC2")].monthly == 0
        assert (service, "Fargate") not in lines and (service, "Fargate (deployments)") not in lines
    assert "Fargate" not in found.by("kind")


def test_a_groups_spot_share_above_its_on_demand_base_is_priced_at_spot_prices():
    graph_ = json.loads(json.dumps(fixture_graph("reference-apigw-ec2")))
    group = next(r for r in graph_["resources"] if r["type"] == "aws:autoscaling/group:Group")
    group["inputs"]["minSize"] = 5
    group["inputs"]["mixedInstancesPolicy"]["instancesDistribution"].update(
        onDemandBaseCapacity=1, onDemandPercentageAboveBaseCapacity=25
    )

    lines = {x.kind: x.monthly for x in estimate_of(graph_).lines if x.resource == "cluster-asg"}

    # 5 instances: a base of 1 on-demand, then 25% of the other 4 (1) on-demand and 3 on Spot.
    ec2 = PRICES["ec2"]["instanceHour"]["m7g.large"]
    spot = PRICES["ec2Spot"]["instanceHour"]["m7g.large"]
    assert lines["EC2 instances (auto scaling)"] == pytest.approx(2 * ec2 * HOURS)
    assert lines["EC2 Spot instances (auto scaling)"] == pytest.approx(3 * spot * HOURS)
    assert lines["EBS volumes"] == pytest.approx(5 * 30 * PRICES["ebs"]["gbMonth"]["gp3"])


def test_savings_plan_discounts_on_demand_fargate_and_reserved_discounts_database_and_cache_hours(
    capsys, tmp_path
):
    """--assume savings-plan: 20% off FARGATE (not FARGATE_SPOT); --assume reserved: 30% off RDS and
    ElastiCache instance hours (not storage). Both off by default."""
    data = fixture_graph("data-prod")
    plain = {(x.resource, x.kind): x.monthly or 0.0 for x in estimate_of(data).priced}
    committed = {
        (x.resource, x.kind): x.monthly or 0.0 for x in estimate_of(data, savingsPlan=1, reserved=1).priced
    }
    rds, secret = PRICES["rds"], PRICES["secretsManager"]["secretMonth"]

    database = 2 * (0.7 * rds["instanceHour"]["db.m7g.large"] * HOURS + 50 * rds["storageGbMonth"]["gp3"])
    assert committed[("db-main-instance", "RDS instance")] == pytest.approx(database)
    assert committed[("cache-main-valkey", "ElastiCache nodes")] == pytest.approx(
        0.7 * plain[("cache-main-valkey", "ElastiCache nodes")]
    )
    assert committed[("web-service", "Fargate")] == pytest.approx(0.8 * plain[("web-service", "Fargate")])
    assert committed[("db-main-instance", "Secrets Manager secret")] == secret
    assert cost.parse_assume(["savings-plan", "reserved"]) == {"savingsPlan": "1", "reserved": "1"}

    main(
        ["data-prod", "--no-diagram", "--assume", "savings-plan", "--json", str(tmp_path / "p.json")],
        root=STACKS,
    )

    assert "with a Compute Savings Plan (20% off Fargate and EC2) of" in capsys.readouterr().out
    written = json.loads((tmp_path / "p.json").read_text())["estimate"]
    assert written["assumptions"]["savingsPlan"] == 1 and written["assumptions"]["reserved"] == 0


def test_spot_tasks_keep_spot_prices_under_a_savings_plan(dev):
    plain = next(x for x in estimate_of(dev).priced if x.resource == "web-service")
    committed = next(x for x in estimate_of(dev, savingsPlan=1).priced if x.resource == "web-service")
    spot_share = 0.75 * task_hour("fargateSpot", 0.25, 0.5) * HOURS  # one task: 3 of 4 on Spot
    on_demand = 0.25 * task_hour("fargate", 0.25, 0.5) * HOURS

    assert plain.monthly == pytest.approx(spot_share + on_demand)
    assert committed.monthly == pytest.approx(spot_share + 0.8 * on_demand)


def test_a_discount_of_100_percent_or_more_and_an_unknown_commitment_word_are_refused():
    with pytest.raises(cost.AssumptionError, match=r"reservedDiscount: got '1\.5', but it is a fraction"):
        cost.assumptions({"reservedDiscount": "1.5"})
    with pytest.raises(cost.AssumptionError, match=r"use KEY=VALUE .*, savings-plan or reserved"):
        cost.parse_assume(["savings-plans"])
    assert cost.assumptions()["savingsPlan"] == 0 and cost.assumptions()["reserved"] == 0
