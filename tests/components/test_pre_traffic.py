"""A service's pre-traffic check on the frontdoor-prod fixture (web: blue/green with
``preTrafficCheck``; api: blue/green without): the ECS lifecycle hook, the role ECS invokes the function
with, the function's network path to the test listener (and nobody else's), and the named config errors.

AWS ECS developer guide: deployment-lifecycle-hooks.html (POST_TEST_TRAFFIC_SHIFT: green takes all test
traffic, production has not moved), blue-green-permissions.html (the hook role: ecs.amazonaws.com,
lambda:InvokeFunction)."""

import copy
import json

import pytest

from plan.engine import Run, run_stack
from plan.stack_files import read_yaml
from stack.schema import ConfigError
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


@pytest.fixture(scope="module")
def run() -> Run:
    return run_stack("frontdoor-prod", root=FIXTURES)


def test_web_runs_its_check_once_test_traffic_reaches_green_and_before_production_moves(run: Run):
    configuration = run.named("web-service").inputs["deploymentConfiguration"]
    assert configuration["strategy"] == "BLUE_GREEN"
    assert configuration["lifecycleHooks"] == [
        {
            "hookTargetArn": run.named("web-pre-traffic-fn").state["arn"],
            "roleArn": run.named("web-hook-role").state["arn"],
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
        }
    ]
    assert "lifecycleHooks" not in run.named("api-service").inputs["deploymentConfiguration"]


def test_ecs_invokes_the_check_through_a_role_that_may_invoke_only_that_function(run: Run):
    (trust,) = json.loads(run.named("web-hook-role").inputs["assumeRolePolicy"])["Statement"]
    assert (trust["Principal"], trust["Action"]) == ({"Service": ["ecs.amazonaws.com"]}, ["sts:AssumeRole"])
    (statement,) = json.loads(run.named("web-hook-policy").inputs["policy"])["Statement"]
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert statement["Resource"] == [run.named("web-pre-traffic-fn").state["arn"]]
    assert statement["Resource"][0].startswith("arn:aws:lambda:eu-west-1:222222222222:function:")


def test_the_service_waits_for_the_function_and_the_invoke_policy(run: Run):
    waits = set(run.named("web-service").options["dependsOn"])
    # A component in depends_on stands for its children: the function, its role policy and its paths.
    assert {run.named(name).urn for name in ("web-pre-traffic-fn", "web-hook-policy")} <= waits


def test_the_function_gets_the_test_listener_and_the_expected_answer_from_its_environment(run: Run):
    function = run.named("web-pre-traffic-fn").inputs
    assert function["environment"]["variables"] == {
        "CHECK_SCHEME": "https",
        "CHECK_HOST": run.named("edge-alb").state["dnsName"],
        "CHECK_PORT": str(int(run.named("edge-test").inputs["port"])),
        "CHECK_PATH": "/healthz",
        "EXPECT_STATUS": "200",
        "TIMEOUT_SECONDS": "3",
        # Internet-facing: its DNS name resolves to public addresses, so the handler calls the private
        # addresses of the interfaces described "ELB <arn suffix>" (AWS re:Post elb-find-load-balancer-ip).
        "CHECK_LOAD_BALANCER": run.named("edge-alb").state["arnSuffix"],
    }
    assert function["environment"]["variables"]["CHECK_LOAD_BALANCER"].startswith("app/")
    # The request's 3 s plus 5 s to report a slow answer rather than be cut off.
    assert function["timeout"] == 8
    assert (
        function["vpcConfig"]["subnetIds"]
        == run.named("web-service").inputs["networkConfiguration"]["subnets"]
    )


def test_the_function_reaches_only_the_test_listener_and_the_ec2_api_and_the_load_balancer_admits_it_there(
    run: Run,
):
    """To the load balancer's private addresses on the test port (the rule referencing the function's
    group matches private addresses only: AWS VPC guide security-group-rules.html), and HTTPS to the EC2
    API (DescribeNetworkInterfaces) through NAT."""
    function_group, edge_group = run.named("web-pre-traffic-sg").id, run.named("edge-sg").id
    test_port = run.named("edge-test").inputs["port"]
    out = [r.inputs for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == function_group]
    assert {
        (r.get("referencedSecurityGroupId"), r.get("cidrIpv4"), r["fromPort"], r["toPort"]) for r in out
    } == {(edge_group, None, test_port, test_port), (None, "0.0.0.0/0", 443, 443)}
    assert len(out) == 2
    admitted = [
        r.inputs
        for r in run.of_type(INGRESS)
        if r.inputs["securityGroupId"] == edge_group and r.inputs["fromPort"] == test_port
    ]
    # No CIDR (frontdoor-prod has no testCidrs): from the internet the test listener stays closed.
    assert [(r.get("referencedSecurityGroupId"), r.get("cidrIpv4")) for r in admitted] == [
        (function_group, None)
    ]
    # The service's deployment waits for the EC2 path too (the first check runs during it).
    assert run.named("web-pre-traffic-to-ec2").urn in set(run.named("web-service").options["dependsOn"])


def test_the_functions_role_may_already_describe_network_interfaces_and_nothing_wider(run: Run):
    """The VPC access statement (AWS requires Resource "*" for ec2:DescribeNetworkInterfaces,
    configuration-vpc.html) covers the lookup: no statement was added for it."""
    statements = json.loads(run.named("web-pre-traffic-policy").inputs["policy"])["Statement"]
    described = [s for s in statements if "ec2:DescribeNetworkInterfaces" in s["Action"]]
    assert [(s["Sid"], s["Resource"]) for s in described] == [("ItsNetworkInterfaces", ["*"])]
    assert [s["Sid"] for s in statements] == ["WriteItsOwnLogGroup", "ItsNetworkInterfaces"]


def test_the_functions_log_group_is_encrypted_with_the_stack_key_and_keeps_the_services_retention(run: Run):
    logs = run.named("web-pre-traffic-logs").inputs
    assert logs["kmsKeyId"] == run.named("stack-key-key").state["arn"]
    assert logs["retentionInDays"] == run.named("web-logs").inputs["retentionInDays"]


def _services(deployment: dict, **web) -> dict:
    return {
        "web": {"image": "ghcr.io/example/w:1", "port": 8080, "deployment": deployment, **web},
    }


@pytest.mark.parametrize(
    ("services", "message"),
    [
        (
            _services({"strategy": "rolling", "preTrafficCheck": {"path": "/healthz"}}),
            "webstack:services.web.deployment.preTrafficCheck: set, but the strategy is rolling, which has "
            "no test listener to check the new version on before it takes traffic; set strategy: blue_green, "
            "canary or linear, or remove preTrafficCheck",
        ),
        (
            _services(
                {"strategy": "blue_green", "preTrafficCheck": {"path": "/healthz"}},
                routing={"pathPatterns": ["/api/*"]},
            ),
            'webstack:services.web.deployment.preTrafficCheck.path: got "/healthz", but the service\'s test '
            "rule only matches /api/*, so the check would get the test listener's 404; use a path those "
            "patterns match",
        ),
        (
            _services(
                {"strategy": "canary", "preTrafficCheck": {}},
                routing={"hostHeaders": ["*.example.com"]},
            ),
            "webstack:services.web.deployment.preTrafficCheck: the service's routing hosts *.example.com are "
            "all wildcards",
        ),
        (
            _services({"strategy": "blue_green", "preTrafficCheck": {"expectStatus": 700}}),
            "webstack:services.web.deployment.preTrafficCheck.expectStatus",
        ),
        (
            _services({"strategy": "blue_green", "preTrafficCheck": {"path": "healthz"}}),
            "webstack:services.web.deployment.preTrafficCheck.path",
        ),
    ],
    ids=["rolling", "path-outside-the-route", "wildcard-hosts-only", "status-700", "relative-path"],
)
def test_a_check_that_could_never_pass_is_a_named_config_error_before_any_resource(services, message):
    with pytest.raises(ConfigError) as error:
        run_stack(EXAMPLE_DEV, {"webstack:services": services}, root=FIXTURES)
    assert message in str(error.value)


def test_a_route_by_host_sends_an_exact_host_its_test_rule_matches_and_the_default_path_is_the_health_check():
    services = _services(
        {"strategy": "linear", "preTrafficCheck": {}},
        routing={"hostHeaders": ["*.example.com", "web.example.com"]},
        healthCheckPath="/ready",
    )
    run = run_stack(EXAMPLE_DEV, {"webstack:services": services}, root=FIXTURES)
    variables = run.named("web-pre-traffic-fn").inputs["environment"]["variables"]
    assert (variables["CHECK_HOST_HEADER"], variables["CHECK_PATH"]) == ("web.example.com", "/ready")
    # Dev without a certificate: the test listener is plain HTTP on 8080.
    assert (variables["CHECK_SCHEME"], variables["CHECK_PORT"]) == ("http", "8080")


def test_behind_api_gateway_the_check_calls_the_internal_load_balancers_plain_http_test_listener():
    """reference-apigw-ec2 (edge.kind apigateway): the internal load balancer's test listener is plain
    HTTP on 8080, and its group admits the check's function there."""
    config = read_yaml(FIXTURES / "Pulumi.reference-apigw-ec2.yaml")["config"]
    services = copy.deepcopy(config["webstack:services"])
    services["api"]["deployment"] = {"preTrafficCheck": {"path": "/api/health"}}
    run = run_stack("reference-apigw-ec2", {"webstack:services": services}, root=FIXTURES)
    variables = run.named("api-pre-traffic-fn").inputs["environment"]["variables"]
    assert run.named("edge-alb").inputs["internal"] is True
    assert (variables["CHECK_SCHEME"], variables["CHECK_PORT"], variables["CHECK_PATH"]) == (
        "http",
        "8080",
        "/api/health",
    )
    assert variables["CHECK_HOST"] == run.named("edge-alb").state["dnsName"]
    # Internal: its DNS name resolves to private addresses, so no interface lookup and no EC2 path.
    assert "CHECK_LOAD_BALANCER" not in variables
    assert not [r for r in run.resources if r.name == "api-pre-traffic-to-ec2"]
    admitted = run.named("api-pre-traffic-in-8080").inputs
    assert (admitted["securityGroupId"], admitted["referencedSecurityGroupId"]) == (
        run.named("edge-sg").id,
        run.named("api-pre-traffic-sg").id,
    )


def test_without_nat_a_check_on_an_internet_facing_load_balancer_gets_the_ec2_interface_endpoint():
    """private-dev (natMode none, interface endpoints) with a blue/green web and a pre-traffic check: the
    EC2 API is reachable only through its interface endpoint (private DNS), whose group admits 443 from
    the private subnets; without the check there is no ec2 endpoint."""
    config = read_yaml(FIXTURES / "Pulumi.private-dev.yaml")["config"]
    services = copy.deepcopy(config["webstack:services"])
    services["web"]["deployment"] = {"strategy": "blue_green", "preTrafficCheck": {}}
    run = run_stack("private-dev", {"webstack:services": services}, root=FIXTURES)
    endpoint = run.named("webstack-endpoint-ec2").inputs
    assert (endpoint["serviceName"], endpoint["vpcEndpointType"], endpoint["privateDnsEnabled"]) == (
        "com.amazonaws.eu-west-1.ec2",
        "Interface",
        True,
    )
    assert endpoint["securityGroupIds"] == [run.named("webstack-endpoints-sg").id]
    to_ec2 = run.named("web-pre-traffic-to-ec2").inputs
    assert (to_ec2["securityGroupId"], to_ec2["fromPort"], to_ec2["cidrIpv4"]) == (
        run.named("web-pre-traffic-sg").id,
        443,
        "0.0.0.0/0",
    )
    assert not [
        r for r in run_stack("private-dev", root=FIXTURES).resources if r.name == "webstack-endpoint-ec2"
    ]
