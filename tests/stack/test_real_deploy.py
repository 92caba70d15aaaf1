"""What only the real engine and AWS would have refused: each fix of the real-deploy review,
checked on fixture stacks, with the offline engine enforcing the rule where it can."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.pure import priorities
from components.pure.artifacts import ALWAYS_IGNORED, context_tag, ignore_patterns
from plan import aws_rules
from plan.engine import PROJECT_ROOT, Recorded, Run, run_stack, stack_config
from stack.config import parse_settings
from stack.schema import ConfigError

FIXTURES = Path(__file__).parents[1] / "stacks"
SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/0e2c7b44-1111-2222-3333-444455556666"


@pytest.fixture(scope="module")
def dev() -> Run:
    return run_stack("example-dev", root=FIXTURES)


@pytest.fixture(scope="module")
def prod() -> Run:
    return run_stack("example-prod", root=FIXTURES)


def services_with(**extra: Any) -> dict[str, Any]:
    services = json.loads(stack_config("example-dev", FIXTURES)["webstack:services"])
    services["web"].update(extra)
    return services


def config_error(overrides: dict[str, Any]) -> str:
    recorded = Run()
    with pytest.raises(ConfigError) as error:
        run_stack("example-dev", overrides, root=FIXTURES, run=recorded)
    assert recorded.resources == [], "refused before any resource"
    return str(error.value)


# --- 2. image tags follow everything docker-build rebuilds on -------------------------------------


def test_the_image_tag_changes_with_platform_base_image_and_file_modes_but_not_with_ignored_files(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    first = context_tag(tmp_path, service="web")
    assert first.startswith("web-") and first == context_tag(tmp_path, service="web")
    assert context_tag(tmp_path, service="api") != first, "each service its own tag, so no URN clash"
    assert context_tag(tmp_path, platform="linux/arm64", service="web") != first
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"\0")
    assert context_tag(tmp_path, service="web") == first, "what Docker ignores does not change the tag"
    os.chmod(tmp_path / "app.py", 0o755)
    assert context_tag(tmp_path, service="web") != first, "docker-build hashes modes, so must we"
    os.chmod(tmp_path / "app.py", 0o644)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim@sha256:" + "1" * 64 + "\n")
    assert context_tag(tmp_path, service="web") != first, "a new base image ships a new tag"


def test_the_tag_honours_the_contexts_dockerignore_and_refuses_exception_patterns(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\ndocs\n*.md\n")
    base = context_tag(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.txt").write_text("x")
    (tmp_path / "NOTES.md").write_text("x")
    assert context_tag(tmp_path) == base
    (tmp_path / ".dockerignore").write_text("docs\n!docs/keep.txt\n")
    with pytest.raises(ValueError, match="exception patterns"):
        ignore_patterns(tmp_path)


def test_the_example_apps_dockerignore_lists_exactly_what_the_tag_ignores():
    lines = (PROJECT_ROOT / "app" / ".dockerignore").read_text().splitlines()
    assert tuple(line for line in lines if line and not line.startswith("#")) == ALWAYS_IGNORED


# --- 3. capacity strategy changes need a forced deployment ----------------------------------------


def test_every_service_forces_a_new_deployment_so_capacity_changes_apply(dev: Run, prod: Run):
    for run in (dev, prod):
        for service in run.of_type("aws:ecs/service:Service"):
            assert service.inputs["forceNewDeployment"] is True
            assert service.inputs["capacityProviderStrategies"]


def recorded(type_: str, name: str, inputs: dict[str, Any], depends_on: list[str] | None = None) -> Recorded:
    return Recorded(
        type=type_,
        name=name,
        urn=f"urn:pulumi:t::webstack::{type_}::{name}",
        parent=None,
        custom=True,
        inputs=inputs,
        state={},
        options={"dependsOn": depends_on or []},
    )


def test_the_engine_refuses_a_capacity_strategy_without_a_forced_deployment():
    service = recorded(
        "aws:ecs/service:Service", "s", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE"}]}
    )
    with pytest.raises(aws_rules.AwsRefusalError, match="forceNewDeployment"):
        aws_rules.check([service])


# --- 4. listener-rule priorities never move ---------------------------------------------------------

PATHS = st.sampled_from(["/*", "/api/*", "/api/v2/*", "/admin/*", "/a/*", "/static/*", "/x/y/z/*"])
NAMES = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), NAMES, PATHS), min_size=1, max_size=12))
def test_an_existing_services_rule_keeps_its_priority_whatever_services_come_and_go(steps):
    from stack.services import ServiceConfig, service_routes

    services: dict[str, str] = {}
    seen: dict[str, int] = {}
    for add, name, path in steps:
        if add and name not in services and path not in services.values():
            services[name] = path
        elif not add:
            services.pop(name, None)
        configs = {
            n: ServiceConfig.model_validate(
                {"image": "nginx:1", "port": 80, "routing": {"pathPatterns": [p]}}
            )
            for n, p in services.items()
        }
        routes, problems = service_routes(configs)
        if problems:  # two names hashed alike: config asks for an explicit priority
            assert all("routing.priority" in problem for problem in problems)
            continue
        for n, route in routes.items():
            assert seen.setdefault(f"{n}{services[n]}", route.priority) == route.priority
        numbers = [route.priority for route in routes.values()]
        assert len(numbers) == len(set(numbers))
        assert all(priorities.FIRST_SLOT <= number <= priorities.MAX_PRIORITY for number in numbers)


def test_more_specific_routes_are_evaluated_first_whatever_their_names():
    for name in ("a", "zz", "web", "api"):
        assert priorities.priority(name, ["/api/v2/*"], []) < priorities.priority("b", ["/api/*"], [])
        assert priorities.priority(name, ["/api/*"], []) < priorities.priority("c", ["/*"], [])
        assert priorities.priority(name, ["/*"], ["api.example.com"]) < priorities.priority("d", ["/x/*"], [])


def two_names_in_one_slot() -> tuple[str, str]:
    first_of: dict[int, str] = {}
    for name in (f"s{i}" for i in range(10_000)):
        slot = priorities.slot(name)
        if slot in first_of:
            return first_of[slot], name
        first_of[slot] = name
    raise AssertionError("no collision among 10,000 names")


def test_two_services_whose_priorities_collide_get_a_named_error_and_an_explicit_priority_fixes_it():
    first, second = two_names_in_one_slot()
    services = {
        first: {"image": "nginx:1", "port": 80, "routing": {"pathPatterns": ["/x/*"]}},
        second: {"image": "nginx:1", "port": 80, "routing": {"pathPatterns": ["/y/*"]}},
    }
    message = config_error({"webstack:services": services})
    assert f"webstack:services.{second}.routing.priority" in message
    assert f"listener rule priority of webstack:services.{first}" in message
    services[second]["routing"]["priority"] = 7
    raw = {**stack_config("example-dev", FIXTURES), "webstack:services": json.dumps(services)}
    parsed = parse_settings(raw, "example-dev")
    assert {s.name: s.route.priority for s in parsed.services if s.route}[second] == 7


def test_the_engine_refuses_two_rules_with_one_priority_on_one_listener():
    rules = [
        recorded("aws:lb/listenerRule:ListenerRule", n, {"listenerArn": "l", "priority": 5.0}) for n in "ab"
    ]
    with pytest.raises(aws_rules.AwsRefusalError, match="PriorityInUse"):
        aws_rules.check(rules)


# --- 6. ECS Exec on a read-only root filesystem --------------------------------------------------


def test_exec_enabled_tasks_mount_the_exec_agents_paths_and_prod_without_exec_does_not(dev: Run, prod: Run):
    exec_paths = {"/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"}
    for run, expected in ((dev, exec_paths), (prod, set())):
        for task in run.of_type("aws:ecs/taskDefinition:TaskDefinition"):
            (container,) = json.loads(task.inputs["containerDefinitions"])
            mounted = {m["containerPath"] for m in container["mountPoints"]}
            assert mounted & exec_paths == expected
            assert container["readonlyRootFilesystem"] is True


# --- 7. no NAT: interface endpoints or a named error ---------------------------------------------


def test_no_nat_with_services_and_no_endpoints_is_a_config_error_naming_nat_mode():
    message = config_error({"webstack:network": {"cidr": "10.10.0.0/16", "natMode": "none"}})
    assert "webstack:network.natMode: got 'none'" in message and "interfaceEndpoints: true" in message


def test_interface_endpoints_cover_what_tasks_call_and_admit_only_https_from_private_subnets():
    network = {"cidr": "10.10.0.0/16", "natMode": "none", "interfaceEndpoints": True}
    services = services_with(secrets={"DB_PASSWORD": SECRET})
    run = run_stack(
        "example-dev", {"webstack:network": network, "webstack:services": services}, root=FIXTURES
    )
    endpoints = {e.inputs["serviceName"]: e.inputs for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    interface = {
        k.rsplit(".", 1)[-1] if "ecr" not in k else k.split("eu-west-1.")[1]: v
        for k, v in endpoints.items()
        if v["vpcEndpointType"] == "Interface"
    }
    # kms: ECS Exec (on in dev) encrypts its sessions with the stack key (AWS ecs-exec.html).
    assert set(interface) == {"ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages", "kms"}
    private = sorted(
        s.id for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "private"
    )
    group = run.named("webstack-endpoints-sg")
    for inputs in interface.values():
        assert inputs["privateDnsEnabled"] is True and sorted(inputs["subnetIds"]) == private
        assert inputs["securityGroupIds"] == [group.id]
    rules = [
        r.inputs
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == group.id
    ]
    private_cidrs = sorted(
        s.inputs["cidrBlock"]
        for s in run.of_type("aws:ec2/subnet:Subnet")
        if s.inputs["tags"]["Tier"] == "private"
    )
    assert sorted(r["cidrIpv4"] for r in rules) == private_cidrs
    assert {(r["fromPort"], r["toPort"], r["ipProtocol"]) for r in rules} == {(443, 443, "tcp")}
    assert not [
        r
        for r in run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] == group.id
    ]


# --- 8. secrets: full ARNs, and the customer-managed key that encrypts them -----------------------


def test_a_secret_arn_without_its_six_character_suffix_is_refused_with_the_fix():
    message = config_error({"webstack:services": services_with(secrets={"DB_PASSWORD": SECRET[:-7]})})
    assert "webstack:services.web.secrets.DB_PASSWORD" in message and "describe-secret" in message


def test_a_service_may_decrypt_its_secrets_with_exactly_the_named_key_through_secrets_manager_only():
    services = services_with(secrets={"DB_PASSWORD": SECRET + ":password::"}, secretsKmsKeyArns=[KEY])
    run = run_stack("example-dev", {"webstack:services": services}, root=FIXTURES)
    statements = json.loads(run.named("web-execution-secrets").inputs["policy"])["Statement"]
    assert {
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [SECRET],
    } in statements
    (kms,) = [s for s in statements if s["Action"] == ["kms:Decrypt"]]
    assert kms["Resource"] == [KEY]
    assert kms["Condition"] == {
        "StringEquals": {"kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com"]}
    }


def test_a_key_that_is_not_a_key_arn_is_refused():
    message = config_error(
        {"webstack:services": services_with(secrets={"X_PASSWORD": SECRET}, secretsKmsKeyArns=["alias/db"])}
    )
    assert 'webstack:services.web.secretsKmsKeyArns[0]: got "alias/db"' in message


# --- 10. one zone cannot host a load balancer -------------------------------------------------------


def test_one_zone_with_services_is_a_config_error_naming_az_count_before_any_resource():
    message = config_error({"webstack:network": {"cidr": "10.10.0.0/16", "azCount": 1}})
    assert "webstack:network.azCount: got 1" in message and "at least 2 availability zones" in message


# --- 11. the load balancer waits for the gateway and its log bucket's policy ------------------------


def test_the_load_balancer_depends_on_the_internet_gateway_and_on_its_log_bucket_policy(dev: Run, prod: Run):
    for run, logs in ((dev, False), (prod, True)):
        (balancer,) = run.of_type("aws:lb/loadBalancer:LoadBalancer")
        depends = set(balancer.options["dependsOn"])
        assert run.named("webstack-igw").urn in depends
        policies = {
            r.urn
            for r in run.of_type("aws:s3/bucketPolicy:BucketPolicy")
            if r.name == "edge-access-logs-policy"
        }
        assert bool(policies) is logs and policies <= depends


def test_the_engine_refuses_an_internet_facing_balancer_created_before_the_gateway():
    gateway = recorded("aws:ec2/internetGateway:InternetGateway", "igw", {})
    balancer = recorded("aws:lb/loadBalancer:LoadBalancer", "alb", {"internal": False})
    with pytest.raises(aws_rules.AwsRefusalError, match="internet gateway"):
        aws_rules.check([gateway, balancer])


# --- 14. dev can be destroyed with images in its repositories; prod keeps them ----------------------


def test_dev_repositories_are_deleted_with_their_images_and_prod_repositories_are_not(dev: Run, prod: Run):
    for run, force in ((dev, True), (prod, False)):
        for repository in run.of_type("aws:ecr/repository:Repository"):
            assert repository.inputs["forceDelete"] is force


def test_a_service_on_an_admin_port_is_a_named_config_error_not_a_guardrail_failure_at_deploy():
    # Found by the property test: port 3389 passed config, then broke the no-admin-ports guardrail.
    message = config_error({"webstack:services": services_with(port=3389)})
    assert "webstack:services.web.port: got 3389, an admin port" in message


def test_the_engine_refuses_a_restore_testing_selection_with_both_arns_and_conditions():
    """The provider's ExactlyOneOf (terraform-provider-aws backup/restore_testing_selection.go)."""
    conditions = {"stringEquals": [{"key": "aws:ResourceTag/webstack-backup", "value": "webstack-prod"}]}
    both = recorded(
        "aws:backup/restoreTestingSelection:RestoreTestingSelection",
        "both",
        {"protectedResourceArns": ["*"], "protectedResourceConditions": conditions},
    )
    with pytest.raises(aws_rules.AwsRefusalError, match="exactly one of protectedResourceArns"):
        aws_rules.check([both])
    tagged = recorded(
        "aws:backup/restoreTestingSelection:RestoreTestingSelection",
        "tagged",
        {"protectedResourceConditions": conditions},
    )
    aws_rules.check([tagged])
