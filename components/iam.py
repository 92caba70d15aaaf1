"""IAM building blocks shared by the components (policy documents via pulumi_aws's helper)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

Statement = aws.iam.GetPolicyDocumentStatementArgs


def service_trust(service_principal: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A trust policy for an AWS service acting for this account only (confused-deputy guard).

    The helper's nested fields take plain strings, so the statement is built once the account id is
    known (data only: no resource is created inside the apply).
    """
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    account_id = aws.get_caller_identity_output(opts=invoke).account_id
    statements = account_id.apply(
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
        ]
    )
    return aws.iam.get_policy_document_output(statements=statements, opts=invoke).json
