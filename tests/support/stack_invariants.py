"""What must hold for EVERY valid stack a user writes, whatever its accounts, region, zones or services.

Each check takes one synthesized stack and returns its problems as sentences that name the stack file
and the key to look at, so a user who breaks an invariant reads what to change, and a user who only
adapts the example (accounts, region, zones, NAT mode, services, HTTPS, scaling) gets no problem.
tests/stack/test_stacks.py runs these over the user's own ``Pulumi.*.yaml``; tests/stack/test_adapting.py over
edited copies of the example stacks. Exact values belong to fixture-stack tests, never here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.frontdoor.edge import HTTP_PORT, HTTPS_PORT, TLS_POLICY
from components.pure.guardrails import check_resource, policy_statements
from plan import graph, report
from plan.engine import Run, run_stack, stack_config
from stack.schema import PROD_MIN_LOG_RETENTION_DAYS, PROD_MIN_TASKS

PROD_FLOW_LOG_RETENTION_DAYS = 365
"""components/network.py: prod keeps VPC flow logs at least a year."""


@dataclass(frozen=True)
class Synthesized:
    """One stack file run through the real program under the offline engine."""

    file: str
    """``Pulumi.<stack>.yaml``: every problem starts with it."""
    config: Mapping[str, Any]
    """The stack's config, values decoded from the CLI's JSON strings."""
    run: Run
    graph: graph.Graph

    @property
    def environment(self) -> str:
        return str(self.config["webstack:environment"])

    @property
    def has_certificate(self) -> bool:
        return bool((self.config.get("webstack:edge") or {}).get("certificateArn"))


def synthesize(stack: str, root: Path) -> Synthesized:
    """Run ``root/Pulumi.<stack>.yaml``; a ConfigError propagates (it names the key already)."""
    raw = stack_config(stack, root)
    run = run_stack(stack, root=root)
    config = {key: _decoded(value) for key, value in raw.items()}
    return Synthesized(f"Pulumi.{stack}.yaml", config, run, graph.graph_from_run(run, stack, raw))


def _decoded(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def guardrails_hold(stack: Synthesized) -> list[str]:
    """Every rule of components/pure/guardrails.py, except dev's declared plain-HTTP listener."""
    problems = []
    for resource in stack.run.resources:
        for violation in check_resource(resource.type, resource.inputs, resource.urn):
            declared_http = (
                violation.rule == "http-listeners-only-redirect"
                and stack.environment == "dev"
                and not stack.has_certificate
            )
            if not declared_http:
                problems.append(
                    f"{stack.file}: {resource.name} breaks guardrail {violation.rule}: {violation.message}"
                )
    return problems


def only_the_edge_is_reachable_from_the_internet(stack: Synthesized) -> list[str]:
    """The exposure verdict: from 0.0.0.0/0 only the edge, and only on HTTP/HTTPS."""
    web = {f"tcp/{HTTP_PORT}", f"tcp/{HTTPS_PORT}"}
    return [
        f"{stack.file}: the internet reaches {destination} on {', '.join(ports)}; only the edge on "
        f"tcp/{HTTP_PORT} and tcp/{HTTPS_PORT} may be reachable ({report.verdict(stack.graph)})"
        for (source, destination), ports in report.exposure_matrix(stack.graph).items()
        if source == report.INTERNET and (destination != "edge" or not set(ports) <= web)
    ]


def the_network_is_private_and_complete(stack: Synthesized) -> list[str]:
    """Two subnets per zone (three with a data store: the isolated tier), none assigning public IPs,
    each associated; default SG closed; flow logs."""
    run, problems = stack.run, []
    zones = run.outputs["availabilityZones"]
    subnets = run.of_type("aws:ec2/subnet:Subnet")
    tiers = 3 if run.outputs.get("databases") or run.outputs.get("caches") else 2
    if len(subnets) != tiers * len(zones):
        problems.append(
            f"{stack.file}: {len(subnets)} subnets for zones {zones}; want a public and a private each"
            + (" and an isolated one (the stack has a data store)" if tiers == 3 else "")
        )
    problems += [
        f"{stack.file}: subnet {s.name} gives instances public IPs (mapPublicIpOnLaunch)"
        for s in subnets
        if s.inputs["mapPublicIpOnLaunch"]
    ]
    associated = {
        a.inputs["subnetId"] for a in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    problems += [
        f"{stack.file}: subnet {s.name} has no route table" for s in subnets if s.id not in associated
    ]
    for group in run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        if group.inputs["ingress"] or group.inputs["egress"]:
            problems.append(f"{stack.file}: the VPC's default security group allows traffic")
    if len(run.of_type("aws:ec2/flowLog:FlowLog")) != 1:
        problems.append(f"{stack.file}: the VPC needs exactly one flow log")
    problems += [
        f"{stack.file}: {r.name} has no parent component"
        for r in run.resources
        if r.custom and r.parent is None
    ]
    return problems


def the_exports_describe_the_network(stack: Synthesized) -> list[str]:
    """vpcId, subnet ids per zone and the CIDR plan match what was created."""
    run, outputs, problems = stack.run, stack.run.outputs, []
    if outputs["environment"] != stack.environment:
        problems.append(
            f"{stack.file}: exports environment {outputs['environment']!r}, not webstack:environment"
        )
    if outputs["vpcId"] != run.named("webstack-vpc").id:
        problems.append(f"{stack.file}: vpcId is not the stack's VPC")
    for tier in ("public", "private"):
        subnets = [s for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == tier]
        by_zone = {s.inputs["availabilityZone"]: s.id for s in subnets}
        if outputs[f"{tier}SubnetIds"] != [by_zone.get(zone) for zone in outputs["availabilityZones"]]:
            problems.append(f"{stack.file}: {tier}SubnetIds are not the {tier} subnets zone by zone")
        for subnet in subnets:
            planned = outputs["cidrPlan"][tier][subnet.inputs["availabilityZone"]]
            if planned != subnet.inputs["cidrBlock"]:
                problems.append(f"{stack.file}: cidrPlan says {planned} for {subnet.name}")
    return problems


def tags_match_the_environment(stack: Synthesized) -> list[str]:
    """aws:defaultTags.tags carries Environment = webstack:environment, Project and ManagedBy."""
    tags = ((stack.config.get("aws:defaultTags") or {}).get("tags")) or {}
    expected = {"Environment": stack.environment, "Project": "webstack", "ManagedBy": "pulumi"}
    problems = [
        f"{stack.file}: aws:defaultTags.tags.{key} is {tags.get(key)!r}; set it to {value!r}"
        for key, value in expected.items()
        if tags.get(key) != value
    ]
    if "aws:assumeRole" in stack.config:
        problems.append(f"{stack.file}: aws:assumeRole is gone in pulumi-aws 7; use the aws:assumeRoles list")
    return problems


def the_program_runs_in_the_pinned_account(stack: Synthesized) -> list[str]:
    """Trust policies scope to the one account in aws:allowedAccountIds (confused-deputy guard)."""
    pinned = [str(account) for account in stack.config.get("aws:allowedAccountIds") or []]
    trust = stack.run.named("webstack-flow-logs-role").inputs["assumeRolePolicy"]
    (statement,) = policy_statements(trust)
    seen = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
    if len(pinned) != 1 or seen != pinned:
        return [f"{stack.file}: aws:allowedAccountIds is {pinned}, but roles trust {seen}; pin one account"]
    return []


def prod_keeps_its_promises(stack: Synthesized) -> list[str]:
    """In prod: a NAT per zone, HTTPS with TLS 1.3 and redirecting HTTP, protected and logged ALB,
    no ECS Exec, at least two tasks per service, a year of flow logs and 90+ days of service logs."""
    if stack.environment != "prod":
        return []
    run, file, problems = stack.run, stack.file, []
    zones = run.outputs["availabilityZones"]
    nat_zones = sorted(
        run.by_id(n.inputs["subnetId"]).inputs["availabilityZone"]
        for n in run.of_type("aws:ec2/natGateway:NatGateway")
    )
    if nat_zones != sorted(zones):
        problems.append(
            f"{file}: prod needs a NAT in each zone {zones}, has {nat_zones} (webstack:network.natMode)"
        )
    for listener in run.of_type("aws:lb/listener:Listener"):
        inputs = listener.inputs
        if inputs["protocol"] == "HTTPS" and inputs.get("sslPolicy") != TLS_POLICY:
            problems.append(f"{file}: {listener.name} uses {inputs.get('sslPolicy')}, not {TLS_POLICY}")
        if inputs["protocol"] == "HTTP" and [a["type"] for a in inputs["defaultActions"]] != ["redirect"]:
            problems.append(
                f"{file}: {listener.name} serves plain HTTP in prod (webstack:edge.certificateArn)"
            )
    if not any(
        listener.inputs["protocol"] == "HTTPS" for listener in run.of_type("aws:lb/listener:Listener")
    ):
        problems.append(f"{file}: prod has no HTTPS listener (webstack:edge.certificateArn)")
    for balancer in run.of_type("aws:lb/loadBalancer:LoadBalancer"):
        if balancer.inputs.get("enableDeletionProtection") is not True:
            problems.append(
                f"{file}: {balancer.name} is not protected from deletion (webstack:edge.deletionProtection)"
            )
        if not (balancer.inputs.get("accessLogs") or {}).get("enabled"):
            problems.append(f"{file}: {balancer.name} writes no access logs (webstack:edge.accessLogs)")
    for service in run.of_type("aws:ecs/service:Service"):
        if service.inputs.get("enableExecuteCommand"):
            problems.append(f"{file}: {service.name} allows ECS Exec in prod (webstack:cluster.execEnabled)")
    for target in run.of_type("aws:appautoscaling/target:Target"):
        if target.inputs["minCapacity"] < PROD_MIN_TASKS:
            problems.append(f"{file}: {target.name} may scale below {PROD_MIN_TASKS} tasks (minCount)")
    for group in run.of_type("aws:cloudwatch/logGroup:LogGroup"):
        floor = (
            PROD_FLOW_LOG_RETENTION_DAYS
            if group.name == "webstack-flow-logs"
            else PROD_MIN_LOG_RETENTION_DAYS
        )
        if group.inputs.get("retentionInDays", 0) < floor:
            problems.append(
                f"{file}: {group.name} keeps logs {group.inputs.get('retentionInDays')} days; prod: {floor}+"
            )
    return problems


INVARIANTS: tuple[Callable[[Synthesized], list[str]], ...] = (
    guardrails_hold,
    only_the_edge_is_reachable_from_the_internet,
    the_network_is_private_and_complete,
    the_exports_describe_the_network,
    tags_match_the_environment,
    the_program_runs_in_the_pinned_account,
    prod_keeps_its_promises,
)


def shared_accounts(stacks: Mapping[str, Synthesized]) -> list[str]:
    """Each account may be pinned by one stack only (dev and prod live in separate accounts)."""
    owners: dict[str, str] = {}
    problems = []
    for stack in sorted(stacks.values(), key=lambda s: s.file):
        for account in stack.config.get("aws:allowedAccountIds") or []:
            if str(account) in owners:
                problems.append(
                    f"{stack.file} and {owners[str(account)]} both pin account {account} in "
                    "aws:allowedAccountIds; give each stack its own account"
                )
            owners.setdefault(str(account), stack.file)
    return problems


def every_problem(stacks: Mapping[str, Synthesized]) -> list[str]:
    """All invariants over several stacks at once (what tests/stack/test_adapting.py asserts empty)."""
    return [
        problem for stack in stacks.values() for check in INVARIANTS for problem in check(stack)
    ] + shared_accounts(stacks)
