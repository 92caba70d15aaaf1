"""Stack files as the Pulumi CLI reads them: strict YAML (duplicate keys are errors), project defaults
then the stack file, non-string values JSON-encoded."""

from __future__ import annotations

import contextlib
import copy
import functools
import ipaddress
import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT = "webstack"


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice. PyYAML keeps the last silently; the Pulumi CLI refuses."""


class _RefuseDuplicateKeys(yaml.constructor.SafeConstructor):
    """YAML as the Pulumi CLI reads it: a key given twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # pyright: ignore[reportArgumentType]
            try:
                hash(key)
            except TypeError:  # ``? [a]`` as a key: PyYAML's own refusal, not a TypeError from ``in``
                mapping, found = node.start_mark, key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", mapping, "found unhashable key", found
                ) from None
            if key in seen:
                first = seen[key].start_mark
                raise DuplicateKeyError(
                    problem=f"the key {key!r} appears twice (first at line {first.line + 1}); keep one",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_RefuseDuplicateKeys, yaml.SafeLoader):
    """The pure-Python parser: its errors quote the offending line with a caret."""


_LIBYAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser, which PyYAML's wheels bundle (the pure-Python one where PyYAML was built without it)."""


class _FastStrictLoader(_RefuseDuplicateKeys, _LIBYAML_LOADER):
    """The same documents through libyaml's parser, about ten times faster."""


def read_yaml(path: Path) -> Any:
    """A YAML file as the Pulumi CLI reads it (duplicate keys are errors, as they are for the CLI)."""
    return parse_yaml(path.read_text())


def parse_yaml(text: str) -> Any:
    """YAML text as the Pulumi CLI reads it (see :func:`read_yaml`); the caller's own copy."""
    return copy.deepcopy(_parsed(text))


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    """Parsed once per text: the test suite reads the same stack files thousands of times. A document
    libyaml refuses is read again by the pure-Python parser, whose error quotes the line. A document with
    a tab goes to the pure-Python parser only: libyaml accepts tabs outside indentation (after a value,
    between flow items) that it refuses, and every other reader of stack files (``yaml.safe_load``)
    must keep agreeing with this one."""
    if "\t" not in text:
        with contextlib.suppress(yaml.YAMLError):
            return yaml.load(text, Loader=_FastStrictLoader)
    return yaml.load(text, Loader=_StrictLoader)


def project_folder(root: Path, project: Path | None = None) -> Path:
    """The folder holding the Pulumi.yaml and __main__.py that run the stack files of ``root``.

    ``project`` when given (bootstrap fixtures in tests/stacks/bootstrap run bootstrap/), else
    ``root`` when it has a program, else webstack itself (a folder of fixture stack files only).
    """
    if project is not None:
        return project
    return root if (root / "__main__.py").is_file() else PROJECT_ROOT


def stack_config(
    stack: str, root: Path = PROJECT_ROOT, stack_file: Path | None = None, project: Path | None = None
) -> dict[str, str]:
    """The config a real ``pulumi up`` of ``stack`` would pass: project defaults, then the stack file.

    Non-string values are JSON-encoded, exactly as the CLI hands them to the program. The project
    file is the one of :func:`project_folder`. ``stack_file`` reads another file as this stack's
    (``plan --compare-file``).
    """
    project_file = root / "Pulumi.yaml"
    if project is not None or not project_file.is_file():
        project_file = project_folder(root, project) / "Pulumi.yaml"
    stack_file = stack_file or root / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise FileNotFoundError(f"no stack file {stack_file.name} in {stack_file.parent}")
    project_doc = read_yaml(project_file) or {}
    name = project_doc.get("name", PROJECT)
    config: dict[str, Any] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            config[key if ":" in key else f"{name}:{key}"] = spec.get("default", spec.get("value"))
    stack_doc = read_yaml(stack_file) or {}
    if not isinstance(stack_doc, dict):
        raise ValueError(f"{stack_file.name} is not a mapping")
    config.update(stack_doc.get("config") or {})
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def project_name(root: Path) -> str:
    """The ``name`` in ``root/Pulumi.yaml`` (webstack's when there is none)."""
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        return PROJECT
    return str((read_yaml(project_file) or {}).get("name", PROJECT))


def vpc_cidr(stack: str, root: Path = PROJECT_ROOT) -> ipaddress.IPv4Network | None:
    """The VPC range ``stack`` asks for (``webstack:network.cidr``, else the default), None if unreadable."""
    from stack.network import DEFAULT_VPC_CIDR  # the stack layer's default, written once

    try:
        network = json.loads(stack_config(stack, root).get("webstack:network", "{}"))
        return ipaddress.ip_network(str(network.get("cidr", DEFAULT_VPC_CIDR)), strict=False)  # pyright: ignore[reportReturnType]
    except (ValueError, AttributeError, yaml.YAMLError):
        return None  # the stack's own config check names a bad CIDR


def overlapping_vpc_warnings(stack: str, root: Path = PROJECT_ROOT) -> list[str]:
    """A warning for each other stack file of the project whose VPC range overlaps ``stack``'s.

    Two VPCs with overlapping ranges cannot be peered or joined through a VPN or a transit gateway
    (AWS VPC peering guide, "VPC peering limitations": no overlapping IPv4 CIDR blocks), and a VPC's
    range cannot change without replacing the network, so the plan says so before the first ``up``.
    """
    mine = vpc_cidr(stack, root)
    if mine is None:
        return []
    warnings = []
    for path in sorted(root.glob("Pulumi.*.yaml")):
        other = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        theirs = vpc_cidr(other, root) if other != stack else None
        if theirs is not None and mine.overlaps(theirs):
            warnings.append(
                f"webstack:network.cidr: Pulumi.{stack}.yaml ({mine}) and {path.name} ({theirs}) use "
                "overlapping VPC ranges; peering, a VPN or a transit gateway between them later needs "
                "distinct ranges, and changing a VPC's range replaces the network: give one of them "
                "another private range (such as 10.20.0.0/16) before its first pulumi up"
            )
    return warnings
