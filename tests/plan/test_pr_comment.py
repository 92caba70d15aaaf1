"""The pull-request comment (plan/pr_comment.py, ``python -m plan --compare-graph --markdown``): one per
stack, found again by its hidden marker, replacements and their causes first, no environment value,
within GitHub's comment limit. Edits are made on a copy of the prod fixture stack, as in test_compare."""

import json
import re
from pathlib import Path

import pytest
import yaml

from plan import cost, graph, pr_comment
from plan.__main__ import EXIT_BAD_INPUT, EXIT_TRANSITION, main
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

SECRET_LOOKING_VALUE = "verbose-value-that-must-not-leak"
HEADINGS = [
    "### webstack plan:",
    "#### Replacements",
    "#### Resource changes",
    "#### Transition",
    "#### Network exposure",
    "#### Monthly cost",
    "#### Routing",
    "#### Other configuration",
    "#### Policy pack and real preview",
]


def _edit(config: dict) -> None:
    config["webstack:network"]["cidr"] = "10.30.0.0/16"
    api = config["webstack:services"]["api"]
    api["routing"]["pathPatterns"] = ["/v2/*"]
    api["environment"]["DEBUG_LEVEL"] = SECRET_LOOKING_VALUE
    api["maxCount"] = 12


@pytest.fixture(scope="module")
def stacks(tmp_path_factory) -> Path:
    """A stacks folder holding the prod fixture stack, edited (the pull request's side)."""
    folder = tmp_path_factory.mktemp("pr")
    document = yaml.safe_load((FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml").read_text())
    _edit(document["config"])
    (folder / f"Pulumi.{EXAMPLE_PROD}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The base branch's plan of the stack, as the workflow's plan job writes it (``--json``)."""
    path = tmp_path_factory.mktemp("base") / "base.json"
    graph.write(graph.capture(EXAMPLE_PROD, FIXTURES), path)
    return path


@pytest.fixture(scope="module")
def comment(base, stacks) -> str:
    return _sides_comment(graph.read(base), graph.capture(EXAMPLE_PROD, stacks))


def _sides_comment(before: graph.Graph, after: graph.Graph) -> str:
    prices = cost.load_prices(after["region"])
    assert prices is not None
    assumed = cost.assumptions({})
    sides = pr_comment.Sides(
        after["stack"],
        before,
        after,
        ("main (abc1234)", "this pull request"),
        cost.estimate(before, prices, assumed),
        cost.estimate(after, prices, assumed),
    )
    return pr_comment.markdown(sides)


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = [text.index(h, start + 1) for h in HEADINGS if h in text[start + 1 :]]
    return text[start : min(following, default=len(text))]


def test_the_comment_opens_with_the_stacks_hidden_marker_and_ends_with_the_preview_slot(comment):
    assert comment.startswith(f"<!-- webstack:plan:{EXAMPLE_PROD} -->\n")
    assert comment.count("<!-- webstack:plan:") == 1
    start, end = pr_comment.preview_slot(EXAMPLE_PROD)
    assert comment.rstrip().endswith(f"{start}\n{pr_comment.SLOT_TEXT}\n{end}")


def test_the_sections_come_in_order_with_replacements_before_every_other_change(comment):
    positions = [comment.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    summary = comment.splitlines()[3]
    assert re.search(r"\d+ to replace, \d+ to update, 0 to create, 0 to delete", summary), summary
    assert "transition **3 blocking finding(s)**" in summary


def test_each_replacement_names_the_forcenew_input_that_causes_it_and_its_source(comment):
    replacements = section(comment, "#### Replacements")
    vpc = next(line for line in replacements.splitlines() if line.startswith("| `webstack-vpc` "))
    assert vpc == "| `webstack-vpc` | `ec2:Vpc` | ForceNew `cidrBlock` [1] |"
    assert "[1] ForceNew in hashicorp/terraform-provider-aws" in replacements
    subnet = next(line for line in replacements.splitlines() if line.startswith("| `webstack-private-a` "))
    assert "references replaced `webstack-vpc`" in subnet
    updates = section(comment, "#### Resource changes")
    assert "| update | `api-scaling` | `appautoscaling:Target` | `maxCapacity` |  |" in updates
    assert "| `webstack-vpc` |" not in updates, "a replaced resource is listed once, under Replacements"


def test_a_blocking_transition_finding_is_shown_with_its_fix(comment):
    found = section(comment, "#### Transition")
    assert "- **blocking** refused-update: `ec2:Vpc webstack-vpc`" in found
    assert "Fix: Keep the VPC's CIDR." in found


def test_an_environment_variable_appears_by_name_and_its_value_nowhere(comment):
    assert SECRET_LOOKING_VALUE not in comment
    configuration = section(comment, "#### Other configuration")
    assert "| environment variables (names only) | + | `api: DEBUG_LEVEL` |  | - |" in configuration
    assert "| scaling bounds | ~ | `api` | `min 2, max 10," in configuration


def test_the_routing_delta_shows_the_removed_and_the_added_rule(comment):
    routing = section(comment, "#### Routing")
    assert "| - | `HTTPS:443 * /api/*` | `api, priority 38559, port 9090` |  |" in routing
    assert re.search(r"\| \+ \| `HTTPS:443 \* /v2/\*` \|  \| `api, priority \d+, port 9090` \|", routing)


def test_an_unchanged_exposure_and_cost_say_so_with_the_verdict_and_a_zero_difference(comment):
    assert "Unchanged. Verdict: from 0.0.0.0/0 only edge on tcp/80, tcp/443" in comment
    money = section(comment, "#### Monthly cost")
    total = next(line for line in money.splitlines() if line.startswith("| **total** |"))
    assert total.endswith("| **+0.00** |")


def test_a_new_stack_creates_everything_opens_paths_from_the_internet_and_adds_its_whole_cost():
    after = graph.capture(EXAMPLE_DEV, FIXTURES)
    text = _sides_comment(pr_comment.empty_graph(EXAMPLE_DEV, after["region"]), after)
    created = sum(1 for r in after["resources"] if r["custom"])
    assert f"0 to replace, 0 to update, {created} to create, 0 to delete" in text
    exposure = section(text, "#### Network exposure")
    assert "| + | `internet` | `edge` | - | tcp/80 |" in exposure, "the dev fixture has no certificate"
    assert "Before: Verdict: nothing is reachable from 0.0.0.0/0." in exposure
    money = section(text, "#### Monthly cost")
    total = next(line for line in money.splitlines() if line.startswith("| **total** |"))
    cells = [cell.strip() for cell in total.strip("|").split("|")]
    assert cells[1] == "0.00" and float(cells[2].replace(",", "")) > 0
    assert cells[3] == f"**+{cells[2]}**"


def test_a_comment_over_githubs_limit_is_cut_at_a_line_with_a_note_and_keeps_marker_and_slot():
    body = "\n".join(f"| `resource-{n}` | replaced |" for n in range(6000))
    tail = "\n".join(pr_comment._policy_and_preview("dev"))
    text = pr_comment.fit("dev", body, tail)
    assert len(text) <= pr_comment.LIMIT < len(body)
    assert text.startswith("<!-- webstack:plan:dev -->\n| `resource-0` | replaced |\n")
    assert text.rstrip().endswith("<!-- /webstack:preview:dev -->")
    kept = [line for line in text.splitlines() if line.startswith("| `resource-")]
    assert kept == body.splitlines()[: len(kept)], "cut between lines, never inside one"
    missing = len(body) - len("\n".join(kept))
    assert f"**Cut to fit GitHub's comment limit**: {missing:,} characters" in text
    assert pr_comment.fit("dev", "short", tail) == f"<!-- webstack:plan:dev -->\nshort\n\n{tail}\n"


def test_the_command_writes_the_comment_from_the_base_branchs_graph_and_exits_three_on_a_blocking_change(
    capsys, base, stacks, tmp_path
):
    out = tmp_path / "pr" / "comment.md"
    argv = [EXAMPLE_PROD, "--no-diagram", "--compare-graph", str(base), "--compare-label", "main (abc1234)"]
    assert main([*argv, "--markdown", str(out), "--json", str(tmp_path / "p.json")], root=stacks) == (
        EXIT_TRANSITION
    )
    printed = capsys.readouterr().out
    assert f"Pull-request comment written to {out}" in printed
    assert f"Configuration, main (abc1234) -> Pulumi.{EXAMPLE_PROD}.yaml as it is now" in printed
    text = out.read_text()
    assert text.startswith(f"<!-- webstack:plan:{EXAMPLE_PROD} -->")
    assert f"`main (abc1234)` → `Pulumi.{EXAMPLE_PROD}.yaml as it is now`" in text
    assert SECRET_LOOKING_VALUE not in text
    assert json.loads((tmp_path / "p.json").read_text())["comparison"]["kind"] == "graph"


def test_a_comment_against_another_stack_or_another_stacks_graph_is_refused_naming_the_option(
    capsys, base, tmp_path
):
    argv = [EXAMPLE_DEV, "--no-diagram", "--markdown", str(tmp_path / "c.md")]
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--compare", EXAMPLE_PROD], root=FIXTURES)
    assert stop.value.code == EXIT_BAD_INPUT
    assert (
        f"--markdown with --compare {EXAMPLE_PROD}: a pull-request comment compares two runs of the same"
        in (capsys.readouterr().err)
    )
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--compare-graph", str(base)], root=FIXTURES)
    assert stop.value.code == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert f"--compare-graph {base}: it is a plan of stack '{EXAMPLE_PROD}', not '{EXAMPLE_DEV}'" in error
    assert not (tmp_path / "c.md").exists()
