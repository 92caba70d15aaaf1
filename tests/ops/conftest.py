"""A fake AWS (moto) seeded with what a fixture stack's outputs name: the cluster, one ECS service per
``serviceNames`` entry with its task definition, running tasks, target group, alarms and log lines.

The outputs are the offline plan's (``plan.engine.run_stack`` of tests/stacks/Pulumi.example-*.yaml), so
the seed follows stack/exports.py's real export names. moto does not give tasks a container runtime id or
an image digest, and does not launch service tasks: the seed starts them with the service's group and
sets those two fields on moto's task model, as ECS would report them.
"""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.cloudwatch.models import cloudwatch_backends
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.logs import models as moto_logs
from moto.logs.models import logs_backends
from moto.moto_api._internal import mock_random

from ops import cli
from ops.aws import connect
from plan.engine import run_stack

STACKS = Path(__file__).parents[1] / "stacks"
SECRET_VALUE = "s3cr3t-Do-Not-Print-7f3a9"
"""A value the task definition carries in plain environment: no command may ever print it."""
SESSION_TOKEN = "token-Do-Not-Print-41c2"
"""The ECS Exec / Session Manager session token (handed to the plugin, never printed)."""
NOW = 1_790_000_000.0
"""The fake clock : log lines are written relative to it, moto's clock is set to it."""


def plan_outputs(stack: str) -> dict[str, Any]:
    """What `pulumi stack output --json` prints for the fixture stack (the offline plan's outputs)."""
    return json.loads(json.dumps(run_stack(stack, root=STACKS).outputs))


@pytest.fixture(scope="session")
def dev_outputs() -> dict[str, Any]:
    return plan_outputs("example-dev")


@pytest.fixture(scope="session")
def prod_outputs() -> dict[str, Any]:
    return plan_outputs("example-prod")


@dataclass
class Fake:
    """The seeded fake account and the outputs file that describes it."""

    stack: str
    outputs: dict[str, Any]
    outputs_file: Path
    account: str
    tasks: dict[str, list[str]] = field(default_factory=dict)
    """Service key -> its running task ARNs, oldest first."""
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """Every AWS call the commands made: (botocore service id, operation, the caller's parameters)."""
    plugin_runs: list[list[str]] = field(default_factory=list)
    """The argv each session-manager-plugin run got (the plugin is mocked: exit code 0)."""

    def task_ids(self, key: str) -> list[str]:
        return [arn.rsplit("/", 1)[-1] for arn in self.tasks[key]]

    def run(self, *argv: str) -> tuple[int, str, str]:
        """``python -m ops ARGV --outputs FILE``: exit code, stdout, stderr."""
        out, err = io.StringIO(), io.StringIO()
        words = list(argv)
        at = words.index("--") if "--" in words else len(words)
        words[at:at] = ["--outputs", str(self.outputs_file)]
        words[at:at] = ["--stack", self.stack]
        code = cli.main(words, out=out, err=err, project_dir=self.outputs_file.parent, connector=connect)
        return code, out.getvalue(), err.getvalue()

    def record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.service_id.hyphenize(), model.name, dict(params)))


CANNED: dict[str, Any] = {
    # moto has neither ECS ExecuteCommand nor SSM StartSession: these answers follow the API references'
    # response syntax (ECS API_ExecuteCommand, SSM API_StartSession).
    "ExecuteCommand": lambda params: {
        "clusterArn": f"arn:aws:ecs:eu-west-1:1:cluster/{params['cluster']}",
        "containerArn": f"{params['task']}/container",
        "containerName": params["container"],
        "interactive": True,
        "session": {
            "sessionId": "ecs-execute-command-0a1b",
            "streamUrl": "wss://ssmmessages.example/0a1b",
            "tokenValue": SESSION_TOKEN,
        },
        "taskArn": params["task"],
    },
    "StartSession": lambda params: {
        "SessionId": "operator-0c2d",
        "TokenValue": SESSION_TOKEN,
        "StreamUrl": "wss://ssmmessages.example/0c2d",
    },
}


def _canned(model: Any, params: dict[str, Any], **_: Any) -> Any:
    if model.name in CANNED:
        body = CANNED[model.name](model_params(model, params))
        return AWSResponse("https://fake", 200, {}, None), body
    return None


def model_params(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The request body as the caller gave it (JSON protocols send it as is)."""
    return (
        json.loads(params["body"]) if isinstance(params.get("body"), bytes | str) and params["body"] else {}
    )


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Callable[[Fake], None]:
    """Record every call of the commands, answer the APIs moto lacks, mock the plugin (all per fake)."""

    def install(fake: Fake) -> None:
        real = boto3.Session

        def session(*args: Any, **kwargs: Any) -> Any:
            made = real(*args, **kwargs)
            made.events.register("before-parameter-build", fake.record)
            made.events.register("before-call.ecs.ExecuteCommand", _canned)
            made.events.register("before-call.ssm.StartSession", _canned)
            return made

        monkeypatch.setattr("ops.aws.boto3.Session", session)
        monkeypatch.setattr("ops.plugin._which", lambda name: f"/usr/local/bin/{name}")
        monkeypatch.setattr("ops.plugin._call", lambda words: fake.plugin_runs.append(list(words)) or 0)

    return install


@pytest.fixture(scope="session", autouse=True)
def one_botocore_loader() -> Iterator[None]:
    """Every boto3 session of these tests reads AWS's service models through one loader. Each
    ``mock_aws()`` drops boto3's default session and each command makes its own, and a new session
    parses the models' JSON again (botocore/loaders.py memoizes per loader instance): ~150 clients,
    a third of the ops tests' time. The models are the same files; a data path still gets its own."""
    shared = botocore.loaders.create_loader()
    make = botocore.loaders.create_loader
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", lambda path=None: make(path) if path else shared)
        yield


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    # No command looks up an image: without this, each EC2 backend moto creates (four a test) builds its
    # ~1,300 default AMIs (moto/settings.py ec2_load_default_amis), a third of the ops tests' time.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def seed(
    stack: str, outputs: dict[str, Any], tmp_path: Path, exec_enabled: bool = True, tasks_per_service: int = 2
) -> Fake:
    """Create, in the active moto mock, everything ``outputs`` names; write the outputs file."""
    account = outputs["allowedAccountIds"][0]
    region = outputs["region"]
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as components/network does
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.0.0/20")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = boto3.client("ecs", region_name=region)
    ecs.put_account_setting(name="taskLongArnFormat", value="enabled")
    ecs.create_cluster(clusterName=outputs["clusterName"])
    fake = Fake(stack, outputs, tmp_path / f"{stack}.json", account)
    for key, ecs_service in outputs["serviceNames"].items():
        fake.tasks[key] = _service(
            outputs, key, ecs_service, vpc, subnet, group, exec_enabled, tasks_per_service
        )
    _alarms(outputs)
    _log_lines(fake)
    fake.outputs_file.write_text(json.dumps(outputs))
    return fake


def _service(
    outputs: dict[str, Any],
    key: str,
    ecs_service: str,
    vpc: str,
    subnet: str,
    group: str,
    exec_enabled: bool,
    count: int,
) -> list[str]:
    region, cluster = outputs["region"], outputs["clusterName"]
    ecs = boto3.client("ecs", region_name=region)
    definition = ecs.register_task_definition(
        family=f"{key}-task",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": key,
                "image": outputs["images"][key],
                "memory": 512,
                "environment": [{"name": "SESSION_KEY", "value": SECRET_VALUE}],
                "secrets": [
                    {"name": "DB_PASSWORD", "valueFrom": f"arn:aws:secretsmanager:{region}:1:secret:db"}
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": outputs["logGroups"][key],
                        "awslogs-region": region,
                        "awslogs-stream-prefix": key,
                    },
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    elbv2 = boto3.client("elbv2", region_name=region)
    target_group = elbv2.create_target_group(
        Name=f"{key}-tg", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=target_group, Targets=[{"Id": "10.10.0.10"}, {"Id": "10.10.0.11"}])
    network = {
        "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}
    }
    ecs.create_service(
        cluster=cluster,
        serviceName=ecs_service,
        taskDefinition=definition,
        desiredCount=count,
        launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=[{"targetGroupArn": target_group, "containerName": key, "containerPort": 8080}],
        enableExecuteCommand=exec_enabled,
    )
    # moto keeps neither the flag nor (without MOTO_ECS_SERVICE_RUNNING) running tasks on the service.
    backend = ecs_backends[outputs["allowedAccountIds"][0]][region]
    model: Any = backend.services[f"{cluster}:{ecs_service}"]
    model.enable_execute_command = exec_enabled
    started = ecs.run_task(
        cluster=cluster,
        taskDefinition=definition,
        count=count,
        launchType="FARGATE",
        networkConfiguration=network,
        group=f"service:{ecs_service}",
        startedBy="ecs-svc/1234567890",
    )["tasks"]
    arns = [t["taskArn"] for t in started]
    tasks = ecs_backends[outputs["allowedAccountIds"][0]][region].tasks[cluster]
    for index, arn in enumerate(arns):
        task: Any = tasks[arn]  # moto serializes extra attributes by their API names (snake_case)
        task.enable_execute_command = exec_enabled
        task.started_at = NOW - 3600 + index
        container: Any
        for container in task.containers:
            container.runtime_id = f"{arn.rsplit('/', 1)[-1]}-{index}0000"
            container.image_digest = "sha256:" + f"{index + 1:x}" * 64
            container.last_status = "RUNNING"
    return arns


def _alarms(outputs: dict[str, Any]) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=outputs["region"])
    for key, prefix in outputs["alarmPrefixes"].items():
        for role in ("5xx-rate", "cpu-high"):
            cloudwatch.put_metric_alarm(
                AlarmName=f"{prefix}-{role}",
                MetricName="CPUUtilization",
                Namespace="AWS/ECS",
                Period=60,
                EvaluationPeriods=1,
                Threshold=80,
                ComparisonOperator="GreaterThanThreshold",
                Statistic="Average",
            )
        if key == "api":
            cloudwatch.set_alarm_state(AlarmName=f"{prefix}-5xx-rate", StateValue="ALARM", StateReason="test")


def _log_lines(fake: Fake) -> None:
    logs = boto3.client("logs", region_name=fake.outputs["region"])
    for key, group in fake.outputs["logGroups"].items():
        logs.create_log_group(logGroupName=group)
        for index, task in enumerate(fake.task_ids(key)):
            stream = f"{key}/{key}/{task}"
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            lines = [f"GET /healthz 200 ({key} task {index})", f"ERROR {key} task {index} lost its database"]
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[
                    {"timestamp": int((NOW - 600 + 60 * index + n) * 1000), "message": line}
                    for n, line in enumerate(lines)
                ],
            )


def _rules_on(ec2: Any) -> None:
    """moto copies a security group rule with the EC2 backend it was made in, by reference
    (SecurityGroupRule.__deepcopy__): point each copied rule at the copy that is now the account's."""
    for groups in ec2.groups.values():
        for group in groups.values():
            for rule in (*group.ingress_rules, *group.egress_rules):
                rule.ec2_backend = ec2


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's and the tool's clocks at NOW, its ids from a seeded generator: a run prints the same text."""
    fixed = datetime.fromtimestamp(NOW, UTC).replace(tzinfo=None)
    monkeypatch.setattr(moto_logs, "utcnow", lambda: fixed)
    monkeypatch.setattr("ops.logs._now", lambda: NOW)
    mock_random.seed(20)


SEEDED_SERVICES = (ec2_backends, ecs_backends, elbv2_backends, cloudwatch_backends, logs_backends)
"""Every service :func:`seed` writes to."""
_seeded: dict[str, tuple[Any, Any]] = {}
"""A seed's arguments -> a deep copy of what it left (those services' backends in the fake's account and
region, and the task ARNs), and the id generator's state after it."""


def faked(
    stack: str, outputs: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> Fake:
    """:func:`seed` in the active mock; again with the same arguments, a copy of what the first left (a
    fresh EC2 region and forty calls cost 80 ms a test)."""
    account, region = outputs["allowedAccountIds"][0], outputs["region"]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", str(options.get("tasks_per_service", 2)))
    outputs = json.loads(json.dumps(outputs))
    key = json.dumps([stack, outputs, options], sort_keys=True)
    if key not in _seeded:
        fake = seed(stack, outputs, tmp_path, **options)
        left = [registry[account][region] for registry in SEEDED_SERVICES]
        _seeded[key] = (copy.deepcopy((left, fake.tasks)), mock_random.getstate())
        return fake
    (backends, tasks), ids = copy.deepcopy(_seeded[key][0]), _seeded[key][1]
    for registry, backend in zip(SEEDED_SERVICES, backends, strict=True):
        registry[account][region] = backend
    _rules_on(backends[0])
    mock_random.setstate(ids)
    boto3.setup_default_session()  # as the seed's clients leave it: a test's own calls are not recorded
    fake = Fake(stack, outputs, tmp_path / f"{stack}.json", account, tasks)
    fake.outputs_file.write_text(json.dumps(outputs))
    return fake


@pytest.fixture
def fake_dev(aws_env, fake_clock, hooks, dev_outputs, tmp_path, monkeypatch) -> Iterator[Fake]:
    with mock_aws():
        fake = faked("example-dev", dev_outputs, tmp_path, monkeypatch)
        hooks(fake)
        yield fake


@pytest.fixture
def fake_prod(aws_env, fake_clock, hooks, prod_outputs, tmp_path, monkeypatch) -> Iterator[Fake]:
    """example-prod: ECS Exec off (the prod default)."""
    with mock_aws():
        fake = faked("example-prod", prod_outputs, tmp_path, monkeypatch, exec_enabled=False)
        hooks(fake)
        yield fake
