"""Rollback depth: a deploy never deletes the image the previous task definition
runs, and each built service's repository keeps a documented number of images per environment."""

import json
from pathlib import Path

import pulumi
import pytest

from components.service.image import DOCKER_BUILD_IMAGE, build_on_deploy_only, keep_pushed_images
from plan import replacement
from plan.engine import run_stack
from plan.stack_files import read_yaml
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

WORKFLOWS = Path(__file__).parents[2] / ".github" / "workflows"


def _transformed(type_: str, transform=keep_pushed_images) -> pulumi.ResourceTransformResult | None:
    args = pulumi.ResourceTransformArgs(
        custom=True, type_=type_, name="api-1a2b3c", props={"push": True}, opts=pulumi.ResourceOptions()
    )
    return transform(args)


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
    assert images and all(image.options["transforms"] == 2 for image in images)
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


def test_previews_build_no_image_and_deploys_still_push_it():
    """docker-build's buildOnPreview defaults to true (pulumi-docker-build provider/internal/image.go
    SetDefault(&ia.BuildOnPreview, true)); awsx.ecr.Image does not expose it, so a transform sets it."""
    result = _transformed(DOCKER_BUILD_IMAGE, build_on_deploy_only)
    assert result is not None and result.props == {"push": True, "buildOnPreview": False}
    assert _transformed("aws:ecr/repository:Repository", build_on_deploy_only) is None


@pytest.mark.parametrize("stack", [EXAMPLE_DEV, EXAMPLE_PROD])
def test_every_task_definition_keeps_its_earlier_revisions_active_for_a_rollback(stack):
    """pulumi_aws TaskDefinition.skip_destroy: "Whether to retain the old revision when the resource is
    destroyed or replacement is necessary"; ECS cannot update a service to an INACTIVE revision."""
    definitions = run_stack(stack, root=FIXTURES).of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert definitions and all(d.inputs["skipDestroy"] is True for d in definitions)


def test_keeping_earlier_revisions_is_an_update_in_place_not_a_new_revision():
    """terraform-provider-aws ecs/task_definition.go: skip_destroy and tags are the only attributes that
    are not ForceNew; existing stacks take skipDestroy without a new revision or a rolling deploy."""
    token = "aws:ecs/taskDefinition:TaskDefinition"
    before = {"family": "web", "containerDefinitions": "[]", "tags": {"a": "1"}}
    assert replacement.replacing_changes(token, before, {**before, "skipDestroy": True}) == []
    assert replacement.replacing_changes(token, before, {**before, "tags": {"a": "2"}}) == []
    assert replacement.replacing_changes(token, before, {**before, "containerDefinitions": "[{}]"}) == [
        "containerDefinitions"
    ]
    assert replacement.forcing(token, ["skipDestroy", "cpu"]) == ["cpu"]
