"""``webstack:databases``: a map of named PostgreSQL databases, their environment defaults and checks.

What each key means for the deployed instance is decided in :mod:`stack.wiring.data`, which turns
:class:`DatabaseSettings` into :class:`components.database.DatabaseArgs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from components.pure import db_instances
from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

POSTGRES_MAJORS = ("14", "15", "16", "17")
"""Majors RDS for PostgreSQL offers in standard support (13 left it in February 2026)."""
DEFAULT_ENGINE_VERSION = "17"
MIN_STORAGE_GB = 20
"""The smallest gp3 volume RDS for PostgreSQL allocates."""
MAX_STORAGE_GB = 65536
MAX_BACKUP_RETENTION_DAYS = 35
PROD_MIN_BACKUP_RETENTION_DAYS = 14
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
"""The Enhanced Monitoring intervals RDS accepts (0 turns it off)."""
BACKUP_WINDOW = "01:00-02:00"
"""UTC, every database of this program; must not overlap the maintenance window."""

_PG_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$"
)
_RESERVED_USERS = frozenset({"postgres", "rdsadmin", "rds_superuser", "admin", "root", "public"})


@dataclass(frozen=True)
class DatabaseDefaults:
    """The values an environment's databases use for keys a stack does not set."""

    multi_az: bool
    deletion_protection: bool
    skip_final_snapshot: bool
    backup_retention_days: int
    performance_insights: bool
    monitoring_interval: int
    log_retention_days: int
    apply_immediately: bool
    os_metrics_log_group: bool


DATABASE_DEFAULTS: dict[Environment, DatabaseDefaults] = {
    Environment.DEV: DatabaseDefaults(
        multi_az=False,
        deletion_protection=False,
        skip_final_snapshot=True,
        backup_retention_days=1,
        performance_insights=False,
        monitoring_interval=0,
        log_retention_days=14,
        apply_immediately=True,
        os_metrics_log_group=False,
    ),
    Environment.PROD: DatabaseDefaults(
        multi_az=True,
        deletion_protection=True,
        skip_final_snapshot=False,
        backup_retention_days=14,
        performance_insights=True,
        monitoring_interval=60,
        log_retention_days=365,
        apply_immediately=False,
        os_metrics_log_group=False,
    ),
}


class DatabaseConfig(StrictModel):
    """``databases.<name>``: one PostgreSQL database in the isolated tier."""

    engine_version: StrictStr = Field(
        default=DEFAULT_ENGINE_VERSION,
        alias="engineVersion",
        description=f"PostgreSQL major version, major only ({', '.join(POSTGRES_MAJORS)}). "
        f"Default {DEFAULT_ENGINE_VERSION}. Minor versions are upgraded by RDS in the maintenance window.",
        json_schema_extra={"fix": f"use a major version such as {DEFAULT_ENGINE_VERSION}"},
    )
    instance_class: StrictStr = Field(
        default="db.t4g.micro",
        alias="instanceClass",
        description="RDS instance class. Default db.t4g.micro.",
        json_schema_extra={"fix": "use a class RDS for PostgreSQL offers, e.g. db.t4g.micro or db.m7g.large"},
    )
    allocated_storage: StrictInt = Field(
        default=MIN_STORAGE_GB,
        alias="allocatedStorage",
        description=f"Initial gp3 storage in GB ({MIN_STORAGE_GB} or more). Default {MIN_STORAGE_GB}. "
        "Never lower it later (RDS cannot shrink storage).",
        json_schema_extra={"fix": f"use {MIN_STORAGE_GB} GB or more"},
    )
    max_allocated_storage: StrictInt = Field(
        default=100,
        alias="maxAllocatedStorage",
        description="Storage autoscaling ceiling in GB, above allocatedStorage. Default 100.",
        json_schema_extra={"fix": "use a size above allocatedStorage, e.g. 100"},
    )
    multi_az: StrictBool | None = Field(
        default=None,
        alias="multiAz",
        description="A synchronous standby in another zone. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false (prod: true)"},
    )
    deletion_protection: StrictBool | None = Field(
        default=None,
        alias="deletionProtection",
        description="Refuse deletion. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false (prod: true)"},
    )
    skip_final_snapshot: StrictBool | None = Field(
        default=None,
        alias="skipFinalSnapshot",
        description="Delete without a final snapshot. Default: dev true, prod false (required).",
        json_schema_extra={"fix": "use true or false (prod: false)"},
    )
    backup_retention_days: StrictInt | None = Field(
        default=None,
        alias="backupRetentionDays",
        description=f"Days of automated backups, 1 to {MAX_BACKUP_RETENTION_DAYS}. Default: dev 1, prod "
        f"{PROD_MIN_BACKUP_RETENTION_DAYS} (prod needs {PROD_MIN_BACKUP_RETENTION_DAYS}+).",
        json_schema_extra={"fix": f"use 1 to {MAX_BACKUP_RETENTION_DAYS} days"},
    )
    performance_insights: StrictBool | None = Field(
        default=None,
        alias="performanceInsights",
        description="Performance Insights (7 days, encrypted with the database's key). Default: dev "
        "false, prod true.",
        json_schema_extra={"fix": "use true or false"},
    )
    monitoring_interval: StrictInt | None = Field(
        default=None,
        alias="monitoringInterval",
        description="Enhanced Monitoring seconds (0 = off). Default: dev 0, prod 60.",
        json_schema_extra={"fix": f"use one of {', '.join(map(str, MONITORING_INTERVALS))}"},
    )
    log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="logRetentionDays",
        description="Days exported PostgreSQL logs are kept. Default: dev 14, prod 365 (prod needs 90+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )
    apply_immediately: StrictBool | None = Field(
        default=None,
        alias="applyImmediately",
        description="Apply instanceClass, storage, multiAz and engineVersion changes during `pulumi up` (a "
        "restart or failover then) instead of in the next maintenance window, which `pulumi up` does not "
        "wait for (it reports success, and previews show the change until the window). A major upgrade "
        "needs true in its update. Default: dev true, prod false.",
        json_schema_extra={"fix": "use true or false"},
    )
    os_metrics_log_group: StrictBool | None = Field(
        default=None,
        alias="osMetricsLogGroup",
        description="With Enhanced Monitoring on, create the account-wide RDSOSMetrics log group with "
        "logRetentionDays and the stack key (else RDS creates it with no expiry). One stack per account "
        "and region may own it, and RDS creates the group itself as soon as any instance sends Enhanced "
        "Monitoring there, so an account that ran one already has it: import it first (pulumi import "
        "aws:cloudwatch/logGroup:LogGroup <name> RDSOSMetrics), or creating it fails. Default: dev false, "
        "prod false (opt-in; the plan warns when a monitored database leaves it to RDS).",
        json_schema_extra={"fix": "use true on one stack per account, false on the others"},
    )
    db_name: StrictStr = Field(
        default="app",
        alias="dbName",
        description="The database created in the instance. Default app.",
        json_schema_extra={"fix": "use lowercase letters, digits and _, starting with a letter"},
    )
    username: StrictStr = Field(
        default="webstack_admin",
        description="The master user (its password is managed by RDS in Secrets Manager). "
        "Default webstack_admin.",
        json_schema_extra={"fix": "use lowercase letters, digits and _, starting with a letter"},
    )
    maintenance_window: StrictStr = Field(
        default="sun:03:00-sun:04:00",
        alias="maintenanceWindow",
        description=f"UTC window for minor upgrades and patches (ddd:hh:mm-ddd:hh:mm). Default "
        f"sun:03:00-sun:04:00; backups run {BACKUP_WINDOW}.",
        json_schema_extra={"fix": "use the form sun:03:00-sun:04:00"},
    )

    @field_validator("engine_version")
    @classmethod
    def _major_only(cls, value: str) -> str:
        if not re.fullmatch(r"\d+", value):
            raise ValueError(
                "give the major version only (RDS upgrades minor versions itself, and a pinned minor "
                f"makes the next update try to downgrade); use one of {', '.join(POSTGRES_MAJORS)}"
            )
        if value not in POSTGRES_MAJORS:
            raise ValueError(f"RDS for PostgreSQL offers majors {', '.join(POSTGRES_MAJORS)}")
        return value

    @field_validator("instance_class")
    @classmethod
    def _offered_class(cls, value: str) -> str:
        if value == "db.serverless":
            raise ValueError("db.serverless is Aurora only; webstack runs RDS for PostgreSQL instances")
        problem = db_instances.class_problem(value)
        if problem:
            raise ValueError(f"RDS for PostgreSQL does not offer it: {problem}")
        return value

    @field_validator("allocated_storage")
    @classmethod
    def _minimum_storage(cls, value: int) -> int:
        if not MIN_STORAGE_GB <= value <= MAX_STORAGE_GB:
            raise ValueError(f"RDS for PostgreSQL gp3 storage is {MIN_STORAGE_GB} to {MAX_STORAGE_GB} GB")
        return value

    @field_validator("backup_retention_days")
    @classmethod
    def _backup_range(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_BACKUP_RETENTION_DAYS:
            raise ValueError(
                f"RDS keeps automated backups 1 to {MAX_BACKUP_RETENTION_DAYS} days (0 turns them off)"
            )
        return value

    @field_validator("monitoring_interval")
    @classmethod
    def _known_interval(cls, value: int | None) -> int | None:
        if value is not None and value not in MONITORING_INTERVALS:
            raise ValueError(f"RDS accepts {', '.join(map(str, MONITORING_INTERVALS))}")
        return value

    @field_validator("db_name", "username")
    @classmethod
    def _postgres_identifier(cls, value: str) -> str:
        if not _PG_IDENTIFIER.match(value):
            raise ValueError("it is not a plain PostgreSQL name")
        if value in _RESERVED_USERS:
            raise ValueError(f"{value!r} is reserved by PostgreSQL or RDS")
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _window(cls, value: str) -> str:
        if not _WINDOW.match(value):
            raise ValueError("it is not a window of the form ddd:hh:mm-ddd:hh:mm")
        return value


@dataclass(frozen=True)
class DatabaseSettings:
    """One database as validated, with its environment's defaults applied."""

    name: str
    config: DatabaseConfig
    multi_az: bool
    deletion_protection: bool
    skip_final_snapshot: bool
    backup_retention_days: int
    performance_insights: bool
    monitoring_interval: int
    log_retention_days: int
    apply_immediately: bool
    os_metrics_log_group: bool
    protect: bool
    """Pulumi refuses to delete or replace it (prod): a replaced database is a new, empty one."""

    def shortcuts(self) -> list[str]:
        """The dev-only shortcuts this database takes (the plan warns about each)."""
        found = []
        if not self.multi_az:
            found.append("single-AZ (a zone outage stops it)")
        if self.skip_final_snapshot:
            found.append("no final snapshot (deleting the stack deletes the data)")
        if not self.deletion_protection:
            found.append("no deletion protection")
        return found

    def unowned_os_metrics(self) -> str | None:
        """A warning when Enhanced Monitoring writes to an RDSOSMetrics group this stack does not own."""
        if not self.monitoring_interval or self.os_metrics_log_group:
            return None
        return (
            "Enhanced Monitoring writes to the account's RDSOSMetrics log group, which RDS creates with no "
            "expiry and without the stack key; set osMetricsLogGroup: true on one stack per account to own "
            "it (import it first where it exists: docs/changing-a-running-stack.md)"
        )

    def deferred_changes(self) -> str | None:
        """What waits for the maintenance window with applyImmediately off (the plan warns), or None."""
        if self.apply_immediately:
            return None
        return (
            f"applyImmediately is false, so changes to instanceClass, allocatedStorage, multiAz and "
            f"engineVersion wait for the maintenance window {self.config.maintenance_window} (UTC): `pulumi "
            "up` reports success before they apply and previews show them until then; a major upgrade "
            "needs applyImmediately: true in the same update"
        )


def database_settings(
    name: str, config: DatabaseConfig, environment: Environment
) -> tuple[DatabaseSettings, list[str]]:
    """One database with its environment's defaults applied, and every problem found."""
    defaults = DATABASE_DEFAULTS[environment]
    key = f"webstack:databases.{name}"
    problems: list[str] = []

    def pick(value: object, default: object) -> object:
        return default if value is None else value

    settings = DatabaseSettings(
        name=name,
        config=config,
        multi_az=bool(pick(config.multi_az, defaults.multi_az)),
        deletion_protection=bool(pick(config.deletion_protection, defaults.deletion_protection)),
        skip_final_snapshot=bool(pick(config.skip_final_snapshot, defaults.skip_final_snapshot)),
        backup_retention_days=int(pick(config.backup_retention_days, defaults.backup_retention_days)),  # type: ignore[arg-type]
        performance_insights=bool(pick(config.performance_insights, defaults.performance_insights)),
        monitoring_interval=int(pick(config.monitoring_interval, defaults.monitoring_interval)),  # type: ignore[arg-type]
        log_retention_days=int(pick(config.log_retention_days, defaults.log_retention_days)),  # type: ignore[arg-type]
        apply_immediately=bool(pick(config.apply_immediately, defaults.apply_immediately)),
        os_metrics_log_group=bool(pick(config.os_metrics_log_group, defaults.os_metrics_log_group)),
        protect=environment is Environment.PROD,
    )
    if config.max_allocated_storage <= config.allocated_storage:
        problems.append(
            f"{key}.maxAllocatedStorage: got {config.max_allocated_storage}, but it must be above "
            f"allocatedStorage {config.allocated_storage} for storage autoscaling; use e.g. "
            f"{max(100, config.allocated_storage * 2)}"
        )
    elif config.max_allocated_storage > MAX_STORAGE_GB:
        problems.append(
            f"{key}.maxAllocatedStorage: got {config.max_allocated_storage}, but RDS stops at "
            f"{MAX_STORAGE_GB} GB; use {MAX_STORAGE_GB} or less"
        )
    if environment is Environment.PROD:
        if not settings.multi_az:
            problems.append(
                f"{key}.multiAz: got false, but prod databases keep a standby in another zone to survive "
                "a zone outage; use true (the prod default)"
            )
        if not settings.deletion_protection:
            problems.append(
                f"{key}.deletionProtection: got false, but prod databases refuse deletion; use true "
                "(turn it off in a separate update only to retire the database)"
            )
        if settings.skip_final_snapshot:
            problems.append(
                f"{key}.skipFinalSnapshot: got true, but prod databases keep a final snapshot; use false"
            )
        if settings.backup_retention_days < PROD_MIN_BACKUP_RETENTION_DAYS:
            problems.append(
                f"{key}.backupRetentionDays: got {settings.backup_retention_days}, but prod keeps at least "
                f"{PROD_MIN_BACKUP_RETENTION_DAYS} days of backups; use {PROD_MIN_BACKUP_RETENTION_DAYS} to "
                f"{MAX_BACKUP_RETENTION_DAYS}"
            )
        if settings.log_retention_days < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"{key}.logRetentionDays: got {settings.log_retention_days}, but prod keeps logs at least "
                f"{PROD_MIN_LOG_RETENTION_DAYS} days; use 90 or more"
            )
    return settings, problems


__all__ = [
    "BACKUP_WINDOW",
    "DATABASE_DEFAULTS",
    "DatabaseConfig",
    "DatabaseSettings",
    "database_settings",
]
