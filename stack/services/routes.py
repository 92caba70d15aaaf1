"""The routes of ``webstack:services``: which requests reach each service (and each extra port), checked
for clashes, with listener-rule priorities that depend on each route alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components.pure import priorities
from stack.services.schema import ExtraPortConfig, RoutingConfig, ServiceConfig

ROUTE_KEY_MAX = 16
"""Longest route key (service, or ``<service>-<port name>``): the target group ``edge-tg-<key>`` plus
the provider's ``-`` and 7 random characters must fit AWS's 32 (plan/engine.py AUTONAME_MAX_LENGTH)."""
CATCH_ALL = "/*"


@dataclass(frozen=True)
class Route:
    """Which requests reach a service. Rules are evaluated by ascending priority."""

    path_patterns: tuple[str, ...]
    host_headers: tuple[str, ...]
    priority: int


def route_key(service: str, port: ExtraPortConfig | None = None) -> str:
    """What names a route, its rule and its target group: the service, or ``<service>-<port name>``."""
    return service if port is None else f"{service}-{port.name}"


def route_config_keys(services: Mapping[str, ServiceConfig]) -> dict[str, str]:
    """Route name (:func:`route_key`) -> the config key its ``routing`` sits under, for messages:
    ``webstack:services.<service>`` or ``webstack:services.<service>.extraPorts[<index>]``."""
    keys = {}
    for name, service in services.items():
        keys[route_key(name)] = f"webstack:services.{name}"
        for index, port in enumerate(service.extra_ports):
            keys[route_key(name, port)] = f"webstack:services.{name}.extraPorts[{index}]"
    return keys


def service_routes(services: Mapping[str, ServiceConfig]) -> tuple[dict[str, Route], list[str]]:
    """Each route (a service's, and one per extra port), checked for clashes, with a priority that
    depends on that route alone. Keys: :func:`route_key`.

    Priorities come from components/pure/priorities.py (most specific first); adding or removing a service
    never renumbers another one's rule.
    """
    problems: list[str] = []
    claims: dict[tuple[str, str], str] = {}
    matches: dict[str, tuple[tuple[str, ...], tuple[str, ...], RoutingConfig | None, str]] = {}
    for name, service in services.items():
        if service.port is None:
            continue  # a worker has no route (service_settings refuses routing on one)
        entries: list[tuple[str, RoutingConfig | None, str]] = [
            (route_key(name), service.routing, f"webstack:services.{name}")
        ]
        for index, port in enumerate(service.extra_ports):
            key = route_key(name, port)
            if key in services:
                problems.append(
                    f"webstack:services.{name}.extraPorts[{index}].name: {key} is also a service's name "
                    "and would share its target group name; rename the port"
                )
            entries.append((key, port.routing, f"webstack:services.{name}.extraPorts[{index}]"))
        for key, routing, config_key in entries:
            paths = routing.path_patterns if routing else (CATCH_ALL,)
            hosts = routing.host_headers if routing else ()
            matches[key] = (paths, hosts, routing, config_key)
            for host in hosts or ("*",):
                for path in paths or (CATCH_ALL,):
                    owner = claims.setdefault((host.lower(), path), config_key)
                    if owner != config_key:
                        shown = f"path {path}" + (f" on host {host}" if host != "*" else "")
                        problems.append(
                            f"{config_key}.routing: claims {shown}, which {owner} already claims; give each "
                            "service its own paths or hosts"
                            + (" (a service without routing takes /*)" if path == CATCH_ALL else "")
                        )

    routes: dict[str, Route] = {}
    holders: dict[int, str] = {}
    for key, (paths, hosts, routing, config_key) in matches.items():
        explicit = routing.priority if routing else None
        number = explicit or priorities.priority(key, paths, hosts)
        holder = holders.setdefault(number, config_key)
        if holder != config_key:
            problems.append(
                f"{config_key}.routing.priority: {number} is also the listener rule priority "
                f"of {holder}; set routing.priority on one of them to a free number "
                "(rules are evaluated from the lowest number)"
            )
        routes[key] = Route(path_patterns=paths, host_headers=hosts, priority=number)
    return routes, problems
