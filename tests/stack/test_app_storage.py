"""App storage on fixture stacks: app buckets (webstack:buckets), their hardening, and the exact grants and
variables of the services that declare them (data-prod: api writes uploads, web reads it; data-dev: web
writes it)."""

import json
from pathlib import Path

import pytest

from plan import cost, graph
from plan.engine import Recorded, Run, run_stack
from plan.sections import exposure, storage
from tests.support.iam_policy import Request, decide

STACKS = Path(__file__).parents[1] / "stacks"
KMS_VIA_S3 = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}


@pytest.fixture(scope="module")
def prod() -> Run:
    return run_stack("data-prod", root=STACKS)


@pytest.fixture(scope="module")
def dev() -> Run:
    return run_stack("data-dev", root=STACKS)


def bucket_arn(run: Run) -> str:
    return run.named("bucket-uploads-s3").state["arn"]


def key_arn(run: Run) -> str:
    return run.named("stack-key-key").state["arn"]


def statements(run: Run, name: str) -> list[dict]:
    return json.loads(run.named(name).inputs["policy"])["Statement"]


def container(run: Run, service: str) -> dict:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def child(run: Run, role: str) -> Recorded:
    return run.named(f"bucket-uploads-s3-{role}")


# --- The bucket ---------------------------------------------------------------------------------------


def test_an_app_bucket_blocks_public_access_owns_its_objects_and_is_versioned(prod: Run):
    bucket = prod.named("bucket-uploads-s3")
    block = child(prod, "block").inputs
    assert (block["blockPublicAcls"], block["blockPublicPolicy"]) == (True, True)
    assert (block["ignorePublicAcls"], block["restrictPublicBuckets"]) == (True, True)
    assert child(prod, "ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert child(prod, "versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    for role in ("block", "ownership", "versioning", "sse", "lifecycle", "policy"):
        assert child(prod, role).inputs["bucket"] == bucket.id
    assert prod.named("bucket-uploads").type == "webstack:components:AppBucket"


def test_an_app_bucket_encrypts_with_the_stack_key_and_an_s3_bucket_key(prod: Run):
    (rule,) = child(prod, "sse").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key_arn(prod),
    }
    assert rule["bucketKeyEnabled"] is True


def test_an_app_bucket_expires_old_versions_aborts_uploads_and_moves_objects_to_ia_as_configured(
    prod: Run, dev: Run
):
    (rule,) = child(prod, "lifecycle").inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rule["transitions"] == [{"days": 90, "storageClass": "STANDARD_IA"}]
    (dev_rule,) = child(dev, "lifecycle").inputs["rules"]
    assert dev_rule["noncurrentVersionExpiration"] == {"noncurrentDays": 7}
    assert "transitions" not in dev_rule
    # Versioning first (the provider's lifecycle docs): old versions must exist to expire.
    assert child(prod, "versioning").urn in child(prod, "lifecycle").options["dependsOn"]


def test_an_app_bucket_policy_denies_every_request_not_made_over_tls(prod: Run):
    (statement,) = statements(prod, "bucket-uploads-s3-policy")
    arn = bucket_arn(prod)
    assert (statement["Sid"], statement["Effect"], statement["Action"]) == (
        "DenyInsecureTransport",
        "Deny",
        ["s3:*"],
    )
    assert statement["Principal"] == "*"
    assert sorted(statement["Resource"]) == [arn, f"{arn}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}


def test_a_prod_bucket_is_protected_and_retained_and_a_dev_bucket_is_deleted_with_its_objects(
    prod: Run, dev: Run
):
    """Prod: `pulumi up` refuses the delete (protect) and, once unprotected, leaves the bucket in AWS
    (retainOnDelete); S3 refuses to delete a bucket with objects unless force_destroy empties it
    (terraform-provider-aws internal/service/s3/bucket.go, force_destroy)."""
    bucket = prod.named("bucket-uploads-s3")
    assert (bucket.options["protect"], bucket.options["retainOnDelete"]) == (True, True)
    assert bucket.inputs["forceDestroy"] is False
    dev_bucket = dev.named("bucket-uploads-s3")
    assert dev_bucket.options.get("protect") in (None, False)
    assert dev_bucket.options.get("retainOnDelete") in (None, False)
    assert dev_bucket.inputs["forceDestroy"] is True


def test_an_app_bucket_carries_the_backup_tag_with_the_stacks_name_prefix(prod: Run, dev: Run):
    """AWS Backup selects the stack's stores by the tag webstack-backup (contract with webstack:backup)."""
    assert prod.named("bucket-uploads-s3").inputs["tags"]["webstack-backup"] == "webstack-data-prod"
    assert dev.named("bucket-uploads-s3").inputs["tags"]["webstack-backup"] == "webstack-data-dev"


# --- The services that use it ---------------------------------------------------------------------------


def test_a_writer_may_list_get_put_and_delete_objects_of_exactly_its_bucket(prod: Run):
    policy = statements(prod, "api-task-buckets")
    arn = bucket_arn(prod)
    for action in ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"):
        assert decide(policy, Request(action, f"{arn}/reports/1.csv")) == "Allow", action
    assert decide(policy, Request("s3:AbortMultipartUpload", f"{arn}/big.bin")) == "Allow"
    assert decide(policy, Request("s3:ListBucket", arn)) == "Allow"
    # Not another bucket, not old versions, not the bucket's settings.
    assert decide(policy, Request("s3:GetObject", "arn:aws:s3:::bucket-uploads-s3-idx/a")) == "ImplicitDeny"
    assert decide(policy, Request("s3:PutObject", "arn:aws:s3:::other/a")) == "ImplicitDeny"
    for action in (
        "s3:DeleteObjectVersion",
        "s3:PutBucketPolicy",
        "s3:DeleteBucket",
        "s3:PutLifecycleConfiguration",
    ):
        assert decide(policy, Request(action, arn)) == "ImplicitDeny", action
        assert decide(policy, Request(action, f"{arn}/a")) == "ImplicitDeny", action


def test_a_reader_may_list_and_get_objects_but_not_put_or_delete_them(prod: Run):
    policy = statements(prod, "web-task-buckets")
    arn = bucket_arn(prod)
    assert decide(policy, Request("s3:GetObject", f"{arn}/a")) == "Allow"
    assert decide(policy, Request("s3:GetObjectVersion", f"{arn}/a")) == "Allow"
    assert decide(policy, Request("s3:ListBucket", arn)) == "Allow"
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"):
        assert decide(policy, Request(action, f"{arn}/a")) == "ImplicitDeny", action


def test_bucket_users_may_use_the_stack_key_only_through_s3_a_reader_only_to_decrypt(prod: Run):
    """SSE-KMS: GetObject needs kms:Decrypt, PutObject kms:GenerateDataKey (AWS S3
    UsingKMSEncryption.html)."""
    key = key_arn(prod)
    writer, reader = statements(prod, "api-task-buckets"), statements(prod, "web-task-buckets")
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        assert decide(writer, Request(action, key, KMS_VIA_S3)) == "Allow", action
        assert decide(writer, Request(action, key)) == "ImplicitDeny", action
        assert decide(writer, Request(action, key, {"kms:ViaService": "sqs.eu-west-1.amazonaws.com"})) == (
            "ImplicitDeny"
        )
    assert decide(reader, Request("kms:Decrypt", key, KMS_VIA_S3)) == "Allow"
    assert decide(reader, Request("kms:GenerateDataKey", key, KMS_VIA_S3)) == "ImplicitDeny"


def test_each_bucket_user_gets_bucket_name_in_bucket_uploads_and_the_task_waits_for_its_grant(prod: Run):
    name = prod.named("bucket-uploads-s3").state["bucket"]
    for service in ("api", "web"):
        variables = {v["name"]: v["value"] for v in container(prod, service)["environment"]}
        assert variables["BUCKET_UPLOADS"] == name
        assert (
            prod.named(f"{service}-task-buckets").urn in prod.named(f"{service}-service").options["dependsOn"]
        )


def test_a_service_that_declares_no_bucket_gets_no_bucket_grant_or_variable(dev: Run):
    run = run_stack(
        "data-dev",
        {
            "webstack:services": {"web": {"image": "ghcr.io/example/web:1.0.0", "port": 8080}},
            "webstack:buckets": None,
        },
        root=STACKS,
    )
    assert not [r for r in run.resources if r.name.startswith("bucket-") or r.name.endswith("task-buckets")]
    assert not [v for v in container(run, "web")["environment"] if v["name"].startswith("BUCKET_")]


# --- The plan --------------------------------------------------------------------------------------------


def test_the_exposure_report_lists_each_app_bucket_with_who_reads_and_who_writes_it():
    captured = graph.capture("data-prod", root=STACKS)
    assert storage.bucket_users(captured) == {"bucket-uploads": {"api": "write", "web": "read"}}
    lines = exposure.exposure(captured)
    assert lines[-2:] == [
        "Data stores reached through IAM, not the network (private, TLS only):",
        "  bucket-uploads (S3): api write, web read",
    ]


def test_an_app_bucket_is_priced_as_the_assumed_gb_in_s3_standard_and_other_buckets_stay_usage_based():
    captured = graph.capture("data-prod", root=STACKS)
    prices = cost.load_prices("eu-west-1")
    assert prices is not None
    estimate = cost.estimate(captured, prices, cost.assumptions({"appBucketGb": 200}))
    (line,) = [x for x in estimate.lines if x.resource == "bucket-uploads-s3"]
    assert (line.kind, line.basis) == ("S3 storage", "fixed")
    assert line.monthly == pytest.approx(200 * prices["s3"]["standardGbMonth"])
    (logs,) = [x for x in estimate.lines if x.resource == "edge-access-logs"]
    assert (logs.basis, logs.monthly) == ("usage-based", None)
