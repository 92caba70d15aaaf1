"""The Cluster component in both example stacks: insights, capacity providers, logged ECS Exec."""

import pytest

from plan.engine import Run

STACKS = ["dev", "prod"]


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    """Each example fixture stack: its environment name and its run (tests/conftest.py)."""
    return request.param, request.getfixturevalue(request.param)


def test_the_cluster_has_container_insights_both_capacity_providers_and_logged_exec(stack):
    name, run = stack
    cluster = run.named("cluster-ecs").inputs
    assert cluster["settings"] == [
        {"name": "containerInsights", "value": "enabled" if name == "dev" else "enhanced"}
    ]
    exec_config = cluster["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert (
        exec_config["logConfiguration"]["cloudWatchLogGroupName"]
        == run.named("cluster-exec-logs").state["name"]
    )
    capacity = run.named("cluster-capacity").inputs
    assert capacity["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    strategy = [
        (s["capacityProvider"], s["base"], s["weight"]) for s in capacity["defaultCapacityProviderStrategies"]
    ]
    if name == "prod":
        assert strategy == [("FARGATE", 1, 1)]
    else:
        assert ("FARGATE_SPOT", 0, 3) in strategy
    for service in run.of_type("aws:ecs/service:Service"):
        used = [
            (s["capacityProvider"], s["base"], s["weight"])
            for s in service.inputs["capacityProviderStrategies"]
        ]
        assert used == strategy
