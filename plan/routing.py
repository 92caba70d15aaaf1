"""Where requests go: every load-balancer listener's rules and default action, read from the graph.

Pure functions over a captured graph. Routes are read generically from listeners, listener rules and
target groups (not from the services' config), so any target group a component adds (a second port
of a service, a new kind of edge) shows up without changes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from plan.graph import Graph

LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ECS_SERVICE = "aws:ecs/service:Service"

ANY = "*"
"""Host or path of a route that matches everything (no such condition)."""

DEFAULT_PRIORITY = "default"
"""The priority column of a listener's default action: it applies when no rule matches."""


@dataclass(frozen=True)
class Route:
    """One way a request reaches something: a listener rule's match and where it forwards."""

    listener: str
    """Protocol and port, e.g. ``HTTPS:443``."""
    priority: int | str
    """The rule's priority (lower is evaluated first), or ``default``."""
    host: str
    """Host header values, comma-separated, or ``*``."""
    path: str
    """Path patterns, comma-separated, or ``*``; other conditions follow in brackets."""
    target: str
    """The service the target group sends to (its component's name), the target group's name when no
    service is attached, or what a non-forwarding action does (``redirect to HTTPS:443``)."""
    port: int | None
    """The port the target receives on (the container port of the attachment, else the target
    group's), None for actions that forward nowhere."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _owner(resources_by_urn: Mapping[str, Mapping[str, Any]], resource: Mapping[str, Any]) -> str:
    parent = resources_by_urn.get(resource.get("parent") or "")
    return str(parent["name"]) if parent else str(resource["name"])


def _conditions(conditions: list[Mapping[str, Any]]) -> tuple[str, str]:
    hosts: list[str] = []
    paths: list[str] = []
    others: list[str] = []
    for condition in conditions:
        for kind, block in condition.items():
            values = [str(v) for v in (block or {}).get("values") or []]
            if kind == "hostHeader":
                hosts += values
            elif kind == "pathPattern":
                paths += values
            else:
                others.append(kind)
    path = ", ".join(paths) or ANY
    if others:
        path += f" [+{', '.join(sorted(others))}]"
    return ", ".join(hosts) or ANY, path


def _forwards(action: Mapping[str, Any]) -> list[str]:
    """The target group ARNs an action forwards to (plain or weighted forward)."""
    arns = [action["targetGroupArn"]] if action.get("targetGroupArn") else []
    for group in (action.get("forward") or {}).get("targetGroups") or []:
        if group.get("arn"):
            arns.append(group["arn"])
    return arns


def _elsewhere(action: Mapping[str, Any]) -> str:
    """What a non-forwarding action does."""
    kind = str(action.get("type", "?"))
    if kind == "redirect":
        redirect = action.get("redirect") or {}
        protocol = redirect.get("protocol", "#{protocol}")
        return f"redirect to {protocol}:{redirect.get('port', '#{port}')}"
    if kind == "fixed-response":
        return f"fixed response {(action.get('fixedResponse') or {}).get('statusCode', '?')}"
    return kind


def routes(graph: Graph) -> list[Route]:
    """Every route of every listener: rules by priority, then the listener's default action."""
    resources: list[dict[str, Any]] = graph["resources"]
    by_urn = {r["urn"]: r for r in resources}
    listeners = {r["outputs"].get("arn"): r for r in resources if r["type"] == LISTENER}
    groups = {r["outputs"].get("arn"): r for r in resources if r["type"] == TARGET_GROUP}
    attached: dict[str, tuple[str, int | None]] = {}
    for service in (r for r in resources if r["type"] == ECS_SERVICE):
        for attachment in service["inputs"].get("loadBalancers") or []:
            port = attachment.get("containerPort")
            attached[attachment.get("targetGroupArn")] = (
                _owner(by_urn, service),
                int(port) if port is not None else None,
            )
            # blue/green, canary, linear: the second target group takes the new version in turn.
            alternate = (attachment.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
            if alternate:
                attached[alternate] = (
                    f"{_owner(by_urn, service)} (alternate)",
                    int(port) if port is not None else None,
                )

    def destinations(action: Mapping[str, Any]) -> list[tuple[str, int | None]]:
        forwarded = _forwards(action)
        if not forwarded:
            return [(_elsewhere(action), None)]
        found: list[tuple[str, int | None]] = []
        for arn in forwarded:
            group = groups.get(arn)
            port = group["inputs"].get("port") if group else None
            target, container_port = attached.get(arn, (group["name"] if group else str(arn), None))
            found.append((target, container_port if container_port is not None else port))
        return found

    def listener_name(arn: Any) -> str:
        listener = listeners.get(arn)
        if listener is None:
            return str(arn)
        return f"{listener['inputs'].get('protocol')}:{listener['inputs'].get('port')}"

    found: list[Route] = []
    for rule in (r for r in resources if r["type"] == LISTENER_RULE):
        inputs = rule["inputs"]
        host, path = _conditions(inputs.get("conditions") or [])
        priority = inputs.get("priority")
        for action in inputs.get("actions") or []:
            for target, port in destinations(action):
                found.append(
                    Route(
                        listener_name(inputs.get("listenerArn")),
                        int(priority) if priority is not None else DEFAULT_PRIORITY,
                        host,
                        path,
                        target,
                        port,
                    )
                )
    for arn, listener in listeners.items():
        for action in listener["inputs"].get("defaultActions") or []:
            for target, port in destinations(action):
                found.append(Route(listener_name(arn), DEFAULT_PRIORITY, ANY, ANY, target, port))

    def order(route: Route) -> tuple[int, str, int, int]:
        protocol, _, port = route.listener.partition(":")
        is_default = route.priority == DEFAULT_PRIORITY
        number = route.priority if isinstance(route.priority, int) else 0
        return (-int(port) if port.isdigit() else 0, protocol, int(is_default), number)

    return sorted(found, key=order)
