"""How each service rolls out a new version: its strategy, its target groups and rules, the traffic
steps (ECS deployment_configuration and load_balancers[].advanced_configuration), and the minutes a
traffic-shifting deployment runs a second full copy (what the cost estimate charges)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plan.graph import Graph
from plan.graph_index import Index
from plan.text import table

ECS_SERVICE = "aws:ecs/service:Service"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


@dataclass(frozen=True)
class Rollout:
    """One service's deployment as the graph declares it."""

    service: str
    strategy: str
    target_groups: tuple[str, ...]
    """The primary group, then the alternate one (traffic-shifting strategies)."""
    rules: tuple[str, ...]
    """``listener: rule`` of the production rule, then the test rule."""
    steps: str
    shift_minutes: float
    """Minutes from the first traffic moved to the last (canary bake, linear steps), bake excluded."""
    bake_minutes: float
    pre_traffic_check: str = ""
    """The lifecycle hook's stage, request and expected answer; empty without one."""


def _minutes(value: Any) -> float:
    return float(value) if value not in (None, "") else 0.0


def traffic_steps(configuration: Mapping[str, Any]) -> tuple[str, float, float]:
    """The steps in words, the shifting minutes and the bake minutes of a deployment configuration."""
    strategy = str(configuration.get("strategy") or "ROLLING")
    bake = _minutes(configuration.get("bakeTimeInMinutes"))
    if strategy == "ROLLING":
        return "new tasks replace old ones in place (100-200 %), no test listener", 0.0, 0.0
    tail = f"bake {bake:g} min (alarms roll back), then the old copy stops"
    if strategy == "CANARY":
        canary = configuration.get("canaryConfiguration") or {}
        percent, wait = (
            float(canary.get("canaryPercent", 10)),
            _minutes(canary.get("canaryBakeTimeInMinutes")),
        )
        return f"test rule -> {percent:g} % for {wait:g} min -> 100 % -> {tail}", wait, bake
    if strategy == "LINEAR":
        linear = configuration.get("linearConfiguration") or {}
        step, wait = float(linear.get("stepPercent", 20)), _minutes(linear.get("stepBakeTimeInMinutes"))
        count = math.ceil(100 / step)
        return (
            f"test rule -> +{step:g} % every {wait:g} min ({count} steps) -> {tail}",
            wait * (count - 1),
            bake,
        )
    return f"test rule -> 100 % at once -> {tail}", 0.0, bake


def pre_traffic_check(configuration: Mapping[str, Any], by_arn: Mapping[Any, Any]) -> str:
    """Each lifecycle hook in words: its stage, and for a pre-traffic check function
    (components/service/pre_traffic.py) the request it makes and the answer it needs."""
    described = []
    for hook in configuration.get("lifecycleHooks") or []:
        stages = "+".join(hook.get("lifecycleStages") or [])
        function = by_arn.get(hook.get("hookTargetArn")) or {}
        variables = ((function.get("inputs") or {}).get("environment") or {}).get("variables") or {}
        if "CHECK_PATH" not in variables:
            described.append(f"{stages}: {function.get('name', hook.get('hookTargetArn'))}")
            continue
        host = f" (Host {variables['CHECK_HOST_HEADER']})" if variables.get("CHECK_HOST_HEADER") else ""
        described.append(
            f"{stages}: GET {variables['CHECK_PATH']} on the test listener "
            f"{variables['CHECK_SCHEME'].upper()}:{variables['CHECK_PORT']}{host} must answer "
            f"{variables['EXPECT_STATUS']} within {variables['TIMEOUT_SECONDS']} s, else ECS rolls back"
        )
    return "; ".join(described)


def rollouts(graph: Graph) -> list[Rollout]:
    """Every ECS service's rollout, by service name."""
    index = Index(graph)
    by_arn = {r["outputs"].get("arn"): r for r in graph["resources"] if r["outputs"].get("arn")}

    def rule(arn: Any) -> str:
        found = by_arn.get(arn)
        if found is None:
            return str(arn)
        listener = by_arn.get(found["inputs"].get("listenerArn"))
        where = (
            f"{listener['inputs'].get('protocol')}:{int(listener['inputs'].get('port', 0))}"
            if listener
            else "?"
        )
        return f"{where} {found['name']}"

    found = []
    for service in index.of_type(ECS_SERVICE):
        configuration = service["inputs"].get("deploymentConfiguration") or {}
        steps, shift, bake = traffic_steps(configuration)
        groups: list[str] = []
        rules: list[str] = []
        for attachment in (service["inputs"].get("loadBalancers") or [])[:1]:
            groups.append(by_arn.get(attachment.get("targetGroupArn"), {}).get("name", "?"))
            advanced = attachment.get("advancedConfiguration") or {}
            if advanced:
                groups.append(by_arn.get(advanced.get("alternateTargetGroupArn"), {}).get("name", "?"))
                rules += [
                    rule(advanced.get("productionListenerRule")),
                    rule(advanced.get("testListenerRule")),
                ]
        found.append(
            Rollout(
                service=index.owner(service),
                strategy=str(configuration.get("strategy") or "ROLLING"),
                target_groups=tuple(groups),
                rules=tuple(rules),
                steps=steps,
                shift_minutes=shift,
                bake_minutes=bake,
                pre_traffic_check=pre_traffic_check(configuration, by_arn),
            )
        )
    return sorted(found, key=lambda r: r.service)


def deployments(graph: Graph) -> list[str]:
    """The Deployments section."""
    found = rollouts(graph)
    if not found:
        return ["Deployments: no ECS services in this stack."]
    rows = [["service", "strategy", "target groups", "production / test rule", "traffic steps"]]
    rows += [
        [r.service, r.strategy, " / ".join(r.target_groups) or "-", " / ".join(r.rules) or "-", r.steps]
        for r in found
    ]
    checks = [f"  {r.service}: {r.pre_traffic_check}" for r in found if r.pre_traffic_check]
    return [
        f"Deployments ({len(found)} services; docs/deployments.md):",
        *table(rows),
        *(["Pre-traffic checks (lifecycle hooks):", *checks] if checks else []),
    ]
