"""The plan's security verdict: how the stack's resources stand against the AWS Security Hub controls
of the FSBP standard that apply to them (components/pure/controls.py), in one line.

A control applies when the graph holds a resource type it evaluates. It is *enforced* when a guardrail
rule carries its ID and no resource breaks that rule, *failing* when one does, and *excepted* when the
map gives a reason instead of a rule (or the stack's environment relaxes it on purpose). A violated rule
fails every control it carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.pure.controls import CONTROLS, ENVIRONMENT_EXCEPTIONS
from components.pure.guardrails import RULES, check_resource
from plan.graph import Graph


@dataclass(frozen=True)
class SecurityVerdict:
    """Applicable controls of one stack, by outcome (control IDs, sorted)."""

    enforced: tuple[str, ...]
    excepted: tuple[str, ...]
    failing: tuple[str, ...]
    violations: tuple[str, ...] = field(default=())
    """``[CONTROL] resource: message`` for each violation behind a failing control."""

    def line(self) -> str:
        return (
            f"Security: {len(self.enforced)} controls enforced, {len(self.excepted)} excepted, "
            f"{len(self.failing)} failing"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "enforced": list(self.enforced),
            "excepted": list(self.excepted),
            "failing": list(self.failing),
            "violations": list(self.violations),
        }


def security_verdict(graph: Graph) -> SecurityVerdict:
    """The verdict on one captured graph (the function the plan's summary calls)."""
    types = {resource["type"] for resource in graph["resources"]}
    environment = str((graph.get("outputs") or {}).get("environment", ""))
    relaxed = ENVIRONMENT_EXCEPTIONS.get(environment, {})
    controls_of = {rule.name: rule.controls for rule in RULES}
    broken: dict[str, list[str]] = {}
    for resource in graph["resources"]:
        for violation in check_resource(resource["type"], resource["inputs"], resource["urn"]):
            for control in controls_of[violation.rule]:
                broken.setdefault(control, []).append(f"[{control}] {resource['name']}: {violation.message}")
    enforced, excepted, failing, violations = [], [], [], []
    for control in CONTROLS:
        if not types.intersection(control.resource_types):
            continue
        if control.exception or control.id in relaxed:
            excepted.append(control.id)
        elif control.id in broken:
            failing.append(control.id)
            violations.extend(broken[control.id])
        else:
            enforced.append(control.id)
    return SecurityVerdict(tuple(enforced), tuple(excepted), tuple(failing), tuple(violations))


def security(graph: Graph) -> list[str]:
    """The report's section: the verdict line, then what fails."""
    verdict = security_verdict(graph)
    return [verdict.line(), *[f"  ! {violation}" for violation in verdict.violations]]
