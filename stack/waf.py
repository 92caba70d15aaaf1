"""The schema of ``webstack:waf``: the web application firewall on the stack's public entry point (the
component is :mod:`components.frontdoor.waf`), its environment defaults and checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, field_validator

from components.pure.frontdoor import RuleGroupAction
from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

RATE_LIMIT_MIN = 100
"""AWS allows 10 since 2024, but pulumi-aws 7 still rejects a limit below 100 (pulumi/pulumi-aws #5841)."""
RATE_LIMIT_MAX = 2_000_000_000
RATE_WINDOWS = (60, 120, 300, 600)
"""The evaluation windows WAF offers, in seconds (SDK wafv2 ``evaluation_window_sec``)."""


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
    """``ruleGroups`` key (ipReputation, common, knownBadInputs, sqli) -> action (``off`` included)."""
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
