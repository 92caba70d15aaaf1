"""The plan's Backups section and the backup lines of the cost estimate, over the data fixtures."""

import copy
from functools import cache

import pytest

from plan import cost, graph, report
from plan.sections.backups import backups, rto_minutes
from tests.support.fixture_stacks import FIXTURES


@cache
def captured(stack: str) -> graph.Graph:
    return graph.capture(stack, root=FIXTURES)


def test_prod_prints_each_databases_rpo_rto_copies_lock_and_restore_test():
    lines = backups(captured("data-prod"))
    assert lines == [
        "Backups (cron(0 2 * * ? *) UTC, kept 35 days; RTO is an estimate):",
        "  where: vault webstack-data-prod (governance lock, 7-365 days); copy in eu-central-1 / account "
        "222222222222 (webstack-data-prod-copy)",
        "  restore test cron(0 5 ? * SAT *) UTC, kept 4 h then deleted",
        "  database webstack-data-prod-main: RPO 5 min (continuous backup), RTO ~37 min (restore 50 GB to a "
        "new instance, repoint services)",
        # The app bucket joins by the same tag; S3 has continuous backup too (point-in-time-recovery.html).
        "  bucket bucket-uploads-s3-id: RPO 5 min (continuous backup), RTO: hours, growing with its size and "
        "object count (restore into a new bucket, point the services at it)",
    ]
    assert lines in list(report.sections(captured("data-prod")))


def test_a_stack_without_backups_says_so():
    assert backups(captured("data-dev")) == [
        "Backups: none (webstack:backup is off or the stack has no data)."
    ]


def test_the_rto_estimate_grows_with_the_storage_to_restore():
    assert (rto_minutes(20), rto_minutes(200)) == (36, 45)


@pytest.mark.parametrize(
    ("kind", "monthly"),
    [
        ("AWS Backup storage", 50 * 0.095),  # the database's allocated 50 GB, warm
        ("AWS Backup copy", 50 * (0.095 + 0.02)),  # stored in the copy vault + one transfer a month
        ("Restore tests", 4 * (730 / 168) * 0.178),  # 4 h weekly of a restored db.m7g.large
        ("AWS Backup storage (bucket)", 10 * 0.095 * 2),  # the app bucket's assumed 10 GB, and its copy
    ],
)
def test_the_estimate_prices_recovery_points_their_copy_and_restore_test_hours(kind: str, monthly: float):
    estimate = cost.estimate(captured("data-prod"), cost.load_prices("eu-west-1") or {})
    (line,) = [line for line in estimate.lines if line.kind == kind]
    assert line.resource == "backup-plan" and line.basis == "fixed"
    assert line.monthly == pytest.approx(monthly)


def test_no_backup_type_is_left_unpriced():
    estimate = cost.estimate(captured("data-prod"), cost.load_prices("eu-west-1") or {})
    assert not [line for line in estimate.lines if line.basis == "not priced"]


def test_a_tagged_volume_joins_the_backups_with_the_schedules_rpo_since_efs_has_no_continuous_backup():
    """EFS takes no continuous backup (AWS Backup point-in-time-recovery.html: RDS, S3, SAP HANA on EC2),
    so a volume's RPO is the time between two daily backups."""
    found = copy.deepcopy(captured("data-prod"))
    bucket = next(
        r
        for r in found["resources"]
        if r["type"] == "aws:s3/bucket:Bucket" and r["name"] == "bucket-uploads-s3"
    )
    volume = {**copy.deepcopy(bucket), "type": "aws:efs/fileSystem:FileSystem", "name": "volume-files-efs"}
    volume["urn"], volume["outputs"] = (
        bucket["urn"].replace("bucket-uploads-s3", "volume-files-efs"),
        {"id": "fs-1"},
    )
    found["resources"].append(volume)
    assert backups(found)[-1] == (
        "  volume fs-1: RPO 24 h (daily backup), RTO: hours, growing with its size and object count (restore "
        "into a new volume, point the services at it)"
    )
