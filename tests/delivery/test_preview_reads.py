"""The preview role refreshes what the program creates, and changes nothing; the deploy role may empty the
buckets it force-destroys.

`pulumi refresh --preview-only` (the drift check, tools/drift.py) and `pulumi preview` run with the
preview role and call the provider's Read for every resource in the state. Those reads are the read
calls of each type's row in DEPLOY_ACTIONS (bootstrap/preview_reads.py); tested here by resource ARN
with the calls and ARNs of tests/delivery/test_role_arns.py and the evaluator tests/support/iam_policy.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.deploy_actions import DEPLOY_ACTIONS
from bootstrap.preview_reads import NOT_PREVIEW_READS, preview_reads, refresh_reads
from plan.engine import Recorded, run_stack
from plan.mocks import DOCKER_BUILD_IMAGE
from tests.delivery.test_role_arns import (
    KEY,
    RDS_SECRET,
    REGION,
    SUFFIX,
    calls,
    fixture_runs,
    physical_name,
    role_statements,
)
from tests.support.fixture_stacks import FIXTURES
from tests.support.iam_policy import Request, allows, decide

PROD_ACCOUNT = "222222222222"


def _refreshed(resource: Recorded) -> bool:
    """A resource the engine reads on refresh with a call to AWS (pulumi-random calls none)."""
    managed = resource.custom or resource.type.startswith("awsx:")
    return managed and resource.type != DOCKER_BUILD_IMAGE and bool(DEPLOY_ACTIONS.get(resource.type))


def test_the_preview_role_may_make_every_refresh_read_of_every_fixture_resource_on_its_arn_and_no_write():
    """For every resource of every fixture stack: each read of its type's row (what the provider's Read
    calls) is allowed on that resource's ARN; every other call of the row (create, update, tag, delete,
    pass a role, use a key, and the reads of stored data in NOT_PREVIEW_READS) is refused."""
    denied: set[str] = set()
    allowed: set[str] = set()
    for stack, account, run in fixture_runs():
        _, preview = role_statements(account)
        for resource in filter(_refreshed, run.resources):
            reads = {a.replace("*", "Anything") for a in refresh_reads(resource.type)}
            for _, request in calls(resource, stack, account):
                call = f"{resource.type}: {request.action} on {request.resource}"
                if request.action in reads and not allows(preview, request):
                    denied.add(call)
                if request.action not in reads and allows(preview, request):
                    allowed.add(call)
    assert not denied, "the preview role cannot refresh:\n" + "\n".join(sorted(denied))
    assert not allowed, "the preview role may change or read data:\n" + "\n".join(sorted(allowed))


def test_the_fixture_stacks_exercise_the_types_the_drift_check_was_denied():
    """The test above covers the types a refresh with the old hand list was refused (RDS, ElastiCache,
    secrets, queues, schedules, Service Connect, EventBridge, Lambda, EFS, app buckets, key grants)."""
    types = {r.type for _, _, run in fixture_runs() for r in run.resources}
    assert {
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:secretsmanager/secret:Secret",
        "aws:sqs/queue:Queue",
        "aws:scheduler/schedule:Schedule",
        "aws:servicediscovery/httpNamespace:HttpNamespace",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:lambda/function:Function",
        "aws:efs/fileSystem:FileSystem",
        "aws:kms/grant:Grant",
        "aws:iam/instanceProfile:InstanceProfile",
    } <= types
    assert any(r.name.startswith("bucket-") for _, _, run in fixture_runs() for r in run.of_type(BUCKET))


APP_BUCKET = f"arn:aws:s3:::bucket-uploads-s3-{SUFFIX}"


@pytest.mark.parametrize(
    "request_",
    [
        Request("secretsmanager:GetSecretValue", RDS_SECRET.format(r=REGION, a=PROD_ACCOUNT)),
        Request(
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:cache-main-auth-token-{SUFFIX}-AbCdEf",
        ),
        Request("s3:GetObject", f"{APP_BUCKET}/reports/2026.csv"),
        Request("s3:ListBucketVersions", APP_BUCKET),
        Request("kms:Decrypt", KEY.format(r=REGION, a=PROD_ACCOUNT)),
        Request("ecr:GetDownloadUrlForLayer", f"arn:aws:ecr:{REGION}:{PROD_ACCOUNT}:repository/web-repo"),
        Request("logs:GetLogEvents", f"arn:aws:logs:{REGION}:{PROD_ACCOUNT}:log-group:web-logs:*"),
        # another project's resources of the scoped services
        Request(
            "secretsmanager:DescribeSecret", f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:billing"
        ),
        Request("s3:GetBucketPolicy", "arn:aws:s3:::billing-exports"),
        Request("iam:GetRole", f"arn:aws:iam::{PROD_ACCOUNT}:role/billing-admin"),
        Request("lambda:GetFunction", f"arn:aws:lambda:{REGION}:{PROD_ACCOUNT}:function:payroll"),
    ],
    ids=lambda r: f"{r.action} on {r.resource}",
)
def test_the_preview_role_reads_no_stored_data_and_no_other_projects_secrets_buckets_roles_or_functions(
    request_,
):
    _, preview = role_statements(PROD_ACCOUNT)
    assert decide(preview, request_) == "ImplicitDeny"


def test_the_reads_kept_from_the_preview_role_are_reads_of_some_row():
    """NOT_PREVIEW_READS names calls the deploy table makes (a stale entry would hide nothing)."""
    rows = {a for row in DEPLOY_ACTIONS.values() for a in row}
    assert set(NOT_PREVIEW_READS) <= rows


BUCKET = "aws:s3/bucket:Bucket"


def test_the_deploy_role_may_empty_exactly_the_buckets_force_destroy_deletes():
    """force_destroy (dev's front-door and app buckets): before DeleteBucket the provider empties the
    bucket, listing every version (ListObjectVersions = s3:ListBucketVersions on the bucket) and deleting
    each by version id (DeleteObjects/DeleteObject with VersionId = s3:DeleteObjectVersion on the object)
    (terraform-provider-aws internal/service/s3/bucket.go resourceBucketDelete, delete.go emptyBucket;
    AWS S3 API DeleteObjects "Permissions"). Allowed on webstack's bucket patterns only."""
    run = run_stack(
        "data-prod",
        {
            "webstack:environment": "dev",
            "aws:defaultTags": {"tags": {"Environment": "dev", "Project": "webstack", "ManagedBy": "pulumi"}},
            "webstack:edge": {"accessLogs": True},
        },
        root=FIXTURES,
    )
    emptied = [b for b in run.of_type(BUCKET) if b.inputs["forceDestroy"] is True]
    assert sorted(b.name for b in emptied) == ["bucket-uploads-s3", "edge-access-logs"]
    deploy, preview = role_statements(PROD_ACCOUNT)
    for bucket in emptied:
        arn = f"arn:aws:s3:::{physical_name(bucket)}"
        for request in (
            Request("s3:ListBucketVersions", arn),
            Request("s3:DeleteObjectVersion", f"{arn}/2026/12/06/access.log.gz"),
        ):
            assert allows(deploy, request), request
            assert not allows(preview, request), request
    for other in ("arn:aws:s3:::billing-exports", "arn:aws:s3:::delivery-state-id"):
        assert not allows(deploy, Request("s3:ListBucketVersions", other))
        assert not allows(deploy, Request("s3:DeleteObjectVersion", f"{other}/.pulumi/stacks/prod.json"))


def test_the_delivery_page_names_every_service_the_preview_role_reads():
    """docs/delivery-and-ci.md, "What the preview role may read": every service of the table, by name."""
    page = (Path(__file__).parents[2] / "docs" / "delivery-and-ci.md").read_text()
    paragraph = page.split("**What the preview role may read.**")[1].split("\n\n")[0]
    services = {action.split(":")[0] for action in preview_reads()}
    assert sorted(s for s in services if f"`{s}`" not in paragraph) == []
