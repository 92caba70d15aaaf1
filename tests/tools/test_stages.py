"""The stages the workflows deploy (tools/stages.py, tools/workflows.py), on scratch repositories: any
names, any number, each stage's region and policy config from its own files, and a named error for
every way the stages file and the stack files can disagree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tools import workflows
from tools.stages import STAGES_FILE, StagesError, stages

STACK = """\
config:
  aws:region: {region}
  webstack:environment: {environment}
"""


def repository(tmp_path: Path, order: list[str], **files: tuple[str, str]) -> Path:
    """A scratch root: ``.github/stages.yml`` listing ``order``; a stack file per (environment, region)."""
    (tmp_path / ".github").mkdir()
    (tmp_path / STAGES_FILE).write_text(yaml.safe_dump({"promotion": order}))
    (tmp_path / "policy").mkdir()
    for profile in ("dev", "prod"):
        (tmp_path / "policy" / f"config.{profile}.json").write_text("{}\n")
    for name, (environment, region) in files.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(STACK.format(region=region, environment=environment))
    return tmp_path


def test_a_stage_inherits_its_profiles_policy_config_unless_it_has_its_own_and_keeps_its_region(tmp_path):
    root = repository(
        tmp_path,
        ["dev", "qa", "staging", "prod"],
        dev=("dev", "eu-west-1"),
        qa=("dev", "eu-central-1"),
        staging=("prod", "us-west-2"),
        prod=("prod", "eu-west-1"),
    )
    (root / "policy" / "config.staging.json").write_text("{}\n")
    found = [(s.name, s.environment, s.region, s.policy_config, s.suffix) for s in stages(root)]
    assert found == [
        ("dev", "dev", "eu-west-1", "policy/config.dev.json", "DEV"),
        ("qa", "dev", "eu-central-1", "policy/config.dev.json", "QA"),
        ("staging", "prod", "us-west-2", "policy/config.staging.json", "STAGING"),
        ("prod", "prod", "eu-west-1", "policy/config.prod.json", "PROD"),
    ]


def test_the_deploy_workflow_chains_the_stages_in_promotion_order_whatever_their_names(tmp_path):
    root = repository(
        tmp_path,
        ["sandbox", "api-west", "live"],
        sandbox=("dev", "eu-west-1"),
        live=("prod", "eu-west-1"),
        **{"api-west": ("prod", "us-west-2")},
    )
    deploy = yaml.safe_load(workflows.generated(root)[".github/workflows/deploy.yml"])
    jobs = deploy["jobs"]
    assert [(name, job.get("needs"), job.get("environment")) for name, job in jobs.items()] == [
        ("test", None, None),
        ("up-sandbox", "test", "sandbox"),
        ("up-api-west", "up-sandbox", "api-west"),
        ("up-live", "up-api-west", "live"),
    ]
    credentials = jobs["up-api-west"]["steps"][3]["with"]
    assert credentials == {
        "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN_API_WEST }}",
        "role-session-name": "webstack-deploy-api-west-${{ github.run_id }}",
        "aws-region": "us-west-2",
    }
    preview = yaml.safe_load(workflows.generated(root)[".github/workflows/pull-request.yml"])
    matrix = preview["jobs"]["preview"]["strategy"]["matrix"]["include"]
    assert [(e["stack"], e["region"], e["role_variable"]) for e in matrix] == [
        ("sandbox", "eu-west-1", "AWS_PREVIEW_ROLE_ARN_SANDBOX"),
        ("api-west", "us-west-2", "AWS_PREVIEW_ROLE_ARN_API_WEST"),
        ("live", "eu-west-1", "AWS_PREVIEW_ROLE_ARN_LIVE"),
    ]


@pytest.mark.parametrize(
    ("order", "files", "message"),
    [
        (
            ["dev", "prod"],
            {"dev": ("dev", "eu-west-1"), "prod": ("prod", "eu-west-1"), "qa": ("dev", "eu-west-1")},
            "Pulumi.qa.yaml is not in .github/stages.yml; add qa to promotion",
        ),
        (
            ["dev", "staging", "prod"],
            {"dev": ("dev", "eu-west-1"), "prod": ("prod", "eu-west-1")},
            "'staging' has no Pulumi.staging.yaml",
        ),
        (
            ["dev", "prod", "qa"],
            {"dev": ("dev", "eu-west-1"), "prod": ("prod", "eu-west-1"), "qa": ("dev", "eu-west-1")},
            "qa (webstack:environment dev) comes after prod (prod); promote the dev stages first",
        ),
        (
            ["dev", "prod", "dev"],
            {"dev": ("dev", "eu-west-1"), "prod": ("prod", "eu-west-1")},
            "'dev' is listed twice",
        ),
        (
            ["dev", "qa.1"],
            {"dev": ("dev", "eu-west-1"), "qa.1": ("prod", "eu-west-1")},
            "'qa.1' cannot name a GitHub job or variable",
        ),
        (
            ["dev", "qa-1", "qa_1"],
            {"dev": ("dev", "eu-west-1"), "qa-1": ("prod", "eu-west-1"), "qa_1": ("prod", "eu-west-1")},
            "share the variable suffix QA_1",
        ),
        (
            ["dev", "prod"],
            {"dev": ("dev", "eu-west-1"), "prod": ("staging", "eu-west-1")},
            "Pulumi.prod.yaml: webstack:environment is staging; set dev or prod",
        ),
    ],
    ids=["unlisted", "no-file", "dev-after-prod", "twice", "bad-name", "same-suffix", "bad-profile"],
)
def test_a_stages_file_that_disagrees_with_the_stack_files_is_refused_saying_what_to_change(
    tmp_path, order, files, message
):
    root = repository(tmp_path, order, **files)
    with pytest.raises(StagesError) as error:
        stages(root)
    assert message in str(error.value)
    assert workflows.main(["--check"], root=root) == 2
