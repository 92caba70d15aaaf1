"""Backups: the stack's AWS Backup vault, plan and restore tests, built from ``webstack:backup``, after
the data tier (whose databases carry the selection tag) and before observability."""

from __future__ import annotations

import pulumi

from components.backup import Backup, BackupArgs, RestoreTestArgs
from components.pure.backup import BACKED_UP_TYPES, BACKUP_TAG_KEY
from stack.config import StackSettings
from stack.datastores import identifier
from stack.wiring.foundation import Foundation, tags_of


def backup_tag_value(settings: StackSettings) -> str:
    """The value of the ``webstack-backup`` tag: the stack's resource name prefix (``webstack-prod``),
    the same formula as every physical name the stack derives (:func:`stack.datastores.identifier`)."""
    return identifier(pulumi.get_project(), settings.stack, "")


def backup_tags(settings: StackSettings) -> dict[str, str]:
    """The tag a database, bucket or volume carries to be backed up; none when backups are off."""
    return {BACKUP_TAG_KEY: backup_tag_value(settings)} if settings.backup.enabled else {}


def build_backup(settings: StackSettings, foundation: Foundation) -> Backup | None:
    """The Backup component when backups are on; restore tests when they are on and a database exists
    (only databases need the isolated landing place and the validation function)."""
    backup = settings.backup
    if not backup.enabled:
        return None
    network = foundation.network
    restore_test = (
        RestoreTestArgs(
            vpc_id=network.vpc_id,
            isolated_subnet_ids=tuple(network.isolated_subnet_ids),
            function_subnet_ids=tuple(network.private_subnet_ids),
            logs_key_arn=foundation.stack_key.arn,
            schedule=backup.restore_test_schedule,
            validation_hours=backup.validation_hours,
            log_retention_days=backup.log_retention_days,
        )
        if backup.restore_tests and settings.databases
        else None
    )
    name = backup_tag_value(settings)
    return Backup(
        "backup",
        BackupArgs(
            vault_name=name,
            tag_value=name,
            region=settings.aws.region,
            schedule=backup.schedule,
            retention_days=backup.retention_days,
            continuous=backup.continuous,
            copy_vault_arn=backup.copy_vault_arn,
            lock_mode=backup.lock_mode.value if backup.lock_mode else None,
            lock_min_retention_days=backup.lock_min_retention_days,
            lock_max_retention_days=backup.lock_max_retention_days,
            lock_changeable_for_days=backup.lock_changeable_for_days,
            resource_types=BACKED_UP_TYPES,
            alarm_topic_arn=foundation.alarm_topic,
            alarm_key_arn=foundation.stack_key.arn if foundation.alarm_topic is not None else None,
            restore_test=restore_test,
            tags=tags_of(settings),
        ),
    )
