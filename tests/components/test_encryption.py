"""The stack key: one customer-managed KMS key per stack for every log group, ECS Exec sessions and the
alarm topic; versioned buckets; and an upgrade from release 1 that replaces nothing.

checkov rules and the tests that stand for them (checkov is not installed here):

- CKV_AWS_158 (log group encrypted by KMS):
  test_every_log_group_of_every_stack_is_encrypted_with_the_stack_key;
- CKV_AWS_224 (ECS cluster Exec encrypted with KMS): test_ecs_exec_sessions_are_encrypted_with_the_stack_key;
- CKV_AWS_21 (S3 bucket versioning): test_every_bucket_is_versioned_and_expires_noncurrent_versions.
"""

import json
from pathlib import Path

import pytest

from components.pure.guardrails import policy_statements
from plan.engine import Run, run_stack
from plan.replacement import REVISED_ON_ANY_CHANGE, replacing_changes

FIXTURES = Path(__file__).parents[1] / "stacks"
SNAPSHOTS = Path(__file__).parents[1] / "snapshots" / "release-1"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"


@pytest.fixture(scope="module", params=["example-dev", "example-prod"])
def example(request: pytest.FixtureRequest) -> tuple[str, Run]:
    return request.param, run_stack(request.param, root=FIXTURES)


def stack_key_arn(run: Run) -> str:
    (key,) = run.of_type(KEY)
    return key.state["arn"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_log_group_of_every_stack_is_encrypted_with_the_stack_key(stack, request):
    run: Run = request.getfixturevalue(stack)
    groups = run.of_type(LOG_GROUP)
    assert len(groups) >= 2, "flow logs and exec logs at least"
    assert {group.inputs.get("kmsKeyId") for group in groups} == {stack_key_arn(run)}


def test_the_stack_key_rotates_and_only_logs_of_its_own_account_and_region_may_use_it(prod: Run):
    key = prod.named("stack-key-key").inputs
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30
    admin, logs, publishers = policy_statements(key["policy"])
    assert admin["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}
    assert logs["Principal"] == {"Service": ["logs.eu-west-1.amazonaws.com"]}
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:eu-west-1:222222222222:log-group:*"]}
    }
    assert sorted(logs["Action"]) == [
        "kms:Decrypt*",
        "kms:Describe*",
        "kms:Encrypt*",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
    ]
    assert publishers["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert "cloudwatch.amazonaws.com" in publishers["Principal"]["Service"]
    assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": ["222222222222"]}}
    alias = prod.named("stack-key-alias").inputs
    assert (alias["name"], alias["targetKeyId"]) == (
        "alias/webstack-example-prod",
        prod.named("stack-key-key").id,
    )


def test_the_key_exists_before_any_log_group_because_each_group_takes_its_arn(prod: Run):
    key = prod.named("stack-key-key")
    assert key.parent == prod.named("stack-key").urn
    assert prod.resources.index(key) < min(prod.resources.index(group) for group in prod.of_type(LOG_GROUP))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_ecs_exec_sessions_are_encrypted_with_the_stack_key(stack, request):
    run: Run = request.getfixturevalue(stack)
    exec_config = run.named("cluster-ecs").inputs["configuration"]["executeCommandConfiguration"]
    assert exec_config["kmsKeyId"] == stack_key_arn(run)
    assert exec_config["logConfiguration"]["cloudWatchEncryptionEnabled"] is True


def test_every_bucket_is_versioned_and_expires_noncurrent_versions(prod: Run):
    buckets = prod.of_type("aws:s3/bucket:Bucket")
    assert buckets, "prod keeps access logs"
    for bucket in buckets:
        versioning = prod.named(f"{bucket.name}-versioning").inputs
        assert versioning["bucket"] == bucket.id
        assert versioning["versioningConfiguration"] == {"status": "Enabled"}
        lifecycle = prod.named(f"{bucket.name}-lifecycle")
        assert all(
            rule["noncurrentVersionExpiration"]["noncurrentDays"] > 0 for rule in lifecycle.inputs["rules"]
        )
        assert prod.named(f"{bucket.name}-versioning").urn in lifecycle.options["dependsOn"]


def test_a_private_bucket_without_noncurrent_expiry_is_refused():
    import pulumi_aws as aws

    from components.buckets import private_bucket

    rule = aws.s3.BucketLifecycleConfigurationRuleArgs(id="keep", status="Enabled")
    with pytest.raises(ValueError, match="noncurrent_version_expiration"):
        private_bucket("b", parent=None, lifecycle_rule=rule)  # pyright: ignore[reportArgumentType]


def test_upgrading_a_release_1_stack_replaces_nothing_and_keeps_every_urn(example):
    """Encrypting the existing log groups is an in-place update: ``kms_key_id`` is not ForceNew in
    terraform-provider-aws (``cloudwatch_log_group.go`` updates it with AssociateKmsKey)."""
    name, run = example
    before = json.loads((SNAPSHOTS / f"{name}.json").read_text())["resources"]
    # A resource renamed with an alias (the engine matches it to the deployed one) is the same resource.
    after = {urn: r for r in run.resources for urn in (*r.options.get("aliases", []), r.urn)}
    assert [r["urn"] for r in before if r["urn"] not in after] == []
    # Task definitions are immutable by design (any change is a new revision ECS rolls to), so only
    # the resources that hold state or identity are judged.
    replaced = {
        old["urn"]: changes
        for old in before
        if old["custom"] and old["type"] not in REVISED_ON_ANY_CHANGE
        if (
            changes := [
                change
                for change in replacing_changes(old["type"], old["inputs"], after[old["urn"]].inputs)
                # ignoreChanges keeps the deployed value (a service group's old description).
                if change not in after[old["urn"]].options["ignoreChanges"]
            ]
        )
    }
    assert replaced == {}
    log_groups = [r for r in before if r["type"] == LOG_GROUP]
    assert log_groups and all("kmsKeyId" not in r["inputs"] for r in log_groups), "release 1 had no key"
    assert all(after[r["urn"]].inputs["kmsKeyId"] == stack_key_arn(run) for r in log_groups)
