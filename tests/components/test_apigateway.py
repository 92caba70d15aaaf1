"""edge.kind apigateway: an API Gateway HTTP API, through a VPC link with its own security
group, to an internal load balancer in the private subnets. Exact values on the reference fixture (the
whole reference design: apigateway + EC2 capacity, custom domain, JWT on the api service), variations
of it, and every named config error."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bootstrap.deploy_actions import DEPLOY_ACTIONS
from bootstrap.permissions import SERVICE_LINKED
from components.frontdoor.apigateway import ACCESS_LOG_FORMAT
from components.pure.guardrails import check_resource
from plan import aws_rules, cost, graph, replacement, report
from plan.engine import PROJECT_ROOT, Recorded, Run, run_stack, stack_config
from plan.stack_files import parse_yaml
from stack.apigateway import route_keys
from stack.config import parse_settings
from stack.schema import ConfigError
from tests.support.fixture_stacks import EXAMPLE_PROD, FIXTURES

REFERENCE = "reference-apigw-ec2"
LB = "aws:lb/loadBalancer:LoadBalancer"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigatewayv2/stage:Stage"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"


@pytest.fixture(scope="module")
def ref() -> Run:
    return run_stack(REFERENCE, root=FIXTURES)


@pytest.fixture(scope="module")
def plain() -> Run:
    """The reference design without a domain or JWT: the execute-api endpoint, open routes."""
    edge = {"kind": "apigateway"}
    return run_stack(REFERENCE, {"webstack:domain": None, "webstack:edge": edge}, root=FIXTURES)


def captured(run: Run) -> graph.Graph:
    return graph.graph_from_run(run, REFERENCE, stack_config(REFERENCE, FIXTURES))


def rules_on(run: Run, kind: str, group: Recorded) -> list[Recorded]:
    return [r for r in run.of_type(kind) if r.inputs["securityGroupId"] == group.id]


# --- The load balancer and who may reach it -------------------------------------------------------


def test_with_apigateway_the_only_load_balancer_is_internal_in_the_private_subnets(ref: Run):
    (balancer,) = ref.of_type(LB)
    assert balancer.inputs["internal"] is True
    private = [ref.named(f"webstack-private-{zone}").id for zone in "abc"]
    assert balancer.inputs["subnets"] == private
    assert balancer.urn.split("::")[2].startswith("webstack:components:InternalEdge$")
    # The production listener; prod's blue/green services add the test listener (tests/components/
    # test_deployments.py), which admits nobody here.
    listener = ref.named("edge-http")
    assert {r.name for r in ref.of_type("aws:lb/listener:Listener")} == {"edge-http", "edge-test"}
    assert (listener.inputs["protocol"], listener.inputs["port"]) == ("HTTP", 80.0)
    assert listener.inputs["defaultActions"][0]["type"] == "fixed-response"


def test_the_vpc_link_group_reaches_only_the_load_balancer_which_admits_only_the_link(ref: Run):
    link_group = ref.named("api-gateway-link-sg")
    edge_group = ref.named("edge-sg")
    (link,) = ref.of_type("aws:apigatewayv2/vpcLink:VpcLink")
    assert link.inputs["securityGroupIds"] == [link_group.id]
    assert link.inputs["subnetIds"] == [ref.named(f"webstack-private-{zone}").id for zone in "abc"]
    assert rules_on(ref, INGRESS, link_group) == []
    assert [
        (
            r.inputs["referencedSecurityGroupId"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            r.inputs["ipProtocol"],
        )
        for r in rules_on(ref, EGRESS, link_group)
    ] == [(edge_group.id, 80.0, 80.0, "tcp")]
    ingress = rules_on(ref, INGRESS, edge_group)
    assert [(r.inputs.get("referencedSecurityGroupId"), r.inputs["fromPort"]) for r in ingress] == [
        (link_group.id, 80.0)
    ]
    assert not any(r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6") for r in ingress)


def test_services_admit_only_the_internal_load_balancer(ref: Run):
    edge_group = ref.named("edge-sg")
    for service in ("api", "web"):
        ingress = rules_on(ref, INGRESS, ref.named(f"{service}-sg"))
        assert [(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in ingress] == [
            (edge_group.id, 8080.0)
        ]


def test_the_exposure_matrix_shows_only_api_gateway_reachable_from_the_internet(ref: Run):
    matrix = report.exposure_matrix(captured(ref))
    assert {key: ports for key, ports in matrix.items() if key[1] != "internet"} == {
        ("internet", "api-gateway"): ["tcp/443"],
        ("api-gateway", "edge"): ["tcp/80"],
        ("edge", "api"): ["tcp/8080"],
        ("edge", "web"): ["tcp/8080"],
    }
    assert report.verdict(captured(ref)) == (
        "Verdict: from 0.0.0.0/0 only api-gateway on tcp/443 is reachable; everything else is private."
    )


def test_the_plan_draws_api_gateway_outside_the_vpc_and_the_load_balancer_in_the_private_subnets(ref: Run):
    chart = report.mermaid(captured(ref))
    private = chart.split('subgraph private["private subnets"]')[1].split("end")[0]
    assert "edge: internal Application Load Balancer<br/>HTTP 80" in private
    assert chart.index("n_api_gateway[") < chart.index("subgraph vpc")
    assert "internet -->|tcp/443| n_api_gateway" in chart
    assert "n_api_gateway -->|tcp/80 VPC link| n_edge" in chart
    lines = report.api_gateway(captured(ref))
    assert "    ANY /api/{proxy+} -> internal load balancer, auth JWT, burst 200 rate 100/s" in lines
    assert "    $default -> internal load balancer, auth NONE, burst 500 rate 1000/s" in lines
    assert "  https://api.example.com -> API Gateway api-gateway" in "\n".join(
        report.front_door(captured(ref))
    )
    inventory = "\n".join(report.inventory(captured(ref)))
    assert "api-gateway (ApiGateway): 13" in inventory and "edge (InternalEdge):" in inventory


# --- The API -----------------------------------------------------------------------------------------


def test_each_service_gets_its_routes_proxied_through_the_vpc_link_to_the_listener(ref: Run):
    (integration,) = ref.of_type("aws:apigatewayv2/integration:Integration")
    (link,) = ref.of_type("aws:apigatewayv2/vpcLink:VpcLink")
    listener = ref.named("edge-http")  # the production listener (edge-test is the test listener)
    assert {key: integration.inputs[key] for key in integration.inputs if key != "apiId"} == {
        "integrationType": "HTTP_PROXY",
        "integrationMethod": "ANY",
        "connectionType": "VPC_LINK",
        "connectionId": link.id,
        "integrationUri": listener.state["arn"],
        "payloadFormatVersion": "1.0",
    }
    (api,) = ref.of_type("aws:apigatewayv2/api:Api")
    assert api.inputs["protocolType"] == "HTTP"
    routes = {r.name: r.inputs for r in ref.of_type(ROUTE)}
    assert {name: inputs["routeKey"] for name, inputs in routes.items()} == {
        "api-gateway-route-api-0": "ANY /api/{proxy+}",
        "api-gateway-route-web-0": "$default",
    }
    assert {inputs["target"] for inputs in routes.values()} == {f"integrations/{integration.id}"}
    assert {inputs["apiId"] for inputs in routes.values()} == {api.id}


def test_the_stage_throttles_by_default_and_per_route_always_with_both_values(ref: Run):
    (stage,) = ref.of_type(STAGE)
    assert stage.inputs["name"] == "$default" and stage.inputs["autoDeploy"] is True
    assert stage.inputs["defaultRouteSettings"] == {
        "throttlingBurstLimit": 500.0,
        "throttlingRateLimit": 1000.0,
    }
    assert stage.inputs["routeSettings"] == [
        {"routeKey": "ANY /api/{proxy+}", "throttlingBurstLimit": 200.0, "throttlingRateLimit": 100.0},
        {"routeKey": "$default", "throttlingBurstLimit": 500.0, "throttlingRateLimit": 1000.0},
    ]
    assert {r.urn for r in ref.of_type(ROUTE)} <= set(stage.options["dependsOn"])


def test_access_logs_are_one_json_object_per_request_in_a_group_encrypted_with_the_stack_key(ref: Run):
    (stage,) = ref.of_type(STAGE)
    logs = ref.named("api-gateway-access-logs")
    settings = stage.inputs["accessLogSettings"]
    assert settings["destinationArn"] == logs.state["arn"]
    assert json.loads(settings["format"]) == ACCESS_LOG_FORMAT
    assert "\n" not in settings["format"]
    assert logs.inputs["kmsKeyId"] == ref.named("stack-key-key").state["arn"]
    assert logs.inputs["retentionInDays"] == 365.0


def test_the_jwt_authorizer_guards_exactly_the_configured_services(ref: Run):
    (authorizer,) = ref.of_type("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
    assert authorizer.inputs["jwtConfiguration"] == {"issuer": ISSUER, "audiences": ["reference-client-id"]}
    auth = {r.name: (r.inputs["authorizationType"], r.inputs.get("authorizerId")) for r in ref.of_type(ROUTE)}
    assert auth == {
        "api-gateway-route-api-0": ("JWT", authorizer.id),
        "api-gateway-route-web-0": ("NONE", None),
    }


def test_the_custom_domain_maps_the_api_and_the_host_aliases_to_the_api_not_the_load_balancer(ref: Run):
    (api,) = ref.of_type("aws:apigatewayv2/api:Api")
    (name,) = ref.of_type("aws:apigatewayv2/domainName:DomainName")
    (mapping,) = ref.of_type("aws:apigatewayv2/apiMapping:ApiMapping")
    (stage,) = ref.of_type(STAGE)
    assert api.inputs["disableExecuteApiEndpoint"] is True
    assert name.inputs["domainName"] == "api.example.com"
    configuration = name.inputs["domainNameConfiguration"]
    assert configuration["endpointType"] == "REGIONAL" and configuration["securityPolicy"] == "TLS_1_2"
    assert configuration["certificateArn"] == ref.named("domain-cert-validation").state["certificateArn"]
    assert (mapping.inputs["apiId"], mapping.inputs["domainName"], mapping.inputs["stage"]) == (
        api.id,
        name.id,
        stage.id,
    )
    alias = ref.named("domain-app-a")
    target = name.state["domainNameConfiguration"]
    assert alias.inputs["aliases"] == [
        {"name": target["targetDomainName"], "zoneId": target["hostedZoneId"], "evaluateTargetHealth": True}
    ]
    assert ref.outputs["url"] == "https://api.example.com"


def test_without_a_domain_or_jwt_the_execute_api_url_serves_open_routes(plain: Run):
    (api,) = plain.of_type("aws:apigatewayv2/api:Api")
    assert api.inputs["disableExecuteApiEndpoint"] is False
    assert plain.of_type("aws:apigatewayv2/domainName:DomainName") == []
    assert plain.of_type("aws:apigatewayv2/authorizer:Authorizer") == []
    assert {r.inputs["authorizationType"] for r in plain.of_type(ROUTE)} == {"NONE"}
    assert plain.outputs["url"] == api.state["apiEndpoint"]
    (stage,) = plain.of_type(STAGE)
    assert {s["throttlingBurstLimit"] for s in stage.inputs["routeSettings"]} == {500.0}


def test_the_reference_design_passes_every_guardrail_and_aws_rule(ref: Run):
    violations = [v for r in ref.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert violations == []
    assert aws_rules.refusals(ref.resources) == []


def test_every_type_of_the_reference_design_has_a_replacement_row(ref: Run):
    assert sorted({r.type for r in ref.resources if r.custom and not replacement.known(r.type)}) == []
    assert replacement.replacing_changes(
        "aws:apigatewayv2/vpcLink:VpcLink", {"subnetIds": ["a", "b"]}, {"subnetIds": ["a", "c"]}
    ) == ["subnetIds"]


@pytest.mark.parametrize(
    ("type_", "changed", "replaces"),
    [
        # terraform-provider-aws internal/service/apigatewayv2/*.go: the ForceNew arguments, and `name`
        # where the provider updates it in place (api.go, vpc_link.go, authorizer.go: no ForceNew).
        ("aws:apigatewayv2/api:Api", ["name", "description", "disableExecuteApiEndpoint"], []),
        ("aws:apigatewayv2/api:Api", ["protocolType", "credentialsArn", "routeKey", "target"], None),
        ("aws:apigatewayv2/vpcLink:VpcLink", ["name"], []),
        ("aws:apigatewayv2/vpcLink:VpcLink", ["subnetIds", "securityGroupIds"], None),
        ("aws:apigatewayv2/authorizer:Authorizer", ["name", "jwtConfiguration", "authorizerType"], []),
        ("aws:apigatewayv2/stage:Stage", ["name", "apiId"], None),
        ("aws:apigatewayv2/stage:Stage", ["routeSettings", "accessLogSettings", "autoDeploy"], []),
        ("aws:apigatewayv2/route:Route", ["routeKey", "target", "authorizerId"], []),
        ("aws:apigatewayv2/integration:Integration", ["integrationUri", "connectionId"], []),
        ("aws:apigatewayv2/apiMapping:ApiMapping", ["stage"], []),
        ("aws:apigatewayv2/domainName:DomainName", ["domainNameConfiguration"], []),
    ],
)
def test_http_api_inputs_replace_exactly_when_the_provider_marks_them_force_new(
    type_: str, changed: list[str], replaces: list[str] | None
):
    before = {field: "old" for field in changed}
    after = {field: "new" for field in changed}
    expected = sorted(changed) if replaces is None else replaces
    assert sorted(replacement.replacing_changes(type_, before, after)) == expected
    assert replacement.forcing(type_, changed) == expected


def test_the_internal_load_balancer_costs_its_hours_but_no_public_addresses(ref: Run):
    prices = cost.load_prices("eu-west-1")
    assert prices is not None
    result = cost.estimate(captured(ref), prices)
    edge_lines = [line for line in result.lines if line.type == LB]
    assert [line.kind for line in edge_lines] == ["load balancer (application)"]
    assert (edge_lines[0].monthly or 0) > 0
    api_lines = [line for line in result.lines if line.type.startswith("aws:apigatewayv2/")]
    assert [(line.kind, line.basis) for line in api_lines] == [("apigatewayv2:Api", "usage-based")]
    assert result.no_charge["apigatewayv2:VpcLink"] == 1


def test_the_deploy_role_may_create_api_gateways_service_linked_role_with_whichever_comes_first():
    # AWS API Gateway guide, using-service-linked-roles.html: AWSServiceRoleForAPIGateway is created
    # when you create an API, a custom domain name or a VPC link, whichever the account does first.
    assert "ops.apigateway.amazonaws.com" in SERVICE_LINKED
    for kind in ("api:Api", "vpcLink:VpcLink", "domainName:DomainName"):
        assert "iam:CreateServiceLinkedRole" in DEPLOY_ACTIONS[f"aws:apigatewayv2/{kind}"], kind


# --- Upgrade safety ----------------------------------------------------------------------------------


def test_saying_edge_kind_alb_changes_nothing_in_an_existing_stack():
    before = graph.capture(EXAMPLE_PROD, FIXTURES)
    edge = json.loads(stack_config(EXAMPLE_PROD, FIXTURES)["webstack:edge"])
    after = graph.capture(EXAMPLE_PROD, FIXTURES, overrides={"webstack:edge": {**edge, "kind": "alb"}})
    assert [r["inputs"] for r in after["resources"]] == [r["inputs"] for r in before["resources"]]
    assert [r["urn"] for r in after["resources"]] == [r["urn"] for r in before["resources"]]


# --- Route keys and config mistakes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "keys"),
    [
        (["/*"], ["$default"]),
        (["/api/*"], ["ANY /api/{proxy+}"]),
        (["/api/v2/*", "/health"], ["ANY /api/v2/{proxy+}", "ANY /health"]),
    ],
)
def test_load_balancer_path_patterns_become_http_api_route_keys(patterns: list[str], keys: list[str]):
    assert route_keys("webstack:services.api", patterns, ()) == (keys, [])


def reference_config(**changes: Any) -> dict[str, str]:
    """The reference fixture's config with ``changes`` (``webstack__edge`` for ``webstack:edge``; a
    dict is laid over the section, None removes the key)."""
    config = stack_config(REFERENCE, FIXTURES)
    for key, value in changes.items():
        full = key.replace("__", ":")
        if value is None:
            config.pop(full, None)
        else:
            current = json.loads(config[full]) if full in config else {}
            config[full] = json.dumps({**current, **value})
    return config


def gateway(**fields: Any) -> dict[str, Any]:
    edge = json.loads(stack_config(REFERENCE, FIXTURES)["webstack:edge"])
    return {**edge, "apiGateway": {**edge["apiGateway"], **fields}}


def services_with(**api_routing: Any) -> dict[str, Any]:
    services = json.loads(stack_config(REFERENCE, FIXTURES)["webstack:services"])
    services["api"]["routing"] = api_routing
    return services


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"webstack__waf": {"enabled": True}},
            "webstack:waf.enabled: got true, but webstack:edge.kind is apigateway and AWS WAF cannot be "
            "associated with an API Gateway HTTP API",
        ),
        (
            {"webstack__services": services_with(pathPatterns=["/api/*"], hostHeaders=["api.example.com"])},
            'webstack:services.api.routing.hostHeaders: got ["api.example.com"], but webstack:edge.kind '
            "apigateway routes by path only",
        ),
        (
            {"webstack__services": services_with(pathPatterns=["/img/*.png"])},
            'webstack:services.api.routing.pathPatterns: got "/img/*.png", but HTTP API routes match whole '
            "path segments",
        ),
        (
            {"webstack__edge": gateway(throttling={"burstLimit": 0, "rateLimit": 100})},
            "webstack:edge.apiGateway.throttling.burstLimit: got 0, but API Gateway throttles between 1 and",
        ),
        (
            {"webstack__edge": gateway(routeThrottling={"api": {"burstLimit": 10, "rateLimit": 20000}})},
            "webstack:edge.apiGateway.routeThrottling.api.rateLimit: got 20000, but API Gateway throttles",
        ),
        (
            {"webstack__edge": gateway(routeThrottling={"apii": {"burstLimit": 10, "rateLimit": 20}})},
            "webstack:edge.apiGateway.routeThrottling.apii: no routed service has that name "
            "(routed: api, web)",
        ),
        (
            {"webstack__edge": gateway(jwt={"issuer": "http://issuer.example.com", "audiences": ["x"]})},
            'webstack:edge.apiGateway.jwt.issuer: got "http://issuer.example.com", but API Gateway fetches '
            "the issuer's keys over TLS and accepts only https:// issuers",
        ),
        (
            {"webstack__edge": gateway(jwt={"issuer": ISSUER, "audiences": ["x"], "services": ["admin"]})},
            'webstack:edge.apiGateway.jwt.services: got "admin", but no routed service has that name',
        ),
        (
            {
                "webstack__edge": {
                    "certificateArn": "arn:aws:acm:eu-west-1:222222222222:certificate/"
                    "12345678-1234-1234-1234-123456789012"
                }
            },
            "webstack:edge.certificateArn: got a certificate, but with edge.kind apigateway the load "
            "balancer is internal",
        ),
        (
            {"webstack__edge": {"kind": "alb", "certificateArn": None}},
            "webstack:edge.apiGateway: set, but webstack:edge.kind is alb (the default)",
        ),
        ({"webstack__edge": {"kind": "nlb"}}, 'webstack:edge.kind: got "nlb", but that is not one of'),
    ],
)
def test_apigateway_config_mistakes_are_named_before_any_resource(changes: dict[str, Any], expected: str):
    config = reference_config(**changes)
    with pytest.raises(ConfigError) as failure:
        parse_settings(config, REFERENCE)
    assert [p for p in failure.value.problems if p.startswith(expected)], failure.value.problems


def test_a_prod_api_gateway_stack_needs_no_firewall_or_load_balancer_certificate():
    settings = parse_settings(reference_config(), REFERENCE)
    assert settings.waf.enabled is False
    assert settings.edge.certificate_arn is None


# --- Offline AWS rules -------------------------------------------------------------------------------


class _Resource:
    def __init__(self, type_: str, name: str, inputs: dict[str, Any], depends_on: list[str] = ()) -> None:  # type: ignore[assignment]
        self.type, self.name, self.urn, self.inputs = type_, name, f"urn:{name}", inputs
        self.options = {"dependsOn": list(depends_on)}


def test_a_stage_with_burst_but_no_rate_limit_is_refused_offline():
    stage = _Resource(STAGE, "stage", {"defaultRouteSettings": {"throttlingBurstLimit": 100}})
    assert aws_rules.refusals([stage]) == [
        "stage: defaultRouteSettings leaves burst or rate throttling at 0: every request gets 429"
    ]


def test_route_settings_before_their_route_exists_are_refused_offline():
    route = _Resource(ROUTE, "route", {"routeKey": "ANY /api/{proxy+}"})
    settings = {"routeKey": "ANY /api/{proxy+}", "throttlingBurstLimit": 1, "throttlingRateLimit": 1}
    early = _Resource(STAGE, "stage", {"routeSettings": [settings]})
    assert aws_rules.refusals([route, early]) == [
        "stage: route settings for ANY /api/{proxy+} before that route exists"
    ]
    waiting = _Resource(STAGE, "stage", {"routeSettings": [settings]}, depends_on=["urn:route"])
    assert aws_rules.refusals([route, waiting]) == []


@pytest.mark.parametrize(
    ("inputs", "refusal"),
    [
        (
            {"integrationType": "HTTP_PROXY", "connectionType": "VPC_LINK", "connectionId": "l"},
            "integration: a HTTP_PROXY integration needs integrationMethod",
        ),
        (
            {"integrationType": "HTTP_PROXY", "integrationMethod": "ANY", "payloadFormatVersion": "2.0"},
            "integration: a HTTP_PROXY integration takes payloadFormatVersion 1.0 only",
        ),
        (
            {"integrationType": "HTTP_PROXY", "integrationMethod": "ANY", "connectionType": "VPC_LINK"},
            "integration: a VPC_LINK integration needs connectionId (the VPC link's id)",
        ),
    ],
)
def test_integrations_create_integration_refuses_are_refused_offline(inputs: dict[str, Any], refusal: str):
    integration = _Resource("aws:apigatewayv2/integration:Integration", "integration", inputs)
    assert aws_rules.refusals([integration]) == [refusal]


def test_an_access_log_destination_with_the_stream_wildcard_is_refused_offline():
    arn = "arn:aws:logs:eu-west-1:111111111111:log-group:access"
    stage = _Resource(STAGE, "stage", {"accessLogSettings": {"destinationArn": f"{arn}:*", "format": "{}"}})
    assert aws_rules.refusals([stage]) == [f"stage: access log destination {arn}:* ends with :*"]


# --- docs/reference-designs.md ----------------------------------------------------------------------


def test_the_documented_reference_design_block_is_the_reference_fixture():
    page = (PROJECT_ROOT / "docs" / "reference-designs.md").read_text()
    section = page.split("## Reference design: API Gateway and EC2", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    fixture = parse_yaml((FIXTURES / f"Pulumi.{REFERENCE}.yaml").read_text())
    assert parse_yaml(block.group(1)) == fixture


def test_an_extra_port_gets_its_own_api_route_throttled_and_guarded_like_its_service():
    services = json.loads(stack_config(REFERENCE, FIXTURES)["webstack:services"])
    services["api"]["extraPorts"] = [
        {"name": "admin", "port": 9000, "routing": {"pathPatterns": ["/admin/*"]}}
    ]
    run = run_stack(REFERENCE, {"webstack:services": services}, root=FIXTURES)
    routes = {r.name: (r.inputs["routeKey"], r.inputs["authorizationType"]) for r in run.of_type(ROUTE)}
    assert routes["api-gateway-route-api-admin-0"] == ("ANY /admin/{proxy+}", "JWT")
    (stage,) = run.of_type(STAGE)
    assert {
        "routeKey": "ANY /admin/{proxy+}",
        "throttlingBurstLimit": 500.0,
        "throttlingRateLimit": 1000.0,
    } in (stage.inputs["routeSettings"])


@pytest.mark.parametrize(
    ("routing", "expected"),
    [
        (
            {"pathPatterns": ["/admin*"]},
            'webstack:services.api.extraPorts[0].routing.pathPatterns: got "/admin*", but HTTP API routes '
            "match whole path segments",
        ),
        (
            {"pathPatterns": ["/admin/*"], "hostHeaders": ["admin.example.com"]},
            'webstack:services.api.extraPorts[0].routing.hostHeaders: got ["admin.example.com"], but '
            "webstack:edge.kind apigateway routes by path only",
        ),
    ],
)
def test_an_extra_ports_route_mistake_names_the_extra_ports_own_config_key(
    routing: dict[str, Any], expected: str
):
    services = json.loads(stack_config(REFERENCE, FIXTURES)["webstack:services"])
    services["api"]["extraPorts"] = [{"name": "admin", "port": 9000, "routing": routing}]
    with pytest.raises(ConfigError) as failure:
        parse_settings(reference_config(webstack__services=services), REFERENCE)
    assert [p for p in failure.value.problems if p.startswith(expected)], failure.value.problems
    assert not [p for p in failure.value.problems if "webstack:services.api-admin" in p]


def test_a_service_that_lists_its_bare_prefix_gets_that_route_guarded_like_the_rest():
    # docs/reference-designs.md "At the prefix itself the two edges differ": ANY /api/{proxy+}
    # does not catch /api.
    services = json.loads(stack_config(REFERENCE, FIXTURES)["webstack:services"])
    services["api"]["routing"] = {**services["api"]["routing"], "pathPatterns": ["/api/*", "/api"]}
    run = run_stack(REFERENCE, {"webstack:services": services}, root=FIXTURES)
    routes = {r.inputs["routeKey"]: r.inputs["authorizationType"] for r in run.of_type(ROUTE)}
    assert routes == {"ANY /api/{proxy+}": "JWT", "ANY /api": "JWT", "$default": "NONE"}
