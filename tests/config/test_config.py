"""Stack config: defaults per environment, prod invariants, and a clear error for every bad input."""

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.pure.naming import COMPONENT_NAMES, TYPE_PREFIX, reserved_by, type_token
from plan.engine import Run, run_stack, stack_config
from stack.aws import AWS_PROVIDER_KEYS
from stack.config import parse_settings, resolve_zones
from stack.network import NatMode
from stack.schema import ConfigError, Environment
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

DEV_TAGS = {"tags": {"Environment": "dev", "Project": "webstack", "ManagedBy": "pulumi"}}
PROD_TAGS = {"tags": {"Environment": "prod", "Project": "webstack", "ManagedBy": "pulumi"}}
EU_WEST_1 = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
PROD_CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"


OFF_HOURS = {"timezone": "Europe/Dublin", "stop": "0 20 ? * MON-FRI *", "start": "0 7 ? * MON-FRI *"}


def raw(environment: str = "dev", **changes: Any) -> dict[str, str]:
    """A valid minimal config; ``changes`` use ``__`` for ``:`` in keys (None removes the key)."""
    config: dict[str, Any] = {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": ["111111111111"],
        "aws:defaultTags": PROD_TAGS if environment == "prod" else DEV_TAGS,
        "webstack:environment": environment,
    }
    if environment == "prod":
        config["webstack:edge"] = {"certificateArn": PROD_CERTIFICATE}
    for key, value in changes.items():
        full_key = key.replace("__", ":")
        if value is None:
            config.pop(full_key, None)
        else:
            config[full_key] = value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def problems_of(config: dict[str, str], available: list[str] = EU_WEST_1) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings = parse_settings(config, "test")
        resolve_zones(settings, available)
    return caught.value.problems


def test_dev_defaults_to_two_zones_one_nat_and_30_days_of_flow_logs():
    settings = parse_settings(raw("dev"), "dev")
    assert settings.environment is Environment.DEV
    assert settings.network.cidr == ipaddress.IPv4Network("10.0.0.0/16")
    assert settings.network.az_count == 2
    assert settings.network.nat_mode is NatMode.SINGLE
    assert settings.network.flow_log_retention_days == 30
    assert resolve_zones(settings, list(reversed(EU_WEST_1))) == ("eu-west-1a", "eu-west-1b")


def test_prod_defaults_to_three_zones_a_nat_per_zone_and_a_year_of_flow_logs():
    settings = parse_settings(raw("prod"), "prod")
    assert settings.network.az_count == 3
    assert settings.network.nat_mode is NatMode.PER_AZ
    assert settings.network.flow_log_retention_days == 365
    assert resolve_zones(settings, EU_WEST_1) == tuple(EU_WEST_1)


def test_explicit_zones_are_kept_in_the_order_given():
    settings = parse_settings(raw(webstack__network={"availabilityZones": ["eu-west-1c", "eu-west-1a"]}), "t")
    assert settings.network.az_count == 2
    assert resolve_zones(settings, EU_WEST_1) == ("eu-west-1c", "eu-west-1a")


def test_the_example_stack_files_parse_into_separate_accounts_with_matching_tags():
    dev = parse_settings(stack_config(EXAMPLE_DEV, FIXTURES), EXAMPLE_DEV)
    prod = parse_settings(stack_config(EXAMPLE_PROD, FIXTURES), EXAMPLE_PROD)
    assert dev.aws.allowed_account_ids == ("111111111111",)
    assert prod.aws.allowed_account_ids == ("222222222222",)
    assert dev.aws.default_tags["Environment"] == "dev"
    assert prod.aws.default_tags["Environment"] == "prod"
    assert dev.network.cidr != prod.network.cidr


def test_an_assume_role_in_the_stacks_own_account_is_accepted():
    roles = [{"roleArn": "arn:aws:iam::111111111111:role/webstack-deploy", "sessionName": "ci"}]
    settings = parse_settings(raw(aws__assumeRoles=roles), "t")
    assert settings.aws.assume_role_arns == ("arn:aws:iam::111111111111:role/webstack-deploy",)


BAD_INPUTS = [
    # (id, config, key the error must name, words the error must contain)
    ("environment missing", raw(webstack__environment=None), "webstack:environment", "dev or prod"),
    ("environment unknown", raw(webstack__environment="staging"), "webstack:environment", '"staging"'),
    ("network not an object", raw(webstack__network="fast"), "webstack:network", "must be an object"),
    ("cidr not a cidr", raw(webstack__network={"cidr": "banana"}), "webstack:network.cidr", "not an IPv4"),
    (
        "cidr bad prefix",
        raw(webstack__network={"cidr": "10.0.0.0/33"}),
        "webstack:network.cidr",
        "not an IPv4",
    ),
    (
        "cidr host bits",
        raw(webstack__network={"cidr": "10.0.0.1/16"}),
        "webstack:network.cidr",
        "10.0.0.0/16?",
    ),
    ("cidr public range", raw(webstack__network={"cidr": "8.8.0.0/16"}), "webstack:network.cidr", "private"),
    ("cidr too small", raw(webstack__network={"cidr": "10.0.0.0/24"}), "webstack:network.cidr", "/16 to /20"),
    ("cidr too large", raw(webstack__network={"cidr": "10.0.0.0/8"}), "webstack:network.cidr", "at most /16"),
    (
        "azCount words",
        raw(webstack__network={"azCount": "three"}),
        "webstack:network.azCount",
        "whole number",
    ),
    ("azCount fraction", raw(webstack__network={"azCount": 2.5}), "webstack:network.azCount", "whole number"),
    ("azCount boolean", raw(webstack__network={"azCount": True}), "webstack:network.azCount", "whole number"),
    ("azCount zero", raw(webstack__network={"azCount": 0}), "webstack:network.azCount", "from 1 to 8"),
    ("natMode unknown", raw(webstack__network={"natMode": "multi"}), "webstack:network.natMode", "per_az"),
    (
        "nested key typo",
        raw(webstack__network={"natmode": "single"}),
        "webstack:network.natmode",
        "'natMode'",
    ),
    ("top key typo", raw(webstack__netwrok={"cidr": "10.0.0.0/16"}), "webstack:netwrok", "'network'"),
    (
        "retention not offered",
        raw(webstack__network={"flowLogRetentionDays": 10}),
        "webstack:network.flowLogRetentionDays",
        "CloudWatch",
    ),
    (
        "zones empty",
        raw(webstack__network={"availabilityZones": []}),
        "webstack:network.availabilityZones",
        "empty",
    ),
    (
        "zones repeated",
        raw(webstack__network={"availabilityZones": ["eu-west-1a", "eu-west-1a"]}),
        "webstack:network.availabilityZones",
        "twice",
    ),
    (
        "zones not a list",
        raw(webstack__network={"availabilityZones": "eu-west-1a"}),
        "webstack:network.availabilityZones",
        "must be a list",
    ),
    (
        "zone letter without a slot",
        raw(webstack__network={"availabilityZones": ["eu-west-1z"]}),
        "webstack:network.availabilityZones",
        "'z'",
    ),
    (
        "zones and azCount disagree",
        raw(webstack__network={"availabilityZones": ["eu-west-1a"], "azCount": 2}),
        "webstack:network.azCount",
        "not both",
    ),
    ("region missing", raw(aws__region=None), "aws:region", "missing"),
    ("region malformed", raw(aws__region="Ireland"), "aws:region", "not an AWS region"),
    ("accounts missing", raw(aws__allowedAccountIds=None), "aws:allowedAccountIds", "refuses to run"),
    ("account id short", raw(aws__allowedAccountIds=["1234"]), "aws:allowedAccountIds", "12-digit"),
    ("accounts not a list", raw(aws__allowedAccountIds=111111111111), "aws:allowedAccountIds", "12-digit"),
    (
        "tag missing",
        raw(aws__defaultTags={"tags": {"Environment": "dev", "Project": "webstack"}}),
        "aws:defaultTags.tags",
        "ManagedBy",
    ),
    ("tags missing", raw(aws__defaultTags=None), "aws:defaultTags", "Environment, Project, ManagedBy"),
    (
        "tag from other stack",
        raw("dev", aws__defaultTags=PROD_TAGS),
        "aws:defaultTags.tags.Environment",
        "'dev'",
    ),
    (
        "v6 assumeRole key",
        raw(aws__assumeRole={"roleArn": "arn:aws:iam::111111111111:role/x"}),
        "aws:assumeRole",
        "aws:assumeRoles",
    ),
    (
        "assume role in another account",
        raw(aws__assumeRoles=[{"roleArn": "arn:aws:iam::222222222222:role/deploy"}]),
        "aws:assumeRoles[0].roleArn",
        "not in aws:allowedAccountIds",
    ),
    (
        "assume role not an arn",
        raw(aws__assumeRoles=[{"roleArn": "deploy"}]),
        "aws:assumeRoles[0].roleArn",
        "ARN",
    ),
    (
        "prod one zone",
        raw("prod", webstack__network={"azCount": 1}),
        "webstack:network.azCount",
        "at least 2",
    ),
    (
        "prod single nat",
        raw("prod", webstack__network={"natMode": "single"}),
        "webstack:network.natMode",
        "per_az",
    ),
    ("prod no nat", raw("prod", webstack__network={"natMode": "none"}), "webstack:network.natMode", "per_az"),
    (
        "prod short flow log retention",
        raw("prod", webstack__network={"flowLogRetentionDays": 30}),
        "webstack:network.flowLogRetentionDays",
        "at least 90",
    ),
    (
        "zones of another region",
        raw(webstack__network={"availabilityZones": ["us-east-1a", "us-east-1b"]}),
        "webstack:network.availabilityZones",
        "not a zone of the stack's region eu-west-1",
    ),
    (
        "zone the region does not offer",
        raw(webstack__network={"availabilityZones": ["eu-west-1a", "eu-west-1d"]}),
        "webstack:network.availabilityZones",
        "does not offer it",
    ),
    (
        "more zones than the region offers",
        raw(webstack__network={"azCount": 4}),
        "webstack:network.azCount",
        "got 4, but eu-west-1 offers 3 availability zones; use 1 to 3.",
    ),
    (
        "more prod zones than the region offers",
        raw("prod", webstack__network={"azCount": 5}),
        "webstack:network.azCount",
        "got 5, but eu-west-1 offers 3 availability zones; use 2 or 3.",
    ),
]


def test_every_problem_is_reported_at_once_with_the_file_to_fix():
    config = raw(webstack__network={"cidr": "banana", "natMode": "multi"}, aws__region=None)
    with pytest.raises(ConfigError) as caught:
        parse_settings(config, "dev")
    assert len(caught.value.problems) == 3
    assert "Pulumi.dev.yaml" in str(caught.value)
    assert "nothing was created" in str(caught.value)


@pytest.mark.parametrize(
    ("stack", "overrides", "key"),
    [
        (EXAMPLE_DEV, {"aws:allowedAccountIds": None}, "aws:allowedAccountIds"),
        (EXAMPLE_PROD, {"webstack:network": {"natMode": "single"}}, "webstack:network.natMode"),
        (
            EXAMPLE_PROD,
            {"webstack:network": {"availabilityZones": ["eu-west-1a", "eu-west-1d"]}},
            "availabilityZones",
        ),
    ],
)
def test_the_program_refuses_bad_config_before_registering_any_resource(stack, overrides, key):
    recorded = Run()
    with pytest.raises(ConfigError, match=key):
        run_stack(stack, overrides, root=FIXTURES, run=recorded)
    assert recorded.resources == []


# --- Services, cluster and edge ---------------------------------------------------------------------

IMAGE = "ghcr.io/example/app:1.2.3"


def with_services(environment: str = "dev", **services: dict[str, Any]) -> dict[str, str]:
    """A valid config whose services are ``{name: {image, port} | overrides}``."""
    full = {name: {"image": IMAGE, "port": 8080, **fields} for name, fields in services.items()}
    return raw(environment, webstack__services=full)


API = {"routing": {"pathPatterns": ["/api/*"]}}


def test_services_get_environment_defaults_and_the_most_specific_route_first():
    dev = parse_settings(with_services(web={}, api=API), "dev")
    web, api = dev.services
    assert web.route is not None and api.route is not None
    assert (web.desired_count, web.min_count, web.max_count, web.log_retention_days) == (1, 1, 2, 14)
    assert web.route.path_patterns == ("/*",) and api.route.path_patterns == ("/api/*",)
    assert api.route.priority < web.route.priority
    prod = parse_settings(with_services("prod", web={}, api=API), "prod")
    assert [(s.desired_count, s.min_count, s.max_count, s.log_retention_days) for s in prod.services] == [
        (2, 2, 6, 365),
        (2, 2, 6, 365),
    ]


def test_environment_defaults_for_cluster_and_edge_differ_between_dev_and_prod():
    dev = parse_settings(with_services(web={}), "dev")
    prod = parse_settings(with_services("prod", web={}), "prod")
    assert (dev.cluster.capacity.value, dev.cluster.container_insights.value, dev.cluster.exec_enabled) == (
        "spot_preferred",
        "enabled",
        True,
    )
    assert (
        prod.cluster.capacity.value,
        prod.cluster.container_insights.value,
        prod.cluster.exec_enabled,
    ) == (
        "on_demand",
        "enhanced",
        False,
    )
    assert (dev.edge.access_logs, dev.edge.deletion_protection) == (False, False)
    assert (prod.edge.access_logs, prod.edge.deletion_protection) == (True, True)


def test_secret_references_become_exactly_the_arns_the_execution_role_may_read():
    secrets = {
        "DB_PASSWORD": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf:password::",
        "DB_USER": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf:username::",
        "API_TOKEN": "arn:aws:ssm:eu-west-1:111111111111:parameter/app/token",
    }
    (web,) = parse_settings(with_services(web={"secrets": secrets}), "dev").services
    assert web.secret_resource_arns == (
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
        "arn:aws:ssm:eu-west-1:111111111111:parameter/app/token",
    )


SERVICE_BAD_INPUTS = [
    ("port zero", with_services(api={"port": 0}), "webstack:services.api.port", "1 to 65535"),
    ("port too high", with_services(api={"port": 70000}), "webstack:services.api.port", "1 to 65535"),
    ("port as text", with_services(api={"port": "http"}), "webstack:services.api.port", "whole number"),
    ("cpu not fargate", with_services(api={"cpu": 300}), "webstack:services.api.cpu", "256, 512, 1024"),
    (
        "memory for cpu",
        with_services(api={"memory": 4096}),
        "webstack:services.api.memory",
        "512, 1024, 2048",
    ),
    (
        "min above max",
        with_services(api={"minCount": 3, "maxCount": 2}),
        "webstack:services.api.minCount",
        "must not exceed maxCount",
    ),
    (
        "desired above max",
        with_services(api={"desiredCount": 5}),
        "webstack:services.api.desiredCount",
        "between",
    ),
    (
        "secret as plain env",
        with_services(api={"environment": {"DB_PASSWORD": "hunter2"}}),
        "webstack:services.api.environment.DB_PASSWORD",
        "looks like a secret",
    ),
    (
        "token as plain env",
        with_services(api={"environment": {"github_token": "x"}}),
        "webstack:services.api.environment.github_token",
        "secrets.github_token",
    ),
    (
        "secret not an arn",
        with_services(api={"secrets": {"DB_URL": "postgres://u:p@db/app"}}),
        "webstack:services.api.secrets.DB_URL",
        "not a Secrets Manager secret or SSM parameter ARN",
    ),
    (
        "same route twice",
        with_services(web=API, api=API),
        "webstack:services.api.routing",
        "webstack:services.web",
    ),
    ("two default routes", with_services(web={}, api={}), "webstack:services.api.routing", "without routing"),
    (
        "image and build",
        with_services(api={"build": {"context": "app"}}),
        "webstack:services.api.image",
        "exactly one",
    ),
    (
        "neither image nor build",
        raw(webstack__services={"api": {"port": 80}}),
        "webstack:services.api.image",
        "one",
    ),
    (
        "build context without dockerfile",
        raw(webstack__services={"api": {"build": {"context": "components"}, "port": 80}}),
        "webstack:services.api.build.context",
        "Dockerfile",
    ),
    (
        "image malformed",
        with_services(api={"image": "Not An Image"}),
        "webstack:services.api.image",
        "reference",
    ),
    (
        "prod latest image",
        with_services("prod", api={"image": "ghcr.io/example/app:latest"}),
        "webstack:services.api.image",
        "immutable",
    ),
    (
        "prod untagged image",
        with_services("prod", api={"image": "nginx"}),
        "webstack:services.api.image",
        "digest",
    ),
    (
        "prod single task",
        with_services("prod", api={"minCount": 1}),
        "webstack:services.api.minCount",
        "at least 2",
    ),
    (
        "prod short logs",
        with_services("prod", api={"logRetentionDays": 30}),
        "webstack:services.api.logRetentionDays",
        "90",
    ),
    (
        "service log retention not offered",
        with_services(api={"logRetentionDays": 10}),
        "webstack:services.api.logRetentionDays",
        "CloudWatch",
    ),
    (
        "wildcard service action",
        with_services(
            api={"taskPolicyStatements": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::b/*"]}]}
        ),
        "webstack:services.api.taskPolicyStatements[0].actions",
        "wildcard",
    ),
    (
        "star action",
        with_services(api={"taskPolicyStatements": [{"actions": ["*"], "resources": ["*"]}]}),
        "webstack:services.api.taskPolicyStatements[0].actions",
        "wildcard",
    ),
    (
        "statement without resources",
        with_services(api={"taskPolicyStatements": [{"actions": ["s3:GetObject"], "resources": []}]}),
        "webstack:services.api.taskPolicyStatements[0].resources",
        "ARNs",
    ),
    (
        "health path relative",
        with_services(api={"healthCheckPath": "health"}),
        "webstack:services.api.healthCheckPath",
        "/",
    ),
    (
        "route without slash",
        with_services(api={"routing": {"pathPatterns": ["api/*"]}}),
        "webstack:services.api.routing.pathPatterns",
        "start with /",
    ),
    (
        "route empty",
        with_services(api={"routing": {}}),
        "webstack:services.api.routing",
        "pathPatterns or hostHeaders",
    ),
    (
        "route too many values",
        with_services(api={"routing": {"pathPatterns": [f"/{i}/*" for i in range(6)]}}),
        "webstack:services.api.routing",
        "at most 5",
    ),
    ("service key typo", with_services(api={"prot": 80}), "webstack:services.api.prot", "'port'"),
    ("service name unusable", with_services(API_Service={}), "webstack:services.API_Service", "lowercase"),
    (
        "prod spot only",
        raw("prod", webstack__cluster={"capacity": "spot_preferred"}),
        "webstack:cluster.capacity",
        "FARGATE base",
    ),
    (
        "insights off",
        raw(webstack__cluster={"containerInsights": "disabled"}),
        "webstack:cluster.containerInsights",
        "enhanced",
    ),
    (
        "off hours in prod",
        raw("prod", webstack__cluster={"offHours": OFF_HOURS}),
        "webstack:cluster.offHours",
        "around the clock",
    ),
    (
        "off hours time zone misspelt",
        raw(webstack__cluster={"offHours": {**OFF_HOURS, "timezone": "Europe/Dubln"}}),
        "webstack:cluster.offHours.timezone",
        "IANA",
    ),
    (
        "off hours cron with five fields",
        raw(webstack__cluster={"offHours": {**OFF_HOURS, "stop": "0 20 * * 1-5"}}),
        "webstack:cluster.offHours.stop",
        "not 6",
    ),
    (
        "off hours cron that AWS refuses: no ? in either day field",
        raw(webstack__cluster={"offHours": {**OFF_HOURS, "start": "0 7 * * MON-FRI *"}}),
        "webstack:cluster.offHours.start",
        "exactly one of day-of-month and day-of-week",
    ),
    (
        "off hours without start",
        raw(webstack__cluster={"offHours": {"timezone": "UTC", "stop": "0 20 ? * MON-FRI *"}}),
        "webstack:cluster.offHours.start",
        "missing",
    ),
    (
        "exec not a boolean",
        raw(webstack__cluster={"execEnabled": "yes"}),
        "webstack:cluster.execEnabled",
        "true or false",
    ),
    ("prod without certificate", raw("prod", webstack__edge={}), "webstack:edge.certificateArn", "missing"),
    (
        "certificate malformed",
        raw(webstack__edge={"certificateArn": "my-cert"}),
        "webstack:edge.certificateArn",
        "not an ACM certificate ARN",
    ),
    (
        "certificate of another region",
        raw(webstack__edge={"certificateArn": PROD_CERTIFICATE.replace("eu-west-1", "us-east-1")}),
        "webstack:edge.certificateArn",
        "its own region",
    ),
    (
        "certificate of another account",
        raw(webstack__edge={"certificateArn": PROD_CERTIFICATE.replace("111111111111", "999999999999")}),
        "webstack:edge.certificateArn",
        "not in aws:allowedAccountIds",
    ),
    (
        "prod without access logs",
        raw("prod", webstack__edge={"certificateArn": PROD_CERTIFICATE, "accessLogs": False}),
        "webstack:edge.accessLogs",
        "incident response",
    ),
]


ALL_BAD_INPUTS = BAD_INPUTS + SERVICE_BAD_INPUTS


@pytest.mark.parametrize(
    ("config", "key", "words"),
    [case[1:] for case in ALL_BAD_INPUTS],
    ids=[case[0] for case in ALL_BAD_INPUTS],
)
def test_each_bad_input_fails_with_an_error_naming_its_key_and_the_fix(config, key, words):
    problems = problems_of(config)
    matching = [problem for problem in problems if problem.startswith(f"{key}:")]
    assert matching, f"no problem names {key}: {problems}"
    assert any(words in problem for problem in matching), matching


def test_there_are_at_least_twenty_distinct_bad_inputs():
    assert len({case[0] for case in ALL_BAD_INPUTS}) == len(ALL_BAD_INPUTS) >= 20


# --- Friendlier messages for the mistakes new users make ---------------------------------------------


def test_a_number_where_text_is_expected_says_to_quote_it():
    (problem,) = problems_of(with_services(api={**API, "environment": {"PORT": 9090, "DEBUG": "1"}}, web={}))
    assert problem == (
        "webstack:services.api.environment.PORT: got 9090, but YAML reads it as a number, and this must be "
        'text: quote it, e.g. PORT: "9090"'
    )


def test_an_unknown_aws_key_gets_a_did_you_mean_like_webstack_keys_do():
    assert problems_of(raw(aws__regoin="eu-west-1")) == [
        "aws:regoin: unknown key; did you mean 'aws:region'?"
    ]


def test_every_aws_key_the_installed_provider_reads_is_known_and_no_other():
    import pulumi_aws

    source = (Path(pulumi_aws.__file__).parent / "config" / "vars.py").read_text()
    assert set(AWS_PROVIDER_KEYS) == set(re.findall(r"__config__\.get\w*\('(\w+)'\)", source))


@pytest.mark.parametrize("name", [*COMPONENT_NAMES, "edge-admin", "cluster-tools"])
def test_a_service_named_like_a_component_or_its_children_is_refused(name):
    (problem,) = problems_of(raw(webstack__services={name: {"image": IMAGE, "port": 8080}}))
    assert problem.startswith(f'webstack:services.{name}: the name "{name}" is reserved')
    assert "rename the service" in problem


def test_every_component_the_program_creates_has_a_reserved_name(dev: Run):
    data = run_stack("data-prod", root=FIXTURES)  # with a database and a cache (db-*, cache-*)
    # services and queues are the user's own names
    components = {
        r.name
        for run in (dev, data)
        for r in run.resources
        if r.type.startswith(TYPE_PREFIX) and r.type not in (type_token("Service"), type_token("Queue"))
    }
    assert {"webstack", "edge", "db-main", "cache-main"} <= components
    assert [name for name in components if reserved_by(name) is None] == []
