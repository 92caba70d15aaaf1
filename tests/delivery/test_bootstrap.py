"""The per-account bootstrap under mocks: OIDC trust pinned exactly, scoped permissions, state bucket.

Runs bootstrap/'s program with the fixture stack files tests/stacks/bootstrap/Pulumi.example-*.yaml
(exact values); the user's bootstrap/Pulumi.*.yaml are checked by tests/stack/test_stacks.py.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from bootstrap.delivery import DELIVERY_PATH, OPERATOR_ROLE_NAME
from components.pure.guardrails import check_resource, is_wildcard_action, policy_statements
from plan.engine import PROJECT_ROOT, Run, run_stack
from stack.schema import ConfigError
from tests.support.fixture_stacks import (
    BOOTSTRAP,
    BOOTSTRAP_FIXTURES,
    EXAMPLE_DEV,
    EXAMPLE_PROD,
    FIXTURES,
    USER_STACKS,
)
from tests.support.fresh_interpreter import FreshRun

OIDC = "token.actions.githubusercontent.com"
PROD_ACCOUNT, DEV_ACCOUNT = "222222222222", "111111111111"


@pytest.fixture(scope="module")
def prod() -> Run:
    return bootstrap(EXAMPLE_PROD)


@pytest.fixture(scope="module")
def dev() -> Run:
    return bootstrap(EXAMPLE_DEV)


def bootstrap(stack: str, overrides: Mapping[str, Any] | None = None, run: Run | None = None) -> Run:
    """bootstrap/'s program with the fixture stack file ``tests/stacks/bootstrap/Pulumi.<stack>.yaml``."""
    return run_stack(stack, overrides, root=BOOTSTRAP_FIXTURES, run=run, project=BOOTSTRAP)


def trust(run: Run, role: str) -> Mapping[str, Any]:
    (statement,) = policy_statements(run.named(role).inputs["assumeRolePolicy"])
    return statement


def deploy_role_statements(run: Run) -> list[Mapping[str, Any]]:
    """The deploy role's inline policy and the managed policies attached to it."""
    managed = [r for r in run.of_type("aws:iam/policy:Policy") if r.name.startswith("delivery-actions-")]
    return [
        *statements(run, "delivery-deploy-policy"),
        *(s for p in managed for s in statements(run, p.name)),
    ]


def statements(run: Run, policy: str) -> list[Mapping[str, Any]]:
    return list(policy_statements(run.named(policy).inputs["policy"]))


def test_the_github_oidc_provider_is_created_for_sts(prod: Run):
    provider = prod.named("delivery-github-oidc").inputs
    assert provider["url"] == f"https://{OIDC}"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize(("stack", "account"), [("prod", PROD_ACCOUNT), ("dev", DEV_ACCOUNT)])
@pytest.mark.parametrize(
    ("role", "suffixes"), [("delivery-deploy", [""]), ("delivery-preview", ["-preview", "-drift"])]
)
def test_each_github_role_trusts_only_the_repositorys_jobs_in_its_own_environments(
    stack, account, role, suffixes, request
):
    """The preview role is not `repo:...:pull_request`: any branch could then edit the workflow and read
    prod's state; the prod-preview environment makes a required reviewer approve before a job gets a
    token. It also admits <stack>-drift, the scheduled drift check's environment (drift.yml, branch
    policy main). Environment subjects carry no branch: the deploy environments' branch policy is
    "main". Several values of one StringEquals key match any of them (IAM JSON policy reference,
    "Condition element": multiple values for a key are ORed)."""
    run: Run = request.getfixturevalue(stack)
    assert trust(run, role) == {
        "Effect": "Allow",
        "Action": ["sts:AssumeRoleWithWebIdentity"],
        "Principal": {"Federated": [f"arn:aws:iam::{account}:oidc-provider/{OIDC}"]},
        "Condition": {
            "StringEquals": {
                f"{OIDC}:aud": ["sts.amazonaws.com"],
                f"{OIDC}:sub": [f"repo:your-org/webstack:environment:{stack}{suffix}" for suffix in suffixes],
            }
        },
    }


def test_the_preview_and_drift_environments_can_be_named():
    overrides = {
        "webstack-bootstrap:previewEnvironment": "review",
        "webstack-bootstrap:driftEnvironment": "nightly",
    }
    run = bootstrap(EXAMPLE_PROD, overrides)
    sub = trust(run, "delivery-preview")["Condition"]["StringEquals"][f"{OIDC}:sub"]
    assert sub == ["repo:your-org/webstack:environment:review", "repo:your-org/webstack:environment:nightly"]


def test_without_operator_principals_there_is_no_operator_role(prod: Run):
    assert {r.name for r in prod.of_type("aws:iam/role:Role")} == {"delivery-preview", "delivery-deploy"}
    assert "delivery-operator-commands" not in {r.name for r in prod.of_type("aws:iam/policy:Policy")}
    assert "operatorRoleArn" not in prod.outputs


def test_the_operator_role_trusts_only_the_listed_principals_with_mfa_and_may_deploy():
    operators = [f"arn:aws:iam::{PROD_ACCOUNT}:user/alice", "arn:aws:iam::333333333333:role/admins"]
    run = bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:operatorPrincipalArns": operators})
    role = run.named("delivery-operator")
    assert (role.inputs["name"], role.inputs["path"]) == ("webstack-operator", "/webstack-delivery/")
    assert trust(run, "delivery-operator") == {
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Principal": {"AWS": operators},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
    }
    assert statements(run, "delivery-operator-policy") == statements(run, "delivery-deploy-policy")
    assert run.outputs["operatorRoleArn"] == f"arn:aws:iam::{PROD_ACCOUNT}:role/delivery-operator-id"


def test_the_deploy_role_has_no_wildcard_actions_and_iam_only_on_webstack_roles(prod: Run):
    found = deploy_role_statements(prod)
    assert found and all(s["Effect"] == "Allow" for s in found if s["Sid"] != "NeverTheStateKey")
    assert not [a for s in found for a in s["Action"] if is_wildcard_action(a)]
    iam = [s for s in found if any(a.startswith("iam:") for a in s["Action"])]
    for statement in iam:
        assert all(a.startswith("iam:") for a in statement["Action"]), statement["Sid"]
        expected = {
            "ServiceLinkedRoles": "role/aws-service-role/*",
            "WebstackInstanceProfiles": "instance-profile/webstack/*",
            "StackAutoScalingRoles": "role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling_webstack-*",
            "PassFunctionRolesOnlyToLambda": "role/webstack/*-fn-role-*",
            # passed only to AWS Backup, and AWS Backup's policies attached only to it (PASSED_BY_NAME)
            "PassBackupItsRole": "role/webstack/backup-role-*",
            "OnlyAwsBackupPoliciesOnTheBackupRole": "role/webstack/backup-role-*",
        }.get(statement["Sid"], "role/webstack/*")
        assert statement["Resource"] == [f"arn:aws:iam::{PROD_ACCOUNT}:{expected}"]
    by_sid = {s["Sid"]: s for s in found}
    assert by_sid["PassRolesOnlyToTheirServices"]["Condition"] == {
        "StringEquals": {
            "iam:PassedToService": [
                "ecs-tasks.amazonaws.com",
                "vpc-flow-logs.amazonaws.com",
                "monitoring.rds.amazonaws.com",
                "scheduler.amazonaws.com",
                "ec2.amazonaws.com",
                "ecs.amazonaws.com",  # the load-balancer role of blue/green deployments, the hook role
            ]
        }
    }
    assert by_sid["PassFunctionRolesOnlyToLambda"]["Resource"] == [
        f"arn:aws:iam::{PROD_ACCOUNT}:role/webstack/*-fn-role-*"
    ]
    assert by_sid["PassFunctionRolesOnlyToLambda"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}
    }
    assert by_sid["OnlyTheContainerInstancePolicies"]["Condition"] == {
        "ArnEquals": {
            "iam:PolicyARN": [
                "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            ]
        }
    }
    assert by_sid["OnlyWebstacksManagedPolicies"]["Condition"] == {
        "ArnEquals": {
            "iam:PolicyARN": [
                "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            ]
        }
    }
    assert "iam:CreateUser" not in {a for s in found for a in s["Action"]}


def test_the_preview_role_can_only_read_apart_from_the_state_lock(prod: Run):
    found = statements(prod, "delivery-preview-policy")
    # budgets:ViewBudget reads; API Gateway's read is its HTTP verb (apigateway:GET)
    readers = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "View", "GET")
    for statement in found:
        for action in statement["Action"]:
            verb = action.split(":")[1]
            if verb.startswith(readers) or action in ("kms:Decrypt", "kms:GenerateDataKey"):
                continue
            assert action in ("s3:PutObject", "s3:DeleteObject"), action
            assert statement["Resource"] == ["arn:aws:s3:::delivery-state-id/.pulumi/locks/*"]


def test_the_state_bucket_is_versioned_encrypted_private_tls_only_and_protected(prod: Run):
    bucket = prod.named("delivery-state")
    assert bucket.options["protect"] is True
    assert prod.named("delivery-state-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = prod.named("delivery-state-sse").inputs["rules"]
    key = prod.named("delivery-state-key")
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.state["arn"],
    }
    assert key.inputs["enableKeyRotation"] is True
    block = prod.named("delivery-state-block").inputs
    assert all(
        block[k]
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    (deny,) = statements(prod, "delivery-state-policy")
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": ["false"]}})
    assert prod.outputs["backendUrl"] == "s3://delivery-state-id?region=eu-west-1&awssdk=v2"
    assert prod.outputs["secretsProvider"].startswith("awskms:///arn:aws:kms:eu-west-1:222222222222:key/")


def test_without_a_state_backend_no_bucket_key_or_state_permissions_exist():
    run = bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:createStateBackend": False})
    assert run.of_type("aws:s3/bucket:Bucket") == [] and run.of_type("aws:kms/key:Key") == []
    assert not [s for s in statements(run, "delivery-deploy-policy") if s.get("Sid", "").startswith("State")]
    assert "backendUrl" not in run.outputs


def test_an_existing_oidc_provider_is_reused_instead_of_created():
    arn = f"arn:aws:iam::{PROD_ACCOUNT}:oidc-provider/{OIDC}"
    run = bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:existingOidcProviderArn": arn})
    assert run.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert trust(run, "delivery-deploy")["Principal"] == {"Federated": [arn]}


def test_every_bootstrap_resource_keeps_the_guardrails(prod: Run, dev: Run):
    for run in (prod, dev):
        assert [v for r in run.resources for v in check_resource(r.type, r.inputs, r.urn)] == []


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"webstack-bootstrap:githubRepository": None}, "webstack-bootstrap:githubRepository: missing"),
        ({"webstack-bootstrap:githubRepository": "webstack"}, "webstack-bootstrap:githubRepository: got"),
        ({"webstack-bootstrap:githubEnvironment": "prod env"}, "webstack-bootstrap:githubEnvironment: got"),
        ({"webstack-bootstrap:createStateBackend": "yes"}, "webstack-bootstrap:createStateBackend: got"),
        ({"webstack-bootstrap:existingOidcProviderArn": "arn:aws:iam::1:x"}, "existingOidcProviderArn"),
        ({"webstack-bootstrap:githubRepo": "a/b"}, "did you mean 'githubRepository'"),
        ({"aws:allowedAccountIds": ["111111111111", "222222222222"]}, "exactly one account"),
        ({"aws:allowedAccountIds": None}, "aws:allowedAccountIds: missing"),
        ({"webstack-bootstrap:previewEnvironment": "prod preview"}, "previewEnvironment: got"),
        ({"webstack-bootstrap:driftEnvironment": "prod drift"}, "driftEnvironment: got"),
        ({"webstack-bootstrap:operatorPrincipalArns": ["alice"]}, "operatorPrincipalArns: got"),
        ({"webstack-bootstrap:operatorPrincipalArns": "arn:aws:iam::1:user/a"}, "operatorPrincipalArns: got"),
    ],
)
def test_bad_bootstrap_config_fails_before_any_resource_naming_the_key(overrides, key):
    recorded = Run()
    with pytest.raises(ConfigError) as caught:
        bootstrap(EXAMPLE_PROD, overrides, run=recorded)
    assert key in str(caught.value)
    assert recorded.resources == []


def test_the_bootstrap_fixture_stack_files_pin_the_same_accounts_as_webstacks():
    for stack in (EXAMPLE_DEV, EXAMPLE_PROD):
        account = yaml.safe_load((BOOTSTRAP_FIXTURES / f"Pulumi.{stack}.yaml").read_text())["config"]
        program = yaml.safe_load((FIXTURES / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert account["aws:allowedAccountIds"] == program["aws:allowedAccountIds"]
        assert account["webstack-bootstrap:githubEnvironment"] == stack.removeprefix("example-")
        assert json.dumps(account["aws:region"]) == json.dumps(program["aws:region"])


def test_the_bootstrap_finds_its_shared_code_when_run_from_its_own_folder_like_the_cli(fresh_run: FreshRun):
    assert fresh_run.missing_module is None
    assert PROJECT_ROOT / "bootstrap" / "delivery.py" in fresh_run.imported


def test_the_deploy_policies_fit_iams_size_limits_and_attach_to_both_roles():
    """IAM quotas: inline policies of a role at most 10,240 characters in all, a managed policy at most
    6,144, at most 10 managed policies per role (whitespace not counted). The operator role has one
    more managed policy than the deploy role: the ops commands' (and only it)."""
    operators = [f"arn:aws:iam::{PROD_ACCOUNT}:user/alice"]
    run = bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:operatorPrincipalArns": operators})

    def size(resource: str) -> int:
        return len(json.dumps(json.loads(run.named(resource).inputs["policy"]), separators=(",", ":")))

    managed = sorted(r.name for r in run.of_type("aws:iam/policy:Policy"))
    deploy_managed = [name for name in managed if name != "delivery-operator-commands"]
    assert size("delivery-deploy-policy") < 10_240
    assert size("delivery-preview-policy") < 10_240  # the preview role's only policy (inline)
    assert 1 <= len(deploy_managed) <= 9 and all(size(name) < 6_144 for name in managed)
    attached = {
        (r.inputs["role"], r.inputs["policyArn"])
        for r in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    arns = {run.named(name).state["arn"] for name in deploy_managed}
    roles = {role: run.named(role).state["name"] for role in ("delivery-deploy", "delivery-operator")}
    commands = run.named("delivery-operator-commands").state["arn"]
    assert attached == {(roles[role], arn) for role in roles for arn in arns} | {
        (roles["delivery-operator"], commands)
    }
    assert all(run.named(name).inputs["path"] == "/webstack-delivery/" for name in managed)


def test_the_deploy_role_may_use_each_action_of_the_table_on_its_own_scope(prod: Run):
    by_sid = {s["Sid"]: s for s in deploy_role_statements(prod)}
    assert {"cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"} <= set(
        by_sid["Cloudwatch"]["Action"]
    )
    assert by_sid["Cloudwatch"]["Resource"] == ["*"]
    assert {"ecr:BatchDeleteImage", "ecr:List*", "ecr:DeleteRepository"} <= set(by_sid["Ecr"]["Action"])
    assert by_sid["AccessLogBuckets"]["Resource"] == [
        "arn:aws:s3:::edge-access-logs-*",
        "arn:aws:s3:::cdn-content-*",
        "arn:aws:s3:::cdn-logs-*",
        "arn:aws:s3:::bucket-*-s3-*",
    ]
    assert all(a.startswith("s3:") for a in by_sid["AccessLogBuckets"]["Action"])


@pytest.mark.parametrize("stack", USER_STACKS)
def test_the_stack_files_laptop_example_names_the_operator_role_the_bootstrap_creates(stack):
    """Any commented-out aws:assumeRoles example in a user's stack file names a role that exists."""
    text = (PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text()
    account = yaml.safe_load(text)["config"]["aws:allowedAccountIds"][0]
    for arn in re.findall(r"#\s+- roleArn: (\S+)", text):
        assert arn == f"arn:aws:iam::{account}:role{DELIVERY_PATH}{OPERATOR_ROLE_NAME}", (
            f"Pulumi.{stack}.yaml"
        )


def test_the_deploy_role_may_manage_the_stack_key_but_never_the_state_key(prod: Run):
    by_sid = {s["Sid"]: s for s in deploy_role_statements(prod)}
    deny = by_sid["NeverTheStateKey"]
    key = prod.named("delivery-state-key").state["arn"]
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == [key, "arn:aws:kms:eu-west-1:222222222222:alias/webstack-pulumi"]
    assert {"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DeleteAlias"} <= set(deny["Action"])
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(deny["Action"])
    assert {"kms:CreateKey", "kms:ScheduleKeyDeletion"} <= set(by_sid["Kms"]["Action"])


def test_reads_are_folded_into_wildcards_only_where_they_expose_no_data(prod: Run):
    found = deploy_role_statements(prod)
    actions = {a for s in found if s["Resource"] == ["*"] for a in s["Action"]}
    assert {"cloudfront:Get*", "ec2:Describe*", "kms:Get*"} <= actions
    assert not {"logs:Get*", "secretsmanager:Get*", "s3:GetObject", "s3:Get*", "iam:Get*"} & actions
    # The cache's secret version reads its value back: on the stack's cache secrets only (finding 10).
    assert not {a for a in actions if a.startswith("secretsmanager:")}
    by_sid = {s["Sid"]: s for s in found}
    assert "secretsmanager:GetSecretValue" in by_sid["StackCacheSecrets"]["Action"]


def test_the_deploy_role_can_manage_queues_schedules_and_the_service_connect_namespace(prod: Run):
    actions = {a for s in deploy_role_statements(prod) for a in s["Action"]}
    for kind, verbs in (
        ("sqs", ("CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "TagQueue", "DeleteQueue")),
        ("scheduler", ("CreateSchedule", "GetSchedule", "UpdateSchedule", "DeleteSchedule")),
        ("servicediscovery", ("CreateHttpNamespace", "GetNamespace", "GetOperation", "DeleteNamespace")),
    ):
        assert {f"{kind}:{verb}" for verb in verbs} <= actions


def test_the_deploy_role_may_create_and_delete_the_off_hours_scheduled_actions(prod: Run):
    actions = {a for s in deploy_role_statements(prod) for a in s["Action"]}

    assert {
        "application-autoscaling:PutScheduledAction",
        "application-autoscaling:DeleteScheduledAction",
    } <= actions


def test_the_first_stages_registry_replicates_every_image_to_the_later_stages_registry():
    """Build once, promote by digest: pulumi_aws ecr.ReplicationConfiguration rules[].destinations[]
    {region, registryId}; no repository filter, so every repository of the registry replicates."""
    run = bootstrap(
        EXAMPLE_DEV,
        {"webstack-bootstrap:replicateImagesTo": [{"account": PROD_ACCOUNT, "region": "eu-west-1"}]},
    )
    (replication,) = run.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration")
    (rule,) = replication.inputs["replicationConfiguration"]["rules"]
    assert rule["destinations"] == [{"region": "eu-west-1", "registryId": PROD_ACCOUNT}]
    assert "repositoryFilters" not in rule
    assert run.of_type("aws:ecr/registryPolicy:RegistryPolicy") == []


def test_a_later_stages_registry_admits_only_the_first_stages_account_and_keeps_replicas_immutable():
    """AWS ECR guide registry-permissions-create-replication.html: the destination's registry policy
    allows the source account ecr:CreateRepository and ecr:ReplicateImage on its repositories."""
    run = bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:acceptImagesFrom": [DEV_ACCOUNT]})
    (statement,) = policy_statements(run.named("images-registry-policy").inputs["policy"])
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{DEV_ACCOUNT}:root"]}
    assert statement["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert statement["Resource"] == f"arn:aws:ecr:eu-west-1:{PROD_ACCOUNT}:repository/*"
    template = run.named("images-replica-template").inputs
    assert (template["prefix"], template["appliedFors"]) == ("ROOT", ["REPLICATION"])
    assert template["imageTagMutability"] == "IMMUTABLE"
    rules = json.loads(template["lifecyclePolicy"])["rules"]
    assert [
        r["selection"]["countNumber"] for r in rules if r["selection"]["countType"] == "imageCountMoreThan"
    ] == [30]
    assert run.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration") == []


def test_a_replica_account_that_is_not_twelve_digits_is_refused_before_any_resource():
    with pytest.raises(ConfigError) as raised:
        bootstrap(EXAMPLE_PROD, {"webstack-bootstrap:acceptImagesFrom": ["dev"]})
    assert "webstack-bootstrap:acceptImagesFrom" in str(raised.value) and "12-digit" in str(raised.value)


def test_a_bootstrap_without_promotion_keys_registers_no_registry_setting(dev: Run, prod: Run):
    for run in (dev, prod):
        assert not [r for r in run.resources if r.type.startswith("aws:ecr/")]
