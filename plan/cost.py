"""What a stack costs a month: pure functions over a plan graph and a region's price table.

Prices are data (``plan/prices/<region>.json``, each with its sources and date); usage that a graph
cannot know (GB through NAT, LCUs, log GB, requests) comes from stated, overridable assumptions.
Every resource is accounted for: priced, usage-based (no fixed monthly cost, not in the total), no
charge, or not priced (no rule for its type yet, or no price for its size in this region).

This module prices (one rule per type, in ``RULES``); the assumptions are in ``plan/cost_assumptions.py``
and the tables, JSON and comparisons in ``plan/cost_report.py``, both importable from here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from components.pure.schedules import OffHours, runs_per_month, weekly_running_hours
from plan.cost_assumptions import ASSUMPTIONS, AssumptionError, assumptions, parse_assume
from plan.cost_model import NOT_PRICED, Context, Estimate, Line, MissingPriceError, Prices, hourly, money
from plan.cost_report import (
    BreakEven,
    break_even,
    break_even_sentence,
    compare,
    differences_json,
    render,
    to_json,
)
from plan.graph import Graph
from plan.graph_index import short_type
from plan.sections.backups import backup_plan_lines
from plan.sections.deployments import traffic_steps

__all__ = [
    "ASSUMPTIONS",
    "NO_CHARGE_PREFIXES",
    "PRICES_DIR",
    "RULES",
    "USAGE_BASED",
    "AssumptionError",
    "BreakEven",
    "Estimate",
    "Line",
    "assumptions",
    "break_even",
    "break_even_sentence",
    "compare",
    "differences_json",
    "estimate",
    "load_prices",
    "no_prices_message",
    "off_hours_of",
    "parse_assume",
    "provider_split",
    "render",
    "short_type",
    "to_json",
]

PRICES_DIR = Path(__file__).parent / "prices"
HOURS_PER_WEEK = 7 * 24

USAGE_BASED = {
    "aws:s3/bucket:Bucket": "S3 storage and requests",
    "aws:s3/bucketV2:BucketV2": "S3 storage and requests",
    "aws:ecr/repository:Repository": "image storage per GB-month",
    "aws:cloudfront/distribution:Distribution": "requests and data out",
    "aws:apigatewayv2/api:Api": "requests",
    "aws:apigateway/restApi:RestApi": "requests",
    "aws:sqs/queue:Queue": "requests",
    "aws:sns/topic:Topic": "requests and deliveries",
    "aws:scheduler/schedule:Schedule": "invocations",
    "aws:lambda/function:Function": "requests and GB-seconds",
    "aws:dynamodb/table:Table": "requests and storage",
    "aws:rds/cluster:Cluster": "Aurora storage and I/O",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "registered instances and discovery API calls",
    "aws:cloudwatch/logDelivery:LogDelivery": "vended log GB delivered (e.g. CloudFront standard logs v2)",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "the custom metric it publishes, once matched",
    "command:local:Command": "a task of the service's size for the minutes each release runs",
}
"""Types with no fixed monthly cost: listed, not in the total."""

NO_CHARGE_PREFIXES = (
    "aws:ec2/vpc:",
    "aws:ec2/subnet:",
    "aws:ec2/routeTable",
    "aws:ec2/route:",
    "aws:ec2/internetGateway:",
    "aws:ec2/securityGroup:",
    "aws:ec2/defaultSecurityGroup:",
    "aws:ec2/launchTemplate:",
    "aws:ec2/flowLog:",
    "aws:vpc/",
    "aws:iam/",
    "aws:ecs/cluster:",
    "aws:ecs/clusterCapacityProviders:",
    "aws:ecs/taskDefinition:",
    "aws:lb/listener",
    "aws:lb/targetGroup:",
    "aws:appautoscaling/",
    "aws:ecr/lifecyclePolicy:",
    "aws:s3/bucket",
    "aws:kms/alias:",
    "aws:acm/",
    "aws:route53/record:",
    "aws:sqs/queuePolicy:",
    "aws:sns/topicPolicy:",
    "aws:ecs/capacityProvider:",
    "aws:iam/serviceLinkedRole:",
    "aws:kms/grant:",
    "aws:autoscaling/",
    "aws:sns/topicSubscription:",
    "aws:budgets/",
    "aws:sqs/redrivePolicy:",
    "aws:sqs/redriveAllowPolicy:",
    "aws:secretsmanager/secretVersion:",
    "aws:secretsmanager/secretRotation:",
    "aws:secretsmanager/secretPolicy:",
    "aws:scheduler/scheduleGroup:",
    # Rules on events AWS services send to the default bus, and their targets: AWS service events are
    # free to match and deliver (Amazon EventBridge pricing); SNS bills the message it sends on.
    "aws:cloudwatch/eventRule:",
    "aws:cloudwatch/eventTarget:",
    "aws:sns/topicSubscription:",
    "aws:sns/topicPolicy:",
    "aws:cloudwatch/logResourcePolicy:",
    "aws:cloudwatch/logDeliverySource:",
    "aws:cloudwatch/logDeliveryDestination:",
    "aws:wafv2/webAclAssociation:",
    "aws:wafv2/webAclLoggingConfiguration:",
    "aws:rds/subnetGroup:",
    "aws:backup/vault:",  # its recovery points are priced with the plan
    "aws:backup/vaultLockConfiguration:",
    "aws:backup/vaultPolicy:",
    "aws:backup/selection:",
    "aws:backup/restoreTesting",  # the restored instances' hours are priced with the plan
    "aws:lambda/permission:",
    "aws:efs/accessPoint:",
    "aws:efs/fileSystemPolicy:",
    "aws:efs/mountTarget:",
    "aws:rds/parameterGroup:",
    "aws:rds/clusterParameterGroup:",
    "aws:elasticache/subnetGroup:",
    "aws:elasticache/parameterGroup:",
    "aws:apigatewayv2/",
    "aws:cloudfront/",
    "awsx:",
    "docker-build:",
    "random:",  # pulumi-random: values drawn by the provider, nothing in AWS
)
"""Types AWS does not charge for by themselves (build-time resources too). Checked after the rules
and USAGE_BASED, so ``aws:apigatewayv2/api:Api`` is usage-based while its routes are free."""


def load_prices(region: str | None, directory: Path = PRICES_DIR) -> dict[str, Any] | None:
    """The price table of a region, or None when there is no file for it."""
    path = directory / f"{region}.json"
    return json.loads(path.read_text()) if region and path.is_file() else None


def no_prices_message(region: str | None) -> str:
    return f"no price table for {region}; add plan/prices/{region}.json"


# --- Rules, one per type --------------------------------------------------------------------------


def _nat(ctx: Context, nat: Mapping[str, Any]) -> list[Line]:
    price = ctx.prices["natGateway"]
    gb = ctx.assumed["natGbPerMonth"] / max(ctx.nat_count, 1)
    monthly = price["hour"] * ctx.hours + gb * price["gb"]
    how = f"{ctx.hours:g} h x {money(price['hour'])} + {gb:g} GB x {money(price['gb'])}"
    return [ctx.line(nat, "NAT gateway", monthly, how)]


def _public_ip(ctx: Context, resource: Mapping[str, Any], count: int, what: str) -> Line:
    hourly = ctx.prices["publicIpv4"]["hour"]
    how = f"{count} {what} x {ctx.hours:g} h x {money(hourly)}"
    return ctx.line(resource, "public IPv4", count * hourly * ctx.hours, how)


def _eip(ctx: Context, eip: Mapping[str, Any]) -> list[Line]:
    return [_public_ip(ctx, eip, 1, "address")]


def _load_balancer(ctx: Context, balancer: Mapping[str, Any]) -> list[Line]:
    inputs = balancer["inputs"]
    kind = inputs.get("loadBalancerType", "application")
    price = ctx.prices["loadBalancer"].get(kind)
    if price is None:
        return [ctx.missing(balancer, "load balancer", f"{kind} load balancers")]
    lcu = ctx.assumed["lcuPerLoadBalancer"]
    monthly = (price["hour"] + lcu * price["lcuHour"]) * ctx.hours
    how = f"{ctx.hours:g} h x ({money(price['hour'])} + {lcu:g} LCU x {money(price['lcuHour'])})"
    lines = [ctx.line(balancer, f"load balancer ({kind})", monthly, how)]
    if not inputs.get("internal"):
        nodes = len(inputs.get("subnets") or inputs.get("subnetMappings") or [])
        lines.append(_public_ip(ctx, balancer, nodes, "nodes (one per subnet)"))
    return lines


def _endpoint(ctx: Context, endpoint: Mapping[str, Any]) -> list[Line]:
    inputs = endpoint["inputs"]
    if inputs.get("vpcEndpointType", "Gateway") != "Interface":
        return [ctx.line(endpoint, "gateway endpoint", 0.0, "gateway endpoints are free")]
    zones = len(inputs.get("subnetIds") or [])
    price = ctx.prices["interfaceEndpoint"]
    how = f"{zones} AZ x {ctx.hours:g} h x {money(price['azHour'])} (+ {money(price['gb'])}/GB, usage)"
    return [ctx.line(endpoint, "interface endpoint", zones * price["azHour"] * ctx.hours, how)]


def provider_split(count: float, strategy: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Tasks per capacity provider, as ECS places them: each provider's base first, then the rest
    in proportion to the weights."""
    items = list(strategy) or [{"capacityProvider": "FARGATE", "base": 0, "weight": 1}]
    split = {item["capacityProvider"]: 0.0 for item in items}
    remaining = float(count)
    for item in items:
        taken = min(float(item.get("base") or 0), remaining)
        split[item["capacityProvider"]] += taken
        remaining -= taken
    weights = sum(float(item.get("weight") or 0) for item in items)
    for item in items:
        if weights:
            split[item["capacityProvider"]] += remaining * float(item.get("weight") or 0) / weights
    return split


def off_hours_of(ctx: Context, resource: Mapping[str, Any]) -> OffHours | None:
    """The stop/start pair of scheduled actions in the same component as ``resource``, if any."""
    owner = ctx.index.owner(resource)
    actions = [
        a
        for a in ctx.index.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")
        if ctx.index.owner(a) == owner
    ]
    stops = [a for a in actions if (a["inputs"].get("scalableTargetAction") or {}).get("maxCapacity") == 0]
    starts = [a for a in actions if a not in stops]
    if not stops or not starts:
        return None

    def cron(action: Mapping[str, Any]) -> str:
        return str(action["inputs"]["schedule"]).removeprefix("cron(").removesuffix(")")

    return OffHours(str(stops[0]["inputs"].get("timezone", "UTC")), cron(stops[0]), cron(starts[0]))


FARGATE_PROVIDERS = {"FARGATE": "fargate", "FARGATE_SPOT": "fargateSpot"}
"""Capacity providers whose tasks are billed per vCPU and GB (the others are Auto Scaling groups)."""


def _fargate(ctx: Context, service: Mapping[str, Any]) -> list[Line]:
    inputs = service["inputs"]
    task = ctx.by_arn.get(inputs.get("taskDefinition", ""))
    if task is None:
        return [ctx.missing(service, "Fargate", "a service without its task definition")]
    vcpu, gb = int(task["inputs"]["cpu"]) / 1024, int(task["inputs"]["memory"]) / 1024
    arch = (task["inputs"].get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    strategy = inputs.get("capacityProviderStrategies") or [
        item
        for cluster in ctx.index.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
        for item in cluster["inputs"].get("defaultCapacityProviderStrategies", [])
    ]
    tasks = float(inputs.get("desiredCount", 1))
    weekly = weekly_running_hours(off_hours_of(ctx, service))
    hours = ctx.hours * weekly / HOURS_PER_WEEK
    monthly, parts = 0.0, []
    factor, said = ctx.commitment("fargate")
    for provider, share in provider_split(tasks, strategy).items():
        if provider not in FARGATE_PROVIDERS:
            # Tasks on an Auto Scaling group's capacity provider run on its instances, priced with the group.
            parts.append(f"{share:g} on {provider} (EC2 instances, priced with their group)")
            continue
        rate = ctx.prices[FARGATE_PROVIDERS[provider]][arch]
        task_hour = vcpu * rate["vcpuHour"] + gb * rate["gbHour"]
        task_hour *= factor if provider == "FARGATE" else 1.0  # savings plans do not cover Spot
        monthly += share * task_hour * hours
        parts.append(f"{share:g} {provider} x {money(task_hour)}/h" + (said if provider == "FARGATE" else ""))
    when = f"{hours:g} h" + (f" ({weekly:g} of 168 h a week)" if weekly < HOURS_PER_WEEK else "")
    how = f"{vcpu:g} vCPU/{gb:g} GB, {tasks:g} task(s) x {when}: {' + '.join(parts)}"
    if not monthly:
        return [ctx.line(service, "ECS tasks on EC2", 0.0, how)]
    return [
        ctx.line(service, "Fargate", monthly, how),
        *_second_copy(ctx, service, monthly / hours if hours else 0.0, tasks),
    ]


def _second_copy(ctx: Context, service: Mapping[str, Any], hourly: float, tasks: float) -> list[Line]:
    """Blue/green, canary and linear run a full second copy from its start through the bake time."""
    configuration = service["inputs"].get("deploymentConfiguration") or {}
    if str(configuration.get("strategy") or "ROLLING") == "ROLLING":
        return []
    _, shift, bake = traffic_steps(configuration)
    minutes = ctx.assumed["deploymentMinutes"] + shift + bake
    count = ctx.assumed["deploymentsPerMonth"]
    how = (
        f"{tasks:g} extra task(s) x {minutes:g} min x {count:g} deployments "
        f"({configuration.get('strategy')}: start and test, shift, bake)"
    )
    return [ctx.line(service, "Fargate (deployments)", hourly * minutes / 60 * count, how)]


JOB = "webstack:components:Job"


def _schedule(ctx: Context, schedule: Mapping[str, Any]) -> list[Line]:
    """A job's schedule: each run is a Fargate task of the job's size for ``jobMinutesPerRun``; a
    service's scheduled tasks stay usage-based (invocations)."""
    owner = ctx.index.component_of(schedule)
    if owner is None or ctx.index.by_urn[owner]["type"] != JOB:
        kind = "aws:scheduler/schedule:Schedule"
        return [ctx.line(schedule, short_type(kind), None, USAGE_BASED[kind], "usage-based")]
    target = (schedule["inputs"].get("target") or {}).get("ecsParameters") or {}
    task = ctx.by_arn.get(target.get("taskDefinitionArn", ""))
    if task is None:
        return [ctx.missing(schedule, "Fargate (job)", "a job without its task definition")]
    vcpu, gb = int(task["inputs"]["cpu"]) / 1024, int(task["inputs"]["memory"]) / 1024
    arch = (task["inputs"].get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    strategy = target.get("capacityProviderStrategies") or []
    spot = any(share.get("capacityProvider") == "FARGATE_SPOT" for share in strategy)
    rate = ctx.prices["fargateSpot" if spot else "fargate"][arch]
    hourly = vcpu * rate["vcpuHour"] + gb * rate["gbHour"]
    runs = runs_per_month(str(schedule["inputs"]["scheduleExpression"]))
    minutes = ctx.assumed["jobMinutesPerRun"]
    how = (
        f"{vcpu:g} vCPU/{gb:g} GB x {minutes:g} min a run (jobMinutesPerRun) x {runs:.1f} runs a month "
        f"({schedule['inputs']['scheduleExpression']}) at {money(hourly)}/h"
    )
    return [ctx.line(schedule, "Fargate (job)", hourly * minutes / 60 * runs, how)]


def _log_group(ctx: Context, group: Mapping[str, Any]) -> list[Line]:
    gb, price = ctx.assumed["logGbPerLogGroup"], ctx.prices["cloudwatch"]["logIngestionGb"]
    return [ctx.line(group, "CloudWatch logs", gb * price, f"{gb:g} GB x {money(price)} ingestion")]


def _container_insights(ctx: Context, cluster: Mapping[str, Any]) -> list[Line]:
    level = next(
        (s["value"] for s in cluster["inputs"].get("settings", []) if s.get("name") == "containerInsights"),
        "disabled",
    )
    if level == "disabled":
        return []
    services = [
        s
        for s in ctx.index.of_type("aws:ecs/service:Service")
        if s["inputs"].get("cluster") == cluster["outputs"].get("arn")
    ]
    metrics = (
        ctx.assumed["insightsMetricsPerCluster"] + len(services) * ctx.assumed["insightsMetricsPerService"]
    )
    how = f"{metrics:g} metrics"
    if level == "enhanced":
        tasks = sum(float(s["inputs"].get("desiredCount", 1)) for s in services)
        extra = tasks * ctx.assumed["insightsEnhancedMetricsPerTask"]
        metrics += extra
        how += f" + {extra:g} task metrics (enhanced)"
    price = ctx.prices["cloudwatch"]["metricMonth"]
    return [ctx.line(cluster, f"Container Insights ({level})", metrics * price, f"{how} x {money(price)}")]


def _flat(kind: str, table_name: str, key: str) -> Callable[[Context, Mapping[str, Any]], list[Line]]:
    def rule(ctx: Context, resource: Mapping[str, Any]) -> list[Line]:
        price = ctx.prices[table_name][key]
        return [ctx.line(resource, kind, price, f"{money(price)} a month")]

    return rule


def _alarm(ctx: Context, alarm: Mapping[str, Any]) -> list[Line]:
    metrics = len(alarm["inputs"].get("metricQueries") or []) or 1
    price = ctx.prices["cloudwatch"]["alarmMetricMonth"]
    return [ctx.line(alarm, "CloudWatch alarm", metrics * price, f"{metrics} metric(s) x {money(price)}")]


def _web_acl(ctx: Context, acl: Mapping[str, Any]) -> list[Line]:
    price, rules = ctx.prices["waf"], len(acl["inputs"].get("rules") or [])
    requests = ctx.assumed["wafMillionRequests"]
    monthly = price["webAclMonth"] + rules * price["ruleMonth"] + requests * price["millionRequests"]
    how = (
        f"{money(price['webAclMonth'])} + {rules} rules x {money(price['ruleMonth'])}"
        f" + {requests:g}M requests x {money(price['millionRequests'])}"
    )
    return [ctx.line(acl, "WAF web ACL", monthly, how)]


def _ec2(ctx: Context, instance: Mapping[str, Any]) -> list[Line]:
    return [hourly(ctx, instance, "EC2 instance", "ec2", str(instance["inputs"].get("instanceType")), 1)]


def _auto_scaling_group(ctx: Context, group: Mapping[str, Any]) -> list[Line]:
    """The group's instances (ECS capacity): its desired capacity, or its minimum when ECS managed scaling
    sets it, split into on-demand and Spot as the mixed instances policy's distribution says."""
    inputs = group["inputs"]
    policy = inputs.get("mixedInstancesPolicy") or {}
    overrides = (policy.get("launchTemplate") or {}).get("overrides") or []
    template_ref = (
        inputs.get("launchTemplate")
        or (policy.get("launchTemplate") or {}).get("launchTemplateSpecification")
        or {}
    )
    template = ctx.index.by_id.get(
        template_ref.get("id") or template_ref.get("launchTemplateId") or ""
    ) or next(
        (
            t
            for t in ctx.index.of_type("aws:ec2/launchTemplate:LaunchTemplate")
            if t["name"] == template_ref.get("name")
        ),
        None,
    )
    # A mixed-instances group launches its first override type (on-demand, in order of preference).
    size = str(
        overrides[0].get("instanceType")
        if overrides
        else (template or {}).get("inputs", {}).get("instanceType")
    )
    count = float(inputs.get("desiredCapacity", inputs.get("minSize", 0)))
    on_demand, spot = _instance_split(count, policy.get("instancesDistribution") if policy else None)
    lines = []
    if on_demand or not spot:
        lines.append(hourly(ctx, group, "EC2 instances (auto scaling)", "ec2", size, on_demand))
    if spot:
        lines.append(
            hourly(ctx, group, "EC2 Spot instances (auto scaling)", "ec2Spot", size, spot, "instanceHour")
        )
    return [*lines, *_root_volumes(ctx, group, template, count)]


def _root_volumes(ctx: Context, group: Mapping[str, Any], template: Mapping[str, Any] | None, count: float):
    """Each instance's EBS volumes from the launch template's block device mappings, per GB-month."""
    mappings = ((template or {}).get("inputs") or {}).get("blockDeviceMappings") or []
    volumes = [m["ebs"] for m in mappings if (m.get("ebs") or {}).get("volumeSize")]
    if not volumes or not count:
        return []
    rates = ctx.prices["ebs"]["gbMonth"]
    lines = []
    for volume in volumes:
        kind, size = str(volume.get("volumeType") or "gp2"), float(volume["volumeSize"])
        if kind not in rates:
            lines.append(ctx.missing(group, "EBS volumes", f"EBS {kind} volumes"))
            continue
        how = f"{count:g} instance(s) x {size:g} GB {kind} x {money(rates[kind])}"
        lines.append(ctx.line(group, "EBS volumes", count * size * rates[kind], how))
    return lines


def _instance_split(count: float, distribution: Mapping[str, Any] | None) -> tuple[float, float]:
    """On-demand and Spot instances of a group of ``count``: the on-demand base first, then the on-demand
    percentage of the rest (EC2 Auto Scaling ``InstancesDistribution``; without one, all on-demand)."""
    if distribution is None:
        return count, 0.0
    base = min(float(distribution.get("onDemandBaseCapacity") or 0), count)
    share = float(distribution.get("onDemandPercentageAboveBaseCapacity", 100)) / 100
    on_demand = base + (count - base) * share
    return on_demand, count - on_demand


def _rds_instance(ctx: Context, db: Mapping[str, Any]) -> list[Line]:
    inputs, rds = db["inputs"], ctx.prices["rds"]
    copies = rds["multiAzFactor"] if inputs.get("multiAz") else 1
    # RDS keeps the master password in a Secrets Manager secret of its own: not in the graph, billed.
    secret = _secret(ctx, db, "RDS-managed master password") if inputs.get("manageMasterUserPassword") else []
    line = hourly(ctx, db, "RDS instance", "rds", str(inputs.get("instanceClass")), copies)  # storage: no RI
    storage_type = str(inputs.get("storageType", "gp2"))
    storage_gb = float(inputs.get("allocatedStorage", 0))
    if line.monthly is None or storage_type not in rds["storageGbMonth"]:
        return [
            line if line.monthly is None else ctx.missing(db, "RDS storage", f"{storage_type} storage"),
            *secret,
        ]
    storage = copies * storage_gb * rds["storageGbMonth"][storage_type]
    gb_price = money(rds["storageGbMonth"][storage_type])
    how = f"{line.how} + {copies} x {storage_gb:g} GB {storage_type} x {gb_price}"
    multi_az = " (Multi-AZ)" if copies > 1 else ""
    return [ctx.line(db, "RDS instance", line.monthly + storage, how + multi_az), *secret]


def _secret(ctx: Context, resource: Mapping[str, Any], what: str = "secret") -> list[Line]:
    price = ctx.prices["secretsManager"]["secretMonth"]
    how = f"{what}: {money(price)} a month (+ API calls, usage)"
    return [ctx.line(resource, "Secrets Manager secret", price, how)]


def _bucket(ctx: Context, bucket: Mapping[str, Any]) -> list[Line]:
    """An app bucket: the assumed GB in S3 Standard (requests stay usage-based); any other bucket
    (logs, static content) is usage-based."""
    kind = "aws:s3/bucket:Bucket"
    parent = ctx.index.by_urn.get(bucket.get("parent") or "", {})
    if short_type(parent.get("type", "")) != "AppBucket":
        return [ctx.line(bucket, short_type(kind), None, USAGE_BASED[kind], "usage-based")]
    gb, price = ctx.assumed["appBucketGb"], ctx.prices["s3"]["standardGbMonth"]
    how = f"{gb:g} GB x {money(price)} S3 Standard GB-month (+ requests, usage)"
    return [ctx.line(bucket, "S3 storage", gb * price, how)]


def _file_system(ctx: Context, file_system: Mapping[str, Any]) -> list[Line]:
    """An EFS volume: the assumed GB in EFS Standard (elastic throughput's per-GB transfer charges
    stay usage-based)."""
    gb, price = ctx.assumed["volumeGb"], ctx.prices["efs"]["standardGbMonth"]
    how = f"{gb:g} GB x {money(price)} EFS Standard GB-month (+ elastic throughput per GB, usage)"
    return [ctx.line(file_system, "EFS storage", gb * price, how)]


def _aurora_instance(ctx: Context, db: Mapping[str, Any]) -> list[Line]:
    return [hourly(ctx, db, "Aurora instance", "aurora", str(db["inputs"].get("instanceClass")), 1)]


def _replication_group(ctx: Context, group: Mapping[str, Any]) -> list[Line]:
    inputs = group["inputs"]
    nodes = inputs.get("numCacheClusters") or (
        (inputs.get("numNodeGroups") or 1) * ((inputs.get("replicasPerNodeGroup") or 0) + 1)
    )
    line = hourly(ctx, group, "ElastiCache nodes", "elasticache", str(inputs.get("nodeType")), float(nodes))
    factor = ctx.prices["elasticache"].get("valkeyFactor", 1.0)
    if inputs.get("engine") != "valkey" or line.monthly is None or factor == 1:
        return [line]
    return [ctx.line(group, line.kind, line.monthly * factor, f"{line.how} x {factor:g} (Valkey)")]


def _cache_cluster(ctx: Context, cluster: Mapping[str, Any]) -> list[Line]:
    inputs = cluster["inputs"]
    nodes = float(inputs.get("numCacheNodes") or 1)
    return [hourly(ctx, cluster, "ElastiCache nodes", "elasticache", str(inputs.get("nodeType")), nodes)]


def _priced(ctx: Context, resource: Mapping[str, Any], no_table: bool) -> list[Line]:
    """The rule's lines, or one not-priced line naming the missing table or price section."""
    try:
        return RULES[resource["type"]](ctx, resource)
    except MissingPriceError as missing:
        what = (
            no_prices_message(ctx.graph.get("region"))
            if no_table
            else f"no {missing.what} prices in {ctx.table_name}; add them there"
        )
        return [ctx.line(resource, short_type(resource["type"]), None, what, NOT_PRICED)]


RULES: dict[str, Callable[[Context, Mapping[str, Any]], list[Line]]] = {
    "aws:backup/plan:Plan": backup_plan_lines,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": _eip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _endpoint,
    "aws:ecs/service:Service": _fargate,
    "aws:ecs/cluster:Cluster": _container_insights,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _flat("CloudWatch dashboard", "cloudwatch", "dashboardMonth"),
    "aws:kms/key:Key": _flat("KMS key", "kms", "keyMonth"),
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:efs/fileSystem:FileSystem": _file_system,
    "aws:route53/zone:Zone": _flat("Route 53 zone", "route53", "zoneMonth"),
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:ec2/instance:Instance": _ec2,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:autoscaling/group:Group": _auto_scaling_group,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/clusterInstance:ClusterInstance": _aurora_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
}
"""Type token -> the rule that prices a resource of that type."""


def estimate(
    graph: Graph, prices: Mapping[str, Any] | None, assumed: Mapping[str, float] | None = None
) -> Estimate:
    """Every resource of the graph, priced, usage-based, free or not priced. ``prices`` None (a region
    without a table) prices nothing: every resource a rule prices is listed as not priced, never dropped."""
    values = dict(assumed or assumptions())
    table = Prices(prices)
    ctx = Context(graph, table, values)
    result = Estimate(str(graph.get("region")), table, values)
    for resource in ctx.index.resources:
        kind = resource["type"]
        if not resource["custom"] and not kind.startswith("awsx:"):
            continue
        if kind in RULES:
            result.lines.extend(_priced(ctx, resource, prices is None))
            if kind != "aws:ecs/cluster:Cluster":
                continue
        if kind in USAGE_BASED:
            result.lines.append(ctx.line(resource, short_type(kind), None, USAGE_BASED[kind], "usage-based"))
        elif kind.startswith(NO_CHARGE_PREFIXES):
            result.no_charge[short_type(kind)] = result.no_charge.get(short_type(kind), 0) + 1
        elif kind not in RULES:
            how = f"no price rule for {kind}; add one to plan/cost.py"
            result.lines.append(ctx.line(resource, short_type(kind), None, how, NOT_PRICED))
    return result
