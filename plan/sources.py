"""What a synthesis depends on besides its config: the files a run can read and the installed packages.

The test suite keeps planned runs on disk between sessions (tests/conftest.py, plan/engine.py
``cache_runs``) under this fingerprint: a later session answers a run from disk only while every file
a run can read and every installed distribution is exactly what it was when the run was made. A
change to what only reads a finished run (the plan's reports, ops/, tools/, the tests, the docs)
keeps the runs.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from plan.stack_files import PROJECT_ROOT

PROGRAMS = ("__main__.py", "bootstrap/__main__.py", "examples/*/__main__.py")
"""The Pulumi programs the engine runs (webstack, its bootstrap, the installed-components example)."""
ENGINE = "plan/engine.py"
"""The engine that runs them: its own imports (mocks, recording, refusals, stack files) count too."""
PROJECT_FILES = ("Pulumi.yaml", "pyproject.toml")
"""Read by a run besides modules: the project's name, and the distribution that installs components/
as ``webstack_components`` (the example program imports it under that name)."""
WHOLE_FOLDER_EXCEPT = frozenset({"plan"})
"""A package a run imports counts with every file in its folder (a component reads a handler's source
from beside it), except plan/, where only the modules the engine imports count."""


def sources_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of :func:`synthesis_sources`, Python's version and every installed distribution's name
    and version."""
    digest = hashlib.sha256(sys.version.encode())
    for distribution in sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    ):
        digest.update(distribution.encode() + b"\0")
    for path in synthesis_sources(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def synthesis_sources(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every file under ``root`` a run can read: the programs, the engine, the project file, the
    modules they import (transitively) and the other files of each imported package's folder."""
    starts = [path for pattern in (*PROGRAMS, ENGINE) for path in sorted(root.glob(pattern))]
    modules = _import_closure(root, starts)
    found = set(modules) | {root / name for name in PROJECT_FILES if (root / name).is_file()}
    for top in {path.relative_to(root).parts[0] for path in modules if path.parent != root}:
        if top not in WHOLE_FOLDER_EXCEPT:
            found.update(_files(root / top))
    return sorted(found)


def _import_closure(root: Path, starts: list[Path]) -> set[Path]:
    """The project files ``starts`` import, directly or through each other (and the packages'
    ``__init__`` files on the way)."""
    seen: set[Path] = set()
    waiting = list(starts)
    while waiting:
        path = waiting.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in imported_modules(path, module_name(path, root), names_as_submodules=True):
            waiting.extend(_module_files(root, module))
    return seen


def module_name(path: Path, root: Path = PROJECT_ROOT) -> str:
    """``components/service/roles.py`` -> ``components.service.roles`` (a package by its folder's name)."""
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(path: Path, module: str, *, names_as_submodules: bool = False) -> set[str]:
    """Every absolute module name the file of ``module`` imports, relative imports resolved against
    its package; with ``names_as_submodules``, ``from package import name`` also as ``package.name``
    (it may be a submodule). One parser for the layer rules (tests/stack/test_layers.py), the
    mutation tool's dependents and this fingerprint."""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for level, module_named, names in _import_statements(path.read_text()):
        if level < 0:  # import a, b
            found.update(names)
            continue
        base = package[: len(package) - level + 1] if level else []
        imported = ".".join([*base, *([module_named] if module_named else [])])
        found.add(imported)
        if names_as_submodules:
            found.update(f"{imported}.{name}" if imported else name for name in names)
    return found


ImportStatement = tuple[int, str, tuple[str, ...]]


@functools.lru_cache(maxsize=1024)
def _import_statements(source: str) -> tuple[ImportStatement, ...]:
    """``(level, module, names)`` of each import statement of the source, level -1 for ``import a, b``;
    parsed once per text (the layer rules, the mutation tool and the fingerprint all read the same
    files; keyed by the text itself, so an edit that keeps a file's size and time is seen)."""
    statements = []
    for node in _statements(ast.parse(source)):
        if isinstance(node, ast.Import):
            statements.append((-1, "", tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            statements.append((node.level, node.module or "", tuple(alias.name for alias in node.names)))
    return tuple(statements)


_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """Every statement of the tree in ``ast.walk``'s order, without visiting expressions: an import is a
    statement, and statements hold statements only in lists (bodies, handlers, cases)."""
    waiting: deque[ast.AST] = deque([tree])
    while waiting:
        node = waiting.popleft()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                waiting.extend(item for item in value if isinstance(item, _HOLDS_STATEMENTS))


def _module_files(root: Path, module: str) -> list[Path]:
    """The project files that importing ``module`` executes: the module and its packages' inits."""
    parts = module.split(".")
    found = []
    for depth in range(1, len(parts) + 1):
        base = root.joinpath(*parts[:depth])
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                found.append(candidate)
    return found


def _files(folder: Path) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
