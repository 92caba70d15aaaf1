"""The Domain component: the stack's own hosts with DNS-validated certificates and their aliases.

Exact values come from the fixture stack ``tests/stacks/Pulumi.frontdoor-prod.yaml`` (the ``front``
fixture, tests/components/conftest.py).
"""

import pytest

from plan.engine import Recorded, Run, run_stack
from plan.mocks import EXAMPLE_ZONE_ID
from stack.schema import ConfigError
from tests.support.fixture_stacks import FIXTURES

HOST = "app.example.com"
RECORD = "aws:route53/record:Record"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
STATIC_HOST = "assets.example.com"


def validation_records(run: Run) -> list[Recorded]:
    return [r for r in run.of_type(RECORD) if r.inputs.get("type") == "CNAME"]


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
        "frontdoor-prod", {"webstack:domain": {"zoneId": EXAMPLE_ZONE_ID, "host": HOST}}, root=FIXTURES
    )
    assert {r.inputs["zoneId"] for r in run.of_type(RECORD)} == {EXAMPLE_ZONE_ID}


def test_a_zone_id_that_does_not_exist_is_a_config_error_before_any_resource():
    recorded = Run()
    with pytest.raises(ConfigError, match=r"webstack:domain\.zoneId: got \"Z9NOSUCHZONE\""):
        run_stack(
            "frontdoor-prod",
            {"webstack:domain": {"zoneId": "Z9NOSUCHZONE", "host": HOST}},
            root=FIXTURES,
            run=recorded,
        )
    assert recorded.resources == []


def test_a_host_outside_the_zone_of_a_zone_id_is_a_config_error():
    with pytest.raises(ConfigError, match=r"webstack:domain\.host: got \"app\.example\.org\", but it is out"):
        run_stack(
            "frontdoor-prod",
            {"webstack:domain": {"zoneId": EXAMPLE_ZONE_ID, "host": "app.example.org"}},
            root=FIXTURES,
        )


def test_the_distributions_certificate_is_validated_in_us_east_1(front: Run):
    certificate = front.named("domain-cdn-cert")
    validation = front.named("domain-cdn-cert-validation")
    assert (certificate.inputs["domainName"], certificate.inputs["region"]) == (STATIC_HOST, "us-east-1")
    assert validation.inputs["region"] == "us-east-1"
    assert validation.inputs["certificateArn"].startswith("arn:aws:acm:us-east-1:")


def test_the_static_host_has_ipv4_and_ipv6_aliases_of_the_distribution(front: Run):
    distribution = front.named("cdn-distribution").state
    for kind in ("a", "aaaa"):
        record = front.named(f"domain-static-{kind}").inputs
        assert (record["name"], record["type"]) == (STATIC_HOST, kind.upper())
        assert record["aliases"] == [
            {"name": distribution["domainName"], "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}
        ]


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
