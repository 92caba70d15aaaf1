"""The webstack policies: one ResourceValidationPolicy per rule of ``components/pure/guardrails.py``.

The rules are defined once (pure Python) and used twice: by the test suite on mock runs and here, by
`pulumi preview --policy-pack policy`, on the real plan. This module never starts the policy server;
``__main__.py`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
if str(REPOSITORY_ROOT) not in sys.path:  # the pack runs from policy/; the rules live in components/
    sys.path.insert(0, str(REPOSITORY_ROOT))

from components.pure.guardrails import RULES, Rule  # noqa: E402

PACK_NAME = "webstack-guardrails"


def message_of(rule: Rule, problem: str) -> str:
    """A violation as the pack reports it: the Security Hub control IDs the rule enforces first
    (``[ECS.2] ...``), so a reviewer can match it to AWS's FSBP standard (docs/security-controls.md)."""
    return f"[{', '.join(rule.controls)}] {problem}" if rule.controls else problem


def _validation(rule: Rule) -> ResourceValidation:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.resource_types:
            return
        for problem in rule.check(args.resource_type, args.props, args.urn):
            report_violation(message_of(rule, problem), None)

    return validate


POLICIES: list[ResourceValidationPolicy] = [
    ResourceValidationPolicy(
        name=rule.name,
        description=message_of(rule, rule.description),
        validate=_validation(rule),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    for rule in RULES
]
