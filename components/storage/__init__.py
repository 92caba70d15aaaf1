"""App storage: private S3 buckets services read and write, and EFS volumes they mount."""

from ..pure.backup import BACKUP_TAG_KEY
from .bucket import (
    BUCKET_READ_ACTIONS,
    BUCKET_WRITE_ACTIONS,
    KMS_READ_ACTIONS,
    KMS_WRITE_ACTIONS,
    AppBucket,
    AppBucketArgs,
)
from .volume import NFS_PORT, Volume, VolumeArgs

__all__ = [
    "BACKUP_TAG_KEY",
    "BUCKET_READ_ACTIONS",
    "BUCKET_WRITE_ACTIONS",
    "KMS_READ_ACTIONS",
    "KMS_WRITE_ACTIONS",
    "NFS_PORT",
    "AppBucket",
    "AppBucketArgs",
    "Volume",
    "VolumeArgs",
]
