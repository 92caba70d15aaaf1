"""The plan's Deployments section: each service's strategy, target groups, production and
test rules and traffic steps; the exposure matrix keeps the test listener off the internet."""

import pytest

from plan import graph, report
from plan.sections.deployments import rollouts, traffic_steps
from plan.sections.exposure import INTERNET, exposure_matrix
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

OFFICE = "198.51.100.0/24"
CERTIFICATE = "arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def prod_graph() -> graph.Graph:
    return graph.capture(EXAMPLE_PROD, FIXTURES)


def test_the_plan_shows_prods_blue_green_services_with_both_groups_both_rules_and_the_steps(prod_graph):
    web = next(r for r in rollouts(prod_graph) if r.service == "web")
    assert (web.strategy, web.target_groups) == ("BLUE_GREEN", ("edge-tg-web", "edge-bg-web"))
    assert web.rules == ("HTTPS:443 edge-rule-web", "HTTPS:8443 edge-test-web")
    assert web.steps.startswith("test rule -> 100 % at once -> bake 10 min")
    lines = report.deployments(prod_graph)
    assert lines[0] == "Deployments (2 services; docs/deployments.md):"
    assert any(line.split()[:2] == ["web", "BLUE_GREEN"] for line in lines)


def test_rolling_services_show_no_alternate_group_and_no_test_rule():
    dev = graph.capture(EXAMPLE_DEV, FIXTURES)
    web = next(r for r in rollouts(dev) if r.service == "web")
    assert (web.strategy, web.target_groups, web.rules) == ("ROLLING", ("edge-tg-web",), ())


@pytest.mark.parametrize(
    ("configuration", "words", "shift", "bake"),
    [
        (
            {
                "strategy": "CANARY",
                "bakeTimeInMinutes": "3",
                "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "15"},
            },
            "test rule -> 5 % for 15 min -> 100 % -> bake 3 min",
            15,
            3,
        ),
        (
            {
                "strategy": "LINEAR",
                "bakeTimeInMinutes": "0",
                "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": "4"},
            },
            "test rule -> +25 % every 4 min (4 steps) -> bake 0 min",
            12,
            0,
        ),
    ],
    ids=["canary", "linear"],
)
def test_traffic_steps_read_the_canary_share_and_the_linear_steps(configuration, words, shift, bake):
    steps, shift_minutes, bake_minutes = traffic_steps(configuration)
    assert steps.startswith(words)
    assert (shift_minutes, bake_minutes) == (shift, bake)


def test_the_test_listener_port_is_reachable_from_no_one_but_the_listed_cidrs(prod_graph):
    matrix = exposure_matrix(prod_graph)
    from_internet = [ports for (source, _), ports in matrix.items() if source == INTERNET]
    assert from_internet and all("tcp/8443" not in listed for listed in from_internet)
    edge = {"certificateArn": CERTIFICATE, "testCidrs": [OFFICE]}
    opened = graph.capture(EXAMPLE_PROD, FIXTURES, overrides={"webstack:edge": edge})
    matrix = exposure_matrix(opened)
    assert not any("tcp/8443" in ports for (source, _), ports in matrix.items() if source == INTERNET)
    assert any("tcp/8443" in ports for (source, _), ports in matrix.items() if source == OFFICE)


def test_the_plan_shows_each_pre_traffic_check_with_its_stage_request_and_expected_answer():
    """frontdoor-prod's web has preTrafficCheck {path: /healthz, expectStatus: 200, timeoutSeconds: 3};
    its api has none (components/service/pre_traffic.py, the ECS lifecycle hook)."""
    frontdoor = graph.capture("frontdoor-prod", FIXTURES)
    by_service = {r.service: r.pre_traffic_check for r in rollouts(frontdoor)}
    assert by_service == {
        "api": "",
        "web": "POST_TEST_TRAFFIC_SHIFT: GET /healthz on the test listener HTTPS:8443 must answer 200 "
        "within 3 s, else ECS rolls back",
    }
    lines = report.deployments(frontdoor)
    assert lines[-2:] == ["Pre-traffic checks (lifecycle hooks):", f"  web: {by_service['web']}"]
    assert "Pre-traffic checks (lifecycle hooks):" not in report.deployments(
        graph.capture(EXAMPLE_PROD, FIXTURES)
    )


def test_the_exposure_matrix_shows_the_check_as_the_only_way_into_the_test_listener_and_no_way_out():
    """frontdoor-prod (no testCidrs): the pre-traffic check's function reaches the load balancer on the
    test port, the internet does not, and the function reaches nothing else but HTTPS out (the EC2 API,
    which lists the internet-facing load balancer's private addresses)."""
    matrix = exposure_matrix(graph.capture("frontdoor-prod", FIXTURES))
    into_test_port = sorted(pair for pair, ports in matrix.items() if "tcp/8443" in ports)
    assert into_test_port == [("web-pre-traffic", "edge")]
    assert [(pair, ports) for pair, ports in matrix.items() if pair[0] == "web-pre-traffic"] == [
        (("web-pre-traffic", "edge"), ["tcp/8443"]),
        (("web-pre-traffic", INTERNET), ["tcp/443"]),
    ]
    assert not any("tcp/8443" in ports for (source, _), ports in matrix.items() if source == INTERNET)
