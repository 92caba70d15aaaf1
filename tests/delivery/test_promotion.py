"""Build once, promote by digest: a later stage runs the digests the first stage built and ran,
from its own registry (ECR replicated them there), builds nothing, and keeps every other resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plan import graph, images
from plan.engine import run_stack
from stack.promotion import (
    PROMOTION_ENV,
    PromotionRecord,
    in_registry,
    parse_record,
    promoted_images,
    record_from_outputs,
    running_record,
)
from stack.schema import ConfigError
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

API = "sha256:" + "ab" * 32
WEB = "sha256:" + "cd" * 32
DEV_REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com"
PROD_REGISTRY = "222222222222.dkr.ecr.eu-west-1.amazonaws.com"
RECORD = PromotionRecord(
    stage=EXAMPLE_DEV,
    commit="0123456789abcdef0123456789abcdef01234567",
    images={"api": f"{DEV_REGISTRY}/api-repo-abc1234@{API}", "web": f"{DEV_REGISTRY}/web-repo-abc1234@{WEB}"},
)


def _record_file(tmp_path: Path, record: PromotionRecord = RECORD) -> Path:
    path = tmp_path / "promotion.json"
    path.write_text(record.to_json())
    return path


@pytest.fixture
def promoted_prod(tmp_path, monkeypatch):
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path)))
    return run_stack(EXAMPLE_PROD, root=FIXTURES)


def _container_images(run) -> dict[str, str]:
    return {
        d.name.removesuffix("-task"): json.loads(d.inputs["containerDefinitions"])[0]["image"]
        for d in run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }


def test_a_later_stage_runs_the_first_stages_digests_from_its_own_registry_and_builds_nothing(promoted_prod):
    """ECR replication keeps the repository name and the digest (AWS ECR guide, "Private image
    replication"): the same repository and digest, in prod's own registry."""
    assert promoted_prod.of_type("awsx:ecr:Image") == []
    assert promoted_prod.of_type("docker-build:index:Image") == []
    assert _container_images(promoted_prod) == {
        "api": f"{PROD_REGISTRY}/api-repo-abc1234@{API}",
        "web": f"{PROD_REGISTRY}/web-repo-abc1234@{WEB}",
    }
    assert promoted_prod.outputs["images"] == _container_images(promoted_prod)


def test_promoting_keeps_every_resource_but_the_build_so_the_repositories_and_their_images_stay(
    promoted_prod, monkeypatch
):
    """A prod repository holds images (force_delete off): deleting it would fail, and a laptop deploy
    without a record builds into it again."""
    monkeypatch.delenv(PROMOTION_ENV)
    built = run_stack(EXAMPLE_PROD, root=FIXTURES)
    kept = {r.urn for r in promoted_prod.resources}
    gone = {r.type for r in built.resources if r.urn not in kept}
    assert gone == {"awsx:ecr:Image", "docker-build:index:Image"}
    assert len(promoted_prod.of_type("aws:ecr/repository:Repository")) == 2
    assert len(promoted_prod.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")) == 2


def test_a_record_without_an_image_for_a_built_service_stops_the_deploy_naming_the_service(
    tmp_path, monkeypatch
):
    partial = PromotionRecord(RECORD.stage, RECORD.commit, {"api": RECORD.images["api"]})
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path, partial)))
    with pytest.raises(ConfigError) as raised:
        run_stack(EXAMPLE_PROD, root=FIXTURES)
    message = str(raised.value)
    assert f"{PROMOTION_ENV}: {tmp_path / 'promotion.json'}" in message
    assert "has no image for services.web, which this stack builds" in message


def test_a_record_must_pin_each_image_by_digest():
    document = json.loads(RECORD.to_json())
    document["images"]["api"] = f"{DEV_REGISTRY}/api-repo-abc1234:latest"
    record, problems = parse_record(json.dumps(document), "promotion.json")
    assert record is None
    assert problems == [
        f'{PROMOTION_ENV}: promotion.json: images.api: got "{DEV_REGISTRY}/api-repo-abc1234:latest", but a '
        "promoted image is an ECR image by digest (<account>.dkr.ecr.<region>.amazonaws.com/<repository>"
        "@sha256:<64 hex>); rewrite the record"
    ]
    assert parse_record("{}", "x.json")[1][0].startswith(f"{PROMOTION_ENV}: x.json is not a promotion record")


def test_a_record_naming_a_service_this_stack_does_not_build_or_an_unpinned_account_is_refused():
    _, problems = promoted_images(RECORD, "r.json", {"api"}, ("222222222222",), "eu-west-1")
    assert problems == [
        f"{PROMOTION_ENV}: r.json: images.web: this stack has no services.web with build:; promote only "
        "the services both stacks build (an image: service is pinned in each stack file)"
    ]
    _, problems = promoted_images(RECORD, "r.json", {"api", "web"}, (), "eu-west-1")
    assert problems and "pin the stack to its one account" in problems[0]


def test_the_record_is_the_first_stages_images_output_of_its_built_services_only():
    outputs = {"images": {**RECORD.images, "proxy": "public.ecr.aws/nginx/nginx:1.27"}}
    record = record_from_outputs(EXAMPLE_DEV, RECORD.commit, outputs, {"api", "web"})
    assert record == RECORD
    with pytest.raises(ValueError, match="has no web"):
        record_from_outputs(
            EXAMPLE_DEV, RECORD.commit, {"images": {"api": RECORD.images["api"]}}, {"api", "web"}
        )
    with pytest.raises(ValueError, match="not ECR images by digest"):
        record_from_outputs(EXAMPLE_DEV, "c", {"images": {"api": "x/api:1"}}, {"api"})


def test_a_promoted_image_moves_to_the_stages_registry_with_its_repository_and_digest():
    assert in_registry(RECORD.images["api"], "333333333333", "us-east-1") == (
        f"333333333333.dkr.ecr.us-east-1.amazonaws.com/api-repo-abc1234@{API}"
    )


def test_the_plan_shows_each_services_digest_and_which_stage_ran_it(tmp_path, monkeypatch):
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path)))
    captured = graph.capture(EXAMPLE_PROD, FIXTURES)
    rows = images.images(captured, RECORD)
    assert [(r["service"], r["source"], r["digest"], r["ranBy"]) for r in rows] == [
        ("api", "promoted", API, f"{EXAMPLE_DEV} at 0123456789ab"),
        ("web", "promoted", WEB, f"{EXAMPLE_DEV} at 0123456789ab"),
    ]
    monkeypatch.delenv(PROMOTION_ENV)
    built = images.images(graph.capture(EXAMPLE_PROD, FIXTURES))
    assert [(r["source"], r["digest"], r["ranBy"]) for r in built] == [("built", None, None)] * 2
    lines = images.render(built, EXAMPLE_PROD, None)
    assert "no other stage has run it" in lines[2] and "--promotion FILE" in lines[-1]


def test_a_later_stage_waits_until_ecr_replicated_every_digest_and_names_the_missing_ones(monkeypatch):
    """moto's ECR: put_image returns the image's digest, describe_images finds it by digest and raises
    ImageNotFoundException or RepositoryNotFoundException otherwise (ECR API reference, DescribeImages)."""
    import hashlib

    import boto3
    from moto import mock_aws

    from tools import promotion

    for key, value in (("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "x")):
        monkeypatch.setenv(key, value)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"})
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    with mock_aws():
        ecr = boto3.client("ecr", region_name="eu-west-1")
        account = boto3.client("sts", region_name="eu-west-1").get_caller_identity()["Account"]
        record = PromotionRecord(
            EXAMPLE_DEV,
            "c",
            {"api": f"{DEV_REGISTRY}/api-repo-abc1234@{digest}", "web": RECORD.images["web"]},
        )
        ecr.create_repository(repositoryName="api-repo-abc1234")
        ticks = iter(range(0, 10_000, 100))
        missing = promotion.wait(record, ecr, account, "eu-west-1", 250, lambda _: None, lambda: next(ticks))
        assert missing == [f"api-repo-abc1234@{digest}", "web-repo-abc1234 (no repository yet)"]
        ecr.create_repository(repositoryName="web-repo-abc1234")
        assert promotion.missing_images(ecr, record, account, "eu-west-1") == [
            f"api-repo-abc1234@{digest}",
            f"web-repo-abc1234@{WEB}",
        ]
        pushed = ecr.put_image(repositoryName="api-repo-abc1234", imageManifest=manifest, imageTag="api-1")
        digest = pushed["image"]["imageId"]["imageDigest"]
        only_api = PromotionRecord(EXAMPLE_DEV, "c", {"api": f"{DEV_REGISTRY}/api-repo-abc1234@{digest}"})
        assert promotion.wait(only_api, ecr, account, "eu-west-1", 0, lambda _: None) == []


def test_the_record_step_reads_the_first_stages_stack_file_for_its_built_services(tmp_path):
    from tools import promotion

    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"images": dict(RECORD.images), "url": "https://x"}))
    out = tmp_path / "promotion.json"
    code = promotion.main(
        [
            "record",
            "--stage",
            EXAMPLE_DEV,
            "--commit",
            RECORD.commit,
            "--outputs",
            str(outputs),
            "--out",
            str(out),
        ],
        root=FIXTURES,
    )
    assert code == 0 and parse_record(out.read_text(), "p")[0] == RECORD


def _deployed_images(run) -> dict[str, str]:
    """The ``images`` output a deployed stage shows ``pulumi stack output --json``."""
    return dict(run.outputs["images"])


def test_a_pull_request_preview_of_a_later_stage_declares_what_its_deploy_declared_so_the_image_is_unchanged(
    promoted_prod, tmp_path, monkeypatch
):
    """The bug: prod's deploy ran the promoted digest (no docker-build image in its state), but its
    pull-request preview ran the program without a record, declared a build and showed an image to
    create and a new task definition. With the running record of prod's own ``images`` output, the
    preview declares exactly the deployed graph: same URNs, same task definitions (Pulumi diffs inputs
    against the state, so equal inputs are ``same``)."""
    monkeypatch.delenv(PROMOTION_ENV)
    unrecorded = run_stack(EXAMPLE_PROD, root=FIXTURES)
    deployed = {r.urn: r.inputs for r in promoted_prod.resources}
    assert {r.type for r in unrecorded.resources if r.urn not in deployed} == {
        "awsx:ecr:Image",
        "docker-build:index:Image",
    }, "without the record the preview announces image creates"
    running = running_record(EXAMPLE_PROD, {"images": _deployed_images(promoted_prod)}, {"api", "web"})
    assert running.running and running.images == _container_images(promoted_prod)
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path, running)))
    previewed = run_stack(EXAMPLE_PROD, root=FIXTURES)
    assert {r.urn: r.inputs for r in previewed.resources} == deployed
    assert _container_images(previewed) == _container_images(promoted_prod)


def test_a_built_service_that_the_stage_does_not_run_yet_is_previewed_as_a_build_and_a_dropped_one_is_ignored(
    tmp_path, monkeypatch
):
    """A pull request that adds a built service: prod runs no digest of it yet, so the running record
    has none and the preview shows its build (the deploy will promote dev's); one the stack no longer
    builds is not an error in a preview."""
    running = PromotionRecord(
        EXAMPLE_PROD,
        "",
        {"api": in_registry(RECORD.images["api"], "222222222222", "eu-west-1"), "gone": RECORD.images["web"]},
        running=True,
    )
    record, problems = parse_record(running.to_json(), "running.json")
    assert problems == [] and record == running
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path, running)))
    previewed = run_stack(EXAMPLE_PROD, root=FIXTURES)
    assert [i.name for i in previewed.of_type("awsx:ecr:Image")] == ["web-image"]
    assert _container_images(previewed)["api"] == f"{PROD_REGISTRY}/api-repo-abc1234@{API}"
    promotion = PromotionRecord(running.stage, "c", running.images)
    _, problems = promoted_images(promotion, "r.json", {"api", "web"}, ("222222222222",), "eu-west-1")
    assert len(problems) == 2, "a promotion record (not a running one) still names both"


def test_the_running_step_writes_what_the_stage_runs_from_its_outputs(tmp_path):
    from tools import promotion

    outputs = tmp_path / "outputs.json"
    prod_api = in_registry(RECORD.images["api"], "222222222222", "eu-west-1")
    outputs.write_text(json.dumps({"images": {"api": prod_api, "proxy": "nginx:1.27"}, "url": "https://x"}))
    out = tmp_path / "running.json"
    argv = ["running", "--stage", EXAMPLE_PROD, "--outputs", str(outputs), "--out", str(out)]
    assert promotion.main(argv, root=FIXTURES) == 0
    assert json.loads(out.read_text()) == {
        "format": "webstack-promotion/1",
        "stage": EXAMPLE_PROD,
        "commit": "",
        "running": True,
        "images": {"api": prod_api},
    }
    outputs.write_text(json.dumps({"images": {"api": "x/api:1"}}))
    assert promotion.main(argv, root=FIXTURES) == 1


BUILT_JOB = {
    "webstack:jobs": json.dumps(
        {
            "report": {
                "build": {"context": "app"},
                "command": ["python", "report.py"],
                "schedule": "rate(1 day)",
            }
        }
    )
}
JOB = "sha256:" + "ef" * 32


def test_a_built_job_is_promoted_by_digest_like_a_service_and_its_preview_shows_it_unchanged(
    tmp_path, monkeypatch
):
    """webstack:jobs reuses the promotion machinery: the first stage exports a built job's image as
    ``jobImages["jobs.<name>"]``, the record carries it beside the services', and a later stage runs
    that digest from its own registry and builds nothing, in a deploy (promotion record) and in a
    pull-request preview (running record of its own outputs) alike."""
    monkeypatch.delenv(PROMOTION_ENV, raising=False)
    dev = run_stack(EXAMPLE_DEV, BUILT_JOB, root=FIXTURES)
    assert list(dev.outputs["jobImages"]) == ["jobs.report"]
    assert sorted(i.name for i in dev.of_type("awsx:ecr:Image")) == [
        "api-image",
        "job-report-image",
        "web-image",
    ]
    outputs = {
        "images": dict(RECORD.images),
        "jobImages": {"jobs.report": f"{DEV_REGISTRY}/job-report-repo-abc1234@{JOB}"},
    }
    record = record_from_outputs(EXAMPLE_DEV, RECORD.commit, outputs, {"api", "web", "jobs.report"})
    assert record.images["jobs.report"] == outputs["jobImages"]["jobs.report"]
    with pytest.raises(ValueError, match=r"has no jobs\.report"):
        record_from_outputs(
            EXAMPLE_DEV, RECORD.commit, {"images": dict(RECORD.images)}, {"api", "web", "jobs.report"}
        )
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path, record)))
    prod = run_stack(EXAMPLE_PROD, BUILT_JOB, root=FIXTURES)
    assert prod.of_type("awsx:ecr:Image") == []
    (container,) = json.loads(prod.named("job-report-task").inputs["containerDefinitions"])
    assert container["image"] == f"{PROD_REGISTRY}/job-report-repo-abc1234@{JOB}"
    running = running_record(EXAMPLE_PROD, prod.outputs, {"api", "web", "jobs.report"})
    assert running.images["jobs.report"] == container["image"]
    monkeypatch.setenv(PROMOTION_ENV, str(_record_file(tmp_path, running)))
    previewed = run_stack(EXAMPLE_PROD, BUILT_JOB, root=FIXTURES)
    assert {r.urn: r.inputs for r in previewed.resources} == {r.urn: r.inputs for r in prod.resources}


def test_a_record_without_a_built_jobs_image_names_the_job():
    _, problems = promoted_images(
        RECORD, "r.json", {"api", "web", "jobs.report"}, ("222222222222",), "eu-west-1"
    )
    assert problems == [
        f"{PROMOTION_ENV}: r.json: the record of {EXAMPLE_DEV} has no image for jobs.report, which this "
        f"stack builds; deploy {EXAMPLE_DEV} with it first, or record again"
    ]
