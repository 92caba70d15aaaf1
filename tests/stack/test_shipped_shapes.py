"""Every shape webstack ships works as the user's own stack, and a third stage can be added.

Each fixture stack file (tests/stacks/, the reference design of docs/reference-designs.md among them) is
copied, as a user adopting it would, to ``Pulumi.<another name>.yaml`` in a scratch repository with
another region, another account and another ``Project`` tag, and goes through what guards a user's
stacks: every invariant of tests/support/stack_invariants.py (what tests/stack/test_stacks.py asserts
on the real root) and the workflows generated for it (what tests/delivery/test_workflows.py asserts).
The stage test follows docs/delivery-and-ci.md ("Adding a stage") step by step. All of it runs in this
process against scratch roots (plan/engine.py's ``root=``), not a pytest run per shape.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from plan.engine import PROJECT_ROOT, run_stack, stack_config
from plan.graph import stacks
from plan.stack_files import read_yaml
from tests.support import stack_invariants
from tests.support.fixture_stacks import BOOTSTRAP, FIXTURES
from tools import workflows
from tools.stages import STAGES_FILE, stages

SHAPES = stacks(FIXTURES)
REGION, PROJECT, NAME = "us-west-2", "shop", "acme-live"
"""Nothing like the shipped eu-west-1, webstack and dev/prod."""


def adopted(text: str, accounts: dict[str, str]) -> str:
    """A stack file's text as a user adapts it: their region, their accounts, their project's tag."""
    text = text.replace("eu-west-1", REGION).replace("Project: webstack", f"Project: {PROJECT}")
    for old, new in accounts.items():
        text = text.replace(old, new)
    return text


def accounts_of(path: Path) -> list[str]:
    return [str(account) for account in read_yaml(path)["config"]["aws:allowedAccountIds"]]


def scratch_repository(root: Path, order: list[str]) -> None:
    """What the workflows read besides the stack files: the stages file and the policy configs."""
    (root / ".github").mkdir(exist_ok=True)
    (root / STAGES_FILE).write_text(yaml.safe_dump({"promotion": order}))
    shutil.copytree(PROJECT_ROOT / "policy", root / "policy", ignore=shutil.ignore_patterns("venv", "tests"))


@pytest.mark.parametrize("shape", SHAPES)
def test_a_shipped_shape_copied_under_any_name_region_account_and_project_keeps_every_user_stack_guard(
    shape: str, tmp_path: Path
):
    source = FIXTURES / f"Pulumi.{shape}.yaml"
    accounts = {old: f"9{index:011d}" for index, old in enumerate(accounts_of(source), start=1)}
    (tmp_path / f"Pulumi.{NAME}.yaml").write_text(adopted(source.read_text(), accounts))
    stack = stack_invariants.synthesize(NAME, tmp_path)
    assert (stack.config["aws:region"], stack.config["aws:defaultTags"]["tags"]["Project"]) == (
        REGION,
        PROJECT,
    )
    assert stack_invariants.every_problem({NAME: stack}) == []

    scratch_repository(tmp_path, [NAME])
    (stage,) = stages(tmp_path)
    deploy = yaml.safe_load(workflows.generated(tmp_path)[".github/workflows/deploy.yml"])
    job = deploy["jobs"][f"up-{NAME}"]
    assert (job["needs"], job["environment"]) == ("test", NAME)
    assert f"aws-region: {REGION}" in workflows.deploy([stage])
    assert (tmp_path / stage.policy_config).is_file()


def test_a_third_stage_added_as_the_docs_say_keeps_every_user_stack_and_workflow_guard(tmp_path: Path):
    """docs/delivery-and-ci.md, "Adding a stage": a prod-profile staging between dev and prod."""
    for name, fixture in (("dev", "example-dev"), ("prod", "example-prod")):
        shutil.copy(FIXTURES / f"Pulumi.{fixture}.yaml", tmp_path / f"Pulumi.{name}.yaml")
    (tmp_path / "bootstrap").mkdir()
    for name, fixture in (("dev", "example-dev"), ("prod", "example-prod")):
        # the fixtures' bootstrap files (the user's bootstrap/Pulumi.*.yaml name the user's own accounts)
        shutil.copy(
            FIXTURES / "bootstrap" / f"Pulumi.{fixture}.yaml", tmp_path / "bootstrap" / f"Pulumi.{name}.yaml"
        )
    # 1. the stack file: a copy of prod's with the staging account
    (prod_account,) = accounts_of(tmp_path / "Pulumi.prod.yaml")
    staging_account = "333333333333"
    prod_text = (tmp_path / "Pulumi.prod.yaml").read_text()
    (tmp_path / "Pulumi.staging.yaml").write_text(prod_text.replace(prod_account, staging_account))
    # 2. the bootstrap stack file: prod's with the staging account and environment
    bootstrap_text = (tmp_path / "bootstrap" / "Pulumi.prod.yaml").read_text()
    (tmp_path / "bootstrap" / "Pulumi.staging.yaml").write_text(
        bootstrap_text.replace(prod_account, staging_account).replace(
            "githubEnvironment: prod", "githubEnvironment: staging"
        )
    )
    # 3. its place in the order of promotion, then `make workflows`
    scratch_repository(tmp_path, ["dev", "staging", "prod"])
    assert workflows.main([], root=tmp_path) == 0

    synthesized = {name: stack_invariants.synthesize(name, tmp_path) for name in ("dev", "staging", "prod")}
    assert stack_invariants.every_problem(synthesized) == []
    assert workflows.stale(tmp_path) == []
    deploy = yaml.safe_load((tmp_path / ".github/workflows/deploy.yml").read_text())
    chain = [(name, job.get("needs"), job.get("environment")) for name, job in deploy["jobs"].items()]
    assert chain == [
        ("test", None, None),
        ("up-dev", "test", "dev"),
        ("up-staging", "up-dev", "staging"),
        ("up-prod", "up-staging", "prod"),
    ]
    (pulumi,) = [s for s in deploy["jobs"]["up-staging"]["steps"] if s.get("uses") == "pulumi/actions@v7"]
    assert pulumi["with"]["policyPackConfigs"] == "policy/config.prod.json"
    assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL_STAGING }}"

    bootstrap = stack_config("staging", tmp_path / "bootstrap")
    program = stack_config("staging", tmp_path)
    assert [bootstrap[key] for key in ("aws:allowedAccountIds", "aws:region")] == [
        program[key] for key in ("aws:allowedAccountIds", "aws:region")
    ]
    assert bootstrap["webstack-bootstrap:githubEnvironment"] == "staging"
    roles = run_stack("staging", root=tmp_path / "bootstrap", project=BOOTSTRAP)
    deploy_role = roles.named("delivery-deploy").inputs["assumeRolePolicy"]
    assert "repo:your-org/webstack:environment:staging" in deploy_role


def test_the_guards_do_fail_when_what_a_stack_deploys_is_not_what_its_file_declares():
    """The invariants derive from the stack file, so a file that says something else is caught: the
    reference design read as an ALB stack, a call, a queue sender and a database user left undeclared."""
    reference = stack_invariants.synthesize("reference-apigw-ec2", FIXTURES)
    edge = {**reference.config["webstack:edge"], "kind": "alb"}
    as_alb = replace(reference, config={**reference.config, "webstack:edge": edge})
    assert stack_invariants.only_the_edge_is_reachable_from_the_internet(as_alb) != []
    assert "prod has no HTTPS listener" in " ".join(stack_invariants.prod_keeps_its_promises(as_alb))

    workers = stack_invariants.synthesize("workers-dev", FIXTURES)
    services = {name: dict(service) for name, service in workers.config["webstack:services"].items()}
    services["web"].pop("calls")
    queues = {name: {**queue, "senders": []} for name, queue in workers.config["webstack:queues"].items()}
    undeclared = replace(
        workers, config={**workers.config, "webstack:services": services, "webstack:queues": queues}
    )
    assert stack_invariants.only_declared_callers_reach_a_service_and_workers_admit_nothing(undeclared) == [
        "Pulumi.workers-dev.yaml: web reaches api, but webstack:services.web.calls does not list api"
    ]
    assert stack_invariants.only_a_queues_consumer_and_senders_hold_permissions_on_it(undeclared) != []

    data = stack_invariants.synthesize("data-dev", FIXTURES)
    outputs = {**data.graph["outputs"], "databases": {"main": {"services": []}}}
    unused = replace(data, graph={**data.graph, "outputs": outputs})
    found = stack_invariants.each_data_store_is_reachable_only_from_the_services_that_declare_it(unused)
    assert found and found[0].startswith("Pulumi.data-dev.yaml: db-main is reachable from")
