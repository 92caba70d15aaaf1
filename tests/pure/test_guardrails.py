"""Each guardrail rule, on resources that keep and break it (the policy pack runs the same rules)."""

import pytest

from components.pure.guardrails import RULES, check_resource, owned_by
from tests.support.guardrail_cases import CASES, EDGE_URN, SERVICE_URN


def test_every_rule_has_a_unique_name_and_a_description():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) == 39
    assert all(rule.description.endswith(".") for rule in RULES)


def test_every_rule_is_both_kept_and_broken_by_some_case():
    broken = {name for case in CASES for name in case.broken}
    kept_types = {case.resource_type for case in CASES if not case.broken}
    assert broken == {rule.name for rule in RULES}
    assert all(rule.resource_types & kept_types for rule in RULES)


def test_owned_by_reads_the_component_chain_of_a_urn():
    assert owned_by(EDGE_URN, "webstack:components:Edge")
    assert not owned_by(SERVICE_URN, "webstack:components:Edge")
    assert not owned_by("urn:pulumi:s::p::webstack:components:Edge::edge", "webstack:components:Edge")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_case_breaks_exactly_the_rules_it_names(case):
    violations = check_resource(case.resource_type, case.props, case.urn)
    assert {violation.rule for violation in violations} == case.broken
    assert all(violation.message and violation.urn == case.urn for violation in violations)
