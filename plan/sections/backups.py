"""Backups: per backed-up store, its recovery point objective, an estimated recovery time, where its
copies live (vault, lock, copy region and account) and when its restore is tested; and the monthly
cost of its recovery points (``plan/cost.py`` prices the plan with :func:`backup_lines`).

RPO: 5 minutes with continuous backup for RDS and S3 (the latest restorable time; AWS Backup
``point-in-time-recovery.html``), otherwise the time between two scheduled backups. RTO: an
ESTIMATE, not a measurement: an RDS restore creates a new instance (about 20 minutes plus one for
every 20 GB, our rule of thumb from AWS's "restore time depends on the size"), then services are
pointed at it (a config change and a deploy, about 15 minutes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.pure.backup import BACKUP_TAG_KEY, parse_vault_arn, rpo_text, schedule_interval_hours
from plan.cost_model import NOT_PRICED, Context, Line
from plan.graph import Graph
from plan.graph_index import Index

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
SELECTION = "aws:backup/selection:Selection"
RESTORE_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
RDS = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
OTHER_STORES = {BUCKET: ("S3", "bucket", "appBucketGb"), FILE_SYSTEM: ("EFS", "volume", "volumeGb")}
"""Buckets and volumes the selection takes by the same tag: (AWS Backup's type, its word, the assumed GB)."""
RESTORE_BASE_MINUTES, RESTORE_GB_PER_MINUTE, REPOINT_MINUTES = 20, 20, 15
"""The RTO estimate's parts (see the module docstring)."""
WEEKS_PER_MONTH = 52 / 12


def tag_value(index: Index) -> str | None:
    """The value the backup selection matches (one selection per stack)."""
    for selection in index.of_type(SELECTION):
        for condition in selection["inputs"].get("conditions") or []:
            for equal in condition.get("stringEquals") or []:
                if equal.get("key") == f"aws:ResourceTag/{BACKUP_TAG_KEY}":
                    return str(equal.get("value"))
    return None


def backed_up_databases(index: Index) -> list[Mapping[str, Any]]:
    """The RDS instances whose tags put them in the backup selection."""
    value = tag_value(index)
    if value is None:
        return []
    return [r for r in index.of_type(RDS) if (r["inputs"].get("tags") or {}).get(BACKUP_TAG_KEY) == value]


def backed_up_stores(index: Index) -> list[tuple[Mapping[str, Any], str, str, str]]:
    """App buckets and volumes the selection takes: (resource, AWS Backup type, word, assumed-GB key)."""
    value = tag_value(index)
    if value is None:
        return []
    return [
        (r, *OTHER_STORES[r["type"]])
        for type_ in OTHER_STORES
        for r in index.of_type(type_)
        if (r["inputs"].get("tags") or {}).get(BACKUP_TAG_KEY) == value
    ]


def rule_of(index: Index) -> Mapping[str, Any] | None:
    plans = index.of_type(PLAN)
    rules = plans[0]["inputs"].get("rules") or [] if plans else []
    return rules[0] if rules else None


def rto_minutes(allocated_gb: float) -> int:
    """The estimate: restore a new instance, then repoint the services."""
    return int(RESTORE_BASE_MINUTES + allocated_gb / RESTORE_GB_PER_MINUTE + REPOINT_MINUTES)


def _copies(index: Index, rule: Mapping[str, Any]) -> str:
    vaults = index.of_type(VAULT)
    locks = index.of_type(LOCK)
    vault = str(vaults[0]["inputs"].get("name")) if vaults else "?"
    if locks:
        lock = locks[0]["inputs"]
        mode = "compliance" if lock.get("changeableForDays") else "governance"
        lock_text = f"{mode} lock, {lock.get('minRetentionDays')}-{lock.get('maxRetentionDays')} days"
    else:
        lock_text = "no lock"
    copies = [parse_vault_arn(str(c.get("destinationVaultArn"))) for c in rule.get("copyActions") or []]
    where = (
        ", ".join(f"copy in {c.region} / account {c.account} ({c.name})" for c in copies if c) or "no copy"
    )
    return f"vault {vault} ({lock_text}); {where}"


def _restore_tests(index: Index) -> str:
    plans = index.of_type(RESTORE_PLAN)
    if not plans:
        return "no restore test"
    rds = [s for s in index.of_type(RESTORE_SELECTION) if s["inputs"].get("protectedResourceType") == "RDS"]
    hours = rds[0]["inputs"].get("validationWindowHours") if rds else None
    return f"restore test {plans[0]['inputs'].get('scheduleExpression')} UTC, kept {hours} h then deleted"


def backups(graph: Graph) -> list[str]:
    """One line per backed-up database (buckets and volumes join with their own tag)."""
    index = Index(graph)
    rule = rule_of(index)
    if rule is None:
        return ["Backups: none (webstack:backup is off or the stack has no data)."]
    schedule, continuous = str(rule.get("schedule")), bool(rule.get("enableContinuousBackup"))
    retention = (rule.get("lifecycle") or {}).get("deleteAfter")
    lines = [
        f"Backups ({schedule} UTC, kept {retention} days; RTO is an estimate):",
        f"  where: {_copies(index, rule)}",
        f"  {_restore_tests(index)}",
    ]
    for db in backed_up_databases(index):
        size = float(db["inputs"].get("allocatedStorage") or 0)
        lines.append(
            f"  database {db['inputs'].get('identifier')}: RPO {rpo_text(schedule, continuous, 'RDS')}, "
            f"RTO ~{rto_minutes(size)} min (restore {size:g} GB to a new instance, repoint services)"
        )
    for store, backup_type, word, _ in backed_up_stores(index):
        name = store["outputs"].get("bucket") or store["outputs"].get("id") or store["name"]
        lines.append(
            f"  {word} {name}: RPO {rpo_text(schedule, continuous, backup_type)}, RTO: hours, growing with "
            f"its size and object count (restore into a new {word}, point the services at it)"
        )
    return lines


def backup_lines(
    index: Index, plan: Mapping[str, Any], prices: Mapping[str, Any]
) -> list[tuple[str, float | None, str]]:
    """(kind, USD a month, how) for the plan: warm storage of each backed-up database's allocated storage
    (the assumption: one full copy's worth), the copy's storage and cross-region transfer, and the
    restored instance's hours during restore tests."""
    table = prices["backup"]  # a table without it: plan/cost.py lists the plan as not priced, naming it
    rule = (plan["inputs"].get("rules") or [{}])[0]
    databases = backed_up_databases(index)
    gb = sum(float(db["inputs"].get("allocatedStorage") or 0) for db in databases)
    warm = table["warmStorageGbMonth"]
    found: list[tuple[str, float | None, str]] = [
        (
            "AWS Backup storage",
            gb * warm,
            f"{gb:g} GB (the databases' allocated storage) x ${warm}/GB-month warm",
        )
    ]
    copies = rule.get("copyActions") or []
    if copies:
        transfer = table["crossRegionTransferGb"]
        found.append(
            (
                "AWS Backup copy",
                gb * (warm + transfer),
                f"{gb:g} GB stored in the copy vault x ${warm} + one full transfer a month x ${transfer}/GB",
            )
        )
    hours = restore_test_hours(index)
    rates = prices["rds"]["instanceHour"] if hours and databases else {}
    for db in databases if hours else []:
        size = str(db["inputs"].get("instanceClass"))
        if size in rates:  # an unpriced class is already named on the database's own line
            how = f"{hours:.0f} h a month of a restored {size} (single-AZ) during restore tests"
            found.append(("Restore tests", hours * rates[size], how))
    return found


def restore_test_hours(index: Index) -> float:
    """Hours a month one restored database runs: the validation window times the runs a month."""
    plans, rds = (
        index.of_type(RESTORE_PLAN),
        [s for s in index.of_type(RESTORE_SELECTION) if s["inputs"].get("protectedResourceType") == "RDS"],
    )
    if not plans or not rds:
        return 0.0
    interval = schedule_interval_hours(str(plans[0]["inputs"].get("scheduleExpression"))) or 24 * 7
    runs = 730 / interval
    return float(rds[0]["inputs"].get("validationWindowHours") or 0) * runs


def store_lines(
    index: Index, plan: Mapping[str, Any], prices: Mapping[str, Any], assumed: Mapping[str, float]
) -> list[tuple[str, float | None, str]]:
    """Warm storage of each backed-up bucket and volume (the assumed GB the estimate stores in it), and
    of its copy when the plan copies."""
    warm = prices["backup"]["warmStorageGbMonth"]
    copies = bool(((plan["inputs"].get("rules") or [{}])[0]).get("copyActions"))
    found: list[tuple[str, float | None, str]] = []
    for _, _, word, gb_key in backed_up_stores(index):
        gb, times = assumed[gb_key], 2 if copies else 1
        how = f"{gb:g} GB ({gb_key}) x ${warm}/GB-month warm" + (", and its copy" if copies else "")
        found.append((f"AWS Backup storage ({word})", gb * warm * times, how))
    return found


def backup_plan_lines(ctx: Context, plan: Mapping[str, Any]) -> list[Line]:
    """plan/cost.py's rule for the backup plan: :func:`backup_lines` and :func:`store_lines` as estimate
    lines."""
    rows = [
        *backup_lines(ctx.index, plan, ctx.prices),
        *store_lines(ctx.index, plan, ctx.prices, ctx.assumed),
    ]
    return [
        ctx.line(plan, kind, monthly, how, "fixed" if monthly is not None else NOT_PRICED)
        for kind, monthly, how in rows
    ]


__all__ = ["backup_lines", "backup_plan_lines", "backups", "restore_test_hours", "rto_minutes"]
