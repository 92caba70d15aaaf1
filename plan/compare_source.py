"""What ``plan --compare`` / ``--compare-file`` compare a stack against: another stack, this stack's
file at a git revision, or any stack file.

``--compare VALUE`` is a stack when ``Pulumi.VALUE.yaml`` exists in the stacks folder, else a git
revision (``git rev-parse --verify VALUE^{commit}`` in that folder); a name that is both is the stack
(write the revision as ``refs/heads/VALUE`` or its hash to mean the branch). Every problem is a
:class:`CompareError` whose message names the option and its value.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from plan.graph import read, stacks


class CompareError(Exception):
    """The comparison the options ask for cannot be made; the message says why and names the option."""


class Kind(StrEnum):
    STACK = "stack"
    """Another stack of the same folder: shown side by side."""
    REVISION = "revision"
    """This stack's file at a git revision: before -> after."""
    FILE = "file"
    """Another file run as this stack's file: before -> after."""
    GRAPH = "graph"
    """A graph this stack's plan wrote with ``--json`` (e.g. at the base branch): before -> after."""


@dataclass(frozen=True)
class Against:
    """The other side of a comparison."""

    kind: Kind
    label: str
    """The option and value it came from, for error messages: ``--compare HEAD``."""
    describe: str
    """How the report names it: ``Pulumi.dev.yaml at HEAD (3f2a1b9)``, ``other.yaml``, ``prod``."""
    stack: str | None = None
    """The other stack's name (``Kind.STACK`` only)."""
    path: Path | None = None
    """The file (``Kind.FILE`` only)."""
    text: str | None = None
    """The stack file's text at the revision (``Kind.REVISION`` only)."""
    graph: dict[str, Any] | None = None
    """The graph itself (``Kind.GRAPH`` only)."""

    @contextmanager
    def stack_file(self, stack: str) -> Iterator[Path | None]:
        """The file to run ``stack`` with (None: the other stack's own file), for the ``with`` block."""
        if self.text is None:
            yield self.path
            return
        with tempfile.TemporaryDirectory(prefix="webstack-compare-") as folder:
            path = Path(folder) / f"Pulumi.{stack}.yaml"
            path.write_text(self.text)
            yield path


def _git(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True, check=False)


def _revision(stack: str, root: Path, value: str) -> Against:
    label = f"--compare {value}"
    not_a_stack = f"no Pulumi.{value}.yaml in {root}; stacks here: {', '.join(stacks(root)) or 'none'}"
    try:
        prefix = _git(root, "rev-parse", "--show-prefix")
    except FileNotFoundError as missing:
        message = f"{label}: {not_a_stack}, and git is not installed to read it as a revision."
        raise CompareError(message) from missing
    if prefix.returncode != 0:
        raise CompareError(f"{label}: {not_a_stack}, and {root} is not in a git repository.")
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{value}^{{commit}}")
    if commit.returncode != 0:
        raise CompareError(f"{label}: neither a stack ({not_a_stack}) nor a git revision of this repository.")
    sha = commit.stdout.strip()
    path = f"{prefix.stdout.strip()}Pulumi.{stack}.yaml"
    shown = _git(root, "show", f"{sha}:{path}")
    if shown.returncode != 0:
        raise CompareError(f"{label}: {path} does not exist at {value} ({sha[:7]}).")
    return Against(Kind.REVISION, label, f"Pulumi.{stack}.yaml at {value} ({sha[:7]})", text=shown.stdout)


def read_graph(stack: str, path: Path, label: str | None = None) -> Against:
    """``--compare-graph FILE``: a plan of the same stack written with ``--json`` (by any revision)."""
    option = f"--compare-graph {path}"
    try:
        found = read(path)
    except (OSError, ValueError) as error:
        raise CompareError(
            f"{option}: {error}; write it with `python -m plan {stack} --json FILE`."
        ) from error
    if found.get("stack") != stack:
        raise CompareError(
            f"{option}: it is a plan of stack {found.get('stack')!r}, not {stack!r}; write it with "
            f"`python -m plan {stack} --json FILE` at the revision to compare with."
        )
    return Against(Kind.GRAPH, option, label or str(path), path=path, graph=found)


def resolve(stack: str, root: Path, compare: str | None, compare_file: Path | None) -> Against:
    """The other side of the comparison of ``stack`` (whose files are in ``root``)."""
    if compare_file is not None:
        if not compare_file.is_file():
            raise CompareError(f"--compare-file {compare_file}: there is no such file.")
        return Against(Kind.FILE, f"--compare-file {compare_file}", str(compare_file), path=compare_file)
    if compare is None:
        raise ValueError("resolve() needs compare or compare_file")
    if (root / f"Pulumi.{compare}.yaml").is_file():
        return Against(Kind.STACK, f"--compare {compare}", compare, stack=compare)
    return _revision(stack, root, compare)
