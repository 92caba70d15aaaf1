"""Planning the same stack twice gives the same graph: no clock and no process-random value reaches
an input, so ``plan --compare`` of two identical stack files reports nothing and a snapshot of a stack
means something.

Each fixture stack is planned twice: once through the suite's memoized runs (a run of this session,
whenever it ran) and once more for real (``second_runs``: a second synthesis, made once per session
and shared with tests/stack/test_data.py, possibly by another xdist worker, i.e. another process), and
the graphs are compared; an import walk keeps clocks and random modules out of the code that builds
resources.
"""

import ast

import pytest

from plan import changes, graph, transition
from plan.engine import second_runs
from tests.support.fixture_stacks import FIXTURES


def _resources(captured: graph.Graph) -> list[dict]:
    """The resources with ``dependsOn`` sorted: the engine does not keep its order from run to run
    (tools/snapshots.py UNORDERED_OPTIONS). Secret values stay: a random one must show."""
    return [
        resource
        | {"options": resource["options"] | {"dependsOn": sorted(resource["options"].get("dependsOn", []))}}
        for resource in captured["resources"]
    ]


def _plan(stack: str, second: bool) -> graph.Graph:
    if not second:
        return graph.capture(stack, FIXTURES)
    with second_runs():
        return graph.capture(stack, FIXTURES)


@pytest.mark.parametrize("stack", graph.stacks(FIXTURES))
def test_planning_a_fixture_stack_twice_gives_the_same_graph_and_no_change(stack):
    first = _plan(stack, second=False)
    second = _plan(stack, second=True)
    assert changes.resource_changes(first, second) == []
    assert transition.judge(first, second) == []
    assert _resources(first) == _resources(second)


CLOCKS_AND_CHANCE = ("datetime", "time", "random", "secrets", "uuid")
"""Standard modules whose values differ from run to run; a value kept in state (pulumi_random) or a
stable derivation replaces them."""
FUNCTION_SOURCES = ("components/service/pre_traffic_handler.py",)
"""Lambda handler sources: they run in AWS, never while planning (the graph holds their text, not a
value they compute), so a deadline there (time.monotonic) is no input."""


def test_no_module_that_builds_resources_reads_a_clock_or_draws_a_random_value():
    """Two runs a minute apart are seconds apart here, so the comparison above cannot see a clock:
    this import walk can (a final snapshot name carried the minute of the run)."""
    root = FIXTURES.parents[1]
    found = []
    for path in sorted(
        [root / "__main__.py", *(root / "components").rglob("*.py"), *(root / "stack").rglob("*.py")]
    ):
        if str(path.relative_to(root)) in FUNCTION_SOURCES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] in CLOCKS_AND_CHANCE]
    assert found == []
