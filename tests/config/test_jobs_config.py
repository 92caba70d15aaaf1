"""``webstack:jobs``: defaults per environment, prod invariants, and named errors before any resource."""

from typing import Any

import pytest

from stack.config import parse_settings
from tests.config.test_config import IMAGE, problems_of, raw

JOB = {"image": IMAGE, "command": ["python", "report.py"], "schedule": "cron(0 3 * * ? *)"}


def jobs(environment: str = "dev", **entries: Any) -> dict[str, str]:
    """A valid config with one database ``main``, one queue ``emails`` and the given jobs."""
    return raw(
        environment,
        webstack__databases={"main": {}},
        webstack__services={"web": {"image": IMAGE, "port": 8080, "database": "main"}},
        webstack__queues={"emails": {"consumer": "web"}},
        webstack__jobs={name: {**JOB, **fields} for name, fields in entries.items()},
    )


def test_dev_jobs_keep_logs_14_days_and_prod_jobs_365():
    dev = parse_settings(jobs("dev", report={}), "dev")
    prod = parse_settings(jobs("prod", report={}), "prod")
    assert [(j.name, j.log_retention_days, j.component_name) for j in dev.jobs] == [
        ("report", 14, "job-report")
    ]
    assert [j.log_retention_days for j in prod.jobs] == [365]


def test_a_job_naming_a_database_cache_or_queue_the_stack_does_not_declare_is_a_named_error():
    problems = problems_of(jobs(report={"database": "mian", "cache": "main", "sendsTo": ["email"]}))
    assert problems == [
        'webstack:jobs.report.database: got "mian", but webstack:databases has no such database '
        "(declared: main); name one of them or declare it there",
        'webstack:jobs.report.cache: got "main", but webstack:caches has no such cache (declared: none); '
        "name one of them or declare it there",
        'webstack:jobs.report.sendsTo: got "email", but webstack:queues has no such queue (declared: '
        "emails); name one of them or declare it there",
    ]


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("cron(0 3 * * * *)", "cron needs ? in exactly one of day-of-month and day-of-week"),
        ("rate(1 hours)", "AWS wants rate(1 hour), the singular unit"),
        ("at(2026-12-24T20:00:00)", "it is neither cron(...) nor rate(...)"),
        ("0 3 * * *", "it is neither cron(...) nor rate(...)"),
    ],
)
def test_a_schedule_eventbridge_scheduler_would_refuse_is_named_with_the_reason(schedule, reason):
    """EventBridge Scheduler guide, "Schedule types": six-field cron with ? in exactly one day field,
    rate with the singular unit for 1; a one-time at() is not a recurring job."""
    (problem,) = problems_of(jobs(report={"schedule": schedule}))
    assert problem.startswith(f'webstack:jobs.report.schedule: got "{schedule}", but {reason}')


def test_a_size_fargate_does_not_run_is_named_with_the_sizes_it_allows():
    (problem,) = problems_of(jobs(report={"cpu": 256, "memory": 4096}))
    assert problem == (
        "webstack:jobs.report.memory: got 4096, but Fargate does not run that with cpu 256; "
        "cpu 256 allows memory 512, 1024, 2048"
    )


def test_prod_requires_a_pinned_image_and_90_days_of_logs():
    problems = problems_of(jobs("prod", report={"image": "ghcr.io/x/y:latest", "logRetentionDays": 30}))
    assert problems == [
        'webstack:jobs.report.image: got "ghcr.io/x/y:latest", but prod needs an immutable image: a version '
        "tag (not latest) or an @sha256 digest",
        "webstack:jobs.report.logRetentionDays: got 30, but prod keeps logs at least 90 days; use 90 or more",
    ]


def test_a_job_gives_exactly_one_of_image_and_build_and_a_command():
    problems = problems_of(jobs(report={"image": None, "command": []}))
    assert problems == [
        "webstack:jobs.report.command: got [], but it must not be empty; give a list of strings, e.g. "
        "[python, report.py]"
    ]
    config = jobs(report={})
    config["webstack:jobs"] = config["webstack:jobs"].replace(f'"image": "{IMAGE}", ', "")
    (problem,) = problems_of(config)
    assert problem.startswith("webstack:jobs.report.image: give exactly one of image")


def test_names_timeouts_zones_and_plain_text_secrets_are_checked_like_a_services():
    assert problems_of(jobs(Bad_Name={})) == [
        'webstack:jobs.Bad_Name: the name "Bad_Name" is not usable in AWS resource names; use 1-16 '
        "lowercase letters, digits and dashes, starting with a letter"
    ]
    assert problems_of(jobs(report={"timeout": 10})) == [
        "webstack:jobs.report.timeout: got 10, but it must be at least 60; use seconds from 60 to 1209600, "
        "e.g. 3600"
    ]
    (zone,) = problems_of(jobs(report={"timezone": "Mars/Base"}))
    assert zone.startswith('webstack:jobs.report.timezone: got "Mars/Base", but it is not an IANA time zone')
    (secret,) = problems_of(jobs(report={"environment": {"DB_PASSWORD": "hunter2"}}))
    assert secret.startswith(
        'webstack:jobs.report.environment.DB_PASSWORD: got "***", which looks like a secret'
    )


def test_a_service_may_not_take_a_jobs_name_family():
    """Each job is the component ``job-<name>``: a service ``job-x`` would collide with its resources."""
    (problem,) = problems_of(raw(webstack__services={"job-x": {"image": IMAGE, "port": 8080}}))
    assert problem.startswith('webstack:services.job-x: the name "job-x" is reserved: the job component')


def test_a_dev_job_whose_failures_would_reach_nobody_is_a_warning_and_a_database_only_a_job_uses_is_not():
    settings = parse_settings(
        raw(webstack__databases={"main": {}}, webstack__jobs={"report": {**JOB, "database": "main"}}), "dev"
    )
    assert any(
        "a failed run notifies the alarm topic, but observability.alarms is off" in w
        for w in settings.warnings
    )
    assert not any("no service declares it" in w for w in settings.warnings)
    alarmed = raw(
        webstack__jobs={"report": JOB}, webstack__observability={"alarms": True, "emails": ["a@b.co"]}
    )
    assert not any("webstack:jobs" in w for w in parse_settings(alarmed, "dev").warnings)
