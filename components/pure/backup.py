"""AWS Backup facts and arithmetic (pure logic, no Pulumi imports): the selection tag, lock modes,
retention limits, the recovery point objective a schedule gives, and the copy target's ARN.

Sources (AWS Backup Developer Guide): ``vault-lock.html`` (modes, the 72-hour cooling-off),
``point-in-time-recovery.html`` (continuous backup: RDS, Aurora, S3, SAP HANA; 1 to 35 days; restore to
any second up to about 5 minutes ago), ``restore-testing.html`` and
``restore-testing-inferred-metadata.html``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

BACKUP_TAG_KEY = "webstack-backup"
"""The tag that puts a resource in the stack's backup plan: its value is the stack's resource name prefix
(e.g. ``webstack-prod``). Databases, app buckets and EFS volumes carry it; the plan's selection matches it."""

BACKED_UP_TYPES = ("RDS", "S3", "EFS")
"""The AWS Backup resource types the stack's selection and restore tests cover."""

CONTINUOUS_TYPES = ("RDS", "S3")
"""Of those, the ones continuous backup (point-in-time restore) supports; EFS gets snapshots only
(AWS Backup ``point-in-time-recovery.html``, "Supported services")."""

CONTINUOUS_MAX_RETENTION_DAYS = 35
"""Continuous backups keep 1 to 35 days (AWS Backup ``point-in-time-recovery-retention-period.html``)."""

CONTINUOUS_RPO_MINUTES = 5
"""With continuous backup, RDS restores to any second up to about 5 minutes before now (the latest
restorable time; AWS Backup ``point-in-time-recovery.html``)."""

LOCK_COOLING_OFF_DAYS = 3
"""Vault Lock in compliance mode takes effect after a 72-hour cooling-off period: ``changeable_for_days``
must be 3 or more (CloudFormation ``AWS::Backup::BackupVault LockConfigurationType``)."""

MIN_SCHEDULE_INTERVAL_HOURS = 1
"""AWS Backup runs a rule at most once an hour (``creating-a-backup-plan.html``, backup frequency)."""

RESTORE_TEST_WINDOW_HOURS = (1, 168)
"""Restore testing's validation window: 1 to 168 hours (``CreateRestoreTestingSelection``
ValidationWindowHours); AWS Backup deletes the restored resource when it closes."""


class LockMode(enum.StrEnum):
    """How the vault is locked (AWS Backup ``vault-lock.html``)."""

    GOVERNANCE = "governance"
    """Recovery points cannot be deleted before their minimum retention, but a principal allowed
    ``backup:DeleteBackupVaultLockConfiguration`` can remove the lock (and then delete them)."""
    COMPLIANCE = "compliance"
    """As governance, and after ``changeable_for_days`` nobody (not the account root, not AWS) can
    remove or change the lock; the vault cannot be deleted while it holds recovery points."""


_VAULT_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):backup:(?P<region>[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+):"
    r"(?P<account>\d{12}):backup-vault:(?P<name>[A-Za-z0-9_.-]{2,50})$"
)


@dataclass(frozen=True)
class VaultArn:
    """The parts of a backup vault ARN."""

    region: str
    account: str
    name: str


def parse_vault_arn(arn: str) -> VaultArn | None:
    """The region, account and name of ``arn:aws:backup:<region>:<account>:backup-vault:<name>``, or None."""
    match = _VAULT_ARN.match(arn)
    if match is None:
        return None
    return VaultArn(match.group("region"), match.group("account"), match.group("name"))


def schedule_interval_hours(cron: str) -> int | None:
    """Hours between two runs of a ``cron(m h dom mon dow year)`` backup schedule when it is regular:
    every N hours (``*/N`` or ``*`` in the hours field), daily (fixed hour, any day), weekly (fixed hour,
    one weekday); None for anything else (the plan then says "as scheduled")."""
    body = cron.removeprefix("cron(").removesuffix(")").split()
    if len(body) != 6:
        return None
    _minute, hours, dom, month, dow, _year = body
    if month != "*" or dom not in ("*", "?"):
        return None
    if hours == "*":
        return 1
    if hours.startswith("*/") and hours[2:].isdigit():
        return int(hours[2:])
    if not hours.isdigit():
        return None
    if dow in ("*", "?"):
        return 24
    if re.fullmatch(r"[A-Z]{3}|[1-7]", dow):
        return 24 * 7
    return None


def rpo_text(schedule: str, continuous: bool, resource_type: str) -> str:
    """The recovery point objective one resource type gets: continuous backup's 5 minutes where it
    applies, else the time between two scheduled backups."""
    if continuous and resource_type in CONTINUOUS_TYPES:
        return f"{CONTINUOUS_RPO_MINUTES} min (continuous backup)"
    hours = schedule_interval_hours(schedule)
    if hours is None:
        return f"as scheduled ({schedule})"
    if hours % 24 == 0:
        days = hours // 24
        return "24 h (daily backup)" if days == 1 else f"{days * 24} h (every {days} days)"
    return f"{hours} h"


def restore_testing_name(prefix: str) -> str:
    """A restore testing plan name: 1-50 letters, digits and underscores (``CreateRestoreTestingPlan``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", prefix)[:50]


__all__ = [
    "BACKED_UP_TYPES",
    "BACKUP_TAG_KEY",
    "CONTINUOUS_MAX_RETENTION_DAYS",
    "CONTINUOUS_RPO_MINUTES",
    "CONTINUOUS_TYPES",
    "LOCK_COOLING_OFF_DAYS",
    "LockMode",
    "VaultArn",
    "parse_vault_arn",
    "restore_testing_name",
    "rpo_text",
    "schedule_interval_hours",
]
