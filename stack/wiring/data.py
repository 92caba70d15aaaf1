"""The data tier: each database and cache in the isolated subnets, reachable only from the services
that declare it (the services add those rules); and the Args of each queue between services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.cache import Cache, CacheArgs
from components.database import Database, DatabaseArgs
from components.network import Network
from components.queue import QueueArgs
from stack.caches import CacheSettings
from stack.config import StackSettings
from stack.databases import BACKUP_WINDOW, DatabaseSettings
from stack.datastores import identifier
from stack.queues import QueueSettings
from stack.wiring.backup import backup_tags
from stack.wiring.foundation import Foundation, tags_of


@dataclass(frozen=True)
class DataTier:
    """The stack's databases and caches by name."""

    databases: dict[str, Database]
    caches: dict[str, Cache]


def build_data_tier(settings: StackSettings, foundation: Foundation) -> DataTier:
    """One Database per ``webstack:databases`` entry, one Cache per ``webstack:caches`` entry."""
    # RDSOSMetrics is one log group per account and region: the one database that asks owns it (config
    # refuses a second), so adding or removing another database never moves it.
    monitored = [d.name for d in settings.databases if d.monitoring_interval and d.os_metrics_log_group]
    databases = {
        database.name: Database(
            f"db-{database.name}",
            database_args(settings, database, foundation, owns_os_metrics=database.name in monitored[:1]),
        )
        for database in settings.databases
    }
    caches = {
        cache.name: Cache(f"cache-{cache.name}", cache_args(settings, cache, foundation))
        for cache in settings.caches
    }
    return DataTier(databases, caches)


def database_args(
    settings: StackSettings, database: DatabaseSettings, foundation: Foundation, owns_os_metrics: bool = False
) -> DatabaseArgs:
    """A database's settings, its environment's defaults applied, as the component's Args."""
    network: Network = foundation.network
    config = database.config
    return DatabaseArgs(
        store_name=database.name,
        identifier=identifier(pulumi.get_project(), settings.stack, database.name),
        vpc_id=network.vpc_id,
        subnet_ids=tuple(network.isolated_subnet_ids),
        logs_key_arn=foundation.stack_key.arn,
        engine_version=config.engine_version,
        instance_class=config.instance_class,
        allocated_storage=config.allocated_storage,
        max_allocated_storage=config.max_allocated_storage,
        db_name=config.db_name,
        username=config.username,
        maintenance_window=config.maintenance_window,
        backup_window=BACKUP_WINDOW,
        multi_az=database.multi_az,
        deletion_protection=database.deletion_protection,
        skip_final_snapshot=database.skip_final_snapshot,
        backup_retention_days=database.backup_retention_days,
        performance_insights=database.performance_insights,
        monitoring_interval=database.monitoring_interval,
        os_metrics_log_group=owns_os_metrics,
        apply_immediately=database.apply_immediately,
        log_retention_days=database.log_retention_days,
        protect=database.protect,
        tags=tags_of(settings),
        # The backup tag puts the instance in the stack's AWS Backup selection (an in-place tag update).
        instance_tags=backup_tags(settings),
        # RDS recovery points stay under the database's key: a copy into another account needs it shared.
        backup_copy_accounts=(settings.backup.copy_account,) if settings.backup.copy_account else (),
    )


def cache_args(settings: StackSettings, cache: CacheSettings, foundation: Foundation) -> CacheArgs:
    """A cache's settings as the component's Args: prod caches are protected and keep a final snapshot."""
    network: Network = foundation.network
    config = cache.config
    return CacheArgs(
        store_name=cache.name,
        identifier=identifier(pulumi.get_project(), settings.stack, f"cache-{cache.name}"),
        vpc_id=network.vpc_id,
        subnet_ids=tuple(network.isolated_subnet_ids),
        engine_version=config.engine_version,
        node_type=config.node_type,
        nodes=cache.nodes,
        snapshot_retention_days=cache.snapshot_retention_days,
        final_snapshot=cache.protect,
        auth_token_version=config.auth_token_version,
        auth_token_strategy=config.auth_token_strategy,
        protect=cache.protect,
        tags=tags_of(settings),
    )


def queue_args(queue: QueueSettings, tags: Mapping[str, str]) -> QueueArgs:
    """A queue's settings as the component's Args (who uses it is granted by the services)."""
    return QueueArgs(
        visibility_timeout_seconds=queue.visibility_timeout,
        max_receive_count=queue.max_receive_count,
        message_retention_seconds=queue.retention_seconds,
        tags=tags,
    )
