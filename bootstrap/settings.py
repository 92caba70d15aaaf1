"""The bootstrap's config: read, typed and validated before any resource exists (as webstack's is)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from stack.config import AwsSettings, parse_aws, parse_namespace, raw_config
from stack.schema import ConfigError, StrictModel

NAMESPACE = "webstack-bootstrap"
_REPOSITORY = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9_.-]{1,100}$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)$")
_ACCOUNT = re.compile(r"^\d{12}$")
_OIDC_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$")


class ReplicaConfig(StrictModel):
    """A later stage's registry that this (the first stage's) registry replicates images to."""

    account: StrictStr = Field(description="The later stage's account id (12 digits).")
    region: StrictStr = Field(description="Its region, e.g. eu-west-1.")

    @field_validator("account")
    @classmethod
    def _account_id(cls, value: str) -> str:
        if not _ACCOUNT.match(value):
            raise ValueError("it is not a 12-digit account id")
        return value


class BootstrapConfig(StrictModel):
    """Every ``webstack-bootstrap:*`` key."""

    github_repository: StrictStr = Field(
        alias="githubRepository",
        description="owner/name of the repository whose workflows may assume the roles (required).",
        json_schema_extra={"fix": "use owner/name, e.g. your-org/webstack"},
    )
    github_environment: StrictStr = Field(
        alias="githubEnvironment",
        description="The GitHub Environment of this account's deploy job, e.g. dev or prod (required).",
        json_schema_extra={"fix": "use the environment name the deploy job sets, e.g. prod"},
    )
    create_state_backend: StrictBool = Field(
        default=False,
        alias="createStateBackend",
        description="Create a versioned, encrypted S3 state bucket and a KMS key for secrets. Default false.",
        json_schema_extra={"fix": "use true or false"},
    )
    existing_oidc_provider_arn: StrictStr | None = Field(
        default=None,
        alias="existingOidcProviderArn",
        description="Reuse the account's GitHub OIDC provider instead of creating one (an account has one).",
        json_schema_extra={
            "fix": "use arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"
        },
    )

    preview_environment: StrictStr | None = Field(
        default=None,
        alias="previewEnvironment",
        description="The GitHub Environment of this account's previews. Default <githubEnvironment>-preview.",
        json_schema_extra={"fix": "use the environment name the preview job sets, e.g. prod-preview"},
    )
    drift_environment: StrictStr | None = Field(
        default=None,
        alias="driftEnvironment",
        description="The GitHub Environment of this account's scheduled drift check (drift.yml), trusted by "
        "the preview role. Default <githubEnvironment>-drift.",
        json_schema_extra={"fix": "use the environment name the drift job sets, e.g. prod-drift"},
    )
    operator_principal_arns: list[StrictStr] = Field(
        default_factory=list,
        alias="operatorPrincipalArns",
        description="IAM users or roles that may assume the operator role (with MFA) to run pulumi from a "
        "laptop. Default none: no operator role.",
        json_schema_extra={"fix": "use ARNs such as arn:aws:iam::<account>:user/<name>"},
    )
    replicate_images_to: list[ReplicaConfig] = Field(
        default_factory=list,
        alias="replicateImagesTo",
        description="The first stage's account: replicate every image to these later stages' registries "
        "(build once, promote by digest). Default none.",
        json_schema_extra={"fix": "use a list of {account: '<12 digits>', region: <region>}"},
    )
    accept_images_from: list[StrictStr] = Field(
        default_factory=list,
        alias="acceptImagesFrom",
        description="A later stage's account: the first stage's account ids that may replicate images "
        "into this registry. Default none.",
        json_schema_extra={"fix": "use a list of 12-digit account ids"},
    )
    replicated_images_kept: StrictInt = Field(
        default=30,
        ge=1,
        le=1000,
        alias="replicatedImagesKept",
        description="Images each replicated repository keeps (how far back a rollback can go). Default 30.",
        json_schema_extra={"fix": "use a number from 1 to 1000"},
    )

    @field_validator("accept_images_from")
    @classmethod
    def _source_accounts(cls, values: list[str]) -> list[str]:
        bad = [value for value in values if not _ACCOUNT.match(value)]
        if bad:
            raise ValueError(f"{bad} are not 12-digit account ids")
        return values

    @field_validator("github_repository")
    @classmethod
    def _owner_and_name(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError("it is not owner/name")
        return value

    @field_validator("github_environment", "preview_environment", "drift_environment")
    @classmethod
    def _environment_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENVIRONMENT.match(value):
            raise ValueError("it is not a GitHub Environment name")
        return value

    @field_validator("operator_principal_arns")
    @classmethod
    def _principal_arns(cls, values: list[str]) -> list[str]:
        bad = [value for value in values if not _PRINCIPAL_ARN.match(value)]
        if bad:
            raise ValueError(f"{bad} are not ARNs of IAM users, roles or an account root")
        return values

    @field_validator("existing_oidc_provider_arn")
    @classmethod
    def _provider_arn(cls, value: str | None) -> str | None:
        if value is not None and not _OIDC_ARN.match(value):
            raise ValueError("it is not the ARN of a GitHub Actions OIDC provider")
        return value


@dataclass(frozen=True)
class BootstrapSettings:
    stack: str
    aws: AwsSettings
    account_id: str
    config: BootstrapConfig


def parse_bootstrap(raw: Mapping[str, Any], stack: str) -> BootstrapSettings:
    """Validate a bootstrap stack's config; raises ConfigError listing every problem."""
    config, problems = parse_namespace(raw, BootstrapConfig, NAMESPACE)
    aws, aws_problems = parse_aws(raw, None)
    problems += aws_problems
    if len(aws.allowed_account_ids) > 1:
        problems.append(
            f"aws:allowedAccountIds: got {list(aws.allowed_account_ids)}, but a bootstrap sets up exactly "
            "one account; run it once per account, each stack naming its own"
        )
    if config is None or problems or not aws.allowed_account_ids:
        raise ConfigError(stack, problems)
    return BootstrapSettings(stack, aws, next(iter(aws.allowed_account_ids)), config)


def load_bootstrap(stack: str) -> BootstrapSettings:
    return parse_bootstrap(raw_config(), stack)
