"""webstack-bootstrap: run once per account (by an administrator) before the first pull request.

No resource is declared here; they live in ``delivery.py``.
"""

import sys
from pathlib import Path

# The CLI runs this program from bootstrap/; the code it shares with webstack lives at the root.
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))

import pulumi  # noqa: E402
from delivery import DeliveryAccess, DeliveryAccessArgs  # noqa: E402
from replication import ImagePromotion, ImagePromotionArgs, ReplicaDestination  # noqa: E402
from settings import load_bootstrap  # noqa: E402

settings = load_bootstrap(pulumi.get_stack())  # validates everything before any resource exists
config = settings.config

access = DeliveryAccess(
    "delivery",
    DeliveryAccessArgs(
        repository=config.github_repository,
        environment=config.github_environment,
        preview_environment=config.preview_environment or f"{config.github_environment}-preview",
        drift_environment=config.drift_environment or f"{config.github_environment}-drift",
        operator_principal_arns=tuple(config.operator_principal_arns),
        account_id=settings.account_id,
        region=settings.aws.region,
        create_state_backend=config.create_state_backend,
        existing_oidc_provider_arn=config.existing_oidc_provider_arn,
        tags={"Stack": f"bootstrap-{settings.stack}"},
    ),
)

if config.replicate_images_to or config.accept_images_from:
    ImagePromotion(
        "images",
        ImagePromotionArgs(
            account_id=settings.account_id,
            region=settings.aws.region,
            replicate_to=[ReplicaDestination(r.account, r.region) for r in config.replicate_images_to],
            accept_from=tuple(config.accept_images_from),
            keep_images=config.replicated_images_kept,
        ),
    )

pulumi.export("oidcProviderArn", access.oidc_provider_arn)
pulumi.export("previewRoleArn", access.preview_role_arn)
pulumi.export("deployRoleArn", access.deploy_role_arn)
if access.operator_role_arn is not None:
    pulumi.export("operatorRoleArn", access.operator_role_arn)
if access.state_bucket is not None:
    pulumi.export("stateBucket", access.state_bucket)
    pulumi.export("backendUrl", access.backend_url)
    pulumi.export("secretsProvider", access.secrets_provider)
