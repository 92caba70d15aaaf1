"""The GitHub workflows: valid against GitHub's schema, shaped the way safe delivery needs, and
generated from the stages (.github/stages.yml and the stack files, tools/stages.py): whatever the
stages are called and however many there are, the tests derive what to expect from the same files."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan.engine import PROJECT_ROOT
from tests.support.fixture_stacks import USER_STACKS
from tools import workflows
from tools.stages import stages

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
STACKS = USER_STACKS
STAGES = stages()
"""The stages in order of promotion (a broken stages file fails collection, naming what to change)."""
UP_JOBS = [f"up-{stage.name}" for stage in STAGES]


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as True
    return document


PULL_REQUEST = load("pull-request.yml")
DEPLOY = load("deploy.yml")
PR_COMMENT = load("pr-comment.yml")
DRIFT = load("drift.yml")
SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"
"""The ``if:`` of a pull-request job that only branches of this repository run (not forks)."""


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action)]


def pulumi_commands(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's pulumi/actions steps that run a command (not the ones that only install the CLI)."""
    return [step for step in steps_using(job, "pulumi/actions@") if "command" in step.get("with", {})]


def test_the_workflows_are_valid_github_workflows():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert [Path(f).name for f in files] == ["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml"]
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_pull_requests_run_the_readme_test_command_then_preview_every_stack():
    assert list(PULL_REQUEST["on"]) == ["pull_request"]
    jobs = PULL_REQUEST["jobs"]
    readme = (PROJECT_ROOT / "README.md").read_text()
    test_command = re.search(r"```sh\n(\S+ \S+)", readme)
    assert test_command is not None and test_command.group(1) == "make test"
    assert any(step.get("run") == "make test" for step in jobs["test"]["steps"])
    preview = jobs["preview"]
    assert preview["needs"] == "test"
    matrix = preview["strategy"]["matrix"]["include"]
    assert sorted(entry["stack"] for entry in matrix) == STACKS, (
        "pull-request.yml previews every Pulumi.<stack>.yaml: add or remove its matrix entry"
    )
    for entry, stage in zip(matrix, STAGES, strict=True):
        assert entry["stack"] == stage.name
        assert entry["region"] == stage.region, f"Pulumi.{stage.name}.yaml's aws:region"
        assert entry["role_variable"] == f"AWS_PREVIEW_ROLE_ARN_{stage.suffix}"
        assert entry["backend_variable"] == f"PULUMI_BACKEND_URL_{stage.suffix}"
        assert entry["secrets_variable"] == f"PULUMI_SECRETS_PROVIDER_{stage.suffix}"


def test_previews_install_python_dependencies_first_and_apply_the_policy_pack():
    preview = PULL_REQUEST["jobs"]["preview"]
    steps = preview["steps"]
    install = next(i for i, step in enumerate(steps) if "make install" in step.get("run", ""))
    (pulumi,) = pulumi_commands(preview)
    assert install < steps.index(pulumi)
    assert pulumi["uses"] == "pulumi/actions@v7"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["policyPackConfigs"] == "${{ matrix.policy_config }}"
    for stage in STAGES:
        # its own policy/config.<stage>.json if any, else the one of the defaults profile it inherits
        assert stage.policy_config in (
            f"policy/config.{stage.name}.json",
            f"policy/config.{stage.environment}.json",
        )
        assert (PROJECT_ROOT / stage.policy_config).is_file(), stage.policy_config


@pytest.mark.parametrize(
    ("workflow", "job"), [("pr", "preview"), ("drift", "drift")] + [("deploy", job) for job in UP_JOBS]
)
def test_aws_credentials_come_from_oidc_roles_named_in_repository_variables(workflow, job):
    document = {"pr": PULL_REQUEST, "drift": DRIFT, "deploy": DEPLOY}[workflow]
    (credentials,) = steps_using(document["jobs"][job], "aws-actions/configure-aws-credentials@")
    assert credentials["with"]["role-to-assume"].startswith("${{ vars")
    assert "aws-access-key-id" not in credentials["with"]


def test_only_jobs_that_talk_to_aws_may_request_an_oidc_token():
    assert PR_COMMENT["permissions"] == {}, "pr-comment.yml grants per job only"
    for document in (PULL_REQUEST, DEPLOY, DRIFT, PR_COMMENT):
        assert document["permissions"] in ({"contents": "read"}, {})
        for name, job in document["jobs"].items():
            uses_aws = bool(steps_using(job, "aws-actions/configure-aws-credentials@"))
            token = job.get("permissions", {}).get("id-token")
            assert (token == "write") == uses_aws, name


def test_merges_deploy_each_stage_after_the_one_before_it_behind_its_environment():
    """dev -> (stages) -> prod in the order of .github/stages.yml; dev-profile stages first."""
    assert DEPLOY["on"]["push"]["branches"] == ["main"]
    jobs = DEPLOY["jobs"]
    assert list(jobs) == ["test", *UP_JOBS]
    assert [jobs[job]["needs"] for job in UP_JOBS] == ["test", *UP_JOBS[:-1]]
    environments = [stage.environment for stage in STAGES]
    assert environments == sorted(environments), "dev-profile stages deploy before prod-profile ones"
    for stage in STAGES:
        job = jobs[f"up-{stage.name}"]
        assert job["environment"] == stage.name
        (credentials,) = steps_using(job, "aws-actions/configure-aws-credentials@")
        assert credentials["with"]["aws-region"] == stage.region
        assert credentials["with"]["role-to-assume"] == f"${{{{ vars.AWS_DEPLOY_ROLE_ARN_{stage.suffix} }}}}"
        (pulumi,) = steps_using(job, "pulumi/actions@v7")
        assert pulumi["with"]["command"] == "up"
        assert pulumi["with"]["stack-name"] == f"${{{{ vars.PULUMI_STACK_PREFIX }}}}{stage.name}"
        assert pulumi["with"]["policyPackConfigs"] == stage.policy_config
        assert pulumi["with"]["cloud-url"] == f"${{{{ vars.PULUMI_BACKEND_URL_{stage.suffix} }}}}"


def test_every_job_that_touches_a_stack_has_its_own_concurrency_group():
    deploy_groups = {
        name: job["concurrency"] for name, job in DEPLOY["jobs"].items() if name.startswith("up-")
    }
    assert deploy_groups == {
        f"up-{stage.name}": {"group": f"pulumi-up-{stage.name}", "cancel-in-progress": False}
        for stage in STAGES
    }
    preview = PULL_REQUEST["jobs"]["preview"]["concurrency"]
    assert "${{ matrix.stack }}" in preview["group"]


def test_the_committed_workflows_are_what_make_workflows_writes_from_the_stages():
    assert workflows.stale() == [], "run make workflows (the stages or the stack files changed)"


def test_no_secret_or_account_id_is_written_into_a_workflow():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert not re.search(r"\b\d{12}\b", text), path.name
        assert "AKIA" not in text
        assert not re.search(r"arn:aws:iam::", text)


def test_only_the_first_stage_sets_up_docker_before_pulumi_builds_its_images():
    """build.platform linux/arm64 on GitHub's amd64 runners needs QEMU emulation and a buildx builder;
    later stages run the first stage's digests and previews build nothing (buildOnPreview false)."""
    uses = [step.get("uses", "") for step in DEPLOY["jobs"][UP_JOBS[0]]["steps"]]
    qemu, buildx = uses.index("docker/setup-qemu-action@v4"), uses.index("docker/setup-buildx-action@v4")
    assert qemu < buildx < uses.index("pulumi/actions@v7")
    for job in [DEPLOY["jobs"][name] for name in UP_JOBS[1:]] + [PULL_REQUEST["jobs"]["preview"]]:
        assert not [step for step in job["steps"] if step.get("uses", "").startswith("docker/")]


def test_the_first_stage_records_the_digests_it_built_and_later_stages_deploy_exactly_those():
    """Build once, promote by digest: the record (tools/promotion.py) is uploaded after the first
    stage's `pulumi up` and downloaded, waited for (ECR replication) and handed to the program
    (WEBSTACK_PROMOTION, stack/promotion.py) by each later stage before its `pulumi up`."""
    first = DEPLOY["jobs"][UP_JOBS[0]]["steps"]
    uses = [step.get("uses", "") for step in first]
    record = next(i for i, step in enumerate(first) if "tools.promotion record" in step.get("run", ""))
    assert uses.index("pulumi/actions@v7") < record < uses.index("actions/upload-artifact@v4")
    assert f"--stage {STAGES[0].name} " in first[record]["run"]
    upload = first[uses.index("actions/upload-artifact@v4")]["with"]
    assert (upload["name"], upload["path"]) == ("promotion", workflows.PROMOTION_FILE)
    (up,) = steps_using(DEPLOY["jobs"][UP_JOBS[0]], "pulumi/actions@")
    assert "WEBSTACK_PROMOTION" not in up["env"]
    for stage in STAGES[1:]:
        steps = DEPLOY["jobs"][f"up-{stage.name}"]["steps"]
        uses = [step.get("uses", "") for step in steps]
        wait = next(i for i, step in enumerate(steps) if "tools.promotion wait" in step.get("run", ""))
        download = uses.index("actions/download-artifact@v4")
        assert uses.index("aws-actions/configure-aws-credentials@v4") < wait < uses.index("pulumi/actions@v7")
        assert download < wait and steps[download]["with"]["name"] == "promotion"
        assert f"--stage {stage.name}" in steps[wait]["run"]
        (up,) = steps_using(DEPLOY["jobs"][f"up-{stage.name}"], "pulumi/actions@")
        assert up["env"]["WEBSTACK_PROMOTION"] == workflows.PROMOTION_FILE


def test_a_later_stages_preview_runs_the_digests_it_runs_now_so_a_promoted_image_shows_unchanged():
    """prod's deploy runs promoted digests and builds nothing; its preview must declare the same, or it
    shows an image to create on every pull request. The running record comes from prod's own ``images``
    output (``pulumi stack output --json``), read with the preview role, before the preview."""
    job = PULL_REQUEST["jobs"]["preview"]
    entries = job["strategy"]["matrix"]["include"]
    assert [entry["promoted"] for entry in entries] == [False] + [True] * (len(STAGES) - 1)
    steps = job["steps"]
    uses = [step.get("uses", "") for step in steps]
    running = next(i for i, step in enumerate(steps) if "tools.promotion running" in step.get("run", ""))
    preview = next(i for i, step in enumerate(steps) if step.get("with", {}).get("command") == "preview")
    assert uses.index("aws-actions/configure-aws-credentials@v4") < running < preview
    assert steps[running]["if"] == "matrix.promoted" and steps[running - 1]["if"] == "matrix.promoted"
    assert steps[running - 1]["uses"] == "pulumi/actions@v7" and "with" not in steps[running - 1]
    assert 'pulumi stack output --json --stack "$STACK" > out/outputs.json' in steps[running]["run"]
    assert f"--out {workflows.RUNNING_FILE}" in steps[running]["run"]
    assert steps[running]["env"]["PULUMI_BACKEND_URL"] == "${{ vars[matrix.backend_variable] }}"
    assert steps[preview]["env"]["WEBSTACK_PROMOTION"] == (
        f"${{{{ matrix.promoted && '{workflows.RUNNING_FILE}' || '' }}}}"
    ), "the first stage's preview gets an empty value: stack/wiring/load.py then builds as its deploy does"


def test_the_first_deploy_creates_each_stack_and_a_pull_request_never_does():
    """pulumi/actions README: `upsert` creates the stack if it does not exist (createOrSelectStack)."""
    for stage in STAGES:
        (up,) = steps_using(DEPLOY["jobs"][f"up-{stage.name}"], "pulumi/actions@")
        assert up["with"]["upsert"] is True
        assert up["with"]["secrets-provider"] == f"${{{{ vars.PULUMI_SECRETS_PROVIDER_{stage.suffix} }}}}"
    (preview,) = pulumi_commands(PULL_REQUEST["jobs"]["preview"])
    assert "upsert" not in preview["with"]


def test_previews_run_in_a_preview_environment_and_suppress_stack_outputs():
    preview = PULL_REQUEST["jobs"]["preview"]
    assert preview["environment"] == "${{ matrix.stack }}-preview"
    (pulumi,) = pulumi_commands(preview)
    assert pulumi["with"]["suppress-outputs"] is True


def test_deploy_jobs_run_only_on_main_even_when_dispatched_by_hand():
    assert "workflow_dispatch" in DEPLOY["on"]
    for job in UP_JOBS:
        assert DEPLOY["jobs"][job]["if"] == "github.ref == 'refs/heads/main'"


# --- Pull-request comments and drift --------------------------------------------------------------


def test_every_pull_request_forks_included_plans_every_stage_offline_with_a_read_only_token_and_no_secret():
    """The plan job runs on pull_request for forks too: only `contents: read`, no environment, no AWS, no
    secret; it plans the base branch (--json), then this pull request against it (--compare-graph
    --markdown), and uploads the comment and the pull-request number even when the plan exits 3."""
    plan = PULL_REQUEST["jobs"]["plan"]
    assert "if" not in plan and "environment" not in plan and "needs" not in plan
    assert plan["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(plan)
    assert not steps_using(plan, "aws-actions/") and not steps_using(plan, "pulumi/actions")
    assert plan["strategy"]["matrix"]["stack"] == [stage.name for stage in STAGES]
    checkouts = steps_using(plan, "actions/checkout@")
    assert [c["with"].get("ref") for c in checkouts] == [None, "${{ github.event.pull_request.base.sha }}"]
    assert all(c["with"]["persist-credentials"] is False for c in checkouts)
    runs = [step.get("run", "") for step in plan["steps"]]
    base = next(i for i, run in enumerate(runs) if "--json" in run and "-m plan" in run)
    comment = next(i for i, run in enumerate(runs) if "--markdown out/pr/comment.md" in run)
    assert base < comment and "--compare-graph out/pr/base.json" in runs[comment]
    (upload,) = steps_using(plan, "actions/upload-artifact@")
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == workflows.COMMENT_ARTIFACT.format(stack="${{ matrix.stack }}")
    assert upload["with"]["path"].split() == ["out/pr/comment.md", "out/pr/pr-number"]


def test_jobs_a_fork_can_run_hold_no_secret_and_request_no_token_and_the_preview_is_for_branches_only():
    preview = PULL_REQUEST["jobs"]["preview"]
    assert preview["if"] == SAME_REPOSITORY
    assert preview["name"] == "preview ${{ matrix.stack }}", "tools/pr_comment.py finds the job by this name"
    for name, job in PULL_REQUEST["jobs"].items():
        if job.get("if") != SAME_REPOSITORY:
            assert "secrets." not in yaml.safe_dump(job), name
            assert set(job.get("permissions", {}).values()) <= {"read"}, name


def test_the_comment_workflow_runs_after_pull_requests_on_the_default_branchs_code_only():
    """workflow_run (completed) of the pull-request workflow: it checks out the default branch, never
    the pull request, downloads the run's artifacts and posts with pull-requests: write and nothing
    else that writes. No workflow uses pull_request_target."""
    assert PR_COMMENT["on"] == {"workflow_run": {"workflows": [PULL_REQUEST["name"]], "types": ["completed"]}}
    (job,) = PR_COMMENT["jobs"].values()
    assert job["if"] == "github.event.workflow_run.event == 'pull_request'"
    assert job["permissions"] == {"actions": "read", "contents": "read", "pull-requests": "write"}
    (checkout,) = steps_using(job, "actions/checkout@")
    assert checkout["with"] == {
        "ref": "${{ github.event.repository.default_branch }}",
        "persist-credentials": False,
    }
    (download,) = steps_using(job, "actions/download-artifact@")
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["pattern"] == workflows.COMMENT_ARTIFACT.format(stack="*")
    post = next(step for step in job["steps"] if "tools.pr_comment" in step.get("run", ""))
    assert post["run"].startswith("python3 -m tools.pr_comment ")
    assert f"--stages {','.join(stage.name for stage in STAGES)}" in post["run"]
    assert post["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    text = yaml.safe_dump(job)
    assert "secrets." not in text and "head_branch" not in text and "setup-python" not in text
    for path in WORKFLOWS.glob("*.yml"):
        assert "pull_request_target" not in load(path.name)["on"], path.name


def test_drift_is_checked_daily_for_every_stage_with_its_preview_role_in_its_drift_environment():
    assert DRIFT["on"] == {"schedule": [{"cron": workflows.DRIFT_SCHEDULE}], "workflow_dispatch": {}}
    job = DRIFT["jobs"]["drift"]
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["environment"] == "${{ matrix.stack }}-drift"
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    entries = job["strategy"]["matrix"]["include"]
    assert [entry["stack"] for entry in entries] == [stage.name for stage in STAGES]
    for entry, stage in zip(entries, STAGES, strict=True):
        assert entry["region"] == stage.region
        assert entry["role_variable"] == f"AWS_PREVIEW_ROLE_ARN_{stage.suffix}", (
            "read-only: never the deploy role"
        )
        assert entry["backend_variable"] == f"PULUMI_BACKEND_URL_{stage.suffix}"
    runs = [step.get("run", "") for step in job["steps"]]
    check = next(i for i, run in enumerate(runs) if "pulumi refresh" in run)
    assert "--preview-only --expect-no-changes --json" in runs[check] and 'echo "status=$?"' in runs[check]
    report = next(i for i, run in enumerate(runs) if "tools.drift" in run)
    assert check < report and job["steps"][report]["env"]["STATUS"] == "${{ steps.refresh.outputs.status }}"
    assert job["concurrency"] == {"group": "drift-${{ matrix.stack }}", "cancel-in-progress": False}


def test_drift_compares_aws_with_the_deployed_state_never_with_the_program_on_main():
    """A merge that is not deployed yet is not drift. ``pulumi refresh --preview-only`` "compares the
    response to the stack's current state ... does not modify the state file"
    (https://www.pulumi.com/docs/iac/operations/stack-management/drift/); ``pulumi preview --refresh``
    runs the program of the checked-out commit and so proposed every undeployed merge; ``--run-program``
    would do the same, and a refresh without ``--preview-only`` writes the state (with a read-only role
    it fails, and with any other it would adopt the drift it should report)."""
    runs = " ".join(step.get("run", "") for step in DRIFT["jobs"]["drift"]["steps"])
    pulumi_commands = [line.strip() for line in runs.splitlines() if line.strip().startswith("pulumi ")]
    assert pulumi_commands == [
        'pulumi refresh --stack "$STACK" --preview-only --expect-no-changes --json --suppress-outputs \\'
    ]
    assert "--run-program" not in runs and "pulumi preview" not in runs and "pulumi up" not in runs


def _urn_glob(pattern: str) -> re.Pattern[str]:
    """Pulumi's URN wildcards (``pulumi refresh --exclude``: ``*`` and ``**``) as a regular expression."""
    return re.compile(".*".join(re.escape(part) for part in re.split(r"\*+", pattern)) + "$")


def test_drift_skips_exactly_the_secret_versions_whose_refresh_reads_a_value_the_preview_role_never_gets():
    """terraform-provider-aws secretsmanager/secret_version.go reads a version back with GetSecretValue,
    which the preview role is never given (bootstrap/preview_reads.py NOT_PREVIEW_READS): without the
    exclusion every stack with a cache would end its drift check in AccessDenied, an error, not drift.
    Every other resource is refreshed, the secret itself included."""
    from tests.delivery.test_role_arns import fixture_runs

    runs = " ".join(step.get("run", "") for step in DRIFT["jobs"]["drift"]["steps"])
    excluded = [_urn_glob(p) for p in re.findall(r"--exclude '([^']+)'", runs)]
    assert len(excluded) == 1
    urns = [r.urn for _, _, run in fixture_runs() for r in run.resources if r.custom]
    skipped = {urn for urn in urns if any(p.match(urn) for p in excluded)}
    versions = {urn for urn in urns if "$aws:secretsmanager/secretVersion:SecretVersion::" in urn}
    assert versions and skipped == versions


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_the_test_job_restores_the_kept_stack_runs_before_make_test(name: str):
    """The kept runs live where tests/conftest.py looks (out/test-runs under the project root); the cache
    is restored before ``make test`` and its key changes with any source, so a new one is saved."""
    from tests.conftest import KEPT_RUNS

    steps = load(name)["jobs"]["test"]["steps"]
    uses = [i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("actions/cache@")]
    tests = [i for i, step in enumerate(steps) if step.get("run") == "make test"]
    assert len(uses) == 1 and len(tests) == 1 and uses[0] < tests[0]
    cache = steps[uses[0]]["with"]
    assert PROJECT_ROOT / cache["path"] == KEPT_RUNS
    assert "hashFiles('**/*.py'" in cache["key"] and cache["restore-keys"] == "test-runs-"
