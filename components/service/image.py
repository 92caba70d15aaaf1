"""The image a service runs: the given reference, or one built from a Docker context into the
service's own ECR repository (immutable tags, scanned on push, KMS-encrypted, old images expired)."""

import json
from pathlib import Path, PurePosixPath

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ..pure.artifacts import context_tag
from ..pure.naming import child_name, tags_with_name
from .args import ServiceArgs

ECR_KEEP_IMAGES = 30
ECR_UNTAGGED_EXPIRY_DAYS = 7

ECR_LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {ECR_UNTAGGED_EXPIRY_DAYS} days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": ECR_UNTAGGED_EXPIRY_DAYS,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the newest {ECR_KEEP_IMAGES} images",
            "selection": {
                "tagStatus": "any",
                "countType": "imageCountMoreThan",
                "countNumber": ECR_KEEP_IMAGES,
            },
            "action": {"type": "expire"},
        },
    ]
}


def service_image(
    name: str, args: ServiceArgs, child: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
    """The image the task runs, and the service's repository URL when the image is built here."""
    build = args.build
    if build is None:
        return pulumi.Output.from_input(args.image or ""), None
    repository = aws.ecr.Repository(
        child_name(name, "repo"),
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
        encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS")],
        # A repository that is destroyed with its images (dev) or outlives a mistaken destroy (prod).
        force_delete=args.force_delete_images,
        tags=tags_with_name(child_name(name, "repo"), args.tags),
        opts=child,
    )
    aws.ecr.LifecyclePolicy(
        child_name(name, "repo-lifecycle"),
        repository=repository.name,
        policy=json.dumps(ECR_LIFECYCLE_POLICY),
        opts=child,
    )
    # Paths relative to the project (the CLI runs there): absolute ones differ between a laptop
    # and CI, which makes docker-build rebuild and push a tag ECR already holds immutably.
    context = PurePosixPath(build.context)
    image = awsx.ecr.Image(
        child_name(name, "image"),
        repository_url=repository.repository_url,
        context=context.as_posix(),
        dockerfile=(context / build.dockerfile).as_posix(),
        platform=build.platform,
        image_tag=context_tag(Path(build.context_path), build.dockerfile, build.platform, service=name),
        opts=child,
    )
    return image.image_uri, repository.repository_url
