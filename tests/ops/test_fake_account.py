"""The fake account a test of the ops commands starts from: the same whether seeded or copied."""

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.moto_api._internal import mock_random

from tests.ops import conftest
from tests.ops.conftest import Fake, faked


def account_as_described(fake: Fake) -> dict[str, Any]:
    """What the commands can read of the account: services, tasks, targets, alarms, log lines, ids."""
    region, cluster = fake.outputs["region"], fake.outputs["clusterName"]
    ecs, logs = boto3.client("ecs", region_name=region), boto3.client("logs", region_name=region)
    services = ecs.describe_services(cluster=cluster, services=list(fake.outputs["serviceNames"].values()))
    tasks = [arn for arns in fake.tasks.values() for arn in arns]
    described = ecs.describe_tasks(cluster=cluster, tasks=tasks)["tasks"]
    groups = boto3.client("elbv2", region_name=region).describe_target_groups()["TargetGroups"]
    return {
        "services": [
            (s["serviceName"], s["desiredCount"], s["taskDefinition"]) for s in services["services"]
        ],
        "tasks": [
            (t["taskArn"], t["lastStatus"], [c.get("imageDigest") for c in t["containers"]])
            for t in described
        ],
        "targets": sorted(g["TargetGroupArn"] for g in groups),
        "alarms": sorted(
            (a["AlarmName"], a["StateValue"])
            for a in boto3.client("cloudwatch", region_name=region).describe_alarms()["MetricAlarms"]
        ),
        "lines": sorted(
            e["message"]
            for group in fake.outputs["logGroups"].values()
            for e in logs.filter_log_events(logGroupName=group)["events"]
        ),
        "next id": mock_random.get_random_hex(8),
        "rule tags": _tagged_rule(region),
    }


def _tagged_rule(region: str) -> Any:
    """A tag put on the tasks' security group rule, read back (moto keeps rules on their EC2 backend)."""
    ec2 = boto3.client("ec2", region_name=region)
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["tasks"]}])
    rules = {"Name": "group-id", "Values": [found["SecurityGroups"][0]["GroupId"]]}
    rule = ec2.describe_security_group_rules(Filters=[rules])["SecurityGroupRules"][0]
    ec2.create_tags(Resources=[rule["SecurityGroupRuleId"]], Tags=[{"Key": "k", "Value": "v"}])
    return ec2.describe_security_group_rules(Filters=[rules])["SecurityGroupRules"][0].get("Tags")


@pytest.mark.usefixtures("aws_env", "fake_clock")
def test_a_second_fake_of_a_stack_is_the_account_its_seed_left_whatever_the_first_test_changed(
    dev_outputs: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    conftest._seeded.clear()  # pyright: ignore[reportPrivateUsage]
    seen = []
    for attempt in ("seeded", "copied", "copied again"):
        (tmp_path / attempt).mkdir()
        mock_random.seed(20)
        with mock_aws():
            fake = faked("example-dev", dev_outputs, tmp_path / attempt, monkeypatch)
            seen.append(account_as_described(fake))
            ecs = boto3.client("ecs", region_name=fake.outputs["region"])
            ecs.stop_task(cluster=fake.outputs["clusterName"], task=fake.tasks["api"][0], reason="changed")
            ecs.update_service(
                cluster=fake.outputs["clusterName"],
                service=fake.outputs["serviceNames"]["api"],
                desiredCount=5,
            )
    assert seen[0]["tasks"] and seen[0]["lines"] and seen[0]["alarms"] and seen[0]["rule tags"]
    assert seen[0] == seen[1] == seen[2]
