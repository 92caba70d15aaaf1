"""Shared fixtures. The mock engine itself lives in plan/engine.py (one engine for every test)."""

import pytest

from plan.engine import Run, run_stack


@pytest.fixture(scope="session")
def dev() -> Run:
    """The real program run once with the real Pulumi.dev.yaml."""
    return run_stack("dev")


@pytest.fixture(scope="session")
def prod() -> Run:
    """The real program run once with the real Pulumi.prod.yaml."""
    return run_stack("prod")
