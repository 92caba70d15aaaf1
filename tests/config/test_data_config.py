"""Config of the data tier: defaults per environment, prod invariants, named errors and warnings."""

import json
from typing import Any

import pytest

from stack.config import parse_settings
from tests.config.test_config import IMAGE, problems_of, raw

PROD_DB = {"main": {}}


def stack(
    environment: str = "dev", databases: Any = None, caches: Any = None, **services: Any
) -> dict[str, str]:
    """A valid config with data stores; every service uses ``main`` unless told otherwise."""
    changes: dict[str, Any] = {}
    if databases is not None:
        changes["webstack__databases"] = databases
    if caches is not None:
        changes["webstack__caches"] = caches
    if services:
        changes["webstack__services"] = {
            name: {"image": IMAGE, "port": 8080, **fields} for name, fields in services.items()
        }
    return raw(environment, **changes)


def test_dev_databases_default_to_the_dev_shortcuts_and_prod_to_the_safe_settings():
    dev = parse_settings(stack("dev", databases={"main": {}}, web={"database": "main"}), "dev")
    prod = parse_settings(stack("prod", databases={"main": {}}, web={"database": "main"}), "prod")
    (d,), (p,) = dev.databases, prod.databases
    assert (d.multi_az, d.deletion_protection, d.skip_final_snapshot, d.backup_retention_days) == (
        False,
        False,
        True,
        1,
    )
    assert (p.multi_az, p.deletion_protection, p.skip_final_snapshot, p.backup_retention_days) == (
        True,
        True,
        False,
        14,
    )
    assert (d.monitoring_interval, p.monitoring_interval, d.performance_insights, p.performance_insights) == (
        0,
        60,
        False,
        True,
    )
    assert (d.protect, p.protect) == (False, True)
    assert dev.data_tier and prod.data_tier
    assert not parse_settings(stack("dev"), "dev").data_tier


def test_caches_fail_over_in_prod_and_run_one_node_in_dev():
    dev = parse_settings(stack("dev", caches={"main": {}}, web={"cache": "main"}), "dev")
    prod = parse_settings(stack("prod", caches={"main": {}}, web={"cache": "main"}), "prod")
    (d,), (p,) = dev.caches, prod.caches
    assert (d.nodes, d.failover, d.snapshot_retention_days) == (1, False, 0)
    assert (p.nodes, p.failover, p.snapshot_retention_days) == (2, True, 7)


def test_dev_shortcuts_and_a_database_no_service_uses_are_warnings_not_errors():
    settings = parse_settings(
        stack("dev", databases={"main": {}, "spare": {}}, web={"database": "main"}), "dev"
    )
    assert (
        "database spare: no service declares it (services.<name>.database: spare), so nothing can reach it"
        in (settings.warnings)
    )
    assert "database main: single-AZ (a zone outage stops it) (a dev-only shortcut)" in settings.warnings
    prod = parse_settings(stack("prod", databases={"main": {}}, web={"database": "main"}), "prod")
    assert [w.split(", so")[0].split(" writes")[0] for w in prod.warnings] == [
        "database main: applyImmediately is false",
        "database main: Enhanced Monitoring",
        "webstack:backup.copyTarget: missing",  # prod backs its databases up (stack/backup.py)
    ]


@pytest.mark.parametrize(
    ("environment", "immediately", "owns"), [("dev", True, False), ("prod", False, False)]
)
def test_dev_applies_database_changes_at_once_prod_in_the_maintenance_window_and_neither_owns_rdsosmetrics(
    environment, immediately, owns
):
    """RDSOSMetrics is opt-in: RDS creates it as soon as Enhanced Monitoring writes, so in an account that
    ever ran a monitored instance creating it by default would fail (ResourceAlreadyExistsException)."""
    settings = parse_settings(
        stack(environment, databases={"main": {}}, web={"database": "main"}), environment
    )
    (database,) = settings.databases
    assert (database.apply_immediately, database.os_metrics_log_group) == (immediately, owns)
    waits = [w for w in settings.warnings if "maintenance window" in w]
    assert bool(waits) is not immediately


@pytest.mark.parametrize(("strategy", "expected"), [(None, "ROTATE"), ("SET", "SET"), ("ROTATE", "ROTATE")])
def test_the_cache_auth_token_strategy_defaults_to_rotate(strategy, expected):
    cache = {} if strategy is None else {"authTokenStrategy": strategy}
    (settings,) = parse_settings(stack("dev", caches={"main": cache}, web={"cache": "main"}), "dev").caches
    assert settings.config.auth_token_strategy == expected


@pytest.mark.parametrize(
    "instance_class",
    [
        "db.t4g.micro",
        "db.t3.2xlarge",
        "db.m7g.16xlarge",
        "db.r6i.32xlarge",
        "db.m8g.48xlarge",
        "db.r5b.24xlarge",
    ],
)
def test_instance_classes_rds_for_postgresql_offers_are_accepted(instance_class):
    config = stack("dev", databases={"main": {"instanceClass": instance_class}}, web={"database": "main"})
    (database,) = parse_settings(config, "dev").databases
    assert database.config.instance_class == instance_class


DATA_BAD_INPUTS = [
    (
        "prod database without multi-az",
        stack("prod", databases={"main": {"multiAz": False}}),
        "webstack:databases.main.multiAz",
        "standby in another zone",
    ),
    (
        "prod database without deletion protection",
        stack("prod", databases={"main": {"deletionProtection": False}}),
        "webstack:databases.main.deletionProtection",
        "refuse deletion",
    ),
    (
        "prod database skipping its final snapshot",
        stack("prod", databases={"main": {"skipFinalSnapshot": True}}),
        "webstack:databases.main.skipFinalSnapshot",
        "final snapshot",
    ),
    (
        "prod backups too short",
        stack("prod", databases={"main": {"backupRetentionDays": 7}}),
        "webstack:databases.main.backupRetentionDays",
        "at least 14 days",
    ),
    (
        "backups beyond what rds keeps",
        stack("dev", databases={"main": {"backupRetentionDays": 36}}),
        "webstack:databases.main.backupRetentionDays",
        "1 to 35 days",
    ),
    (
        "backups turned off",
        stack("dev", databases={"main": {"backupRetentionDays": 0}}),
        "webstack:databases.main.backupRetentionDays",
        "0 turns them off",
    ),
    (
        "engine version with a minor",
        stack("dev", databases={"main": {"engineVersion": "16.4"}}),
        "webstack:databases.main.engineVersion",
        "major version only",
    ),
    (
        "engine version not a number",
        stack("dev", databases={"main": {"engineVersion": "latest"}}),
        "webstack:databases.main.engineVersion",
        "major version only",
    ),
    (
        "engine major rds does not offer",
        stack("dev", databases={"main": {"engineVersion": "9"}}),
        "webstack:databases.main.engineVersion",
        "offers majors 14, 15, 16, 17",
    ),
    (
        "instance class postgres does not run on",
        stack("dev", databases={"main": {"instanceClass": "db.t2.micro"}}),
        "webstack:databases.main.instanceClass",
        "does not offer it",
    ),
    (
        "instance size the family does not come in",
        stack("dev", databases={"main": {"instanceClass": "db.m7g.3xlarge"}}),
        "webstack:databases.main.instanceClass",
        "db.m7g comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, not 3xlarge",
    ),
    (
        "graviton class above its largest size",
        stack("dev", databases={"main": {"instanceClass": "db.r7g.32xlarge"}}),
        "webstack:databases.main.instanceClass",
        "not 32xlarge",
    ),
    (
        "burstable class above 2xlarge",
        stack("dev", databases={"main": {"instanceClass": "db.t4g.4xlarge"}}),
        "webstack:databases.main.instanceClass",
        "db.t4g comes in micro, small, medium, large, xlarge, 2xlarge, not 4xlarge",
    ),
    (
        "aurora-only instance class",
        stack("dev", databases={"main": {"instanceClass": "db.serverless"}}),
        "webstack:databases.main.instanceClass",
        "Aurora only",
    ),
    (
        "storage below 20 gb",
        stack("dev", databases={"main": {"allocatedStorage": 10}}),
        "webstack:databases.main.allocatedStorage",
        "20 to 65536 GB",
    ),
    (
        "autoscaling ceiling not above the storage",
        stack("dev", databases={"main": {"allocatedStorage": 100, "maxAllocatedStorage": 100}}),
        "webstack:databases.main.maxAllocatedStorage",
        "above allocatedStorage 100",
    ),
    (
        "monitoring interval rds does not offer",
        stack("dev", databases={"main": {"monitoringInterval": 45}}),
        "webstack:databases.main.monitoringInterval",
        "0, 1, 5, 10, 15, 30, 60",
    ),
    (
        "reserved master user",
        stack("dev", databases={"main": {"username": "postgres"}}),
        "webstack:databases.main.username",
        "reserved",
    ),
    (
        "database name unusable in aws names",
        stack("dev", databases={"Main_DB": {}}),
        "webstack:databases.Main_DB",
        "lowercase letters",
    ),
    (
        "database name ending in a dash",
        stack("dev", databases={"main-": {}}),
        "webstack:databases.main-",
        "not ending with a dash",
    ),
    (
        "database name with a double dash",
        stack("dev", databases={"order--db": {}}),
        "webstack:databases.order--db",
        'the name "order--db" is not usable; use 1-16 lowercase letters and digits, words joined by single',
    ),
    (
        "cache name ending in a dash",
        stack("dev", caches={"main-": {}}),
        "webstack:caches.main-",
        "not ending with a dash",
    ),
    (
        "cache auth token strategy aws does not know",
        stack("dev", caches={"main": {"authTokenStrategy": "DELETE"}}),
        "webstack:caches.main.authTokenStrategy",
        "ROTATE",
    ),
    (
        "database in a single-zone network",
        raw("dev", webstack__network={"azCount": 1}, webstack__databases={"main": {}}),
        "webstack:network.azCount",
        "at least 2 availability zones",
    ),
    (
        "service naming a database that does not exist",
        stack("dev", databases={"main": {}}, web={"database": "orders"}),
        "webstack:services.web.database",
        'got "orders", but webstack:databases has no such database (declared: main)',
    ),
    (
        "service naming a cache when none is declared",
        stack("dev", web={"cache": "main"}),
        "webstack:services.web.cache",
        "(declared: none)",
    ),
    (
        "prod cache without a replica",
        stack("prod", caches={"main": {"nodes": 1}}),
        "webstack:caches.main.nodes",
        "2 or more nodes",
    ),
    (
        "prod cache without snapshots",
        stack("prod", caches={"main": {"snapshotRetentionDays": 0}}),
        "webstack:caches.main.snapshotRetentionDays",
        "prod keeps snapshots",
    ),
    (
        "valkey version without a minor",
        stack("dev", caches={"main": {"engineVersion": "8"}}),
        "webstack:caches.main.engineVersion",
        "7.2, 8.0",
    ),
    (
        "cache node size its family does not offer",
        stack("dev", caches={"main": {"nodeType": "cache.t4g.large"}}),
        "webstack:caches.main.nodeType",
        "cache.t4g comes in micro, small, medium, not large",
    ),
    (
        "unknown database key",
        stack("dev", databases={"main": {"multiAZ": True}}),
        "webstack:databases.main.multiAZ",
        "did you mean 'multiAz'",
    ),
]


@pytest.mark.parametrize(
    ("config", "key", "words"),
    [case[1:] for case in DATA_BAD_INPUTS],
    ids=[case[0] for case in DATA_BAD_INPUTS],
)
def test_each_bad_data_input_fails_with_an_error_naming_its_key_and_the_fix(config, key, words):
    problems = problems_of(config)
    matching = [problem for problem in problems if problem.startswith(f"{key}:")]
    assert matching, f"no problem names {key}: {problems}"
    assert any(words in problem for problem in matching), matching


def test_every_data_problem_is_reported_together_with_the_other_sections_problems():
    config = stack(
        "prod", databases={"main": {"multiAz": False, "backupRetentionDays": 7}}, web={"database": "x"}
    )
    config["webstack:network"] = json.dumps({"natMode": "single"})
    problems = problems_of(config)
    keys = {problem.split(":")[1].split(" ")[0] for problem in problems if problem.startswith("webstack:")}
    assert {
        "databases.main.multiAz",
        "databases.main.backupRetentionDays",
        "services.web.database",
        "network.natMode",
    } <= keys
