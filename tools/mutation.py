"""``make mutation``: do the tests notice a change to what webstack deploys?

Mutation check over the infrastructure modules (not run in CI: it takes tens of minutes). For each
mutant of every module of ``components/`` (and ``components/pure/guardrails.py``) it

1. makes one small change to the module's syntax tree: delete one keyword argument of a resource or
   ``*Args`` call (``vpc_id=``, ``opts=``, ...), delete one key of a dict literal (a container
   definition's ``essential``, a policy's ``Action``), or change one literal (number + 1, string + "x",
   boolean flipped);
2. synthesizes every fixture stack in ``tests/stacks/`` with the mutant, in a forked process that
   re-imports only the modules that depend on the mutated one. A mutant that changes no fixture
   stack's resource graph (or a message, a docstring, dead code) is *not infrastructure-changing* and
   is left out of the score; one that changes a graph, or fails to synthesize, is;
3. runs the unit tests against each infrastructure-changing mutant (``pytest -x``, the snapshot test
   first) and counts it *killed* when any test fails.

Usage::

    venv/bin/python -m tools.mutation                    # every module, every mutant
    venv/bin/python -m tools.mutation frontdoor.edge --limit 40    # one module, a sample of 40 mutants
    venv/bin/python -m tools.mutation --without-snapshots   # score of the semantic tests alone
    venv/bin/python -m tools.mutation --only network:57,frontdoor.edge:12   # re-run survivors after new tests

It prints one line per mutant and a table of scores, and writes them to ``out/mutation.json``.
Surviving infrastructure-changing mutants are listed with the line and the change: each one is a
deployed difference no test notices.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from plan import sources

ROOT = Path(__file__).resolve().parent.parent


def component_modules() -> tuple[str, ...]:
    """Every module of components/ that builds resources, plus the guardrails (dotted, under components)."""
    found: list[str] = []
    for path in sorted((ROOT / "components").rglob("*.py")):
        if path.name == "__init__.py" or "__pycache__" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT / "components").with_suffix("").parts)
        if not name.startswith("pure.") or name == "pure.guardrails":
            found.append(name)
    return tuple(found)


MODULES = component_modules()
RESOURCE_ROOTS = frozenset({"aws", "awsx", "pulumi"})
"""Calls through these packages (``aws.ec2.Subnet(...)``, ``pulumi.ResourceOptions(...)``) are resources
or their arguments: deleting one of their keyword arguments is a mutant."""
CHECK_MODULES = frozenset({"pure.guardrails"})
"""Modules that check rather than build: a mutant there changes no graph but weakens a check that
stands between a bad stack and AWS, so every (non-message) mutant counts."""
SKIPPED_KEYWORDS = frozenset({"description", "json_schema_extra", "alias"})
"""Keyword arguments of config schema fields that document rather than deploy."""
SNAPSHOT_TEST = "tests/stack/test_snapshots.py"
TEST_ORDER = (SNAPSHOT_TEST, "tests/stack/test_upgrade.py")
"""Run first: they compare whole graphs, so most mutants die in seconds."""
SLOW_TESTS = ("tests/stack/test_properties.py",)
"""Hypothesis over generated stacks: run last."""
TIMEOUT_SECONDS = 600
"""One mutant's synthesis and test run (``--timeout``); the whole suite takes about 3 minutes on 2 quiet
cores, much longer on a busy machine: a mutant ended by the timeout is reported as ``timeout``, neither
killed nor survived."""


@dataclass(frozen=True)
class Mutant:
    module: str
    index: int
    line: int
    kind: str
    change: str


@dataclass
class Outcome:
    mutant: Mutant
    status: str
    """``unchanged`` (no graph changed: not counted), ``killed``, ``survived``, ``timeout`` (ended by
    ``--timeout`` before an answer: not counted, listed; run it again with ``--only``)."""
    detail: str
    seconds: float


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _call_name(call: ast.Call) -> str:
    return ast.unparse(call.func)


def _is_resource_call(call: ast.Call) -> bool:
    name = _call_name(call)
    return _root_name(call.func) in RESOURCE_ROOTS or name.endswith("Args")


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if (
                    isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    found.add(id(statement.value))
    return found


def _skipped_constants(tree: ast.AST) -> set[int]:
    """Constants that cannot change what is deployed: docstrings, f-string pieces, error messages,
    schema documentation and type annotations."""
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        parts: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr | ast.Raise | ast.Assert):
            parts.append(node)
        elif isinstance(node, ast.Call) and _call_name(node).endswith(("append", "warn", "Error")):
            parts.append(node)  # problems.append(...), pulumi.log.warn(...), ConfigError(...)
        elif isinstance(node, ast.keyword) and node.arg in SKIPPED_KEYWORDS:
            parts.append(node)
        elif isinstance(node, ast.AnnAssign | ast.arg):
            parts.append(node.annotation) if node.annotation else None
        elif isinstance(node, ast.FunctionDef):
            parts.extend(n for n in (node.returns,) if n is not None)
        for part in parts:
            skipped.update(id(inner) for inner in ast.walk(part) if isinstance(inner, ast.Constant))
    return skipped


def _prose(value: object) -> bool:
    """A message or description (three or more spaces), not a name, ARN, port or policy word."""
    return isinstance(value, str) and value.count(" ") >= 3


def _mutated_constant(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return value


def _sites(tree: ast.AST) -> list[tuple[str, int, ast.AST]]:
    """Where a mutant can be made, in walk order: (kind, position in the node, node)."""
    skipped = _skipped_constants(tree)
    sites: list[tuple[str, int, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_resource_call(node):
            sites.extend(("keyword", position, node) for position, kw in enumerate(node.keywords) if kw.arg)
        elif isinstance(node, ast.Dict):
            sites.extend(
                ("key", position, node)
                for position, key in enumerate(node.keys)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            )
        elif (
            isinstance(node, ast.Constant)
            and id(node) not in skipped
            and node.value is not None
            and node.value is not Ellipsis
            and not _prose(node.value)
        ):
            sites.append(("literal", 0, node))
    return sites


def _apply(site: tuple[str, int, ast.AST], mutate: bool = True) -> str:
    """Describe the mutant and, with ``mutate``, make it in place (the tree is thrown away after)."""
    kind, position, node = site
    if kind == "keyword":
        assert isinstance(node, ast.Call)
        removed = node.keywords.pop(position) if mutate else node.keywords[position]
        return f"{_call_name(node)}: removed {removed.arg}="
    if kind == "key":
        assert isinstance(node, ast.Dict)
        key = node.keys.pop(position) if mutate else node.keys[position]
        if mutate:
            node.values.pop(position)
        return f"dict: removed key {ast.unparse(key) if key else '**'}"
    assert isinstance(node, ast.Constant)
    before, after = node.value, _mutated_constant(node.value)
    if mutate:
        setattr(node, "value", after)  # noqa: B010 (ast.Constant's stub types value read-only)
    return f"literal {before!r} -> {after!r}"


def _tree(module: str) -> ast.Module:
    return ast.parse((ROOT / "components" / f"{module.replace('.', '/')}.py").read_text())


def mutants(module: str) -> list[Mutant]:
    """Every mutant of ``components/<module>.py`` (its source: :func:`source_of`)."""
    found = []
    for index, site in enumerate(_sites(_tree(module))):
        line = getattr(site[2], "lineno", 0)
        found.append(Mutant(module, index, line, site[0], _apply(site, mutate=False)))
    return found


def source_of(mutant: Mutant) -> str:
    """The module's source with exactly this mutant made."""
    tree = _tree(mutant.module)
    _apply(_sites(tree)[mutant.index])
    return ast.unparse(tree)


PROJECT_PACKAGES = ("components", "stack", "plan", "tests", "tools")
"""Top-level folders whose modules a mutant can make stale."""


def _module_name(path: Path) -> str:
    return sources.module_name(path, ROOT)


def _local_imports(module_path: Path) -> set[str]:
    names = sources.imported_modules(module_path, _module_name(module_path), names_as_submodules=True)
    return {name for name in names if name.split(".")[0] in PROJECT_PACKAGES}


def dependents(module: str) -> set[str]:
    """``components.<module>`` and every project module that imports it, directly or not."""
    files = [path for folder in PROJECT_PACKAGES for path in (ROOT / folder).rglob("*.py")]
    imports = {_module_name(path): _local_imports(path) for path in files}
    found = {f"components.{module}"}
    while True:
        more = {name for name, used in imports.items() if used & found and name not in found}
        if not more:
            return found
        found |= more


def graphs(baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every fixture stack's snapshot, or the error it failed with. With a baseline, stop at the first
    stack that differs from it (one is enough to call the mutant infrastructure-changing)."""
    from plan import graph
    from tools import snapshots

    fixtures = ROOT / "tests" / "stacks"

    found: dict[str, Any] = {}
    for stack in graph.stacks(fixtures):
        try:
            found[stack] = snapshots.from_graph(graph.capture(stack, fixtures))
        except BaseException as error:
            found[stack] = f"failed: {type(error).__name__}: {str(error)[:200]}"
        if baseline is not None and found[stack] != baseline.get(stack):
            break
    return found


def _install(module: str, source: str) -> None:
    import importlib.util

    stale = dependents(module)
    for name in [name for name in sys.modules if name in stale]:
        del sys.modules[name]
    name = f"components.{module}"
    path = ROOT / "components" / f"{module.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    loaded = importlib.util.module_from_spec(spec)
    # A package whose __init__ imports the mutant (components/service/): register the package without
    # running its __init__, so the mutant's relative imports resolve; run the __init__ after the mutant.
    parent = name.rpartition(".")[0]
    package_spec = importlib.util.find_spec(parent) if parent not in sys.modules else None
    package = importlib.util.module_from_spec(package_spec) if package_spec is not None else None
    if package is not None:
        sys.modules[parent] = package
    sys.modules[name] = loaded
    exec(compile(source, str(path), "exec"), loaded.__dict__)
    if package is not None and package_spec is not None and package_spec.loader is not None:
        package_spec.loader.exec_module(package)
    import components

    setattr(components, module, loaded)


def _in_child(work: Any, timeout: float = TIMEOUT_SECONDS) -> Any:
    """Run ``work()`` in a forked process (the parent's imports stay warm) and return its JSON result,
    or ``{"timeout": ...}`` when the process was ended after ``timeout`` seconds."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        # A mutant that hangs the program (or a busy machine) is ended by SIGALRM after ``timeout``.
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result = work()
        except BaseException as error:
            result = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(write, "w") as pipe:
            json.dump(result, pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not text and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        return {"timeout": f"no answer within {timeout}s"}
    return json.loads(text) if text else {"error": "the process died without an answer"}


def _own_tests(module: str, every: list[str]) -> list[str]:
    """The test files named after the module (``service.scaling``: tests/components/service/
    test_scaling.py first, then any other ``test_*scaling*.py``)."""
    folder, _, last = module.rpartition(".")
    return sorted(
        (name for name in every if last in Path(name).stem),
        key=lambda name: not folder or f"/{folder}/" not in name,
    )


def _test_files(module: str, without_snapshots: bool, own_only: bool = False) -> list[str]:
    """Every unit test file: whole-graph comparisons and the module's own tests first, hypothesis last
    (``pytest -x`` stops at the first failure, so the order only changes how soon a mutant dies).
    ``own_only``: the module's own test files alone."""
    every = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py"))
    own = _own_tests(module, every)
    if own_only:
        return own
    first = [name for name in (*TEST_ORDER, *own) if not (without_snapshots and name == SNAPSHOT_TEST)]
    rest = [name for name in every if name not in first and name != SNAPSHOT_TEST and name not in SLOW_TESTS]
    return [*dict.fromkeys(first), *rest, *SLOW_TESTS]


def run_mutant(
    mutant: Mutant,
    source: str,
    baseline: dict[str, Any],
    without_snapshots: bool,
    own_only: bool = False,
    timeout: int = TIMEOUT_SECONDS,
) -> Outcome:
    started = time.monotonic()

    def work() -> dict[str, Any]:
        import contextlib
        import io

        _install(mutant.module, source)
        if mutant.module in CHECK_MODULES:
            changed = ["(a check: every mutant counts)"]
        else:
            changed = [stack for stack, found in graphs(baseline).items() if found != baseline.get(stack)]
        if not changed:
            return {"status": "unchanged", "detail": ""}
        import pytest

        from plan.engine import RUNS_FOLDER

        quiet = io.StringIO()
        # The mutant lives in memory only: the suite's runs kept on disk (named by the files' fingerprint)
        # are the unmutated program's, so the mutant's session keeps its runs in a new folder.
        with tempfile.TemporaryDirectory(prefix="webstack-mutant-runs-") as runs:
            os.environ[RUNS_FOLDER] = runs
            with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                tests = _test_files(mutant.module, without_snapshots, own_only)
                code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
        failed = [line for line in quiet.getvalue().splitlines() if line.startswith("FAILED")]
        status = "killed" if code != 0 else "survived"
        return {"status": status, "detail": f"graphs changed: {', '.join(changed)}; " + "; ".join(failed[:1])}

    result = _in_child(work, timeout)
    if "timeout" in result:
        result = {"status": "timeout", "detail": result["timeout"]}
    elif "error" in result:
        result = {"status": "killed", "detail": f"mutant broke the import: {result['error'][:200]}"}
    return Outcome(mutant, result["status"], result["detail"], round(time.monotonic() - started, 1))


def wanted(only: str) -> set[tuple[str, int]]:
    """``network:57,edge:12`` -> {("network", 57), ("edge", 12)}."""
    return {(part.split(":")[0], int(part.split(":")[1])) for part in only.split(",") if ":" in part}


def choose(module: str, limit: int, seed: int, only: set[tuple[str, int]]) -> list[Mutant]:
    """The module's mutants to run: exactly ``only``'s, else a seeded sample of ``limit``, else all."""
    found = mutants(module)
    if only:
        return [mutant for mutant in found if (module, mutant.index) in only]
    if limit and len(found) > limit:
        return random.Random(seed).sample(found, limit)
    return found


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m tools.mutation", description=(__doc__ or "").splitlines()[0]
    )
    found.add_argument(
        "modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(MODULES)} (default: all)"
    )
    found.add_argument("--limit", type=int, default=0, help="a random sample of N mutants per module")
    found.add_argument("--seed", type=int, default=9, help="seed of the sample")
    found.add_argument("--without-snapshots", action="store_true", help="score the semantic tests alone")
    found.add_argument(
        "--own-tests",
        action="store_true",
        help="run only the module's own test files (test_<module>*.py): a lower bound, in minutes",
    )
    found.add_argument(
        "--timeout", type=int, default=TIMEOUT_SECONDS, help="seconds per mutant before it is a timeout"
    )
    found.add_argument("--report", type=Path, default=ROOT / "out" / "mutation.json")
    found.add_argument(
        "--only",
        default="",
        help="re-run exactly these mutants, e.g. network:57,edge:12 (module:index from a report)",
    )
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    unknown = [module for module in args.modules if module not in MODULES]
    if unknown:
        parser().error(f"unknown module {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    args.modules = args.modules or list(MODULES)
    only = wanted(args.only)
    if only:
        args.modules = list(dict.fromkeys(module for module, _ in only))
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import pulumi_aws  # noqa: F401 (warm the heavy imports once, before forking)
    import pytest  # noqa: F401

    baseline = _in_child(graphs)
    failed = {stack: found for stack, found in baseline.items() if isinstance(found, str)}
    if failed:
        print(f"the unmutated fixture stacks must synthesize first: {failed}", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    for module in args.modules:
        found = choose(module, args.limit, args.seed, only)
        print(f"== components/{module.replace('.', '/')}.py: {len(found)} mutants", flush=True)
        for mutant in found:
            outcome = run_mutant(
                mutant, source_of(mutant), baseline, args.without_snapshots, args.own_tests, args.timeout
            )
            outcomes.append(outcome)
            print(
                f"{outcome.status:9} {module}.py:{mutant.line} {mutant.change} ({outcome.seconds}s) "
                f"{outcome.detail}",
                flush=True,
            )
    scores = summary(outcomes)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(
        json.dumps({"scores": scores, "outcomes": [asdict(o) for o in outcomes]}, indent=1) + "\n"
    )
    print("\nmodule      mutants  infra-changing  killed  score")
    for module, row in scores.items():
        print(
            f"{module:11} {row['mutants']:7} {row['infra_changing']:15} {row['killed']:7}  {row['score']}",
        )
    for outcome in outcomes:
        if outcome.status in ("survived", "timeout"):
            print(
                f"{outcome.status.upper()} {outcome.mutant.module}:{outcome.mutant.index} "
                f"(line {outcome.mutant.line}) {outcome.mutant.change}"
            )
    return 0


def summary(outcomes: list[Outcome]) -> dict[str, dict[str, Any]]:
    scores: dict[str, dict[str, Any]] = {}
    for module in dict.fromkeys(o.mutant.module for o in outcomes):
        mine = [o for o in outcomes if o.mutant.module == module]
        counted = [o for o in mine if o.status not in ("unchanged", "timeout")]
        killed = sum(o.status == "killed" for o in counted)
        scores[module] = {
            "mutants": len(mine),
            "infra_changing": len(counted),
            "killed": killed,
            "timeout": sum(o.status == "timeout" for o in mine),
            "score": f"{100 * killed / len(counted):.1f}%" if counted else "n/a",
        }
    return scores


if __name__ == "__main__":
    raise SystemExit(main())
