"""The VpcFunction component: a small Python Lambda function in the VPC's private subnets, with its own
security group (egress only where told), a least-privilege execution role and an encrypted log group.

Environment-neutral and reusable: a service's pre-traffic check (components/service/) and any other
in-VPC helper (e.g. a restore validation) are the same building block with different handler source,
egress paths and statements.

Evidence: pulumi-aws 7.51 ``lambda_/function.py`` (``code``, ``handler``, ``runtime``, ``vpc_config``
{subnet_ids, security_group_ids}, ``logging_config`` {log_format, log_group},
``reserved_concurrent_executions``, ``timeout``, ``memory_size``); AWS Lambda developer guide
"Giving Lambda functions access to resources in an Amazon VPC" (configuration-vpc.html: the execution
role's ec2 actions, ``DescribeNetworkInterfaces`` only works on ``"Resource": "*"``) and
"Configuring advanced logging controls" (monitoring-cloudwatchlogs-advanced.html: a custom log group).
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .encryption import encrypted_log_group
from .iam import Statement, service_trust
from .pure.inputs import args_of
from .pure.naming import IAM_PATH, child_name, member_name, tags_with_name, type_token

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
SUPPORTED_RUNTIMES = ("python3.12", "python3.13")
"""Python runtimes Lambda supports without a deprecation date (AWS Lambda lambda-runtimes.html)."""
DEFAULT_RUNTIME = "python3.13"
DEFAULT_TIMEOUT_SECONDS = 30
MAX_TIMEOUT_SECONDS = 900
"""Lambda's ceiling for one invocation (CreateFunction Timeout: 1-900)."""
DEFAULT_MEMORY_MB = 128
DEFAULT_LOG_RETENTION_DAYS = 14
SOURCE_FILE = "index.py"
"""The handler source's file name in the deployment package; the handler is ``index.<function>``."""
DEFAULT_HANDLER_FUNCTION = "handler"
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
"""Writes to the function's own log group (the group exists: no logs:CreateLogGroup)."""
VPC_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
"""The ENI actions of AWSLambdaVPCAccessExecutionRole; AWS requires ``"Resource": "*"`` for them
(configuration-vpc.html), so they are the managed policy's statement without its logs actions."""


@dataclass(frozen=True)
class FunctionEgress:
    """One TCP path out of the function's security group, to another group (never a CIDR)."""

    port: int
    """The destination port. Required."""
    destination_security_group_id: pulumi.Input[str]
    """The group the function may reach on ``port``. Required."""
    description: str
    """What the path is for (both rules' description). Required."""
    admit_on_destination: bool = True
    """Also add the matching ingress rule on the destination group (False when its owner adds it).
    Default: True."""


@dataclass(frozen=True)
class FunctionStatement:
    """One Allow statement of the function's execution role, beyond logging and its network interfaces."""

    actions: Sequence[str]
    """IAM actions, e.g. ``backup:PutRestoreValidationResult``. Required."""
    resources: Sequence[pulumi.Input[str]]
    """The ARNs they apply to (``*`` only where the action takes no resource). Required."""


@dataclass(frozen=True)
class VpcFunctionArgs:
    """What a VpcFunction builds: the handler source, where it runs and what it may reach and call."""

    source: str
    """The handler module's Python source, stored as ``index.py`` (plain text: the package's hash
    changes only when the source does). Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the function's security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The (private) subnets the function's network interfaces use. Required."""
    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the function's log group. Required."""
    description: str
    """What the function does (the function's and its role's description). Required."""
    handler_function: str = DEFAULT_HANDLER_FUNCTION
    """The function in ``index.py`` Lambda calls. Default: handler."""
    runtime: str = DEFAULT_RUNTIME
    """python3.12 or python3.13. Default: python3.13."""
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    """Seconds one invocation may run (1-900). Default: 30."""
    memory_mb: int = DEFAULT_MEMORY_MB
    """Memory in MB (128-10240). Default: 128."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables of the function. Default: none."""
    egress: Sequence[FunctionEgress] = ()
    """The only paths out of the function's security group. Default: none (no egress at all)."""
    statements: Sequence[FunctionStatement] = ()
    """Further Allow statements of the execution role. Default: none."""
    reserved_concurrency: int | None = None
    """Concurrent executions reserved for (and capping) the function. Default: None (unreserved)."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the function's log group keeps logs. Default: 14."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""


def check_function_args(name: str, args: VpcFunctionArgs) -> None:
    """Refuse what Lambda refuses, before any resource exists."""
    if args.runtime not in SUPPORTED_RUNTIMES:
        raise ValueError(f"{name}: runtime {args.runtime!r} is not one of {', '.join(SUPPORTED_RUNTIMES)}")
    if not 1 <= args.timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise ValueError(f"{name}: timeout_seconds {args.timeout_seconds} is outside 1-{MAX_TIMEOUT_SECONDS}")
    if not args.subnet_ids:
        raise ValueError(f"{name}: a VPC function needs at least one subnet")
    ports = [egress.port for egress in args.egress]
    if len(set(ports)) != len(ports):
        # Each path's rules are named by its port (a list change never renames a kept rule).
        raise ValueError(f"{name}: egress ports {ports} repeat; give each port one destination group")


class VpcFunction(pulumi.ComponentResource):
    """A Python Lambda function in private subnets with its security group, role and log group."""

    arn: pulumi.Output[str]
    """The function's ARN (what a caller is allowed lambda:InvokeFunction on)."""
    function_name: pulumi.Output[str]
    """The function's name."""
    role_arn: pulumi.Output[str]
    """The execution role's ARN (what a deployer passes to Lambda)."""
    security_group_id: pulumi.Output[str]
    """The function's security group (what a destination admits)."""
    log_group_name: pulumi.Output[str]
    """The log group the function writes to."""

    def __init__(self, name: str, args: VpcFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(VpcFunctionArgs, args)
        check_function_args(name, args)
        super().__init__(type_token("VpcFunction"), name, None, opts)
        self._child = pulumi.ResourceOptions(parent=self)
        security_group, paths = self._network(name, args)
        log_group = encrypted_log_group(
            child_name(name, "logs"), args.log_retention_days, args.kms_key_arn, self, args.tags
        )
        role, policy = self._role(name, args, log_group)
        function = self._function(name, args, security_group, role, log_group, [policy, *paths])
        self.arn = function.arn
        self.function_name = function.name
        self.role_arn = role.arn
        self.security_group_id = security_group.id
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "arn": self.arn,
                "functionName": self.function_name,
                "roleArn": self.role_arn,
                "securityGroupId": self.security_group_id,
                "logGroupName": self.log_group_name,
            }
        )

    def _network(
        self, name: str, args: VpcFunctionArgs
    ) -> tuple[aws.ec2.SecurityGroup, list[pulumi.Resource]]:
        """The function's group with no inline rules (so none is implied), and each egress path."""
        security_group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description=f"Lambda {name}: out only where its paths say",
            tags=tags_with_name(child_name(name, "sg"), args.tags),
            opts=self._child,
        )
        paths: list[pulumi.Resource] = []
        for egress in args.egress:
            paths.append(
                aws.vpc.SecurityGroupEgressRule(
                    member_name(name, "out", str(egress.port)),
                    security_group_id=security_group.id,
                    description=egress.description,
                    ip_protocol="tcp",
                    from_port=egress.port,
                    to_port=egress.port,
                    referenced_security_group_id=egress.destination_security_group_id,
                    tags=dict(args.tags),
                    opts=self._child,
                )
            )
            if egress.admit_on_destination:
                paths.append(
                    aws.vpc.SecurityGroupIngressRule(
                        member_name(name, "in", str(egress.port)),
                        security_group_id=egress.destination_security_group_id,
                        description=egress.description,
                        ip_protocol="tcp",
                        from_port=egress.port,
                        to_port=egress.port,
                        referenced_security_group_id=security_group.id,
                        tags=dict(args.tags),
                        opts=self._child,
                    )
                )
        return security_group, paths

    def _role(
        self, name: str, args: VpcFunctionArgs, log_group: aws.cloudwatch.LogGroup
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """The execution role: its own log group, its network interfaces, and the given statements."""
        role = aws.iam.Role(
            # "-fn-role": the deploy role passes only roles named so to Lambda (bootstrap/permissions.py).
            child_name(name, "fn-role"),
            description=f"Lambda {name}: {args.description}"[:1000],
            assume_role_policy=service_trust(LAMBDA_PRINCIPAL, parent=self),
            path=IAM_PATH,
            tags=dict(args.tags),
            opts=self._child,
        )
        given = [(statement.actions, statement.resources) for statement in args.statements]
        statements = pulumi.Output.all(
            log_group.arn, *(pulumi.Output.all(*resources) for _, resources in given)
        ).apply(
            lambda resolved: function_statements(
                resolved[0],
                [
                    (actions, list(resources))
                    for (actions, _), resources in zip(given, resolved[1:], strict=True)
                ],
            )
        )
        document = aws.iam.get_policy_document_output(
            statements=statements, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        policy = aws.iam.RolePolicy(
            child_name(name, "policy"), role=role.id, policy=document.json, opts=self._child
        )
        return role, policy

    def _function(
        self,
        name: str,
        args: VpcFunctionArgs,
        security_group: aws.ec2.SecurityGroup,
        role: aws.iam.Role,
        log_group: aws.cloudwatch.LogGroup,
        waits_for: list[pulumi.Resource],
    ) -> aws.lambda_.Function:
        """The function; it waits for its policy (ENIs and logs) and its network paths."""
        return aws.lambda_.Function(
            child_name(name, "fn"),
            description=args.description[:256],
            role=role.arn,
            runtime=args.runtime,
            handler=f"{SOURCE_FILE.removesuffix('.py')}.{args.handler_function}",
            code=pulumi.AssetArchive({SOURCE_FILE: pulumi.StringAsset(args.source)}),
            timeout=args.timeout_seconds,
            memory_size=args.memory_mb,
            reserved_concurrent_executions=args.reserved_concurrency,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
            if args.environment
            else None,
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.subnet_ids), security_group_ids=[security_group.id]
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits_for),
        )


HTTPS = 443


def https_to_aws_apis(
    function: VpcFunction,
    logical_name: str,
    description: str,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.vpc.SecurityGroupEgressRule:
    """HTTPS out of the function's group to the AWS APIs it calls: through NAT, or in a stack without NAT
    the interface endpoints (private DNS), whose group admits 443 from the private subnets. The APIs'
    addresses are AWS's public ranges or the endpoints', so the rule names no group."""
    return aws.vpc.SecurityGroupEgressRule(
        logical_name,
        security_group_id=function.security_group_id,
        description=description,
        ip_protocol="tcp",
        from_port=HTTPS,
        to_port=HTTPS,
        cidr_ipv4="0.0.0.0/0",
        tags=dict(tags),
        opts=opts,
    )


def function_statements(
    log_group_arn: str, given: Sequence[tuple[Sequence[str], Sequence[str]]]
) -> list[Statement]:
    """The execution role's statements: write its own log group's streams, manage its network
    interfaces (AWS requires ``*``), then each given (actions, resources)."""
    return [
        Statement(
            sid="WriteItsOwnLogGroup",
            effect="Allow",
            actions=list(LOG_ACTIONS),
            resources=[f"{log_group_arn}:*"],
        ),
        Statement(sid="ItsNetworkInterfaces", effect="Allow", actions=list(VPC_ACTIONS), resources=["*"]),
        *(
            Statement(sid=f"Given{index}", effect="Allow", actions=list(actions), resources=list(resources))
            for index, (actions, resources) in enumerate(given, start=1)
        ),
    ]


__all__ = [
    "LAMBDA_PRINCIPAL",
    "LOG_ACTIONS",
    "VPC_ACTIONS",
    "FunctionEgress",
    "FunctionStatement",
    "VpcFunction",
    "VpcFunctionArgs",
]
