"""App storage: private S3 buckets (and their access grants) that services read and write."""

from .bucket import (
    BACKUP_TAG_KEY,
    BUCKET_READ_ACTIONS,
    BUCKET_WRITE_ACTIONS,
    KMS_READ_ACTIONS,
    KMS_WRITE_ACTIONS,
    AppBucket,
    AppBucketArgs,
)

__all__ = [
    "BACKUP_TAG_KEY",
    "BUCKET_READ_ACTIONS",
    "BUCKET_WRITE_ACTIONS",
    "KMS_READ_ACTIONS",
    "KMS_WRITE_ACTIONS",
    "AppBucket",
    "AppBucketArgs",
]
