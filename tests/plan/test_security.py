"""The plan's security verdict (plan/sections/security.py) over every fixture and shipped stack: no
control is failing, every resource type the stacks create has its FSBP controls mapped (or is listed as
having none), and a violation slipped into a graph turns its controls failing."""

import copy
import json

import pytest

from components.pure.controls import unmapped
from plan import report
from plan.__main__ import main
from plan.graph import capture, stacks
from plan.sections.security import security_verdict
from tests.support.fixture_stacks import FIXTURES, USER_STACKS

STACKS = [(stack, FIXTURES) for stack in stacks(FIXTURES)] + [(stack, None) for stack in USER_STACKS]


def _graph(stack, root):
    return capture(stack, root=root) if root is not None else capture(stack)


@pytest.fixture(scope="module")
def graphs():
    return {stack: _graph(stack, root) for stack, root in STACKS}


def test_there_are_fixture_and_shipped_stacks_to_judge(graphs):
    assert {"example-dev", "example-prod", "frontdoor-prod", "workers-dev", "reference-apigw-ec2"} <= set(
        graphs
    )


def test_every_fixture_and_shipped_stack_reports_zero_failing_controls(graphs):
    failing = {stack: security_verdict(graph).violations for stack, graph in graphs.items()}
    assert {stack: found for stack, found in failing.items() if found} == {}
    assert all(security_verdict(graph).enforced for graph in graphs.values())


def test_every_resource_type_the_stacks_create_has_its_controls_mapped(graphs):
    types = {resource["type"] for graph in graphs.values() for resource in graph["resources"]}
    assert unmapped(types) == []


def test_the_report_prints_one_security_line_per_stack(graphs):
    sections = list(report.sections(graphs["example-prod"]))
    lines = [line for section in sections for line in section if line.startswith("Security:")]
    verdict = security_verdict(graphs["example-prod"])
    assert lines == [
        f"Security: {len(verdict.enforced)} controls enforced, {len(verdict.excepted)} excepted, 0 failing"
    ]
    assert {"ECS.2", "EC2.15", "ELB.1", "S3.5"} <= set(verdict.enforced)
    assert "ECR.3" in verdict.excepted


def test_dev_counts_its_plain_http_listener_as_excepted_not_failing(graphs):
    dev = security_verdict(graphs["example-dev"])
    assert "ELB.1" in dev.excepted and "ELB.1" not in dev.failing
    as_prod = copy.deepcopy(graphs["example-dev"])
    as_prod["outputs"]["environment"] = "prod"
    assert security_verdict(as_prod).failing == ("ELB.1",)


def test_a_violation_slipped_into_a_graph_fails_its_controls(graphs):
    graph = copy.deepcopy(graphs["example-prod"])
    subnet = next(r for r in graph["resources"] if r["type"] == "aws:ec2/subnet:Subnet")
    subnet["inputs"]["mapPublicIpOnLaunch"] = True
    verdict = security_verdict(graph)
    assert verdict.failing == ("EC2.15",)
    assert verdict.violations == (
        f"[EC2.15] {subnet['name']}: subnet maps public IPs on launch; nothing here needs one",
    )
    assert verdict.line().endswith("1 failing")
    assert verdict.to_json()["failing"] == ["EC2.15"]


def test_plan_json_carries_the_security_verdict_and_the_report_prints_its_line(tmp_path, capsys, graphs):
    path = tmp_path / "example-prod.json"
    assert main(["example-prod", "--json", str(path), "--no-diagram"], root=FIXTURES) == 0
    document = json.loads(path.read_text())
    expected = security_verdict(graphs["example-prod"])
    assert document["security"] == expected.to_json()
    assert expected.line() in capsys.readouterr().out.splitlines()
