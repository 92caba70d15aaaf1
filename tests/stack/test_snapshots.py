"""Any change to what the fixture stacks deploy shows up here, resource by resource and input by input.

The committed graphs live in tests/snapshots/current/. When a change is intended, accept it with
`make snapshots` (``venv/bin/python -m tools.snapshots --update``) and commit the files with it.
"""

from __future__ import annotations

import copy

import pytest

from plan import graph
from plan.engine import Run, stack_config
from tests.support.fixture_stacks import FIXTURES
from tools import snapshots

ACCEPT = "If the change is intended, run `make snapshots` and commit tests/snapshots/current/."


def current(stack: str, request: pytest.FixtureRequest) -> snapshots.Snapshot:
    """The stack's snapshot now; the example stacks reuse the session's runs."""
    if stack in ("example-dev", "example-prod"):
        run: Run = request.getfixturevalue(stack.removeprefix("example-"))
        return snapshots.from_graph(graph.graph_from_run(run, stack, stack_config(stack, FIXTURES)))
    return snapshots.snapshot(stack)


@pytest.mark.parametrize("stack", snapshots.STACKS)
def test_the_deployed_graph_of_each_snapshot_stack_is_unchanged(stack, request):
    committed = snapshots.read(snapshots.path_of(stack))
    changes = snapshots.differences(committed, current(stack, request))
    assert not changes, "\n".join([f"{stack}: what it deploys changed:", *changes, ACCEPT])


def test_a_changed_input_is_shown_with_its_resource_and_path(request):
    before = current("example-dev", request)
    after = copy.deepcopy(before)
    (urn,) = [u for u, r in after["resources"].items() if r["name"] == "web-task"]
    after["resources"][urn]["inputs"].pop("taskRoleArn")
    (sg,) = [u for u, r in after["resources"].items() if r["name"] == "edge-sg"]
    after["resources"][sg]["inputs"]["vpcId"] = "vpc-default"
    removed = next(iter(after["resources"]))
    del after["resources"][removed]
    lines = snapshots.differences(before, after)
    assert f"- {removed}" in lines
    task_changes = lines[lines.index(f"~ {urn}") + 1 :]
    assert task_changes[0].startswith("    inputs.taskRoleArn: ") and task_changes[0].endswith("-> (absent)")
    sg_changes = lines[lines.index(f"~ {sg}") + 1 :]
    assert sg_changes[0].startswith("    inputs.vpcId: ") and sg_changes[0].endswith('-> "vpc-default"')


def test_depends_on_order_does_not_count_as_a_change(request):
    before = current("example-prod", request)
    after = copy.deepcopy(before)
    for resource in after["resources"].values():
        resource["options"].get("dependsOn", []).reverse()
    reordered = snapshots.from_graph(
        {
            "stack": after["stack"],
            "resources": [
                {"urn": urn, **resource, "outputs": {}} for urn, resource in after["resources"].items()
            ],
        }
    )
    assert snapshots.differences(before, reordered) == []
