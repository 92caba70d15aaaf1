"""``python3 -m tools.pr_comment``, the job that posts the offline plans (pr-comment.yml): one comment per
stack, updated in place; the artifact's pull-request number trusted only when that pull request has the
run's head commit; the preview slot filled from the preview job; standard library only. ``gh`` is a fake
that answers like the GitHub REST API (issues/comments, pulls, actions/runs/jobs)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plan import pr_comment as plan_comment
from plan.engine import PROJECT_ROOT
from tools import pr_comment

REPO, RUN, HEAD = "your-org/webstack", "123", "a" * 40
ENV = {"REPOSITORY": REPO, "RUN_ID": RUN, "HEAD_SHA": HEAD}
BOT = "github-actions[bot]"


class FakeGh:
    """Comments of one pull request and the jobs of one run; records every write."""

    def __init__(self, comments=(), head=HEAD, jobs=()) -> None:
        self.comments = [dict(c) for c in comments]
        self.head = head
        self.jobs = list(jobs)
        self.writes: list[tuple[str, str, dict]] = []

    def __call__(self, arguments: list[str], stdin: str | None) -> str:
        path = next(a for a in arguments if a.startswith("repos/"))
        if "--method" in arguments:
            method = arguments[arguments.index("--method") + 1]
            self.writes.append((method, path, json.loads(stdin or "{}")))
            return "{}"
        if path.endswith("/pulls/7"):
            return self.head + "\n"
        if path.endswith(f"/actions/runs/{RUN}/jobs"):
            return "".join(json.dumps(job) + "\n" for job in self.jobs)
        if path.endswith("/issues/7/comments"):
            return "".join(
                json.dumps([c["id"], c["user"], c["body"].split("\n")[0]]) + "\n" for c in self.comments
            )
        raise AssertionError(f"unexpected gh call {arguments}")


def artifacts(tmp_path: Path, stages=("dev", "prod"), number="7") -> Path:
    for stage in stages:
        folder = tmp_path / f"pr-comment-{stage}"
        folder.mkdir(parents=True)
        start, end = plan_comment.preview_slot(stage)
        (folder / "comment.md").write_text(
            f"{plan_comment.marker(stage)}\n### webstack plan: `{stage}`\n\n"
            f"{start}\n{plan_comment.SLOT_TEXT}\n{end}\n"
        )
        (folder / "pr-number").write_text(f"{number}\n")
    return tmp_path


JOBS = [
    {"name": "preview dev", "conclusion": "success", "html_url": "https://github.com/x/job/1"},
    {"name": "preview prod", "conclusion": "failure", "html_url": "https://github.com/x/job/2"},
]


def test_each_stack_gets_one_new_comment_that_opens_with_its_marker_and_says_how_its_preview_went(tmp_path):
    gh = FakeGh(jobs=JOBS)
    assert pr_comment.post(artifacts(tmp_path), ["dev", "prod"], ENV, gh) == 0
    assert [(method, path) for method, path, _ in gh.writes] == [
        ("POST", f"repos/{REPO}/issues/7/comments"),
        ("POST", f"repos/{REPO}/issues/7/comments"),
    ]
    dev, prod = (payload["body"] for _, _, payload in gh.writes)
    assert dev.startswith("<!-- webstack:plan:dev -->\n### webstack plan: `dev`")
    assert dev.count("<!-- webstack:plan:") == 1
    assert (
        "✅ `pulumi preview` with the policy pack passed in [the preview job](https://github.com/x/job/1)"
        in dev
    )
    assert plan_comment.SLOT_TEXT not in dev
    assert "❌ `pulumi preview` did not pass (failure)" in prod and "https://github.com/x/job/2" in prod


def test_the_comment_of_a_stack_is_updated_in_place_and_only_the_bots_own_comment_is_edited(tmp_path):
    comments = [
        {"id": 1, "user": "mallory", "body": "<!-- webstack:plan:dev -->\nfake"},
        {"id": 2, "user": BOT, "body": "<!-- webstack:plan:prod -->\nold prod"},
        {"id": 3, "user": BOT, "body": "<!-- webstack:plan:dev -->\nold dev"},
    ]
    gh = FakeGh(comments, jobs=JOBS)
    assert pr_comment.post(artifacts(tmp_path), ["dev", "prod"], ENV, gh) == 0
    assert [(method, path) for method, path, _ in gh.writes] == [
        ("PATCH", f"repos/{REPO}/issues/comments/3"),
        ("PATCH", f"repos/{REPO}/issues/comments/2"),
    ]


def test_a_fork_whose_preview_was_skipped_is_told_it_gets_the_offline_plan_only(tmp_path):
    gh = FakeGh(jobs=[{"name": "preview dev", "conclusion": "skipped", "html_url": "u"}])
    pr_comment.post(artifacts(tmp_path, ("dev",)), ["dev"], ENV, gh)
    ((_, _, payload),) = gh.writes
    assert "Not run: pull requests from forks get this offline plan only" in payload["body"]


def test_an_artifact_naming_a_pull_request_with_another_head_commit_posts_nothing(tmp_path, capsys):
    gh = FakeGh(head="b" * 40, jobs=JOBS)
    assert pr_comment.post(artifacts(tmp_path), ["dev", "prod"], ENV, gh) == 1
    assert gh.writes == []
    assert f"pull request #7 does not have head {HEAD}; nothing posted" in capsys.readouterr().err


@pytest.mark.parametrize("number", ["7; rm -rf /", "0", "-1", "../../8"])
def test_a_pull_request_number_that_is_not_a_plain_number_posts_nothing(tmp_path, number, capsys):
    gh = FakeGh(jobs=JOBS)
    assert pr_comment.post(artifacts(tmp_path, ("dev",), number), ["dev"], ENV, gh) == 1
    assert gh.writes == [] and "is not a pull-request number" in capsys.readouterr().err


def test_only_the_stages_of_the_workflow_are_posted_whatever_other_artifacts_a_run_holds(tmp_path):
    gh = FakeGh(jobs=JOBS)
    folder = artifacts(tmp_path, ("dev", "evil"))
    pr_comment.post(folder, ["dev", "prod"], ENV, gh)
    assert [payload["body"].split("\n")[0] for _, _, payload in gh.writes] == ["<!-- webstack:plan:dev -->"]


def test_a_body_over_the_limit_is_cut_and_a_foreign_marker_line_is_dropped():
    raw = "<!-- webstack:plan:prod -->\n" + "x\n" * 40_000
    text = pr_comment.body("dev", raw, "done")
    assert len(text) <= pr_comment.LIMIT
    assert text.startswith("<!-- webstack:plan:dev -->\nx\n") and "webstack:plan:prod" not in text
    assert text.endswith("> Cut to fit GitHub's comment limit.\n")


def test_the_marker_slot_and_limit_are_the_plans_own():
    assert pr_comment.LIMIT == plan_comment.LIMIT
    assert pr_comment.marker("dev") == plan_comment.marker("dev")
    assert pr_comment.slot("dev") == plan_comment.preview_slot("dev")


def test_it_runs_with_the_standard_library_only():
    """pr-comment.yml installs nothing: `python3 -S` (no site-packages) must import and run it."""
    done = subprocess.run(
        [sys.executable, "-S", "-m", "tools.pr_comment", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
