"""``python -m ops rollback SERVICE`` against a fake AWS seeded from the example stack's outputs: the
service goes back to the revision before the one it runs (its image by digest), and waits for it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from ops import rollback
from tests.ops.conftest import Fake

NEW_IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/api-repo-abc1234@sha256:" + "9" * 64


def _deploy_new_revision(fake: Fake, key: str = "api") -> tuple[str, str]:
    """What a `pulumi up` with a new image does: register revision 2, update the service to it."""
    ecs = boto3.client("ecs", region_name="eu-west-1")
    service = fake.outputs["serviceNames"][key]
    cluster = fake.outputs["clusterName"]
    current = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["taskDefinition"]
    definition: dict[str, Any] = ecs.describe_task_definition(taskDefinition=current)["taskDefinition"]
    containers = [{**c, "image": NEW_IMAGE} for c in definition["containerDefinitions"]]
    newer = ecs.register_task_definition(
        family=definition["family"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=containers,
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=service, taskDefinition=newer)
    return current, newer


def _running(fake: Fake, key: str = "api") -> str:
    ecs = boto3.client("ecs", region_name="eu-west-1")
    services = [fake.outputs["serviceNames"][key]]
    return ecs.describe_services(cluster=fake.outputs["clusterName"], services=services)["services"][0][
        "taskDefinition"
    ]


@pytest.fixture
def no_waiting(monkeypatch):
    """moto starts no service tasks, so ECS's services_stable waiter never succeeds there: the wait is
    recorded (which cluster and service) and answered as ECS would once the rollout finished."""
    waited: list[tuple[str, str]] = []
    monkeypatch.setattr(
        rollback, "wait_until_stable", lambda ecs, cluster, service: waited.append((cluster, service))
    )
    return waited


def test_rollback_returns_the_service_to_the_revision_before_and_its_image_then_waits_until_steady(
    fake_dev: Fake, no_waiting
):
    previous, _ = _deploy_new_revision(fake_dev)
    code, out, err = fake_dev.run("rollback", "api")
    assert (code, err) == (0, "")
    assert _running(fake_dev) == previous
    family = previous.rsplit("/", 1)[-1].split(":")[0]
    assert out.splitlines()[0] == f"api: {family}:2 -> {family}:1"
    assert f"image now:   {NEW_IMAGE}" in out
    assert f"image after: {fake_dev.outputs['images']['api']}" in out
    assert no_waiting == [(fake_dev.outputs["clusterName"], fake_dev.outputs["serviceNames"]["api"])]
    assert "Not undone: migrations and data" in out


def test_rollback_to_a_named_revision_and_a_missing_one_names_the_active_revisions(
    fake_dev: Fake, no_waiting
):
    previous, newer = _deploy_new_revision(fake_dev)
    code, _, err = fake_dev.run("rollback", "api", "--to", "7")
    family = previous.rsplit("/", 1)[-1].split(":")[0]
    assert code == 1
    assert err == (
        f"python -m ops rollback: {family} has no ACTIVE revision 7; its ACTIVE revisions are: 2, 1.\n"
    )
    assert _running(fake_dev) == newer


def test_rollback_without_an_earlier_revision_says_to_redeploy_the_previous_commit(
    fake_dev: Fake, no_waiting
):
    code, _, err = fake_dev.run("rollback", "web")
    assert code == 1
    assert "has no earlier ACTIVE revision to roll back to" in err and "pulumi up" in err


def test_a_service_that_does_not_become_steady_is_one_paragraph_saying_the_update_stands():
    import botocore.exceptions

    from ops.errors import OpsError

    class Ecs:
        def get_waiter(self, name: str) -> Any:
            assert name == "services_stable"
            return self

        def wait(self, **kwargs: Any) -> None:
            raise botocore.exceptions.WaiterError("ServicesStable", "Max attempts exceeded", {})

    with pytest.raises(OpsError) as raised:
        rollback.wait_until_stable(Ecs(), "cluster", "api-service")
    assert str(raised.value) == (
        "api-service is not steady after 20 minutes; the update to the earlier revision stands. "
        "See `python -m ops status` for why."
    )
