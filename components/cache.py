"""The Cache component: an ElastiCache for Valkey replication group in the isolated tier.

Valkey (not Redis OSS): the open-source successor ElastiCache prices lower, speaking the same protocol.
A replication group (not Serverless): it takes an AUTH token, so the app needs only a password, where
Serverless would need RBAC users, and its size and cost are fixed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .datastore import DataStoreLink, StoreBase, final_snapshot_name, store_base
from .pure.inputs import args_of
from .pure.naming import child_name, tags_with_name, type_token

VALKEY_PORT = 6379
SNAPSHOT_WINDOW = "01:00-02:00"
MAINTENANCE_WINDOW = "sun:04:00-sun:05:00"
SECRET_RECOVERY_DAYS = 30
"""Days a deleted AUTH-token secret can be restored (Secrets Manager accepts 7 to 30)."""
FAILOVER_MIN_NODES = 2
"""Automatic failover and Multi-AZ need a primary and at least one replica (TF
failoverMinNumCacheClusters)."""

DEFAULT_NODE_TYPE = "cache.t4g.micro"
DEFAULT_NODES = 1
DEFAULT_SNAPSHOT_RETENTION_DAYS = 0
DEFAULT_AUTH_TOKEN_VERSION = 1
AUTH_TOKEN_LENGTH = 64
"""Letters and digits only: inside AUTH's 16-128 printable characters, none of the forbidden @, " or /
(TF src validReplicationGroupAuthToken; AWS ElastiCache auth.html)."""
ROTATE = "ROTATE"
"""ModifyReplicationGroup AuthTokenUpdateStrategy: the new token is added and the old one stays valid."""
SET = "SET"
"""ModifyReplicationGroup AuthTokenUpdateStrategy: the cache keeps only the given token; "allowed only
after ROTATE" (AWS API reference, ModifyReplicationGroup)."""
AUTH_TOKEN_STRATEGIES = (ROTATE, SET)


@dataclass(frozen=True)
class CacheArgs:
    """What a Cache builds: one Valkey replication group in the isolated subnets of ``vpc_id``."""

    store_name: str
    """The cache's short name (e.g. ``main``): its key's description and the link services receive
    name it. Required."""
    identifier: str
    """Stack-unique base of the final snapshot's name. Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the cache's security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The isolated subnets, one per zone. Required."""
    engine_version: str
    """Valkey version, major.minor (e.g. ``8.0``): ElastiCache requires both (TF #41210), and the
    parameter group is ``default.valkey<major>``. Required (a changed default would upgrade)."""
    node_type: str = DEFAULT_NODE_TYPE
    """ElastiCache node type. Default: cache.t4g.micro."""
    nodes: int = DEFAULT_NODES
    """Primary plus replicas, 1 to 6. With 2 or more, automatic failover and Multi-AZ are on; with 1,
    both are off. Default: 1."""
    snapshot_retention_days: int = DEFAULT_SNAPSHOT_RETENTION_DAYS
    """Days of daily snapshots, 0 (none) to 35. Default: 0."""
    final_snapshot: bool = True
    """Take a final snapshot (``<identifier>-final-<creation time>``) when the group is deleted; without
    one ElastiCache keeps nothing. Default: True."""
    auth_token_version: int = DEFAULT_AUTH_TOKEN_VERSION
    """Bump to draw a new random AUTH token (a ``random.RandomPassword`` kept in state, encrypted as a
    Pulumi secret): the cache accepts it next to the old one (``ROTATE``), the secret gets it, and every
    linked service's task definition changes (``CACHE_AUTH_TOKEN_VERSION``), so ECS starts tasks that
    read it. Default: 1."""
    auth_token_strategy: str = ROTATE
    """``ROTATE`` (old and new token both valid) or ``SET`` (only the current token: switch to it in a
    later update, once every service runs with the new token; ElastiCache allows SET only after a
    ROTATE). Default: ROTATE."""
    protect: bool = False
    """Pulumi refuses to delete or replace the replication group. Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""


class Cache(pulumi.ComponentResource):
    """KMS key, security group, subnet group, AUTH-token secret and the Valkey replication group."""

    replication_group_id: pulumi.Output[str]
    """The replication group's id; its member nodes are ``<id>-001``, ``-002``... (for alarms)."""
    address: pulumi.Output[str]
    """The primary endpoint (follows failover)."""
    secret_arn: pulumi.Output[str]
    """The secret holding the AUTH token (plain text value)."""
    key_arn: pulumi.Output[str]
    """The customer-managed key of the cache's data and its AUTH-token secret."""
    security_group_id: pulumi.Output[str]
    """The cache's security group (services add their ingress rule to it)."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(CacheArgs, args)
        if args.auth_token_strategy not in AUTH_TOKEN_STRATEGIES:
            raise ValueError(
                f"CacheArgs.auth_token_strategy: got {args.auth_token_strategy!r}; use one of "
                f"{', '.join(AUTH_TOKEN_STRATEGIES)}"
            )
        super().__init__(type_token("Cache"), name, None, opts)
        self._store_name = args.store_name
        base = store_base(
            self, name, args.vpc_id, args.tags, f"the {args.store_name} cache and its AUTH token", VALKEY_PORT
        )
        subnet_group = self._subnet_group(name, args)
        secret = self._secret(name, args, base)
        # Drawn once per version and kept in state: the secret and the cache read the same value in
        # every run, after a partial first `up` and when the group is replaced (created with it).
        token = self._token(name, args)
        value = self._secret_value(name, args, secret, token)
        group = self._replication_group(name, args, base, subnet_group, token)
        # Depends on the secret's new value and the group's update: a task definition using it changes
        # only after the cache accepts the new token and the secret holds it.
        self._token_version = pulumi.Output.all(value.id, group.id).apply(
            lambda _: str(args.auth_token_version)
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
            name=self._store_name,
            security_group_id=self.security_group_id,
            port=VALKEY_PORT,
            environment={
                "CACHE_HOST": self.address,
                "CACHE_PORT": str(VALKEY_PORT),
                "CACHE_TLS": "true",
                # A new version is a new task definition: ECS injects secrets only when a task starts.
                "CACHE_AUTH_TOKEN_VERSION": self._token_version,
            },
            secrets={"CACHE_AUTH_TOKEN": self.secret_arn},
            secret_arn=self.secret_arn,
            key_arn=self.key_arn,
        )

    def _subnet_group(self, name: str, args: CacheArgs) -> aws.elasticache.SubnetGroup:
        return aws.elasticache.SubnetGroup(
            child_name(name, "subnets"),
            description=f"{name}: the isolated subnets",
            subnet_ids=list(args.subnet_ids),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _secret(self, name: str, args: CacheArgs, base: StoreBase) -> aws.secretsmanager.Secret:
        return aws.secretsmanager.Secret(
            child_name(name, "auth-token"),
            description=f"{name}: the Valkey AUTH token",
            kms_key_id=base.key.arn,
            recovery_window_in_days=SECRET_RECOVERY_DAYS,
            tags=tags_with_name(child_name(name, "auth-token"), args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _token(self, name: str, args: CacheArgs) -> pulumi.Output[str]:
        password = random.RandomPassword(
            child_name(name, "auth-token-random"),
            length=AUTH_TOKEN_LENGTH,
            special=False,
            keepers={"authTokenVersion": str(args.auth_token_version)},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return pulumi.Output.secret(password.result)

    def _secret_value(
        self, name: str, args: CacheArgs, secret: aws.secretsmanager.Secret, token: pulumi.Output[str]
    ) -> aws.secretsmanager.SecretVersion:
        return aws.secretsmanager.SecretVersion(
            child_name(name, "auth-token-value"),
            secret_id=secret.id,
            secret_string_wo=token,
            secret_string_wo_version=secret_write_version(args.auth_token_version),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _replication_group(
        self,
        name: str,
        args: CacheArgs,
        base: StoreBase,
        subnet_group: aws.elasticache.SubnetGroup,
        token: pulumi.Output[str],
    ) -> aws.elasticache.ReplicationGroup:
        failover = args.nodes >= FAILOVER_MIN_NODES  # whenever there is a replica to fail over to
        return aws.elasticache.ReplicationGroup(
            child_name(name, "valkey"),
            description=f"{name}: Valkey for the services that declare it",
            engine="valkey",
            engine_version=args.engine_version,
            parameter_group_name=f"default.valkey{args.engine_version.split('.')[0]}",
            node_type=args.node_type,
            num_cache_clusters=args.nodes,
            port=VALKEY_PORT,
            subnet_group_name=subnet_group.name,
            security_group_ids=[base.security_group.id],
            at_rest_encryption_enabled=True,
            kms_key_id=base.key.arn,
            transit_encryption_enabled=True,
            auth_token_wo=token,
            # Write-only: the provider sends the token (with the strategy) only when this changes.
            auth_token_wo_version=group_write_version(args.auth_token_version, args.auth_token_strategy),
            # Used on updates only (the group is created with its token): ROTATE adds the new token,
            # SET later drops the old one (AWS allows SET only after ROTATE).
            auth_token_update_strategy=args.auth_token_strategy,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=SNAPSHOT_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            auto_minor_version_upgrade=True,
            # Without an id ElastiCache takes no final snapshot (the opposite of RDS).
            final_snapshot_identifier=final_snapshot_name(self, name, args.identifier)
            if args.final_snapshot
            else None,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )


def secret_write_version(auth_token_version: int) -> int:
    """The secret value's ``secret_string_wo_version``: even, so that it moved (1 -> 2) when the token
    became a ``RandomPassword``, and the upgraded stack rotated to the token in state in one update."""
    return 2 * auth_token_version


def group_write_version(auth_token_version: int, strategy: str) -> int:
    """The group's ``auth_token_wo_version``: the secret's, plus one under SET. Write-only values have no
    diff (Pulumi write-only fields doc), so switching ROTATE -> SET must move the version for the
    provider to send ModifyReplicationGroup(AuthToken, SET) with the same token."""
    return secret_write_version(auth_token_version) + (1 if strategy == SET else 0)


__all__ = ["AUTH_TOKEN_STRATEGIES", "ROTATE", "SET", "VALKEY_PORT", "Cache", "CacheArgs"]
