"""Shared fixtures. The mock engine itself lives in plan/engine.py (one engine for every test).

``dev`` and ``prod`` are the fixture stacks tests/stacks/Pulumi.example-{dev,prod}.yaml (release 1's
example stacks), never the user's Pulumi.dev.yaml/Pulumi.prod.yaml: tests pin their exact values.
"""

import gc
import os
import sys
from pathlib import Path

import pytest

from plan.engine import PROJECT_ROOT, RUNS_FOLDER, Run, cache_runs, run_stack
from plan.sources import sources_fingerprint
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES
from tests.support.fresh_interpreter import FreshRun, run_programs_in_a_fresh_interpreter, shared_fresh_run
from tests.support.kept_runs import SOURCES_FINGERPRINT, kept_runs_folder

# Python keeps the bytecode of our modules and pytest its rewritten test modules in __pycache__ (git
# ignores it) even where PYTHONDONTWRITEBYTECODE is set, as on the development machine: otherwise every
# session, every xdist worker and every subprocess a test starts compiles them again, about 3 s of
# each process's 7 s start. Subprocesses inherit the variable but still read what is written here.
sys.dont_write_bytecode = False

# Collection imports Pulumi, pulumi_aws's service modules and moto (hundreds of thousands of long-lived
# objects); with the default thresholds the collector walks them again and again while they load, a
# sixth of each xdist worker's start. The same thresholds as for the tests (pytest_collection_finish).
gc.set_threshold(20_000, 20, 20)

KEPT_RUNS = PROJECT_ROOT / "out" / "test-runs"
"""Where sessions keep their runs: one folder per fingerprint of the sources (plan/sources.py)."""


def pytest_configure(config: pytest.Config) -> None:
    """Memoize whole-stack runs: a stack run again with the same config gets a private copy of the
    first run instead of another synthesis (plan/engine.py cache_runs), in this session's processes
    (the pytest-xdist workers) and in later sessions while no file a run can read and no installed
    package has changed (plan/sources.py): the folder is named by their fingerprint, and the main
    process removes the folders of other fingerprints. ``WEBSTACK_TEST_RUNS=<folder>`` chooses another
    folder (``make mutation`` gives each mutant a new one; a new empty folder makes every run real)."""
    if SOURCES_FINGERPRINT not in os.environ:  # once per session; the xdist workers inherit it
        os.environ[SOURCES_FINGERPRINT] = sources_fingerprint()
        config.add_cleanup(_forget_fingerprint)
    folder = os.environ.get(RUNS_FOLDER)
    if folder is None:
        folder = str(kept_runs_folder(KEPT_RUNS, os.environ[SOURCES_FINGERPRINT]))
        os.environ[RUNS_FOLDER] = folder  # the pytest-xdist workers inherit it
        config.add_cleanup(_forget_folder)
    cache_runs(folder=Path(folder))


def _forget_folder() -> None:
    os.environ.pop(RUNS_FOLDER, None)


def _forget_fingerprint() -> None:
    os.environ.pop(SOURCES_FINGERPRINT, None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector off the objects collection created (Pulumi, pydantic, the test
    modules: about a hundred thousand, all long-lived) and collect young objects less often: a
    synthesis allocates tens of thousands of short-lived futures and outputs (still collected, in
    bigger batches). About a quarter of the suite's time."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


LONGEST_FIRST = ("tests/stack/test_properties.py::",)
"""Tests that take several seconds on their own (hypothesis synthesizes ~30 stacks)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, hand out the longest tests first, so that none of them ends the run alone
    on one worker. In one process the order stays as written (``make mutation`` relies on it)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


@pytest.fixture(scope="session")
def dev() -> Run:
    """The real program run once with the fixture stack Pulumi.example-dev.yaml."""
    return run_stack(EXAMPLE_DEV, root=FIXTURES)


@pytest.fixture(scope="session")
def prod() -> Run:
    """The real program run once with the fixture stack Pulumi.example-prod.yaml."""
    return run_stack(EXAMPLE_PROD, root=FIXTURES)


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> FreshRun:
    """The bootstrap started from its own folder, then webstack and the bootstrap planned, in one new
    Python process, once per session (tests/support/fresh_interpreter.py)."""
    if worker_id == "master":  # no xdist: this process is the session
        return run_programs_in_a_fresh_interpreter()
    return shared_fresh_run(tmp_path_factory.getbasetemp().parent)
