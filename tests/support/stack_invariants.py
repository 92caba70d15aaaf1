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

from components.frontdoor.apigateway import CUSTOM_DOMAIN_TLS
from components.frontdoor.edge import HTTP_PORT, HTTPS_PORT, TLS_POLICY
from components.pure.guardrails import check_resource, policy_statements
from plan import graph, report
from plan.engine import Run, run_stack, stack_config
from stack.edge import EdgeKind
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

    @property
    def edge_kind(self) -> EdgeKind:
        """``webstack:edge.kind``: what the internet reaches first (alb unless the file says otherwise)."""
        return EdgeKind((self.config.get("webstack:edge") or {}).get("kind", EdgeKind.ALB))


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
    """The exposure verdict: from 0.0.0.0/0 only the stack's entry point: the load balancer on
    HTTP/HTTPS (edge.kind alb), or the API Gateway HTTP API on HTTPS (edge.kind apigateway, whose load
    balancer is internal: API Gateway HTTP APIs serve HTTPS only)."""
    if stack.edge_kind is EdgeKind.APIGATEWAY:
        entry = {api: {f"tcp/{HTTPS_PORT}"} for api in report.http_apis(stack.graph)}
    else:
        entry = {"edge": {f"tcp/{HTTP_PORT}", f"tcp/{HTTPS_PORT}"}}
    allowed = "; ".join(f"{name} on {', '.join(sorted(ports))}" for name, ports in sorted(entry.items()))
    return [
        f"{stack.file}: the internet reaches {destination} on {', '.join(ports)}; with edge.kind "
        f"{stack.edge_kind.value} only {allowed} may be reachable ({report.verdict(stack.graph)})"
        for (source, destination), ports in report.exposure_matrix(stack.graph).items()
        if source == report.INTERNET and not set(ports) <= entry.get(destination, set())
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
    """aws:defaultTags.tags carries Environment = webstack:environment, ManagedBy = pulumi and a
    Project of the user's choosing (any non-empty name: it is theirs, not webstack's)."""
    tags = ((stack.config.get("aws:defaultTags") or {}).get("tags")) or {}
    expected = {"Environment": stack.environment, "ManagedBy": "pulumi"}
    problems = [
        f"{stack.file}: aws:defaultTags.tags.{key} is {tags.get(key)!r}; set it to {value!r}"
        for key, value in expected.items()
        if tags.get(key) != value
    ]
    if not str(tags.get("Project") or "").strip():
        problems.append(
            f"{stack.file}: aws:defaultTags.tags.Project is {tags.get('Project')!r}; "
            "set it to your project's name"
        )
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
    """In prod: a NAT per zone, a protected and logged load balancer, HTTPS at the entry point
    (:func:`_prod_entry_point_problems`), no ECS Exec, at least two tasks per service, a year of flow
    logs and 90+ days of service logs."""
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
    problems += _prod_entry_point_problems(stack)
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


def _prod_entry_point_problems(stack: Synthesized) -> list[str]:
    """What the internet reaches in prod speaks HTTPS only: an internet-facing load balancer has an
    HTTPS listener with TLS 1.3 and its HTTP listener only redirects (edge.kind alb); an API Gateway
    HTTP API serves HTTPS only by design, its custom domain with TLS 1.2, and its stage keeps access
    logs (edge.kind apigateway, whose load balancer is internal and serves HTTP to the VPC link only)."""
    run, file, problems = stack.run, stack.file, []
    internal = {
        b.state.get("arn")
        for b in run.of_type("aws:lb/loadBalancer:LoadBalancer")
        if b.inputs.get("internal")
    }
    facing = [
        listener
        for listener in run.of_type("aws:lb/listener:Listener")
        if listener.inputs.get("loadBalancerArn") not in internal
    ]
    for listener in facing:
        inputs = listener.inputs
        if inputs["protocol"] == "HTTPS" and inputs.get("sslPolicy") != TLS_POLICY:
            problems.append(f"{file}: {listener.name} uses {inputs.get('sslPolicy')}, not {TLS_POLICY}")
        if inputs["protocol"] == "HTTP" and [a["type"] for a in inputs["defaultActions"]] != ["redirect"]:
            problems.append(
                f"{file}: {listener.name} serves plain HTTP in prod (webstack:edge.certificateArn)"
            )
    if stack.edge_kind is EdgeKind.ALB and not any(
        listener.inputs["protocol"] == "HTTPS" for listener in facing
    ):
        problems.append(f"{file}: prod has no HTTPS listener (webstack:edge.certificateArn)")
    if stack.edge_kind is EdgeKind.APIGATEWAY:
        for domain in run.of_type("aws:apigatewayv2/domainName:DomainName"):
            policy = domain.inputs["domainNameConfiguration"].get("securityPolicy")
            if policy != CUSTOM_DOMAIN_TLS:
                problems.append(f"{file}: {domain.name} uses {policy}, not {CUSTOM_DOMAIN_TLS}")
        for api_stage in run.of_type("aws:apigatewayv2/stage:Stage"):
            if not (api_stage.inputs.get("accessLogSettings") or {}).get("destinationArn"):
                problems.append(f"{file}: {api_stage.name} writes no access logs")
    return problems


def only_declared_callers_reach_a_service_and_workers_admit_nothing(stack: Synthesized) -> list[str]:
    """Inside the VPC a service admits only the edge and the services that list it in ``calls``, on its
    port; a worker (no port) admits nothing."""
    services = stack.config.get("webstack:services") or {}
    problems = []
    for (source, destination), ports in report.exposure_matrix(stack.graph).items():
        if destination not in services or source == "edge":
            continue
        port = services[destination].get("port")
        if port is None:
            problems.append(f"{stack.file}: worker {destination} admits {source} on {', '.join(ports)}")
        elif source not in services or destination not in services[source].get("calls", []):
            problems.append(
                f"{stack.file}: {source} reaches {destination}, but webstack:services.{source}.calls "
                f"does not list {destination}"
            )
        elif ports != [f"tcp/{port}"]:
            problems.append(f"{stack.file}: {source} reaches {destination} on {ports}, not tcp/{port}")
    return problems


def only_a_queues_consumer_and_senders_hold_permissions_on_it(stack: Synthesized) -> list[str]:
    """Only webstack:queues.<name>.senders may send to a queue and only its consumer may consume."""
    queues = stack.config.get("webstack:queues") or {}
    problems = []
    for flow in report.flows(stack.graph):
        if flow.label == "sends" and flow.source not in queues[flow.destination].get("senders", []):
            problems.append(f"{stack.file}: {flow.source} may send to {flow.destination} undeclared")
        elif flow.label == "consumes" and flow.destination != queues[flow.source]["consumer"]:
            problems.append(f"{stack.file}: {flow.destination} may consume {flow.source} undeclared")
    return problems


def each_data_store_is_reachable_only_from_the_services_that_declare_it(stack: Synthesized) -> list[str]:
    """A database or cache admits exactly the services and jobs (``job-<name>``) that name it, opens no
    connection, and lives in isolated subnets (no default route) that exist only when the stack has a
    data store."""
    matrix = report.exposure_matrix(stack.graph)
    declared = {
        f"{prefix}-{name}": {*store["services"], *(f"job-{job}" for job in store.get("jobs", []))}
        for key, prefix in (("databases", "db"), ("caches", "cache"))
        for name, store in (stack.graph["outputs"].get(key) or {}).items()
    }
    problems = []
    for store, services in declared.items():
        sources = {source for (source, destination) in matrix if destination == store}
        if sources != services:
            problems.append(
                f"{stack.file}: {store} is reachable from {sorted(sources)}, not {sorted(services)}"
            )
        if [destination for (source, destination) in matrix if source == store]:
            problems.append(f"{stack.file}: {store} opens connections")
    isolated = [row for row in report.subnet_rows(stack.graph) if row["tier"] == "isolated"]
    if bool(isolated) != bool(declared):
        problems.append(f"{stack.file}: isolated subnets {len(isolated)}, data stores {sorted(declared)}")
    problems += [
        f"{stack.file}: isolated subnet in {row.get('zone')} has a default route"
        for row in isolated
        if row["default route"] != "none"
    ]
    return problems


INVARIANTS: tuple[Callable[[Synthesized], list[str]], ...] = (
    guardrails_hold,
    only_the_edge_is_reachable_from_the_internet,
    the_network_is_private_and_complete,
    the_exports_describe_the_network,
    tags_match_the_environment,
    the_program_runs_in_the_pinned_account,
    prod_keeps_its_promises,
    only_declared_callers_reach_a_service_and_workers_admit_nothing,
    only_a_queues_consumer_and_senders_hold_permissions_on_it,
    each_data_store_is_reachable_only_from_the_services_that_declare_it,
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
