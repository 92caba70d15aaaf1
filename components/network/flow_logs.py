"""The Network's VPC flow log: all traffic to an encrypted log group with retention, written by a
role that can touch only that group."""

import pulumi
import pulumi_aws as aws

from ..encryption import encrypted_log_group
from ..iam import service_trust
from ..pure.naming import IAM_PATH, child_name, tags_with_name
from .args import NetworkArgs

FLOW_LOG_AGGREGATION_SECONDS = 60
"""Flow logs aggregate for 1 minute (AWS default 10): incidents are seen while they happen."""


def flow_logs(name: str, vpc_id: pulumi.Input[str], args: NetworkArgs, parent: pulumi.Resource) -> None:
    """All traffic to a log group with retention, written by a role that can touch only it."""
    child = pulumi.ResourceOptions(parent=parent)
    log_group = encrypted_log_group(
        child_name(name, "flow-logs"), args.flow_log_retention_days, args.kms_key_arn, parent, args.tags
    )
    role = aws.iam.Role(
        child_name(name, "flow-logs-role"),
        description="VPC flow logs delivery: writes only to its own log group",
        assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com", parent=parent),
        path=IAM_PATH,
        tags=args.tags,
        opts=child,
    )
    write_own_group = aws.iam.get_policy_document_output(
        statements=log_group.arn.apply(
            lambda arn: [
                aws.iam.GetPolicyDocumentStatementArgs(
                    effect="Allow",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[arn, f"{arn}:*"],
                )
            ]
        ),
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    aws.iam.RolePolicy(
        child_name(name, "flow-logs-policy"), role=role.id, policy=write_own_group.json, opts=child
    )
    aws.ec2.FlowLog(
        child_name(name, "flow-log"),
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
        tags=tags_with_name(child_name(name, "flow-log"), args.tags),
        opts=child,
    )
