"""``python3 -m tools.drift`` (drift.yml): from the exit status and JSON of ``pulumi refresh --preview-only
--expect-no-changes --json``, one issue ``Drift: <stack>`` opened, updated or closed; errors touch no
issue and fail the run. Exit statuses: https://www.pulumi.com/docs/iac/cli/exit-codes/ (7: changes where
none were expected, CLI v3.226.1+; 255 on earlier CLIs, which still print the digest first)."""

import json
import subprocess
import sys

import pytest

from plan.engine import PROJECT_ROOT
from tools import drift

URN = "urn:pulumi:prod::webstack::aws:ec2/securityGroup:SecurityGroup::api-sg"
DRIFTED = json.dumps(
    {
        "steps": [
            {"op": "same", "urn": "urn:pulumi:prod::webstack::pulumi:pulumi:Stack::webstack-prod"},
            {"op": "update", "urn": URN, "newState": {"inputs": {"description": "value-must-not-leak"}}},
        ],
        "changeSummary": {"same": 120, "update": 1},
    }
)
CLEAN = json.dumps({"steps": [], "changeSummary": {"same": 121}})
# A refresh's digest: every step is a "refresh"; the engine counts each by its result (pulumi pkg/engine:
# ``op = step.(*deploy.RefreshStep).ResultOp()`` when refreshing), so the summary says update/delete.
REFRESHED = json.dumps(
    {
        "steps": [
            {"op": "refresh", "urn": "urn:pulumi:prod::webstack::pulumi:pulumi:Stack::webstack-prod"},
            {"op": "refresh", "urn": URN, "diffReasons": ["ingress"]},
        ],
        "changeSummary": {"same": 120, "update": 1},
    }
)
REFRESHED_CLEAN = json.dumps({"steps": [{"op": "refresh", "urn": URN}], "changeSummary": {"same": 121}})
RUN_URL = "https://github.com/your-org/webstack/actions/runs/9"


class FakeGh:
    def __init__(self, issues=()) -> None:
        self.issues = list(issues)
        self.calls: list[tuple[list[str], str | None]] = []

    def __call__(self, arguments: list[str], stdin: str | None) -> str:
        self.calls.append((arguments, stdin))
        if arguments[:2] == ["issue", "list"]:
            return json.dumps(self.issues)
        return ""


@pytest.mark.parametrize(
    ("status", "output", "verdict"),
    [
        (0, CLEAN, "clean"),
        (0, REFRESHED_CLEAN, "clean"),
        (7, REFRESHED, "drift"),
        (0, REFRESHED, "drift"),
        (255, REFRESHED, "drift"),
        (7, DRIFTED, "drift"),
        (7, "", "drift"),
        (255, DRIFTED, "drift"),
        (255, CLEAN, "error"),
        (255, "", "error"),
        (3, "error: failed to assume role", "error"),
    ],
)
def test_the_exit_status_and_the_digest_tell_drift_from_an_error(status, output, verdict):
    assert drift.classify(status, output).verdict == verdict


def test_a_drifting_stack_opens_one_issue_naming_each_resource_and_never_a_value():
    gh = FakeGh([{"number": 4, "title": "Drift: dev"}])
    assert (
        drift.main(
            ["--stack", "prod", "--status", "7", "--preview", "/nonexistent", "--run-url", RUN_URL], gh
        )
        == 0
    )
    check = drift.classify(7, DRIFTED)
    assert check.counts == {"update": 1} and check.steps == [("update", URN)]
    text = drift.issue_body("prod", check, RUN_URL)
    assert f"| update | `{URN}` |" in text and RUN_URL in text and "value-must-not-leak" not in text
    drift.report("prod", check, RUN_URL, gh)
    arguments, stdin = gh.calls[-1]
    assert arguments == ["issue", "create", "--title", "Drift: prod", "--body-file", "-"]
    assert stdin == text


def test_a_stack_that_still_drifts_updates_its_open_issue_instead_of_opening_another():
    gh = FakeGh([{"number": 4, "title": "Drift: prod"}, {"number": 5, "title": "Drift: prod-eu"}])
    assert drift.report("prod", drift.classify(7, DRIFTED), RUN_URL, gh) == "updated #4"
    assert gh.calls[-1][0] == ["issue", "edit", "4", "--body-file", "-"]


def test_a_clean_check_closes_the_open_issue_and_touches_nothing_when_there_is_none():
    gh = FakeGh([{"number": 4, "title": "Drift: prod"}])
    assert drift.report("prod", drift.classify(0, CLEAN), RUN_URL, gh) == "closed #4"
    assert gh.calls[-1][0] == ["issue", "close", "4", "--comment", f"No drift in {RUN_URL}; closing."]
    quiet = FakeGh()
    drift.report("prod", drift.classify(0, CLEAN), RUN_URL, quiet)
    assert [call[0][:2] for call in quiet.calls] == [["issue", "list"]]


def test_an_error_touches_no_issue_and_fails_the_run(tmp_path, capsys):
    output = tmp_path / "preview.json"
    output.write_text("")
    gh = FakeGh([{"number": 4, "title": "Drift: prod"}])
    argv = ["--stack", "prod", "--status", "255", "--preview", str(output), "--run-url", RUN_URL]
    assert drift.main(argv, gh) == 1
    assert gh.calls == []
    assert "pulumi refresh exited 255 without finding changes" in capsys.readouterr().err


def test_a_refresh_that_drifted_names_the_resource_whose_refresh_step_has_a_diff():
    check = drift.classify(7, REFRESHED)
    assert check.counts == {"update": 1} and check.steps == [("refresh", URN)]


def test_the_issue_says_aws_differs_from_the_deployed_state_and_how_to_put_it_back():
    """A plain ``pulumi up`` diffs the program against the state, which a console edit did not touch, so
    it would do nothing: the fix is ``pulumi up --refresh``."""
    text = drift.issue_body("prod", drift.classify(7, REFRESHED), RUN_URL)
    assert "`pulumi refresh --preview-only --expect-no-changes` of stack `prod` finds 1 to update" in text
    assert "from the stack's state" in text and "merged but not deployed yet are not drift" in text
    assert "`pulumi up --refresh --stack prod`" in text
    unnamed = drift.issue_body("prod", drift.Check("drift", {"update": 1}, []), RUN_URL)
    assert "| operation |" not in unnamed and "`pulumi refresh --preview-only --diff --stack prod`" in unnamed


def test_it_runs_with_the_standard_library_only():
    done = subprocess.run(
        [sys.executable, "-S", "-m", "tools.drift", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
