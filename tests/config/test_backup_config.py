"""Config of ``webstack:backup``: defaults per environment, the copy target, the lock, and named errors."""

from typing import Any

import pytest

from components.pure.backup import LockMode, parse_vault_arn, rpo_text, schedule_interval_hours
from stack.config import parse_settings
from tests.config.test_config import IMAGE, problems_of, raw

COPY = "arn:aws:backup:eu-central-1:111111111111:backup-vault:webstack-copy"
"""Another region of the stack's own account (the stacks here run in eu-west-1, account 111111111111)."""


def stack(
    environment: str = "dev", backup: Any = None, databases: Any = None, **network: Any
) -> dict[str, str]:
    """A valid config with one database used by one service, and ``webstack:backup`` when given."""
    changes: dict[str, Any] = {
        "webstack__databases": {"main": {}} if databases is None else databases,
        "webstack__services": {"web": {"image": IMAGE, "port": 8080, "database": "main"}},
    }
    if backup is not None:
        changes["webstack__backup"] = backup
    if network:
        changes["webstack__network"] = network
    return raw(environment, **changes)


def test_prod_backs_up_by_default_into_a_governance_locked_vault_and_dev_does_not():
    prod = parse_settings(stack("prod", {"copyTarget": {"vaultArn": COPY}}), "prod").backup
    dev = parse_settings(stack("dev"), "dev").backup
    assert (prod.enabled, prod.lock_mode, prod.continuous, prod.retention_days) == (
        True,
        LockMode.GOVERNANCE,
        True,
        35,
    )
    assert (prod.copy_vault_arn, prod.copy_region, prod.copy_account) == (
        COPY,
        "eu-central-1",
        "111111111111",
    )
    assert (prod.restore_tests, prod.restore_test_schedule, prod.validation_hours) == (
        True,
        "cron(0 5 ? * SAT *)",
        4,
    )
    assert not dev.enabled and dev.lock_mode is None


def test_dev_may_turn_backups_on_without_a_lock_or_a_copy():
    dev = parse_settings(stack("dev", {"enabled": True}), "dev").backup
    assert (dev.enabled, dev.lock_mode, dev.copy_vault_arn, dev.restore_tests) == (True, None, None, True)


def test_prod_without_a_copy_target_warns_that_backups_stay_in_the_account_and_region():
    settings = parse_settings(stack("prod"), "prod")
    assert settings.backup.enabled and settings.backup.copy_vault_arn is None
    (warning,) = [w for w in settings.warnings if w.startswith("webstack:backup")]
    assert warning.startswith("webstack:backup.copyTarget: missing, so prod's backups stay in this account")


def test_a_stack_without_databases_builds_no_backups_even_in_prod():
    settings = parse_settings(raw("prod"), "prod")
    assert not settings.backup.enabled
    assert not [w for w in settings.warnings if w.startswith("webstack:backup")]


def test_a_copy_target_in_the_stacks_own_account_and_region_is_refused():
    same = "arn:aws:backup:eu-west-1:111111111111:backup-vault:webstack-copy"
    (problem,) = problems_of(stack("prod", {"copyTarget": {"vaultArn": same}}))
    assert problem == (
        f"webstack:backup.copyTarget.vaultArn: got {same}, but that vault is in this stack's own account "
        "(111111111111) and region (eu-west-1): a copy there is lost with them; use a vault in another "
        "region or another account"
    )


def test_a_copy_target_in_another_account_of_the_same_region_is_accepted():
    other = "arn:aws:backup:eu-west-1:999999999999:backup-vault:central"
    assert parse_settings(stack("prod", {"copyTarget": {"vaultArn": other}}), "prod").backup.copy_account == (
        "999999999999"
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::webstack-copy",
        "arn:aws:backup:eu-central-1:1111:backup-vault:webstack-copy",
        "webstack-copy",
    ],
)
def test_a_copy_target_that_is_not_a_vault_arn_is_refused(arn: str):
    (problem,) = problems_of(stack("prod", {"copyTarget": {"vaultArn": arn}}))
    assert problem.startswith(
        f'webstack:backup.copyTarget.vaultArn: got "{arn}", but it is not a backup vault'
    )
    assert "arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>" in problem


def test_a_retention_shorter_than_the_locks_minimum_is_refused_with_both_numbers():
    config = {"copyTarget": {"vaultArn": COPY}, "retentionDays": 5, "lockMinRetentionDays": 7}
    (problem,) = problems_of(stack("prod", config))
    assert problem.startswith(
        "webstack:backup.retentionDays: got 5, but the vault lock's minimum is 7 days (the lock refuses"
    )
    assert problem.endswith("use 7 or more, or lower lockMinRetentionDays")


def test_a_retention_longer_than_the_locks_maximum_is_refused():
    config = {"copyTarget": {"vaultArn": COPY}, "continuous": False, "retentionDays": 400}
    (problem,) = problems_of(stack("prod", config))
    assert problem.startswith(
        "webstack:backup.retentionDays: got 400, but the vault lock's maximum is 365 days"
    )


def test_continuous_backup_keeps_at_most_35_days():
    config = {"copyTarget": {"vaultArn": COPY}, "retentionDays": 36}
    (problem,) = problems_of(stack("prod", config))
    assert problem == (
        "webstack:backup.retentionDays: got 36, but continuous backup keeps at most 35 days; use 35 or less, "
        "or set continuous: false"
    )


def test_compliance_mode_needs_the_72_hour_cooling_off():
    config = {"copyTarget": {"vaultArn": COPY}, "lockMode": "compliance", "lockChangeableForDays": 1}
    (problem,) = problems_of(stack("prod", config))
    assert problem.startswith("webstack:backup.lockChangeableForDays: got 1, but it must be at least 3")


def test_a_rate_schedule_is_refused_because_aws_backup_takes_cron_only():
    config = {"copyTarget": {"vaultArn": COPY}, "schedule": "rate(1 day)"}
    (problem,) = problems_of(stack("prod", config))
    assert problem == (
        'webstack:backup.schedule: got "rate(1 day)", but AWS Backup takes cron(...) only; use e.g. '
        "'cron(0 2 * * ? *)'"
    )


def test_restore_tests_without_nat_or_endpoints_are_refused():
    problems = problems_of(stack("dev", {"enabled": True}, natMode="none"))
    (problem,) = [p for p in problems if p.startswith("webstack:backup")]
    assert problem.startswith("webstack:backup.restoreTests: on, but the network has no NAT and no interface")


def test_an_unknown_backup_key_is_named_with_a_suggestion():
    (problem,) = problems_of(stack("dev", {"retention": 7}))
    assert problem.startswith("webstack:backup.retention: unknown key; did you mean 'retentionDays'?")


def test_prod_without_backups_warns_that_data_stays_in_the_account():
    settings = parse_settings(stack("prod", {"enabled": False}), "prod")
    assert not settings.backup.enabled
    assert any(w.startswith("webstack:backup.enabled: false in prod") for w in settings.warnings)


def test_the_recovery_point_objective_follows_continuous_backup_then_the_schedule():
    assert rpo_text("cron(0 2 * * ? *)", True, "RDS") == "5 min (continuous backup)"
    assert rpo_text("cron(0 2 * * ? *)", True, "EFS") == "24 h (daily backup)"
    assert rpo_text("cron(0 */6 * * ? *)", False, "S3") == "6 h"
    assert rpo_text("cron(0 3 ? * SUN *)", False, "RDS") == "168 h (every 7 days)"
    assert schedule_interval_hours("cron(0 3 1 * ? *)") is None


def test_a_vault_arn_is_read_into_region_account_and_name():
    parsed = parse_vault_arn(COPY)
    assert parsed is not None and (parsed.region, parsed.account, parsed.name) == (
        "eu-central-1",
        "111111111111",
        "webstack-copy",
    )
