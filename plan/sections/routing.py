"""The routing table of the load balancers' listeners, and the paths and hosts each service receives."""

from __future__ import annotations

from plan.graph import Graph
from plan.graph_index import Index
from plan.routing import routes
from plan.text import table


def service_routes(graph: Graph) -> dict[str, list[str]]:
    """Service name -> the paths and hosts its listener rule matches (via its target group)."""
    index = Index(graph)
    rule_by_group = {
        action["targetGroupArn"]: rule
        for rule in index.of_type("aws:lb/listenerRule:ListenerRule")
        for action in rule["inputs"].get("actions", [])
        if action.get("targetGroupArn")
    }
    routes = {}
    for service in index.of_type("aws:ecs/service:Service"):
        for attachment in service["inputs"].get("loadBalancers", []):
            rule = rule_by_group.get(attachment.get("targetGroupArn"))
            if rule:
                routes[index.owner(service)] = [
                    value
                    for condition in rule["inputs"].get("conditions", [])
                    for block in condition.values()
                    for value in block.get("values", [])
                ]
    return routes


def routing(graph: Graph) -> list[str]:
    """The routing table: listener, priority, host, path -> target and port of every route."""
    found = routes(graph)
    if not found:
        return ["Routing: no load balancer listeners in this stack."]
    rows = [["listener", "priority", "host", "path", "-> target", "port"]]
    rows += [
        [
            r.listener,
            str(r.priority),
            r.host,
            r.path,
            f"-> {r.target}",
            "-" if r.port is None else str(r.port),
        ]
        for r in found
    ]
    return [
        f"Routing ({len(found)} routes; each listener's rules, lowest priority first, then its default):",
        *table(rows),
    ]
