"""App storage: each ``webstack:buckets`` entry as an AppBucket, each ``webstack:volumes`` entry as a
Volume, and what a service that declares them gets."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.service import BucketAccess, VolumeMount
from components.storage import BACKUP_TAG_KEY, AppBucket, AppBucketArgs, Volume, VolumeArgs
from stack.buckets import BucketSettings
from stack.config import StackSettings
from stack.datastores import identifier
from stack.services import ServiceSettings
from stack.services.storage import BucketAccessMode
from stack.volumes import VolumeSettings
from stack.wiring.foundation import Foundation


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


def volume_args(
    settings: StackSettings, volume: VolumeSettings, foundation: Foundation, tags: Mapping[str, str]
) -> VolumeArgs:
    """A volume's settings as the component's Args: encrypted with the stack key, mount targets in
    the private subnets (one per zone), an access point for each service that declares it."""
    return VolumeArgs(
        kms_key_arn=foundation.stack_key.arn,
        vpc_id=foundation.network.vpc_id,
        subnet_ids=list(foundation.network.private_subnet_ids),
        zones=list(settings.network.availability_zones or ()),
        clients=[s.name for s in settings.services if volume.name in s.config.volumes],
        performance_mode=volume.performance_mode.value,
        throughput_mode=volume.throughput_mode.value,
        transition_to_ia=volume.transition_to_ia,
        posix_uid=volume.uid,
        posix_gid=volume.gid,
        protect=volume.protect,
        tags=dict(tags),
    )


def build_volumes(
    settings: StackSettings, foundation: Foundation, tags: Mapping[str, str]
) -> dict[str, Volume]:
    """Every volume, ``volume-<name>``, tagged for backup."""
    tagged = storage_tags(settings, tags)
    return {
        volume.name: Volume(f"volume-{volume.name}", volume_args(settings, volume, foundation, tagged))
        for volume in settings.volumes
    }


def volume_mounts(service: ServiceSettings, volumes: Mapping[str, Volume]) -> list[VolumeMount]:
    """The volumes a service declares, each through its own access point."""
    return [
        VolumeMount(
            name=name,
            path=mount.path,
            file_system_id=volumes[name].file_system_id,
            file_system_arn=volumes[name].arn,
            access_point_id=volumes[name].access_point_ids[service.name],
            access_point_arn=volumes[name].access_point_arns[service.name],
            security_group_id=volumes[name].security_group_id,
            read_only=mount.read_only,
        )
        for name, mount in service.config.volumes.items()
    ]
