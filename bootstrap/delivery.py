"""DeliveryAccess: what GitHub Actions needs in one account to preview and deploy webstack.

- the GitHub OIDC provider (no long-lived keys anywhere);
- a read-only *preview* role that only pull requests of the repository can assume;
- a *deploy* role that only the repository's deploy job in one GitHub Environment can assume, allowed
  exactly the actions webstack's resources need (IAM limited to roles under webstack's own path);
- optionally an *operator* role for people (MFA): the deploy role's permissions plus exactly what
  ``python -m ops`` calls (bootstrap/operator_actions.py);
- optionally a state bucket (versioned, KMS-encrypted, private, TLS-only) and a KMS key for secrets.

Who may assume the roles is in ``trust.py``, what they may do in ``permissions.py`` (from the table
in ``deploy_actions.py``), the state backend in ``state_backend.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from bootstrap.permissions import (
    any_resource_statements,
    deploy_statements,
    managed_policy_chunks,
    operator_command_statements,
    preview_statements,
)
from bootstrap.state_backend import state_backend
from bootstrap.trust import GITHUB_OIDC_URL, STS_AUDIENCE, github_trust, operator_trust
from components.pure.naming import child_name, tags_with_name, type_token

DELIVERY_PATH = "/webstack-delivery/"
OPERATOR_ROLE_NAME = "webstack-operator"


@dataclass(frozen=True)
class DeliveryAccessArgs:
    """What DeliveryAccess builds in one account."""

    repository: str
    """owner/name of the GitHub repository."""
    environment: str
    """The GitHub Environment whose jobs may assume the deploy role (deployment branch policy: main)."""
    preview_environment: str
    """The GitHub Environment whose jobs may assume the preview role (prod's has required reviewers)."""
    drift_environment: str
    """The GitHub Environment of the scheduled drift check (drift.yml), which may also assume the
    preview role (no reviewers: deployment branch policy "main")."""
    account_id: str
    """The account being bootstrapped."""
    region: str
    """Its region (for the state backend URL)."""
    create_state_backend: bool
    """Whether to create the state bucket and the secrets KMS key."""
    existing_oidc_provider_arn: str | None = None
    """Reuse this OIDC provider instead of creating one."""
    operator_principal_arns: tuple[str, ...] = ()
    """IAM users or roles that may assume the operator role with MFA; none: no operator role."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child."""


class DeliveryAccess(pulumi.ComponentResource):
    """OIDC provider, preview and deploy roles, and the optional state backend of one account."""

    oidc_provider_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    operator_role_arn: pulumi.Output[str] | None
    state_bucket: pulumi.Output[str] | None
    backend_url: pulumi.Output[str] | None
    secrets_provider: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DeliveryAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("DeliveryAccess"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        provider_arn = self._oidc_provider(name, args, child)
        bucket, key = state_backend(name, args.tags, self) if args.create_state_backend else (None, None)
        preview, deploy = self._roles(name, args, provider_arn, child)
        deploy_policy = self._role_policies(name, args, preview, deploy, bucket, key, child)
        actions = self._action_policies(name, args, child)
        self._attach(name, "deploy", deploy, actions, child)
        self.operator_role_arn = (
            self._operator_role(name, args, deploy_policy, actions, child)
            if args.operator_principal_arns
            else None
        )
        self._outputs(args, provider_arn, preview, deploy, bucket, key)

    def _oidc_provider(
        self, name: str, args: DeliveryAccessArgs, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        """The ARN of the GitHub OIDC provider: the existing one if given, else a new one."""
        if args.existing_oidc_provider_arn:
            return pulumi.Output.from_input(args.existing_oidc_provider_arn)
        return aws.iam.OpenIdConnectProvider(
            child_name(name, "github-oidc"),
            url=GITHUB_OIDC_URL,
            client_id_lists=[STS_AUDIENCE],
            tags=tags_with_name(child_name(name, "github-oidc"), args.tags),
            opts=child,
        ).arn

    def _trust(self, provider_arn: pulumi.Output[str], *subjects: str) -> pulumi.Output[str]:
        """The trust policy that admits GitHub's tokens for exactly ``subjects``."""
        return aws.iam.get_policy_document_output(
            statements=provider_arn.apply(lambda arn: github_trust(arn, list(subjects))),
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).json

    def _roles(
        self,
        name: str,
        args: DeliveryAccessArgs,
        provider_arn: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> tuple[aws.iam.Role, aws.iam.Role]:
        """The preview and deploy roles, each assumable from one GitHub Environment only."""
        preview = aws.iam.Role(
            child_name(name, "preview"),
            description=f"Read-only pulumi preview by {args.repository} in {args.preview_environment}",
            path=DELIVERY_PATH,
            # Not `pull_request`: anyone who can push a branch could edit the workflow and read this
            # account's state. An environment can require reviewers before its jobs get a token.
            # The drift environment has none but its branch policy is main: only main's schedule runs it.
            assume_role_policy=self._trust(
                provider_arn,
                f"repo:{args.repository}:environment:{args.preview_environment}",
                f"repo:{args.repository}:environment:{args.drift_environment}",
            ),
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        deploy = aws.iam.Role(
            child_name(name, "deploy"),
            description=f"pulumi up of webstack by {args.repository} in its {args.environment} environment",
            path=DELIVERY_PATH,
            assume_role_policy=self._trust(
                provider_arn, f"repo:{args.repository}:environment:{args.environment}"
            ),
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        return preview, deploy

    def _role_policies(
        self,
        name: str,
        args: DeliveryAccessArgs,
        preview: aws.iam.Role,
        deploy: aws.iam.Role,
        bucket: aws.s3.Bucket | None,
        key: aws.kms.Key | None,
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        """The preview and deploy roles' inline policies; returns the deploy policy's document."""
        invoke = pulumi.InvokeOutputOptions(parent=self)
        # The state statements name the bucket and key when they exist (data only inside apply).
        state = (
            pulumi.Output.all(bucket.arn, key.arn)
            if bucket is not None and key is not None
            else pulumi.Output.from_input(["", ""])
        )
        aws.iam.RolePolicy(
            child_name(name, "preview-policy"),
            role=preview.id,
            policy=aws.iam.get_policy_document_output(
                statements=state.apply(lambda arns: preview_statements(args.account_id, *arns)), opts=invoke
            ).json,
            opts=child,
        )
        deploy_policy = aws.iam.get_policy_document_output(
            statements=state.apply(lambda arns: deploy_statements(args.account_id, *arns)), opts=invoke
        ).json
        aws.iam.RolePolicy(
            child_name(name, "deploy-policy"), role=deploy.id, policy=deploy_policy, opts=child
        )
        return deploy_policy

    def _action_policies(
        self, name: str, args: DeliveryAccessArgs, child: pulumi.ResourceOptions
    ) -> list[pulumi.Output[str]]:
        """The any-resource statements outgrow the inline limit, so they live in managed policies."""
        invoke = pulumi.InvokeOutputOptions(parent=self)
        return [
            aws.iam.Policy(
                child_name(name, f"actions-{number}"),
                description="pulumi up of webstack: actions on resources these services do not scope by ARN",
                path=DELIVERY_PATH,
                policy=aws.iam.get_policy_document_output(statements=chunk, opts=invoke).json,
                tags=args.tags,
                opts=child,
            ).arn
            for number, chunk in enumerate(managed_policy_chunks(any_resource_statements()), start=1)
        ]

    def _attach(
        self,
        name: str,
        role_name: str,
        role: aws.iam.Role,
        policies: list[pulumi.Output[str]],
        child: pulumi.ResourceOptions,
    ) -> None:
        for number, policy in enumerate(policies, start=1):
            aws.iam.RolePolicyAttachment(
                child_name(name, f"{role_name}-actions-{number}"),
                role=role.name,
                policy_arn=policy,
                opts=child,
            )

    def _operator_role(
        self,
        name: str,
        args: DeliveryAccessArgs,
        policy: pulumi.Output[str],
        actions: list[pulumi.Output[str]],
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        """The deploy role's permissions plus the operator commands' (``python -m ops``), for the listed
        principals at a laptop, with MFA only."""
        operator = aws.iam.Role(
            child_name(name, "operator"),
            name=OPERATOR_ROLE_NAME,  # a fixed name, so stack files can name it in aws:assumeRoles
            description=f"pulumi preview/up of webstack by operators (MFA) of {args.repository}",
            path=DELIVERY_PATH,
            assume_role_policy=aws.iam.get_policy_document_output(
                statements=operator_trust(args.operator_principal_arns),
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).json,
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicy(child_name(name, "operator-policy"), role=operator.id, policy=policy, opts=child)
        self._attach(name, "operator", operator, actions, child)
        self._operator_commands(name, args, operator, child)
        return operator.arn

    def _operator_commands(
        self, name: str, args: DeliveryAccessArgs, operator: aws.iam.Role, child: pulumi.ResourceOptions
    ) -> None:
        """A managed policy (the role's inline policies are near IAM's 10,240-character total) with what
        the ops commands call, attached to the operator role only."""
        commands = aws.iam.Policy(
            child_name(name, "operator-commands"),
            description="python -m ops (status, logs, exec, run, db, cache) for webstack's operators",
            path=DELIVERY_PATH,
            policy=aws.iam.get_policy_document_output(
                statements=operator_command_statements(args.account_id),
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).json,
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            child_name(name, "operator-commands-attachment"),
            role=operator.name,
            policy_arn=commands.arn,
            opts=child,
        )

    def _outputs(
        self,
        args: DeliveryAccessArgs,
        provider_arn: pulumi.Output[str],
        preview: aws.iam.Role,
        deploy: aws.iam.Role,
        bucket: aws.s3.Bucket | None,
        key: aws.kms.Key | None,
    ) -> None:
        """The component's outputs: the roles' ARNs and, with a state backend, how to reach it."""
        self.oidc_provider_arn = provider_arn
        self.preview_role_arn = preview.arn
        self.deploy_role_arn = deploy.arn
        self.state_bucket = bucket.bucket if bucket is not None else None
        self.backend_url = (
            pulumi.Output.concat("s3://", bucket.bucket, f"?region={args.region}&awssdk=v2")
            if bucket is not None
            else None
        )
        self.secrets_provider = (
            pulumi.Output.concat("awskms:///", key.arn, f"?region={args.region}") if key is not None else None
        )
        self.register_outputs(
            {
                "oidcProviderArn": self.oidc_provider_arn,
                "previewRoleArn": self.preview_role_arn,
                "deployRoleArn": self.deploy_role_arn,
                "stateBucket": self.state_bucket,
            }
        )
