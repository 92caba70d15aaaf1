"""Backups in whole stacks: prod's data fixture backs its database up by tag, copies out of the region and
restore-tests it in its own isolated subnets; dev builds nothing; a no-NAT stack gets the endpoints the
validation function needs."""

import json
from pathlib import Path

import pytest

from plan.engine import Run, run_stack

STACKS = Path(__file__).parents[1] / "stacks"
COPY = "arn:aws:backup:eu-central-1:222222222222:backup-vault:webstack-data-prod-copy"


@pytest.fixture(scope="module")
def prod() -> Run:
    return run_stack("data-prod", root=STACKS)


def test_the_prod_database_carries_the_tag_the_backup_selection_and_restore_tests_match(prod: Run):
    tags = prod.named("db-main-instance").inputs["tags"]
    assert tags == {"Stack": "data-prod", "webstack-backup": "webstack-data-prod"}
    tag = {"key": "aws:ResourceTag/webstack-backup", "value": "webstack-data-prod"}
    assert prod.named("backup-selection").inputs["conditions"] == [{"stringEquals": [tag]}]
    rds = prod.named("backup-restore-tests-selection-rds").inputs
    assert rds["protectedResourceConditions"] == {"stringEquals": [tag]}
    # Only the instance: its key, groups and log groups are not backup resources.
    assert "webstack-backup" not in prod.named("db-main-subnets").inputs["tags"]


def test_prod_copies_every_recovery_point_to_the_configured_vault_in_another_region_under_a_governance_lock(
    prod: Run,
):
    (rule,) = prod.named("backup-plan").inputs["rules"]
    assert rule["copyActions"] == [{"destinationVaultArn": COPY, "lifecycle": {"deleteAfter": 35}}]
    lock = prod.named("backup-lock").inputs
    assert "changeableForDays" not in lock  # governance: no grace period that makes it permanent
    assert prod.named("backup-vault").inputs["name"] == "webstack-data-prod"


def test_restored_databases_land_in_the_networks_isolated_subnets_and_the_check_runs_in_its_private_ones(
    prod: Run,
):
    isolated = sorted(r.id for r in prod.of_type("aws:ec2/subnet:Subnet") if "-isolated-" in r.name)
    private = sorted(r.id for r in prod.of_type("aws:ec2/subnet:Subnet") if "-private-" in r.name)
    assert len(isolated) == 3 and len(private) == 3
    assert sorted(prod.named("backup-restore-tests-subnets").inputs["subnetIds"]) == isolated
    function = prod.named("backup-restore-tests-check-fn").inputs
    assert sorted(function["vpcConfig"]["subnetIds"]) == private
    assert function["environment"]["variables"]["TOPIC_ARN"] == prod.named("alerts-topic").state["arn"]
    overrides = prod.named("backup-restore-tests-selection-rds").inputs["restoreMetadataOverrides"]
    assert json.loads(overrides["vpcsecuritygroupids"]) == [prod.named("backup-restore-tests-restored-sg").id]


def test_a_dev_data_stack_builds_no_backup_and_tags_nothing():
    dev = run_stack("data-dev", root=STACKS)
    assert not [r for r in dev.resources if r.type.startswith("aws:backup/")]
    assert "webstack-backup" not in dev.named("db-main-instance").inputs["tags"]


def test_a_stack_without_nat_gets_the_backup_rds_and_sns_endpoints_for_its_restore_check():
    run = run_stack(
        "data-dev",
        {
            "webstack:backup": {"enabled": True},
            "webstack:services": None,
            "webstack:buckets": None,
            "webstack:network": {"cidr": "10.10.0.0/16", "natMode": "none", "interfaceEndpoints": True},
        },
        root=STACKS,
    )
    services = {
        r.inputs["serviceName"].rsplit(".", 1)[-1] for r in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert {"backup", "rds", "sns"} <= services


BACKUP_ACCOUNT = "333333333333"
COPY_KEY_ACTIONS = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
]


def statements(run: Run, key: str) -> dict[str, dict]:
    policy = json.loads(run.named(key).inputs["policy"])
    return {statement.get("Sid", ""): statement for statement in policy["Statement"]}


def test_a_copy_to_another_account_shares_the_database_and_vault_keys_with_that_accounts_root_only():
    """RDS recovery points stay under the database's key, S3/EFS ones under the vault's: a cross-account
    copy needs the source key shared with the destination account (AWS Backup
    create-cross-account-backup.html; re:Post backup-cross-account-copy-error lists the KMS actions)."""
    vault = f"arn:aws:backup:eu-central-1:{BACKUP_ACCOUNT}:backup-vault:webstack-data-prod-copy"
    run = run_stack("data-prod", {"webstack:backup": {"copyTarget": {"vaultArn": vault}}}, root=STACKS)
    root = {"AWS": [f"arn:aws:iam::{BACKUP_ACCOUNT}:root"]}
    for key in ("db-main-key", "backup-key"):
        found = statements(run, key)
        use, grants = found["BackupCopyAccountsUseTheKey"], found["BackupCopyAccountsGrantToAwsServices"]
        assert (use["Principal"], sorted(use["Action"])) == (root, COPY_KEY_ACTIONS)
        assert (grants["Principal"], sorted(grants["Action"])) == (
            root,
            ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        )
        assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": ["true"]}}
    # The cache's key is not a backup key: AWS Backup does not cover ElastiCache here.
    assert not any("BackupCopy" in sid for sid in statements(run, "cache-main-key"))


def test_a_copy_in_the_stacks_own_account_shares_no_key(prod: Run):
    for key in ("db-main-key", "backup-key"):
        assert not any("BackupCopy" in sid for sid in statements(prod, key)), key
