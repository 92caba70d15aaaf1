"""The image a service runs: the given reference, or one built from a Docker context into the
service's own ECR repository (immutable tags, scanned on push, KMS-encrypted, old images expired)."""

import json
from pathlib import Path, PurePosixPath

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ..pure.artifacts import context_tag
from ..pure.naming import child_name, tags_with_name
from .args import ECR_KEEP_IMAGES, ServiceArgs

ECR_UNTAGGED_EXPIRY_DAYS = 7
DOCKER_BUILD_IMAGE = "docker-build:index:Image"


def lifecycle_policy(keep_images: int = ECR_KEEP_IMAGES) -> dict[str, object]:
    """Untagged layers expire after a week; the newest ``keep_images`` images stay for rollbacks."""
    return {
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
                "description": f"Keep the newest {keep_images} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_images,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def keep_pushed_images(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """Retain the pushed image when its docker-build resource is deleted.

    awsx names that child after the image tag (pulumi-awsx ``awsx/ecr/image.ts``), so a new tag is a
    new resource and the old one is deleted, and docker-build's Delete removes the pushed manifest from
    the registry (pulumi-docker-build ``provider/internal/image.go`` Delete -> ``ManifestDelete``):
    every deploy deleted the image the previous task definition runs. The lifecycle policy expires
    images instead, keeping the newest ``keep_images``. A transform reaches the children of awsx's
    (remote) component; ``retainOnDelete`` on the component itself would not.
    """
    if args.type_ != DOCKER_BUILD_IMAGE:
        return None
    return pulumi.ResourceTransformResult(
        props=args.props,
        opts=pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(retain_on_delete=True)),
    )


def build_on_deploy_only(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """Build and push on ``pulumi up`` only, never on ``pulumi preview``.

    docker-build's ``buildOnPreview`` defaults to true "as a safeguard" (pulumi-docker-build
    ``provider/internal/image.go``: ``SetDefault(&ia.BuildOnPreview, true)``), and awsx.ecr.Image does
    not expose it (pulumi-awsx ``awsx/ecr/image.ts``), so every pull-request preview built every image,
    arm64 under emulation, and pushed nothing. Unchanged images keep their recorded digest in a
    preview; a changed context is a new tag, hence a new child whose digest the preview shows as
    unknown: the task definition's new revision is still announced. The image is built once, by the
    first stage's ``pulumi up``.
    """
    if args.type_ != DOCKER_BUILD_IMAGE:
        return None
    return pulumi.ResourceTransformResult(props={**args.props, "buildOnPreview": False}, opts=args.opts)


def service_image(
    name: str, args: ServiceArgs, child: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
    """The image the task runs, and the service's repository URL when the image is built here.

    With ``build.prebuilt`` (an image promoted by digest from an earlier stage) the repository and its
    lifecycle stay, and nothing is built: prod runs exactly the digest the first stage built and ran.
    """
    build = args.build
    if build is None:
        return pulumi.Output.from_input(args.image or ""), None
    repository = aws.ecr.Repository(
        child_name(name, "repo"),
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
        # KMS without a key: the AWS managed key aws/ecr, whose key policy lets any principal of the
        # account use it through ECR (kms:ViaService ecr.<region>), so the two CreateGrant calls ECR makes
        # at creation (ECR guide, encryption-at-rest) need no kms:* grant in the deploy role.
        encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS")],
        # A repository that is destroyed with its images (dev) or outlives a mistaken destroy (prod).
        force_delete=args.force_delete_images,
        tags=tags_with_name(child_name(name, "repo"), args.tags),
        opts=child,
    )
    aws.ecr.LifecyclePolicy(
        child_name(name, "repo-lifecycle"),
        repository=repository.name,
        policy=json.dumps(lifecycle_policy(build.keep_images)),
        opts=child,
    )
    if build.prebuilt is not None:
        return pulumi.Output.from_input(build.prebuilt), repository.repository_url
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
        opts=pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(transforms=[keep_pushed_images, build_on_deploy_only])
        ),
    )
    return image.image_uri, repository.repository_url
