"""Fixture stacks that the tests of several components read (each run once per session)."""

import pytest

from plan.engine import Run, run_stack
from tests.support.fixture_stacks import FIXTURES


@pytest.fixture(scope="session")
def front() -> Run:
    """The real program run once with the fixture stack Pulumi.frontdoor-prod.yaml (domain, WAF, CDN)."""
    return run_stack("frontdoor-prod", root=FIXTURES)


@pytest.fixture(scope="session")
def workers() -> Run:
    """The real program run once with the fixture stack Pulumi.workers-dev.yaml: web (8080) calls api
    (9090); api sends to the queue ``jobs``; the worker (no port) consumes it, scales on its backlog and
    runs two schedules."""
    return run_stack("workers-dev", root=FIXTURES)
