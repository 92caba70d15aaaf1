"""The data tier across sections: each database and cache resolved, the names usable, the network wide
enough, and every service's ``database``/``cache`` naming one that exists."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stack.caches import CacheConfig, CacheSettings, cache_settings
from stack.databases import DatabaseConfig, DatabaseSettings, database_settings
from stack.datastores import STORE_NAME, STORE_NAME_FIX
from stack.network import NetworkSettings
from stack.schema import Environment
from stack.services import ServiceConfig

MIN_DATABASE_ZONES = 2
"""An RDS DB subnet group needs subnets in at least two availability zones."""


def data_store_settings(
    declared_databases: Mapping[str, DatabaseConfig],
    declared_caches: Mapping[str, CacheConfig],
    services: Mapping[str, ServiceConfig],
    network: NetworkSettings,
    env: Environment,
    jobs: Mapping[str, Any] | None = None,
) -> tuple[tuple[DatabaseSettings, ...], tuple[CacheSettings, ...], list[str], tuple[str, ...]]:
    """Databases and caches, the services' references to them, problems, and warnings. ``jobs``
    (``webstack:jobs``) reach stores too: one only a job uses is not unreachable."""
    problems: list[str] = []
    warnings: list[str] = []
    databases, caches = [], []
    for name, config in declared_databases.items():
        if not STORE_NAME.match(name):
            problems.append(
                f"webstack:databases.{name}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}"
            )
        database, found = database_settings(name, config, env)
        databases.append(database)
        problems += found
        warnings += [
            f"database {name}: {shortcut} (a dev-only shortcut)" for shortcut in database.shortcuts()
        ]
        for note in (database.deferred_changes(), database.unowned_os_metrics()):
            if note:
                warnings.append(f"database {name}: {note}")
    for name, config in declared_caches.items():
        if not STORE_NAME.match(name):
            problems.append(
                f"webstack:caches.{name}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}"
            )
        cache, found = cache_settings(name, config, env)
        caches.append(cache)
        problems += found
        warnings += [f"cache {name}: {shortcut} (a dev-only shortcut)" for shortcut in cache.shortcuts()]
    owners = [d.name for d in databases if d.os_metrics_log_group]
    if len(owners) > 1:
        # The group belongs to the database that asks for it; were it picked from several, adding or
        # removing a database could move it to another component (a new URN: create before delete
        # collides on the one name RDSOSMetrics).
        problems.append(
            f"webstack:databases.{owners[1]}.osMetricsLogGroup: got true, but {owners[0]} already owns the "
            "account's RDSOSMetrics log group (one per account and region); set it on one database only"
        )
    if databases and network.az_count < MIN_DATABASE_ZONES:
        problems.append(
            f"webstack:network.azCount: got {network.az_count}, but an RDS database needs subnets in at "
            f"least {MIN_DATABASE_ZONES} availability zones (even single-AZ); use 2 or more"
        )
    for kind, declared, key in (
        ("database", declared_databases, "databases"),
        ("cache", declared_caches, "caches"),
    ):
        used = {getattr(job, kind) for job in (jobs or {}).values()}
        for service_name, service in services.items():
            wanted = getattr(service, kind)
            if wanted is None:
                continue
            used.add(wanted)
            if wanted not in declared:
                known = ", ".join(declared) or "none"
                problems.append(
                    f"webstack:services.{service_name}.{kind}: got {json.dumps(wanted)}, but webstack:{key} "
                    f"has no such {kind} (declared: {known}); name one of them or declare it there"
                )
        warnings += [
            f"{kind} {name}: no service declares it (services.<name>.{kind}: {name}), so nothing can reach it"
            for name in declared
            if name not in used
        ]
    return tuple(databases), tuple(caches), problems, tuple(warnings)
