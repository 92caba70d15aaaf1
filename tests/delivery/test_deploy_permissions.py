"""The deploy role's action table covers every resource type and invoke the program uses.

The table (bootstrap/deploy_actions.py ``DEPLOY_ACTIONS``) is keyed by Pulumi type token, so a component
that starts creating a new kind of resource fails here, naming the type, until it has a row.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from bootstrap.action_sets import ECR_CLEANUP_ACTIONS, IMAGE_PUSH_ACTIONS
from bootstrap.deploy_actions import DEPLOY_ACTIONS, INVOKE_ACTIONS, deploy_actions
from plan.engine import Run, run_stack
from plan.mocks import DOCKER_BUILD_IMAGE, EXAMPLE_ZONE_ID
from tests.support.fixture_stacks import USER_STACKS

FIXTURE_STACKS = Path(__file__).parents[1] / "stacks"
DEV_CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/db-AbCdEf"

# Every fixture stack, and every optional feature on at least once: a domain (certificate, DNS records,
# zone lookup), HTTPS and access logs in dev, a referenced image with a secret, extra task permissions
# and every scaling metric, exec off, no NAT.
FIXTURES = sorted(path.name.split(".")[1] for path in FIXTURE_STACKS.glob("Pulumi.*.yaml"))
"""Every fixture stack, so a fixture added with a new component is covered without editing this file."""
VARIATIONS: list[tuple[str, dict[str, Any]]] = [
    *((stack, {}) for stack in FIXTURES),
    ("example-dev", {"webstack:domain": {"zoneId": EXAMPLE_ZONE_ID, "host": "dev.example.com"}}),
    ("example-dev", {"webstack:edge": {"certificateArn": DEV_CERTIFICATE, "accessLogs": True}}),
    (
        "example-dev",
        {
            "webstack:network": {"cidr": "10.10.0.0/16", "natMode": "none", "interfaceEndpoints": True},
            "webstack:cluster": {"execEnabled": False},
            "webstack:services": {
                "api": {
                    "image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2",
                    "port": 9090,
                    "secrets": {"DB_PASSWORD": SECRET},
                    "taskPolicyStatements": [
                        {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::assets/*"]}
                    ],
                    "autoscaling": {"memoryTarget": 80, "requestsPerTarget": 500},
                }
            },
        },
    ),
]


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    # The user's own stacks too: whatever a valid stack creates, the deploy role must be able to manage.
    users = [run_stack(stack) for stack in USER_STACKS]
    return users + [run_stack(stack, overrides, root=FIXTURE_STACKS) for stack, overrides in VARIATIONS]


def test_every_resource_type_the_program_registers_has_a_row_in_the_deploy_action_table(runs):
    registered = {
        r.type
        for run in runs
        for r in run.resources
        # Custom resources, and awsx components (whose deploy-time work has its own row); the
        # docker-build image awsx creates is modelled by the engine and covered by the awsx row.
        if (r.custom or r.type.startswith("awsx:")) and r.type != DOCKER_BUILD_IMAGE
    }
    missing = sorted(registered - DEPLOY_ACTIONS.keys())
    assert not missing, (
        f"the deploy role has no actions for {missing}: add a row per type to DEPLOY_ACTIONS in "
        "bootstrap/deploy_actions.py with what the provider calls to create, read, update, tag and delete it"
    )
    assert {
        "awsx:ecr:Image",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:acm/certificate:Certificate",
    } <= registered


def test_every_invoke_the_program_makes_has_a_row_in_the_invoke_table(runs):
    called = {token for run in runs for token in run.invokes}
    missing = sorted(called - INVOKE_ACTIONS.keys())
    assert not missing, f"add the API calls behind {missing} to INVOKE_ACTIONS in bootstrap/deploy_actions.py"
    assert "aws:route53/getZone:getZone" in called
    assert "aws:elb/getServiceAccount:getServiceAccount" not in called


def test_target_tracking_may_manage_its_cloudwatch_alarms():
    """AWS ECS guide, "IAM permissions required for Amazon ECS service auto scaling"."""
    alarms = {"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"}
    assert alarms <= set(DEPLOY_ACTIONS["aws:appautoscaling/policy:Policy"])
    assert alarms <= set(DEPLOY_ACTIONS["aws:appautoscaling/target:Target"])


def test_built_images_can_be_pushed_with_exactly_the_ecr_push_actions():
    push = "GetAuthorizationToken BatchCheckLayerAvailability InitiateLayerUpload UploadLayerPart"
    pull = "CompleteLayerUpload PutImage BatchGetImage GetDownloadUrlForLayer"
    expected = tuple(f"ecr:{verb}" for verb in f"{push} {pull}".split())
    assert DEPLOY_ACTIONS["awsx:ecr:Image"] == IMAGE_PUSH_ACTIONS == expected


def test_a_repository_that_still_holds_images_can_be_deleted():
    """AWS ECR API, DeleteRepository: with force, ECR deletes the images on the caller's behalf."""
    assert ECR_CLEANUP_ACTIONS == (
        "ecr:DeleteRepository",
        "ecr:ListImages",
        "ecr:DescribeImages",
        "ecr:BatchDeleteImage",
    )
    assert set(ECR_CLEANUP_ACTIONS) <= set(DEPLOY_ACTIONS["aws:ecr/repository:Repository"])


def test_every_row_is_keyed_by_a_pulumi_token_and_names_real_actions():
    for token in [*DEPLOY_ACTIONS, *INVOKE_ACTIONS]:
        assert re.fullmatch(r"[a-z-]+:[A-Za-z0-9/]+:[A-Za-z0-9]+", token), f"{token!r} is no Pulumi token"
    for token, actions in DEPLOY_ACTIONS.items():
        assert len(set(actions)) == len(actions), f"{token} lists an action twice"
        for action in actions:
            service, _, verb = action.partition(":")
            assert service and verb and verb[0].isupper(), f"{token}: {action!r} is not service:Action"
    assert deploy_actions() == sorted(set(deploy_actions()))
