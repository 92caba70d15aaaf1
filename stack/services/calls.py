"""The calls between services (``webstack:services.<name>.calls``, over Service Connect): who calls
whom, every call that cannot work, and the order that deploys callees before their callers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from stack.services.schema import ServiceConfig
from stack.services.settings import ServiceSettings


def service_calls(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Who calls each service (callee -> callers), and every call that cannot work.

    A call needs a callee in this stack with a port (Service Connect serves that port), never the
    caller itself, and no cycle: callers deploy after their callees, because only tasks started after
    the callee's deployment can resolve it (AWS ``service-connect-concepts-deploy.html``).
    """
    problems: list[str] = []
    callers: dict[str, list[str]] = {name: [] for name in services}
    for name, service in services.items():
        for callee in service.calls:
            key = f"webstack:services.{name}.calls"
            if callee == name:
                problems.append(f"{key}: lists {name} itself; a service calls itself on localhost, remove it")
            elif callee not in services:
                known = ", ".join(sorted(n for n in services if n != name)) or "none"
                problems.append(
                    f"{key}: got {json.dumps(callee)}, but no service has that name; call one of: {known}"
                )
            elif services[callee].port is None:
                problems.append(
                    f"{key}: got {json.dumps(callee)}, but {callee} is a worker (no port) and serves "
                    f"nothing; give webstack:services.{callee}.port or remove the call"
                )
            elif name in callers[callee]:
                problems.append(f"{key}: lists {callee} twice; list it once")
            else:
                callers[callee].append(name)
    cycle = _call_cycle(services)
    if cycle:
        problems.append(
            f"webstack:services.{cycle[0]}.calls: the calls form a cycle ({' -> '.join(cycle)}); callers "
            "deploy after the services they call, so one of these calls must go (or go through a queue)"
        )
    return {callee: tuple(sorted(names)) for callee, names in callers.items() if names}, problems


def _call_cycle(services: Mapping[str, ServiceConfig]) -> list[str] | None:
    """A cycle of calls between existing services, as ``[a, b, a]``, or None."""
    edges = {
        name: [c for c in service.calls if c in services and c != name] for name, service in services.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def call_order(services: Sequence[ServiceSettings]) -> list[ServiceSettings]:
    """Services with every callee before its callers (the config loader refuses cycles)."""
    by_name = {service.name: service for service in services}
    ordered: list[ServiceSettings] = []
    placed: set[str] = set()

    def place(service: ServiceSettings) -> None:
        if service.name in placed:
            return
        placed.add(service.name)
        for callee in service.config.calls:
            if callee in by_name:
                place(by_name[callee])
        ordered.append(service)

    for service in services:
        place(service)
    return ordered
