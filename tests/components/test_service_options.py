"""Service options the real stack files do not use: secrets, task statements, scaling, checks, hosts."""

import json

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run, run_stack
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
PARAMETER = "arn:aws:ssm:eu-west-1:111111111111:parameter/app/token"


@pytest.fixture(scope="module")
def custom() -> Run:
    services = {
        "shop": {
            "image": "ghcr.io/example/shop:2.0.1",
            "port": 3000,
            "cpu": 1024,
            "memory": 3072,
            "routing": {"hostHeaders": ["shop.example.com"]},
            "environment": {"LOG_LEVEL": "info"},
            "secrets": {"DB_PASSWORD": f"{SECRET}:password::", "API_TOKEN": PARAMETER},
            "taskPolicyStatements": [
                {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::shop-assets/*"]}
            ],
            "autoscaling": {"cpuTarget": 55, "memoryTarget": 80, "scaleInCooldown": 600},
            "containerHealthCheck": {"command": ["CMD-SHELL", "wget -qO- localhost:3000/health || exit 1"]},
            "scratchPaths": ["/tmp", "/var/cache/shop"],
        }
    }
    return run_stack(
        EXAMPLE_DEV,
        {"webstack:services": services, "webstack:cluster": {"execEnabled": False}},
        root=FIXTURES,
    )


def test_secrets_reach_the_container_only_by_reference(custom: Run):
    (definition,) = json.loads(custom.named("shop-task").inputs["containerDefinitions"])
    assert definition["secrets"] == [
        {"name": "API_TOKEN", "valueFrom": PARAMETER},
        {"name": "DB_PASSWORD", "valueFrom": f"{SECRET}:password::"},
    ]
    assert definition["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]


def test_the_execution_role_may_read_exactly_the_configured_secrets(custom: Run):
    policy = custom.named("shop-execution-secrets")
    assert policy.inputs["role"] == custom.named("shop-execution-role").id
    statements = list(policy_statements(policy.inputs["policy"]))
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["secretsmanager:GetSecretValue"], [SECRET]),
        (["ssm:GetParameters"], [PARAMETER]),
    ]


def test_the_task_role_gets_exactly_the_configured_statements(custom: Run):
    policy = custom.named("shop-task-policy")
    assert policy.inputs["role"] == custom.named("shop-task-role").id
    (statement,) = policy_statements(policy.inputs["policy"])
    assert statement == {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["arn:aws:s3:::shop-assets/*"],
    }


def test_without_exec_the_task_role_gets_no_exec_permissions(custom: Run):
    with pytest.raises(KeyError):
        custom.named("shop-task-exec")
    assert custom.named("shop-service").inputs["enableExecuteCommand"] is False


def test_memory_tracking_is_added_when_configured(custom: Run):
    cpu = custom.named("shop-scale-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    memory = custom.named("shop-scale-memory").inputs["targetTrackingScalingPolicyConfiguration"]
    assert (cpu["targetValue"], cpu["scaleInCooldown"]) == (55.0, 600)
    assert (
        memory["predefinedMetricSpecification"]["predefinedMetricType"]
        == "ECSServiceAverageMemoryUtilization"
    )
    assert memory["targetValue"] == 80.0


def test_the_container_health_check_and_scratch_volumes_are_wired(custom: Run):
    (definition,) = json.loads(custom.named("shop-task").inputs["containerDefinitions"])
    assert definition["healthCheck"] == {
        "command": ["CMD-SHELL", "wget -qO- localhost:3000/health || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 10,
    }
    assert [m["containerPath"] for m in definition["mountPoints"]] == ["/tmp", "/var/cache/shop"]
    task = custom.named("shop-task").inputs
    assert (task["cpu"], task["memory"]) == ("1024", "3072")
    assert task["volumes"] == [{"name": "scratch-0"}, {"name": "scratch-1"}]


def test_a_referenced_image_is_used_as_is_without_a_repository(custom: Run):
    (definition,) = json.loads(custom.named("shop-task").inputs["containerDefinitions"])
    assert definition["image"] == "ghcr.io/example/shop:2.0.1"
    assert custom.of_type("aws:ecr/repository:Repository") == []
    assert custom.outputs["repositoryUrls"] == {}


def test_host_routing_matches_only_the_host(custom: Run):
    (rule,) = custom.of_type("aws:lb/listenerRule:ListenerRule")
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": ["shop.example.com"]}}]


def test_a_stack_without_services_builds_only_the_network_and_its_key():
    run = run_stack(EXAMPLE_DEV, {"webstack:services": None}, root=FIXTURES)
    assert {r.type.split(":")[1].split("/")[0] for r in run.resources if r.custom} == {
        "ec2",
        "cloudwatch",
        "iam",
        "kms",
    }
    assert "url" not in run.outputs
