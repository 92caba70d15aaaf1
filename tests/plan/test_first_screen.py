"""The plan's first screen (at most 25 lines of the facts a reader asks first), `--section` and the
JSON `summary` key. Every expected value is read from the graph here, independently of the summary."""

import json

import pytest

from plan import cost, graph, images, report
from plan.__main__ import SECTION_NAMES, main
from plan.cost_model import NOT_PRICED, Line
from plan.sections import first_screen
from plan.sections.security import security_verdict
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

STACKS = graph.stacks(FIXTURES)


@pytest.fixture(scope="module")
def graphs() -> dict[str, graph.Graph]:
    return {}


def captured(graphs: dict[str, graph.Graph], stack: str) -> graph.Graph:
    if stack not in graphs:
        graphs[stack] = graph.capture(stack, FIXTURES)
    return graphs[stack]


def screen(found: graph.Graph) -> list[str]:
    estimate = cost.estimate(found, cost.load_prices(found["region"]), cost.assumptions())
    return first_screen.first_screen(first_screen.summary(found, estimate, images.images(found)))


def of_type(found: graph.Graph, type_token: str) -> list[dict]:
    return [r for r in found["resources"] if r["type"] == type_token]


def owner(found: graph.Graph, resource: dict) -> str:
    return next(r["name"] for r in found["resources"] if r["urn"] == resource["parent"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_first_screen_fits_25_lines_and_names_the_stack_account_region_and_resources(graphs, stack):
    found = captured(graphs, stack)
    lines = screen(found)
    assert len(lines) <= 25
    assert all(len(line) <= first_screen.WIDTH for line in lines)
    assert stack in lines[0] and found["region"] in lines[0]
    assert all(account in lines[0] for account in found["accounts"])
    text = " ".join(line.strip() for line in lines)
    counted = [r for r in found["resources"] if r["custom"] or r["type"].startswith("awsx:")]
    assert f"Resources: {len(counted)} in " in text
    for component in (r for r in found["resources"] if r["type"].startswith("webstack:components:")):
        inside = sum(1 for r in counted if _component_of(found, r) == component["urn"])
        assert f" {component['name']} {inside}" in text


def _component_of(found: graph.Graph, resource: dict) -> str | None:
    by_urn = {r["urn"]: r for r in found["resources"]}
    parent = by_urn.get(resource.get("parent") or "")
    while parent is not None and not parent["type"].startswith("webstack:components:"):
        parent = by_urn.get(parent.get("parent") or "")
    return parent["urn"] if parent else None


@pytest.mark.parametrize("stack", STACKS)
def test_the_first_screen_shows_each_door_from_the_internet_and_each_service_as_the_graph_declares_it(
    graphs, stack
):
    found = captured(graphs, stack)
    lines = screen(found)
    text = " ".join(line.strip() for line in lines)
    for (source, dest), ports in report.exposure_matrix(found).items():
        if source == "internet":
            assert f"{dest} on {', '.join(ports)}" in text
    for record in of_type(found, "aws:route53/record:Record"):
        if record["inputs"].get("aliases"):
            assert f"https://{record['inputs']['name']} -> " in text
    tasks = {
        r["outputs"]["arn"]: r["inputs"] for r in of_type(found, "aws:ecs/taskDefinition:TaskDefinition")
    }
    targets = {owner(found, t): t["inputs"] for t in of_type(found, "aws:appautoscaling/target:Target")}
    built = {r["name"].removesuffix("-image") for r in of_type(found, "awsx:ecr:Image")}
    for service in of_type(found, "aws:ecs/service:Service"):
        name = owner(found, service)
        line = next(line for line in lines if line.split()[:1] == [name])
        task = tasks[service["inputs"]["taskDefinition"]]
        assert f"{int(task['cpu']) / 1024:g} vCPU/{int(task['memory']) / 1024:g} GB" in line
        scaling = targets[name]
        assert f"x{scaling['minCapacity']}-{scaling['maxCapacity']}" in line
        strategy = (service["inputs"].get("deploymentConfiguration") or {}).get("strategy") or "ROLLING"
        assert f" {strategy} " in line
        image = found["outputs"]["images"][name]
        assert ("built from source" if name in built else image) in line


@pytest.mark.parametrize("stack", STACKS)
def test_the_first_screen_lists_every_data_store_the_estimate_and_the_warnings(graphs, stack):
    found = captured(graphs, stack)
    lines = screen(found)
    text = " ".join(line.strip() for line in lines)
    for database in of_type(found, "aws:rds/instance:Instance"):
        inputs = database["inputs"]
        assert f"database: {owner(found, database)} ({inputs['engine']} {inputs['engineVersion']} " in text
        assert f"{inputs['instanceClass']}{', Multi-AZ' if inputs.get('multiAz') else ''}" in text
    for cache in of_type(found, "aws:elasticache/replicationGroup:ReplicationGroup"):
        assert f"{cache['inputs']['nodeType']} x{cache['inputs']['numCacheClusters']}" in text
    for bucket in of_type(found, "aws:s3/bucket:Bucket") + of_type(found, "aws:sqs/queue:Queue"):
        assert bucket["name"] in text
    if not of_type(found, "aws:rds/instance:Instance") and not of_type(found, "aws:s3/bucket:Bucket"):
        assert "Data stores: none." in lines or "queue" in text
    estimate = cost.estimate(found, cost.load_prices(found["region"]), cost.assumptions())
    line = next(line for line in lines if line.startswith("Monthly estimate: "))
    assert line.startswith(f"Monthly estimate: {estimate.total_text()}; biggest: ")
    biggest = sorted(estimate.by("kind").items(), key=lambda kv: -kv[1])[:3]
    for kind, monthly in biggest[:2]:
        assert f"{kind} ${monthly:,.2f}" in line
    warnings = found["warnings"]
    assert (f"Warnings: {len(warnings)}" if warnings else "Warnings: none.") in lines
    if warnings:
        assert any(line.startswith(f"  ! {warnings[0][:60]}") for line in lines)


def test_a_data_store_kind_the_screen_has_never_seen_is_listed_by_its_type(graphs):
    found = dict(captured(graphs, EXAMPLE_DEV))
    network = next(r for r in found["resources"] if r["type"] == "webstack:components:Network")
    extra = [
        {"urn": f"urn:x::{kind}", "type": kind, "name": name, "parent": network["urn"], "custom": True}
        | {"inputs": {}, "options": {}, "outputs": {}}
        for kind, name in (
            ("aws:efs/fileSystem:FileSystem", "files-efs"),
            ("aws:backup/vault:Vault", "backup-vault"),
            ("aws:s3/bucketV2:BucketV2", "uploads-bucket"),
        )
    ]
    found["resources"] = [*found["resources"], *extra]
    text = "\n".join(screen(found))
    assert "  file system: files-efs" in text
    assert "  backup vault: backup-vault" in text
    assert "  bucket: uploads-bucket" in text


def test_an_estimate_with_unpriced_resources_says_so_on_its_total(graphs):
    found = captured(graphs, EXAMPLE_PROD)
    estimate = cost.estimate(found, cost.load_prices(found["region"]), cost.assumptions())
    assert first_screen.summary(found, estimate)["estimate"]["total"] == f"${estimate.total:,.2f}"
    missing = Line(
        "db", "RDS instance", "db-main-instance", "aws:rds/instance:Instance", None, "?", NOT_PRICED
    )
    estimate.lines.append(missing)
    headline = first_screen.summary(found, estimate)["estimate"]
    assert headline["total"] == f"≥ ${estimate.total:,.2f}, 1 resource unpriced" and not headline["complete"]


def test_the_first_screen_carries_the_security_verdict_line(graphs):
    found = captured(graphs, EXAMPLE_PROD)
    verdict = security_verdict(found).line()
    assert verdict.startswith("Security: ") and verdict in screen(found)
    assert first_screen.summary(found)["security"] == verdict


def test_the_plan_starts_with_the_summary_and_its_json_gains_a_summary_key(capsys, tmp_path):
    out = tmp_path / "plan.json"
    assert main([EXAMPLE_PROD, "--no-diagram", "--json", str(out)], root=FIXTURES) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Summary of stack {EXAMPLE_PROD} (prod): account ")
    assert (
        printed.index("Monthly estimate: $")
        < printed.index(f"components (stack {EXAMPLE_PROD})")
        < printed.index("Network exposure")
    )
    document = json.loads(out.read_text())
    assert {"resources", "outputs", "warnings", "estimate", "routes", "images"} <= set(document)
    summary = document["summary"]
    assert summary["stack"] == EXAMPLE_PROD and summary["region"] == "eu-west-1"
    assert [s["service"] for s in summary["services"]] == ["api", "web"]
    assert summary["services"][0]["vcpu"] == 0.5 and summary["services"][0]["maxTasks"] == 10
    assert summary["estimate"]["monthly"] == document["estimate"]["total"]


def test_one_section_prints_that_section_only_and_writes_no_diagram(capsys, tmp_path):
    argv = [EXAMPLE_DEV, "--section", "exposure", "--out", str(tmp_path)]
    assert main(argv, root=FIXTURES) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Network exposure (who may open connections to whom):")
    assert printed.rstrip().splitlines()[-1].startswith("Verdict:")
    assert "Summary of stack" not in printed and "Monthly estimate" not in printed
    assert list(tmp_path.iterdir()) == []


def test_the_summary_section_is_the_first_screen_alone(capsys):
    assert main([EXAMPLE_DEV, "--section", "summary"], root=FIXTURES) == 0
    printed = capsys.readouterr().out.rstrip("\n").splitlines()
    assert printed[0].startswith(f"Summary of stack {EXAMPLE_DEV}") and len(printed) <= 25


def test_an_unknown_section_is_refused_naming_every_section(capsys):
    with pytest.raises(SystemExit) as stopped:
        main([EXAMPLE_DEV, "--section", "costs"], root=FIXTURES)
    assert stopped.value.code == 2
    found = capsys.readouterr()
    assert found.out == "" and "Traceback" not in found.err
    assert found.err.strip() == (
        f"webstack plan: --section costs: there is no such section; use one of: {', '.join(SECTION_NAMES)}."
    )
    assert {"summary", "exposure", "front-door", "cost", "images", "alarms"} <= set(SECTION_NAMES)


def test_the_help_lists_the_section_names(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    # argparse wraps the help (also at hyphens): compare without the whitespace
    assert ",".join(SECTION_NAMES) in "".join(capsys.readouterr().out.split())
