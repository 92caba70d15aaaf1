"""The Edge component: the internet-facing load balancer, its listeners, rules, target groups and
access logs, in both example stacks and the workers fixture stack.

Exact values come from the fixture stack ``tests/stacks/Pulumi.workers-dev.yaml``: web (8080) calls api
(9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
runs two schedules.
"""

import json
from typing import Any

import pytest

from components.frontdoor.edge import DEREGISTRATION_DELAY_SECONDS, TLS_POLICY
from components.pure.guardrails import policy_statements
from plan.engine import Run, run_stack
from tests.support.fixture_stacks import FIXTURES

STACKS = ["dev", "prod"]
LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def run(workers: Run) -> Run:
    """The fixture stack Pulumi.workers-dev.yaml (tests/components/conftest.py)."""
    return workers


def test_the_load_balancer_is_internet_facing_in_public_subnets_of_two_or_more_zones(stack):
    _, run = stack
    alb = run.named("edge-alb")
    assert alb.inputs["internal"] is False
    assert alb.inputs["subnets"] == run.outputs["publicSubnetIds"]
    zones = {run.by_id(subnet).inputs["availabilityZone"] for subnet in alb.inputs["subnets"]}
    assert len(zones) >= 2
    assert alb.inputs["securityGroups"] == [run.named("edge-sg").id]
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["desyncMitigationMode"] in ("defensive", "strictest")


def test_prod_serves_https_with_tls13_and_http_only_redirects(prod: Run):
    https = prod.named("edge-https")
    assert (https.inputs["port"], https.inputs["protocol"], https.inputs["sslPolicy"]) == (
        443,
        "HTTPS",
        TLS_POLICY,
    )
    # TLS 1.3 with TLS 1.2 as the floor (AWS describe-ssl-policies); a typo here fails only at deploy.
    assert TLS_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https.inputs["certificateArn"].startswith("arn:aws:acm:eu-west-1:222222222222:certificate/")
    assert https.inputs["defaultActions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {"contentType": "text/plain", "statusCode": "404", "messageBody": "Not Found"},
        }
    ]
    http = prod.named("edge-http")
    assert http.inputs["port"] == 80
    assert http.inputs["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]
    # ...and prod's blue/green services' test listener (tests/components/test_deployments.py).
    assert {r.name for r in prod.of_type("aws:lb/listener:Listener")} == {
        "edge-http",
        "edge-https",
        "edge-test",
    }
    assert prod.outputs["url"].startswith("https://")


def test_dev_without_a_certificate_serves_http_and_says_so_loudly(dev: Run):
    (listener,) = dev.of_type("aws:lb/listener:Listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert listener.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    assert any("plain HTTP" in warning and "certificateArn" in warning for warning in dev.warnings)
    assert dev.outputs["url"].startswith("http://")


def test_listener_rules_route_api_first_and_everything_else_to_web(stack):
    _, run = stack
    listener = run.named("edge-https") if stack[0] == "prod" else run.named("edge-http")
    rules = sorted(
        (
            r
            for r in run.of_type("aws:lb/listenerRule:ListenerRule")
            if r.inputs["listenerArn"] == listener.state["arn"]
        ),
        key=lambda r: r.inputs["priority"],
    )
    assert [r.name for r in rules] == ["edge-rule-api", "edge-rule-web"]
    assert all(r.inputs["listenerArn"] == listener.state["arn"] for r in rules)
    assert [r.inputs["conditions"] for r in rules] == [
        [{"pathPattern": {"values": ["/api/*"]}}],
        [{"pathPattern": {"values": ["/*"]}}],
    ]
    for rule in rules:
        (action,) = rule.inputs["actions"]
        service = rule.name.removeprefix("edge-rule-")
        assert action == {"type": "forward", "targetGroupArn": run.named(f"edge-tg-{service}").state["arn"]}


def test_target_groups_use_ip_targets_fast_health_checks_and_short_draining(stack):
    _, run = stack
    for service, port in PORTS.items():
        group = run.named(f"edge-tg-{service}")
        assert (group.inputs["targetType"], group.inputs["port"], group.inputs["protocol"]) == (
            "ip",
            port,
            "HTTP",
        )
        assert group.inputs["deregistrationDelay"] == DEREGISTRATION_DELAY_SECONDS <= 30
        check = group.inputs["healthCheck"]
        assert (check["path"], check["interval"], check["healthyThreshold"], check["unhealthyThreshold"]) == (
            "/healthz",
            10,
            2,
            3,
        )


def test_prod_logs_load_balancer_access_to_a_private_tls_only_bucket(prod: Run):
    alb = prod.named("edge-alb").inputs
    bucket = prod.named("edge-access-logs")
    assert alb["accessLogs"] == {"bucket": bucket.state["bucket"], "enabled": True, "prefix": "edge"}
    assert alb["enableDeletionProtection"] is True
    block = prod.named("edge-access-logs-block").inputs
    assert all(
        block[key] is True
        for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert prod.named("edge-access-logs-ownership").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    sse = prod.named("edge-access-logs-sse").inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "AES256"}
    (expiry,) = prod.named("edge-access-logs-lifecycle").inputs["rules"]
    assert (expiry["status"], expiry["expiration"]["days"]) == ("Enabled", 90)
    # The whole bucket (an empty prefix filter), and failed uploads are not kept for ever.
    assert expiry["filter"] == {"prefix": ""}
    assert expiry["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    deny, allow = policy_statements(prod.named("edge-access-logs-policy").inputs["policy"])
    assert (deny["Effect"], deny["Principal"], deny["Condition"]) == (
        "Deny",
        "*",
        {"Bool": {"aws:SecureTransport": ["false"]}},
    )
    assert allow["Action"] == ["s3:PutObject"]
    assert allow["Resource"] == [f"{bucket.state['arn']}/*/AWSLogs/222222222222/*"]


def test_dev_has_no_access_log_bucket_and_no_deletion_protection(dev: Run):
    assert dev.of_type("aws:s3/bucket:Bucket") == []
    assert dev.named("edge-alb").inputs["enableDeletionProtection"] is False
    assert "accessLogs" not in dev.named("edge-alb").inputs


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        # AWS ELB guide, "Enable access logs for your Application Load Balancer", step 2: regions
        # available before August 2022 deliver as the regional ELB account; later ones only as the
        # log-delivery service principal (there is no ELB account to look up, so the invoke failed).
        ("eu-west-1", {"AWS": ["arn:aws:iam::156460612806:root"], "Service": [LOG_DELIVERY]}),
        ("eu-south-2", {"Service": [LOG_DELIVERY]}),
        ("mx-central-1", {"Service": [LOG_DELIVERY]}),
    ],
)
def test_access_logs_are_delivered_by_the_principal_aws_documents_for_the_region(region, principal):
    certificate = f"arn:aws:acm:{region}:222222222222:certificate/00000000-0000-0000-0000-000000000000"
    run = run_stack(
        "example-prod",
        {"aws:region": region, "webstack:edge": {"certificateArn": certificate}},
        root=FIXTURES,
    )
    _, allow = policy_statements(run.named("edge-access-logs-policy").inputs["policy"])
    assert allow["Principal"] == principal


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def test_health_check_overrides_reach_the_target_group_and_defaults_stay(run: Run):
    api = run.named("edge-tg-api").inputs["healthCheck"]
    assert (api["interval"], api["timeout"], api["healthyThreshold"], api["unhealthyThreshold"]) == (
        30,
        10,
        3,
        4,
    )
    assert (api["matcher"], api["path"]) == ("200,204", "/healthz")
    web = run.named("edge-tg-web").inputs["healthCheck"]
    assert (web["interval"], web["timeout"], web["healthyThreshold"], web["unhealthyThreshold"]) == (
        10,
        5,
        2,
        3,
    )
    assert web["matcher"] == "200-399"


def test_an_extra_port_gets_its_own_target_group_rule_and_edge_path_and_old_names_stay(run: Run):
    admin = run.named("edge-tg-api-admin").inputs
    assert (admin["port"], admin["healthCheck"]["path"]) == (9091, "/admin/healthz")
    (rule,) = [
        r
        for r in run.of_type("aws:lb/listenerRule:ListenerRule")
        if r.inputs["actions"][0]["targetGroupArn"] == run.named("edge-tg-api-admin").state["arn"]
    ]
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/admin/*"]}}]
    balancers = run.named("api-service").inputs["loadBalancers"]
    assert [(b["targetGroupArn"], b["containerPort"]) for b in balancers] == [
        (run.named("edge-tg-api").state["arn"], 9090),
        (run.named("edge-tg-api-admin").state["arn"], 9091),
    ]
    assert rule.urn in run.named("api-service").options["dependsOn"]
    assert [m["containerPort"] for m in container(run, "api")["portMappings"]] == [9090, 9091]
