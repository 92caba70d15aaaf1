"""``python -m tools.plan_benchmark``: how long planning takes, and how the cost grows with services.

Reports, for the example stacks (tests/stacks/Pulumi.example-{dev,prod}.yaml, so the numbers do not
move when you edit your own stacks) and synthetic example-dev stacks with 1, 10 and 50 services:
- the end-to-end wall time of ``python -m plan STACK --no-diagram`` in a fresh process (what a user
  waits for; includes starting Python and importing Pulumi and pulumi_aws), median of a few runs;
- the in-process time of capturing the graph and computing every report once the modules are
  loaded, median of several runs.
Numbers depend on the machine; the README quotes a run on the 2-core development machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from plan import graph, report
from plan.engine import PROJECT_ROOT
from plan.sections import first_screen

EXAMPLES = PROJECT_ROOT / "tests" / "stacks"
"""The fixture stack files the README's numbers are measured on (tests/plan/test_docs.py checks them)."""

FRESH_RUNS = 3
WARM_RUNS = 5
SERVICE_COUNTS = (1, 10, 50)


def synthetic_services(count: int) -> dict[str, Any]:
    """``count`` referenced-image services, each on its own path (the last one takes /*)."""
    services: dict[str, Any] = {}
    for number in range(count):
        service: dict[str, Any] = {
            "image": f"ghcr.io/example/svc{number}:1.0.{number}",
            "port": 8000 + number,
        }
        if number < count - 1:
            service["routing"] = {"pathPatterns": [f"/svc{number}/*"]}
        services[f"svc{number}"] = service
    return services


Case = tuple[str, str, dict[str, Any] | None]


def cases() -> list[Case]:
    """(README label, stack in EXAMPLES, config overrides) of every benchmark row."""
    found: list[Case] = [("example-dev", "example-dev", None), ("example-prod", "example-prod", None)]
    for n in SERVICE_COUNTS:
        label = f"example-dev with {n} service{'s' if n > 1 else ''}"
        found.append((label, "example-dev", {"webstack:services": synthetic_services(n)}))
    return found


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _plan_in_process(stack: str, overrides: dict[str, Any] | None) -> None:
    captured = graph.capture(stack, EXAMPLES, overrides=overrides)
    first_screen.first_screen(first_screen.summary(captured))
    for _ in report.sections(captured):
        pass
    report.mermaid(captured)


def _fresh_process(stack: str) -> None:
    command = [sys.executable, "-m", "plan", stack, "--stacks-dir", str(EXAMPLES), "--no-diagram"]
    subprocess.run(command, check=True, capture_output=True)


def main() -> int:
    _plan_in_process("example-dev", None)  # load every module once: warm numbers measure planning alone
    print(f"{'case':<30} {'resources':>9} {'fresh process':>14} {'in process':>11}")
    for label, stack, overrides in cases():
        resources = len(graph.capture(stack, EXAMPLES, overrides=overrides)["resources"])
        fresh = _median_seconds(partial(_fresh_process, stack), FRESH_RUNS) if overrides is None else None
        warm = _median_seconds(partial(_plan_in_process, stack, overrides), WARM_RUNS)
        fresh_text = f"{fresh:.2f} s" if fresh is not None else "-"
        print(f"{label:<30} {resources:>9} {fresh_text:>14} {warm:>9.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
