"""Blue/green, canary and linear deployments on the fixture stacks: the service's strategy,
the alternate target group and the two rules ECS shifts, ECS's load-balancer role, the test listener
nobody on the internet reaches, the deployment alarms, and the named config errors."""

import json

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run, run_stack
from stack.schema import ConfigError
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

CIDR = "203.0.113.0/24"
LISTENER = "aws:lb/listener:Listener"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _dev_with(deployment: dict, **edge) -> Run:
    services = {
        "web": {"image": "ghcr.io/example/web:1.0.0", "port": 8080, "deployment": deployment},
        "worker": {"image": "ghcr.io/example/web:1.0.0"},
    }
    return run_stack(
        EXAMPLE_DEV, {"webstack:services": services, "webstack:edge": edge or None}, root=FIXTURES
    )


@pytest.fixture(scope="module")
def prod() -> Run:
    return run_stack(EXAMPLE_PROD, root=FIXTURES)


@pytest.fixture(scope="module")
def canary() -> Run:
    return _dev_with({"strategy": "canary", "canary": {"percent": 5, "bakeMinutes": 15}}, testCidrs=[CIDR])


def test_prod_web_deploys_blue_green_with_a_ten_minute_bake_and_circuit_breaker_and_alarm_rollback(prod: Run):
    service = prod.named("web-service").inputs
    assert service["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "10"}
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    # The 5xx-rate and unhealthy-hosts alarms roll back every strategy, during the bake time too.
    assert service["alarms"]["rollback"] is True
    assert sorted(service["alarms"]["alarmNames"]) == sorted(
        prod.named(f"web-alarm-{role}").inputs["name"] for role in ("5xx-rate", "unhealthy-hosts")
    )


def test_the_alternate_target_group_and_both_rules_are_the_ones_the_service_shifts(prod: Run):
    (balancer,) = prod.named("web-service").inputs["loadBalancers"]
    advanced = balancer["advancedConfiguration"]
    assert balancer["targetGroupArn"] == prod.named("edge-tg-web").state["arn"]
    assert advanced == {
        "alternateTargetGroupArn": prod.named("edge-bg-web").state["arn"],
        "productionListenerRule": prod.named("edge-rule-web").state["arn"],
        "testListenerRule": prod.named("edge-test-web").state["arn"],
        "roleArn": prod.named("web-lb-role").state["arn"],
    }
    # Same container port, checks and protocol: either group can hold production.
    primary, alternate = prod.named("edge-tg-web").inputs, prod.named("edge-bg-web").inputs
    assert {k: v for k, v in primary.items() if k != "tags"} == {
        k: v for k, v in alternate.items() if k != "tags"
    }


def test_the_test_rule_matches_what_production_matches_on_the_test_listener_only(prod: Run):
    production, test = prod.named("edge-rule-web"), prod.named("edge-test-web")
    assert test.inputs["conditions"] == production.inputs["conditions"]
    assert test.inputs["priority"] == production.inputs["priority"]
    assert production.inputs["listenerArn"] == prod.named("edge-https").state["arn"]
    assert test.inputs["listenerArn"] == prod.named("edge-test").state["arn"]
    assert test.inputs["actions"] == [
        {"type": "forward", "targetGroupArn": prod.named("edge-bg-web").state["arn"]}
    ]
    listener = prod.named("edge-test").inputs
    assert (listener["port"], listener["protocol"]) == (8443, "HTTPS")


def test_ecs_owns_the_forward_actions_of_both_rules_so_pulumi_never_reverts_a_shift(prod: Run):
    for rule in ("edge-rule-web", "edge-test-web", "edge-rule-api", "edge-test-api"):
        assert prod.named(rule).options["ignoreChanges"] == ["actions"], rule


def test_without_test_cidrs_nobody_reaches_the_test_listener(prod: Run):
    edge_group = prod.named("edge-sg").id
    ports = {
        rule.inputs["fromPort"]
        for rule in prod.of_type(INGRESS)
        if rule.inputs["securityGroupId"] == edge_group
    }
    assert ports == {443, 80}


def test_the_test_listener_admits_exactly_the_configured_cidrs_on_its_port(canary: Run):
    edge_group = canary.named("edge-sg").id
    rules = [r for r in canary.of_type(INGRESS) if r.inputs["securityGroupId"] == edge_group]
    test_rules = [r for r in rules if r.inputs["fromPort"] == 8080]
    assert [(r.name, r.inputs["cidrIpv4"], r.inputs["toPort"]) for r in test_rules] == [
        ("edge-in-test-203-0-113-0-24", CIDR, 8080)
    ]
    assert {r.inputs["cidrIpv4"] for r in rules} == {"0.0.0.0/0", CIDR}
    assert canary.named("edge-test").inputs["protocol"] == "HTTP"


def test_ecs_load_balancer_role_is_trusted_by_ecs_and_limited_to_the_services_groups_and_rules(prod: Run):
    role = prod.named("web-lb-role")
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert (trust["Principal"], trust["Action"]) == ({"Service": ["ecs.amazonaws.com"]}, ["sts:AssumeRole"])
    assert role.inputs["path"] == "/webstack/"
    policy = prod.named("web-lb-policy")
    assert policy.inputs["role"] == role.id
    statements = {s["Sid"]: s for s in policy_statements(policy.inputs["policy"])}
    assert statements["RegisterInTheTwoTargetGroups"]["Resource"] == [
        prod.named("edge-tg-web").state["arn"],
        prod.named("edge-bg-web").state["arn"],
    ]
    assert statements["ShiftTheTwoRules"]["Action"] == ["elasticloadbalancing:ModifyRule"]
    assert statements["ShiftTheTwoRules"]["Resource"] == [
        prod.named("edge-rule-web").state["arn"],
        prod.named("edge-test-web").state["arn"],
    ]
    assert all(
        a.startswith("elasticloadbalancing:Describe") for a in statements["ReadLoadBalancing"]["Action"]
    )
    assert web_waits_for(prod, "web-lb-policy")


def web_waits_for(run: Run, name: str) -> bool:
    return run.named(name).urn in run.named("web-service").options["dependsOn"]


def test_canary_moves_the_configured_share_first_and_bakes_it(canary: Run):
    assert canary.named("web-service").inputs["deploymentConfiguration"] == {
        "strategy": "CANARY",
        "bakeTimeInMinutes": "0",
        "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "15"},
    }


def test_linear_moves_equal_steps_at_equal_intervals():
    run = _dev_with(
        {"strategy": "linear", "linear": {"stepPercent": 25, "stepBakeMinutes": 3}, "bakeTimeMinutes": 5}
    )
    assert run.named("web-service").inputs["deploymentConfiguration"] == {
        "strategy": "LINEAR",
        "bakeTimeInMinutes": "5",
        "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": "3"},
    }


def test_dev_rolls_by_default_with_no_alternate_group_test_listener_or_role():
    run = _dev_with({})
    assert run.named("web-service").inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert {r.name for r in run.of_type(LISTENER)} == {"edge-http"}
    for absent in ("edge-bg-web", "edge-test-web", "web-lb-role"):
        with pytest.raises(KeyError):
            run.named(absent)
    assert run.named("edge-rule-web").options["ignoreChanges"] == []


@pytest.mark.parametrize(
    ("services", "edge", "message"),
    [
        (
            {"worker": {"image": "ghcr.io/example/w:1", "deployment": {"strategy": "blue_green"}}},
            {},
            "webstack:services.worker.deployment.strategy: got blue_green, but a worker (no port) gets no "
            "load-balancer traffic to shift or test; use rolling, or give the service a port",
        ),
        (
            {
                "web": {
                    "image": "ghcr.io/example/w:1",
                    "port": 8080,
                    "deployment": {"strategy": "canary", "canary": {"percent": 120}},
                }
            },
            {},
            "webstack:services.web.deployment.canary.percent",
        ),
        (
            {
                "web": {
                    "image": "ghcr.io/example/w:1",
                    "port": 8080,
                    "deployment": {"strategy": "blue_green", "linear": {}},
                }
            },
            {},
            "webstack:services.web.deployment.linear: set, but the strategy is blue_green; set strategy: "
            "linear or remove linear",
        ),
        (
            {"web": {"image": "ghcr.io/example/w:1", "port": 8080, "deployment": {"bakeTimeMinutes": 5}}},
            {},
            "webstack:services.web.deployment.bakeTimeMinutes: got 5, but rolling deployments have no "
            "bake time",
        ),
        (
            {"web": {"image": "ghcr.io/example/w:1", "port": 8080}},
            {"testCidrs": ["0.0.0.0/0"]},
            "webstack:edge.testCidrs",
        ),
        (
            {
                "web": {
                    "image": "ghcr.io/example/w:1",
                    "port": 8080,
                    "deployment": {"strategy": "linear"},
                    "extraPorts": [
                        {"name": "admin", "port": 9090, "routing": {"pathPatterns": ["/admin/*"]}}
                    ],
                }
            },
            {},
            "webstack:services.web.deployment.strategy: got linear, but the service has extraPorts",
        ),
    ],
    ids=[
        "worker-blue-green",
        "canary-percent-120",
        "linear-block-with-blue-green",
        "rolling-bake",
        "open-test-cidr",
        "extra-ports",
    ],
)
def test_invalid_combinations_are_named_config_errors_before_any_resource(services, edge, message):
    with pytest.raises(ConfigError) as error:
        run_stack(EXAMPLE_DEV, {"webstack:services": services, "webstack:edge": edge or None}, root=FIXTURES)
    assert message in str(error.value)
