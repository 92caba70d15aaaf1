"""A service's image (components/service/image.py): its ECR repository and the image it builds there."""

import json
from typing import Any

import pytest

from plan.engine import Run

STACKS = ["dev", "prod"]
PORTS = {"web": 8080, "api": 9090}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def test_ecr_repositories_scan_on_push_are_immutable_encrypted_and_expire_old_images(stack):
    _, run = stack
    for service in PORTS:
        repo = run.named(f"{service}-repo").inputs
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
        rules = json.loads(run.named(f"{service}-repo-lifecycle").inputs["policy"])["rules"]
        assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]
        # ECR requires a unique rulePriority per rule, and an "any" rule must have the highest number
        # (ECR lifecycle policy parameters: "tagStatus any ... must have the highest value for rulePriority").
        assert [r["rulePriority"] for r in rules] == [1, 2]
        image = run.named(f"{service}-image").inputs
        assert image["imageTag"].startswith(f"{service}-")
        assert (image["context"], image["dockerfile"]) == ("app", "app/Dockerfile"), "relative paths"
        assert container(run, service)["image"] == run.outputs["images"][service]
        assert run.outputs["images"][service].startswith(
            run.outputs["repositoryUrls"][service] + f":{service}-"
        )
