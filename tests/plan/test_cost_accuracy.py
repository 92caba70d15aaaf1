"""Cost accuracy: for the shipped stacks and two fixtures, a total worked out by hand from the price table
(every line below, with its arithmetic) equals the plan's total within a cent.

The shipped ``Pulumi.dev.yaml`` and ``Pulumi.prod.yaml`` are the user's to edit, so the test plans pinned
copies of them (``tests/stacks/shipped/``, as shipped on 2026-12-06); the fixtures are ``data-prod``
(RDS Multi-AZ, Valkey, WAF) and ``reference-apigw-ec2`` (ECS on EC2 capacity behind API Gateway). Every
price is read from the table of the stack's region, so the arithmetic holds whatever the region; the
usage assumptions are the defaults (730 h, 100 GB through NAT, 1 LCU, 1 GB per log group, 10M WAF
requests, 20 deployments of 15 minutes plus the 10-minute bake).
"""

from functools import cache

import pytest

from plan import cost, graph
from tests.support.fixture_stacks import FIXTURES

H = 730  # hours a month
NAT_GB = 100  # through all NAT gateways together
DEPLOY_HOURS = 20 * (15 + 10) / 60  # 20 blue/green deployments, 15 min start and test + 10 min bake


@cache
def planned(stack: str, root: str) -> tuple[graph.Graph, dict]:
    captured = graph.capture(stack, root=FIXTURES / root if root else FIXTURES)
    prices = cost.load_prices(captured["region"])
    assert prices is not None, f"no table for {captured['region']}"
    return captured, prices


def task_hour(p: dict, vcpu: float, gb: float, table: str = "fargate") -> float:
    """One x86 task for an hour: vCPU x the vCPU-hour price + GB x the GB-hour price."""
    return vcpu * p[table]["X86_64"]["vcpuHour"] + gb * p[table]["X86_64"]["gbHour"]


def shared(p: dict, nats: int, alb_public_nodes: int, log_groups: int, alarm_metrics: int, keys: int) -> dict:
    """Lines most stacks have: NAT gateways (each with its Elastic IP), the ALB (with a public IPv4
    address per public node), log groups, alarms, the dashboard and KMS keys."""
    return {
        "NAT gateways: N x 730 h x hour + 100 GB x per-GB": nats * H * p["natGateway"]["hour"]
        + (NAT_GB * p["natGateway"]["gb"] if nats else 0),
        "public IPv4: (N NAT EIPs + ALB public nodes) x 730 h x hour": (nats + alb_public_nodes)
        * H
        * p["publicIpv4"]["hour"],
        "ALB: 730 h x (hour + 1 LCU x LCU-hour)": H
        * (p["loadBalancer"]["application"]["hour"] + p["loadBalancer"]["application"]["lcuHour"]),
        "log groups: N x 1 GB x ingestion": log_groups * p["cloudwatch"]["logIngestionGb"],
        "alarms: N metrics x alarm-metric-month": alarm_metrics * p["cloudwatch"]["alarmMetricMonth"],
        "dashboard": p["cloudwatch"]["dashboardMonth"],
        "KMS keys: N x key-month": keys * p["kms"]["keyMonth"],
    }


def shipped_dev(p: dict) -> dict:
    """dev: 1 NAT, ALB in 2 zones, web/api/worker 1 task each of 0.25 vCPU/0.5 GB with spot_preferred
    (3 of 4 on FARGATE_SPOT), Container Insights enabled, db.t4g.micro single-AZ with 20 GB gp3."""
    rds = p["rds"]
    return {
        **shared(p, nats=1, alb_public_nodes=2, log_groups=7, alarm_metrics=0, keys=2),
        # api, web, worker, cluster exec, VPC flow logs, db postgresql and upgrade logs: 7 groups
        "Fargate: 3 services x 1 task x 730 h x (0.25 on-demand + 0.75 Spot) x task-hour": 3
        * H
        * (0.25 * task_hour(p, 0.25, 0.5) + 0.75 * task_hour(p, 0.25, 0.5, "fargateSpot")),
        "Container Insights: (8 + 3 services x 11) metrics x metric-month": (8 + 3 * 11)
        * p["cloudwatch"]["metricMonth"],
        "RDS: db.t4g.micro x 730 h + 20 GB gp3": rds["instanceHour"]["db.t4g.micro"] * H
        + 20 * rds["storageGbMonth"]["gp3"],
        "RDS-managed master password secret": p["secretsManager"]["secretMonth"],
    }


def shipped_prod(p: dict) -> dict:
    """prod: 3 NATs, ALB in 3 zones, web and worker 2 x 0.25 vCPU/0.5 GB, api 2 x 0.5 vCPU/1 GB, all
    on FARGATE; web and api blue/green; Container Insights enhanced; Multi-AZ db.t4g.medium with 20 GB;
    two Valkey cache.t4g.micro nodes; the web ACL with 4 rules (rate limit + 3 managed groups)."""
    rds, cache_nodes, waf = p["rds"], p["elasticache"], p["waf"]
    api, small = task_hour(p, 0.5, 1), task_hour(p, 0.25, 0.5)
    return {
        # alarms: web and api 11 metrics each (5xx rate 3, tasks below desired 3, 5 single), worker 6,
        # 2 cache nodes x 3, db 4, edge 3 (5xx, rejected connections, TLS errors), 3 NATs x (4 + 1)
        # keys: the stack key, the cache's, the CDN's own (the static content bucket's) and the backup
        # vault's; + the restore-test function's log group (backups are on in prod)
        **shared(p, nats=3, alb_public_nodes=3, log_groups=9, alarm_metrics=22 + 6 + 6 + 4 + 3 + 15, keys=5),
        "Fargate: api 2 x 730 h x task-hour(0.5 vCPU, 1 GB)": 2 * H * api,
        "Fargate: web and worker 2 x 2 x 730 h x task-hour(0.25 vCPU, 0.5 GB)": 4 * H * small,
        "blue/green copies: 2 tasks x deployment hours, api and web": 2 * DEPLOY_HOURS * (api + small),
        "Container Insights: (8 + 3 x 11 + 6 tasks x 8) metrics x metric-month": (8 + 3 * 11 + 6 * 8)
        * p["cloudwatch"]["metricMonth"],
        "RDS Multi-AZ: 2 x (db.t4g.medium x 730 h + 20 GB gp3)": 2
        * (rds["instanceHour"]["db.t4g.medium"] * H + 20 * rds["storageGbMonth"]["gp3"]),
        "Valkey: 2 x cache.t4g.micro x 730 h x Valkey factor": 2
        * cache_nodes["nodeHour"]["cache.t4g.micro"]
        * H
        * cache_nodes["valkeyFactor"],
        "secrets: RDS master password + cache auth token": 2 * p["secretsManager"]["secretMonth"],
        "WAF: web ACL + 4 rules + 10M requests": waf["webAclMonth"]
        + 4 * waf["ruleMonth"]
        + 10 * waf["millionRequests"],
        **backups(p, gb=20, instance_class="db.t4g.medium", copied=False),
    }


def backups(p: dict, gb: float, instance_class: str, copied: bool) -> dict:
    """webstack:backup (on in prod): the database's allocated storage as warm recovery points, the same
    again in the copy vault plus one full transfer a month when a copy target is set, and the restored
    instance's hours of the weekly 4-hour restore test (730 / 168 runs a month)."""
    warm, transfer = p["backup"]["warmStorageGbMonth"], p["backup"]["crossRegionTransferGb"]
    return {
        "backup storage: GB x warm GB-month": gb * warm,
        "backup copy: GB x (warm + transfer)": gb * (warm + transfer) if copied else 0.0,
        "restore tests: 4 h x 730 / 168 x instance-hour": 4
        * H
        / 168
        * p["rds"]["instanceHour"][instance_class],
    }


def data_prod(p: dict) -> dict:
    """data-prod: as prod with web and api 2 x 0.25 vCPU/0.5 GB (both blue/green), Multi-AZ db.m7g.large
    with 50 GB gp3 and its RDSOSMetrics log group, two Valkey nodes, the web ACL, the app bucket uploads
    and the nightly job ``report`` (0.5 vCPU/1 GB, cron(30 2 * * ? *): one run a day, 730 / 24 runs a
    month, 10 minutes each)."""
    rds, cache_nodes, waf = p["rds"], p["elasticache"], p["waf"]
    small = task_hour(p, 0.25, 0.5)
    return {
        # 10 log groups: api, web, exec, flow, waf, db postgresql, upgrade, RDSOSMetrics, job report, restore
        # check; 4 keys: the stack's, the database's, the cache's and the backup vault's
        **shared(p, nats=3, alb_public_nodes=3, log_groups=10, alarm_metrics=22 + 6 + 4 + 3 + 15, keys=4),
        "app bucket uploads: 10 GB (appBucketGb) x S3 Standard GB-month": 10 * p["s3"]["standardGbMonth"],
        "job report: 730 / 24 runs x 10 / 60 h x task-hour(0.5, 1)": H / 24 * 10 / 60 * task_hour(p, 0.5, 1),
        "Fargate: 2 services x 2 tasks x 730 h x task-hour(0.25, 0.5)": 4 * H * small,
        "blue/green copies: 2 services x 2 tasks x deployment hours": 4 * DEPLOY_HOURS * small,
        "Container Insights: (8 + 2 x 11 + 4 tasks x 8) metrics": (8 + 2 * 11 + 4 * 8)
        * p["cloudwatch"]["metricMonth"],
        "RDS Multi-AZ: 2 x (db.m7g.large x 730 h + 50 GB gp3)": 2
        * (rds["instanceHour"]["db.m7g.large"] * H + 50 * rds["storageGbMonth"]["gp3"]),
        "Valkey: 2 x cache.t4g.micro x 730 h x Valkey factor": 2
        * cache_nodes["nodeHour"]["cache.t4g.micro"]
        * H
        * cache_nodes["valkeyFactor"],
        "secrets: RDS master password + cache auth token": 2 * p["secretsManager"]["secretMonth"],
        "WAF: web ACL + 4 rules + 10M requests": waf["webAclMonth"]
        + 4 * waf["ruleMonth"]
        + 10 * waf["millionRequests"],
        **backups(p, gb=50, instance_class="db.m7g.large", copied=True),
        "backup of the app bucket: 10 GB (appBucketGb) x warm GB-month x 2 (it and its copy)": 10
        * p["backup"]["warmStorageGbMonth"]
        * 2,
    }


def reference_ec2(p: dict) -> dict:
    """reference-apigw-ec2: 3 NATs, an internal ALB (no public addresses) behind API Gateway (usage),
    2 m7g.large instances (minSize 2, all on-demand) with 30 GB gp3 root volumes carrying web's and api's
    tasks (nothing more for the tasks), Container Insights enhanced over 4 tasks."""
    return {
        # 5 log groups: api, web, exec, flow, API Gateway access logs; alarms: 2 x 11 + edge 2 + NAT 15
        **shared(p, nats=3, alb_public_nodes=0, log_groups=5, alarm_metrics=22 + 2 + 15, keys=1),
        "EC2: 2 x m7g.large x 730 h": 2 * p["ec2"]["instanceHour"]["m7g.large"] * H,
        "EBS: 2 x 30 GB gp3": 2 * 30 * p["ebs"]["gbMonth"]["gp3"],
        "Container Insights: (8 + 2 x 11 + 4 tasks x 8) metrics": (8 + 2 * 11 + 4 * 8)
        * p["cloudwatch"]["metricMonth"],
    }


CASES = {
    "shipped dev": ("dev", "shipped", shipped_dev),
    "shipped prod": ("prod", "shipped", shipped_prod),
    "data-prod": ("data-prod", "", data_prod),
    "reference-apigw-ec2": ("reference-apigw-ec2", "", reference_ec2),
}


@pytest.mark.parametrize("case", CASES)
def test_the_hand_worked_total_equals_the_plans_total_within_a_cent(case):
    stack, root, by_hand = CASES[case]
    captured, prices = planned(stack, root)

    found = cost.estimate(captured, prices, cost.assumptions())

    assert found.complete, [x.how for x in found.unpriced]
    assert sum(by_hand(prices).values()) == pytest.approx(found.total, abs=0.01)


def test_the_hand_worked_totals_are_the_ones_the_cost_page_quotes():
    """The page's table of example totals (docs/plan-and-cost.md) is these hand-worked figures."""
    page = (FIXTURES.parents[1] / "docs" / "plan-and-cost.md").read_text()
    for case in ("shipped dev", "shipped prod", "reference-apigw-ec2"):
        stack, root, by_hand = CASES[case]
        total = sum(by_hand(planned(stack, root)[1]).values())
        assert f"${total:,.2f}" in page, case
