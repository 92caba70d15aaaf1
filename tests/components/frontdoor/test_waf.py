"""The Waf component: the web ACL on the load balancer, its rules in order, and its logs.

Exact values come from the fixture stack ``tests/stacks/Pulumi.frontdoor-prod.yaml`` (the ``front``
fixture, tests/components/conftest.py).
"""

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run, run_stack
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

ACL = "aws:wafv2/webAcl:WebAcl"
BASELINE_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def run_is_prod(run: Run) -> bool:
    return run.outputs.get("environment") == "prod"


def test_the_web_acl_is_associated_with_the_load_balancer(front: Run):
    acl = front.named("waf-acl")
    association = front.named("waf-association")
    assert (acl.inputs["scope"], acl.inputs["defaultAction"]) == ("REGIONAL", {"allow": {}})
    assert association.inputs["webAclArn"] == acl.state["arn"]
    assert association.inputs["resourceArn"] == front.named("edge-alb").state["arn"]


def test_the_rules_run_reputation_then_rate_limit_then_managed_groups_as_configured(front: Run):
    rules = front.named("waf-acl").inputs["rules"]
    assert [(r["priority"], r["name"]) for r in rules] == [
        (10, "AWSManagedRulesAmazonIpReputationList"),
        (20, "rate-limit-per-ip"),
        (30, "AWSManagedRulesCommonRuleSet"),
        (40, "AWSManagedRulesKnownBadInputsRuleSet"),
        (50, "AWSManagedRulesSQLiRuleSet"),
    ]
    rate = rules[1]
    assert rate["statement"]["rateBasedStatement"] == {
        "limit": 1000,
        "aggregateKeyType": "IP",
        "evaluationWindowSec": 300,
    }
    assert rate["action"] == {"block": {}}
    overrides = {
        r["name"]: r.get("overrideAction") for r in rules if "managedRuleGroupStatement" in r["statement"]
    }
    assert overrides == {
        "AWSManagedRulesAmazonIpReputationList": {"none": {}},
        "AWSManagedRulesCommonRuleSet": {"none": {}},
        "AWSManagedRulesKnownBadInputsRuleSet": {"none": {}},
        "AWSManagedRulesSQLiRuleSet": {"count": {}},  # webstack:waf.ruleGroups.sqli: count
    }
    for rule in [*rules, front.named("waf-acl").inputs]:
        visibility = rule.get("visibilityConfig") or {}
        assert visibility["cloudwatchMetricsEnabled"] and visibility["sampledRequestsEnabled"], rule


def test_waf_logs_go_to_a_kms_encrypted_aws_waf_logs_group_with_credentials_redacted(front: Run):
    logging = front.named("waf-logging")
    group = front.named("waf-logs")
    key = front.named("stack-key-key")
    assert logging.inputs["resourceArn"] == front.named("waf-acl").state["arn"]
    assert logging.inputs["logDestinationConfigs"] == [group.state["arn"]]
    assert group.inputs["name"] == "aws-waf-logs-webstack-frontdoor-prod"
    assert (group.inputs["retentionInDays"], group.inputs["kmsKeyId"]) == (365, key.state["arn"])
    assert {"singleHeader": {"name": "authorization"}} in logging.inputs["redactedFields"]
    (delivery,) = policy_statements(front.named("waf-logs-delivery").inputs["policyDocument"])
    assert delivery["Resource"] == [f"{group.state['arn']}:*"]
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": ["222222222222"]}


def test_waf_logging_is_turned_on_only_after_its_own_log_resource_policy_exists(front: Run):
    """Turning logging on makes AWS write a resource policy for the group unless one admits log
    delivery already (WAF API_LoggingConfiguration.html; CloudWatch Logs
    AWS-logs-infrastructure-CWL.html), so the stack's own policy must come first."""
    logging = front.named("waf-logging")
    assert front.named("waf-logs-delivery").urn in logging.options["dependsOn"]


def test_dev_has_no_firewall_unless_asked(dev: Run):
    assert dev.of_type(ACL) == []
    with_waf = run_stack(EXAMPLE_DEV, {"webstack:waf": {"enabled": True}}, root=FIXTURES)
    assert len(with_waf.of_type(ACL)) == 1


@pytest.mark.parametrize("stack", ["dev", "prod", "front"])
def test_any_stack_with_a_firewall_guards_its_public_entry_point_with_managed_rules_and_a_rate_limit(
    stack: str, request: pytest.FixtureRequest
):
    run: Run = request.getfixturevalue(stack)
    for acl in run.of_type(ACL):
        rules = acl.inputs["rules"]
        groups = {
            r["statement"]["managedRuleGroupStatement"]["name"]
            for r in rules
            if "managedRuleGroupStatement" in r["statement"]
        }
        assert groups >= BASELINE_GROUPS
        (rate,) = [
            r["statement"]["rateBasedStatement"] for r in rules if "rateBasedStatement" in r["statement"]
        ]
        assert rate["limit"] >= 100 and rate["aggregateKeyType"] == "IP"
        protected = [
            a.inputs["resourceArn"]
            for a in run.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
            if a.inputs["webAclArn"] == acl.state["arn"]
        ]
        fronted = [d for d in run.of_type(DISTRIBUTION) if d.inputs.get("webAclId") == acl.state["arn"]]
        assert (
            protected == [b.state["arn"] for b in run.of_type("aws:lb/loadBalancer:LoadBalancer")] or fronted
        )
        (logging,) = [
            c
            for c in run.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
            if c.inputs["resourceArn"] == acl.state["arn"]
        ]
        (destination,) = logging.inputs["logDestinationConfigs"]
        assert destination.split(":log-group:")[1].startswith("aws-waf-logs-")
    if run_is_prod(run):
        assert run.of_type(ACL), "prod always has a firewall"
