"""The Cache component: an ElastiCache for Valkey replication group in the isolated tier, and the
schema of ``webstack:caches`` (a map of named caches, their environment defaults and checks).

Valkey (not Redis OSS): the open-source successor ElastiCache prices lower, speaking the same protocol.
A replication group (not Serverless): it takes an AUTH token, so the app needs only a password, where
Serverless would need RBAC users, and its size and cost are fixed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictInt, StrictStr, field_validator

from stack.schema import Environment, StrictModel

from .datastore import DataStoreLink, StoreArgsBase, final_snapshot_name, store_base
from .pure.naming import child_name, tags_with_name, type_token

VALKEY_PORT = 6379
VALKEY_VERSIONS = ("7.2", "8.0")
"""ElastiCache requires major.minor for Valkey (TF #41210); the family is valkey<major>."""
DEFAULT_VALKEY_VERSION = "8.0"
MAX_SNAPSHOT_RETENTION_DAYS = 35
SNAPSHOT_WINDOW = "01:00-02:00"
MAINTENANCE_WINDOW = "sun:04:00-sun:05:00"
SECRET_RECOVERY_DAYS = 30
_NODE_TYPE = re.compile(
    r"^cache\.(?:t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(?:micro|small|medium|large|\d{0,2}xlarge)$"
)


# --- Config: `webstack:caches.<name>` -------------------------------------------------------------


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
        description="Bump to set a new random AUTH token (written to the cache and its secret in the same "
        "update; never stored in state). Default 1.",
        json_schema_extra={"fix": "use a whole number above the current one"},
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
        if not _NODE_TYPE.match(value):
            raise ValueError(
                "it is not an ElastiCache node type of a current family (t3/t4g, m5-m7g, r5-r7g)"
            )
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


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CacheArgs(StoreArgsBase):
    settings: CacheSettings
    """The validated cache config."""
    identifier: str
    """Stack-unique base of the final snapshot's name."""


class Cache(pulumi.ComponentResource):
    """KMS key, security group, subnet group, AUTH-token secret and the Valkey replication group."""

    replication_group_id: pulumi.Output[str]
    """The replication group's id; its member nodes are ``<id>-001``, ``-002``... (for alarms)."""

    address: pulumi.Output[str]
    """The primary endpoint (follows failover)."""
    secret_arn: pulumi.Output[str]
    """The secret holding the AUTH token (plain text value)."""
    key_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Cache"), name, None, opts)
        settings, config = args.settings, args.settings.config
        self._settings = settings
        child = pulumi.ResourceOptions(parent=self)
        base = store_base(self, name, args, f"the {settings.name} cache and its AUTH token", VALKEY_PORT)

        subnet_group = aws.elasticache.SubnetGroup(
            child_name(name, "subnets"),
            description=f"{name}: the isolated subnets",
            subnet_ids=list(args.subnet_ids),
            tags=args.tags,
            opts=child,
        )
        secret = aws.secretsmanager.Secret(
            child_name(name, "auth-token"),
            description=f"{name}: the Valkey AUTH token",
            kms_key_id=base.key.arn,
            recovery_window_in_days=SECRET_RECOVERY_DAYS,
            tags=tags_with_name(child_name(name, "auth-token"), args.tags),
            opts=child,
        )
        # A fresh random token each run, sent write-only: the provider uses it only when the version
        # changes (never stored in state), so the cache and the secret get the same one in one update.
        # 64 hex characters: inside AUTH's 16-128 printable characters without @, " or / (TF src).
        token = pulumi.Output.secret(secrets.token_hex(32))
        aws.secretsmanager.SecretVersion(
            child_name(name, "auth-token-value"),
            secret_id=secret.id,
            secret_string_wo=token,
            secret_string_wo_version=config.auth_token_version,
            opts=child,
        )
        group = aws.elasticache.ReplicationGroup(
            child_name(name, "valkey"),
            description=f"{name}: Valkey for the services that declare it",
            engine="valkey",
            engine_version=config.engine_version,
            parameter_group_name=f"default.valkey{config.engine_version.split('.')[0]}",
            node_type=config.node_type,
            num_cache_clusters=settings.nodes,
            port=VALKEY_PORT,
            subnet_group_name=subnet_group.name,
            security_group_ids=[base.security_group.id],
            at_rest_encryption_enabled=True,
            kms_key_id=base.key.arn,
            transit_encryption_enabled=True,
            auth_token_wo=token,
            auth_token_wo_version=config.auth_token_version,
            auth_token_update_strategy="SET",  # ROTATE would keep password-less access open
            automatic_failover_enabled=settings.failover,
            multi_az_enabled=settings.failover,
            snapshot_retention_limit=settings.snapshot_retention_days,
            snapshot_window=SNAPSHOT_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            auto_minor_version_upgrade=True,
            # Without an id ElastiCache takes no final snapshot (the opposite of RDS).
            final_snapshot_identifier=final_snapshot_name(args.identifier) if settings.protect else None,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=settings.protect, ignore_changes=["finalSnapshotIdentifier"]
            ),
        )

        self.address = group.primary_endpoint_address
        self.replication_group_id = group.id
        self.secret_arn = secret.arn
        self.key_arn = base.key.arn
        self.security_group_id = base.security_group.id
        self.register_outputs(
            {
                "address": self.address,
                "port": VALKEY_PORT,
                "secretArn": self.secret_arn,
                "keyArn": self.key_arn,
                "securityGroupId": self.security_group_id,
            }
        )

    def link(self) -> DataStoreLink:
        """What a service that declares this cache gets (see :class:`DataStoreLink`)."""
        return DataStoreLink(
            kind="cache",
            name=self._settings.name,
            security_group_id=self.security_group_id,
            port=VALKEY_PORT,
            environment={"CACHE_HOST": self.address, "CACHE_PORT": str(VALKEY_PORT), "CACHE_TLS": "true"},
            secrets={"CACHE_AUTH_TOKEN": self.secret_arn},
            secret_arn=self.secret_arn,
            key_arn=self.key_arn,
        )
