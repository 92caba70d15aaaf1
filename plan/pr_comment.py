"""The pull-request comment of one stack: what the pull request changes, as GitHub markdown.

``python -m plan STACK --compare-graph BASE.json --markdown FILE`` (the workflow's offline ``plan``
job) writes it; ``python -m tools.pr_comment`` (a ``workflow_run`` job that never runs the pull
request's code) posts it, one comment per stack found by :func:`marker`, and fills the preview slot.

Order: the summary line, replacements and their causes, the other resource changes, the transition
findings, the exposure delta, the monthly cost delta, the routing delta, the rest of the configuration
(names only), the policy pack, then the slot for the real preview. Built from plan/changes.py,
plan/transition.py, plan/sections/exposure.py and plan/cost.py: environment variables appear by name
and secrets by reference only (plan/changes.py), so no value of either reaches a comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from plan import changes, transition
from plan.cost import Estimate
from plan.graph import FORMAT, PROJECT, Graph
from plan.graph_index import short_type
from plan.sections.exposure import INTERNET, exposure_matrix, verdict

LIMIT = 65_536
"""GitHub refuses a comment body longer than this (characters)."""

WORDS = {"replace": "replace", "update": "update", "update?": "update", "add": "create", "remove": "delete"}
"""How ``pulumi preview`` names each action of plan/changes.py."""

SLOT_TEXT = "_The preview job has not reported yet._"
"""What the preview slot says until ``python -m tools.pr_comment`` fills it."""


def marker(stack: str) -> str:
    """The hidden first line that finds this stack's comment again (updated, never duplicated)."""
    return f"<!-- webstack:plan:{stack} -->"


def preview_slot(stack: str) -> tuple[str, str]:
    """The hidden lines around the real preview's summary, which the commenting job replaces."""
    return f"<!-- webstack:preview:{stack} -->", f"<!-- /webstack:preview:{stack} -->"


def empty_graph(stack: str, region: str | None) -> Graph:
    """The ``before`` of a stack the base branch does not have: everything is created."""
    return {
        "format": FORMAT,
        "project": PROJECT,
        "stack": stack,
        "region": region,
        "accounts": [],
        "resources": [],
        "outputs": {},
        "warnings": [],
    }


def code(text: object) -> str:
    """Inline code that survives a table cell: no backtick or pipe can end it early."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


@dataclass(frozen=True)
class Sides:
    """The two runs of one stack a comment compares, and their cost estimates (None: no prices)."""

    stack: str
    before: Graph
    after: Graph
    labels: tuple[str, str]
    """How the comment names them: the base branch's commit, the pull request's."""
    before_cost: Estimate | None
    after_cost: Estimate | None


# --- Sections -------------------------------------------------------------------------------------


def _summary(
    sides: Sides, found: list[changes.ResourceChange], findings: list[transition.Finding]
) -> list[str]:
    counts = ", ".join(
        f"{sum(1 for c in found if WORDS[c.action] == word)} to {word}"
        for word in ("replace", "update", "create", "delete")
    )
    stops = transition.blocking(findings)
    applies = f"**{len(stops)} blocking finding(s)**" if stops else "applies cleanly"
    lines = [
        f"### webstack plan: {code(sides.stack)}",
        "",
        f"{code(sides.labels[0])} → {code(sides.labels[1])}: {counts}; transition {applies}"
        + _cost_headline(sides)
        + ".",
        "",
        "_Offline plan of the program and stack file (`python -m plan`, no AWS credentials; ids are"
        " placeholders)._",
    ]
    return lines


def _cost_headline(sides: Sides) -> str:
    if sides.before_cost is None or sides.after_cost is None:
        return ""
    first, second = sides.before_cost.total, sides.after_cost.total
    before, after = sides.before_cost.total_text(), sides.after_cost.total_text()
    return f"; monthly cost {before} → {after} ({second - first:+,.2f} USD)"


def _why(change: changes.ResourceChange, sources: list[str]) -> str:
    """Why a resource changes; a replacement's verdict source becomes a numbered footnote."""
    via = f"; references replaced {', '.join(code(name) for name in change.via)}" if change.via else ""
    if change.action == "replace":
        if change.source not in sources:
            sources.append(str(change.source))
        note = sources.index(str(change.source)) + 1
        return f"ForceNew {', '.join(code(p) for p in change.replacing)} [{note}]{via}"
    if change.action == "update?":
        return f"type not in plan/replacement.py: may replace{via}"
    return via.removeprefix("; ")


def _replacements(found: list[changes.ResourceChange]) -> list[str]:
    replaced = [c for c in found if c.action == "replace"]
    if not replaced:
        return ["#### Replacements", "", "None: no resource is deleted and created again."]
    sources: list[str] = []
    rows = [[code(c.name), code(short_type(c.type)), _why(c, sources)] for c in replaced]
    return [
        "#### Replacements",
        "",
        f"{len(replaced)} resource(s) are deleted and created again (new ids; data in them is not kept):",
        "",
        *_table(["resource", "type", "caused by"], rows),
        "",
        *[f"[{n}] {text}  " for n, text in enumerate(sources, start=1)],
    ]


def _other_changes(found: list[changes.ResourceChange]) -> list[str]:
    rest = [c for c in found if c.action != "replace"]
    if not rest:
        return ["#### Resource changes", "", "No other resource is created, updated or deleted."]
    rows = [
        [
            WORDS[c.action],
            code(c.name),
            code(short_type(c.type)),
            ", ".join(map(code, c.properties)) or "-",
            _why(c, []),
        ]
        for c in rest
    ]
    return [
        "#### Resource changes",
        "",
        *_table(["action", "resource", "type", "changed inputs", "note"], rows),
    ]


def _transition(findings: list[transition.Finding]) -> list[str]:
    lines = ["#### Transition (`pulumi up` order: creates and updates first, deletes last)", ""]
    if not transition.blocking(findings):
        lines.append("Applies cleanly: no create collides, no delete is refused or loses data unintended.")
    for finding in findings:
        stop = "**blocking**" if finding.blocking else "notice"
        lines.append(
            f"- {stop} {finding.kind}: {' / '.join(map(code, finding.resources))} [{code(finding.key)}]"
        )
        lines.append(f"  {finding.detail}")
        lines.append(f"  Fix: {finding.fix}")
    return lines


def _exposure(before: Graph, after: Graph) -> list[str]:
    old, new = exposure_matrix(before), exposure_matrix(after)
    rows = []
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key, []), new.get(key, [])
        if was != now:
            sign = "+" if not was else "-" if not now else "~"
            rows.append([sign, code(key[0]), code(key[1]), ", ".join(was) or "-", ", ".join(now) or "-"])
    lines = ["#### Network exposure", ""]
    if not rows:
        return [*lines, f"Unchanged. {verdict(after)}"]
    rows.sort(key=lambda row: (row[1] != code(INTERNET), row[1], row[2]))
    lines += _table(["", "from", "to", "before", "after"], rows)
    first, second = verdict(before), verdict(after)
    lines += ["", f"Before: {first}", f"After: {second}"] if first != second else ["", second]
    return lines


def _cost(sides: Sides) -> list[str]:
    lines = ["#### Monthly cost (USD, on-demand list prices; usage-based lines not in the total)", ""]
    if sides.before_cost is None or sides.after_cost is None:
        return [*lines, f"Not estimated: no price table for {sides.after.get('region')} in plan/prices/."]
    a, b = sides.before_cost.by("component"), sides.after_cost.by("component")
    rows = [
        [
            code(key),
            f"{a.get(key, 0):,.2f}",
            f"{b.get(key, 0):,.2f}",
            f"{b.get(key, 0) - a.get(key, 0):+,.2f}",
        ]
        for key in sorted(set(a) | set(b))
        if round(a.get(key, 0) - b.get(key, 0), 2)
    ]
    first, second = sides.before_cost.total, sides.after_cost.total
    rows.append(["**total**", f"{first:,.2f}", f"{second:,.2f}", f"**{second - first:+,.2f}**"])
    missing = [
        f"{side}: {cost.total_text()} ({'; '.join(f'{x.resource}: {x.how}' for x in cost.unpriced)})"
        for side, cost in (("before", sides.before_cost), ("after", sides.after_cost))
        if not cost.complete
    ]
    notes = ["", "Not priced, so a total is a lower bound: " + " / ".join(missing)] if missing else []
    return [*lines, *_table(["component", "before", "after", "difference"], rows), *notes]


def _routing(diffs: Mapping[str, changes.CategoryDiff]) -> list[str]:
    diff = diffs["routes"]
    lines = ["#### Routing (listener host path → target, priority, port)", ""]
    rows = [["-", code(k), code(v), ""] for k, v in diff.removed.items()]
    rows += [["+", code(k), "", code(v)] for k, v in diff.added.items()]
    rows += [["~", code(k), code(was), code(now)] for k, (was, now) in diff.changed.items()]
    if not rows:
        return [*lines, f"Unchanged ({diff.unchanged} routes)."]
    return [*lines, *_table(["", "route", "before", "after"], rows)]


def _value(value: str | None) -> str:
    return "-" if value is None else code(value)


def _configuration(diffs: Mapping[str, changes.CategoryDiff]) -> list[str]:
    """Images, environment variable names, secret references, certificates and scaling bounds."""
    rows = []
    for category, heading in changes.CATEGORIES.items():
        if category == "routes":
            continue
        diff = diffs[category]
        rows += [[heading, "-", code(key), _value(value), ""] for key, value in diff.removed.items()]
        rows += [[heading, "+", code(key), "", _value(value)] for key, value in diff.added.items()]
        rows += [[heading, "~", code(key), _value(a), _value(b)] for key, (a, b) in diff.changed.items()]
    if not rows:
        return ["#### Other configuration", "", "Unchanged: images, environment names, secrets, scaling."]
    return [
        "#### Other configuration",
        "",
        "<details><summary>"
        f"{len(rows)} change(s): environment variables by name and secrets by reference, never a value"
        "</summary>",
        "",
        *_table(["what", "", "key", "before", "after"], rows),
        "",
        "</details>",
    ]


def _policy_and_preview(stack: str) -> list[str]:
    start, end = preview_slot(stack)
    return [
        "#### Policy pack and real preview",
        "",
        "The policy pack (`policy/`) runs inside the real `pulumi preview` of the preview job, which only "
        "pull requests from branches of this repository get (forks get this offline plan only).",
        "",
        start,
        SLOT_TEXT,
        end,
    ]


# --- The comment ----------------------------------------------------------------------------------


def markdown(sides: Sides) -> str:
    """The whole comment, at most :data:`LIMIT` characters (cut with a note, the preview slot kept)."""
    found = changes.resource_changes(sides.before, sides.after)
    findings = transition.judge(sides.before, sides.after)
    diffs = changes.configuration_diff(sides.before, sides.after)
    sections = [
        _summary(sides, found, findings),
        _replacements(found),
        _other_changes(found),
        _transition(findings),
        _exposure(sides.before, sides.after),
        _cost(sides),
        _routing(diffs),
        _configuration(diffs),
    ]
    body = "\n\n".join("\n".join(section) for section in sections)
    tail = "\n".join(_policy_and_preview(sides.stack))
    return fit(sides.stack, body, tail)


def fit(stack: str, body: str, tail: str, limit: int = LIMIT) -> str:
    """``marker + body + tail`` within ``limit``: the body is cut at a line, with a note saying how much
    is missing and where to see it all; the marker and the tail (the preview slot) always stay."""
    head = marker(stack) + "\n"
    whole = f"{head}{body}\n\n{tail}\n"
    if len(whole) <= limit:
        return whole
    note = (
        "\n\n> **Cut to fit GitHub's comment limit**: {missing:,} characters of this plan are not shown. "
        f"Run `python -m plan {stack} --compare <base>` locally, or download the `pr-comment-{stack}` "
        "artifact of this run.\n\n"
    )
    room = limit - len(head) - len(tail) - len(note.format(missing=len(body))) - 1
    cut = body.rfind("\n", 0, max(room, 0))
    kept = body[: max(cut, 0)]
    return f"{head}{kept}{note.format(missing=len(body) - len(kept))}{tail}\n"
