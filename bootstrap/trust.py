"""Who may assume the delivery roles: GitHub Actions jobs of one repository and environment (through the
GitHub OIDC provider, no long-lived keys), and the listed operators with MFA."""

from __future__ import annotations

import pulumi_aws as aws

from components.iam import Statement

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"


def github_trust(provider_arn: str, subjects: list[str]) -> list[Statement]:
    """Only tokens GitHub issued for STS, for exactly these subjects (repository + environment): the
    condition's values are alternatives (StringEquals with several values matches any one of them)."""
    return [
        Statement(
            effect="Allow",
            actions=["sts:AssumeRoleWithWebIdentity"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Federated", identifiers=[provider_arn])
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:aud", values=[STS_AUDIENCE]
                ),
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:sub", values=list(subjects)
                ),
            ],
        )
    ]


def operator_trust(principal_arns: tuple[str, ...]) -> list[Statement]:
    """Only the listed IAM principals, and only with credentials obtained with MFA."""
    return [
        Statement(
            effect="Allow",
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=list(principal_arns))
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="Bool", variable="aws:MultiFactorAuthPresent", values=["true"]
                )
            ],
        )
    ]
