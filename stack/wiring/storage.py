"""App storage: each ``webstack:buckets`` entry as an AppBucket, and what a service gets of it."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.service import BucketAccess
from components.storage import BACKUP_TAG_KEY, AppBucket, AppBucketArgs
from stack.buckets import BucketSettings
from stack.config import StackSettings
from stack.datastores import identifier
from stack.services import ServiceSettings
from stack.services.storage import BucketAccessMode


def name_prefix(settings: StackSettings) -> str:
    """The prefix of the stack's physical names (``webstack-prod``), the backup tag's value."""
    return identifier(pulumi.get_project(), settings.stack, "")


def storage_tags(settings: StackSettings, tags: Mapping[str, str]) -> dict[str, str]:
    """The component tags plus the backup tag AWS Backup selects the stack's stores by."""
    return {**tags, BACKUP_TAG_KEY: name_prefix(settings)}


def bucket_args(
    bucket: BucketSettings, kms_key_arn: pulumi.Input[str], tags: Mapping[str, str]
) -> AppBucketArgs:
    """A bucket's settings as the component's Args, encrypted with the stack key."""
    return AppBucketArgs(
        kms_key_arn=kms_key_arn,
        noncurrent_version_days=bucket.noncurrent_version_days,
        transition_to_ia_days=bucket.transition_to_ia_days,
        abort_incomplete_upload_days=bucket.abort_incomplete_upload_days,
        removal=bucket.removal,
        protect=bucket.protect,
        tags=dict(tags),
    )


def build_buckets(
    settings: StackSettings, kms_key_arn: pulumi.Input[str], tags: Mapping[str, str]
) -> dict[str, AppBucket]:
    """Every app bucket, ``bucket-<name>``, tagged for backup."""
    tagged = storage_tags(settings, tags)
    return {
        bucket.name: AppBucket(f"bucket-{bucket.name}", bucket_args(bucket, kms_key_arn, tagged))
        for bucket in settings.buckets
    }


def bucket_access(service: ServiceSettings, buckets: Mapping[str, AppBucket]) -> list[BucketAccess]:
    """The buckets a service declares, with read or write, in the order it lists them."""
    return [
        BucketAccess(
            name=name,
            arn=buckets[name].arn,
            bucket_name=buckets[name].bucket_name,
            kms_key_arn=buckets[name].kms_key_arn,
            write=mode is BucketAccessMode.WRITE,
        )
        for name, mode in service.config.buckets.items()
    ]
