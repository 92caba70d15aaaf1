"""Shared fixtures. The mock engine itself lives in plan/engine.py (one engine for every test).

``dev`` and ``prod`` are the fixture stacks tests/stacks/Pulumi.example-{dev,prod}.yaml (release 1's
example stacks), never the user's Pulumi.dev.yaml/Pulumi.prod.yaml: tests pin their exact values.
"""

import pytest

from plan.engine import Run, run_stack
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES


@pytest.fixture(scope="session")
def dev() -> Run:
    """The real program run once with the fixture stack Pulumi.example-dev.yaml."""
    return run_stack(EXAMPLE_DEV, root=FIXTURES)


@pytest.fixture(scope="session")
def prod() -> Run:
    """The real program run once with the fixture stack Pulumi.example-prod.yaml."""
    return run_stack(EXAMPLE_PROD, root=FIXTURES)
