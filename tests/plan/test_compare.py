"""``plan --compare``: before/after of an edit (a file or a git revision of the same stack), the
configuration summary, what each changed resource does (update or replace, and why), the routing
table, and the errors of the comparison options."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from plan import changes, cost, graph, replacement, report, routing
from plan.__main__ import EXIT_TRANSITION, main
from plan.replacement import TABLE_SOURCE
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

SECRET_LOOKING_VALUE = "verbose-value-that-must-not-leak"
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"


def edited_prod(folder: Path, edit) -> Path:
    """A copy of the prod fixture stack file with ``edit`` applied to its config (a dict)."""
    document = yaml.safe_load((FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml").read_text())
    edit(document["config"])
    path = folder / "edited.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _edit(config: dict) -> None:
    config["webstack:network"]["cidr"] = "10.30.0.0/16"
    api = config["webstack:services"]["api"]
    api["routing"]["pathPatterns"] = ["/v2/*"]
    api["environment"]["DEBUG_LEVEL"] = SECRET_LOOKING_VALUE


@pytest.fixture(scope="module")
def prod_graph() -> graph.Graph:
    return graph.capture(EXAMPLE_PROD, FIXTURES)


@pytest.fixture(scope="module")
def edited_file(tmp_path_factory) -> Path:
    return edited_prod(tmp_path_factory.mktemp("edit"), _edit)


@pytest.fixture(scope="module")
def edited_graph(edited_file) -> graph.Graph:
    return graph.capture(EXAMPLE_PROD, FIXTURES, stack_file=edited_file)


@pytest.fixture(scope="module")
def resource_changes(prod_graph, edited_graph) -> dict[str, changes.ResourceChange]:
    return {change.name: change for change in changes.resource_changes(prod_graph, edited_graph)}


# --- Resource changes -----------------------------------------------------------------------------


def test_a_changed_vpc_cidr_replaces_the_vpc_and_each_subnet_naming_cidr_block_and_the_tables_source(
    resource_changes,
):
    vpc = resource_changes["webstack-vpc"]
    assert (vpc.action, vpc.replacing, vpc.source) == ("replace", ("cidrBlock",), TABLE_SOURCE)
    for zone in "abc":
        subnet = resource_changes[f"webstack-private-{zone}"]
        assert subnet.action == "replace" and "cidrBlock" in subnet.replacing
        assert subnet.via == ("webstack-vpc",)


def test_a_resource_whose_forcenew_input_references_a_replaced_resource_is_replaced_too(resource_changes):
    association = resource_changes["webstack-private-rta-a"]
    assert association.action == "replace" and association.replacing == ("subnetId",)
    assert "webstack-private-a" in association.via


def test_a_resource_that_only_references_a_replaced_one_in_updatable_inputs_is_updated_not_replaced(
    resource_changes,
):
    service = resource_changes["web-service"]
    assert service.action == "update" and service.replacing == ()
    assert {"networkConfiguration", "loadBalancers"} <= set(service.properties)


def test_a_resource_the_edit_does_not_touch_is_not_listed(resource_changes):
    assert "stack-key-key" not in resource_changes and "cluster-ecs" not in resource_changes


def test_two_runs_of_the_same_stack_file_change_no_resource(prod_graph):
    assert changes.resource_changes(prod_graph, prod_graph) == []
    assert changes.render_resources([])[1] == "  none: every resource keeps its inputs."


# --- Configuration summary ------------------------------------------------------------------------


def test_an_added_environment_variable_is_shown_by_name_and_its_value_appears_nowhere(
    prod_graph, edited_graph
):
    diffs = changes.configuration_diff(prod_graph, edited_graph)
    assert diffs["environment"].added == {"api: DEBUG_LEVEL": None}
    text = "\n".join(changes.render_configuration(diffs, ("before", "after")))
    document = json.dumps(changes.to_json(prod_graph, edited_graph, ("before", "after"), "file", None))
    assert "+ api: DEBUG_LEVEL" in text
    assert SECRET_LOOKING_VALUE not in text and SECRET_LOOKING_VALUE not in document


def test_a_route_path_change_shows_the_old_and_new_route_with_their_priorities(prod_graph, edited_graph):
    diff = changes.configuration_diff(prod_graph, edited_graph)["routes"]
    # api deploys blue/green (prod's default): its test rule on the test listener moves with it.
    assert diff.removed == {
        "HTTPS:443 * /api/*": "api, priority 38559, port 9090",
        "HTTPS:8443 * /api/*": "api (alternate), priority 38559, port 9090",
    }
    assert sorted(diff.added) == ["HTTPS:443 * /v2/*", "HTTPS:8443 * /v2/*"]
    assert str(diff.added["HTTPS:443 * /v2/*"]).startswith("api, priority ")
    assert diff.unchanged == 5, "web's two rules and the three listeners' defaults stay"
    text = changes.render_configuration(changes.configuration_diff(prod_graph, edited_graph), ("a", "b"))
    assert "    - HTTPS:443 * /api/* -> api, priority 38559, port 9090" in text


def test_the_summary_reads_images_secrets_certificates_and_scaling_bounds_from_the_resources(prod_graph):
    summary = changes.summary(prod_graph)
    assert set(summary["images"]) == {"api", "web"}
    assert all("dkr.ecr.eu-west-1.amazonaws.com" in image for image in summary["images"].values() if image)
    certificate = "arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"
    assert summary["certificates"] == {"listener HTTPS:443": certificate, "listener HTTPS:8443": certificate}
    assert summary["scaling"]["api"] == (
        "min 2, max 10, target ALBRequestCountPerTarget 1000, ECSServiceAverageCPUUtilization 70"
    )
    assert summary["secrets"] == {}
    data = graph.capture("data-dev", FIXTURES)
    secrets = changes.summary(data)["secrets"]
    assert secrets and all(
        value and value.startswith("arn:aws:secretsmanager:") for value in secrets.values()
    )


def test_values_the_offline_engine_invented_are_flagged_as_placeholders(prod_graph):
    diff = changes.configuration_diff(prod_graph, prod_graph)
    assert diff["images"].placeholders == ["api", "web"], "the repository URL is the mock's"
    assert diff["certificates"].placeholders == [], "the certificate ARN comes from the stack file"


# --- The command ----------------------------------------------------------------------------------


def test_compare_file_prints_before_and_after_and_writes_the_comparison_block(capsys, tmp_path, edited_file):
    argv = [
        EXAMPLE_PROD,
        "--no-diagram",
        "--compare-file",
        str(edited_file),
        "--json",
        str(tmp_path / "p.json"),
    ]
    # A new VPC CIDR replaces the VPC and everything in it, the deletion-protected load balancer too.
    assert main(argv, root=FIXTURES) == EXIT_TRANSITION
    printed = capsys.readouterr().out
    assert f"Configuration, {edited_file} -> Pulumi.{EXAMPLE_PROD}.yaml as it is now" in printed
    assert "replace  ec2:Vpc webstack-vpc" in printed and "replaced: cidrBlock [1]" in printed
    assert f"  [1] {TABLE_SOURCE}" in printed
    assert SECRET_LOOKING_VALUE not in printed
    comparison = json.loads((tmp_path / "p.json").read_text())["comparison"]
    assert (comparison["kind"], comparison["before"]) == ("file", str(edited_file))
    vpc = next(c for c in comparison["resources"] if c["name"] == "webstack-vpc")
    assert vpc == {
        "action": "replace",
        "type": "aws:ec2/vpc:Vpc",
        "name": "webstack-vpc",
        "properties": ["cidrBlock"],
        "replacing": ["cidrBlock"],
        "via": [],
        "source": TABLE_SOURCE,
    }
    assert comparison["configuration"]["environment"]["removed"] == {"api: DEBUG_LEVEL": None}


def test_compare_file_of_the_same_stack_file_reports_no_change_no_finding_and_exits_zero(capsys, tmp_path):
    argv = [EXAMPLE_PROD, "--no-diagram", "--compare-file", str(FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml")]
    assert main([*argv, "--json", str(tmp_path / "p.json")], root=FIXTURES) == 0
    printed = capsys.readouterr().out
    assert "  none: every resource keeps its inputs." in printed
    assert (
        "Transition (pulumi up order: creates and updates first, deletes last):\n  applies cleanly" in printed
    )
    comparison = json.loads((tmp_path / "p.json").read_text())["comparison"]
    assert (comparison["resources"], comparison["transition"]) == ([], [])


def test_compare_file_names_a_collision_with_its_key_and_fix_in_text_and_json_and_exits_three(
    capsys, tmp_path
):
    """A new dbName replaces the instance (ForceNew) under its unchanged identifier: the new instance is
    created while the old one still holds the name (RDS CreateDBInstance: DBInstanceAlreadyExists)."""
    stack = "data-dev"
    document = yaml.safe_load((FIXTURES / f"Pulumi.{stack}.yaml").read_text())
    before = tmp_path / "before.yaml"
    before.write_text(yaml.safe_dump(document))
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    document["config"]["webstack:databases"]["main"]["dbName"] = "shop"
    (stacks / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    argv = [stack, "--no-diagram", "--compare-file", str(before), "--json", str(tmp_path / "p.json")]
    assert main(argv, root=stacks) == EXIT_TRANSITION
    printed = capsys.readouterr().out
    assert "collision: rds:Instance db-main-instance" in printed
    assert "[rds:Instance identifier=webstack-data-dev-main]" in printed
    found = json.loads((tmp_path / "p.json").read_text())["comparison"]["transition"]
    collision = next(f for f in found if f["kind"] == "collision")
    assert collision["blocking"] is True
    assert "deleteBeforeReplace" in collision["fix"] or "name" in collision["fix"]
    assert any(f["kind"] == "data-loss" for f in found)


def test_compare_with_another_stack_still_shows_facts_summary_and_cost_but_no_resource_changes(capsys):
    assert main([EXAMPLE_DEV, "--compare", EXAMPLE_PROD, "--no-diagram"], root=FIXTURES) == 0
    printed = capsys.readouterr().out
    assert "Differences between example-dev and example-prod" in printed
    assert "Configuration, example-dev -> example-prod" in printed
    assert "Resource changes: not listed between two stacks" in printed
    assert "Monthly cost, example-dev vs example-prod" in printed


def _row(printed: str, *cells: str) -> str:
    """The one printed table row holding every cell (in order), else AssertionError."""
    rows = [line for line in printed.splitlines() if all(f" {cell} " in f" {line} " for cell in cells)]
    assert len(rows) == 1, (cells, rows)
    return rows[0]


def test_compare_of_prod_with_dev_lists_database_cache_and_nat_differences_with_their_deltas(capsys):
    """data-prod against data-dev (eu-west-1 table): the Multi-AZ db.m7g.large with 50 GB against a single
    db.t4g.micro with 20 GB, two Valkey nodes against none, three NAT gateways against one."""
    prices = json.loads((cost.PRICES_DIR / "eu-west-1.json").read_text())
    rds, nodes, nat = prices["rds"], prices["elasticache"], prices["natGateway"]
    hours, gp3 = 730, rds["storageGbMonth"]["gp3"]

    assert main(["data-prod", "--compare", "data-dev", "--no-diagram"], root=FIXTURES) == 0

    out = capsys.readouterr().out
    printed, facts = (
        out.split("Priced differences", 1)[1],
        out.split("Differences between", 1)[1].split("Configuration, ", 1)[0],
    )
    prod_db = 2 * (rds["instanceHour"]["db.m7g.large"] * hours + 50 * gp3)
    dev_db = rds["instanceHour"]["db.t4g.micro"] * hours + 20 * gp3
    database = _row(
        printed, "db-main", "RDS instance", "db-main-instance", f"{prod_db:,.2f}", f"{dev_db:,.2f}"
    )
    assert f"{dev_db - prod_db:+,.2f}" in database
    assert "2 x db.m7g.large" in database and "2 x 50 GB gp3" in database and "(Multi-AZ)" in database
    assert "1 x db.t4g.micro" in database and "1 x 20 GB gp3" in database
    valkey = 2 * nodes["nodeHour"]["cache.t4g.micro"] * hours * nodes["valkeyFactor"]
    cache = _row(printed, "cache-main", "ElastiCache nodes", "cache-main-valkey", f"{valkey:,.2f}", "-")
    assert f"{-valkey:+,.2f}" in cache and "2 x cache.t4g.micro" in cache
    for zone in ("b", "c"):  # prod's NAT gateways in its second and third zones: 100 GB split over 3
        nat_line = _row(printed, "webstack", "NAT gateway", f"webstack-nat-{zone}")
        assert f"{-(nat['hour'] * hours + 100 / 3 * nat['gb']):+,.2f}" in nat_line
    assert "db.m7g.large, Multi-AZ, 50 GB gp3" in _row(facts, "database db-main-instance")
    assert "db.t4g.micro, single-AZ, 20 GB gp3" in _row(facts, "database db-main-instance")
    assert _row(facts, "cache cache-main-valkey").split()[1:] == [
        "cache-main-valkey",
        "cache.t4g.micro",
        "x2",
        "(valkey)",
        "-",
    ]
    assert _row(facts, "NAT mode").split()[2:] == ["one", "per", "zone", "(3)", "single"]


def test_compare_of_a_no_nat_dev_with_dev_lists_each_interface_endpoint_and_the_nat_it_replaces(capsys):
    prices = json.loads((cost.PRICES_DIR / "eu-west-1.json").read_text())
    endpoint = 2 * 730 * prices["interfaceEndpoint"]["azHour"]  # private-dev: 2 zones
    nat = 730 * prices["natGateway"]["hour"] + 100 * prices["natGateway"]["gb"]

    assert main(["private-dev", "--compare", EXAMPLE_DEV, "--no-diagram"], root=FIXTURES) == 0

    out = capsys.readouterr().out
    printed, facts = (
        out.split("Priced differences", 1)[1],
        out.split("Differences between", 1)[1].split("Configuration, ", 1)[0],
    )
    for name in ("ecr-api", "ecr-dkr", "kms", "logs", "secretsmanager", "ssmmessages"):
        row = _row(printed, "interface endpoint", f"webstack-endpoint-{name}")
        assert f"{endpoint:,.2f}" in row and f"{-endpoint:+,.2f}" in row
    assert f"{nat:+,.2f}" in _row(printed, "NAT gateway", "webstack-nat-a")
    assert _row(facts, "NAT mode").split()[2:] == ["none", "single"]
    assert "ecr.api, ecr.dkr, kms, logs, secretsmanager, ssmmessages" in _row(facts, "interface endpoints")


def git(repo: Path, *arguments: str) -> str:
    identity = ["-c", "user.name=webstack tests", "-c", "user.email=tests@example.com"]
    done = subprocess.run(
        ["git", "-C", str(repo), *identity, "-c", "commit.gpgsign=false", *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path) -> Path:
    """A new git repository whose stacks folder holds the prod fixture stack file, committed."""
    repo = tmp_path / "repo"
    stacks = repo / "stacks"
    stacks.mkdir(parents=True)
    shutil.copy(FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml", stacks / f"Pulumi.{EXAMPLE_PROD}.yaml")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "prod as committed")
    return stacks


def test_compare_head_shows_what_an_uncommitted_edit_of_the_stack_file_changes(capsys, repository):
    committed = git(repository, "rev-parse", "--short", "HEAD")
    stack_file = repository / f"Pulumi.{EXAMPLE_PROD}.yaml"
    stack_file.write_text(stack_file.read_text().replace("maxCount: 10", "maxCount: 12"))
    assert main([EXAMPLE_PROD, "--no-diagram", "--compare", "HEAD"], root=repository) == 0
    printed = capsys.readouterr().out
    before = f"Pulumi.{EXAMPLE_PROD}.yaml at HEAD ({committed})"
    assert f"Configuration, {before} -> Pulumi.{EXAMPLE_PROD}.yaml as it is now" in printed
    assert "    ~ api: min 2, max 10, target" in printed and "=> min 2, max 12, target" in printed
    assert "Resource changes (0 to replace, 1 to update, 0 to add, 0 to remove):" in printed
    rows = [line.split() for line in printed.splitlines() if line.startswith("  update ")]
    assert rows == [["update", "appautoscaling:Target", "api-scaling", "maxCapacity"]]


def plan_error(capsys, argv: list[str], root: Path) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(argv, root=root)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1, "one line"
    return captured.err


def test_a_compare_value_that_is_neither_a_stack_nor_a_revision_names_both_readings(capsys, repository):
    error = plan_error(capsys, [EXAMPLE_PROD, "--compare", "staging"], repository)
    assert error.startswith("webstack plan: --compare staging: neither a stack (no Pulumi.staging.yaml in")
    assert f"stacks here: {EXAMPLE_PROD}" in error and "nor a git revision" in error


def test_compare_outside_a_git_repository_says_so(capsys, tmp_path):
    shutil.copy(FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml", tmp_path)
    error = plan_error(capsys, [EXAMPLE_PROD, "--compare", "HEAD"], tmp_path)
    assert error.startswith("webstack plan: --compare HEAD: no Pulumi.HEAD.yaml in")
    assert "is not in a git repository" in error


def test_a_stack_file_absent_at_the_revision_is_named_with_its_path_in_the_repository(capsys, repository):
    shutil.copy(FIXTURES / f"Pulumi.{EXAMPLE_DEV}.yaml", repository)  # new, not committed
    error = plan_error(capsys, [EXAMPLE_DEV, "--compare", "HEAD"], repository)
    assert f"--compare HEAD: stacks/Pulumi.{EXAMPLE_DEV}.yaml does not exist at HEAD (" in error


def test_a_compare_file_that_is_missing_or_not_yaml_is_one_line_naming_the_option(capsys, tmp_path):
    missing = tmp_path / "missing.yaml"
    error = plan_error(capsys, [EXAMPLE_PROD, "--compare-file", str(missing)], FIXTURES)
    assert error == f"webstack plan: --compare-file {missing}: there is no such file.\n"
    broken = tmp_path / "broken.yaml"
    broken.write_text("config:\n  webstack:environment: [prod\n")
    error = plan_error(capsys, [EXAMPLE_PROD, "--compare-file", str(broken)], FIXTURES)
    assert error.startswith(f"webstack plan: --compare-file {broken} is not valid YAML at line 3")


# --- Routing table --------------------------------------------------------------------------------


def test_the_routing_table_lists_each_rule_by_priority_then_each_listeners_default(prod_graph):
    assert [
        (r.listener, r.priority, r.host, r.path, r.target, r.port) for r in routing.routes(prod_graph)
    ] == [
        # The test listener of prod's blue/green services: the alternate target groups.
        ("HTTPS:8443", 38559, "*", "/api/*", "api (alternate)", 9090),
        ("HTTPS:8443", 47989, "*", "/*", "web (alternate)", 8080),
        ("HTTPS:8443", "default", "*", "*", "fixed response 404", None),
        ("HTTPS:443", 38559, "*", "/api/*", "api", 9090),
        ("HTTPS:443", 47989, "*", "/*", "web", 8080),
        ("HTTPS:443", "default", "*", "*", "fixed response 404", None),
        ("HTTP:80", "default", "*", "*", "redirect to HTTPS:443", None),
    ]
    lines = report.routing(prod_graph)
    assert lines[0].startswith("Routing (7 routes;")
    assert lines[1].split() == ["listener", "priority", "host", "path", "->", "target", "port"]


def test_a_rule_to_a_target_group_no_service_uses_is_routed_to_the_target_group_with_its_port(prod_graph):
    extra = json.loads(json.dumps(prod_graph))
    group = next(r for r in extra["resources"] if r["name"] == "edge-tg-api")
    rule = next(r for r in extra["resources"] if r["name"] == "edge-rule-api")
    arn = "arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/edge-tg-admin-id/1"
    extra["resources"] += [
        {
            **group,
            "urn": group["urn"] + "-admin",
            "name": "edge-tg-admin",
            "inputs": {"port": 9443},
            "outputs": {"arn": arn},
        },
        {
            **rule,
            "urn": rule["urn"] + "-admin",
            "name": "edge-rule-admin",
            "inputs": {
                **rule["inputs"],
                "priority": 10,
                "conditions": [{"hostHeader": {"values": ["admin.example.com"]}}],
                "actions": [{"type": "forward", "targetGroupArn": arn}],
            },
        },
    ]
    first = next(r for r in routing.routes(extra) if r.listener == "HTTPS:443")
    assert (first.priority, first.host, first.path, first.target, first.port) == (
        10,
        "admin.example.com",
        "*",
        "edge-tg-admin",
        9443,
    )


def test_the_text_report_has_a_routing_section(capsys):
    assert main([EXAMPLE_DEV, "--no-diagram"], root=FIXTURES) == 0
    assert "\nRouting (3 routes;" in capsys.readouterr().out


def test_an_extra_port_of_a_service_is_a_route_of_its_own_to_that_port():
    found = routing.routes(graph.capture("workers-dev", FIXTURES))
    assert ("/admin/*", "api", 9091) in [(r.path, r.target, r.port) for r in found]
    assert ("/api/*", "api", 9090) in [(r.path, r.target, r.port) for r in found]


def test_every_provider_type_in_every_committed_graph_has_a_replacement_row():
    """plan/replacement.py promises "a test checks every type the program registers has an entry"; a
    type without one is reported as ``update?`` by ``plan --compare`` whatever changed. The committed
    graphs (tests/snapshots/current) hold every type the fixture stacks register, including the
    pre-traffic check's Lambda function (frontdoor-prod) and a job's failure rule and target
    (data-prod)."""
    missing = {
        resource["type"]: path.name
        for path in sorted((Path(__file__).resolve().parents[1] / "snapshots" / "current").glob("*.json"))
        for resource in json.loads(path.read_text())["resources"].values()
        if resource["custom"] and not replacement.known(resource["type"])
    }
    assert missing == {}
