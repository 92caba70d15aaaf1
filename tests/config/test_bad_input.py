"""Bad input named before any resource exists : secrets in plain environment
variables (quoted redacted), secrets the tasks cannot reach, and stack files whose VPCs overlap."""

from pathlib import Path

import pytest
import yaml

from plan.stack_files import overlapping_vpc_warnings
from stack.config import parse_settings
from tests.config.test_config import problems_of, with_services

SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/db-AbCdEf"
OTHER_REGION = "arn:aws:secretsmanager:us-east-1:111111111111:secret:dev/db-AbCdEf"
OTHER_ACCOUNT = "arn:aws:secretsmanager:eu-west-1:999999999999:secret:shared/db-AbCdEf"
OTHER_ACCOUNT_KEY = "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def one(problems: list[str], key: str) -> str:
    (found,) = [p for p in problems if p.startswith(key)]
    return found


@pytest.mark.parametrize(
    ("name", "value", "quoted"),
    [
        (
            "DATABASE_URL",
            "postgres://app:s3cr3t-pw@db.internal:5432/app",
            "postgres://app:***@db.internal:5432/app",
        ),
        ("CACHE_URL", "rediss://:t0ken@cache:6379/0", "rediss://:***@cache:6379/0"),
        ("DB_PASSWORD", "hunter2-hunter2", "hu***"),
        ("STRIPE_API_KEY", "sk", "***"),
        ("UPLOADS", "AKIAIOSFODNN7EXAMPLE", "***"),
    ],
)
def test_a_secret_in_a_plain_environment_variable_is_refused_naming_the_key_with_the_secret_redacted(
    name, value, quoted
):
    problems = problems_of(with_services(api={"environment": {name: value}}))
    message = one(problems, f'webstack:services.api.environment.{name}: got "{quoted}"')
    assert f"webstack:services.api.secrets.{name}" in message
    secret = {"DATABASE_URL": "s3cr3t-pw", "CACHE_URL": "t0ken"}.get(name) or str(value)
    assert secret not in message


def test_a_url_without_a_password_stays_a_plain_variable():
    settings = parse_settings(
        with_services(api={"environment": {"DATABASE_URL": "postgres://app@db.internal:5432/app"}}), "dev"
    )
    assert settings.services[0].config.environment == {"DATABASE_URL": "postgres://app@db.internal:5432/app"}


def test_a_secret_in_another_region_is_refused_without_a_nat_gateway():
    config = with_services(api={"secrets": {"DB": OTHER_REGION}})
    config["webstack:network"] = '{"natMode": "none", "interfaceEndpoints": true}'
    message = one(problems_of(config), "webstack:services.api.secrets.DB")
    assert "us-east-1" in message and "replicate-secret-to-regions" in message


def test_a_secret_in_another_region_is_read_through_the_nat():
    settings = parse_settings(with_services(api={"secrets": {"DB": OTHER_REGION}}), "dev")
    assert settings.services[0].secret_resource_arns == (OTHER_REGION,)


def test_a_secret_of_another_account_without_its_key_is_refused_with_the_fix():
    message = one(
        problems_of(with_services(api={"secrets": {"DB": OTHER_ACCOUNT}})), "webstack:services.api.secrets.DB"
    )
    assert "999999999999" in message and "['111111111111']" in message
    assert "resource policy" in message and "webstack:services.api.secretsKmsKeyArns" in message


def test_a_secret_of_another_account_with_its_key_is_a_warning_about_its_resource_policy():
    config = with_services(api={"secrets": {"DB": OTHER_ACCOUNT}, "secretsKmsKeyArns": [OTHER_ACCOUNT_KEY]})
    settings = parse_settings(config, "dev")
    (warning,) = [w for w in settings.warnings if "secrets.DB" in w]
    assert "999999999999" in warning and "resource policy" in warning


def test_a_secret_of_the_stacks_own_account_and_region_raises_nothing():
    settings = parse_settings(with_services(api={"secrets": {"DB": SECRET}}), "dev")
    assert not [w for w in settings.warnings if "secrets.DB" in w]


def _stack_file(folder: Path, stack: str, cidr: str | None) -> None:
    config: dict[str, object] = {}
    if cidr is not None:
        config["webstack:network"] = {"cidr": cidr}
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))


def test_the_plan_warns_when_two_stack_files_of_the_project_share_a_vpc_range(tmp_path: Path):
    _stack_file(tmp_path, "dev", "10.10.0.0/16")
    _stack_file(tmp_path, "prod", "10.10.0.0/16")
    _stack_file(tmp_path, "staging", "10.10.128.0/17")
    _stack_file(tmp_path, "sandbox", "10.30.0.0/16")
    (warning_prod, warning_staging) = overlapping_vpc_warnings("dev", tmp_path)
    assert "Pulumi.dev.yaml (10.10.0.0/16) and Pulumi.prod.yaml (10.10.0.0/16)" in warning_prod
    assert "Pulumi.staging.yaml (10.10.128.0/17)" in warning_staging
    assert "distinct ranges" in warning_prod


def test_distinct_vpc_ranges_and_the_default_range_once_raise_no_warning(tmp_path: Path):
    _stack_file(tmp_path, "dev", "10.10.0.0/16")
    _stack_file(tmp_path, "prod", None)  # the default 10.0.0.0/16
    assert overlapping_vpc_warnings("dev", tmp_path) == []
    _stack_file(tmp_path, "qa", None)
    assert len(overlapping_vpc_warnings("prod", tmp_path)) == 1
