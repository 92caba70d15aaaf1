"""``python3 -m tools.drift``: open, update or close the issue ``Drift: <stack>`` after a drift check.

``.github/workflows/drift.yml`` runs, on a schedule and for each stage, ``pulumi refresh --preview-only
--expect-no-changes --json`` with the stage's read-only preview role, then this with the command's exit
status and its JSON. A refresh reads every resource from AWS and compares it with the stack's **state**
(what the last ``pulumi up`` recorded), never with the program: it does not run the program, so a merge
to main that is not deployed yet is not drift; a console edit or a deleted resource is. Pulumi's "the
canonical way to detect drift from the CLI" (https://www.pulumi.com/docs/iac/operations/stack-management/
drift/: "compares the response to the stack's current state ... does not modify the state file"), and
what Pulumi Cloud's own drift runs are (https://www.pulumi.com/docs/deployments/concepts/drift/). The
previous check, ``pulumi preview --refresh``, diffed AWS against the program on main and so reported
every merged-but-undeployed change as drift.

Exit status (https://www.pulumi.com/docs/iac/cli/exit-codes/, CLI v3.226.1 and later): 0 no changes, 7
changes where none were expected. Earlier CLIs exit 255 for both changes and errors, but print the JSON
digest first, so a non-zero status with a digest whose ``changeSummary`` counts a change is drift too, and
so is a zero status whose digest counts one (the engine counts a refresh step by its result, ``update``
or ``delete``: pulumi ``pkg/engine`` step events, ``RefreshStep.ResultOp``); anything else is an error:
no issue is touched and this exits 1, so the run fails and says why. One issue per stack: found by its
exact title among the open issues, its body replaced on every drifting run, closed (with a comment) on
the first clean one. Only URNs and operations are written, never a property value. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPECTATION_NOT_MET = 7
"""Pulumi's exit status for ``--expect-no-changes`` when changes were proposed (v3.226.1+)."""

UNCHANGED = ("same", "refresh", "read")
"""Step operations that are not a change by themselves. A refresh's steps are all ``refresh``; one that
drifted carries its ``diffReasons``/``detailedDiff`` (where the CLI reports them), its count is in the
``changeSummary`` either way."""

Gh = Callable[[list[str], str | None], str]


def run_gh(arguments: list[str], stdin: str | None = None) -> str:
    return subprocess.run(["gh", *arguments], input=stdin, capture_output=True, text=True, check=True).stdout


@dataclass(frozen=True)
class Check:
    """What one drift check found."""

    verdict: str
    """``clean``, ``drift`` or ``error``."""
    counts: dict[str, int] = field(default_factory=dict[str, int])
    """Operation -> how many resources (``update``, ``delete``, ``create``, ``replace``...)."""
    steps: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    """(operation, URN) of every resource that drifted."""


def digest(output: str) -> dict[str, Any] | None:
    """The preview's JSON digest, or None (an error before the preview printed one)."""
    try:
        document = json.loads(output)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def classify(status: int, output: str) -> Check:
    found = digest(output) or {}
    counts = {
        op: int(n)
        for op, n in sorted((found.get("changeSummary") or {}).items())
        if op not in UNCHANGED and n
    }
    steps = sorted(
        (str(step.get("op")), str(step.get("urn")))
        for step in found.get("steps") or []
        if isinstance(step, dict) and _changed(step)
    )
    if status == 0 and not counts:
        return Check("clean")
    if status in (0, EXPECTATION_NOT_MET) or counts:
        return Check("drift", counts, steps)
    return Check("error")


def _changed(step: dict[str, Any]) -> bool:
    """A step that changes its resource: an operation other than UNCHANGED, or a refresh with a diff."""
    if step.get("op") not in UNCHANGED:
        return True
    return step.get("op") == "refresh" and bool(step.get("diffReasons") or step.get("detailedDiff"))


def title(stack: str) -> str:
    return f"Drift: {stack}"


def issue_body(stack: str, check: Check, run_url: str) -> str:
    counts = ", ".join(f"{n} to {op}" for op, n in check.counts.items()) or "changes (counts not reported)"
    rows = [f"| {op} | `{urn}` |" for op, urn in check.steps]
    unnamed = f"Which resources: `pulumi refresh --preview-only --diff --stack {stack}`."
    lines = [
        f"`pulumi refresh --preview-only --expect-no-changes` of stack `{stack}` finds {counts}: AWS differs "
        f"from the stack's state, what its last deploy left (changes merged but not deployed yet are not "
        f"drift). Latest check: {run_url}",
        "",
        *(["| operation | resource (URN) |", "|---|---|", *rows] if rows else [unnamed]),
        "",
        f"To resolve: if the change in AWS was a mistake, `pulumi up --refresh --stack {stack}` with the "
        "deploy role puts back what the program declares (a plain `pulumi up` compares with the state "
        "and sees nothing to do); if it should stay, declare it in the program or the stack file and "
        "merge. This issue closes itself on the first clean check.",
    ]
    return "\n".join(lines) + "\n"


def open_issue(gh: Gh, stack: str) -> int | None:
    listed = gh(["issue", "list", "--state", "open", "--limit", "500", "--json", "number,title"], None)
    return next((i["number"] for i in json.loads(listed or "[]") if i["title"] == title(stack)), None)


def report(stack: str, check: Check, run_url: str, gh: Gh = run_gh) -> str:
    """Open, update or close the stack's issue; returns what it did."""
    if check.verdict == "error":
        return "nothing (the check failed)"
    number = open_issue(gh, stack)
    if check.verdict == "clean":
        if number is None:
            return "nothing (no drift, no open issue)"
        gh(["issue", "close", str(number), "--comment", f"No drift in {run_url}; closing."], None)
        return f"closed #{number}"
    text = issue_body(stack, check, run_url)
    if number is None:
        gh(["issue", "create", "--title", title(stack), "--body-file", "-"], text)
        return "opened an issue"
    gh(["issue", "edit", str(number), "--body-file", "-"], text)
    return f"updated #{number}"


def main(argv: list[str] | None = None, gh: Gh = run_gh) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.drift", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--stack", required=True, help="the stack (Pulumi.<stack>.yaml) that was checked")
    parser.add_argument("--status", type=int, required=True, help="the exit status of the refresh preview")
    parser.add_argument("--preview", type=Path, required=True, help="the refresh preview's --json output")
    parser.add_argument("--run-url", required=True, help="the workflow run, linked from the issue")
    options = parser.parse_args(argv)
    output = options.preview.read_text() if options.preview.is_file() else ""
    check = classify(options.status, output)
    print(f"drift {options.stack}: {check.verdict}; {report(options.stack, check, options.run_url, gh)}.")
    if check.verdict == "error":
        print(
            f"drift {options.stack}: pulumi refresh exited {options.status} without finding changes: an "
            "error (credentials, backend, program); its output is in the step above.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
