"""Private buckets (components/buckets.py): what happens to them and their settings when they leave
the stack, in prod and in dev, and whether they are protected.
"""

from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from plan.engine import Recorded, Run, run_component, run_stack
from tests.support.fixture_stacks import FIXTURES

BUCKET = "aws:s3/bucket:Bucket"
FRONT_BUCKETS = ["cdn-content", "cdn-logs", "edge-access-logs"]


def bucket_parts(run: Run, bucket: Recorded) -> list[Recorded]:
    """The bucket and its settings (``{bucket}-block``, ``-policy``, ``-versioning``, ...)."""
    return [r for r in run.resources if r.name == bucket.name or r.name.startswith(f"{bucket.name}-")]


def test_prod_keeps_its_front_door_buckets_and_their_settings_in_aws_when_they_leave_the_stack(front: Run):
    """S3 refuses to delete a bucket holding objects (BucketNotEmpty): prod keeps them (retain_on_delete,
    settings too, so a kept bucket stays private and encrypted) rather than empty them."""
    buckets = sorted(front.of_type(BUCKET), key=lambda r: r.name)
    assert [b.name for b in buckets] == FRONT_BUCKETS
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is False
        parts = bucket_parts(front, bucket)
        assert len(parts) == 7 and all(part.options.get("retainOnDelete") for part in parts)
        assert not bucket.options.get("protect")


def test_dev_empties_and_deletes_its_front_door_buckets_when_they_leave_the_stack():
    run = run_stack(
        "frontdoor-prod",
        {
            "webstack:environment": "dev",
            "aws:defaultTags": {"tags": {"Environment": "dev", "Project": "webstack", "ManagedBy": "pulumi"}},
            "webstack:edge": {"accessLogs": True},
            "webstack:waf": None,
        },
        root=FIXTURES,
    )
    buckets = sorted(run.of_type(BUCKET), key=lambda r: r.name)
    assert [b.name for b in buckets] == FRONT_BUCKETS
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is True
        assert not any(part.options.get("retainOnDelete") for part in bucket_parts(run, bucket))


def test_a_private_bucket_is_unprotected_unless_asked():
    def build(protect: bool = False) -> Any:
        parent = pulumi.ComponentResource("test:index:Holder", "holder")
        rule = aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire",
            status="Enabled",
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=1
            ),
        )
        if protect:
            private_bucket("guarded", parent, rule, protect=True)
        else:
            private_bucket("plain", parent, rule)

    default, protected = run_component(build), run_component(lambda: build(protect=True))
    assert [bool(b.options.get("protect")) for b in default.of_type(BUCKET)] == [False]
    assert [bool(b.options.get("protect")) for b in protected.of_type(BUCKET)] == [True]
