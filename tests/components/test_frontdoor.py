"""The front door: the stack's own domain with a DNS-validated certificate, the web
application firewall, and static content on CloudFront. Exact values come from the fixture stacks in
``tests/stacks/Pulumi.frontdoor-*.yaml``."""

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.buckets import private_bucket
from components.pure.guardrails import policy_statements
from plan import graph, report
from plan.engine import Recorded, Run, run_component, run_stack
from plan.mocks import EXAMPLE_ZONE_ID
from stack.schema import ConfigError
from tests.config.test_config import IMAGE, problems_of, raw
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

STACKS = Path(__file__).parents[1] / "stacks"
HOST = "app.example.com"
RECORD = "aws:route53/record:Record"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def run_is_prod(run: Run) -> bool:
    return run.outputs.get("environment") == "prod"


@pytest.fixture(scope="module")
def front() -> Run:
    return run_stack("frontdoor-prod", root=STACKS)


def validation_records(run: Run) -> list[Recorded]:
    return [r for r in run.of_type(RECORD) if r.inputs.get("type") == "CNAME"]


# --- Domain and certificate -------------------------------------------------------------------------


def test_the_certificate_is_requested_for_the_host_and_validated_by_dns(front: Run):
    certificate = front.named("domain-cert")
    assert certificate.inputs["domainName"] == HOST
    assert certificate.inputs["validationMethod"] == "DNS"
    assert "region" not in certificate.inputs  # the load balancer's: the stack's own region


def test_the_validation_record_is_the_cname_acm_asked_for_in_the_looked_up_zone(front: Run):
    certificate = front.named("domain-cert")
    (option,) = certificate.state["domainValidationOptions"]
    record = front.named("domain-validation-app-example-com")
    assert record.inputs["name"] == option["resourceRecordName"]
    assert record.inputs["records"] == [option["resourceRecordValue"]]
    assert record.inputs["zoneId"] == front.named("domain-app-a").inputs["zoneId"]
    assert record.inputs["zoneId"].startswith("Z")


def test_validation_waits_for_the_record_with_a_bounded_timeout(front: Run):
    validation = front.named("domain-cert-validation")
    record = front.named("domain-validation-app-example-com")
    assert validation.inputs["certificateArn"] == front.named("domain-cert").state["arn"]
    assert validation.inputs["validationRecordFqdns"] == [record.state["fqdn"]]


def test_the_https_listener_uses_the_validated_certificate(front: Run):
    listener = front.named("edge-https")
    assert listener.inputs["certificateArn"] == front.named("domain-cert-validation").inputs["certificateArn"]
    assert listener.inputs["protocol"] == "HTTPS"


def test_the_host_is_an_ipv4_alias_of_the_load_balancer(front: Run):
    alias = front.named("domain-app-a")
    balancer = front.named("edge-alb")
    assert (alias.inputs["name"], alias.inputs["type"]) == (HOST, "A")
    assert alias.inputs["aliases"] == [
        {"name": balancer.state["dnsName"], "zoneId": balancer.state["zoneId"], "evaluateTargetHealth": True}
    ]
    assert "ttl" not in alias.inputs
    # The load balancer is IPv4-only, so an AAAA alias would point at nothing.
    assert [r.inputs["type"] for r in front.of_type(RECORD) if r.name.startswith("domain-app")] == ["A"]


def test_the_url_is_the_host_over_https(front: Run):
    assert front.outputs["url"] == f"https://{HOST}"


def test_a_zone_given_by_id_is_looked_up_and_used():
    run = run_stack(
        "frontdoor-prod", {"webstack:domain": {"zoneId": EXAMPLE_ZONE_ID, "host": HOST}}, root=STACKS
    )
    assert {r.inputs["zoneId"] for r in run.of_type(RECORD)} == {EXAMPLE_ZONE_ID}


def test_a_zone_id_that_does_not_exist_is_a_config_error_before_any_resource():
    recorded = Run()
    with pytest.raises(ConfigError, match=r"webstack:domain\.zoneId: got \"Z9NOSUCHZONE\""):
        run_stack(
            "frontdoor-prod",
            {"webstack:domain": {"zoneId": "Z9NOSUCHZONE", "host": HOST}},
            root=STACKS,
            run=recorded,
        )
    assert recorded.resources == []


def test_a_host_outside_the_zone_of_a_zone_id_is_a_config_error():
    with pytest.raises(ConfigError, match=r"webstack:domain\.host: got \"app\.example\.org\", but it is out"):
        run_stack(
            "frontdoor-prod",
            {"webstack:domain": {"zoneId": EXAMPLE_ZONE_ID, "host": "app.example.org"}},
            root=STACKS,
        )


# --- Web application firewall ---------------------------------------------------------------------

ACL = "aws:wafv2/webAcl:WebAcl"
BASELINE_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}


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


BUCKET = "aws:s3/bucket:Bucket"
FRONT_BUCKETS = ["cdn-content", "cdn-logs", "edge-access-logs"]


def bucket_parts(run: Run, bucket: Recorded) -> list[Recorded]:
    """The bucket and its settings (``{bucket}-block``, ``-policy``, ``-versioning``, ...)."""
    return [r for r in run.resources if r.name == bucket.name or r.name.startswith(f"{bucket.name}-")]


def test_prod_keeps_its_front_door_buckets_and_their_settings_in_aws_when_they_leave_the_stack(front: Run):
    """S3 refuses to delete a bucket holding objects (BucketNotEmpty): prod keeps them (retain_on_delete,
    settings too, so a kept bucket stays private and encrypted) rather than empty them."""
    buckets = sorted(front.of_type(BUCKET), key=lambda r: r.name)
    assert [b.name for b in buckets] == FRONT_BUCKETS
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is False
        parts = bucket_parts(front, bucket)
        assert len(parts) == 7 and all(part.options.get("retainOnDelete") for part in parts)
        assert not bucket.options.get("protect")


def test_dev_empties_and_deletes_its_front_door_buckets_when_they_leave_the_stack():
    run = run_stack(
        "frontdoor-prod",
        {
            "webstack:environment": "dev",
            "aws:defaultTags": {"tags": {"Environment": "dev", "Project": "webstack", "ManagedBy": "pulumi"}},
            "webstack:edge": {"accessLogs": True},
            "webstack:waf": None,
        },
        root=STACKS,
    )
    buckets = sorted(run.of_type(BUCKET), key=lambda r: r.name)
    assert [b.name for b in buckets] == FRONT_BUCKETS
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is True
        assert not any(part.options.get("retainOnDelete") for part in bucket_parts(run, bucket))


def test_a_private_bucket_is_unprotected_unless_asked():
    def build(protect: bool = False) -> Any:
        parent = pulumi.ComponentResource("test:index:Holder", "holder")
        rule = aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire",
            status="Enabled",
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=1
            ),
        )
        if protect:
            private_bucket("guarded", parent, rule, protect=True)
        else:
            private_bucket("plain", parent, rule)

    default, protected = run_component(build), run_component(lambda: build(protect=True))
    assert [bool(b.options.get("protect")) for b in default.of_type(BUCKET)] == [False]
    assert [bool(b.options.get("protect")) for b in protected.of_type(BUCKET)] == [True]


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


# --- Static content on CloudFront -------------------------------------------------------------------

STATIC_HOST = "assets.example.com"


def test_static_content_is_served_over_https_only_with_tls_1_2_2021_and_security_headers(front: Run):
    distribution = front.named("cdn-distribution").inputs
    assert distribution["aliases"] == [STATIC_HOST]
    assert distribution["viewerCertificate"] == {
        "acmCertificateArn": front.named("domain-cdn-cert-validation").inputs["certificateArn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    behaviour = distribution["defaultCacheBehavior"]
    assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["responseHeadersPolicyId"] == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert "forwardedValues" not in behaviour  # a cache policy replaces it
    assert behaviour["allowedMethods"] == ["GET", "HEAD"]


def test_the_distributions_certificate_is_validated_in_us_east_1(front: Run):
    certificate = front.named("domain-cdn-cert")
    validation = front.named("domain-cdn-cert-validation")
    assert (certificate.inputs["domainName"], certificate.inputs["region"]) == (STATIC_HOST, "us-east-1")
    assert validation.inputs["region"] == "us-east-1"
    assert validation.inputs["certificateArn"].startswith("arn:aws:acm:us-east-1:")


def test_only_this_distribution_reads_the_private_bucket_through_origin_access_control(front: Run):
    distribution = front.named("cdn-distribution")
    bucket = front.named("cdn-content")
    (origin,) = distribution.inputs["origins"]
    assert origin["domainName"] == bucket.state["bucketRegionalDomainName"]
    assert origin["originAccessControlId"] == front.named("cdn-oac").id
    oac = front.named("cdn-oac").inputs
    assert (oac["signingBehavior"], oac["signingProtocol"], oac["originAccessControlOriginType"]) == (
        "always",
        "sigv4",
        "s3",
    )
    statements = list(policy_statements(front.named("cdn-content-policy").inputs["policy"]))
    (read,) = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": ["cloudfront.amazonaws.com"]}
    assert (read["Action"], read["Resource"]) == (["s3:GetObject"], [f"{bucket.state['arn']}/*"])
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": [distribution.state["arn"]]}}
    assert front.named("cdn-content-block").inputs["restrictPublicBuckets"] is True
    assert front.named("cdn-content-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_the_static_content_is_encrypted_with_the_cdns_own_key_only_this_distribution_may_decrypt(
    front: Run,
):
    """CloudFront developer guide, private-content-restricting-access-to-s3 ("SSE-KMS"): with OAC the
    key policy lets cloudfront.amazonaws.com kms:Decrypt with AWS:SourceArn = the distribution."""
    key = front.named("cdn-key")
    (rule,) = front.named("cdn-content-sse").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.state["arn"],
    }
    assert rule["bucketKeyEnabled"] is True
    assert (key.inputs["enableKeyRotation"], key.inputs["deletionWindowInDays"]) == (True, 30)
    admin, cloudfront = policy_statements(key.inputs["policy"])
    assert (admin["Principal"], admin["Action"]) == ({"AWS": ["arn:aws:iam::222222222222:root"]}, ["kms:*"])
    assert cloudfront["Principal"] == {"Service": ["cloudfront.amazonaws.com"]}
    assert cloudfront["Action"] == ["kms:Decrypt"]
    assert cloudfront["Condition"] == {
        "StringEquals": {"AWS:SourceArn": [front.named("cdn-distribution").state["arn"]]}
    }
    # The log bucket receives S3 server access logs, which S3 delivers only to SSE-S3 buckets.
    (logs_rule,) = front.named("cdn-logs-sse").inputs["rules"]
    assert logs_rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert front.named("cdn-key").options.get("retainOnDelete") is True


def test_every_request_to_the_static_content_is_logged_in_the_log_bucket(front: Run):
    """Who changed which object: S3 server access logs (S3 user guide, enable-server-access-logging:
    the destination's bucket policy admits logging.s3.amazonaws.com with aws:SourceArn/SourceAccount)."""
    content, logs = front.named("cdn-content"), front.named("cdn-logs")
    logging = front.named("cdn-access-logging")
    assert (logging.inputs["bucket"], logging.inputs["targetBucket"], logging.inputs["targetPrefix"]) == (
        content.id,
        logs.id,
        "s3-access/",
    )
    assert front.named("cdn-logs-policy").urn in logging.options["dependsOn"]
    statements = {s.get("Sid"): s for s in policy_statements(front.named("cdn-logs-policy").inputs["policy"])}
    write = statements["S3ServerAccessLogs"]
    assert write["Principal"] == {"Service": ["logging.s3.amazonaws.com"]}
    assert (write["Action"], write["Resource"]) == (["s3:PutObject"], [f"{logs.state['arn']}/s3-access/*"])
    assert write["Condition"] == {
        "ArnLike": {"aws:SourceArn": [content.state["arn"]]},
        "StringEquals": {"aws:SourceAccount": ["222222222222"]},
    }


def test_the_static_host_has_ipv4_and_ipv6_aliases_of_the_distribution(front: Run):
    distribution = front.named("cdn-distribution").state
    for kind in ("a", "aaaa"):
        record = front.named(f"domain-static-{kind}").inputs
        assert (record["name"], record["type"]) == (STATIC_HOST, kind.upper())
        assert record["aliases"] == [
            {"name": distribution["domainName"], "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}
        ]


def test_cloudfront_access_logs_are_delivered_to_a_private_bucket(front: Run):
    source = front.named("cdn-log-source").inputs
    destination = front.named("cdn-log-destination")
    delivery = front.named("cdn-log-delivery").inputs
    assert (source["logType"], source["resourceArn"]) == (
        "ACCESS_LOGS",
        front.named("cdn-distribution").state["arn"],
    )
    assert {source["region"], destination.inputs["region"], delivery["region"]} == {"us-east-1"}
    logs = front.named("cdn-logs")
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": logs.state["arn"]
    }
    assert delivery["deliveryDestinationArn"] == destination.state["arn"]
    assert front.named("cdn-logs-policy").urn in front.named("cdn-log-delivery").options["dependsOn"]


@pytest.mark.parametrize("stack", ["dev", "prod", "front"])
def test_any_stack_with_a_domain_validates_its_certificates_by_dns_and_aliases_its_hosts(
    stack: str, request: pytest.FixtureRequest
):
    run: Run = request.getfixturevalue(stack)
    fqdns = {r.state["fqdn"] for r in validation_records(run)}
    for validation in run.of_type("aws:acm/certificateValidation:CertificateValidation"):
        assert (
            validation.inputs["validationRecordFqdns"]
            and set(validation.inputs["validationRecordFqdns"]) <= fqdns
        )
    for distribution in run.of_type(DISTRIBUTION):
        inputs = distribution.inputs
        assert inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
        assert inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] in ("redirect-to-https", "https-only")
        assert all(
            origin.get("originAccessControlId")
            for origin in inputs["origins"]
            if ".s3." in origin["domainName"]
        )
    if run.of_type("aws:acm/certificate:Certificate"):
        assert [r for r in run.of_type(RECORD) if r.inputs["type"] == "A" and r.inputs.get("aliases")]
        assert run.outputs["url"].startswith("https://")


# --- Validation with named errors ---------------------------------------------------------------------


def services_with(environment: str = "dev", **changes: Any) -> dict[str, str]:
    """A valid config with one catch-all service, plus ``changes`` (``raw``'s key convention)."""
    return raw(environment, webstack__services={"web": {"image": IMAGE, "port": 8080}}, **changes)


DOMAIN = {"zone": "example.com", "host": HOST}

FRONTDOOR_BAD_INPUTS = [
    (
        "host outside its zone",
        services_with(webstack__domain={"zone": "example.com", "host": "app.example.org"}),
        "webstack:domain.host",
        "outside the hosted zone example.com",
    ),
    (
        "host without a zone",
        services_with(webstack__domain={"host": HOST}),
        "webstack:domain.zone",
        "needs the hosted zone",
    ),
    (
        "zone and zone id both",
        services_with(webstack__domain={**DOMAIN, "zoneId": EXAMPLE_ZONE_ID}),
        "webstack:domain.zoneId",
        "keep one",
    ),
    (
        "host not a host name",
        services_with(webstack__domain={"zone": "example.com", "host": "app_1.example.com"}),
        "webstack:domain.host",
        "not a DNS host name",
    ),
    (
        "domain without services",
        raw(webstack__domain=DOMAIN),
        "webstack:domain",
        "no services",
    ),
    (
        "domain and certificate both",
        services_with("prod", webstack__domain=DOMAIN),  # raw() gives prod a certificateArn
        "webstack:edge.certificateArn",
        "remove one of the two",
    ),
    (
        "rate limit below what pulumi-aws accepts",
        services_with(webstack__waf={"enabled": True, "rateLimit": 50}),
        "webstack:waf.rateLimit",
        "accepts 100 to 2,000,000,000",
    ),
    (
        "rate limit above AWS's maximum",
        services_with(webstack__waf={"rateLimit": 3_000_000_000}),
        "webstack:waf.rateLimit",
        "got 3000000000",
    ),
    (
        "rate window WAF does not offer",
        services_with(webstack__waf={"rateWindowSeconds": 30}),
        "webstack:waf.rateWindowSeconds",
        "60, 120, 300 or 600",
    ),
    (
        "baseline rule group off",
        services_with(webstack__waf={"ruleGroups": {"common": "off"}}),
        "webstack:waf.ruleGroups.common",
        "use count",
    ),
    (
        "rule group action unknown",
        services_with(webstack__waf={"ruleGroups": {"sqli": "maybe"}}),
        "webstack:waf.ruleGroups.sqli",
        "off, count or block",
    ),
    (
        "prod without a firewall",
        services_with("prod", webstack__waf={"enabled": False}),
        "webstack:waf.enabled",
        "CKV2_AWS_28",
    ),
    (
        "prod waf logs kept too briefly",
        services_with("prod", webstack__waf={"logRetentionDays": 30}),
        "webstack:waf.logRetentionDays",
        "at least 90",
    ),
    (
        "static content without a domain",
        services_with(webstack__static={}),
        "webstack:static",
        "add webstack:domain",
    ),
    (
        "static host outside the zone",
        services_with(webstack__domain=DOMAIN, webstack__static={"host": "cdn.example.org"}),
        "webstack:static.host",
        "outside the hosted zone example.com",
    ),
    (
        "static host is the load balancer's host",
        services_with(webstack__domain=DOMAIN, webstack__static={"host": HOST}),
        "webstack:static.host",
        "its own host",
    ),
    (
        "static host clashes with a service route",
        raw(
            webstack__services={
                "web": {"image": IMAGE, "port": 8080, "routing": {"hostHeaders": ["static.app.example.com"]}}
            },
            webstack__domain=DOMAIN,
            webstack__static={},
        ),
        "webstack:static.host",
        "webstack:services.web.routing claims that host",
    ),
    (
        "prod without domain or certificate",
        services_with("prod", webstack__edge={}),
        "webstack:edge.certificateArn",
        "set webstack:domain",
    ),
]


@pytest.mark.parametrize(
    ("config", "key", "words"),
    [case[1:] for case in FRONTDOOR_BAD_INPUTS],
    ids=[case[0] for case in FRONTDOOR_BAD_INPUTS],
)
def test_each_front_door_mistake_fails_with_an_error_naming_its_key(config, key, words):
    problems = problems_of(config)
    matching = [problem for problem in problems if problem.startswith(f"{key}:")]
    assert matching, f"no problem names {key}: {problems}"
    assert any(words in problem for problem in matching), matching


# --- The plan ------------------------------------------------------------------------------------------


def test_the_plan_shows_certificates_validation_records_aliases_waf_rules_cloudfront_paths_and_doors():
    lines = report.front_door(graph.capture("frontdoor-prod", root=STACKS))
    text = "\n".join(lines)
    assert "certificate app.example.com (eu-west-1): validated by DNS" in text
    assert "certificate assets.example.com (us-east-1): validated by DNS" in text
    assert sum(1 for line in lines if line.strip().startswith("CNAME _")) == 2
    assert "alias app.example.com (A) -> load balancer edge" in text
    assert "alias assets.example.com (A, AAAA) -> CloudFront cdn-distribution" in text
    assert "web ACL waf-acl (REGIONAL) on the load balancer" in text
    assert "20 rate-limit-per-ip: at most 1000 requests per IP per 300 s, block" in text
    assert "50 AWSManagedRulesSQLiRuleSet: AWS managed rule group, count only" in text
    assert "/* -> S3 bucket via origin access control" in text
    assert lines[-2:] == [
        "    https://app.example.com -> load balancer edge (behind the web ACL)",
        "    https://assets.example.com -> CloudFront cdn-distribution",
    ]


def test_a_stack_without_a_front_door_says_so_in_one_line():
    (line,) = report.front_door(graph.capture("example-dev", root=STACKS))
    assert line.startswith("Front door: the load balancer's DNS name only")
