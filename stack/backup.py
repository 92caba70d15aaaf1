"""``webstack:backup``: the schema of the stack's AWS Backup plan, vault lock, copies and restore tests,
the dev/prod defaults and the checks.

:class:`components.backup.Backup` takes plain Args; :mod:`stack.wiring.backup` turns the settings resolved
here into them. What is backed up is chosen by tag (:data:`components.pure.backup.BACKUP_TAG_KEY`), so a
database, app bucket or volume joins the plan by carrying the tag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr

from components.pure.backup import (
    CONTINUOUS_MAX_RETENTION_DAYS,
    LOCK_COOLING_OFF_DAYS,
    LockMode,
    parse_vault_arn,
)
from components.pure.schedules import expression_problem
from stack.schema import PROD_MIN_LOG_RETENTION_DAYS, Environment, StrictModel

DEFAULT_SCHEDULE = "cron(0 2 * * ? *)"
"""Daily at 02:00 UTC, after the databases' own backup window (01:00-02:00)."""
DEFAULT_RETENTION_DAYS = 35
"""The longest continuous backup keeps (point-in-time restore to any second of the last 35 days)."""
DEFAULT_RESTORE_TEST_SCHEDULE = "cron(0 5 ? * SAT *)"
"""Weekly, Saturday 05:00 UTC: a restored copy of each database runs for the validation window."""
DEFAULT_VALIDATION_HOURS = 4
DEFAULT_LOCK_MIN_DAYS = 7
DEFAULT_LOCK_MAX_DAYS = 365


class CopyTargetConfig(StrictModel):
    """``backup.copyTarget``: the vault every recovery point is copied to."""

    vault_arn: StrictStr = Field(
        alias="vaultArn",
        description="ARN of an existing backup vault in ANOTHER account or region (required), e.g. "
        "arn:aws:backup:eu-central-1:222222222222:backup-vault:webstack-prod-copy.",
        json_schema_extra={
            "fix": "give the ARN of a vault in another region or account, e.g. "
            "arn:aws:backup:eu-central-1:222222222222:backup-vault:webstack-prod-copy"
        },
    )


class BackupConfig(StrictModel):
    """``webstack:backup``: AWS Backup for the stack's databases, app buckets and volumes."""

    enabled: StrictBool | None = Field(
        default=None,
        description="Back up the stack's databases with AWS Backup (nothing is built in a stack without "
        "data). Default: dev false, prod true.",
        json_schema_extra={"fix": "use true or false"},
    )
    schedule: StrictStr = Field(
        default=DEFAULT_SCHEDULE,
        description=f"When the backup rule runs (AWS cron, UTC). Default '{DEFAULT_SCHEDULE}'.",
        json_schema_extra={"fix": "use an AWS cron expression, e.g. 'cron(0 2 * * ? *)' (02:00 daily)"},
    )
    retention_days: StrictInt = Field(
        default=DEFAULT_RETENTION_DAYS,
        alias="retentionDays",
        ge=1,
        le=36500,
        description=f"Days each recovery point (and its copy) is kept. Default {DEFAULT_RETENTION_DAYS}.",
        json_schema_extra={"fix": "use days from 1 to 36500 (at most 35 with continuous backup)"},
    )
    continuous: StrictBool = Field(
        default=True,
        description="Continuous backup: databases and buckets restore to any second of the retention "
        "(at most 35 days). Default true.",
        json_schema_extra={"fix": "use true or false"},
    )
    copy_target: CopyTargetConfig | None = Field(
        default=None,
        alias="copyTarget",
        description="Where each recovery point is copied: a vault in another account or region (prod "
        "warns without one). Default: no copy.",
        json_schema_extra={
            "fix": "give copyTarget: {vaultArn: arn:aws:backup:<region>:<account>:backup-vault:<name>}"
        },
    )
    lock_mode: LockMode | None = Field(
        default=None,
        alias="lockMode",
        description="Vault Lock: governance (nobody without backup:DeleteBackupVaultLockConfiguration can "
        "delete a recovery point early) or compliance (after lockChangeableForDays nobody can, ever). "
        "Default: dev none, prod governance.",
        json_schema_extra={"fix": "use governance or compliance"},
    )
    lock_min_retention_days: StrictInt = Field(
        default=DEFAULT_LOCK_MIN_DAYS,
        alias="lockMinRetentionDays",
        ge=1,
        le=36500,
        description=f"The lock refuses recovery points kept fewer days. Default {DEFAULT_LOCK_MIN_DAYS}.",
        json_schema_extra={"fix": "use days from 1 up to retentionDays"},
    )
    lock_max_retention_days: StrictInt = Field(
        default=DEFAULT_LOCK_MAX_DAYS,
        alias="lockMaxRetentionDays",
        ge=1,
        le=36500,
        description=f"The lock refuses recovery points kept more days. Default {DEFAULT_LOCK_MAX_DAYS}.",
        json_schema_extra={"fix": "use days from retentionDays up to 36500"},
    )
    lock_changeable_for_days: StrictInt = Field(
        default=LOCK_COOLING_OFF_DAYS,
        alias="lockChangeableForDays",
        ge=LOCK_COOLING_OFF_DAYS,
        le=36500,
        description="Compliance mode only: days during which the lock can still be changed or removed; "
        f"after that it is permanent. At least {LOCK_COOLING_OFF_DAYS}. Default {LOCK_COOLING_OFF_DAYS}.",
        json_schema_extra={"fix": f"use days from {LOCK_COOLING_OFF_DAYS} (AWS's 72-hour cooling-off)"},
    )
    restore_tests: StrictBool | None = Field(
        default=None,
        alias="restoreTests",
        description="Restore each database on a schedule into the isolated subnets and check it accepts "
        "connections. Default: on when backups are.",
        json_schema_extra={"fix": "use true or false"},
    )
    restore_test_schedule: StrictStr = Field(
        default=DEFAULT_RESTORE_TEST_SCHEDULE,
        alias="restoreTestSchedule",
        description=f"When restore tests run (AWS cron, UTC). Default '{DEFAULT_RESTORE_TEST_SCHEDULE}'.",
        json_schema_extra={"fix": "use an AWS cron expression, e.g. 'cron(0 5 ? * SAT *)'"},
    )
    validation_hours: StrictInt = Field(
        default=DEFAULT_VALIDATION_HOURS,
        alias="validationHours",
        ge=1,
        le=168,
        description="Hours a restored copy lives for validation before AWS Backup deletes it (1-168). "
        f"Default {DEFAULT_VALIDATION_HOURS}.",
        json_schema_extra={"fix": "use hours from 1 to 168"},
    )


@dataclass(frozen=True)
class BackupSettings:
    """Backups as validated, environment defaults applied."""

    enabled: bool
    schedule: str = DEFAULT_SCHEDULE
    retention_days: int = DEFAULT_RETENTION_DAYS
    continuous: bool = True
    copy_vault_arn: str | None = None
    lock_mode: LockMode | None = None
    lock_min_retention_days: int = DEFAULT_LOCK_MIN_DAYS
    lock_max_retention_days: int = DEFAULT_LOCK_MAX_DAYS
    lock_changeable_for_days: int = LOCK_COOLING_OFF_DAYS
    restore_tests: bool = False
    restore_test_schedule: str = DEFAULT_RESTORE_TEST_SCHEDULE
    validation_hours: int = DEFAULT_VALIDATION_HOURS
    log_retention_days: int = 30
    """Days the validation function's logs are kept (prod keeps every log 90 days or more)."""

    @property
    def copy_region(self) -> str | None:
        parsed = parse_vault_arn(self.copy_vault_arn) if self.copy_vault_arn else None
        return parsed.region if parsed else None

    @property
    def copy_account(self) -> str | None:
        parsed = parse_vault_arn(self.copy_vault_arn) if self.copy_vault_arn else None
        return parsed.account if parsed else None


def restore_test_reach_problems(
    settings: BackupSettings, has_databases: bool, nat: bool, endpoints: bool
) -> list[str]:
    """The validation function runs in the private subnets and calls AWS Backup, RDS and SNS: it needs
    NAT or the interface endpoints (which then include backup, rds and sns)."""
    if not (settings.enabled and settings.restore_tests and has_databases) or nat or endpoints:
        return []
    return [
        f"{KEY}.restoreTests: on, but the network has no NAT and no interface endpoints, so the validation "
        "function cannot reach AWS Backup to report; set webstack:network.interfaceEndpoints: true or "
        f"{KEY}.restoreTests: false"
    ]


OFF = BackupSettings(enabled=False)
"""A stack without backups."""

ENABLED_DEFAULT = {Environment.DEV: False, Environment.PROD: True}
"""Prod keeps its data recoverable; dev databases are disposable (opt in to try backups)."""
LOCK_DEFAULT = {Environment.DEV: None, Environment.PROD: LockMode.GOVERNANCE}
"""Prod locks its vault in governance mode: no deploy or operator role may delete a recovery point before
it expires (neither has backup:DeleteBackupVaultLockConfiguration), yet a mistaken lock can still be
lifted by an administrator. Compliance mode is irreversible after its grace period (even for the account
root), so it is a decision each team takes on purpose (lockMode: compliance)."""

KEY = "webstack:backup"


def backup_settings(
    config: BackupConfig,
    environment: Environment,
    region: str,
    accounts: tuple[str, ...],
    has_data: bool,
) -> tuple[BackupSettings, list[str], list[str]]:
    """Backups with the environment's defaults applied, every problem found, and warnings."""
    enabled = ENABLED_DEFAULT[environment] if config.enabled is None else config.enabled
    warnings: list[str] = []
    if not has_data:
        return OFF, [], []  # nothing is tagged for backup: no vault, plan or restore tests to pay for
    if not enabled:
        if environment is Environment.PROD:
            warnings.append(
                f"{KEY}.enabled: false in prod: the databases keep only their own automated backups, in "
                "this account and region"
            )
        return OFF, [], warnings
    lock = LOCK_DEFAULT[environment] if config.lock_mode is None else config.lock_mode
    problems = _schedule_problems(config) + _retention_problems(config, lock)
    copy_arn = config.copy_target.vault_arn if config.copy_target else None
    problems += _copy_problems(copy_arn, region, accounts)
    if copy_arn is None and environment is Environment.PROD:
        warnings.append(
            f"{KEY}.copyTarget: missing, so prod's backups stay in this account and region (lost with "
            "them); give copyTarget: {vaultArn: arn:aws:backup:<another region>:<account>:backup-vault:"
            "<name>}"
        )
    if lock is LockMode.COMPLIANCE and environment is Environment.DEV:
        warnings.append(
            f"{KEY}.lockMode: compliance in dev: after {config.lock_changeable_for_days} days the lock is "
            "permanent and the vault cannot be deleted while it holds recovery points"
        )
    settings = BackupSettings(
        enabled=True,
        schedule=config.schedule,
        retention_days=config.retention_days,
        continuous=config.continuous,
        copy_vault_arn=copy_arn,
        lock_mode=lock,
        lock_min_retention_days=config.lock_min_retention_days,
        lock_max_retention_days=config.lock_max_retention_days,
        lock_changeable_for_days=config.lock_changeable_for_days,
        restore_tests=True if config.restore_tests is None else config.restore_tests,
        restore_test_schedule=config.restore_test_schedule,
        validation_hours=config.validation_hours,
        log_retention_days=PROD_MIN_LOG_RETENTION_DAYS if environment is Environment.PROD else 30,
    )
    return settings, problems, warnings


def _schedule_problems(config: BackupConfig) -> list[str]:
    problems = []
    for key, expression in (
        ("schedule", config.schedule),
        ("restoreTestSchedule", config.restore_test_schedule),
    ):
        reason = (
            "AWS Backup takes cron(...) only; use e.g. 'cron(0 2 * * ? *)'"
            if not expression.startswith("cron(")
            else expression_problem(expression)
        )
        if reason:
            problems.append(f"{KEY}.{key}: got {json.dumps(expression)}, but {reason}")
    return problems


def _retention_problems(config: BackupConfig, lock: LockMode | None) -> list[str]:
    days = config.retention_days
    problems = []
    if config.continuous and days > CONTINUOUS_MAX_RETENTION_DAYS:
        problems.append(
            f"{KEY}.retentionDays: got {days}, but continuous backup keeps at most "
            f"{CONTINUOUS_MAX_RETENTION_DAYS} days; use {CONTINUOUS_MAX_RETENTION_DAYS} or less, or set "
            "continuous: false"
        )
    if lock is None:
        return problems
    low, high = config.lock_min_retention_days, config.lock_max_retention_days
    if low > high:
        problems.append(
            f"{KEY}.lockMinRetentionDays: got {low}, but it is above lockMaxRetentionDays ({high}); use "
            f"{high} or less"
        )
    elif days < low:
        problems.append(
            f"{KEY}.retentionDays: got {days}, but the vault lock's minimum is {low} days (the lock refuses "
            f"every backup kept less, so each job would fail); use {low} or more, or lower "
            "lockMinRetentionDays"
        )
    elif days > high:
        problems.append(
            f"{KEY}.retentionDays: got {days}, but the vault lock's maximum is {high} days (the lock refuses "
            f"every backup kept longer); use {high} or less, or raise lockMaxRetentionDays"
        )
    return problems


def _copy_problems(arn: str | None, region: str, accounts: tuple[str, ...]) -> list[str]:
    if arn is None:
        return []
    parsed = parse_vault_arn(arn)
    if parsed is None:
        return [
            f"{KEY}.copyTarget.vaultArn: got {json.dumps(arn)}, but it is not a backup vault ARN; use "
            "arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>"
        ]
    if parsed.region == region and (not accounts or parsed.account in accounts):
        return [
            f"{KEY}.copyTarget.vaultArn: got {arn}, but that vault is in this stack's own account "
            f"({parsed.account}) and region ({region}): a copy there is lost with them; use a vault in "
            "another region or another account"
        ]
    return []


__all__ = [
    "ENABLED_DEFAULT",
    "LOCK_DEFAULT",
    "OFF",
    "BackupConfig",
    "BackupSettings",
    "CopyTargetConfig",
    "backup_settings",
    "restore_test_reach_problems",
]
