"""The plan report's sections over fixture stacks: the front door, the exposure matrix, the flows
between services, queues and the scheduler, and the diagram.
"""

import pytest

from plan import graph, report
from tests.support.fixture_stacks import FIXTURES

SERVICES = ("web", "api", "worker")


def test_the_plan_shows_certificates_validation_records_aliases_waf_rules_cloudfront_paths_and_doors():
    lines = report.front_door(graph.capture("frontdoor-prod", root=FIXTURES))
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
    (line,) = report.front_door(graph.capture("example-dev", root=FIXTURES))
    assert line.startswith("Front door: the load balancer's DNS name only")


@pytest.fixture(scope="module")
def plan_graph() -> graph.Graph:
    return graph.capture("workers-dev", root=FIXTURES)


def test_no_undeclared_pair_of_services_can_talk(plan_graph: graph.Graph):
    matrix = report.exposure_matrix(plan_graph)
    talking = {(source, dest) for source, dest in matrix if source in SERVICES and dest in SERVICES}
    assert talking == {("web", "api")}


def test_the_exposure_matrix_shows_exactly_the_edge_the_declared_call_the_volume_and_https_out(
    plan_graph: graph.Graph,
):
    assert report.exposure_matrix(plan_graph) == {
        ("internet", "edge"): ["tcp/80"],
        ("edge", "web"): ["tcp/8080"],
        ("edge", "api"): ["tcp/9090", "tcp/9091"],
        ("web", "api"): ["tcp/9090"],
        ("web", "internet"): ["tcp/443"],
        ("api", "internet"): ["tcp/443"],
        ("worker", "internet"): ["tcp/443"],
        # The volume both mount (webstack:volumes.files): a data store only they reach, on NFS.
        ("web", "volume-files"): ["tcp/2049"],
        ("worker", "volume-files"): ["tcp/2049"],
    }


def test_the_plan_and_diagram_show_calls_queues_and_schedules(plan_graph: graph.Graph):
    assert [(f.source, f.destination, f.label) for f in report.flows(plan_graph)] == [
        ("api", "jobs", "sends"),
        ("jobs", "worker", "consumes"),
        ("scheduler", "worker", "cron(0 3 * * ? *)"),
        ("scheduler", "worker", "rate(15 minutes)"),
    ]
    mermaid = report.mermaid(plan_graph)
    assert "n_web -->|tcp/9090 Service Connect| n_api" in mermaid
    assert 'n_api -.->|"sends"| n_queue_jobs' in mermaid
    assert 'n_queue_jobs -.->|"consumes"| n_worker' in mermaid
    assert 'scheduler -.->|"cron(0 3 * * ? *)"| n_worker' in mermaid
