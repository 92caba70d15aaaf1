"""ImagePromotion: how an image the first stage built reaches a later stage's account (issue 27).

Chosen: **ECR cross-account replication** (AWS ECR guide, "Private image replication"), not a
cross-account pull policy on dev's repositories:

- prod runs from its own registry: a task start or a scale-out never depends on dev's account, dev's
  lifecycle policy (10 images) or a `pulumi destroy` of dev (whose repositories force-delete);
- prod's deploy job holds no credential for dev's account at all: the replication is the registries'
  own business, set up once here by an administrator;
- the cost: images are stored twice, every repository of the source registry in the region is
  replicated (also images never promoted), and replication is asynchronous, so a later stage's job
  waits for the digests (``python -m tools.promotion wait``).

The source account (the first stage) gets the registry's replication configuration (one per registry:
this resource owns it); each destination account gets the registry policy that admits the source
(``ecr:CreateRepository``, ``ecr:ReplicateImage``; one per registry, this resource owns it too) and a
repository creation template for the repositories replication creates there: immutable tags and the
lifecycle policy that keeps ``keep_images`` images (how far back a rollback can go in that stage).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.pure.naming import child_name, type_token
from components.service.image import lifecycle_policy

REPLICATION_ACTIONS = ("ecr:CreateRepository", "ecr:ReplicateImage")
"""What a destination registry's policy grants the source account (AWS ECR guide,
registry-permissions-create-replication.html: "ecr:CreateRepository", "ecr:ReplicateImage")."""


@dataclass(frozen=True)
class ReplicaDestination:
    """A later stage's registry."""

    account_id: str
    """Its account. Required."""
    region: str
    """Its region. Required."""


@dataclass(frozen=True)
class ImagePromotionArgs:
    """What ImagePromotion builds in one account."""

    account_id: str
    """The account being bootstrapped. Required."""
    region: str
    """Its region (the registry's). Required."""
    replicate_to: Sequence[ReplicaDestination] = ()
    """Destinations this registry replicates every image to (the first stage's bootstrap). Default: none."""
    accept_from: Sequence[str] = ()
    """Source accounts that may replicate into this registry (the later stages'). Default: none."""
    keep_images: int = 30
    """Images each replicated repository keeps (rollback depth in this stage). Default: 30."""


def registry_policy(account_id: str, region: str, sources: Sequence[str]) -> dict[str, object]:
    """The destination registry's policy: each source account may create repositories and replicate."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReplicateFromTheFirstStage",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{source}:root" for source in sources]},
                "Action": list(REPLICATION_ACTIONS),
                "Resource": f"arn:aws:ecr:{region}:{account_id}:repository/*",
            }
        ],
    }


class ImagePromotion(pulumi.ComponentResource):
    """The replication rule of a source registry, or the policy and template of a destination one."""

    def __init__(self, name: str, args: ImagePromotionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("ImagePromotion"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.replicate_to:
            aws.ecr.ReplicationConfiguration(
                child_name(name, "replication"),
                replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                    rules=[
                        aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                            destinations=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                    region=destination.region, registry_id=destination.account_id
                                )
                                for destination in args.replicate_to
                            ]
                        )
                    ]
                ),
                opts=child,
            )
        if args.accept_from:
            aws.ecr.RegistryPolicy(
                child_name(name, "registry-policy"),
                policy=json.dumps(registry_policy(args.account_id, args.region, args.accept_from)),
                opts=child,
            )
            # ROOT: every repository replication creates here (AWS ECR guide, repository creation
            # templates: "ROOT" matches any prefix without a template of its own). Encryption stays the
            # default AES256: KMS or tags would need a custom role (pulumi_aws RepositoryCreationTemplate
            # custom_role_arn: "Required if using repository tags or KMS encryption").
            aws.ecr.RepositoryCreationTemplate(
                child_name(name, "replica-template"),
                prefix="ROOT",
                applied_fors=["REPLICATION"],
                description="Repositories the first stage's images replicate into",
                image_tag_mutability="IMMUTABLE",
                lifecycle_policy=json.dumps(lifecycle_policy(args.keep_images)),
                opts=child,
            )
        self.register_outputs({"replicatesTo": [d.account_id for d in args.replicate_to]})
