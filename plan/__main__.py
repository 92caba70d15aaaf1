"""``python -m plan STACK``: what a stack will create, with no AWS credentials and no Pulumi CLI.

Prints the resource inventory by component, the stack outputs, warnings, the network exposure matrix
and the subnet layout; writes a Mermaid diagram (and a PNG when `diagrams` and Graphviz are
installed). Bad input gives one paragraph on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from components.schema import ConfigError
from plan import cost, diagram, graph, report
from plan.engine import PROJECT_ROOT, EngineError

EXIT_BAD_INPUT = 2


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m plan", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("stack", help="the stack to plan: the STACK of a Pulumi.STACK.yaml file")
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="also write the captured graph (webstack-plan/1)"
    )
    parser.add_argument("--compare", metavar="OTHER_STACK", help="show what differs from another stack")
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
        help="override a cost assumption, e.g. --assume natGbPerMonth=500 (repeatable)",
    )
    parser.add_argument(
        "--assumptions", metavar="FILE", type=Path, help="cost assumptions from a YAML or JSON mapping"
    )
    return parser.parse_args(argv)


def _capture(stack: str, root: Path) -> graph.Graph:
    """The graph of a stack, or SystemExit with a one-paragraph explanation."""
    try:
        return graph.capture(stack, root)
    except FileNotFoundError:
        known = ", ".join(graph.stacks(root)) or "none"
        _fail(f"no stack '{stack}': there is no Pulumi.{stack}.yaml in {root}. Stacks here: {known}.")
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        _fail(f"Pulumi.{stack}.yaml is not valid YAML{line}: {problem}. Fix the file and plan again.")
    except ConfigError as error:
        _fail(str(error))
    except EngineError as error:
        _fail(f"Pulumi.{stack}.yaml would make the Pulumi engine stop: {error}")
    except ValueError as error:
        _fail(f"Pulumi.{stack}.yaml cannot be read: {error}.")
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


def _estimate(captured: graph.Graph, assumed: dict[str, float]) -> cost.Estimate | None:
    prices = cost.load_prices(captured.get("region"))
    return None if prices is None else cost.estimate(captured, prices, assumed)


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    args = _arguments(argv)
    root = args.stacks_dir or root
    assumed = _assumptions(args)
    captured = _capture(args.stack, root)
    for section in report.sections(captured):
        print("\n".join(section))
        print()
    estimate = _estimate(captured, assumed)
    print(
        "\n".join(cost.render(estimate, captured))
        if estimate
        else cost.no_prices_message(captured.get("region"))
    )
    print()
    if args.compare:
        other = _capture(args.compare, root)
        print("\n".join(report.compare(captured, other)))
        print()
        other_estimate = _estimate(other, assumed)
        if estimate and other_estimate:
            print("\n".join(cost.compare(estimate, other_estimate, (args.stack, args.compare))))
        else:
            missing = other.get("region") if estimate else captured.get("region")
            print(f"Cost comparison skipped: {cost.no_prices_message(missing)}")
        print()
    if args.json:
        document = dict(captured)
        if estimate:
            document["estimate"] = cost.to_json(estimate, captured)
        graph.write(document, args.json)
        print(f"Graph written to {args.json}")
    if not args.no_diagram:
        mermaid_path = args.out / f"{args.stack}.mmd"
        mermaid_path.parent.mkdir(parents=True, exist_ok=True)
        mermaid_path.write_text(report.mermaid(captured))
        print(f"Mermaid diagram written to {mermaid_path}")
        if diagram.available():
            png = diagram.render_png(captured, args.out / f"{args.stack}.png")
            print(f"PNG diagram written to {png}")
        else:
            print("PNG diagram skipped: install `diagrams` (pip) and Graphviz (`dot`) to draw one.")
    return 0


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
