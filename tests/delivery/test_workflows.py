"""The GitHub workflows: valid against GitHub's schema, and shaped the way safe delivery needs."""

import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from plan.engine import PROJECT_ROOT
from tests.support.fixture_stacks import USER_STACKS

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
STACKS = USER_STACKS


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as True
    return document


PULL_REQUEST = load("pull-request.yml")
DEPLOY = load("deploy.yml")


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action)]


def test_the_workflows_are_valid_github_workflows():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
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
    for entry in matrix:
        suffix = entry["stack"].upper()
        assert entry["role_variable"] == f"AWS_PREVIEW_ROLE_ARN_{suffix}"
        assert entry["backend_variable"] == f"PULUMI_BACKEND_URL_{suffix}"
        assert entry["secrets_variable"] == f"PULUMI_SECRETS_PROVIDER_{suffix}"


def test_previews_install_python_dependencies_first_and_apply_the_policy_pack():
    preview = PULL_REQUEST["jobs"]["preview"]
    steps = preview["steps"]
    install = next(i for i, step in enumerate(steps) if "make install" in step.get("run", ""))
    (pulumi,) = steps_using(preview, "pulumi/actions@")
    assert install < steps.index(pulumi)
    assert pulumi["uses"] == "pulumi/actions@v7"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["policyPackConfigs"] == "policy/config.${{ matrix.stack }}.json"
    for stack in STACKS:
        assert (PROJECT_ROOT / "policy" / f"config.{stack}.json").is_file(), (
            f"Pulumi.{stack}.yaml needs policy/config.{stack}.json (copy config.dev.json or config.prod.json)"
        )


@pytest.mark.parametrize(
    ("workflow", "job"), [("pr", "preview"), ("deploy", "up-dev"), ("deploy", "up-prod")]
)
def test_aws_credentials_come_from_oidc_roles_named_in_repository_variables(workflow, job):
    document = PULL_REQUEST if workflow == "pr" else DEPLOY
    (credentials,) = steps_using(document["jobs"][job], "aws-actions/configure-aws-credentials@")
    assert credentials["with"]["role-to-assume"].startswith("${{ vars")
    assert "aws-access-key-id" not in credentials["with"]


def test_only_jobs_that_talk_to_aws_may_request_an_oidc_token():
    for document in (PULL_REQUEST, DEPLOY):
        assert document["permissions"] == {"contents": "read"}
        for name, job in document["jobs"].items():
            uses_aws = bool(steps_using(job, "aws-actions/configure-aws-credentials@"))
            token = job.get("permissions", {}).get("id-token")
            assert (token == "write") == uses_aws, name


def test_merges_deploy_dev_then_prod_behind_its_environment():
    assert DEPLOY["on"]["push"]["branches"] == ["main"]
    jobs = DEPLOY["jobs"]
    assert jobs["up-dev"]["needs"] == "test" and jobs["up-prod"]["needs"] == "up-dev"
    assert jobs["up-dev"]["environment"] == "dev"
    assert jobs["up-prod"]["environment"] == "prod"
    for stack in ("dev", "prod"):
        (pulumi,) = steps_using(jobs[f"up-{stack}"], "pulumi/actions@v7")
        assert pulumi["with"]["command"] == "up"
        assert pulumi["with"]["stack-name"].endswith(stack)
        assert pulumi["with"]["policyPackConfigs"] == f"policy/config.{stack}.json"
        assert pulumi["with"]["cloud-url"] == f"${{{{ vars.PULUMI_BACKEND_URL_{stack.upper()} }}}}"


def test_every_job_that_touches_a_stack_has_its_own_concurrency_group():
    deploy_groups = {
        name: job["concurrency"] for name, job in DEPLOY["jobs"].items() if name.startswith("up-")
    }
    assert deploy_groups == {
        "up-dev": {"group": "pulumi-up-dev", "cancel-in-progress": False},
        "up-prod": {"group": "pulumi-up-prod", "cancel-in-progress": False},
    }
    preview = PULL_REQUEST["jobs"]["preview"]["concurrency"]
    assert "${{ matrix.stack }}" in preview["group"]


def test_no_secret_or_account_id_is_written_into_a_workflow():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert not re.search(r"\b\d{12}\b", text), path.name
        assert "AKIA" not in text
        assert not re.search(r"arn:aws:iam::", text)


@pytest.mark.parametrize(
    ("workflow", "job"), [("pr", "preview"), ("deploy", "up-dev"), ("deploy", "up-prod")]
)
def test_qemu_and_buildx_are_set_up_before_pulumi_builds_images(workflow, job):
    """build.platform linux/arm64 on GitHub's amd64 runners needs QEMU emulation and a buildx builder."""
    steps = (PULL_REQUEST if workflow == "pr" else DEPLOY)["jobs"][job]["steps"]
    uses = [step.get("uses", "") for step in steps]
    qemu, buildx = uses.index("docker/setup-qemu-action@v4"), uses.index("docker/setup-buildx-action@v4")
    assert qemu < buildx < uses.index("pulumi/actions@v7")


def test_the_first_deploy_creates_each_stack_and_a_pull_request_never_does():
    """pulumi/actions README: `upsert` creates the stack if it does not exist (createOrSelectStack)."""
    for stack in ("dev", "prod"):
        (up,) = steps_using(DEPLOY["jobs"][f"up-{stack}"], "pulumi/actions@")
        assert up["with"]["upsert"] is True
        assert up["with"]["secrets-provider"] == f"${{{{ vars.PULUMI_SECRETS_PROVIDER_{stack.upper()} }}}}"
    (preview,) = steps_using(PULL_REQUEST["jobs"]["preview"], "pulumi/actions@")
    assert "upsert" not in preview["with"]


def test_previews_run_in_a_preview_environment_and_suppress_stack_outputs():
    preview = PULL_REQUEST["jobs"]["preview"]
    assert preview["environment"] == "${{ matrix.stack }}-preview"
    (pulumi,) = steps_using(preview, "pulumi/actions@")
    assert pulumi["with"]["suppress-outputs"] is True


def test_deploy_jobs_run_only_on_main_even_when_dispatched_by_hand():
    assert "workflow_dispatch" in DEPLOY["on"]
    for job in ("up-dev", "up-prod"):
        assert DEPLOY["jobs"][job]["if"] == "github.ref == 'refs/heads/main'"
