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
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


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


# --- Volumes (workers-dev: web mounts files at /data, worker read-only; api does not) ---------------------

NFS = 2049
EC2_VOLUME = {
    "webstack:volumes": {"files": {"throughputMode": "bursting", "transitionToInfrequentAccessDays": 7}},
}


@pytest.fixture(scope="module")
def workers() -> Run:
    return run_stack("workers-dev", root=STACKS)


def efs_volume(run: Run, service: str) -> dict:
    (volume,) = [v for v in run.named(f"{service}-task").inputs["volumes"] if v["name"] == "volume-files"]
    return volume


def test_a_volume_is_an_efs_file_system_encrypted_with_the_stack_key_elastic_and_tagged_for_backup(
    workers: Run,
):
    inputs = workers.named("volume-files-efs").inputs
    assert (inputs["encrypted"], inputs["kmsKeyId"]) == (True, key_arn(workers))
    assert (inputs["performanceMode"], inputs["throughputMode"]) == ("generalPurpose", "elastic")
    assert inputs["lifecyclePolicies"] == [
        {"transitionToIa": "AFTER_30_DAYS"},
        {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]
    assert inputs["tags"]["webstack-backup"] == "webstack-workers-dev"
    assert workers.named("volume-files").type == "webstack:components:Volume"


def test_a_volume_has_one_mount_target_in_each_private_subnet_and_none_in_a_public_one(workers: Run):
    targets = [workers.named(f"volume-files-mount-{zone}").inputs for zone in "ab"]
    private = {workers.named(f"webstack-private-{zone}").id for zone in "ab"}
    assert {t["subnetId"] for t in targets} == private and len(targets) == 2
    assert len(workers.of_type("aws:efs/mountTarget:MountTarget")) == 2
    group = workers.named("volume-files-sg").id
    assert all(t["securityGroups"] == [group] for t in targets)
    assert all(t["fileSystemId"] == workers.named("volume-files-efs").id for t in targets)


def test_only_the_services_that_mount_a_volume_reach_its_mount_targets_and_only_on_nfs(workers: Run):
    group = workers.named("volume-files-sg").id
    ingress = [r.inputs for r in workers.of_type(INGRESS) if r.inputs["securityGroupId"] == group]
    sources = {workers.named(f"{s}-sg").id: s for s in ("web", "worker", "api")}
    assert sorted(sources[r["referencedSecurityGroupId"]] for r in ingress) == ["web", "worker"]
    assert all((r["ipProtocol"], r["fromPort"], r["toPort"]) == ("tcp", NFS, NFS) for r in ingress)
    assert not [r for r in ingress if "cidrIpv4" in r or "cidrIpv6" in r]
    to_volume = [
        r.inputs for r in workers.of_type(EGRESS) if r.inputs.get("referencedSecurityGroupId") == group
    ]
    assert sorted(sources[r["securityGroupId"]] for r in to_volume) == ["web", "worker"]


def test_each_mounting_service_gets_its_own_access_point_with_a_posix_user_and_a_created_root(workers: Run):
    points = {s: workers.named(f"volume-files-ap-{s}").inputs for s in ("web", "worker")}
    assert len(workers.of_type("aws:efs/accessPoint:AccessPoint")) == 2
    for point in points.values():
        assert point["posixUser"] == {"uid": 1000, "gid": 1000}
        assert point["rootDirectory"] == {
            "path": "/app",
            "creationInfo": {"ownerUid": 1000, "ownerGid": 1000, "permissions": "0750"},
        }


def test_the_file_system_policy_denies_requests_without_tls_and_allows_nothing_to_anyone(workers: Run):
    """With a policy in place EFS no longer grants anonymous clients full access (AWS EFS
    iam-access-control-nfs-efs.html, "Default EFS file system policy"): only task roles' own grants."""
    (statement,) = statements(workers, "volume-files-policy")
    arn = workers.named("volume-files-efs").state["arn"]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == ("Deny", ["*"], [arn])
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}


def test_a_writer_mounts_and_writes_only_through_its_access_point_and_a_reader_only_mounts(workers: Run):
    arn = workers.named("volume-files-efs").state["arn"]
    web_ap, worker_ap = (workers.named(f"volume-files-ap-{s}").state["arn"] for s in ("web", "worker"))
    web, worker = statements(workers, "web-task-volumes"), statements(workers, "worker-task-volumes")
    own = {"elasticfilesystem:AccessPointArn": web_ap}
    for action in ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"):
        assert decide(web, Request(action, arn, own)) == "Allow", action
        assert (
            decide(web, Request(action, arn, {"elasticfilesystem:AccessPointArn": worker_ap}))
            == "ImplicitDeny"
        )
    assert decide(web, Request("elasticfilesystem:ClientRootAccess", arn, own)) == "ImplicitDeny"
    mine = {"elasticfilesystem:AccessPointArn": worker_ap}
    assert decide(worker, Request("elasticfilesystem:ClientMount", arn, mine)) == "Allow"
    assert decide(worker, Request("elasticfilesystem:ClientWrite", arn, mine)) == "ImplicitDeny"
    assert not [r for r in workers.resources if r.name == "api-task-volumes"]


def test_a_fargate_task_mounts_the_volume_over_tls_through_its_access_point_as_its_task_role(workers: Run):
    """AWS ECS specify-efs-config.html: an access point needs transit encryption; iam ENABLED mounts
    as the task role (Fargate platform 1.4.0+: the cluster runs LATEST)."""
    for service, read_only in (("web", False), ("worker", True)):
        assert efs_volume(workers, service) == {
            "name": "volume-files",
            "efsVolumeConfiguration": {
                "fileSystemId": workers.named("volume-files-efs").id,
                "transitEncryption": "ENABLED",
                "authorizationConfig": {
                    "accessPointId": workers.named(f"volume-files-ap-{service}").id,
                    "iam": "ENABLED",
                },
            },
        }
        mounts = [
            m for m in container(workers, service)["mountPoints"] if m["sourceVolume"] == "volume-files"
        ]
        assert mounts == [{"sourceVolume": "volume-files", "containerPath": "/data", "readOnly": read_only}]
        assert workers.named(f"{service}-task").inputs["requiresCompatibilities"] == ["FARGATE"]
    # The task waits for every mount target (its fileSystemId resolves after them).
    depends = workers.named("web-task").options["dependsOn"]
    assert {workers.named(f"volume-files-mount-{z}").urn for z in "ab"} <= set(depends)


def test_an_ec2_task_mounts_the_volume_the_same_way_with_bursting_throughput_and_a_7_day_ia_move():
    """EC2 capacity: the ECS-optimized AMI's agent (1.38.0+) supports access points and IAM
    authorization (AWS ECS efs-volumes.html, Considerations)."""
    config = {
        **EC2_VOLUME,
        "webstack:services": {
            "api": {
                "build": {"context": "app", "platform": "linux/arm64"},
                "port": 9090,
                "healthCheckPath": "/healthz",
                "volumes": {"files": {"path": "/srv/files"}},
            }
        },
    }
    run = run_stack("reference-apigw-ec2", config, root=STACKS)
    task = run.named("api-task").inputs
    assert task["requiresCompatibilities"] == ["EC2"]
    (volume,) = [v for v in task["volumes"] if v["name"] == "volume-files"]
    configuration = volume["efsVolumeConfiguration"]
    assert (configuration["transitEncryption"], configuration["authorizationConfig"]["iam"]) == (
        "ENABLED",
        "ENABLED",
    )
    assert configuration["authorizationConfig"]["accessPointId"] == run.named("volume-files-ap-api").id
    mounts = [m for m in container(run, "api")["mountPoints"] if m["sourceVolume"] == "volume-files"]
    assert mounts == [{"sourceVolume": "volume-files", "containerPath": "/srv/files", "readOnly": False}]
    efs = run.named("volume-files-efs").inputs
    assert (efs["throughputMode"], efs["lifecyclePolicies"][0]) == (
        "bursting",
        {"transitionToIa": "AFTER_7_DAYS"},
    )
    zones = {t.inputs["subnetId"] for t in run.of_type("aws:efs/mountTarget:MountTarget")}
    assert zones == {r.id for r in run.of_type("aws:ec2/subnet:Subnet") if "-private-" in r.name}


def test_a_prod_volume_is_protected_and_a_dev_volume_is_not(workers: Run):
    assert workers.named("volume-files-efs").options.get("protect") in (None, False)
    prod_run = run_stack(
        "data-prod",
        {
            "webstack:volumes": {"files": {}},
            "webstack:services": {
                "web": {
                    "image": "ghcr.io/example/web:1.0.0",
                    "port": 8080,
                    "volumes": {"files": {"path": "/data"}},
                }
            },
            "webstack:buckets": None,
        },
        root=STACKS,
    )
    assert prod_run.named("volume-files-efs").options["protect"] is True
