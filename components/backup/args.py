"""The Backup component's Args: flat, environment-neutral, each field with its default."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..pure.backup import BACKED_UP_TYPES

DEFAULT_SCHEDULE = "cron(0 2 * * ? *)"
DEFAULT_RETENTION_DAYS = 35
DEFAULT_RESTORE_TEST_SCHEDULE = "cron(0 5 ? * SAT *)"
DEFAULT_VALIDATION_HOURS = 4
DEFAULT_LOG_RETENTION_DAYS = 30
POSTGRES_PORT = 5432


@dataclass(frozen=True)
class RestoreTestArgs:
    """Where restore tests put restored databases and where their validation function runs."""

    vpc_id: pulumi.Input[str]
    """The VPC of the restored databases and of the validation function. Required."""
    isolated_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets with no route out (two zones or more: an RDS subnet group needs two): restored databases
    land here. Required."""
    function_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the validation function: they must reach the AWS Backup, RDS and SNS APIs (through NAT
    or interface endpoints) and the isolated subnets. Required."""
    logs_key_arn: pulumi.Input[str]
    """The key of the function's log group. Required."""
    schedule: str = DEFAULT_RESTORE_TEST_SCHEDULE
    """When restore tests run (AWS cron, UTC). Default: cron(0 5 ? * SAT *)."""
    validation_hours: int = DEFAULT_VALIDATION_HOURS
    """Hours a restored resource lives (1-168) before AWS Backup deletes it. Default: 4."""
    database_port: int = POSTGRES_PORT
    """The port restored databases listen on. Default: 5432."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the validation function's logs are kept. Default: 30."""


@dataclass(frozen=True)
class BackupArgs:
    """What a Backup builds: a vault with its own key, a plan, a selection by tag, and restore tests."""

    vault_name: str
    """The vault's name, also the base of the plan's and roles' names (e.g. ``webstack-prod``). Required."""
    tag_value: str
    """Resources whose ``webstack-backup`` tag has this value are backed up. Required."""
    region: str
    """The stack's region (the validation function may describe restored databases there). Required."""
    schedule: str = DEFAULT_SCHEDULE
    """When the backup rule runs (AWS cron, UTC). Default: cron(0 2 * * ? *)."""
    retention_days: int = DEFAULT_RETENTION_DAYS
    """Days each recovery point and its copy are kept. Default: 35."""
    continuous: bool = True
    """Continuous backup (point-in-time restore) for the resource types that support it (RDS, S3); at
    most 35 days of retention. Default: True."""
    copy_vault_arn: str | None = None
    """A vault in another account or region each recovery point is copied to. Default: None, no copy."""
    lock_mode: str | None = None
    """``governance`` or ``compliance`` Vault Lock, or None for no lock. Default: None."""
    lock_min_retention_days: int = 7
    """The lock's minimum retention (days). Default: 7."""
    lock_max_retention_days: int = 365
    """The lock's maximum retention (days). Default: 365."""
    lock_changeable_for_days: int = 3
    """Compliance mode: days before the lock becomes permanent (3 or more). Default: 3."""
    resource_types: Sequence[str] = BACKED_UP_TYPES
    """AWS Backup resource types the selection covers (of RDS, S3, EFS). Default: RDS, S3, EFS."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """The topic told about failed backup and restore jobs and failed validations. Default: None."""
    alarm_key_arn: pulumi.Input[str] | None = None
    """The key that encrypts the alarm topic (the function encrypts what it publishes). Default: None."""
    restore_test: RestoreTestArgs | None = None
    """Restore tests and their validation; None builds none. Default: None."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""
