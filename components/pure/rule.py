"""What a guardrail rule is (pure Python, no Pulumi imports): shared by the rule modules
(:mod:`.guardrails`, :mod:`.control_rules`) and the control map (:mod:`.controls`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Check = Callable[[str, Mapping[str, Any], str], list[str]]
"""``check(resource_type, props, urn)``: one message per problem found (camelCase input properties)."""


@dataclass(frozen=True)
class Rule:
    """One promise, the resource types it applies to, its check, and the AWS Security Hub controls
    (AWS Foundational Security Best Practices v1.0.0) it enforces."""

    name: str
    description: str
    resource_types: frozenset[str]
    check: Check
    controls: tuple[str, ...] = ()
    """Security Hub control IDs (e.g. ``"ECS.2"``) this rule enforces; the policy pack prefixes its
    messages with them."""


def policy_statements(document: Any) -> Iterator[Mapping[str, Any]]:
    """The statements of an IAM policy given as JSON text or a structure; nothing if unknown."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return
    if not isinstance(document, Mapping):
        return
    statements = document.get("Statement") or []
    yield from statements if isinstance(statements, list) else [statements]


def as_list(value: Any) -> list[str]:
    """A string or a list of strings as a list of strings (anything else dropped)."""
    if isinstance(value, str):
        return [value]
    return [item for item in value or [] if isinstance(item, str)] if isinstance(value, list | tuple) else []
