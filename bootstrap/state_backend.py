"""The optional state backend of an account: a versioned, KMS-encrypted, private, TLS-only bucket for
Pulumi state, a KMS key for Pulumi secrets, and what the delivery roles may do with them."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.iam import Statement
from components.pure.naming import child_name

STATE_KEY_ALIAS = "alias/webstack-pulumi"
STATE_NONCURRENT_EXPIRY_DAYS = 90


def state_backend(
    name: str, tags: Mapping[str, str], parent: pulumi.Resource
) -> tuple[aws.s3.Bucket, aws.kms.Key]:
    """A versioned, KMS-encrypted, private, TLS-only bucket, and a key for Pulumi secrets."""
    child = pulumi.ResourceOptions(parent=parent)
    key = aws.kms.Key(
        child_name(name, "state-key"),
        description="webstack Pulumi state and secrets",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=tags,
        opts=child,
    )
    bucket, _ = private_bucket(
        child_name(name, "state"),
        parent=parent,
        kms_key_arn=key.arn,
        lifecycle_rule=aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-old-state-versions",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=STATE_NONCURRENT_EXPIRY_DAYS
            ),
        ),
        tags=tags,
        protect=True,
    )
    # Versioning comes with private_bucket: `{bucket}-versioning`, the same logical name as before.
    aws.kms.Alias(
        child_name(name, "state-key-alias"),
        name=STATE_KEY_ALIAS,
        target_key_id=key.key_id,
        opts=child,
    )
    return bucket, key


def state_statements(bucket_arn: str, key_arn: str, *, write: bool) -> list[Statement]:
    """Reading (and for the deploy role, writing) state objects, and using the state key."""
    if not bucket_arn:
        return []
    objects = [f"{bucket_arn}/*"] if write else [f"{bucket_arn}/.pulumi/locks/*"]
    statements = [
        Statement(sid="StateList", actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=[bucket_arn]),
        Statement(sid="StateRead", actions=["s3:GetObject"], resources=[f"{bucket_arn}/*"]),
        Statement(sid="StateWrite", actions=["s3:PutObject", "s3:DeleteObject"], resources=objects),
        Statement(
            sid="StateKey",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
            if write
            else ["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[key_arn],
        ),
    ]
    return statements
