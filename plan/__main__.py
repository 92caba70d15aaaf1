"""``python -m plan STACK``: what a stack will create, with no AWS credentials and no Pulumi CLI.

Prints a one-screen summary, then the resource inventory by component, the stack outputs, warnings,
the network exposure matrix, the subnet layout and the other sections (``--section NAME`` prints one);
writes a Mermaid diagram (and a PNG when `diagrams` and Graphviz are installed). Bad input gives one
paragraph on stderr and exit status 2, never a traceback.

Exit status: 0 when planned; 2 on bad input; 3 when ``--compare``/``--compare-file`` of the same stack
finds that ``pulumi up`` would fail or undo part of the change (the "Transition" section names each
finding and its fix; a collision, silent removal, undeletable or data-losing delete, an ordering AWS
refuses, or a refused update).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from plan import (
    changes,
    compare_source,
    cost,
    diagram,
    diagram_model,
    graph,
    images,
    pr_comment,
    report,
    routing,
    stack_files,
    transition,
)
from plan.engine import PROJECT_ROOT, EngineError
from plan.sections import first_screen
from stack.promotion import PROMOTION_ENV, PromotionRecord, read_record
from stack.schema import ConfigError

EXIT_BAD_INPUT = 2
EXIT_TRANSITION = 3
"""``--compare`` of the same stack found something ``pulumi up`` would fail on or undo."""

SECTION_NAMES = ("summary", *report.SECTIONS, "images", "cost", "comparison")
"""What ``--section`` takes, in the order the plan prints them (``comparison`` with ``--compare*``)."""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m plan",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 planned; 2 bad input; 3 the compared change would fail or undo part of "
        "itself in `pulumi up` (see the Transition section).",
    )
    parser.add_argument("stack", help="the stack to plan: the STACK of a Pulumi.STACK.yaml file")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the captured graph (webstack-plan/1) with every section's data and the summary",
    )
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="print only this section (no diagram files are written): " + ", ".join(SECTION_NAMES),
    )
    against = parser.add_mutually_exclusive_group()
    against.add_argument(
        "--compare",
        metavar="STACK_OR_REV",
        help="show what differs from another stack (Pulumi.STACK_OR_REV.yaml in the stacks folder) or,"
        " when there is no such file, from this stack's file at a git revision (e.g. HEAD)",
    )
    against.add_argument(
        "--compare-file",
        metavar="FILE",
        type=Path,
        help="show what differs from this stack run with FILE as its stack file (before -> after)",
    )
    against.add_argument(
        "--compare-graph",
        metavar="FILE",
        type=Path,
        help="show what differs from a graph of this stack written with --json (e.g. by the base branch's"
        " code and stack file: what a pull request changes), before -> after",
    )
    parser.add_argument(
        "--compare-label",
        metavar="TEXT",
        help="how the report names the compared side (default: the option's value), e.g. 'main (3f2a1b9)'",
    )
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        type=Path,
        help="also write the pull-request comment (GitHub markdown) of the comparison with an earlier run"
        " of this stack; without --compare*, of a new stack (everything created)",
    )
    parser.add_argument(
        "--out", metavar="DIR", type=Path, default=PROJECT_ROOT / "out", help="diagram folder"
    )
    parser.add_argument("--no-diagram", action="store_true", help="do not write diagram files")
    parser.add_argument(
        "--stacks-dir",
        metavar="DIR",
        type=Path,
        help="read Pulumi.STACK.yaml from DIR instead of the project (e.g. tests/stacks fixtures)",
    )
    parser.add_argument(
        "--assume",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override a cost assumption, e.g. --assume natGbPerMonth=500 (repeatable); --assume "
        "savings-plan or --assume reserved prices with that commitment's discount (off by default)",
    )
    parser.add_argument(
        "--assumptions", metavar="FILE", type=Path, help="cost assumptions from a YAML or JSON mapping"
    )
    parser.add_argument(
        "--promotion",
        metavar="FILE",
        type=Path,
        help="plan as a later stage's deploy job runs: the built services run the digests of this "
        f"promotion record (what {PROMOTION_ENV} names in CI), shown in the Images section",
    )
    return parser.parse_args(argv)


def _check_section(args: argparse.Namespace) -> None:
    """A --section that names no section, or the comparison without anything to compare, is bad input."""
    if args.section is None:
        return
    if args.section not in SECTION_NAMES:
        _fail(f"--section {args.section}: there is no such section; use one of: {', '.join(SECTION_NAMES)}.")
    if args.section == "comparison" and not (args.compare or args.compare_file or args.compare_graph):
        _fail("--section comparison: nothing is compared; add --compare, --compare-file or --compare-graph.")


def _promotion(args: argparse.Namespace) -> PromotionRecord | None:
    """The record of ``--promotion`` (also handed to the program, as the deploy job does), or None."""
    if args.promotion is None:
        return None
    record, problems = read_record(str(args.promotion))
    if record is None:
        _fail("; ".join(problems))
    os.environ[PROMOTION_ENV] = str(args.promotion)
    return record


def _capture(stack: str, root: Path, stack_file: Path | None = None, label: str | None = None) -> graph.Graph:
    """The graph of a stack (run with ``stack_file`` if given), or SystemExit with a one-paragraph
    explanation that names the file as ``label`` (the option and value it came from)."""
    name = label or f"Pulumi.{stack}.yaml"
    try:
        return graph.capture(stack, root, stack_file=stack_file)
    except FileNotFoundError:
        if stack_file is not None:
            _fail(f"{name}: there is no such file.")
        known = ", ".join(graph.stacks(root)) or "none"
        _fail(f"no stack '{stack}': there is no Pulumi.{stack}.yaml in {root}. Stacks here: {known}.")
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        _fail(f"{name} is not valid YAML{line}: {problem}. Fix the file and plan again.")
    except ConfigError as error:
        _fail(f"{name}: {error}" if label else str(error))
    except EngineError as error:
        _fail(f"{name} would make the Pulumi engine stop: {error}")
    except (ValueError, OSError) as error:
        _fail(f"{name} cannot be read: {error}.")
    raise AssertionError("unreachable")


def _fail(message: str) -> None:
    print(f"webstack plan: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _assumptions(args: argparse.Namespace) -> dict[str, float]:
    """The cost assumptions: defaults, then the file, then each --assume."""
    overrides: dict[str, object] = {}
    try:
        if args.assumptions:
            loaded = yaml.safe_load(args.assumptions.read_text()) or {}
            if not isinstance(loaded, dict):
                raise cost.AssumptionError(f"{args.assumptions} must hold a mapping of KEY: number")
            overrides.update(loaded)
        overrides.update(cost.parse_assume(args.assume))
        return cost.assumptions(overrides)
    except (cost.AssumptionError, OSError, yaml.YAMLError) as error:
        _fail(f"cost assumptions: {error}")
    raise AssertionError("unreachable")


def _estimate(captured: graph.Graph, assumed: dict[str, float]) -> cost.Estimate:
    """The estimate; without a price table for the region, every resource with a cost is listed unpriced."""
    return cost.estimate(captured, cost.load_prices(captured.get("region")), assumed)


def _other(args: argparse.Namespace, root: Path) -> tuple[compare_source.Against, graph.Graph] | None:
    """What ``--compare``/``--compare-file`` name, and its graph; None without either option.

    Runs before anything is printed, so a wrong value is one line on stderr and nothing else.
    """
    if not (args.compare or args.compare_file or args.compare_graph):
        return None
    try:
        if args.compare_graph:
            against = compare_source.read_graph(args.stack, args.compare_graph, args.compare_label)
            return against, against.graph or {}
        against = compare_source.resolve(args.stack, root, args.compare, args.compare_file)
    except compare_source.CompareError as error:
        _fail(str(error))
        raise AssertionError("unreachable") from error
    if args.markdown and against.kind is compare_source.Kind.STACK:
        _fail(
            f"--markdown with --compare {args.compare}: a pull-request comment compares two runs of the same"
            " stack; use --compare <git revision>, --compare-file or --compare-graph."
        )
    if args.compare_label:
        against = dataclasses.replace(against, describe=args.compare_label)
    with against.stack_file(args.stack) as stack_file:
        label = None if against.kind is compare_source.Kind.STACK else against.label
        return against, _capture(against.stack or args.stack, root, stack_file, label)


def _compare(
    stack: str,
    against: compare_source.Against,
    captured: graph.Graph,
    other: graph.Graph,
    assumed: dict[str, float],
) -> dict[str, Any]:
    """Print the comparison and return its JSON block.

    Another stack is shown side by side (this stack, then the other); a file or a revision of this
    stack is "before" and the stack file as it is now "after", with what the edit replaces.
    """
    same_stack = against.kind is not compare_source.Kind.STACK
    if same_stack:
        before, after = other, captured
        labels = (against.describe, f"Pulumi.{stack}.yaml as it is now")
    else:
        before, after = captured, other
        labels = (stack, against.describe)
    print("\n".join(report.compare(before, after, labels)))
    print()
    print("\n".join(changes.render_configuration(changes.configuration_diff(before, after), labels)))
    print()
    resource_changes = changes.resource_changes(before, after) if same_stack else None
    findings = transition.judge(before, after) if same_stack else None
    if resource_changes is not None and findings is not None:
        print("\n".join(changes.render_resources(resource_changes)))
        print()
        print("\n".join(transition.render(findings)))
    else:
        print(
            "Resource changes: not listed between two stacks (they are different resources); compare"
            " a file or a git revision of the same stack to see what an edit updates or replaces."
        )
    print()
    first, second = _estimate(before, assumed), _estimate(after, assumed)
    print("\n".join(cost.compare(first, second, labels)))
    print()
    block = changes.to_json(before, after, labels, str(against.kind), resource_changes)
    block["transition"] = None if findings is None else transition.to_json(findings)
    block["cost"] = cost.differences_json(first, second)
    return block


def _write_markdown(
    args: argparse.Namespace,
    captured: graph.Graph,
    compared: tuple[compare_source.Against, graph.Graph] | None,
    assumed: dict[str, float],
) -> None:
    """The pull-request comment: the compared run (or nothing: a new stack) -> this run."""
    if compared is None:
        before = pr_comment.empty_graph(args.stack, captured.get("region"))
        described = "nothing (a new stack)"
    else:
        described, before = compared[0].describe, compared[1]
    sides = pr_comment.Sides(
        args.stack,
        before,
        captured,
        (described, f"Pulumi.{args.stack}.yaml as it is now"),
        _estimate(before, assumed),
        _estimate(captured, assumed),
    )
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(pr_comment.markdown(sides))
    print(f"Pull-request comment written to {args.markdown}")


def _sections(
    captured: graph.Graph,
    facts: Callable[[], dict[str, Any]],
    image_rows: list[dict[str, Any]],
    record: PromotionRecord | None,
    estimate: cost.Estimate,
) -> dict[str, Callable[[], list[str]]]:
    """Each printed section by its --section name, computed only when printed."""
    found: dict[str, Callable[[], list[str]]] = {"summary": lambda: first_screen.first_screen(facts())}
    for name, section in report.SECTIONS.items():
        found[name] = lambda section=section: section(captured)
    found["images"] = lambda: images.render(image_rows, captured["stack"], record)
    found["cost"] = lambda: cost.render(estimate, captured)
    return found


@contextlib.contextmanager
def _quiet(quiet: bool) -> Iterator[None]:
    """Swallow what is printed inside (a section other than the one --section asked for)."""
    if not quiet:
        yield
        return
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _write_diagrams(args: argparse.Namespace, captured: graph.Graph) -> None:
    """The Mermaid text and (where `diagrams` and `dot` are installed) the PNG, from one model."""
    model = diagram_model.build(captured)
    mermaid_path = args.out / f"{args.stack}.mmd"
    mermaid_path.parent.mkdir(parents=True, exist_ok=True)
    mermaid_path.write_text(report.mermaid(captured, model))
    print(f"Mermaid diagram written to {mermaid_path}")
    if diagram.available():
        png = diagram.render_png(captured, args.out / f"{args.stack}.png", model)
        print(f"PNG diagram written to {png}")
    else:
        print("PNG diagram skipped: install `diagrams` (pip) and Graphviz (`dot`) to draw one.")


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    args = _arguments(argv)
    _check_section(args)
    root = args.stacks_dir or root
    assumed = _assumptions(args)
    record = _promotion(args)
    captured = _capture(args.stack, root)
    # Across the project's stack files (not part of the stack's graph): overlapping VPC ranges.
    captured["warnings"] = [*captured["warnings"], *stack_files.overlapping_vpc_warnings(args.stack, root)]
    compared = _other(args, root)
    image_rows = images.images(captured, record)
    estimate = _estimate(captured, assumed)
    summary: dict[str, Any] = {}

    def facts() -> dict[str, Any]:
        if not summary:
            summary.update(first_screen.summary(captured, estimate, image_rows))
        return summary

    for name, section in _sections(captured, facts, image_rows, record, estimate).items():
        if args.section in (None, name):
            lines = section()
            if lines or args.section:
                print("\n".join(lines or [f"{name}: none in this stack."]))
                print()
    comparison: dict[str, Any] | None = None
    if compared is not None:
        against, other = compared
        with _quiet(args.section not in (None, "comparison")):
            comparison = _compare(args.stack, against, captured, other, assumed)
    with _quiet(args.section is not None):
        if args.json:
            document = dict(captured)
            document["estimate"] = cost.to_json(estimate, captured)
            document["routes"] = [route.to_json() for route in routing.routes(captured)]
            document["security"] = report.security_verdict(captured).to_json()
            document["images"] = image_rows
            document["summary"] = facts()
            if comparison is not None:
                document["comparison"] = comparison
            graph.write(document, args.json)
            print(f"Graph written to {args.json}")
        if not args.no_diagram and args.section is None:
            _write_diagrams(args, captured)
        if args.markdown:
            _write_markdown(args, captured, compared, assumed)
    blocked = comparison is not None and any(f["blocking"] for f in comparison.get("transition") or [])
    return EXIT_TRANSITION if blocked else 0


def _run_as_command() -> None:
    """Exit without letting interpreter shutdown collect the Pulumi runtime's event loop.

    After a run that stopped on bad input, that collection prints a spurious ``Exception ignored in
    BaseEventLoop.__del__ ... Invalid file descriptor`` below our one-paragraph error.
    """
    try:
        status = main()
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    _run_as_command()
