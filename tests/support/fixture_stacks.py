"""Where the tests' own stack files live, and the user's stack files the invariant tests walk.

Exact values are pinned only on the fixture stacks here (copies of release 1's examples, plus any a
feature adds next to them). The user's ``Pulumi.*.yaml`` files are theirs: tests over them assert
only what holds for every valid stack (tests/stack/test_stacks.py).
"""

from pathlib import Path

from plan.engine import PROJECT_ROOT
from plan.graph import stacks

FIXTURES = Path(__file__).parents[1] / "stacks"
"""Fixture stack files of webstack: ``run_stack("example-dev", root=FIXTURES)``."""

BOOTSTRAP_FIXTURES = FIXTURES / "bootstrap"
"""Fixture stack files of the bootstrap program (run with ``project=BOOTSTRAP``)."""

BOOTSTRAP = PROJECT_ROOT / "bootstrap"

EXAMPLE_DEV, EXAMPLE_PROD = "example-dev", "example-prod"


USER_STACKS = stacks(PROJECT_ROOT)
"""The user's stacks (``Pulumi.<name>.yaml`` in the repository root)."""
