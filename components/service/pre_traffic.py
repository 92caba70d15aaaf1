"""A service's pre-traffic check: a VpcFunction that GETs a path of the new version through the load
balancer's test listener, and the ECS lifecycle hook that runs it before production traffic moves.

Evidence: pulumi-aws 7.51 ``ecs/_inputs.py`` ``ServiceDeploymentConfigurationLifecycleHookArgs``
{hook_target_arn, role_arn, lifecycle_stages, hook_details, target_type (default AWS_LAMBDA)};
AWS ECS developer guide "Lifecycle hooks for Amazon ECS service deployments"
(deployment-lifecycle-hooks.html: POST_TEST_TRAFFIC_SHIFT, the green revision takes all test traffic,
production has not moved) and "Permissions required for Lambda functions in Amazon ECS blue/green
deployments" (blue-green-permissions.html: a role ``ecs.amazonaws.com`` assumes, with
``lambda:InvokeFunction``; here on the one function only).
"""

# No `from __future__ import annotations` here: Pulumi's component analyzer reads raw annotations.

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..function import FunctionEgress, VpcFunction, VpcFunctionArgs, https_to_aws_apis
from ..iam import Statement
from ..pure.naming import IAM_PATH, child_name

HOOK_STAGE = "POST_TEST_TRAFFIC_SHIFT"
"""Green is healthy and takes all test traffic; production traffic has not moved yet."""
INVOKE_ACTIONS = ("lambda:InvokeFunction",)
HANDLER_SOURCE = (Path(__file__).parent / "pre_traffic_handler.py").read_text()
"""The function's ``index.py``: read from the repository, so the same source gives the same package."""
FUNCTION_GRACE_SECONDS = 5
"""The function's timeout beyond the request's, so a slow answer is reported, not cut off (and room for the
handler's EC2 lookup on an internet-facing load balancer: one attempt of at most 4 s)."""
DEFAULT_CHECK_PATH = "/"
DEFAULT_EXPECT_STATUS = 200
DEFAULT_CHECK_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class PreTrafficCheck:
    """What the check requests through the test listener and what it must get back."""

    load_balancer_dns_name: pulumi.Input[str]
    """The load balancer whose test listener reaches the new version. Required."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The load balancer's group: it admits the function on the test port. Required."""
    test_port: int
    """The test listener's port. Required."""
    https: bool
    """Whether the test listener terminates TLS. Required."""
    path: str = DEFAULT_CHECK_PATH
    """The path requested. Default: /."""
    expect_status: int = DEFAULT_EXPECT_STATUS
    """The status the new version must answer. Default: 200."""
    timeout_seconds: int = DEFAULT_CHECK_TIMEOUT_SECONDS
    """Seconds to wait for the answer. Default: 5."""
    host_header: str | None = None
    """The Host header to send (one the service's rule matches). Default: None (the DNS name)."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """An internet-facing load balancer's ARN suffix (``app/<name>/<id>``): its DNS name resolves to public
    addresses, which the load balancer's rule for the function's group does not match, so the check
    calls the private addresses of the load balancer's network interfaces instead (and may reach the
    EC2 API over HTTPS to list them). Default: None (an internal load balancer: its DNS name)."""


@dataclass(frozen=True)
class HookPlacement:
    """Where the check's function runs and what encrypts its logs (the service's own settings)."""

    vpc_id: pulumi.Input[str]
    subnet_ids: list[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    tags: Mapping[str, str]


def pre_traffic_hook(
    owner: pulumi.Resource, name: str, check: PreTrafficCheck, placement: HookPlacement
) -> tuple[aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs, list[pulumi.Resource]]:
    """The check's function, the role ECS invokes it with, and the hook; plus what the service waits for."""
    child = pulumi.ResourceOptions(parent=owner)
    function = VpcFunction(
        child_name(name, "pre-traffic"),
        VpcFunctionArgs(
            source=HANDLER_SOURCE,
            vpc_id=placement.vpc_id,
            subnet_ids=placement.subnet_ids,
            kms_key_arn=placement.kms_key_arn,
            description=f"Pre-traffic check of {name}: GET {check.path} on the test listener, "
            f"expect {check.expect_status}",
            timeout_seconds=check.timeout_seconds + FUNCTION_GRACE_SECONDS,
            environment=_environment(check),
            egress=[
                FunctionEgress(
                    port=check.test_port,
                    destination_security_group_id=check.load_balancer_security_group_id,
                    description=f"Pre-traffic check of {name} to the test listener",
                )
            ],
            # Unreserved: Lambda keeps 100 of an account's concurrency unreserved, and a new account's
            # quota of 10 leaves nothing to reserve (one check per deployment needs no guarantee).
            reserved_concurrency=None,
            log_retention_days=placement.log_retention_days,
            tags=placement.tags,
        ),
        opts=child,
    )
    paths = _ec2_api_path(name, check, function, placement.tags, child)
    role = aws.iam.Role(
        child_name(name, "hook-role"),
        description=f"ECS invokes {name}'s pre-traffic check during deployments",
        assume_role_policy=aws.iam.get_policy_document_output(
            statements=[
                Statement(
                    effect="Allow",
                    actions=["sts:AssumeRole"],
                    principals=[
                        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                            type="Service", identifiers=["ecs.amazonaws.com"]
                        )
                    ],
                )
            ],
            opts=pulumi.InvokeOutputOptions(parent=owner),
        ).json,
        path=IAM_PATH,
        tags=dict(placement.tags),
        opts=child,
    )
    document = aws.iam.get_policy_document_output(
        statements=function.arn.apply(
            lambda arn: [
                Statement(
                    sid="InvokeThePreTrafficCheck",
                    effect="Allow",
                    actions=list(INVOKE_ACTIONS),
                    resources=[arn],
                )
            ]
        ),
        opts=pulumi.InvokeOutputOptions(parent=owner),
    )
    policy = aws.iam.RolePolicy(
        child_name(name, "hook-policy"), role=role.id, policy=document.json, opts=child
    )
    hook = aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs(
        hook_target_arn=function.arn, role_arn=role.arn, lifecycle_stages=[HOOK_STAGE]
    )
    return hook, [function, policy, *paths]


def _ec2_api_path(
    name: str,
    check: PreTrafficCheck,
    function: VpcFunction,
    tags: Mapping[str, str],
    child: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    """HTTPS out of the function's group to the EC2 API, for an internet-facing load balancer's lookup.

    ec2:DescribeNetworkInterfaces is already the function's (VPC access actions, Resource "*"). Its API
    over HTTPS: through NAT, or in a stack without NAT the ec2 interface endpoint (private DNS), whose
    group admits 443 from the private subnets (as the restore tests' function does)."""
    if check.load_balancer_arn_suffix is None:
        return []
    return [
        https_to_aws_apis(
            function,
            child_name(name, "pre-traffic-to-ec2"),
            f"Pre-traffic check of {name}: HTTPS to the EC2 API (NAT or interface endpoint)",
            tags,
            child,
        )
    ]


def _environment(check: PreTrafficCheck) -> dict[str, pulumi.Input[str]]:
    """What the handler reads (components/service/pre_traffic_handler.py)."""
    environment: dict[str, pulumi.Input[str]] = {
        "CHECK_SCHEME": "https" if check.https else "http",
        "CHECK_HOST": check.load_balancer_dns_name,
        "CHECK_PORT": str(check.test_port),
        "CHECK_PATH": check.path,
        "EXPECT_STATUS": str(check.expect_status),
        "TIMEOUT_SECONDS": str(check.timeout_seconds),
    }
    if check.host_header:
        environment["CHECK_HOST_HEADER"] = check.host_header
    if check.load_balancer_arn_suffix is not None:
        environment["CHECK_LOAD_BALANCER"] = check.load_balancer_arn_suffix
    return environment
