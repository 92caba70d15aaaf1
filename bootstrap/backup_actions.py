"""The deploy role's rows for webstack:backup (components/backup/): AWS Backup's vault, lock, access policy,
plan, selection and restore tests, the restore-test validation function and the EventBridge rules that
invoke it. ``bootstrap/deploy_actions.py`` merges them into DEPLOY_ACTIONS."""

from __future__ import annotations

_KEY_GRANTS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")
# Creating a vault under a customer key: AWS Backup creates grants on it (AWS Backup guide,
# backup-vaults.html, "Encryption": backup-storage:MountCapsule and the key's grants).
# terraform-provider-aws internal/service/backup/*.go; the KMS calls are scoped through the backup
# service in bootstrap/permissions.py.
_BACKUP_TAGS = ("backup:ListTags", "backup:TagResource", "backup:UntagResource")
BACKUP_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws:backup/vault:Vault": (
        "backup:CreateBackupVault",
        "backup:DescribeBackupVault",
        "backup:DeleteBackupVault",
        "backup-storage:MountCapsule",
        *_KEY_GRANTS,
        "kms:RetireGrant",
        *_BACKUP_TAGS,
    ),
    # No backup:DeleteBackupVaultLockConfiguration: the deploy role cannot lift a lock (a governance-mode
    # lock is lifted by an administrator on purpose: docs/data-and-backups.md).
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
        "backup:PutBackupVaultLockConfiguration",
        "backup:DescribeBackupVault",
    ),
    "aws:backup/vaultPolicy:VaultPolicy": (
        "backup:PutBackupVaultAccessPolicy",
        "backup:GetBackupVaultAccessPolicy",
        "backup:DeleteBackupVaultAccessPolicy",
    ),
    "aws:backup/plan:Plan": (
        "backup:CreateBackupPlan",
        "backup:GetBackupPlan",
        "backup:UpdateBackupPlan",
        "backup:DeleteBackupPlan",
        *_BACKUP_TAGS,
    ),
    "aws:backup/selection:Selection": (
        "backup:CreateBackupSelection",
        "backup:GetBackupSelection",
        "backup:DeleteBackupSelection",
        "iam:PassRole",  # the backup role, to backup.amazonaws.com
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": (
        "backup:CreateRestoreTestingPlan",
        "backup:GetRestoreTestingPlan",
        "backup:UpdateRestoreTestingPlan",
        "backup:DeleteRestoreTestingPlan",
        *_BACKUP_TAGS,
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        "backup:CreateRestoreTestingSelection",
        "backup:GetRestoreTestingSelection",
        "backup:UpdateRestoreTestingSelection",
        "backup:DeleteRestoreTestingSelection",
        "iam:PassRole",  # the backup role, to backup.amazonaws.com
    ),
    # The permission that lets the EventBridge rules invoke the restore-test validation function (the
    # function is a VpcFunction: FUNCTION_ACTIONS; the rules and targets: EVENT_RULE_ACTIONS and
    # EVENT_TARGET_ACTIONS; terraform-provider-aws internal/service/lambda/permission.go).
    "aws:lambda/permission:Permission": (
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:GetPolicy",
    ),
}
