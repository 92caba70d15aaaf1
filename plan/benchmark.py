"""``python -m plan.benchmark``: how long planning takes, and how the cost grows with services.

Reports, for dev, prod and synthetic dev stacks with 1, 10 and 50 services:
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


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _plan_in_process(stack: str, overrides: dict[str, Any] | None) -> None:
    captured = graph.capture(stack, overrides=overrides)
    for _ in report.sections(captured):
        pass
    report.mermaid(captured)


def _fresh_process(stack: str) -> None:
    subprocess.run([sys.executable, "-m", "plan", stack, "--no-diagram"], check=True, capture_output=True)


def main() -> int:
    cases: list[tuple[str, str, dict[str, Any] | None]] = [("dev", "dev", None), ("prod", "prod", None)]
    cases += [
        (f"dev, {n} services", "dev", {"webstack:services": synthetic_services(n)}) for n in SERVICE_COUNTS
    ]
    _plan_in_process("dev", None)  # load every module once, so warm numbers measure planning alone
    print(f"{'case':<20} {'resources':>9} {'fresh process':>14} {'in process':>11}")
    for label, stack, overrides in cases:
        resources = len(graph.capture(stack, overrides=overrides)["resources"])
        fresh = _median_seconds(partial(_fresh_process, stack), FRESH_RUNS) if overrides is None else None
        warm = _median_seconds(partial(_plan_in_process, stack, overrides), WARM_RUNS)
        fresh_text = f"{fresh:.2f} s" if fresh is not None else "-"
        print(f"{label:<20} {resources:>9} {fresh_text:>14} {warm:>9.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
