"""Rollback depth (issue 25 finding 14): a deploy never deletes the image the previous task definition
runs, and each built service's repository keeps a documented number of images per environment."""

import json
from pathlib import Path

import pulumi
import pytest

from components.service.image import DOCKER_BUILD_IMAGE, keep_pushed_images
from plan.engine import run_stack
from plan.stack_files import read_yaml
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

WORKFLOWS = Path(__file__).parents[2] / ".github" / "workflows"


def _transformed(type_: str) -> pulumi.ResourceTransformResult | None:
    args = pulumi.ResourceTransformArgs(
        custom=True, type_=type_, name="api-1a2b3c", props={}, opts=pulumi.ResourceOptions()
    )
    return keep_pushed_images(args)


def test_a_new_image_tag_leaves_the_previously_pushed_image_in_the_registry():
    """awsx names the docker-build child after the tag, so a new tag deletes the old child, and
    docker-build's Delete removes its manifest from ECR (pulumi-docker-build image.go Delete)."""
    result = _transformed(DOCKER_BUILD_IMAGE)
    assert result is not None and result.opts is not None and result.opts.retain_on_delete is True
    assert _transformed("aws:ecr/repository:Repository") is None


@pytest.mark.parametrize(("stack", "kept"), [(EXAMPLE_DEV, 10), (EXAMPLE_PROD, 30)])
def test_every_built_image_is_retained_and_the_repository_keeps_the_environments_number_of_images(
    stack, kept
):
    run = run_stack(stack, root=FIXTURES)
    images = run.of_type("awsx:ecr:Image")
    assert images and all(image.options["transforms"] == 1 for image in images)
    for policy in run.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy"):
        rules = json.loads(policy.inputs["policy"])["rules"]
        keep = [rule for rule in rules if rule["selection"]["countType"] == "imageCountMoreThan"]
        assert [rule["selection"]["countNumber"] for rule in keep] == [kept]
        assert keep[0]["selection"]["tagStatus"] == "any"


def test_no_workflow_deletes_images_from_a_registry():
    text = "\n".join(path.read_text() for path in sorted(WORKFLOWS.glob("*.yml")))
    for command in (
        "batch-delete-image",
        "BatchDeleteImage",
        "docker rmi",
        "docker image rm",
        "delete-repository",
    ):
        assert command not in text


def test_a_service_keeps_as_many_images_as_its_build_keep_images_says():
    services = read_yaml(FIXTURES / "Pulumi.example-dev.yaml")["config"]["webstack:services"]
    built = {name: s for name, s in services.items() if "build" in s}
    name = sorted(built)[0]
    edited = {**services, name: {**built[name], "build": {**built[name]["build"], "keepImages": 3}}}
    run = run_stack("example-dev", {"webstack:services": edited}, root=FIXTURES)
    policy = next(
        p for p in run.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy") if p.name.startswith(f"{name}-")
    )
    counts = [
        rule["selection"]["countNumber"]
        for rule in json.loads(policy.inputs["policy"])["rules"]
        if rule["selection"]["countType"] == "imageCountMoreThan"
    ]
    assert counts == [3]
