"""``python -m tools.snapshots [--update]``: the committed resource graphs of a few fixture stacks.

Any change to what webstack deploys (a resource added or removed, a type, a parent, an input, an
option such as ``dependsOn`` or ``protect``) changes one of these graphs, so tests/stack/test_snapshots.py
fails with the resources and input paths that changed. Accept an intended change with ONE command::

    make snapshots        # = venv/bin/python -m tools.snapshots --update

and commit the files in tests/snapshots/current/ with the change. Without ``--update`` the command
prints the differences and exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from plan import graph
from plan.engine import PROJECT_ROOT

FORMAT = "webstack-snapshot/1"
FIXTURES = PROJECT_ROOT / "tests" / "stacks"
FOLDER = PROJECT_ROOT / "tests" / "snapshots" / "current"
STACKS = (
    "example-dev",
    "example-prod",
    "data-prod",
    "frontdoor-prod",
    "reference-apigw-ec2",
    "observed-prod",
    "workers-dev",
    "cheap-dev",
    "private-dev",
)
"""Fixture stacks whose graphs are committed: both release-1 examples, the data tier, the front door,
the API Gateway + EC2 reference design, monitoring, workers (queues, schedules, Service Connect, extra
ports), the cheap dev settings and private subnets without NAT (interface endpoints)."""

UNORDERED_OPTIONS = ("dependsOn",)
"""Options whose order the engine does not keep from run to run: sorted before comparing."""

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""Pulumi's marker key of a secret value: the value (e.g. a random token) is hidden in snapshots."""

Snapshot = dict[str, Any]


def _without_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        if SECRET_SIGNATURE in value:
            return "[secret]"
        return {key: _without_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def snapshot(stack: str, root: Path = FIXTURES) -> Snapshot:
    """``{"format", "stack", "resources": {urn: {type, name, parent, custom, inputs, options}}}``.

    Outputs are left out: the offline engine invents them, and they follow from the inputs.
    """
    return from_graph(graph.capture(stack, root))


def from_graph(captured: graph.Graph) -> Snapshot:
    """The snapshot of an already captured graph (see :func:`snapshot`)."""
    resources = {}
    for resource in captured["resources"]:
        options = dict(resource["options"])
        for key in UNORDERED_OPTIONS:
            if isinstance(options.get(key), list):
                options[key] = sorted(options[key])
        resources[resource["urn"]] = {
            "type": resource["type"],
            "name": resource["name"],
            "parent": resource["parent"],
            "custom": resource["custom"],
            "inputs": _without_secrets(resource["inputs"]),
            "options": options,
        }
    found = {"format": FORMAT, "stack": captured["stack"], "resources": resources}
    return _without_build_hashes(found, captured)


BUILD_HASH = "<build-context-hash>"


def _without_build_hashes(found: Snapshot, captured: graph.Graph) -> Snapshot:
    """Image tags are ``<service>-<hash of the build context>`` (components/pure/artifacts.py): editing the
    app's code changes them in names and inputs. That is a new image, not a change of infrastructure,
    so the hash reads as ``<build-context-hash>`` here (image rollout is tested in test_service_options)."""
    hashes = {
        str(r["inputs"].get("imageTag", "")).rsplit("-", 1)[-1]
        for r in captured["resources"]
        if r["type"] == "awsx:ecr:Image"
    }
    hashes = {digest for digest in hashes if re.fullmatch(r"[0-9a-f]{8,64}", digest)}
    text = json.dumps(found)
    for digest in hashes:
        text = text.replace(digest, BUILD_HASH)
    return json.loads(RUN_TIME.sub(r"\1<run-time>", text))


RUN_TIME = re.compile(r"(-final-)\d{12}\b")
"""Final snapshot names carry the minute of the run (components/database.py, cache.py; state keeps the
first one through ignore_changes): the same stack gives another name every minute."""


def path_of(stack: str, folder: Path = FOLDER) -> Path:
    return folder / f"{stack}.json"


def write(found: Snapshot, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


def read(path: Path) -> Snapshot:
    found = json.loads(path.read_text())
    if found.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} snapshot")
    return found


def _changed_paths(before: Any, after: Any, path: str) -> Iterator[str]:
    """``path: before -> after`` for every leaf that differs (JSON text inside strings is opened)."""
    before, after = _opened(before), _opened(after)
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after), key=str):
            yield from _changed_paths(before.get(key, _ABSENT), after.get(key, _ABSENT), f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _changed_paths(old, new, f"{path}[{index}]")
    elif before != after:
        yield f"{path}: {_shown(before)} -> {_shown(after)}"


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT = _Absent()


def _opened(value: Any) -> Any:
    """Policies and container definitions are JSON text: compare them as documents."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _shown(value: Any) -> str:
    text = repr(value) if value is _ABSENT else json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    """Readable lines: ``+ urn`` added, ``- urn`` removed, ``~ urn`` with each changed path below."""
    old, new = before["resources"], after["resources"]
    lines = [f"+ {urn}" for urn in sorted(set(new) - set(old))]
    lines += [f"- {urn}" for urn in sorted(set(old) - set(new))]
    for urn in sorted(set(old) & set(new)):
        changed = list(_changed_paths(old[urn], new[urn], ""))
        if changed:
            lines.append(f"~ {urn}")
            lines += [f"    {line.lstrip('.')}" for line in changed]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.snapshots", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--update", action="store_true", help="accept the current graphs (rewrite the files)")
    args = parser.parse_args(argv)
    status = 0
    for stack in STACKS:
        current = snapshot(stack)
        path = path_of(stack)
        if args.update:
            write(current, path)
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
            continue
        changes = differences(read(path), current) if path.is_file() else [f"(no {path.name} yet)"]
        if changes:
            status = 1
            print(f"{stack}: {len(changes)} lines of differences", *changes, sep="\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
