"""The Waf component: a WAFv2 web ACL with AWS managed rule groups and a per-IP rate limit, on a public
entry point (a load balancer, or a CloudFront distribution), logging to a KMS-encrypted CloudWatch log
group.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..encryption import KEY_DELETION_WINDOW_DAYS, encrypted_log_group, key_policy_statements
from ..iam import Statement, account_policy
from ..pure.frontdoor import RuleGroupAction
from ..pure.inputs import args_of
from ..pure.naming import child_name, tags_with_name, type_token

LOG_GROUP_PREFIX = "aws-waf-logs-"
"""WAF refuses a logging destination whose name does not start with this (WAF API LoggingConfiguration)."""
REDACTED_HEADERS = ("authorization", "cookie")
"""Never written to WAF logs (lowercase: WAF matches header names in lowercase)."""
DEFAULT_RATE_LIMIT = 2000
"""Requests one client IP may send per window unless told otherwise."""
DEFAULT_RATE_WINDOW_SECONDS = 300
"""The window the rate limit counts over unless told otherwise."""
DEFAULT_LOG_RETENTION_DAYS = 365
"""Days WAF logs are kept unless told otherwise."""


@dataclass(frozen=True)
class ManagedGroup:
    """An AWS managed rule group and where it sits in the web ACL."""

    name: str
    """AWS's name (a wrong one fails with WAFInvalidParameterException, field RULE)."""
    priority: int
    """Its place in the web ACL (lower is evaluated first)."""


IP_REPUTATION = ManagedGroup("AWSManagedRulesAmazonIpReputationList", 10)
COMMON_RULE_SET = ManagedGroup("AWSManagedRulesCommonRuleSet", 30)
KNOWN_BAD_INPUTS = ManagedGroup("AWSManagedRulesKnownBadInputsRuleSet", 40)
SQL_INJECTION = ManagedGroup("AWSManagedRulesSQLiRuleSet", 50)
RATE_RULE_PRIORITY = 20
"""Cheap reputation check first, then the rate limit, then the inspecting groups."""


class Scope(enum.StrEnum):
    """Where the web ACL lives."""

    REGIONAL = "REGIONAL"
    """In the stack's region, associated with a load balancer."""
    CLOUDFRONT = "CLOUDFRONT"
    """In us-east-1, named by a CloudFront distribution's ``web_acl_id``."""


@dataclass(frozen=True)
class WafArgs:
    """What the Waf builds."""

    scope: Scope
    """REGIONAL (associated with a load balancer) or CLOUDFRONT (named by a distribution). Required."""
    region: str
    """Where the ACL, its log group and key live: the stack's region, or us-east-1 for CLOUDFRONT.
    Required."""
    log_group_name: str
    """The log group's name; WAF requires the prefix ``aws-waf-logs-`` (see :func:`waf_log_group_name`).
    Required."""
    rate_limit: int = DEFAULT_RATE_LIMIT
    """Requests one client IP may send per ``rate_window_seconds`` before WAF blocks it (100 to
    2,000,000,000). Default: 2000."""
    rate_window_seconds: int = DEFAULT_RATE_WINDOW_SECONDS
    """The window the rate limit counts over: 60, 120, 300 or 600. Default: 300."""
    ip_reputation: RuleGroupAction = RuleGroupAction.BLOCK
    """The Amazon IP reputation list (bots, known attackers). Default: block."""
    common_rule_set: RuleGroupAction = RuleGroupAction.BLOCK
    """The AWS core rule set (OWASP Top 10 style checks). Default: block."""
    known_bad_inputs: RuleGroupAction = RuleGroupAction.BLOCK
    """Known bad inputs (e.g. Log4j exploits). Default: block."""
    sql_injection: RuleGroupAction = RuleGroupAction.OFF
    """The SQL injection rule set. Default: off."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days WAF logs are kept (a CloudWatch Logs retention period). Default: 365."""
    protected_arn: pulumi.Input[str] | None = None
    """The load balancer to associate (REGIONAL only; a distribution names the ACL itself). Default:
    None."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The KMS key for the log group (REGIONAL); None for CLOUDFRONT, whose log group lives in
    us-east-1 and gets a key of that region here. Default: None."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child, on top of the provider's default tags. Default: none."""

    def __post_init__(self) -> None:
        if not self.log_group_name.startswith(LOG_GROUP_PREFIX):
            raise ValueError(f"WafArgs.log_group_name: WAF only logs to names starting {LOG_GROUP_PREFIX}")
        if (self.scope is Scope.REGIONAL) != (self.protected_arn is not None):
            raise ValueError("WafArgs.protected_arn: give it for REGIONAL scope, and only then")
        if (self.scope is Scope.REGIONAL) != (self.kms_key_arn is not None):
            raise ValueError("WafArgs.kms_key_arn: a key for REGIONAL scope, None for CLOUDFRONT")


def _managed_groups(args: WafArgs) -> list[tuple[ManagedGroup, RuleGroupAction]]:
    """Each managed rule group with its action (``off`` ones included)."""
    return [
        (IP_REPUTATION, args.ip_reputation),
        (COMMON_RULE_SET, args.common_rule_set),
        (KNOWN_BAD_INPUTS, args.known_bad_inputs),
        (SQL_INJECTION, args.sql_injection),
    ]


class Waf(pulumi.ComponentResource):
    """A web ACL with managed rule groups and a rate limit, its KMS-encrypted logs and association."""

    web_acl_arn: pulumi.Output[str]
    """The ACL (a distribution's ``web_acl_id`` takes this ARN)."""
    log_group_name: pulumi.Output[str]
    """The log group WAF writes to."""

    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(WafArgs, args)
        super().__init__(type_token("Waf"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Regional resources follow the provider's region; CLOUDFRONT ones name us-east-1 (pulumi-aws 7
        # per-resource region: no second provider).
        region = args.region if args.scope is Scope.CLOUDFRONT else None
        self._region = region
        log_group, delivery = self._log_group(name, args)
        acl = aws.wafv2.WebAcl(
            child_name(name, "acl"),
            scope=args.scope.value,
            region=region,
            description="webstack: AWS managed rule groups and a per-IP rate limit",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            # Inline rules, listed in priority order (pulumi-aws shows a diff when the order differs).
            rules=self._rules(name, args),
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(metric_name=f"{name}-acl", **VISIBILITY),
            tags=tags_with_name(child_name(name, "acl"), args.tags),
            opts=child,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            child_name(name, "logging"),
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name=header
                    )
                )
                for header in REDACTED_HEADERS
            ],
            region=region,
            # Ours first: enabling logging makes AWS create or extend a resource policy for the group
            # when none admits log delivery yet (WAF API_LoggingConfiguration.html; CloudWatch Logs
            # AWS-logs-infrastructure-CWL.html "Log group resource policy"), into the account's shared,
            # size-limited one, or fails if that is full.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[delivery]),
        )
        if args.protected_arn is not None:
            aws.wafv2.WebAclAssociation(
                child_name(name, "association"),
                resource_arn=args.protected_arn,
                web_acl_arn=acl.arn,
                region=region,
                opts=child,
            )
        self.web_acl_arn = acl.arn
        self.log_group_name = log_group.name
        self.register_outputs({"webAclArn": self.web_acl_arn, "logGroupName": self.log_group_name})

    def _rules(self, name: str, args: WafArgs) -> list[aws.wafv2.WebAclRuleArgs]:
        rules = [
            (
                RATE_RULE_PRIORITY,
                aws.wafv2.WebAclRuleArgs(
                    name="rate-limit-per-ip",
                    priority=RATE_RULE_PRIORITY,
                    action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                    statement=aws.wafv2.WebAclRuleStatementArgs(
                        rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                            aggregate_key_type="IP",
                            limit=args.rate_limit,
                            evaluation_window_sec=args.rate_window_seconds,
                        )
                    ),
                    visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                        metric_name=f"{name}-rate-limit-per-ip", **VISIBILITY
                    ),
                ),
            )
        ]
        for group, action in _managed_groups(args):
            if action is RuleGroupAction.OFF:
                continue
            # Rule groups take override_action (none: the group's own block actions apply), not action.
            override = (
                aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs())
                if action is RuleGroupAction.BLOCK
                else aws.wafv2.WebAclRuleOverrideActionArgs(
                    count=aws.wafv2.WebAclRuleOverrideActionCountArgs()
                )
            )
            rules.append(
                (
                    group.priority,
                    aws.wafv2.WebAclRuleArgs(
                        name=group.name,
                        priority=group.priority,
                        override_action=override,
                        statement=aws.wafv2.WebAclRuleStatementArgs(
                            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                                vendor_name="AWS", name=group.name
                            )
                        ),
                        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                            metric_name=f"{name}-{group.name}", **VISIBILITY
                        ),
                    ),
                )
            )
        return [rule for _, rule in sorted(rules, key=lambda entry: entry[0])]

    def _log_group(
        self, name: str, args: WafArgs
    ) -> tuple[aws.cloudwatch.LogGroup, aws.cloudwatch.LogResourcePolicy]:
        """The log group, encrypted with the stack key, or for CLOUDFRONT scope with a us-east-1 key of
        its own (KMS keys are regional; the log group must be in the web ACL's region), and the
        resource policy that lets log delivery write to it."""
        key_arn = args.kms_key_arn
        if key_arn is None:
            key = aws.kms.Key(
                child_name(name, "logs-key"),
                description=f"Encrypts the WAF log group {args.log_group_name}",
                enable_key_rotation=True,
                deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
                policy=account_policy(lambda account: key_policy_statements(account, args.region, ()), self),
                region=self._region,
                tags=tags_with_name(child_name(name, "logs-key"), args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            key_arn = key.arn
        log_group = encrypted_log_group(
            child_name(name, "logs"),
            args.log_retention_days,
            key_arn,
            parent=self,
            tags=tags_with_name(args.log_group_name, args.tags),
            log_group_name=args.log_group_name,
            region=self._region,
        )
        # WAF writes through the log delivery service; with our own resource policy it does not add
        # to the account's shared AWSWAF-LOGS policy, whose 5,120-character limit fills up.
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        delivery = aws.iam.get_policy_document_output(
            statements=pulumi.Output.all(account_id, log_group.arn).apply(
                lambda values: [_log_delivery_statement(values[0], args.region, values[1])]
            ),
            opts=invoke,
        )
        policy = aws.cloudwatch.LogResourcePolicy(
            child_name(name, "logs-delivery"),
            policy_name=args.log_group_name,
            policy_document=delivery.json,
            region=self._region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return log_group, policy


VISIBILITY = {"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": True}
"""CloudWatch metrics and sampled requests, for the ACL and each rule."""


def _log_delivery_statement(account_id: str, region: str, log_group_arn: str) -> Statement:
    """Log delivery may write WAF logs into this log group, for this account only (confused deputy)."""
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    return Statement(
        sid="WafLogDelivery",
        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        principals=[
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                type="Service", identifiers=["delivery.logs.amazonaws.com"]
            )
        ],
        resources=[f"{log_group_arn}:*"],
        conditions=[
            condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id]),
            condition(
                test="ArnLike", variable="aws:SourceArn", values=[f"arn:aws:logs:{region}:{account_id}:*"]
            ),
        ],
    )


def waf_log_group_name(project: str, stack: str) -> str:
    """``aws-waf-logs-<project>-<stack>`` (WAF's required prefix; log group names allow 512 chars)."""
    return f"{LOG_GROUP_PREFIX}{project}-{stack}"
