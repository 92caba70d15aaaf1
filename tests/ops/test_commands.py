"""The five commands against a fake AWS seeded from the example stacks' outputs: output and exit code."""

import json

import pytest
from moto.ecs.models import ecs_backends

from tests.ops.conftest import SECRET_VALUE, SESSION_TOKEN, Fake


def test_status_shows_each_service_counts_deployment_digests_targets_and_only_its_own_alarms(fake_dev: Fake):
    code, out, err = fake_dev.run("status")
    assert (code, err) == (0, "")
    blocks = {block.split(" ", 1)[0]: block for block in out.split("\n\n")[1:]}
    assert set(blocks) == {"api", "web"}
    api = blocks["api"]
    assert api.startswith("api (api-service-id): DEGRADED  desired 2  running 2  pending 0  exec on")
    assert (
        "deployment PRIMARY COMPLETED   api-task:1  2/2 running  "
        "image sha256:111111111111, sha256:222222222222" in api
    )
    assert "targets targetgroup/api-tg/" in api and ": 2 healthy" in api
    assert "alarms in ALARM: webstack-example-dev-api-5xx-rate\n" in api + "\n"
    assert blocks["web"].startswith("web (web-service-id): ok ")
    assert "alarms in ALARM: none" in blocks["web"]


def test_status_json_is_one_record_per_service_for_scripts(fake_dev: Fake):
    code, out, _ = fake_dev.run("status", "api", "--json")
    document = json.loads(out)
    assert code == 0 and document["stack"] == "example-dev"
    (api,) = document["services"]
    assert (api["service"], api["desired"], api["running"], api["execEnabled"]) == ("api", 2, 2, True)
    assert api["deployments"][0]["taskDefinition"] == "api-task:1"
    assert api["deployments"][0]["imageDigests"] == ["sha256:" + "1" * 64, "sha256:" + "2" * 64]
    assert api["targets"][0]["states"] == {"healthy": 2}
    assert api["alarms"] == ["webstack-example-dev-api-5xx-rate"]


def test_logs_prefix_every_line_with_its_task_and_container_oldest_first(fake_dev: Fake):
    code, out, _ = fake_dev.run("logs", "api", "--since", "1h")
    first, second = fake_dev.task_ids("api")
    assert code == 0
    assert out.splitlines() == [
        f"2026-09-21T14:03:20Z {first[:8]} api | GET /healthz 200 (api task 0)",
        f"2026-09-21T14:03:21Z {first[:8]} api | ERROR api task 0 lost its database",
        f"2026-09-21T14:04:20Z {second[:8]} api | GET /healthz 200 (api task 1)",
        f"2026-09-21T14:04:21Z {second[:8]} api | ERROR api task 1 lost its database",
    ]


def test_logs_narrow_to_one_task_a_filter_pattern_and_a_time_window(fake_dev: Fake):
    second = fake_dev.task_ids("api")[1]
    _, out, _ = fake_dev.run("logs", "api", "--task", second[:6], "--filter", "ERROR")
    assert out.splitlines() == [f"2026-09-21T14:04:21Z {second[:8]} api | ERROR api task 1 lost its database"]
    _, out, _ = fake_dev.run("logs", "api", "--since", "5m")
    assert out.splitlines() == ["# no log lines in api-logs-id in the last 5m"]


def test_logs_follow_live_tails_the_group_by_its_arn(fake_dev: Fake):
    code, out, _ = fake_dev.run("logs", "web", "--since", "1m", "--follow")
    assert code == 0 and "# following web-logs-id (Ctrl-C stops)" in out
    (tail,) = [params for _, op, params in fake_dev.calls if op == "StartLiveTail"]
    assert tail["logGroupIdentifiers"] == ["arn:aws:logs:eu-west-1:111111111111:log-group:web-logs-id"]


def test_exec_hands_the_session_to_the_plugin_with_the_aws_cli_argv(fake_dev: Fake):
    code, _, err = fake_dev.run("exec", "api")
    newest = fake_dev.task_ids("api")[-1]
    assert code == 0 and f"# api: task {newest}, container api: /bin/sh" in err
    (execute,) = [params for _, op, params in fake_dev.calls if op == "ExecuteCommand"]
    assert execute == {
        "cluster": "cluster-ecs-id",
        "task": fake_dev.tasks["api"][-1],
        "container": "api",
        "command": "/bin/sh",
        "interactive": True,
    }
    (argv,) = fake_dev.plugin_runs
    assert argv[0] == "session-manager-plugin" and argv[2:5] == ["eu-west-1", "StartSession", ""]
    assert json.loads(argv[1])["tokenValue"] == SESSION_TOKEN
    assert json.loads(argv[5]) == {"Target": f"ecs:cluster-ecs-id_{newest}_{newest}-10000"}
    assert argv[6] == "https://ecs.eu-west-1.amazonaws.com"


def test_exec_runs_the_given_command_in_the_chosen_task(fake_dev: Fake):
    first = fake_dev.task_ids("web")[0]
    code, _, _ = fake_dev.run("exec", "web", "--task", first[:8], "--", "ls", "-la", "/app dir")
    (execute,) = [params for _, op, params in fake_dev.calls if op == "ExecuteCommand"]
    assert code == 0 and execute["task"].endswith(first) and execute["command"] == "ls -la '/app dir'"


def _stop_with(fake: Fake, monkeypatch: pytest.MonkeyPatch, exit_code: int | None, reason: str) -> None:
    """On the tool's first wait, ECS stops the one-off task (exit code or none) and its log has a line."""
    import boto3

    def stop(_: float) -> None:
        tasks = ecs_backends[fake.account]["eu-west-1"].tasks["cluster-ecs-id"]
        (task,) = [t for t in tasks.values() if t.started_by == "webstack-ops"]
        task.last_status, task.stopped_reason = "STOPPED", reason
        for container in task.containers:
            setattr(container, "exitCode", exit_code)  # noqa: B010 (moto's model has no annotation for it)
        stream = f"api/api/{task.id}"
        logs = boto3.client("logs", region_name="eu-west-1")
        logs.create_log_stream(logGroupName="api-logs-id", logStreamName=stream)
        logs.put_log_events(
            logGroupName="api-logs-id",
            logStreamName=stream,
            logEvents=[{"timestamp": 1_790_000_000_000, "message": "Applied 3 migrations"}],
        )

    monkeypatch.setattr("ops.run._sleep", stop)


def test_run_starts_the_services_task_in_its_network_streams_its_log_and_exits_with_its_code(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    _stop_with(fake_dev, monkeypatch, 3, "Essential container in task exited")
    code, out, err = fake_dev.run("run", "api", "--", "python", "manage.py", "migrate")
    assert code == 3
    (started,) = [params for _, op, params in fake_dev.calls if op == "RunTask"]
    assert started["overrides"] == {
        "containerOverrides": [{"name": "api", "command": ["python", "manage.py", "migrate"]}]
    }
    assert started["taskDefinition"].endswith("task-definition/api-task:1")
    assert started["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert started["launchType"] == "FARGATE" and started["startedBy"] == "webstack-ops"
    assert out.endswith(" api | Applied 3 migrations\n")
    assert "secrets by name: DB_PASSWORD" in err
    assert "api exited with code 3 (task stopped: Essential container in task exited)" in err


def test_run_of_a_task_that_never_ran_its_container_exits_1_with_the_stopped_reason(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    _stop_with(fake_dev, monkeypatch, None, "CannotPullContainerError: pull access denied")
    code, _, err = fake_dev.run("run", "api", "--", "true")
    assert code == 1
    assert "failed before api exited: CannotPullContainerError: pull access denied." in err


def test_db_tunnel_forwards_a_local_port_through_a_task_of_the_declaring_service(fake_dev: Fake):
    outputs = dict(fake_dev.outputs)
    outputs["databases"] = {
        "main": {
            "address": "main.abc.eu-west-1.rds.amazonaws.com",
            "port": 5432,
            "dbName": "app",
            "secretArn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-1",
            "services": ["api"],
        }
    }
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    code, _, err = fake_dev.run("db", "--local-port", "25432")
    newest = fake_dev.task_ids("api")[-1]
    assert code == 0
    (start,) = [params for _, op, params in fake_dev.calls if op == "StartSession"]
    assert start == {
        "Target": f"ecs:cluster-ecs-id_{newest}_{newest}-10000",
        "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost",
        "Parameters": {
            "host": ["main.abc.eu-west-1.rds.amazonaws.com"],
            "portNumber": ["5432"],
            "localPortNumber": ["25432"],
        },
    }
    (argv,) = fake_dev.plugin_runs
    assert json.loads(argv[5]) == start and argv[6] == "https://ssm.eu-west-1.amazonaws.com"
    assert "--secret-id 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-1'" in err
    assert 'psql "host=localhost port=25432 dbname=app sslmode=require"' in err


def test_cache_tunnel_uses_the_cache_port_and_names_its_secret_only(fake_dev: Fake):
    outputs = dict(fake_dev.outputs)
    outputs["caches"] = {
        "sessions": {
            "address": "sessions.cache.amazonaws.com",
            "port": 6379,
            "services": ["web"],
            "secretArn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:cache",
        }
    }
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    code, _, err = fake_dev.run("cache")
    (start,) = [params for _, op, params in fake_dev.calls if op == "StartSession"]
    assert code == 0 and start["Parameters"]["portNumber"] == ["6379"]
    assert start["Parameters"]["localPortNumber"] == ["16379"]
    assert "valkey-cli -h localhost -p 16379 --tls" in err


def test_no_command_prints_a_secret_value_or_the_session_token(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    _stop_with(fake_dev, monkeypatch, 0, "Essential container in task exited")
    printed = ""
    for argv in (
        ("status",),
        ("status", "--json"),
        ("logs", "api"),
        ("exec", "api"),
        ("run", "api", "--", "env"),
    ):
        code, out, err = fake_dev.run(*argv)
        assert code == 0, err
        printed += out + err
    assert SECRET_VALUE not in printed and SESSION_TOKEN not in printed
    assert "DB_PASSWORD" in printed  # named, as a secret may be


def test_run_with_a_timeout_stops_the_task_when_it_passes_and_exits_124(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    ticks = iter(range(0, 10_000, 200))  # each look at the clock is 200 s later
    monkeypatch.setattr("ops.run._clock", lambda: float(next(ticks)))
    monkeypatch.setattr("ops.run._sleep", lambda _: None)
    code, _, err = fake_dev.run("run", "api", "--timeout", "5m", "--", "sleep", "3600")
    (started,) = [params for _, op, params in fake_dev.calls if op == "RunTask"]
    (stop,) = [params for _, op, params in fake_dev.calls if op == "StopTask"]
    task = [t for t in ecs_backends[fake_dev.account]["eu-west-1"].tasks["cluster-ecs-id"].values()]
    (one_off,) = [t for t in task if t.started_by == "webstack-ops"]
    assert code == 124 and started["startedBy"] == "webstack-ops"
    assert stop == {
        "cluster": "cluster-ecs-id",
        "task": one_off.task_arn,
        "reason": "webstack-ops: --timeout 5m reached",
    }
    assert f"# task {one_off.id}: --timeout 5m reached, stopping it (ecs:StopTask)" in err
    assert err.endswith(f"# task {one_off.id} stopped after --timeout 5m (exit code 124).\n")


def test_run_refuses_a_malformed_timeout_before_starting_anything(fake_dev: Fake):
    code, _, err = fake_dev.run("run", "api", "--timeout", "soon", "--", "true")
    assert code == 1 and "--timeout: got 'soon'; use a number and a unit, for example 30m" in err
    assert not [op for _, op, _ in fake_dev.calls if op == "RunTask"]


def test_run_of_a_jobs_entry_says_only_services_run_for_now(fake_dev: Fake):
    outputs = dict(fake_dev.outputs, jobs={"nightly-report": {"schedule": "cron(0 3 * * ? *)"}})
    fake_dev.outputs_file.write_text(json.dumps(outputs))
    code, _, err = fake_dev.run("run", "nightly-report", "--", "true")
    assert code == 1
    assert "nightly-report is a webstack:jobs entry of stack example-dev; `run` starts one-off tasks" in err
    assert not [op for _, op, _ in fake_dev.calls if op in ("RunTask", "DescribeServices")]


def refuse_live_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    """StartLiveTail answers AccessDeniedException (a role without it, or a partition without Live Tail)."""
    from botocore.awsrequest import AWSResponse

    import ops.aws

    made = ops.aws.boto3.Session
    refusal = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized: logs:StartLiveTail"}}

    def session(*args, **kwargs):
        created = made(*args, **kwargs)
        created.events.register(
            "before-call.cloudwatch-logs.StartLiveTail",
            lambda **_: (AWSResponse("https://fake", 400, {}, None), refusal),
        )
        return created

    monkeypatch.setattr("ops.aws.boto3.Session", session)


def test_logs_follow_polls_each_new_line_once_when_live_tail_is_refused(
    fake_dev: Fake, monkeypatch: pytest.MonkeyPatch
):
    import boto3

    refuse_live_tail(monkeypatch)
    newest = fake_dev.task_ids("web")[-1]
    naps = []

    def nap(_: float) -> None:
        naps.append(1)
        if len(naps) == 1:
            boto3.client("logs", region_name="eu-west-1").put_log_events(
                logGroupName="web-logs-id",
                logStreamName=f"web/web/{newest}",
                logEvents=[{"timestamp": 1_790_000_000_000, "message": "GET /new 200"}],
            )
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr("ops.logs._sleep", nap)
    code, out, _ = fake_dev.run("logs", "web", "--follow")
    lines = out.splitlines()
    assert code == 0
    polling = lines.index(
        "# Live Tail unavailable (AccessDeniedException on logs:StartLiveTail); polling web-logs-id every 5s "
        "(Ctrl-C stops)"
    )
    assert len(lines[:polling]) == 4  # the hour before, then only the new line, once
    assert lines[polling + 1 :] == [f"2026-09-21T14:13:20Z {newest[:8]} web | GET /new 200", ""]
