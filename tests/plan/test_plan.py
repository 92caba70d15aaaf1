"""The offline plan: exposure matrix, subnet table, graph format, comparison, diagrams and errors."""

import json
import shutil
import struct
from pathlib import Path

import pytest

from plan import diagram, graph, report
from plan.__main__ import main
from plan.engine import PLACEHOLDER_NOTE, PROJECT_ROOT, run_stack
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES


@pytest.fixture(scope="module")
def prod_graph() -> graph.Graph:
    return graph.capture(EXAMPLE_PROD, FIXTURES)


@pytest.fixture(scope="module")
def dev_graph() -> graph.Graph:
    return graph.capture(EXAMPLE_DEV, FIXTURES)


def test_prod_exposure_admits_the_internet_only_to_the_edge_on_80_and_443(prod_graph):
    assert report.exposure_matrix(prod_graph) == {
        ("internet", "edge"): ["tcp/80", "tcp/443"],
        ("edge", "web"): ["tcp/8080"],
        ("edge", "api"): ["tcp/9090"],
        ("web", "internet"): ["tcp/443"],
        ("api", "internet"): ["tcp/443"],
    }
    assert report.verdict(prod_graph) == (
        "Verdict: from 0.0.0.0/0 only edge on tcp/80, tcp/443 is reachable; everything else is private."
    )


def test_dev_exposure_admits_the_internet_only_to_the_edge_on_80(dev_graph):
    matrix = report.exposure_matrix(dev_graph)
    assert {dest: ports for (source, dest), ports in matrix.items() if source == "internet"} == {
        "edge": ["tcp/80"]
    }
    assert {(s, d) for (s, d) in matrix if d in ("web", "api")} == {("edge", "web"), ("edge", "api")}


def test_a_path_between_groups_needs_the_sources_egress_too(prod_graph):
    without_edge_egress = dict(prod_graph)
    without_edge_egress["resources"] = [
        r for r in prod_graph["resources"] if not r["name"].endswith("-edge-out")
    ]
    matrix = report.exposure_matrix(without_edge_egress)
    assert ("edge", "web") not in matrix and ("internet", "edge") in matrix


def test_the_exposure_table_has_a_row_per_source_and_a_column_per_destination(prod_graph):
    lines = report.exposure(prod_graph)
    header = lines[1].split()
    assert header[:3] == ["from", "\\", "to"] and header[3:] == ["edge", "api", "web", "internet", "(out)"]
    internet_row = next(line for line in lines if line.strip().startswith("internet"))
    assert "tcp/80, tcp/443" in internet_row
    assert lines[-1].startswith("Verdict:")


def test_the_subnet_table_shows_each_zones_tier_cidr_and_default_route(prod_graph, dev_graph):
    assert report.subnet_rows(prod_graph) == [
        {
            "zone": f"eu-west-1{z}",
            "tier": tier,
            "cidr": cidr,
            "default route": target,
            "public ip on launch": "no",
        }
        for z, (private_cidr, public_cidr) in zip(
            "abc",
            [
                ("10.20.0.0/20", "10.20.128.0/23"),
                ("10.20.16.0/20", "10.20.130.0/23"),
                ("10.20.32.0/20", "10.20.132.0/23"),
            ],
            strict=True,
        )
        for tier, cidr, target in (
            ("private", private_cidr, f"NAT in eu-west-1{z}"),
            ("public", public_cidr, "internet gateway"),
        )
    ]
    dev_private = [row["default route"] for row in report.subnet_rows(dev_graph) if row["tier"] == "private"]
    assert dev_private == ["NAT in eu-west-1a", "NAT in eu-west-1a"]


def test_a_network_without_nat_shows_no_default_route_and_no_internet_egress_for_private_tasks():
    network = {"cidr": "10.10.0.0/16", "natMode": "none", "interfaceEndpoints": True}
    captured = graph.capture(EXAMPLE_DEV, FIXTURES, overrides={"webstack:network": network})
    assert {row["default route"] for row in report.subnet_rows(captured) if row["tier"] == "private"} == {
        "none"
    }
    matrix = report.exposure_matrix(captured)
    assert ("web", "internet") not in matrix and ("api", "internet") not in matrix, "no route, no egress"
    assert matrix[("edge", "web")] == ["tcp/8080"], "the edge, in public subnets, still reaches services"
    assert report.groups_without_internet_route(captured) >= {"web", "api"}


def test_the_graph_round_trips_through_json_with_every_resource_and_correct_parents(prod_graph, tmp_path):
    path = tmp_path / "prod.json"
    graph.write(prod_graph, path)
    assert graph.read(path) == prod_graph
    assert path.read_text() == json.dumps(prod_graph, indent=2, sort_keys=True) + "\n"
    run = run_stack(EXAMPLE_PROD, root=FIXTURES)
    assert sorted(r["urn"] for r in prod_graph["resources"]) == sorted(r.urn for r in run.resources)
    urns = {r["urn"]: r for r in prod_graph["resources"]}
    for resource in prod_graph["resources"]:
        if resource["type"] == "docker-build:index:Image":  # modelled child of an awsx image
            assert urns[resource["parent"]]["type"] == "awsx:ecr:Image"
        elif resource["custom"] or resource["type"].startswith("awsx:"):
            parent = urns[resource["parent"]]
            assert parent["type"].startswith("webstack:components:")
            assert resource["urn"].split("::")[2].startswith(parent["type"] + "$")
        else:
            assert resource["parent"] is not None and resource["parent"].endswith("::webstack-example-prod")
    subnet = urns[next(u for u in urns if u.endswith("::webstack-private-b"))]
    assert subnet["inputs"]["cidrBlock"] == "10.20.16.0/20"
    assert subnet["outputs"] == {
        "id": "webstack-private-b-id",
        "arn": subnet["outputs"]["arn"],
        "tagsAll": subnet["inputs"]["tags"],
    }
    assert isinstance(subnet["inputs"]["mapPublicIpOnLaunch"], bool)
    service = urns[next(u for u in urns if u.endswith("::api-service"))]
    assert service["options"]["ignoreChanges"] == ["desiredCount"]
    assert service["inputs"]["deploymentMaximumPercent"] == 200 and isinstance(
        service["inputs"]["deploymentMaximumPercent"], int
    )


def test_the_graph_file_is_refused_when_it_is_not_this_format(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something-else", "resources": []}))
    with pytest.raises(ValueError, match="webstack-plan/1"):
        graph.read(path)


def test_the_graph_carries_the_stack_account_region_outputs_and_warnings(dev_graph):
    assert (dev_graph["format"], dev_graph["stack"], dev_graph["region"]) == (
        "webstack-plan/1",
        EXAMPLE_DEV,
        "eu-west-1",
    )
    assert dev_graph["accounts"] == ["111111111111"]
    assert dev_graph["outputs"]["url"].startswith("http://")
    assert len(dev_graph["warnings"]) == 1 and "plain HTTP" in dev_graph["warnings"][0]


def test_the_inventory_lists_components_foundation_first_with_counts_by_type(prod_graph):
    lines = report.inventory(prod_graph)
    custom = [r for r in prod_graph["resources"] if r["custom"] or r["type"].startswith("awsx:")]
    assert lines[0] == f"Resources: {len(custom)} in 9 components (stack example-prod)"
    components = [line.split(" ")[1] for line in lines[1:] if line.startswith(("├─", "└─"))]
    assert components == [
        "stack-key",
        "alerts",
        "webstack",
        "cluster",
        "edge",
        "waf",
        "api",
        "web",
        "observability",
    ]
    network = lines.index(next(line for line in lines if line.startswith("├─ webstack")))
    assert "ec2:Subnet x6" in "\n".join(lines[network : network + 15])
    assert "ec2:NatGateway x3" in "\n".join(lines[network : network + 15])


def test_the_comparison_shows_what_differs_between_dev_and_prod(dev_graph, prod_graph):
    rows = {line.split("  ")[1].strip(): line for line in report.compare(dev_graph, prod_graph)[3:]}
    assert rows["NAT gateways"].split()[-2:] == ["1", "3"]
    assert rows["accounts"].split()[-2:] == ["111111111111", "222222222222"]
    assert "enhanced" in rows["container insights"] and "FARGATE_SPOT" in rows["capacity strategy"]
    assert "region" not in rows, "identical facts are left out"
    assert report.compare(prod_graph, prod_graph)[0].startswith(
        "Differences between example-prod and example-prod (0 differ"
    )


def test_the_mermaid_diagram_draws_every_path_of_the_exposure_matrix(prod_graph):
    text = report.mermaid(prod_graph)
    assert text.startswith("flowchart LR\n")
    assert "internet -->|tcp/80, tcp/443| n_edge" in text
    assert "n_edge -->|tcp/8080 /*| n_web" in text
    assert "n_edge -->|tcp/9090 /api/*| n_api" in text
    assert "nat --> internet" in text
    assert 'subgraph vpc["VPC 10.20.0.0/16 in 3 zones"]' in text


@pytest.mark.skipif(
    not diagram.available(),
    reason="the PNG diagram needs Graphviz's `dot` and the `diagrams` package, which are optional; "
    "to run this test: apt-get install graphviz (or brew install graphviz) and venv/bin/pip install diagrams",
)
def test_the_png_diagram_is_a_real_readable_image(prod_graph, tmp_path):
    path = diagram.render_png(prod_graph, tmp_path / "prod.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 600 and height >= 300
    assert len(data) > 20_000


def test_the_command_prints_every_section_and_writes_the_diagrams(capsys, tmp_path):
    argv = [EXAMPLE_PROD, "--out", str(tmp_path), "--json", str(tmp_path / "prod.json")]
    assert main(argv, root=FIXTURES) == 0
    printed = capsys.readouterr().out
    for heading in (
        "Resources: ",
        "Stack outputs (",
        "Warnings:",
        "Network exposure",
        "Verdict:",
        "Subnet layout:",
        "Alarms (",
        "Notifications go to:",
    ):
        assert heading in printed
    assert (tmp_path / f"{EXAMPLE_PROD}.mmd").read_text().startswith("flowchart LR")
    assert graph.read(tmp_path / "prod.json")["stack"] == EXAMPLE_PROD
    assert (tmp_path / f"{EXAMPLE_PROD}.png").exists() == diagram.available()


def test_the_command_compares_two_stacks(capsys):
    assert main([EXAMPLE_DEV, "--compare", EXAMPLE_PROD, "--no-diagram"], root=FIXTURES) == 0
    assert "Differences between example-dev and example-prod" in capsys.readouterr().out


def plan_error(capsys, argv, root: Path = PROJECT_ROOT) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(argv, root=root)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    return captured.err


def test_an_unknown_stack_is_one_clear_paragraph_naming_the_stacks_that_exist(capsys):
    error = plan_error(capsys, ["staging", "--no-diagram"], root=FIXTURES)
    assert error.startswith("webstack plan: no stack 'staging'")
    assert f"Stacks here: {', '.join(graph.stacks(FIXTURES))}." in error


def test_a_malformed_stack_file_names_the_file_and_line(capsys, tmp_path):
    shutil.copy(PROJECT_ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  webstack:environment: [dev\n")
    error = plan_error(capsys, ["broken", "--no-diagram"], root=tmp_path)
    assert "Pulumi.broken.yaml is not valid YAML at line 3" in error


def test_a_stack_file_that_is_not_a_mapping_is_explained(capsys, tmp_path):
    shutil.copy(PROJECT_ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.list.yaml").write_text("- just\n- a list\n")
    assert "Pulumi.list.yaml cannot be read" in plan_error(capsys, ["list", "--no-diagram"], root=tmp_path)


def test_invalid_config_prints_every_problem_without_a_traceback(capsys, tmp_path):
    shutil.copy(PROJECT_ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  webstack:environment: prod\n"
    )
    error = plan_error(capsys, ["bad", "--no-diagram"], root=tmp_path)
    assert "stack 'bad' has invalid configuration; nothing was created" in error
    assert "aws:allowedAccountIds: missing" in error and "webstack:edge.certificateArn: missing" in error


def test_the_benchmarks_synthetic_stacks_are_valid_and_grow_with_their_services():
    from plan.engine import stack_config
    from stack.config import parse_settings
    from tools.plan_benchmark import synthetic_services

    config = stack_config(EXAMPLE_DEV, FIXTURES) | {"webstack:services": json.dumps(synthetic_services(50))}
    services = parse_settings(config, "dev").services
    assert len(services) == 50
    routes = [s.route for s in services if s.route is not None]
    assert len({route.priority for route in routes}) == 50
    assert routes[-1].path_patterns == ("/*",)


def test_outputs_the_offline_engine_invented_are_labelled_as_placeholders(dev_graph):
    lines = report.outputs(dev_graph)
    assert lines[0] == f"Stack outputs (* = {PLACEHOLDER_NOTE}):"
    marked = {line.split(" = ")[0][2:]: line[0] == "*" for line in lines[1:]}
    assert marked["vpcId"] and marked["url"] and marked["serviceNames"] and marked["clusterName"]
    assert not marked["region"] and not marked["cidrPlan"] and not marked["availabilityZones"]
    assert not marked["environment"]


def test_without_nat_the_exposure_matrix_shows_tasks_reaching_the_endpoints_and_not_the_internet():
    captured = graph.capture("private-dev", FIXTURES)
    assert report.exposure_matrix(captured) == {
        ("internet", "edge"): ["tcp/80"],
        ("edge", "web"): ["tcp/8080"],
        ("web", "endpoints"): ["tcp/443"],
    }
