"""``python3 -m tools.pr_comment``: post the offline plan of a pull request, one comment per stack.

Runs in ``.github/workflows/pr-comment.yml`` (``workflow_run`` of the pull-request workflow), which
checks out the default branch only and never runs the pull request's code: this file is the default
branch's. The artifacts it reads come from the pull request's run, so they are untrusted data:

- the pull-request number is used only if that pull request's head commit is the run's head commit
  (a fork could write any number into its artifact);
- the stacks come from the workflow (``--stages``, written by ``make workflows``), not from file names;
- the marker line is written here, and the body is cut to GitHub's limit here.

Each stack's comment is found again by its first line ``<!-- webstack:plan:<stack> -->`` among the
comments of ``github-actions[bot]`` and updated, never duplicated. The preview slot is filled with the
preview job's conclusion and a link to it (its ``pulumi preview`` with the policy pack; pulumi's own
comment has the full diff). Standard library only: the job runs the runner's ``python3``, nothing
installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

LIMIT = 65_536
"""GitHub's comment limit (characters); plan/pr_comment.py's LIMIT, checked by a test."""

BOT = "github-actions[bot]"
"""The author of the comments GITHUB_TOKEN posts: only its comments are ever edited."""

ARTIFACT = "pr-comment-{stage}"
"""The artifact each stack's offline plan job uploads (``comment.md`` and ``pr-number``)."""

Gh = Callable[[list[str], str | None], str]
"""Runs ``gh`` with these arguments (and standard input) and returns its standard output."""


def run_gh(arguments: list[str], stdin: str | None = None) -> str:
    return subprocess.run(["gh", *arguments], input=stdin, capture_output=True, text=True, check=True).stdout


def marker(stage: str) -> str:
    return f"<!-- webstack:plan:{stage} -->"


def slot(stage: str) -> tuple[str, str]:
    return f"<!-- webstack:preview:{stage} -->", f"<!-- /webstack:preview:{stage} -->"


def pull_request_number(folder: Path, stages: list[str]) -> int | None:
    """The number every artifact names (None when none does); two different numbers are refused."""
    found = set()
    for stage in stages:
        path = folder / ARTIFACT.format(stage=stage) / "pr-number"
        if path.is_file():
            text = path.read_text().strip()
            if not re.fullmatch(r"[1-9][0-9]{0,9}", text):
                raise ValueError(f"{path}: {text[:40]!r} is not a pull-request number")
            found.add(int(text))
    if len(found) > 1:
        raise ValueError(f"the artifacts name different pull requests: {sorted(found)}")
    return found.pop() if found else None


def head_matches(gh: Gh, repository: str, number: int, head_sha: str) -> bool:
    """Whether pull request ``number`` has the run's head commit (so the artifact's number is true)."""
    return gh(["api", f"repos/{repository}/pulls/{number}", "--jq", ".head.sha"], None).strip() == head_sha


def preview_text(jobs: Sequence[Mapping[str, str | None]], stage: str) -> str:
    """What the preview slot says: the conclusion of the job ``preview <stage>``, linked."""
    job = next((j for j in jobs if j.get("name") == f"preview {stage}"), None)
    if job is None:
        return "No preview job ran for this stack."
    link = f"[the preview job]({job.get('html_url')})"
    conclusion = job.get("conclusion")
    if conclusion == "success":
        return (
            f"✅ `pulumi preview` with the policy pack passed in {link}; Pulumi's own comment on this pull "
            "request shows its diff."
        )
    if conclusion == "skipped":
        return "Not run: pull requests from forks get this offline plan only (no credentials, no secrets)."
    return (
        f"❌ `pulumi preview` did not pass ({conclusion}): a mandatory policy violation or a preview error; "
        f"see {link}."
    )


def body(stage: str, raw: str, preview: str) -> str:
    """The comment: this module's marker, the artifact's text (minus any marker line of its own) with
    the preview slot filled, at most LIMIT characters."""
    lines = [line for line in raw.splitlines() if not line.startswith("<!-- webstack:plan:")]
    start, end = slot(stage)
    text = "\n".join(lines)
    if start in text and end in text:
        text = text[: text.index(start) + len(start)] + f"\n{preview}\n" + text[text.index(end) :]
    else:
        text += f"\n\n{start}\n{preview}\n{end}"
    whole = f"{marker(stage)}\n{text}\n"
    if len(whole) > LIMIT:
        note = "\n\n> Cut to fit GitHub's comment limit.\n"
        whole = whole[: LIMIT - len(note)].rsplit("\n", 1)[0] + note
    return whole


def upsert(gh: Gh, repository: str, number: int, stage: str, text: str) -> str:
    """Update this stack's comment on the pull request, or create it; returns what it did."""
    listed = gh(
        [
            "api",
            "--paginate",
            f"repos/{repository}/issues/{number}/comments",
            "--jq",
            '.[] | [.id, .user.login, (.body | split("\\n") | .[0])] | @json',
        ],
        None,
    )
    rows = [json.loads(line) for line in listed.splitlines() if line.strip()]
    mine = next((row[0] for row in rows if row[1] == BOT and row[2] == marker(stage)), None)
    payload = json.dumps({"body": text})
    if mine is None:
        gh(
            ["api", "--method", "POST", f"repos/{repository}/issues/{number}/comments", "--input", "-"],
            payload,
        )
        return "created"
    gh(["api", "--method", "PATCH", f"repos/{repository}/issues/comments/{mine}", "--input", "-"], payload)
    return "updated"


def run_jobs(gh: Gh, repository: str, run_id: str) -> list[dict[str, str | None]]:
    listed = gh(
        [
            "api",
            "--paginate",
            f"repos/{repository}/actions/runs/{run_id}/jobs",
            "--jq",
            ".jobs[] | {name, conclusion, html_url} | @json",
        ],
        None,
    )
    return [json.loads(line) for line in listed.splitlines() if line.strip()]


def post(folder: Path, stages: list[str], environ: Mapping[str, str], gh: Gh = run_gh) -> int:
    """Comment each stage's plan on the run's pull request; 1 when the artifacts cannot be trusted."""
    repository, run_id, head_sha = environ["REPOSITORY"], environ["RUN_ID"], environ["HEAD_SHA"]
    try:
        number = pull_request_number(folder, stages)
    except ValueError as error:
        print(f"pr-comment: {error}; nothing posted.", file=sys.stderr)
        return 1
    if number is None:
        print("pr-comment: no plan artifact in this run; nothing to post.")
        return 0
    if not head_matches(gh, repository, number, head_sha):
        print(
            f"pr-comment: pull request #{number} does not have head {head_sha}; nothing posted.",
            file=sys.stderr,
        )
        return 1
    jobs = run_jobs(gh, repository, run_id)
    for stage in stages:
        path = folder / ARTIFACT.format(stage=stage) / "comment.md"
        if not path.is_file():
            print(f"pr-comment: no plan for {stage} in this run (its plan job failed before writing it).")
            continue
        done = upsert(gh, repository, number, stage, body(stage, path.read_text(), preview_text(jobs, stage)))
        print(f"pr-comment: {done} the comment of {stage} on #{number}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.pr_comment", description="Post each stack's offline plan on its pull request."
    )
    parser.add_argument(
        "--artifacts", type=Path, required=True, help="where the run's artifacts were downloaded"
    )
    parser.add_argument("--stages", required=True, help="the stacks, comma-separated (from make workflows)")
    options = parser.parse_args(argv)
    return post(options.artifacts, [s for s in options.stages.split(",") if s], os.environ)


if __name__ == "__main__":
    sys.exit(main())
