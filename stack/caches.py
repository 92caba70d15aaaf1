"""``webstack:caches``: a map of named Valkey caches, their environment defaults and checks.

What each key means for the deployed replication group is decided in :mod:`stack.wiring.data`, which
turns :class:`CacheSettings` into :class:`components.cache.CacheArgs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, StrictInt, StrictStr, field_validator

from components.pure import cache_nodes
from stack.schema import Environment, StrictModel

VALKEY_VERSIONS = ("7.2", "8.0")
"""ElastiCache requires major.minor for Valkey (TF #41210); the family is valkey<major>."""
DEFAULT_VALKEY_VERSION = "8.0"
MAX_SNAPSHOT_RETENTION_DAYS = 35


@dataclass(frozen=True)
class CacheDefaults:
    nodes: int
    snapshot_retention_days: int


CACHE_DEFAULTS: dict[Environment, CacheDefaults] = {
    Environment.DEV: CacheDefaults(nodes=1, snapshot_retention_days=0),
    Environment.PROD: CacheDefaults(nodes=2, snapshot_retention_days=7),
}
PROD_MIN_CACHE_NODES = 2
"""Automatic failover needs a primary and at least one replica (TF failoverMinNumCacheClusters)."""


class CacheConfig(StrictModel):
    """``caches.<name>``: one Valkey replication group in the isolated tier."""

    engine_version: StrictStr = Field(
        default=DEFAULT_VALKEY_VERSION,
        alias="engineVersion",
        description=f"Valkey version, major.minor ({', '.join(VALKEY_VERSIONS)}). "
        f"Default {DEFAULT_VALKEY_VERSION}.",
        json_schema_extra={"fix": f"use one of {', '.join(VALKEY_VERSIONS)}"},
    )
    node_type: StrictStr = Field(
        default="cache.t4g.micro",
        alias="nodeType",
        description="ElastiCache node type. Default cache.t4g.micro.",
        json_schema_extra={"fix": "use a node type such as cache.t4g.micro or cache.m7g.large"},
    )
    nodes: StrictInt | None = Field(
        default=None,
        ge=1,
        le=6,
        description="Primary plus replicas, 1 to 6. Default: dev 1, prod 2 (prod needs 2+ for automatic "
        "failover across zones).",
        json_schema_extra={"fix": "use 1 to 6 (prod: 2 or more)"},
    )
    snapshot_retention_days: StrictInt | None = Field(
        default=None,
        alias="snapshotRetentionDays",
        ge=0,
        le=MAX_SNAPSHOT_RETENTION_DAYS,
        description=f"Days of daily snapshots, 0 to {MAX_SNAPSHOT_RETENTION_DAYS}. Default: dev 0, prod 7 "
        "(prod needs 1+).",
        json_schema_extra={"fix": f"use 0 to {MAX_SNAPSHOT_RETENTION_DAYS}"},
    )
    auth_token_version: StrictInt = Field(
        default=1,
        alias="authTokenVersion",
        ge=1,
        description="Bump (with authTokenStrategy ROTATE) to draw a new random AUTH token: the cache accepts "
        "it next to the old one, its secret gets it and the services that use the cache redeploy to read "
        "it. The token is kept in the stack's state as a Pulumi secret. Default 1.",
        json_schema_extra={"fix": "use a whole number above the current one"},
    )
    auth_token_strategy: Literal["ROTATE", "SET"] = Field(
        default="ROTATE",
        alias="authTokenStrategy",
        description="ROTATE: after a version bump the old and new AUTH tokens both work. SET: only the "
        "current token works; set it in a later update, once the services run with the new token "
        "(ElastiCache allows SET only after ROTATE), and back to ROTATE with the next bump. Default ROTATE.",
        json_schema_extra={"fix": "use ROTATE (with a version bump) or SET (in a later update)"},
    )

    @field_validator("engine_version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value not in VALKEY_VERSIONS:
            raise ValueError(f"ElastiCache for Valkey takes major.minor: {', '.join(VALKEY_VERSIONS)}")
        return value

    @field_validator("node_type")
    @classmethod
    def _node_type(cls, value: str) -> str:
        problem = cache_nodes.node_type_problem(value)
        if problem:
            raise ValueError(problem)
        return value


@dataclass(frozen=True)
class CacheSettings:
    """One cache as validated, with its environment's defaults applied."""

    name: str
    config: CacheConfig
    nodes: int
    snapshot_retention_days: int
    protect: bool

    @property
    def failover(self) -> bool:
        """Automatic failover and Multi-AZ: on whenever there is a replica to fail over to."""
        return self.nodes >= PROD_MIN_CACHE_NODES

    def shortcuts(self) -> list[str]:
        found = []
        if not self.failover:
            found.append("a single node (no failover; a zone outage stops it)")
        if self.snapshot_retention_days == 0:
            found.append("no snapshots")
        return found


def cache_settings(
    name: str, config: CacheConfig, environment: Environment
) -> tuple[CacheSettings, list[str]]:
    """One cache with its environment's defaults applied, and every problem found."""
    defaults = CACHE_DEFAULTS[environment]
    key = f"webstack:caches.{name}"
    nodes = defaults.nodes if config.nodes is None else config.nodes
    retention = (
        defaults.snapshot_retention_days
        if config.snapshot_retention_days is None
        else config.snapshot_retention_days
    )
    problems: list[str] = []
    if environment is Environment.PROD:
        if nodes < PROD_MIN_CACHE_NODES:
            problems.append(
                f"{key}.nodes: got {nodes}, but prod caches fail over automatically to a replica in another "
                f"zone, which needs {PROD_MIN_CACHE_NODES} or more nodes; use 2 (the prod default)"
            )
        if retention < 1:
            problems.append(
                f"{key}.snapshotRetentionDays: got {retention}, but prod keeps snapshots; use 1 or more"
            )
    settings = CacheSettings(
        name=name,
        config=config,
        nodes=nodes,
        snapshot_retention_days=retention,
        protect=environment is Environment.PROD,
    )
    return settings, problems


__all__ = ["CACHE_DEFAULTS", "PROD_MIN_CACHE_NODES", "CacheConfig", "CacheSettings", "cache_settings"]
