"""Restore tests: AWS Backup restores the latest recovery point of each tagged database (and bucket and
volume) on a schedule, into the isolated subnets behind a security group with no egress; a function in
the VPC checks the restored database accepts PostgreSQL connections and reports the result to AWS
Backup; AWS Backup deletes what it restored when the validation window closes.

Evidence: AWS Backup ``restore-testing.html`` (plan, selections, validation window, deletion after it),
``restore-testing-inferred-metadata.html`` (RDS overridable keys ``dbsubnetgroupname`` and
``vpcsecuritygroupids``; keys are case-insensitive), ``restore-testing-validation.html`` (EventBridge
"Restore Job State Change" with ``restoreTestingPlanArn``, then PutRestoreValidationResult).
"""

import json
from collections.abc import Mapping
from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..function import FunctionEgress, FunctionStatement, VpcFunction, VpcFunctionArgs, https_to_aws_apis
from ..pure.backup import BACKUP_TAG_KEY, CONTINUOUS_TYPES, restore_testing_name
from ..pure.naming import child_name, member_name, tags_with_name
from .args import BackupArgs, RestoreTestArgs

VALIDATOR_SOURCE = Path(__file__).with_name("validator.py")
"""The function's code (standard library and the runtime's boto3 only)."""
SELECTION_WINDOW_DAYS = 7
"""Restore the latest recovery point of the last week."""
RESTORED_DB_PREFIX = "awsbackup-restore-test-"
"""Restore testing names restored RDS instances ``awsbackup-restore-test-<random>`` (inferred metadata
``dbInstanceIdentifier``), so the function may describe only those."""
EVENTS_SERVICE = "events.amazonaws.com"


def restore_event_pattern(plan_arn: str) -> str:
    """Restore jobs of this restore testing plan that finished, failed or were aborted."""
    return json.dumps(
        {
            "source": ["aws.backup"],
            "detail-type": ["Restore Job State Change"],
            "detail": {"restoreTestingPlanArn": [plan_arn], "status": ["COMPLETED", "FAILED", "ABORTED"]},
        }
    )


def backup_failure_pattern(vault_name: str, vault_arn: str) -> str:
    """Backup jobs into this vault that failed, were aborted or expired before they ran, and copy jobs
    out of it that failed (EventBridge "Copy Job State Change", ``state`` as the CopyJob API's State:
    CREATED, RUNNING, COMPLETED, FAILED, PARTIAL; AWS Backup ``eventbridge.html``, EventBridge
    ``events-ref-backup.html``). Copy events name the vault by ``sourceBackupVaultArn``, hence ``$or``."""
    return json.dumps(
        {
            "source": ["aws.backup"],
            "detail-type": ["Backup Job State Change", "Copy Job State Change"],
            "detail": {
                "$or": [
                    {"backupVaultName": [vault_name], "state": ["FAILED", "ABORTED", "EXPIRED"]},
                    {"sourceBackupVaultArn": [vault_arn], "state": ["FAILED"]},
                ]
            },
        }
    )


class RestoreTests:
    """The restore testing plan, its selections, the isolated landing place and the validation function:
    children of the Backup component ``parent``, named ``<name>-*``."""

    def __init__(
        self,
        name: str,
        args: BackupArgs,
        vault_arn: pulumi.Input[str],
        role_arn: pulumi.Input[str],
        parent: pulumi.ComponentResource,
    ) -> None:
        self._parent = parent
        test = args.restore_test
        assert test is not None
        plan = self._plan(name, args, test, vault_arn)
        landing = self._landing(name, args, test)
        overrides = {
            # JSON text: the API's metadata values are strings (ce-provision PR #2086 passes the same).
            "dbsubnetgroupname": landing[0].name,
            "vpcsecuritygroupids": landing[1].id.apply(lambda group: json.dumps([group])),
        }
        self._selections(name, args, test, plan, role_arn, overrides)
        function = self._function(name, args, test, landing[1])
        self._triggers(name, args, plan, function, vault_arn)
        self.plan_name = plan.name
        self.function_name = function.function_name

    def _plan(
        self, name: str, args: BackupArgs, test: RestoreTestArgs, vault_arn: pulumi.Input[str]
    ) -> aws.backup.RestoreTestingPlan:
        continuous = args.continuous and any(kind in CONTINUOUS_TYPES for kind in args.resource_types)
        return aws.backup.RestoreTestingPlan(
            child_name(name, "plan"),
            name=restore_testing_name(f"{args.vault_name}_restore_tests"),
            schedule_expression=test.schedule,
            schedule_expression_timezone="Etc/UTC",
            start_window_hours=1,
            recovery_point_selection={
                "algorithm": "LATEST_WITHIN_WINDOW",
                "include_vaults": [vault_arn],
                "recovery_point_types": ["CONTINUOUS", "SNAPSHOT"] if continuous else ["SNAPSHOT"],
                "selection_window_days": SELECTION_WINDOW_DAYS,
            },
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )

    def _landing(
        self, name: str, args: BackupArgs, test: RestoreTestArgs
    ) -> tuple[aws.rds.SubnetGroup, aws.ec2.SecurityGroup]:
        """Where restored databases land: the isolated subnets (no route out) behind a group with no
        egress rule (the provider removes AWS's default allow-all egress when it creates a group; TF src
        ec2/vpc_security_group.go); the validation function adds the one ingress, its database port."""
        subnets = aws.rds.SubnetGroup(
            child_name(name, "subnets"),
            description=f"{args.vault_name}: restore tests land in the isolated subnets",
            subnet_ids=list(test.isolated_subnet_ids),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
        group = aws.ec2.SecurityGroup(
            child_name(name, "restored-sg"),
            vpc_id=test.vpc_id,
            description="Restored test databases: the validation function in, nothing out",
            tags=tags_with_name(child_name(name, "restored-sg"), args.tags),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
        return subnets, group

    def _selections(
        self,
        name: str,
        args: BackupArgs,
        test: RestoreTestArgs,
        plan: aws.backup.RestoreTestingPlan,
        role_arn: pulumi.Input[str],
        overrides: Mapping[str, pulumi.Input[str]],
    ) -> None:
        """One selection per covered type, by the same tag as the backup selection. RDS gets the landing
        overrides; S3 and EFS restore into new buckets and file systems (no network to choose)."""
        for kind in args.resource_types:
            aws.backup.RestoreTestingSelection(
                member_name(name, "selection", kind.lower()),
                name=restore_testing_name(f"{kind.lower()}_tagged"),
                restore_testing_plan_name=plan.name,
                protected_resource_type=kind,
                iam_role_arn=role_arn,
                # Conditions alone select every protected resource of the type that carries the tag; the
                # provider refuses protected_resource_arns with them (terraform-provider-aws backup/
                # restore_testing_selection.go ConfigValidators: ExactlyOneOf; plan/aws_rules.py).
                protected_resource_conditions={
                    "string_equals": [{"key": f"aws:ResourceTag/{BACKUP_TAG_KEY}", "value": args.tag_value}]
                },
                restore_metadata_overrides=dict(overrides) if kind == "RDS" else None,
                validation_window_hours=test.validation_hours,
                opts=pulumi.ResourceOptions(parent=self._parent),
            )

    def _function(
        self,
        name: str,
        args: BackupArgs,
        test: RestoreTestArgs,
        restored_group: aws.ec2.SecurityGroup,
    ) -> VpcFunction:
        """The validation function (components.function.VpcFunction) in the function subnets: PostgreSQL
        to the restored group (which admits it), HTTPS to the AWS APIs, and least-privilege statements."""
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self._parent)
        ).account_id
        function = VpcFunction(
            child_name(name, "check"),
            VpcFunctionArgs(
                source=VALIDATOR_SOURCE.read_text(),
                vpc_id=test.vpc_id,
                subnet_ids=tuple(test.function_subnet_ids),
                kms_key_arn=test.logs_key_arn,
                description="Restore tests: a restored database accepts connections; reports to AWS Backup",
                timeout_seconds=60,
                environment={"TOPIC_ARN": args.alarm_topic_arn} if args.alarm_topic_arn is not None else {},
                egress=(
                    FunctionEgress(
                        port=test.database_port,
                        destination_security_group_id=restored_group.id,
                        description="PostgreSQL between the restore-test function and restored databases",
                    ),
                ),
                statements=validator_statements(account, args),
                # One restore job at a time per event; a small cap keeps a burst of events cheap.
                reserved_concurrency=None,
                log_retention_days=test.log_retention_days,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
        https_to_aws_apis(
            function,
            child_name(name, "check-to-apis"),
            "HTTPS to the AWS Backup, RDS and SNS APIs (NAT or interface endpoints)",
            args.tags,
            pulumi.ResourceOptions(parent=self._parent),
        )
        return function

    def _triggers(
        self,
        name: str,
        args: BackupArgs,
        plan: aws.backup.RestoreTestingPlan,
        function: VpcFunction,
        vault_arn: pulumi.Input[str],
    ) -> None:
        """EventBridge rules: this plan's restore jobs (validate or report), and failed backup and copy jobs
        of the vault (report). Both invoke the function, which publishes to the alarm topic with its own role,
        so the topic and its key need no new publisher."""
        rules = {
            "restore-jobs": plan.arn.apply(restore_event_pattern),
            "backup-failures": pulumi.Output.all(args.vault_name, vault_arn).apply(
                lambda both: backup_failure_pattern(both[0], both[1])
            ),
        }
        for role_name, pattern in rules.items():
            rule = aws.cloudwatch.EventRule(
                child_name(name, role_name),
                description=f"{args.vault_name}: {role_name.replace('-', ' ')} to the restore-check function",
                event_pattern=pattern,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self._parent),
            )
            aws.cloudwatch.EventTarget(
                child_name(name, f"{role_name}-target"),
                rule=rule.name,
                arn=function.arn,
                opts=pulumi.ResourceOptions(parent=self._parent),
            )
            aws.lambda_.Permission(
                child_name(name, f"{role_name}-invoke"),
                action="lambda:InvokeFunction",
                function=function.function_name,
                principal=EVENTS_SERVICE,
                source_arn=rule.arn,
                opts=pulumi.ResourceOptions(parent=self._parent),
            )


def validator_statements(account: pulumi.Input[str], args: BackupArgs) -> tuple[FunctionStatement, ...]:
    """Least privilege: PutRestoreValidationResult has no resource type in the Service Authorization
    Reference (AWS Backup), so ``*``; describe only restored test instances; publish only to the alarm
    topic, encrypting with its key."""
    statements = [
        FunctionStatement(actions=("backup:PutRestoreValidationResult",), resources=("*",)),
        FunctionStatement(
            actions=("rds:DescribeDBInstances",),
            resources=(
                pulumi.Output.concat(
                    "arn:aws:rds:", args.region, ":", account, ":db:", RESTORED_DB_PREFIX, "*"
                ),
            ),
        ),
    ]
    if args.alarm_topic_arn is not None:
        statements.append(FunctionStatement(actions=("sns:Publish",), resources=(args.alarm_topic_arn,)))
    if args.alarm_key_arn is not None:
        statements.append(
            FunctionStatement(
                actions=("kms:GenerateDataKey*", "kms:Decrypt"), resources=(args.alarm_key_arn,)
            )
        )
    return tuple(statements)


__all__ = ["RestoreTests", "backup_failure_pattern", "restore_event_pattern", "validator_statements"]
