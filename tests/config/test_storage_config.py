"""Config of app storage (webstack:buckets, services.<name>.buckets): defaults and named errors."""

import json
from typing import Any

from components.pure.frontdoor import BucketRemoval
from stack.config import parse_settings
from stack.services.storage import BucketAccessMode
from tests.config.test_config import IMAGE, problems_of, raw


def stack(environment: str = "dev", buckets: Any = None, **services: Any) -> dict[str, str]:
    """A valid config with app buckets and services (each with its own fields)."""
    changes: dict[str, Any] = {}
    if buckets is not None:
        changes["webstack__buckets"] = buckets
    if services:
        changes["webstack__services"] = {
            name: {"image": IMAGE, "port": 8080, **fields} for name, fields in services.items()
        }
    return raw(environment, **changes)


def test_dev_buckets_are_deleted_with_their_objects_and_prod_buckets_are_protected_and_retained():
    dev = parse_settings(stack("dev", {"uploads": {}}, web={"buckets": {"uploads": "write"}}), "dev")
    prod = parse_settings(stack("prod", {"uploads": {}}, web={"buckets": {"uploads": "write"}}), "prod")
    (d,), (p,) = dev.buckets, prod.buckets
    assert (d.removal, d.protect, d.noncurrent_version_days) == (BucketRemoval.DELETE_WITH_OBJECTS, False, 7)
    assert (p.removal, p.protect, p.noncurrent_version_days) == (BucketRemoval.RETAIN, True, 90)
    assert (p.transition_to_ia_days, p.abort_incomplete_upload_days) == (None, 7)


def test_a_service_declares_each_bucket_read_or_write():
    settings = parse_settings(
        stack(
            "dev", {"uploads": {}, "reports": {}}, web={"buckets": {"uploads": "write", "reports": "read"}}
        ),
        "dev",
    )
    (web,) = settings.services
    assert web.config.buckets == {"uploads": BucketAccessMode.WRITE, "reports": BucketAccessMode.READ}


def test_a_service_naming_a_bucket_that_does_not_exist_is_a_named_error():
    problems = problems_of(stack("dev", {"uploads": {}}, web={"buckets": {"upload": "write"}}))
    assert problems == [
        'webstack:services.web.buckets: got "upload", but webstack:buckets has no such bucket (declared: '
        "uploads); name one of them or declare it there"
    ]


def test_a_bucket_access_other_than_read_or_write_is_a_named_error():
    (problem,) = problems_of(stack("dev", {"uploads": {}}, web={"buckets": {"uploads": "admin"}}))
    assert problem == (
        'webstack:services.web.buckets.uploads: got "admin", but that is not one of the allowed values; '
        "map bucket names declared under webstack:buckets to read or write"
    )


def test_an_infrequent_access_transition_under_30_days_is_a_named_error():
    """S3 refuses a transition to STANDARD_IA before 30 days (AWS S3
    lifecycle-transition-general-considerations.html)."""
    (problem,) = problems_of(
        stack(
            "dev", {"uploads": {"transitionToInfrequentAccessDays": 10}}, web={"buckets": {"uploads": "read"}}
        )
    )
    assert problem.startswith("webstack:buckets.uploads.transitionToInfrequentAccessDays: got 10")
    assert "30 to 3650" in problem


def test_a_bucket_name_unusable_in_aws_names_is_a_named_error():
    (problem,) = problems_of(stack("dev", {"Uploads_1": {}}, web={"buckets": {"Uploads_1": "read"}}))
    assert problem.startswith('webstack:buckets.Uploads_1: the name "Uploads_1" is not usable; use 1-16')


def test_buckets_without_services_are_an_error_and_a_bucket_nobody_uses_a_warning():
    problems = problems_of(raw("dev", webstack__buckets={"uploads": {}}))
    assert problems == [
        "webstack:buckets: got buckets, but the stack has no services to use them; add webstack:services "
        "or remove webstack:buckets"
    ]
    settings = parse_settings(
        stack("dev", {"uploads": {}, "spare": {}}, web={"buckets": {"uploads": "read"}}), "dev"
    )
    assert [w for w in settings.warnings if w.startswith("bucket ")] == [
        "bucket spare: no service declares it (services.<name>.buckets), so no app can use it"
    ]


def volumes_stack(volumes: Any, environment: str = "dev", **services: Any) -> dict[str, str]:
    config = stack(environment, None, **services)
    config["webstack:volumes"] = json.dumps(volumes)
    return config


def test_a_volume_defaults_to_elastic_general_purpose_with_a_30_day_ia_move_and_prod_protects_it():
    web = {"volumes": {"files": {"path": "/data"}}}
    (dev,) = parse_settings(volumes_stack({"files": {}}, web=web), "dev").volumes
    (prod,) = parse_settings(volumes_stack({"files": {}}, "prod", web=web), "prod").volumes
    assert (dev.throughput_mode.value, dev.performance_mode.value) == ("elastic", "generalPurpose")
    assert (dev.transition_to_ia, dev.uid, dev.gid, dev.protect) == ("AFTER_30_DAYS", 1000, 1000, False)
    assert prod.protect is True
    one_day = parse_settings(
        volumes_stack({"files": {"transitionToInfrequentAccessDays": 1}}, web=web), "dev"
    ).volumes[0]
    assert one_day.transition_to_ia == "AFTER_1_DAY"


def test_a_service_mounting_a_volume_that_does_not_exist_is_a_named_error():
    problems = problems_of(volumes_stack({"files": {}}, web={"volumes": {"file": {"path": "/data"}}}))
    assert problems == [
        'webstack:services.web.volumes: got "file", but webstack:volumes has no such volume (declared: '
        "files); name one of them or declare it there"
    ]


def test_a_mount_path_that_is_not_absolute_or_is_a_scratch_path_is_a_named_error():
    (relative,) = problems_of(volumes_stack({"files": {}}, web={"volumes": {"files": {"path": "data"}}}))
    assert relative.startswith("webstack:services.web.volumes.files.path: got \"data\", but 'data' is not an")
    (scratch,) = problems_of(volumes_stack({"files": {}}, web={"volumes": {"files": {"path": "/tmp"}}}))
    assert scratch == (
        'webstack:services.web.volumes.files.path: got "/tmp", but it is also a scratch path of web; mount '
        "the volume at a path of its own, e.g. /data"
    )


def test_max_io_with_elastic_throughput_and_an_unknown_ia_age_are_named_errors():
    """AWS EFS: elastic throughput needs General Purpose; lifecycle ages are a fixed list (EFS API
    LifecyclePolicy TransitionToIA)."""
    web = {"volumes": {"files": {"path": "/data"}}}
    problems = problems_of(
        volumes_stack(
            {"files": {"performanceMode": "maxIO", "transitionToInfrequentAccessDays": 10}}, web=web
        )
    )
    assert problems == [
        "webstack:volumes.files.transitionToInfrequentAccessDays: got 10, but EFS moves files after one of "
        "1, 7, 14, 30, 60, 90, 180, 270, 365 days; use one of them",
        "webstack:volumes.files.performanceMode: got maxIO, but elastic throughput works only with "
        "generalPurpose; use generalPurpose or throughputMode: bursting",
    ]
