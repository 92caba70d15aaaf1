"""A small IAM policy evaluator for identity policies, enough to test the delivery roles by resource ARN.

Follows the AWS IAM guide's evaluation logic for one principal's identity policies
(reference_policies_evaluation-logic.html): an explicit Deny wins, else an Allow whose Action,
Resource and every Condition match, else an implicit deny. Action names match case-insensitively,
ARNs case-sensitively; ``*`` and ``?`` are wildcards in both, and ``*`` spans ``:`` and ``/``
(reference_policies_elements_resource.html). Conditions: the operators the roles use; a key absent
from the request context fails the operator (no ``...IfExists`` here); values of one key are ORed,
keys and operators ANDed (reference_policies_multi-value-conditions.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any


def _regex(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


@cache
def _any_of(patterns: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """One regular expression for "any of these IAM patterns matches all of the value" (one match per
    statement instead of one per pattern: the role tests evaluate millions)."""
    either = "|".join(f"(?:{_regex(pattern)})" for pattern in patterns)
    return re.compile(f"^(?:{either})$", re.IGNORECASE if ignore_case else 0)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """``pattern`` (with IAM's ``*`` and ``?``) matches all of ``value``."""
    return bool(_any_of((pattern,), ignore_case).match(value))


_OPERATORS = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringLike": lambda want, got: matches(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": lambda want, got: matches(want, got),
    "Bool": lambda want, got: want.lower() == got.lower(),
}


@dataclass(frozen=True)
class Request:
    """One API call: the action, the resource's ARN and the request context keys it carries."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    for operator, keys in conditions.items():
        if operator not in _OPERATORS:
            raise ValueError(f"the evaluator does not know the condition operator {operator!r}")
        test = _OPERATORS[operator]
        for key, values in keys.items():
            got = context.get(key)
            if got is None or not any(test(want, got) for want in _as_list(values)):
                return False
    return True


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "NotAction" in statement or "NotResource" in statement:
        raise ValueError(f"{statement.get('Sid')}: the evaluator does not handle NotAction/NotResource")
    actions, resources = tuple(_as_list(statement["Action"])), tuple(_as_list(statement["Resource"]))
    return bool(
        _any_of(actions, True).match(request.action)
        and _any_of(resources, False).match(request.resource)
        and _conditions_hold(statement.get("Condition", {}), request.context)
    )


def decide(statements: Iterable[Mapping[str, Any]], request: Request) -> str:
    """ "Deny" (explicit), "Allow", or "ImplicitDeny" for ``request`` under ``statements``."""
    applying = [s for s in statements if _applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        return "Deny"
    return "Allow" if applying else "ImplicitDeny"


def allows(statements: Iterable[Mapping[str, Any]], request: Request) -> bool:
    return decide(list(statements), request) == "Allow"
