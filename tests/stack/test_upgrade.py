"""Upgrading from release 1 replaces nothing a user already deployed.

``tests/snapshots/release-1/`` holds the resource graphs (URN, type, inputs) release 1 produced for the
two example stacks (``tests/stacks/Pulumi.example-*.yaml``, unchanged since). The current program must
keep every URN and change no input the provider treats as ForceNew (plan/replacement.py), so a
``pulumi up`` after upgrading updates in place. Task definitions are the exception by design: any
change registers a new revision and the service rolls to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plan import graph, replacement

HERE = Path(__file__).parents[1]
RELEASES = sorted((HERE / "snapshots" / "release-1").glob("*.json"))


def release_graph(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module", params=RELEASES, ids=lambda path: path.stem)
def upgrade(request: pytest.FixtureRequest) -> tuple[dict, dict]:
    before = release_graph(request.param)
    after = graph.capture(before["stack"], HERE / "stacks")
    return before, after


def test_every_resource_of_release_1_keeps_its_urn(upgrade):
    before, after = upgrade
    current = {r["urn"] for r in after["resources"]}
    aliased = {alias for r in after["resources"] for alias in r["options"].get("aliases", [])}
    missing = [r["urn"] for r in before["resources"] if r["urn"] not in current | aliased]
    assert missing == [], "these resources would be deleted (and recreated under another URN)"


def ignored(field: str, ignore_changes) -> bool:
    """Whether ``ignoreChanges`` keeps the deployed value of an input: Pulumi then diffs the old value,
    so a changed ForceNew input under it replaces nothing (Pulumi docs, resource option ignoreChanges)."""
    return any(field == path or field.startswith(f"{path}.") for path in ignore_changes)


def test_no_deployed_resource_is_replaced_by_the_upgrade(upgrade):
    before, after = upgrade
    current = {r["urn"]: r for r in after["resources"]}
    replaced = {}
    for old in before["resources"]:
        new = current.get(old["urn"])
        if new is None or old["type"] in replacement.REVISED_ON_ANY_CHANGE:
            continue
        changes = [
            change
            for change in replacement.replacing_changes(old["type"], old["inputs"], new["inputs"])
            if not ignored(change, new["options"].get("ignoreChanges") or ())
        ]
        if changes:
            replaced[old["urn"]] = changes
    assert replaced == {}


def test_no_subnet_changes_cidr_or_zone(upgrade):
    before, after = upgrade
    subnets = {
        r["urn"]: (r["inputs"]["cidrBlock"], r["inputs"]["availabilityZone"])
        for r in after["resources"]
        if r["type"] == "aws:ec2/subnet:Subnet"
    }
    for old in (r for r in before["resources"] if r["type"] == "aws:ec2/subnet:Subnet"):
        assert subnets[old["urn"]] == (old["inputs"]["cidrBlock"], old["inputs"]["availabilityZone"])


def test_renumbered_listener_rules_move_to_priorities_no_release_1_rule_holds(upgrade):
    before, after = upgrade
    old = {
        r["urn"]: r["inputs"]["priority"] for r in before["resources"] if r["type"].endswith("ListenerRule")
    }
    new = {
        r["urn"]: r["inputs"]["priority"] for r in after["resources"] if r["type"].endswith("ListenerRule")
    }
    assert set(old) <= set(new)
    for urn, priority in new.items():
        assert priority == old.get(urn) or priority not in old.values(), f"{urn} would hit PriorityInUse"


def test_the_replacement_table_knows_every_type_the_program_registers(upgrade):
    _, after = upgrade
    unknown = sorted({r["type"] for r in after["resources"] if not replacement.known(r["type"])})
    assert unknown == [], "add these types' ForceNew inputs to plan/replacement.py"
