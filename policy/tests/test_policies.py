"""The policy pack without the CLI: each policy on passing and failing resources, and on whole stacks.

Runs in the pack's own environment (policy/venv). Whole-stack graphs come from the program's offline
plan (`python -m plan STACK --json`, run by `make policy-test`) and are read from $WEBSTACK_GRAPHS:
``fixtures/`` holds the fixture stacks of tests/stacks (exact verdicts are pinned on those), ``stacks/``
the user's own stacks, whatever their names (only "no mandatory violation" is asserted on those).
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

POLICY_DIR = Path(__file__).resolve().parent.parent
REPOSITORY_ROOT = POLICY_DIR.parent
sys.path[:0] = [str(POLICY_DIR), str(REPOSITORY_ROOT)]

from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs  # noqa: E402
from webstack_policy import PACK_NAME, POLICIES  # noqa: E402

from tests.support.guardrail_cases import CASES  # noqa: E402

FIXTURES = ("example-dev", "example-prod")


def validate(
    resource_type: str, props: dict[str, Any], urn: str, name: str = "resource"
) -> dict[str, list[str]]:
    """Run every policy on one resource: ``{policy name: [violation messages]}`` for those that fire."""
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    args = ResourceValidationArgs(resource_type, props, urn, name, options, None)
    found: dict[str, list[str]] = {}
    for policy in POLICIES:
        policy.validate(
            args, lambda message, _urn=None, name=policy.name: found.setdefault(name, []).append(message)
        )
    return found


def enforcement(stack: str) -> dict[str, str]:
    """Each policy's enforcement level for a stack: mandatory unless policy/config.<stack>.json says so."""
    config = json.loads((POLICY_DIR / f"config.{stack}.json").read_text())
    levels = {policy.name: "mandatory" for policy in POLICIES}
    for name, setting in config.items():
        levels[name] = setting["enforcementLevel"] if isinstance(setting, dict) else setting
    return levels


def violations(graph: dict[str, Any], stack_config: str) -> list[tuple[str, str, str]]:
    """(enforcement level, policy, resource name) for every violation in a captured stack."""
    levels = enforcement(stack_config)
    return [
        (levels[policy], policy, resource["name"])
        for resource in graph["resources"]
        for policy in validate(resource["type"], resource["inputs"], resource["urn"], resource["name"])
    ]


def graph_folder(kind: str) -> Path:
    folder = os.environ.get("WEBSTACK_GRAPHS")
    if not folder:
        pytest.fail("set WEBSTACK_GRAPHS to a folder of plan graphs; `make policy-test` does this")
    return Path(folder) / kind


@pytest.fixture(scope="module")
def graphs() -> dict[str, dict[str, Any]]:
    """The fixture stacks' graphs by environment: ``{"dev": ..., "prod": ...}``."""
    return {
        stack.removeprefix("example-"): json.loads((graph_folder("fixtures") / f"{stack}.json").read_text())
        for stack in FIXTURES
    }


def user_graphs() -> list[Path]:
    return sorted(graph_folder("stacks").glob("*.json"))


def test_the_pack_has_one_mandatory_policy_per_guardrail():
    assert PACK_NAME == "webstack-guardrails"
    assert len(POLICIES) == 39
    assert {policy.enforcement_level.value for policy in POLICIES} == {"mandatory"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_policy_passes_safe_resources_and_reports_unsafe_ones(case):
    found = validate(case.resource_type, case.props, case.urn)
    assert set(found) == case.broken
    assert all(messages for messages in found.values())


def test_violations_name_the_security_hub_controls_their_rule_enforces():
    """A reviewer matches a finding to AWS's FSBP standard by its control ID (docs/security-controls.md)."""
    found = validate("aws:ecs/service:Service", {"networkConfiguration": {"assignPublicIp": True}}, "urn")
    assert found["ecs-services-no-public-ip"] == [
        "[ECS.2] ECS service assigns public IPs to tasks; tasks run in private subnets behind the edge"
    ]
    bucket = validate("aws:s3/bucketPolicy:BucketPolicy", {"policy": json.dumps({"Statement": []})}, "urn")
    assert bucket["s3-policies-tls-only-and-private"][0].startswith("[S3.2, S3.3, S3.5, S3.6] bucket policy")
    by_name = {policy.name: policy for policy in POLICIES}
    assert by_name["ecs-services-no-public-ip"].description.startswith("[ECS.2] ")


def test_policy_configs_only_relax_what_dev_declares():
    assert enforcement("prod") == {policy.name: "mandatory" for policy in POLICIES}
    relaxed = {name: level for name, level in enforcement("dev").items() if level != "mandatory"}
    assert relaxed == {"http-listeners-only-redirect": "advisory"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_example_stacks_break_no_mandatory_policy(graphs, stack):
    graph = graphs[stack]
    assert len(graph["resources"]) > 60
    found = violations(graph, stack)
    assert [v for v in found if v[0] == "mandatory"] == []


def test_every_one_of_your_stacks_breaks_no_mandatory_policy_under_its_own_policy_config():
    paths = user_graphs()
    assert paths, "make policy-test writes a graph per Pulumi.<stack>.yaml into $WEBSTACK_GRAPHS/stacks"
    for path in paths:
        stack, graph = path.stem, json.loads(path.read_text())
        # As the workflows apply it (tools/stages.py): the stage's own config, else its profile's.
        config = stack if (POLICY_DIR / f"config.{stack}.json").is_file() else graph["outputs"]["environment"]
        mandatory = [v for v in violations(graph, config) if v[0] == "mandatory"]
        assert mandatory == [], (
            f"Pulumi.{stack}.yaml breaks mandatory policies under policy/config.{config}.json"
        )


def test_the_api_gateway_reference_design_breaks_no_policy_even_with_its_internal_http_listener():
    graph = json.loads((graph_folder("fixtures") / "reference-apigw-ec2.json").read_text())
    listeners = [r for r in graph["resources"] if r["type"] == "aws:lb/listener:Listener"]
    # The production listener and blue/green's test listener: plain HTTP on an internal load balancer,
    # reached only through the HTTP API's VPC link (production) or edge.testCidrs (test).
    assert sorted((r["name"], r["inputs"]["protocol"]) for r in listeners) == [
        ("edge-http", "HTTP"),
        ("edge-test", "HTTP"),
    ]
    assert violations(graph, "prod") == []


def test_the_same_listener_on_an_internet_facing_edge_is_stopped():
    graph = json.loads((graph_folder("fixtures") / "reference-apigw-ec2.json").read_text())
    by_name = {resource["name"]: resource for resource in graph["resources"]}
    listener = by_name["edge-http"]
    listener["urn"] = listener["urn"].replace("components:InternalEdge$", "components:Edge$")
    balancer = by_name["edge-alb"]
    balancer["inputs"]["internal"] = False
    assert sorted(violations(graph, "prod")) == [
        ("mandatory", "http-listeners-only-redirect", "edge-http"),
        ("mandatory", "internal-edge-stays-internal", "edge-alb"),
    ]


def test_dev_serving_http_only_is_reported_as_advisory(graphs):
    assert violations(graphs["dev"], "dev") == [("advisory", "http-listeners-only-redirect", "edge-http")]


def test_the_same_http_only_config_is_stopped_where_the_rule_is_mandatory(graphs):
    assert violations(graphs["dev"], "prod") == [("mandatory", "http-listeners-only-redirect", "edge-http")]


def test_unsafe_resources_slipped_into_a_stack_are_caught(graphs):
    graph = copy.deepcopy(graphs["prod"])
    by_name = {resource["name"]: resource for resource in graph["resources"]}
    by_name["webstack-public-a"]["inputs"]["mapPublicIpOnLaunch"] = True
    by_name["web-in-from-edge"]["inputs"].update(
        {"fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0", "referencedSecurityGroupId": None}
    )
    by_name["api-service"]["inputs"]["networkConfiguration"]["assignPublicIp"] = True
    by_name["edge-https"]["inputs"]["sslPolicy"] = "ELBSecurityPolicy-2016-08"
    by_name["web-repo"]["inputs"]["imageTagMutability"] = "MUTABLE"
    by_name["api-logs"]["inputs"].pop("retentionInDays")
    by_name["webstack-flow-logs-policy"]["inputs"]["policy"] = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    assert sorted(violations(graph, "prod")) == [
        ("mandatory", "ecr-scan-on-push-immutable", "web-repo"),
        ("mandatory", "ecs-services-no-public-ip", "api-service"),
        ("mandatory", "https-listeners-tls13", "edge-https"),
        ("mandatory", "log-groups-have-retention", "api-logs"),
        ("mandatory", "no-admin-ports", "web-in-from-edge"),
        ("mandatory", "no-iam-decrypt-on-all-keys", "webstack-flow-logs-policy"),
        ("mandatory", "no-iam-wildcard-actions-on-all-resources", "webstack-flow-logs-policy"),
        ("mandatory", "no-internet-ingress-except-edge-web", "web-in-from-edge"),
        ("mandatory", "subnets-no-public-ip-on-launch", "webstack-public-a"),
    ]
