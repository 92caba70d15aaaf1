"""The Backup component on its own, built from its Args under the mock engine: the vault and its key,
the lock and access policy, the plan's rule and copy, the selection by tag, the restore tests (plan,
selections, landing place) and the validation function's wiring and statements."""

import json
from typing import Any

import pytest

from components.backup import Backup, BackupArgs, RestoreTestArgs
from components.backup.restore_test import RESTORED_DB_PREFIX
from plan.engine import Run, run_component

TOPIC = "arn:aws:sns:eu-west-1:111111111111:alerts"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/stack"
COPY = "arn:aws:backup:eu-central-1:111111111111:backup-vault:webstack-copy"
TAG = {"key": "aws:ResourceTag/webstack-backup", "value": "webstack-test"}


def args(**overrides: Any) -> BackupArgs:
    given: dict[str, Any] = {
        "vault_name": "webstack-test",
        "tag_value": "webstack-test",
        "region": "eu-west-1",
        "copy_vault_arn": COPY,
        "lock_mode": "governance",
        "alarm_topic_arn": TOPIC,
        "alarm_key_arn": KEY,
        "restore_test": RestoreTestArgs(
            vpc_id="vpc-fixture",
            isolated_subnet_ids=("subnet-iso-a", "subnet-iso-b"),
            function_subnet_ids=("subnet-priv-a", "subnet-priv-b"),
            logs_key_arn=KEY,
            validation_hours=6,
        ),
        "tags": {"Stack": "test"},
    }
    return BackupArgs(**{**given, **overrides})


def build(backup_args: BackupArgs) -> Run:
    return run_component(lambda: Backup("backup", backup_args))


@pytest.fixture(scope="module")
def run() -> Run:
    return build(args())


def rule(run: Run) -> dict[str, Any]:
    (only,) = run.named("backup-plan").inputs["rules"]
    return only


def test_the_vault_is_encrypted_with_its_own_rotating_key_and_is_never_force_destroyed(run: Run):
    vault, key = run.named("backup-vault").inputs, run.named("backup-key")
    assert (vault["name"], vault["kmsKeyArn"], vault["forceDestroy"]) == (
        "webstack-test",
        key.state["arn"],
        False,
    )
    assert key.inputs["enableKeyRotation"] is True
    (statement,) = json.loads(key.inputs["policy"])["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]}


def test_governance_lock_has_bounds_but_no_grace_period_and_compliance_has_the_72_hour_one(run: Run):
    lock = run.named("backup-lock").inputs
    assert (lock["backupVaultName"], lock["minRetentionDays"], lock["maxRetentionDays"]) == (
        run.named("backup-vault").state["name"],
        7,
        365,
    )
    assert "changeableForDays" not in lock
    compliance = build(args(lock_mode="compliance", lock_changeable_for_days=5)).named("backup-lock").inputs
    assert compliance["changeableForDays"] == 5


def test_the_vault_policy_denies_early_deletion_and_lifecycle_changes_to_everyone(run: Run):
    (statement,) = json.loads(run.named("backup-vault-policy").inputs["policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": ["*"]}
    assert sorted(statement["Action"]) == [
        "backup:DeleteRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
    ]


def test_an_unlocked_vault_has_neither_lock_nor_deny_policy():
    unlocked = build(args(lock_mode=None))
    assert not unlocked.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert not unlocked.of_type("aws:backup/vaultPolicy:VaultPolicy")


def test_the_rule_runs_on_schedule_with_continuous_backup_and_copies_with_the_same_retention(run: Run):
    plan_rule = rule(run)
    assert plan_rule["schedule"] == "cron(0 2 * * ? *)"
    assert plan_rule["targetVaultName"] == run.named("backup-vault").state["name"]
    assert plan_rule["enableContinuousBackup"] is True
    assert plan_rule["lifecycle"] == {"deleteAfter": 35}
    assert plan_rule["copyActions"] == [{"destinationVaultArn": COPY, "lifecycle": {"deleteAfter": 35}}]


def test_without_a_copy_target_the_rule_copies_nothing():
    assert not rule(build(args(copy_vault_arn=None))).get("copyActions")


def test_the_selection_takes_rds_s3_and_efs_resources_that_carry_the_stacks_backup_tag(run: Run):
    selection = run.named("backup-selection").inputs
    assert selection["resources"] == [
        "arn:aws:rds:*:*:db:*",
        "arn:aws:s3:::*",
        "arn:aws:elasticfilesystem:*:*:file-system/*",
    ]
    assert selection["conditions"] == [{"stringEquals": [TAG]}]
    assert "selectionTags" not in selection  # OR-ed with resources: would select every database
    assert selection["iamRoleArn"] == run.named("backup-role").state["arn"]
    assert selection["planId"] == run.named("backup-plan").id


def test_the_selection_leaves_out_the_databases_restore_tests_create(run: Run):
    """A restored test database carries the snapshot's tags, the backup tag included (copy_tags_to_snapshot);
    restore testing names it awsbackup-restore-test-<id> (AWS Backup restore-testing.html)."""
    selection = run.named("backup-selection").inputs
    assert selection["notResources"] == ["arn:aws:rds:*:*:db:awsbackup-restore-test-*"]
    without_databases = build(args(resource_types=("S3", "EFS"), restore_test=None))
    assert not without_databases.named("backup-selection").inputs.get("notResources")


def test_the_backup_role_trusts_aws_backup_of_this_account_and_has_the_backup_restore_and_s3_policies(
    run: Run,
):
    (trust,) = json.loads(run.named("backup-role").inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": ["backup.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ["111111111111"]}}
    attached = sorted(
        a.inputs["policyArn"] for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]


def test_the_restore_testing_plan_restores_the_latest_point_of_this_vault_weekly(run: Run):
    plan = run.named("backup-restore-tests-plan").inputs
    assert plan["name"] == "webstack_test_restore_tests"
    assert plan["scheduleExpression"] == "cron(0 5 ? * SAT *)"
    assert plan["recoveryPointSelection"] == {
        "algorithm": "LATEST_WITHIN_WINDOW",
        "includeVaults": [run.named("backup-vault").state["arn"]],
        "recoveryPointTypes": ["CONTINUOUS", "SNAPSHOT"],
        "selectionWindowDays": 7,
    }


def test_restored_databases_land_in_the_isolated_subnets_behind_the_no_egress_group(run: Run):
    rds = run.named("backup-restore-tests-selection-rds").inputs
    landing = run.named("backup-restore-tests-subnets")
    restored = run.named("backup-restore-tests-restored-sg")
    assert landing.inputs["subnetIds"] == ["subnet-iso-a", "subnet-iso-b"]
    assert rds["restoreMetadataOverrides"] == {
        "dbsubnetgroupname": landing.state["name"],
        "vpcsecuritygroupids": json.dumps([restored.id]),
    }
    assert rds["protectedResourceType"] == "RDS"
    assert "protectedResourceArns" not in rds
    assert rds["protectedResourceConditions"] == {"stringEquals": [TAG]}
    assert rds["validationWindowHours"] == 6
    assert rds["iamRoleArn"] == run.named("backup-role").state["arn"]
    egress = [r for r in run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    assert not [r for r in egress if r.inputs["securityGroupId"] == restored.id]
    (ingress,) = [
        r.inputs
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == restored.id
    ]
    function_group = run.named("backup-restore-tests-check-sg").id
    assert (ingress["fromPort"], ingress["toPort"], ingress["referencedSecurityGroupId"]) == (
        5432,
        5432,
        function_group,
    )


def test_buckets_and_volumes_are_restore_tested_by_the_same_tag_without_network_overrides(run: Run):
    for kind in ("s3", "efs"):
        selection = run.named(f"backup-restore-tests-selection-{kind}").inputs
        assert selection["protectedResourceType"] == kind.upper()
        assert selection["protectedResourceConditions"] == {"stringEquals": [TAG]}
        assert "protectedResourceArns" not in selection
        assert "restoreMetadataOverrides" not in selection


def test_the_validation_function_runs_in_the_private_subnets_and_reaches_only_databases_and_https(run: Run):
    function = run.named("backup-restore-tests-check-fn").inputs
    assert function["vpcConfig"]["subnetIds"] == ["subnet-priv-a", "subnet-priv-b"]
    assert function["environment"] == {"variables": {"TOPIC_ARN": TOPIC}}
    group = run.named("backup-restore-tests-check-sg").id
    paths = sorted(
        (r.inputs["fromPort"], r.inputs.get("referencedSecurityGroupId") or r.inputs.get("cidrIpv4"))
        for r in run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] == group
    )
    assert paths == [(443, "0.0.0.0/0"), (5432, run.named("backup-restore-tests-restored-sg").id)]


def test_restore_jobs_of_this_plan_and_failed_backup_and_copy_jobs_of_this_vault_invoke_the_function(
    run: Run,
):
    plan_arn = run.named("backup-restore-tests-plan").state["arn"]
    function = run.named("backup-restore-tests-check-fn")
    restores = json.loads(run.named("backup-restore-tests-restore-jobs").inputs["eventPattern"])
    assert restores == {
        "source": ["aws.backup"],
        "detail-type": ["Restore Job State Change"],
        "detail": {"restoreTestingPlanArn": [plan_arn], "status": ["COMPLETED", "FAILED", "ABORTED"]},
    }
    failures = json.loads(run.named("backup-restore-tests-backup-failures").inputs["eventPattern"])
    assert failures["detail-type"] == ["Backup Job State Change", "Copy Job State Change"]
    assert failures["detail"] == {
        "$or": [
            {"backupVaultName": ["webstack-test"], "state": ["FAILED", "ABORTED", "EXPIRED"]},
            # Copy events name the source vault by ARN (AWS Backup eventbridge.html, copy job events).
            {"sourceBackupVaultArn": [run.named("backup-vault").state["arn"]], "state": ["FAILED"]},
        ]
    }
    for rule_name in ("restore-jobs", "backup-failures"):
        rule_arn = run.named(f"backup-restore-tests-{rule_name}").state["arn"]
        assert run.named(f"backup-restore-tests-{rule_name}-target").inputs["arn"] == function.state["arn"]
        permission = run.named(f"backup-restore-tests-{rule_name}-invoke").inputs
        assert (permission["principal"], permission["sourceArn"]) == ("events.amazonaws.com", rule_arn)


def test_the_function_may_report_validation_describe_only_restored_test_databases_and_tell_the_topic(
    run: Run,
):
    statements = json.loads(run.named("backup-restore-tests-check-policy").inputs["policy"])["Statement"]
    given = {tuple(sorted(s["Action"])): s["Resource"] for s in statements if s["Sid"].startswith("Given")}
    # PutRestoreValidationResult has no resource type in the Service Authorization Reference: only "*".
    assert given == {
        ("backup:PutRestoreValidationResult",): ["*"],
        ("rds:DescribeDBInstances",): [f"arn:aws:rds:eu-west-1:111111111111:db:{RESTORED_DB_PREFIX}*"],
        ("sns:Publish",): [TOPIC],
        ("kms:Decrypt", "kms:GenerateDataKey*"): [KEY],
    }


def test_without_restore_tests_there_is_no_restore_plan_function_or_landing_place():
    plain = build(args(restore_test=None))
    assert not plain.of_type("webstack:components:VpcFunction")
    assert not plain.of_type("aws:lambda/function:Function")
    assert not plain.of_type("aws:backup/restoreTestingPlan:RestoreTestingPlan")
