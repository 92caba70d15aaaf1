"""Stack files as the Pulumi CLI reads them: strict YAML (duplicate keys are errors), project defaults
then the stack file, non-string values JSON-encoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT = "webstack"


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice. PyYAML keeps the last silently; the Pulumi CLI refuses."""


class _StrictLoader(yaml.SafeLoader):
    """YAML as the Pulumi CLI reads it: a key given twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # pyright: ignore[reportArgumentType]
            if key in seen:
                first = seen[key].start_mark
                raise DuplicateKeyError(
                    problem=f"the key {key!r} appears twice (first at line {first.line + 1}); keep one",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """A YAML file as the Pulumi CLI reads it (duplicate keys are errors, as they are for the CLI)."""
    return parse_yaml(path.read_text())


def parse_yaml(text: str) -> Any:
    """YAML text as the Pulumi CLI reads it (see :func:`read_yaml`)."""
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
