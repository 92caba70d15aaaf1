"""The release task: a one-off run of the service's NEW task definition (its image, roles, secrets,
environment, network and log group) that must exit 0 before the ECS service is updated.

It is a ``pulumi_command.local.Command`` in the graph, between the task definition and the service: the
machine running ``pulumi up`` (CI or a laptop) runs ``python -m ops.release`` (ops/release.py) with the
deployer's AWS credentials; the runner starts the task, streams its log and exits with its exit code.
A non-zero exit or a timeout fails the Command, so the service (which depends on it) is not updated and
the old version keeps serving. pulumi-command replaces the Command when ``triggers`` change
(``provider:"replaceOnChanges"``, pulumi-command provider/pkg/provider/common/inputs.go) and re-runs
``create`` on any other input change (its Update runs ``create`` when ``update`` is unset,
local/commandController.go); a failed run is retried by the next ``pulumi up``.
"""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_command as command

from ..pure.naming import child_name
from .args import ServiceArgs

RELEASE_ENVIRONMENT = "WEBSTACK_RELEASE"
"""The variable the runner reads its document from (ops/release.py ENVIRONMENT)."""


def release_document(
    name: str, args: ServiceArgs, task_definition_arn: pulumi.Input[str], security_group_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """What to run and where, as ops/release.py reads it: RunTask's placement is the service's."""
    assert args.release is not None
    placement: dict[str, object] = {
        "capacityProviderStrategy": [
            {"capacityProvider": share.capacity_provider, "base": share.base, "weight": share.weight}
            for share in args.capacity_provider_strategy
        ],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(args.subnet_ids),
                "securityGroups": [security_group_id],
                "assignPublicIp": "DISABLED",
            }
        },
    }
    if args.platform_version is not None:
        placement["platformVersion"] = args.platform_version
    return pulumi.Output.json_dumps(
        {
            "service": name,
            "region": args.region,
            "cluster": args.cluster_arn,
            "taskDefinition": task_definition_arn,
            "command": list(args.release.command),
            "timeout": args.release.timeout,
            "placement": placement,
            "assumeRoles": list(args.release.assume_role_arns),
        }
    )


def release_task(
    owner: pulumi.Resource,
    name: str,
    args: ServiceArgs,
    task_definition: aws.ecs.TaskDefinition,
    security_group_id: pulumi.Input[str],
    after: Sequence[pulumi.Resource],
) -> command.local.Command | None:
    """The release Command (None without ``args.release``): re-run when the task definition or the
    command changes, after ``after`` (the roles' policies and network paths the task needs)."""
    release = args.release
    if release is None:
        return None
    network = [args.capacity_providers] if args.capacity_providers is not None else []
    return command.local.Command(
        child_name(name, "release"),
        create=release.runner,
        environment={
            RELEASE_ENVIRONMENT: release_document(name, args, task_definition.arn, security_group_id)
        },
        # A new revision (image, environment, secrets, roles) or another command: a new release run.
        triggers=[task_definition.arn, list(release.command)],
        opts=pulumi.ResourceOptions(
            parent=owner,
            depends_on=[*after, *network],
            # The run's output (the app's migration log) stays encrypted in the state.
            additional_secret_outputs=["stdout", "stderr"],
        ),
    )
