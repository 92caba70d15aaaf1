"""Which resource of one run of a stack is which resource of another run, and which of them are replaced.

Pure functions over two captured graphs of the same stack (``plan --compare``). The Pulumi engine
matches a resource to its previous state by URN, or by one of its ``aliases`` (a rename, a new parent
or a new type token keeps the deployed resource); everything else is created or deleted. A matched
resource is replaced when an input its provider marks ForceNew changes (plan/replacement.py), or when
such an input references a resource that is itself replaced. Inputs named in ``ignoreChanges`` are
never diffed, as the engine does not diff them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plan import replacement
from plan.graph import Graph

Resource = dict[str, Any]


def key(urn: str) -> str:
    """A URN without its stack and project: the same resource in two runs of one stack."""
    return "::".join(urn.split("::")[2:])


def _chain(urn: str | None) -> str:
    """The prefix a child of ``urn`` gets in its type part: the parent's own type, as the SDK's URN
    (pulumi/runtime/mocks.py: ``parentType = qualifiedType.split("$").pop()``; "" with no parent)."""
    if not urn:
        return ""
    return urn.split("::")[2].split("$")[-1]


_SPEC_FIELD = re.compile(r'^\s*(name|type|parentUrn|noParent|urn):\s*"?(.*?)"?\s*$')


def _alias_fields(alias: str) -> dict[str, str]:
    """The fields of an alias as the engine recorded it: a URN, or the text of an ``Alias.Spec``."""
    if alias.startswith("urn:pulumi:"):
        return {"urn": alias}
    found = {}
    for line in alias.splitlines():
        match = _SPEC_FIELD.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def alias_keys(resource: Resource, by_urn: Mapping[str, Resource], depth: int = 0) -> set[str]:
    """Every key the engine would match this resource to: its own and each alias's, including the
    aliases it inherits from its parents' aliases (the engine applies a parent's alias to its children)."""
    parent = resource.get("parent")
    parent_chains = {_chain(parent)}
    if parent is not None and parent in by_urn and depth < 20:
        parent_chains |= {
            k.rsplit("::", 1)[0].split("$")[-1] for k in alias_keys(by_urn[parent], by_urn, depth + 1)
        }
    names, types = {resource["name"]}, {resource["type"]}
    found = {f"{c}${t}::{n}" if c else f"{t}::{n}" for c in parent_chains for t in types for n in names}
    for alias in resource.get("options", {}).get("aliases") or []:
        fields = _alias_fields(str(alias))
        if "urn" in fields:
            found.add(key(fields["urn"]))
            continue
        type_ = fields.get("type") or resource["type"]
        name = fields.get("name") or resource["name"]
        if fields.get("noParent") == "true":
            chains = {""}
        elif fields.get("parentUrn"):
            chains = {_chain(fields["parentUrn"])}
        else:
            chains = parent_chains
        found |= {f"{c}${type_}::{name}" if c else f"{type_}::{name}" for c in chains}
    return found


@dataclass
class Pairing:
    """The custom resources of both runs, keyed by :func:`key`, and how they correspond."""

    old: dict[str, Resource]
    new: dict[str, Resource]
    pairs: dict[str, str] = field(default_factory=dict[str, str])
    """New key -> the old key it continues (same URN or an alias)."""
    direct: dict[str, list[str]] = field(default_factory=dict[str, "list[str]"])
    """New key of a pair -> the inputs whose value changes (``ignoreChanges`` left out)."""
    references: dict[str, dict[str, set[str]]] = field(default_factory=dict[str, "dict[str, set[str]]"])
    """New key of a pair -> input -> the replaced resources (by name) whose id or ARN it holds."""
    replaced: set[str] = field(default_factory=set[str])
    """New keys of the pairs that are replaced."""

    @property
    def created(self) -> list[str]:
        """New keys with no previous state (a replacement's new resource is not listed here)."""
        return sorted(set(self.new) - set(self.pairs))

    @property
    def removed(self) -> list[str]:
        """Old keys that nothing continues."""
        return sorted(set(self.old) - set(self.pairs.values()))


def _ignored(resource: Resource) -> set[str]:
    return {str(path) for path in resource.get("options", {}).get("ignoreChanges") or []}


def _references(inputs: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, set[str]]:
    """Input name -> the replaced resources (by name) whose id or ARN it contains."""
    found: dict[str, set[str]] = {}
    for name, value in inputs.items():
        text = json.dumps(value)
        for made_up, owner in values.items():
            if made_up in text:
                found.setdefault(name, set()).add(owner)
    return found


def pair(before: Graph, after: Graph) -> Pairing:
    """Match the custom resources of ``after`` to those of ``before`` and find the replacements.

    Replacement is repeated until nothing more is replaced: an input that references a replaced
    resource changes even though the offline engine gives the new one the same placeholder id.
    """
    old = {key(r["urn"]): r for r in before["resources"] if r["custom"]}
    new = {key(r["urn"]): r for r in after["resources"] if r["custom"]}
    by_urn = {r["urn"]: r for r in after["resources"]}
    result = Pairing(old, new)
    for new_key in sorted(new):
        if new_key in old:
            result.pairs[new_key] = new_key
    taken = set(result.pairs.values())
    for new_key in sorted(set(new) - set(result.pairs)):
        matches = sorted((alias_keys(new[new_key], by_urn) & set(old)) - taken)
        if matches:
            result.pairs[new_key] = matches[0]
            taken.add(matches[0])
    for new_key, old_key in result.pairs.items():
        a, b = old[old_key]["inputs"], new[new_key]["inputs"]
        ignored = _ignored(new[new_key])
        result.direct[new_key] = sorted(
            n for n in set(a) | set(b) if n not in ignored and a.get(n) != b.get(n)
        )
    while True:
        values = {
            str(old[result.pairs[k]]["outputs"][output]): str(old[result.pairs[k]]["name"])
            for k in result.replaced
            for output in ("id", "arn")
            if isinstance(old[result.pairs[k]]["outputs"].get(output), str)
        }
        result.references = {
            k: {
                name: owners
                for name, owners in _references(new[k]["inputs"], values).items()
                if name not in _ignored(new[k])
            }
            for k in result.pairs
        }
        grown = {
            k
            for k in result.pairs
            if replacement.known(new[k]["type"])
            and replacement.forcing(new[k]["type"], [*result.direct[k], *result.references[k]])
        }
        if grown <= result.replaced:
            return result
        result.replaced |= grown
