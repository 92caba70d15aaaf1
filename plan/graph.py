"""Capture a stack's resource graph by running the real program under the test suite's mock engine.

The graph is a plain JSON document (format ``webstack-plan/1``, described in docs/plan-format.md)
so that other tools, such as a security scan, can read it without Pulumi.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi

from plan.engine import PROJECT, PROJECT_ROOT, Run, run_stack, stack_config

FORMAT = "webstack-plan/1"

Graph = dict[str, Any]
"""``{"format", "project", "stack", "region", "accounts", "resources": [...], "outputs", "warnings"}``."""


def _plain(value: Any) -> Any:
    """JSON-ready: whole floats (mocks deliver numbers as floats) become ints, tuples lists."""
    if value is None or isinstance(value, str | bool | int):  # most values: answered first
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict | Mapping):  # a dict is answered without the abstract-class check
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.AssetArchive):
        # A Lambda's code: its files by name (the object's repr holds a memory address).
        return {"archive": {name: _plain(item) for name, item in sorted(value.assets.items())}}
    if isinstance(value, pulumi.StringAsset):
        return {"text-sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    return str(value)


def graph_from_run(run: Run, stack: str, config: Mapping[str, str]) -> Graph:
    """The documented graph of one mocked run, resources sorted by URN for stable output."""
    resources = []
    for recorded in sorted(run.resources, key=lambda r: r.urn):
        extra = {k: v for k, v in recorded.state.items() if k not in recorded.inputs}
        if recorded.custom:
            extra["id"] = recorded.id
        resources.append(
            {
                "urn": recorded.urn,
                "type": recorded.type,
                "name": recorded.name,
                "parent": recorded.parent,
                "custom": recorded.custom,
                "inputs": _plain(recorded.inputs),
                "options": _plain(
                    {k: v for k, v in recorded.options.items() if v not in (False, [], "", None)}
                ),
                "outputs": _plain(extra),
            }
        )
    accounts = json.loads(config.get("aws:allowedAccountIds", "[]"))
    return {
        "format": FORMAT,
        "project": PROJECT,
        "stack": stack,
        "region": config.get("aws:region"),
        "accounts": accounts if isinstance(accounts, list) else [],
        "resources": resources,
        "outputs": _plain(run.outputs),
        "warnings": list(run.warnings),
    }


def capture(
    stack: str,
    root: Path = PROJECT_ROOT,
    overrides: Mapping[str, Any] | None = None,
    stack_file: Path | None = None,
) -> Graph:
    """Run the program for ``Pulumi.<stack>.yaml`` (or ``stack_file`` as that stack's file) offline
    and return its graph.

    Raises FileNotFoundError for an unknown stack, yaml.YAMLError for a malformed stack file and
    ConfigError for invalid config, all before any resource is registered.
    """
    run = run_stack(stack, overrides, root=root, stack_file=stack_file)
    config = stack_config(stack, root, stack_file=stack_file)
    for key, value in (overrides or {}).items():
        if value is not None:
            config[key] = value if isinstance(value, str) else json.dumps(value)
    return graph_from_run(run, stack, config)


def write(graph: Graph, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(graph, indent=2, sort_keys=True) + "\n")


def read(path: Path) -> Graph:
    """Load a graph file, refusing anything that is not this format."""
    graph = json.loads(path.read_text())
    if not isinstance(graph, dict) or graph.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} graph")
    return graph


def stacks(root: Path = PROJECT_ROOT) -> list[str]:
    """The stacks that have a stack file in ``root``."""
    return sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in root.glob("Pulumi.*.yaml")
    )
