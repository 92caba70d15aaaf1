"""The data tier: each database and cache in the isolated subnets, reachable only from the services
that declare it (the services add those rules)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.cache import Cache, CacheArgs
from components.database import Database, DatabaseArgs
from components.datastore import identifier
from components.network import Network
from stack.config import StackSettings
from stack.wiring.foundation import Foundation, tags_of


@dataclass(frozen=True)
class DataTier:
    """The stack's databases and caches by name."""

    databases: dict[str, Database]
    caches: dict[str, Cache]


def build_data_tier(settings: StackSettings, foundation: Foundation) -> DataTier:
    """One Database per ``webstack:databases`` entry, one Cache per ``webstack:caches`` entry."""
    network: Network = foundation.network
    tags = tags_of(settings)
    databases = {
        database.name: Database(
            f"db-{database.name}",
            DatabaseArgs(
                settings=database,
                identifier=identifier(pulumi.get_project(), settings.stack, database.name),
                logs_key_arn=foundation.stack_key.arn,
                vpc_id=network.vpc_id,
                subnet_ids=tuple(network.isolated_subnet_ids),
                region=settings.aws.region,
                tags=tags,
            ),
        )
        for database in settings.databases
    }
    caches = {
        cache.name: Cache(
            f"cache-{cache.name}",
            CacheArgs(
                settings=cache,
                identifier=identifier(pulumi.get_project(), settings.stack, f"cache-{cache.name}"),
                vpc_id=network.vpc_id,
                subnet_ids=tuple(network.isolated_subnet_ids),
                region=settings.aws.region,
                tags=tags,
            ),
        )
        for cache in settings.caches
    }
    return DataTier(databases, caches)
