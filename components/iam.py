"""IAM building blocks shared by the components (policy documents via pulumi_aws's helper)."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws

Statement = aws.iam.GetPolicyDocumentStatementArgs


def account_policy(
    statements: Callable[[str], pulumi.Input[list[Statement]]], parent: pulumi.Resource
) -> pulumi.Output[str]:
    """A policy document whose statements name this account (its id is known only at run time).

    The helper's nested fields take plain strings, so the statements are built once the account id
    is known (data only: no resource is created inside the apply).
    """
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    account_id = aws.get_caller_identity_output(opts=invoke).account_id
    return aws.iam.get_policy_document_output(statements=account_id.apply(statements), opts=invoke).json


def service_trust(service_principal: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A trust policy for an AWS service acting for this account only (confused-deputy guard)."""
    return account_policy(
        lambda account: [
            Statement(
                effect="Allow",
                actions=["sts:AssumeRole"],
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service", identifiers=[service_principal]
                    )
                ],
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="StringEquals", variable="aws:SourceAccount", values=[account]
                    )
                ],
            )
        ],
        parent,
    )
