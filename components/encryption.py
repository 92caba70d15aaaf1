"""The stack's own KMS key, and the one way webstack creates a log group (encrypted with that key).

One customer-managed key per stack (rotation on) encrypts every log group (flow logs, ECS Exec
sessions, service logs, and any a later component adds through :func:`encrypted_log_group`), the
ECS Exec session channel and the alarm topic. The key exists before anything that uses it: build
:class:`StackKey` first in ``__main__.py`` and pass its ARN on.

Why each key-policy statement exists (a log group or topic fails to work without it):

- the account root administers the key (AWS's default key policy; without it nobody can manage the
  key, and IAM policies, such as a task role's ``kms:Decrypt`` for ECS Exec, have no effect);
- CloudWatch Logs of this region may use it, but only for log groups of this account and region
  (``kms:EncryptionContext:aws:logs:arn``); otherwise CreateLogGroup fails with "The specified KMS key
  does not exist or is not allowed to be used" (AWS logs ``encrypt-log-data-kms.html``; TF #29282);
- the services that publish to the encrypted topic (CloudWatch alarms, and AWS Budgets when the budget
  alert is on) may ``kms:Decrypt``/``kms:GenerateDataKey*``: alarms cannot publish to a topic under the
  AWS-managed ``alias/aws/sns`` key (AWS SNS ``sns-key-management.html#compatibility-with-aws-services``).
  Each is conditioned on ``aws:SourceAccount`` except EventBridge (a Job's failure rule), for which SNS
  does not support that condition in a key policy (same page).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .iam import Statement, account_policy
from .pure.inputs import args_of
from .pure.naming import child_name, type_token

LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
"""What CloudWatch Logs needs on the key of an encrypted log group."""
PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
"""What a service publishing to an encrypted SNS topic needs on the topic's key."""
CLOUDWATCH_ALARMS = "cloudwatch.amazonaws.com"
EVENTBRIDGE = "events.amazonaws.com"
"""EventBridge rules publishing to the topic (a Job's failure rule): its key statement carries no source
condition, which SNS does not support for EventBridge (AWS SNS sns-key-management.html)."""
DEFAULT_PUBLISHERS: Sequence[str] = (CLOUDWATCH_ALARMS,)
"""CloudWatch alarms publish to the alarm topic the key encrypts."""
KEY_DELETION_WINDOW_DAYS = 30
"""The longest window AWS allows: a key scheduled for deletion by mistake can still be saved."""
COPY_ACCOUNT_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
COPY_ACCOUNT_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
"""What an AWS Backup copy into another account needs on the source key: DescribeKey, Encrypt, Decrypt,
ReEncryptFrom/To, GenerateDataKey*, CreateGrant, ListGrants, RevokeGrant (AWS re:Post knowledge center
``backup-cross-account-copy-error``; AWS Backup ``create-cross-account-backup.html``: "if your resources
are encrypted with a customer managed key, you must share this customer managed key with the destination
account"). The grant actions only for AWS services (``kms:GrantIsForAWSResource``), as in KMS's default
key-user statement."""


def copy_account_statements(own_account: str, accounts: Sequence[str]) -> list[Statement]:
    """Let the root of each other account (a backup copy target's) use the key for the copy; none for
    this account or when there is no other account. The other account's administrators then delegate to
    its roles (AWS Backup's service role there) through IAM."""
    others = sorted({account for account in accounts if account != own_account})
    if not others:
        return []
    roots = [
        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="AWS", identifiers=[f"arn:aws:iam::{account}:root" for account in others]
        )
    ]
    return [
        Statement(
            sid="BackupCopyAccountsUseTheKey",
            effect="Allow",
            actions=list(COPY_ACCOUNT_KEY_ACTIONS),
            principals=roots,
            resources=["*"],
        ),
        Statement(
            sid="BackupCopyAccountsGrantToAwsServices",
            effect="Allow",
            actions=list(COPY_ACCOUNT_GRANT_ACTIONS),
            principals=roots,
            resources=["*"],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="Bool", variable="kms:GrantIsForAWSResource", values=["true"]
                )
            ],
        ),
    ]


def key_policy_statements(account_id: str, region: str, publishers: Sequence[str]) -> list[Statement]:
    """The key policy: the account administers; Logs of this account and region and the topic's
    publishers (none: a key only log groups use) may use the key, and nothing else may."""
    service = aws.iam.GetPolicyDocumentStatementPrincipalArgs
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    conditioned = [p for p in publishers if p != EVENTBRIDGE]
    publishing = (
        [
            Statement(
                sid="PublishersOfTheEncryptedTopic",
                effect="Allow",
                actions=list(PUBLISHER_KEY_ACTIONS),
                principals=[service(type="Service", identifiers=conditioned)],
                resources=["*"],
                conditions=[
                    condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id])
                ],
            )
        ]
        if conditioned
        else []
    )
    if EVENTBRIDGE in publishers:
        # No source condition: SNS does not support aws:SourceAccount/aws:SourceArn in a key policy for
        # EventBridge-to-encrypted topics (AWS SNS sns-key-management.html); the topic policy still
        # admits only this account's rules (components/observability/notifications.py).
        publishing.append(
            Statement(
                sid="EventBridgeRulesPublishToTheEncryptedTopic",
                effect="Allow",
                actions=list(PUBLISHER_KEY_ACTIONS),
                principals=[service(type="Service", identifiers=[EVENTBRIDGE])],
                resources=["*"],
            )
        )
    return [
        Statement(
            sid="AccountAdministersTheKey",
            effect="Allow",
            actions=["kms:*"],
            principals=[service(type="AWS", identifiers=[f"arn:aws:iam::{account_id}:root"])],
            resources=["*"],
        ),
        Statement(
            sid="CloudWatchLogsOfThisAccountAndRegion",
            effect="Allow",
            actions=list(LOGS_KEY_ACTIONS),
            principals=[service(type="Service", identifiers=[f"logs.{region}.amazonaws.com"])],
            resources=["*"],
            conditions=[
                condition(
                    test="ArnLike",
                    variable="kms:EncryptionContext:aws:logs:arn",
                    values=[f"arn:aws:logs:{region}:{account_id}:log-group:*"],
                )
            ],
        ),
        *publishing,
    ]


@dataclass(frozen=True)
class StackKeyArgs:
    """What the StackKey builds."""

    region: str
    """The stack's region: only CloudWatch Logs of this region may use the key. Required."""
    publishers: Sequence[str] = DEFAULT_PUBLISHERS
    """Service principals that publish to a topic encrypted with this key (none: a key only log
    groups use). Default: CloudWatch alarms (``cloudwatch.amazonaws.com``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the key, on top of the provider's default tags. Default: none."""


class StackKey(pulumi.ComponentResource):
    """One customer-managed KMS key per stack, with rotation, its policy and an alias."""

    arn: pulumi.Output[str]
    """The key's ARN (log groups need the ARN, not the id or alias)."""
    key_id: pulumi.Output[str]
    """The key's id."""

    def __init__(self, name: str, args: StackKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(StackKeyArgs, args)
        super().__init__(type_token("StackKey"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = account_policy(
            lambda account: key_policy_statements(account, args.region, args.publishers), self
        )
        key = aws.kms.Key(
            child_name(name, "key"),
            description=f"{pulumi.get_project()}-{pulumi.get_stack()}: logs, ECS Exec sessions, alarm topic",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            tags=args.tags,
            opts=child,
        )
        aws.kms.Alias(
            child_name(name, "alias"),
            name=f"alias/{pulumi.get_project()}-{pulumi.get_stack()}",
            target_key_id=key.key_id,
            opts=child,
        )
        self.arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"arn": self.arn, "keyId": self.key_id})


def encrypted_log_group(
    name: str,
    retention_in_days: int,
    kms_key_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: Mapping[str, str] | None = None,
    log_group_name: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
    region: str | None = None,
) -> aws.cloudwatch.LogGroup:
    """A log group with retention, encrypted with the stack key. Every webstack log group is one.

    Adding or changing ``kms_key_id`` on an existing group is an in-place update (the provider calls
    AssociateKmsKey; the attribute is not ForceNew in terraform-provider-aws
    ``cloudwatch_log_group.go``), so release-1 groups keep their logs; only data written after the
    update is encrypted with the key. ``log_group_name`` fixes the AWS name where a service writes to
    a group it names itself (e.g. RDS log exports); otherwise it is autonamed.
    ``region`` places it in another region (pulumi-aws 7), with a key of that region.
    """
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        region=region,
        retention_in_days=retention_in_days,
        kms_key_id=kms_key_arn,
        tags=dict(tags or {}),
        opts=pulumi.ResourceOptions(parent=parent).merge(opts),
    )
