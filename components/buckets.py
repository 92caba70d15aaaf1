"""Private S3 buckets: one hardening recipe for every bucket webstack creates.

Each bucket blocks all public access, enforces bucket-owner object ownership (no ACLs), encrypts by
default, is versioned (an overwritten or deleted object can be recovered; checkov CKV_AWS_21) with
noncurrent versions expiring, and denies any request not made over TLS. Callers add their own policy
statements (who may write) and lifecycle rule, which must expire noncurrent versions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from .iam import Statement
from .pure.frontdoor import BucketRemoval
from .pure.naming import tags_with_name


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Nobody may use the bucket over plain HTTP."""
    return Statement(
        sid="DenyInsecureTransport",
        effect="Deny",
        actions=["s3:*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
        resources=[bucket_arn, f"{bucket_arn}/*"],
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(
                test="Bool", variable="aws:SecureTransport", values=["false"]
            )
        ],
    )


class PrivateBucket(NamedTuple):
    """A hardened bucket and its policy (writers that check their access must wait for the policy)."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def private_bucket(
    name: str,
    parent: pulumi.Resource,
    lifecycle_rule: aws.s3.BucketLifecycleConfigurationRuleArgs,
    kms_key_arn: pulumi.Input[str] | None = None,
    extra_statements: Callable[[pulumi.Output[str]], pulumi.Output[list[Statement]]] | None = None,
    tags: Mapping[str, str] | None = None,
    protect: bool = False,
    removal: BucketRemoval = BucketRemoval.RETAIN,
) -> PrivateBucket:
    """A hardened bucket named ``name`` (children ``{name}-block``, ``-ownership``, ``-sse``, ...).

    ``kms_key_arn`` encrypts with that key (SSE-KMS with a bucket key); without it SSE-S3 (AES256),
    which is what ALB access-log delivery requires. ``extra_statements`` maps the bucket ARN to the
    statements that grant writers access. ``lifecycle_rule`` must expire noncurrent versions, or
    versioning would keep every overwritten object forever. ``removal``: what removing it from the
    stack does (RETAIN keeps the bucket and every setting of it in AWS, so a kept bucket stays private
    and encrypted; DELETE_WITH_OBJECTS empties and deletes it). ``protect`` refuses any delete.
    """
    if lifecycle_rule.noncurrent_version_expiration is None:
        raise ValueError(
            f"private_bucket({name!r}): the lifecycle rule must set noncurrent_version_expiration; "
            "the bucket is versioned and old versions must expire"
        )
    retain = removal is BucketRemoval.RETAIN
    child = pulumi.ResourceOptions(parent=parent, retain_on_delete=retain)
    bucket = aws.s3.Bucket(
        name,
        force_destroy=removal is BucketRemoval.DELETE_WITH_OBJECTS,
        tags=tags_with_name(name, tags or {}),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=retain),
    )
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    encryption = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
        sse_algorithm="aws:kms" if kms_key_arn is not None else "AES256", kms_master_key_id=kms_key_arn
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=encryption,
                bucket_key_enabled=True if kms_key_arn is not None else None,
            )
        ],
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    # Versioning first, as the provider's lifecycle docs ask ("Must have bucket versioning enabled first").
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[lifecycle_rule],
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[versioning])),
    )
    return PrivateBucket(bucket, _policy(name, child, bucket, block, extra_statements))


def _policy(
    name: str,
    child: pulumi.ResourceOptions,
    bucket: aws.s3.Bucket,
    block: aws.s3.BucketPublicAccessBlock,
    extra_statements: Callable[[pulumi.Output[str]], pulumi.Output[list[Statement]]] | None,
) -> aws.s3.BucketPolicy:
    """The bucket's one policy: TLS only, plus the caller's grants."""
    extra = extra_statements(bucket.arn) if extra_statements else pulumi.Output.from_input([])
    document = aws.iam.get_policy_document_output(
        statements=pulumi.Output.all(bucket.arn, extra).apply(
            lambda values: [deny_insecure_transport(values[0]), *values[1]]
        ),
        opts=pulumi.InvokeOutputOptions(parent=child.parent),
    )
    # The public access block must exist first, or S3 may judge the policy against no block at all.
    return aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=document.json,
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[block])),
    )
