"""The Backup component: an AWS Backup vault under its own key, its lock and access policy, a plan with
a copy rule, a selection by tag with its service role, and (optionally) restore tests.

Evidence for each choice is in the comment next to it (AWS Backup Developer Guide pages, the provider's
``pulumi_aws/backup`` arguments).
"""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..encryption import KEY_DELETION_WINDOW_DAYS, copy_account_statements
from ..iam import Statement, account_policy, service_trust
from ..pure.backup import BACKUP_TAG_KEY, CONTINUOUS_TYPES, parse_vault_arn
from ..pure.inputs import args_of
from ..pure.naming import IAM_PATH, child_name, type_token
from .args import BackupArgs
from .restore_test import RESTORED_DB_PREFIX, RestoreTests

BACKUP_SERVICE = "backup.amazonaws.com"
MANAGED_POLICIES = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
}
"""AWS's managed policies for an AWS Backup service role (``iam-service-roles.html``)."""
S3_MANAGED_POLICIES = {
    "s3-backup": "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "s3-restore": "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
}
"""S3 needs its own two (``s3-backups.html``, "Permissions"): the general ones do not cover buckets."""
RESOURCE_ARN_PATTERNS = {
    "RDS": "arn:aws:rds:*:*:db:*",
    "S3": "arn:aws:s3:::*",
    "EFS": "arn:aws:elasticfilesystem:*:*:file-system/*",
}
"""The selection's ``resources``: one pattern per covered type, AND-ed with the tag condition."""
EXCLUDED_ARN_PATTERNS = {"RDS": f"arn:aws:rds:*:*:db:{RESTORED_DB_PREFIX}*"}
"""The selection's ``not_resources``: databases restore tests create. A restore from a snapshot copies the
snapshot's tags (``copy_tags_to_snapshot`` puts the backup tag there), so a restored test database would
carry the backup tag and be backed up while it lives; restore testing names it
``awsbackup-restore-test-<id>`` and tags it ``awsbackup-restore-test`` (AWS Backup ``restore-testing.html``,
``restore-testing-inferred-metadata.html``). EFS file systems are named by id: none is excluded by ARN."""
PROTECTED_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")
"""What the vault's access policy denies to every principal: recovery points leave only by expiring."""
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 360


class Backup(pulumi.ComponentResource):
    """Vault (own key), lock, access policy, plan with copy rule, selection by tag, service role and
    restore tests."""

    vault_arn: pulumi.Output[str]
    """The vault's ARN."""
    vault_name: pulumi.Output[str]
    """The vault's name."""
    plan_id: pulumi.Output[str]
    """The backup plan's id."""
    role_arn: pulumi.Output[str]
    """The role AWS Backup uses to back up and restore."""

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(BackupArgs, args)
        super().__init__(type_token("Backup"), name, None, opts)
        key = self._key(name, args)
        vault = aws.backup.Vault(
            child_name(name, "vault"),
            name=args.vault_name,
            kms_key_arn=key.arn,
            # Never delete recovery points with the vault: a vault that holds some cannot be deleted.
            force_destroy=False,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.lock_mode:
            self._lock(name, args, vault)
        role = self._role(name, args)
        plan = self._plan(name, args, vault)
        self._selection(name, args, plan, role)
        if args.restore_test is not None:
            RestoreTests(
                child_name(name, "restore-tests"),
                args,
                vault_arn=vault.arn,
                role_arn=role.arn,
                parent=self,
            )
        self.vault_arn = vault.arn
        self.vault_name = vault.name
        self.plan_id = plan.id
        self.role_arn = role.arn
        self.register_outputs(
            {
                "vaultArn": self.vault_arn,
                "vaultName": self.vault_name,
                "planId": self.plan_id,
                "roleArn": self.role_arn,
            }
        )

    def _key(self, name: str, args: BackupArgs) -> aws.kms.Key:
        """The vault's own key (the issue asks for one per vault): the account administers it, and AWS
        Backup uses it through grants its service role creates (the default key policy's model)."""
        # S3 and EFS are fully managed by AWS Backup: their recovery points are under this key, so a copy
        # into another account needs it shared (re:Post backup-cross-account-copy-error).
        copy = parse_vault_arn(args.copy_vault_arn) if args.copy_vault_arn else None
        copy_accounts = [copy.account] if copy else []
        policy = account_policy(
            lambda account: [
                Statement(
                    sid="AccountAdministersTheKey",
                    effect="Allow",
                    actions=["kms:*"],
                    principals=[
                        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                            type="AWS", identifiers=[f"arn:aws:iam::{account}:root"]
                        )
                    ],
                    resources=["*"],
                ),
                *copy_account_statements(account, copy_accounts),
            ],
            self,
        )
        key = aws.kms.Key(
            child_name(name, "key"),
            description=f"{args.vault_name}: the backup vault's recovery points",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            child_name(name, "key-alias"),
            name=f"alias/{args.vault_name}-backup",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _lock(self, name: str, args: BackupArgs, vault: aws.backup.Vault) -> None:
        """Vault Lock and the access policy. Governance: no ``changeable_for_days`` (the lock can be
        removed by whoever may call DeleteBackupVaultLockConfiguration). Compliance: permanent after
        ``changeable_for_days`` (>= 3, the 72-hour cooling-off; AWS Backup ``vault-lock.html``)."""
        compliance = args.lock_mode == "compliance"
        aws.backup.VaultLockConfiguration(
            child_name(name, "lock"),
            backup_vault_name=vault.name,
            min_retention_days=args.lock_min_retention_days,
            max_retention_days=args.lock_max_retention_days,
            changeable_for_days=args.lock_changeable_for_days if compliance else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Deny early deletion to everyone, the account's administrators included: recovery points leave
        # only when their lifecycle expires them (AWS Backup ``create-a-vault-access-policy.html``, "Deny
        # access to delete recovery points"). Removing this policy is itself logged in CloudTrail.
        policy = aws.iam.get_policy_document_output(
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(
                    sid="RecoveryPointsLeaveOnlyByExpiring",
                    effect="Deny",
                    actions=list(PROTECTED_ACTIONS),
                    principals=[
                        aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=["*"])
                    ],
                    resources=["*"],
                )
            ],
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).json
        aws.backup.VaultPolicy(
            child_name(name, "vault-policy"),
            backup_vault_name=vault.name,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _role(self, name: str, args: BackupArgs) -> aws.iam.Role:
        """The role AWS Backup assumes to back up and restore (also the restore tests' role)."""
        role = aws.iam.Role(
            child_name(name, "role"),
            description=f"{args.vault_name}: AWS Backup backs up and restores the tagged resources",
            assume_role_policy=service_trust(BACKUP_SERVICE, parent=self),
            path=IAM_PATH,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policies = {**MANAGED_POLICIES, **(S3_MANAGED_POLICIES if "S3" in args.resource_types else {})}
        for role_name, arn in policies.items():
            aws.iam.RolePolicyAttachment(
                child_name(name, f"role-{role_name}"),
                role=role.name,
                policy_arn=arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return role

    def _plan(self, name: str, args: BackupArgs, vault: aws.backup.Vault) -> aws.backup.Plan:
        """One rule: the schedule, the retention, continuous backup, and the copy to the other vault with
        the same retention (``pulumi_aws.backup.PlanRuleArgs``: enable_continuous_backup, copy_actions)."""
        lifecycle: aws.backup.PlanRuleLifecycleArgsDict = {"delete_after": args.retention_days}
        copies: list[aws.backup.PlanRuleCopyActionArgsDict] = (
            [
                {
                    "destination_vault_arn": args.copy_vault_arn,
                    "lifecycle": {"delete_after": args.retention_days},
                }
            ]
            if args.copy_vault_arn
            else []
        )
        continuous = args.continuous and any(kind in CONTINUOUS_TYPES for kind in args.resource_types)
        return aws.backup.Plan(
            child_name(name, "plan"),
            name=args.vault_name,
            rules=[
                {
                    "rule_name": "daily-and-continuous" if continuous else "scheduled",
                    "target_vault_name": vault.name,
                    "schedule": args.schedule,
                    "schedule_expression_timezone": "Etc/UTC",
                    "start_window": START_WINDOW_MINUTES,
                    "completion_window": COMPLETION_WINDOW_MINUTES,
                    "enable_continuous_backup": continuous,
                    "lifecycle": lifecycle,
                    "copy_actions": copies,
                    "recovery_point_tags": {**args.tags, BACKUP_TAG_KEY: args.tag_value},
                }
            ],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _selection(self, name: str, args: BackupArgs, plan: aws.backup.Plan, role: aws.iam.Role) -> None:
        """Every resource of the covered types tagged ``webstack-backup = <tag_value>``. ``conditions`` are
        AND-ed with ``resources`` (``selection_tags``, the older form, would be OR-ed with them and select
        every database of the account; AWS Backup ``assigning-resources-json.html``)."""
        aws.backup.Selection(
            child_name(name, "selection"),
            name=f"{args.vault_name}-tagged",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=_resource_patterns(args.resource_types),
            # ForceNew (backup/selection.go), but backups are new this release: no deployed selection.
            not_resources=[
                EXCLUDED_ARN_PATTERNS[k] for k in args.resource_types if k in EXCLUDED_ARN_PATTERNS
            ],
            conditions=[
                {
                    "string_equals": [
                        {"key": f"aws:ResourceTag/{BACKUP_TAG_KEY}", "value": args.tag_value},
                    ]
                }
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


def _resource_patterns(resource_types: Sequence[str]) -> list[str]:
    return [RESOURCE_ARN_PATTERNS[kind] for kind in resource_types]


__all__ = ["BACKUP_SERVICE", "MANAGED_POLICIES", "PROTECTED_ACTIONS", "Backup"]
