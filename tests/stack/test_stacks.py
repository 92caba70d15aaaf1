"""The user's own stack files, whatever their names and values: only what holds for every valid stack.

Exact values (zones, CIDRs, accounts, services) are pinned on the fixture stacks in tests/stacks/
(tests/stack/test_example_stacks.py and the component tests), so adapting webstack to your accounts,
region, zones, NAT mode, services, HTTPS or scaling keeps this file green as long as the stack is
valid, and a failure names the stack file and the key to fix.
"""

from __future__ import annotations

import pytest

from components.pure.guardrails import check_resource
from plan.engine import PROJECT_ROOT, run_stack, stack_config
from stack.schema import ConfigError
from tests.support import stack_invariants
from tests.support.fixture_stacks import BOOTSTRAP, USER_STACKS
from tests.support.stack_invariants import INVARIANTS, Synthesized

_synthesized: dict[str, Synthesized] = {}


def synthesized(stack: str) -> Synthesized:
    """The stack run once per session; an invalid stack fails naming its file and the config key."""
    if stack not in _synthesized:
        try:
            _synthesized[stack] = stack_invariants.synthesize(stack, PROJECT_ROOT)
        except ConfigError as error:
            pytest.fail(f"Pulumi.{stack}.yaml is not a valid stack:\n{error}", pytrace=False)
    return _synthesized[stack]


def test_the_repository_has_at_least_one_stack_file():
    assert USER_STACKS, (
        "add a Pulumi.<stack>.yaml (see docs/getting-started.md: Adapting webstack to your project)"
    )


@pytest.mark.parametrize("stack", USER_STACKS)
@pytest.mark.parametrize("invariant", INVARIANTS, ids=[check.__name__ for check in INVARIANTS])
def test_every_stack_file_synthesizes_and_keeps_what_every_valid_stack_keeps(stack, invariant):
    assert invariant(synthesized(stack)) == []


def test_no_two_stack_files_pin_the_same_account():
    assert stack_invariants.shared_accounts({stack: synthesized(stack) for stack in USER_STACKS}) == []


@pytest.mark.parametrize("stack", sorted(set(USER_STACKS) & set(stack_invariants.graph.stacks(BOOTSTRAP))))
def test_each_bootstrap_stack_file_pins_the_account_and_region_of_the_stack_it_serves(stack):
    bootstrap = stack_config(stack, BOOTSTRAP)
    program = stack_config(stack)
    for key in ("aws:allowedAccountIds", "aws:region"):
        assert bootstrap.get(key) == program.get(key), (
            f"bootstrap/Pulumi.{stack}.yaml {key} must equal Pulumi.{stack}.yaml's"
        )


@pytest.mark.parametrize("stack", sorted(set(USER_STACKS) & set(stack_invariants.graph.stacks(BOOTSTRAP))))
def test_each_bootstrap_stack_file_trusts_the_github_environments_of_the_stage_it_serves(stack):
    """tools/workflows.py runs a stage's deploy job in the environment named like the stack, and its
    preview in <stack>-preview: the roles must trust exactly those (bootstrap/trust.py)."""
    bootstrap = stack_config(stack, BOOTSTRAP)
    environment = bootstrap.get("webstack-bootstrap:githubEnvironment")
    assert environment == stack, (
        f"bootstrap/Pulumi.{stack}.yaml webstack-bootstrap:githubEnvironment is {environment!r}; "
        f"set it to {stack!r}, the environment of the up-{stack} job"
    )
    preview = bootstrap.get("webstack-bootstrap:previewEnvironment", f"{stack}-preview")
    assert preview == f"{stack}-preview", (
        f"bootstrap/Pulumi.{stack}.yaml webstack-bootstrap:previewEnvironment is {preview!r}; "
        f"remove it (the preview job runs in {stack}-preview)"
    )
    drift = bootstrap.get("webstack-bootstrap:driftEnvironment", f"{stack}-drift")
    assert drift == f"{stack}-drift", (
        f"bootstrap/Pulumi.{stack}.yaml webstack-bootstrap:driftEnvironment is {drift!r}; "
        f"remove it (the drift job runs in {stack}-drift)"
    )


@pytest.mark.parametrize("stack", stack_invariants.graph.stacks(BOOTSTRAP))
def test_each_bootstrap_stack_file_synthesizes_and_keeps_the_guardrails(stack):
    try:
        run = run_stack(stack, root=BOOTSTRAP)
    except ConfigError as error:
        pytest.fail(f"bootstrap/Pulumi.{stack}.yaml is not valid:\n{error}", pytrace=False)
    violations = [
        f"{r.name}: {v.rule}" for r in run.resources for v in check_resource(r.type, r.inputs, r.urn)
    ]
    assert violations == [], f"bootstrap/Pulumi.{stack}.yaml"
