"""The AppBucket component: a private, versioned, KMS-encrypted, TLS-only S3 bucket an app keeps files in.

It is :func:`components.buckets.private_bucket` (public access blocked, BucketOwnerEnforced, SSE-KMS
with a bucket key, versioning, a deny on ``aws:SecureTransport`` false) with one lifecycle rule from
its Args and the backup tag AWS Backup selects by. Who may use it is granted by each service's task
role (:mod:`components.service.roles`) with the actions below, on exactly this bucket.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..buckets import private_bucket
from ..pure.frontdoor import BucketRemoval
from ..pure.inputs import args_of
from ..pure.naming import child_name, type_token

# BACKUP_TAG_KEY (components/pure/backup.py, one literal for databases, buckets and volumes): the tag AWS
# Backup selects app buckets and volumes by (value: the stack's name prefix). AWS Backup for S3 needs
# versioning on (AWS Backup ``s3-backups.html``: "you must activate S3 Versioning").
BUCKET_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
"""Object actions of a reader, on ``<bucket ARN>/*``."""
BUCKET_WRITE_ACTIONS = (*BUCKET_READ_ACTIONS, "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
"""Object actions of a writer, on ``<bucket ARN>/*`` (no version deletes: old versions stay for recovery)."""
BUCKET_LIST_ACTIONS = ("s3:ListBucket",)
"""Bucket actions of both, on the bucket ARN (ListBucket is a bucket-level action: AWS S3
``using-with-s3-policy-actions.html``)."""
KMS_READ_ACTIONS = ("kms:Decrypt",)
"""Reading an SSE-KMS object needs kms:Decrypt (AWS S3 ``UsingKMSEncryption.html``, "Permissions")."""
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
"""Writing needs kms:GenerateDataKey, and a multipart upload kms:Decrypt too (same page)."""

DEFAULT_NONCURRENT_VERSION_DAYS = 30
DEFAULT_ABORT_INCOMPLETE_UPLOAD_DAYS = 7


@dataclass(frozen=True)
class AppBucketArgs:
    """What an AppBucket builds: its key, its lifecycle and what removing it does."""

    kms_key_arn: pulumi.Input[str]
    """The KMS key that encrypts every object (SSE-KMS, with an S3 bucket key). Required."""
    noncurrent_version_days: int = DEFAULT_NONCURRENT_VERSION_DAYS
    """Days an overwritten or deleted object's old version is kept before it expires (1 or more).
    Default: 30."""
    transition_to_ia_days: int | None = None
    """Days after which current objects move to S3 Standard-IA (30 or more, the S3 minimum). Default:
    None (objects stay in S3 Standard)."""
    abort_incomplete_upload_days: int = DEFAULT_ABORT_INCOMPLETE_UPLOAD_DAYS
    """Days after which an unfinished multipart upload is aborted (its parts cost storage). Default: 7."""
    removal: BucketRemoval = BucketRemoval.RETAIN
    """What removing it from the stack does: RETAIN keeps it and its objects in AWS, DELETE_WITH_OBJECTS
    empties and deletes it. Default: RETAIN."""
    protect: bool = False
    """Refuse any delete or replacement (``pulumi state unprotect`` first). Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child (e.g. the backup tag), on top of the provider's default tags. Default: none."""


class AppBucket(pulumi.ComponentResource):
    """One private app bucket: the hardened bucket, its lifecycle rule and its TLS-only policy."""

    arn: pulumi.Output[str]
    """The bucket's ARN (task roles are granted on it and on ``<arn>/*``)."""
    bucket_name: pulumi.Output[str]
    """The bucket's name (``BUCKET_<NAME>`` in the services that use it)."""
    kms_key_arn: pulumi.Output[str]
    """The key its objects are encrypted with (users need kms:Decrypt / kms:GenerateDataKey on it)."""

    def __init__(self, name: str, args: AppBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(AppBucketArgs, args)
        super().__init__(type_token("AppBucket"), name, None, opts)
        built = private_bucket(
            child_name(name, "s3"),
            self,
            lifecycle_rule(args),
            kms_key_arn=args.kms_key_arn,
            tags=args.tags,
            protect=args.protect,
            removal=args.removal,
        )
        self.arn = built.bucket.arn
        self.bucket_name = built.bucket.bucket
        self.kms_key_arn = pulumi.Output.from_input(args.kms_key_arn)
        self.register_outputs(
            {"arn": self.arn, "bucketName": self.bucket_name, "kmsKeyArn": self.kms_key_arn}
        )


def lifecycle_rule(args: AppBucketArgs) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """One rule over every object: old versions expire, unfinished uploads abort, and (if asked) current
    objects move to Standard-IA (S3 PutBucketLifecycleConfiguration; an empty filter = every object)."""
    rule = aws.s3.BucketLifecycleConfigurationRuleArgs
    return rule(
        id="app-objects",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=args.noncurrent_version_days
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=args.abort_incomplete_upload_days
        ),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=args.transition_to_ia_days, storage_class="STANDARD_IA"
            )
        ]
        if args.transition_to_ia_days is not None
        else None,
    )


def access_statements(
    bucket_arn: str, key_arn: str, region: str, write: bool
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """Exactly what a reader (or writer) of one app bucket needs: list the bucket, get (put, delete)
    its objects, and use its key only through S3 of this region (``kms:ViaService``)."""
    statement = aws.iam.GetPolicyDocumentStatementArgs
    return [
        statement(effect="Allow", actions=list(BUCKET_LIST_ACTIONS), resources=[bucket_arn]),
        statement(
            effect="Allow",
            actions=list(BUCKET_WRITE_ACTIONS if write else BUCKET_READ_ACTIONS),
            resources=[f"{bucket_arn}/*"],
        ),
        statement(
            effect="Allow",
            actions=list(KMS_WRITE_ACTIONS if write else KMS_READ_ACTIONS),
            resources=[key_arn],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable="kms:ViaService", values=[f"s3.{region}.amazonaws.com"]
                )
            ],
        ),
    ]
