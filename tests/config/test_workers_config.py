"""Named config errors for workers, queues, schedules, calls and container options."""

from typing import Any

import pytest

from components.pure import schedules
from stack.config import parse_settings
from stack.schema import ConfigError
from tests.config.test_config import IMAGE, raw

WEB = {"image": IMAGE, "port": 8080}
API = {"image": IMAGE, "port": 9090, "routing": {"pathPatterns": ["/api/*"]}}
WORKER = {"image": IMAGE}


def problems(services: dict[str, Any], **extra: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw(webstack__services=services, **extra), "test")
    return caught.value.problems


def test_a_service_without_a_port_is_a_worker_with_no_route():
    settings = parse_settings(raw(webstack__services={"web": WEB, "worker": WORKER}), "test")
    web, worker = settings.services
    assert worker.port is None and worker.is_worker and worker.route is None
    assert web.route is not None and web.route.path_patterns == ("/*",)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("routing", {"pathPatterns": ["/jobs/*"]}),
        ("healthCheckPath", "/healthz"),
        ("healthCheck", {"interval": 30}),
        ("healthCheckGracePeriod", 30),
    ],
)
def test_a_worker_with_load_balancer_settings_is_refused_by_name(key: str, value: Any):
    (problem,) = problems({"worker": {**WORKER, key: value}})
    assert problem.startswith(f"webstack:services.worker.{key}: set on a worker (no port)")
    assert "give webstack:services.worker.port" in problem


def test_a_worker_cannot_scale_on_requests():
    (problem,) = problems({"worker": {**WORKER, "autoscaling": {"requestsPerTarget": 100}}})
    assert problem.startswith("webstack:services.worker.autoscaling.requestsPerTarget: set on a worker")


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("cron(0 3 * * *)", "cron takes 6 fields"),
        ("cron(0 3 * * MON *)", "? in exactly one of day-of-month and day-of-week"),
        ("cron(0 3 ? * ? *)", "? in exactly one of day-of-month and day-of-week"),
        ("cron(0 25 * * ? *)", "the hours field '25' is outside 0-23"),
        ("rate(1 minutes)", "AWS wants rate(1 minute)"),
        ("rate(5 minute)", "AWS wants rate(5 minutes)"),
        ("rate(0 hours)", "not a positive whole number"),
        ("rate(2 weeks)", "not one of minute(s), hour(s), day(s)"),
        ("every day at 3", "neither cron(...) nor rate(...)"),
    ],
)
def test_a_schedule_expression_aws_would_reject_is_a_named_error(expression: str, reason: str):
    schedule = {"name": "nightly", "expression": expression}
    (problem,) = problems({"worker": {**WORKER, "schedules": [schedule]}})
    assert problem.startswith(f'webstack:services.worker.schedules[0].expression: got "{expression}", but')
    assert reason in problem


@pytest.mark.parametrize(
    "expression", ["cron(0 3 * * ? *)", "cron(0/15 8-18 ? * MON-FRI *)", "rate(1 day)", "rate(15 minutes)"]
)
def test_expressions_aws_accepts_pass(expression: str):
    assert schedules.expression_problem(expression) is None


def test_schedule_time_zones_and_names_are_checked():
    zone = {"name": "a", "expression": "rate(1 hour)", "timezone": "Mars/Olympus"}
    (problem,) = problems({"worker": {**WORKER, "schedules": [zone]}})
    assert problem.startswith('webstack:services.worker.schedules[0].timezone: got "Mars/Olympus"')
    twice = [{"name": "b", "expression": "rate(1 hour)"}, {"name": "b", "expression": "rate(2 hours)"}]
    assert problems({"worker": {**WORKER, "schedules": twice}}) == [
        "webstack:services.worker.schedules: two schedules are named 'b'; give each its own name"
    ]


def test_calls_to_a_missing_service_to_itself_or_to_a_worker_are_named_errors():
    found = problems({"web": {**WEB, "calls": ["web", "nope", "worker"]}, "worker": WORKER})
    assert found == [
        "webstack:services.web.calls: lists web itself; a service calls itself on localhost, remove it",
        'webstack:services.web.calls: got "nope", but no service has that name; call one of: worker',
        'webstack:services.web.calls: got "worker", but worker is a worker (no port) and serves nothing; '
        "give webstack:services.worker.port or remove the call",
    ]


def test_calls_that_form_a_cycle_are_refused_because_callers_deploy_after_callees():
    found = problems({"web": {**WEB, "calls": ["api"]}, "api": {**API, "calls": ["web"]}})
    assert found == [
        "webstack:services.api.calls: the calls form a cycle (api -> web -> api); callers deploy after the "
        "services they call, so one of these calls must go (or go through a queue)"
    ]


def test_a_queue_nobody_consumes_is_a_named_error():
    found = problems({"api": API}, webstack__queues={"jobs": {"senders": ["api"]}})
    assert found == [
        "webstack:queues.jobs.consumer: missing; name the service of this stack that consumes the queue, "
        "e.g. worker"
    ]
    found = problems(
        {"api": API}, webstack__queues={"jobs": {"consumer": "worker", "senders": ["api", "ghost"]}}
    )
    assert found == [
        'webstack:queues.jobs.consumer: got "worker", but no service has that name, so nobody would consume '
        "the queue; use one of: api",
        'webstack:queues.jobs.senders: got "ghost", but no service has that name; use one of: api',
    ]


def test_backlog_scaling_needs_a_queue_and_at_least_one_task():
    found = problems({"worker": {**WORKER, "autoscaling": {"backlogPerTask": 5}}})
    assert found == [
        "webstack:services.worker.autoscaling.backlogPerTask: set, but worker consumes no queue; add "
        "webstack:queues.<name>.consumer: worker or remove backlogPerTask"
    ]
    found = problems(
        {"worker": {**WORKER, "minCount": 0, "desiredCount": 0, "autoscaling": {"backlogPerTask": 5}}},
        webstack__queues={"jobs": {"consumer": "worker"}},
    )
    assert found == [
        "webstack:services.worker.minCount: got 0, but backlog scaling cannot start a task from 0 (backlog "
        "per task has no data without one); use 1 or more"
    ]


def test_root_users_and_relative_directories_are_refused():
    found = problems({"web": {**WEB, "user": "0:0", "workingDirectory": "srv"}})
    assert found == [
        'webstack:services.web.user: got "0:0", but webstack never runs containers as root; use an '
        "unprivileged uid such as 10001",
        'webstack:services.web.workingDirectory: got "srv", but it must be an absolute container path such '
        "as /srv",
    ]


def test_health_check_overrides_aws_would_refuse_are_named_errors():
    (problem,) = problems({"web": {**WEB, "healthCheck": {"matcher": "200-600"}}})
    assert problem.startswith('webstack:services.web.healthCheck.matcher: got "200-600", but')
    assert "from 200 to 499" in problem
    (problem,) = problems({"web": {**WEB, "healthCheck": {"interval": 10, "timeout": 10}}})
    assert problem.startswith("webstack:services.web.healthCheck: got ")
    assert "timeout 10 must be smaller than interval 10" in problem


def test_the_documented_example_of_workers_queues_schedules_and_calls_is_valid_config():
    import re

    import yaml

    from plan.engine import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "services-and-workers.md").read_text()
    section = page.split("## Workers, queues, scheduled tasks and calls between services", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    example = yaml.safe_load(block.group(1))
    settings = parse_settings(
        raw(webstack__services=example["webstack:services"], webstack__queues=example["webstack:queues"]),
        "test",
    )
    worker = next(service for service in settings.services if service.name == "worker")
    assert worker.is_worker and worker.consumes == "jobs"
    assert [service.called_by for service in settings.services if service.name == "api"] == [("web",)]


def _with_extra(service: str, **port: Any) -> dict[str, Any]:
    extra = {"name": "admin", "port": 9091, "routing": {"pathPatterns": ["/admin/*"]}, **port}
    return {"web": WEB, service: {**API, "extraPorts": [extra]}}


def test_an_extra_port_on_an_admin_port_is_refused_by_name():
    (problem,) = problems(_with_extra("api", port=22))
    assert problem.startswith("webstack:services.api.extraPorts[0].port: got 22, an admin port")


def test_an_extra_port_whose_target_group_name_would_exceed_aws_limit_is_refused_by_name():
    # edge-tg-billing-api-metrics-x plus Pulumi's "-" and 7 random characters is 37 > 32.
    (problem,) = problems(_with_extra("billing-api", name="metrics-x"))
    assert problem.startswith('webstack:services.billing-api.extraPorts[0].name: "metrics-x" makes')
    assert "within 15 characters" in problem


def test_an_extra_port_with_the_longest_allowed_name_is_accepted():
    settings = parse_settings(raw(webstack__services=_with_extra("billing-api", name="meta")), "test")
    ((port, route),) = settings.services[1].extra_routes
    assert (port.port, route.path_patterns) == (9091, ("/admin/*",))


def test_an_extra_port_reusing_the_main_port_is_refused_by_name():
    (problem,) = problems(_with_extra("api", port=9090))
    assert problem.startswith("webstack:services.api.extraPorts: got ports [9090, 9090]")


# --- services.<name>.release ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        ({"command": []}, "webstack:services.web.release.command: got [], but"),
        (
            {"command": ["python", ""]},
            'webstack:services.web.release.command: got ["python", ""], but a word',
        ),
        ({"command": ["migrate"], "timeout": 10}, "webstack:services.web.release.timeout: got 10, but"),
        ({"command": ["migrate"], "timeout": 7200}, "webstack:services.web.release.timeout: got 7200, but"),
        ({"command": ["migrate"], "wait": 60}, "webstack:services.web.release.wait"),
    ],
)
def test_a_release_that_would_run_nothing_or_wait_unreasonably_is_a_named_error(release, expected):
    (problem,) = problems({"web": {**WEB, "release": release}})
    assert problem.startswith(expected)


def test_a_release_timeout_error_says_which_range_to_use():
    (problem,) = problems({"web": {**WEB, "release": {"command": ["migrate"], "timeout": 10}}})
    assert problem == (
        "webstack:services.web.release.timeout: got 10, but it must be at least 30; "
        "use seconds from 30 to 3600"
    )


def test_a_release_defaults_to_a_ten_minute_timeout():
    settings = parse_settings(raw(webstack__services={"web": {**WEB, "release": {"command": ["m"]}}}), "t")
    (web,) = settings.services
    assert web.config.release is not None and web.config.release.timeout == 600
