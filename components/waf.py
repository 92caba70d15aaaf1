"""The Waf component: a WAFv2 web ACL with AWS managed rule groups and a per-IP rate limit, on the
stack's public entry point (the load balancer, or the CloudFront distribution when it fronts the load
balancer), logging to a KMS-encrypted CloudWatch log group; and the schema of ``webstack:waf``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictBool, StrictInt, field_validator

from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

from .encryption import KEY_DELETION_WINDOW_DAYS, encrypted_log_group, key_policy_statements
from .iam import Statement, account_policy
from .pure.naming import child_name, tags_with_name, type_token

RATE_LIMIT_MIN = 100
"""AWS allows 10 since 2024, but pulumi-aws 7 still rejects a limit below 100 (pulumi/pulumi-aws #5841)."""
RATE_LIMIT_MAX = 2_000_000_000
RATE_WINDOWS = (60, 120, 300, 600)
"""The evaluation windows WAF offers, in seconds (SDK wafv2 ``evaluation_window_sec``)."""
LOG_GROUP_PREFIX = "aws-waf-logs-"
"""WAF refuses a logging destination whose name does not start with this (WAF API LoggingConfiguration)."""
REDACTED_HEADERS = ("authorization", "cookie")
"""Never written to WAF logs (lowercase: WAF matches header names in lowercase)."""


class RuleGroupAction(enum.StrEnum):
    """What a managed rule group does with the requests its rules match."""

    OFF = "off"
    """Not in the web ACL."""
    COUNT = "count"
    """Evaluated and counted in metrics and logs, never blocked (for tuning false positives)."""
    BLOCK = "block"
    """Matches are blocked."""


@dataclass(frozen=True)
class ManagedGroup:
    """An AWS managed rule group and where it sits in the web ACL."""

    key: str
    """Its key under ``webstack:waf.ruleGroups``."""
    name: str
    """AWS's name (a wrong one fails with WAFInvalidParameterException, field RULE)."""
    priority: int


MANAGED_GROUPS = (
    ManagedGroup("ipReputation", "AWSManagedRulesAmazonIpReputationList", 10),
    ManagedGroup("common", "AWSManagedRulesCommonRuleSet", 30),
    ManagedGroup("knownBadInputs", "AWSManagedRulesKnownBadInputsRuleSet", 40),
    ManagedGroup("sqli", "AWSManagedRulesSQLiRuleSet", 50),
)
"""Cheap reputation check first, then the rate limit (priority 20), then the inspecting groups."""
RATE_RULE_PRIORITY = 20


# --- Config: `webstack:waf` -----------------------------------------------------------------------


class WafRuleGroups(StrictModel):
    """``webstack:waf.ruleGroups``: block, count or (SQL injection only) leave out each group."""

    common: RuleGroupAction = Field(
        default=RuleGroupAction.BLOCK,
        description="AWS Core rule set (OWASP Top 10 style checks). Default block.",
        json_schema_extra={"fix": "use block or count"},
    )
    known_bad_inputs: RuleGroupAction = Field(
        default=RuleGroupAction.BLOCK,
        alias="knownBadInputs",
        description="Known bad inputs (e.g. Log4j exploits). Default block.",
        json_schema_extra={"fix": "use block or count"},
    )
    ip_reputation: RuleGroupAction = Field(
        default=RuleGroupAction.BLOCK,
        alias="ipReputation",
        description="Amazon IP reputation list (bots, known attackers). Default block.",
        json_schema_extra={"fix": "use block or count"},
    )
    sqli: RuleGroupAction = Field(
        default=RuleGroupAction.OFF,
        description="SQL injection rule set. Default off (the app uses no SQL database yet).",
        json_schema_extra={"fix": "use off, count or block"},
    )

    @field_validator("common", "known_bad_inputs", "ip_reputation", "sqli", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        """A bare ``off`` is the string "off" to the Pulumi CLI (YAML 1.2) but false to YAML 1.1 readers."""
        return RuleGroupAction.OFF.value if value is False else value


class WafConfig(StrictModel):
    """``webstack:waf``: the web application firewall on the public entry point."""

    enabled: StrictBool | None = Field(
        default=None,
        description="Put a web ACL on the entry point. Default: dev false, prod true (required).",
        json_schema_extra={"fix": "use true or false"},
    )
    rate_limit: StrictInt = Field(
        default=2000,
        alias="rateLimit",
        description="Requests one client IP may send per rateWindowSeconds before WAF blocks it. "
        "Default 2000.",
        json_schema_extra={"fix": f"use {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX}"},
    )
    rate_window_seconds: StrictInt = Field(
        default=300,
        alias="rateWindowSeconds",
        description="The window the rate limit counts over: 60, 120, 300 or 600. Default 300.",
        json_schema_extra={"fix": "use 60, 120, 300 or 600"},
    )
    rule_groups: WafRuleGroups = Field(
        default_factory=WafRuleGroups,
        alias="ruleGroups",
        description="Per AWS managed rule group: block, count or off.",
        json_schema_extra={"fix": "make ruleGroups an object, e.g. {common: block, sqli: count}"},
    )
    log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="logRetentionDays",
        description="Retention of WAF logs. Default: dev 30, prod 365 (prod: at least 90).",
        json_schema_extra={"fix": RETENTION_FIX},
    )


@dataclass(frozen=True)
class WafSettings:
    """The firewall as validated, environment defaults applied."""

    enabled: bool
    rate_limit: int
    rate_window_seconds: int
    rule_groups: Mapping[str, RuleGroupAction]
    """ManagedGroup.key -> action (``off`` groups included)."""
    log_retention_days: int


WAF_DEFAULT_ENABLED = {Environment.DEV: False, Environment.PROD: True}
WAF_DEFAULT_RETENTION = {Environment.DEV: 30, Environment.PROD: 365}


def waf_settings(
    config: WafConfig, environment: Environment, http_api_edge: bool = False
) -> tuple[WafSettings, list[str]]:
    """The firewall with its environment's defaults applied, and every problem found.

    ``http_api_edge``: the entry point is an API Gateway HTTP API (``edge.kind: apigateway``). WAFv2
    associates with REST API stages, load balancers and CloudFront, but not HTTP APIs (AWS API Gateway
    guide, apigateway-control-access-aws-waf.html: "protect your REST APIs"), and a web ACL on the
    internal load balancer would inspect nothing the internet sends directly; so the firewall is off,
    and asking for it is an error (throttling and the JWT authorizer guard that edge instead).
    """
    problems = []
    if http_api_edge:
        if config.enabled:
            problems.append(
                "webstack:waf.enabled: got true, but webstack:edge.kind is apigateway and AWS WAF cannot be "
                "associated with an API Gateway HTTP API (only REST APIs, load balancers and CloudFront); "
                "remove waf.enabled (the API's throttling and JWT authorizer guard it) or use edge.kind alb"
            )
        enabled = False
    else:
        enabled = WAF_DEFAULT_ENABLED[environment] if config.enabled is None else config.enabled
    retention = config.log_retention_days or WAF_DEFAULT_RETENTION[environment]
    if not RATE_LIMIT_MIN <= config.rate_limit <= RATE_LIMIT_MAX:
        problems.append(
            f"webstack:waf.rateLimit: got {config.rate_limit}, but WAF (through pulumi-aws 7) accepts "
            f"{RATE_LIMIT_MIN} to {RATE_LIMIT_MAX:,} requests per client IP and window; use a value in "
            "that range (default 2000)"
        )
    if config.rate_window_seconds not in RATE_WINDOWS:
        problems.append(
            f"webstack:waf.rateWindowSeconds: got {config.rate_window_seconds}, but WAF counts over "
            "60, 120, 300 or 600 seconds; use one of those (default 300)"
        )
    groups = config.rule_groups.model_dump(by_alias=True)
    for key, action in groups.items():
        if action is RuleGroupAction.OFF and key != "sqli":
            problems.append(
                f"webstack:waf.ruleGroups.{key}: got off, but this baseline group stays in the web ACL; "
                "use count to observe it without blocking"
            )
    if environment is Environment.PROD:
        if not enabled and not http_api_edge:
            problems.append(
                "webstack:waf.enabled: got false, but prod puts a web application firewall on its public "
                "entry point (AWS FSBP ELB.16, checkov CKV2_AWS_28); remove the key or set it to true"
            )
        if retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"webstack:waf.logRetentionDays: got {retention}, but prod keeps logs at least "
                f"{PROD_MIN_LOG_RETENTION_DAYS} days for incident response; use 90 or more"
            )
    settings = WafSettings(
        enabled=enabled,
        rate_limit=config.rate_limit,
        rate_window_seconds=config.rate_window_seconds,
        rule_groups=groups,
        log_retention_days=retention,
    )
    return settings, problems


# --- The component --------------------------------------------------------------------------------


class Scope(enum.StrEnum):
    """Where the web ACL lives."""

    REGIONAL = "REGIONAL"
    """In the stack's region, associated with the load balancer."""
    CLOUDFRONT = "CLOUDFRONT"
    """In us-east-1, named by the CloudFront distribution's ``web_acl_id``."""


@dataclass(frozen=True)
class WafArgs:
    """What the Waf builds."""

    settings: WafSettings
    """The validated ``webstack:waf``."""
    scope: Scope
    """REGIONAL (on the load balancer) or CLOUDFRONT (on the distribution)."""
    region: str
    """Where the ACL, its log group and key live: the stack's region, or us-east-1 for CLOUDFRONT."""
    log_group_name: str
    """``aws-waf-logs-<project>-<stack>``."""
    protected_arn: pulumi.Input[str] | None = None
    """The load balancer to associate (REGIONAL only; a distribution names the ACL itself)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key for the log group (REGIONAL); None for CLOUDFRONT, whose log group lives in
    us-east-1 and gets a key of that region here."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""

    def __post_init__(self) -> None:
        if not self.log_group_name.startswith(LOG_GROUP_PREFIX):
            raise ValueError(f"WafArgs.log_group_name: WAF only logs to names starting {LOG_GROUP_PREFIX}")
        if (self.scope is Scope.REGIONAL) != (self.protected_arn is not None):
            raise ValueError("WafArgs.protected_arn: give it for REGIONAL scope, and only then")
        if (self.scope is Scope.REGIONAL) != (self.kms_key_arn is not None):
            raise ValueError("WafArgs.kms_key_arn: the stack key for REGIONAL scope, None for CLOUDFRONT")


class Waf(pulumi.ComponentResource):
    """A web ACL with managed rule groups and a rate limit, its KMS-encrypted logs and association."""

    web_acl_arn: pulumi.Output[str]
    """The ACL (a distribution's ``web_acl_id`` takes this ARN)."""
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Waf"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Regional resources follow the provider's region; CLOUDFRONT ones name us-east-1 (pulumi-aws 7
        # per-resource region: no second provider).
        region = args.region if args.scope is Scope.CLOUDFRONT else None
        self._region = region
        log_group = self._log_group(name, args)
        acl = aws.wafv2.WebAcl(
            child_name(name, "acl"),
            scope=args.scope.value,
            region=region,
            description="webstack: AWS managed rule groups and a per-IP rate limit",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            # Inline rules, listed in priority order (pulumi-aws shows a diff when the order differs).
            rules=self._rules(name, args.settings),
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
            opts=child,
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

    def _rules(self, name: str, settings: WafSettings) -> list[aws.wafv2.WebAclRuleArgs]:
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
                            limit=settings.rate_limit,
                            evaluation_window_sec=settings.rate_window_seconds,
                        )
                    ),
                    visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                        metric_name=f"{name}-rate-limit-per-ip", **VISIBILITY
                    ),
                ),
            )
        ]
        for group in MANAGED_GROUPS:
            action = settings.rule_groups[group.key]
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

    def _log_group(self, name: str, args: WafArgs) -> aws.cloudwatch.LogGroup:
        """The log group, encrypted with the stack key, or for CLOUDFRONT scope with a us-east-1 key of
        its own (KMS keys are regional; the log group must be in the web ACL's region)."""
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
            args.settings.log_retention_days,
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
        aws.cloudwatch.LogResourcePolicy(
            child_name(name, "logs-delivery"),
            policy_name=args.log_group_name,
            policy_document=delivery.json,
            region=self._region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return log_group


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
