"""The Notifications component (built before the services, which alarm into it): an SNS topic
encrypted with the stack key, that only CloudWatch alarms (and AWS Budgets, when the budget alert is
on) of this account may publish to, with email and HTTPS subscriptions, and the optional monthly
budget alert."""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..encryption import CLOUDWATCH_ALARMS, EVENTBRIDGE
from ..iam import Statement, account_policy
from ..pure.inputs import args_of
from ..pure.naming import child_name, member_name, type_token

BUDGETS = "budgets.amazonaws.com"
"""AWS Budgets' service principal: it publishes to the topic when the budget alert is on."""
EVENTS = EVENTBRIDGE
"""EventBridge's service principal: its rules publish to the topic when ``event_rules`` is on (a Job's
failure rule). An SNS target needs the topic's resource policy, and a KMS-encrypted topic a key that
lets EventBridge use it (EventBridge guide, "Using resource-based policies for Amazon EventBridge",
Amazon SNS permissions)."""
FORECAST_ALERT_PERCENT = 100
"""The budget also alerts when the month's forecast passes the limit itself."""


@dataclass(frozen=True)
class BudgetAlertArgs:
    """A monthly cost alert for the whole account, to the alarm topic."""

    monthly_limit_usd: int
    """The account's expected monthly cost in whole USD. Required."""
    threshold_percent: int
    """Alert when actual cost passes this percentage of the limit (the forecast alerts at 100%).
    Required."""


@dataclass(frozen=True)
class NotificationsArgs:
    """What Notifications builds."""

    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the topic; its policy must let every publisher use it
    (``StackKeyArgs.publishers``). Required."""
    region: str
    """The stack's region: only CloudWatch alarms of this region may publish. Required."""
    emails: Sequence[str] = ()
    """Email addresses subscribed to the topic (each confirms once by email). Default: none."""
    https_endpoints: Sequence[str] = ()
    """HTTPS endpoints (chat tools, incident managers) subscribed to the topic. Default: none."""
    budget: BudgetAlertArgs | None = None
    """The monthly budget alert; AWS Budgets then may publish too. Default: None, no budget alert."""
    event_rules: bool = False
    """EventBridge rules of this account and region may publish (e.g. a Job's failed runs). Default:
    False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""


def _endpoint_key(endpoint: str) -> str:
    """A short stable name part per endpoint, so adding or removing one never renames the others."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:8]


def topic_policy_statements(
    topic_arn: str, account_id: str, region: str, budget: bool, event_rules: bool = False
) -> list[Statement]:
    """Only this account's CloudWatch alarms (and Budgets, and EventBridge rules) may publish, only over
    TLS."""
    principal = aws.iam.GetPolicyDocumentStatementPrincipalArgs
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    publishers = [(CLOUDWATCH_ALARMS, f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*", "Alarms")]
    if budget:
        publishers.append((BUDGETS, f"arn:aws:budgets::{account_id}:*", "Budgets"))
    if event_rules:
        publishers.append((EVENTS, f"arn:aws:events:{region}:{account_id}:rule/*", "EventRules"))
    statements = [
        Statement(
            sid=f"{label}OfThisAccountPublish",
            effect="Allow",
            actions=["sns:Publish"],
            principals=[principal(type="Service", identifiers=[service])],
            resources=[topic_arn],
            conditions=[
                condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id]),
                condition(test="ArnLike", variable="aws:SourceArn", values=[source]),
            ],
        )
        for service, source, label in publishers
    ]
    statements.append(
        Statement(
            sid="DenyInsecureTransport",
            effect="Deny",
            actions=["sns:Publish"],
            principals=[principal(type="*", identifiers=["*"])],
            resources=[topic_arn],
            conditions=[condition(test="Bool", variable="aws:SecureTransport", values=["false"])],
        )
    )
    return statements


class Notifications(pulumi.ComponentResource):
    """The stack's alarm topic (KMS-encrypted), its publish policy, subscriptions and budget alert."""

    topic_arn: pulumi.Output[str]
    """Where every alarm sends ALARM and OK."""

    def __init__(
        self, name: str, args: NotificationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args = args_of(NotificationsArgs, args)
        super().__init__(type_token("Notifications"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(
            child_name(name, "topic"),
            # The stack key, not alias/aws/sns: CloudWatch cannot publish to a topic under the AWS key.
            kms_master_key_id=args.kms_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        policy = account_policy(
            lambda account: topic.arn.apply(
                lambda arn: topic_policy_statements(
                    arn, account, args.region, args.budget is not None, args.event_rules
                )
            ),
            self,
        )
        aws.sns.TopicPolicy(child_name(name, "topic-policy"), arn=topic.arn, policy=policy, opts=child)
        self._subscriptions(name, args, topic.arn, child)
        if args.budget is not None:
            self._budget(name, args.budget, topic.arn, args.tags, child)
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})

    def _subscriptions(
        self, name: str, args: NotificationsArgs, topic_arn: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> None:
        """One subscription per email address and HTTPS endpoint, named by a hash of the endpoint."""
        for protocol, endpoints in (("email", args.emails), ("https", args.https_endpoints)):
            for endpoint in endpoints:
                aws.sns.TopicSubscription(
                    member_name(name, protocol, _endpoint_key(endpoint)),
                    topic=topic_arn,
                    protocol=protocol,
                    endpoint=endpoint,
                    opts=child,
                )

    def _budget(
        self,
        name: str,
        budget: BudgetAlertArgs,
        topic_arn: pulumi.Output[str],
        tags: Mapping[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        """The account's monthly cost: actual past the threshold, or forecast past the limit."""
        notify = [
            ("ACTUAL", budget.threshold_percent),
            ("FORECASTED", FORECAST_ALERT_PERCENT),
        ]
        aws.budgets.Budget(
            child_name(name, "budget"),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=str(budget.monthly_limit_usd),
            limit_unit="USD",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[topic_arn],
                )
                for kind, percent in notify
            ],
            tags=dict(tags),
            opts=child,
        )
