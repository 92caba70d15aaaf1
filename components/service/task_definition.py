"""The task definition: one hardened container (read-only root, writable scratch volumes, non-blocking
logs to its group, secrets only through ``valueFrom``), with the variables of its queues and data
stores."""

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..pure import fargate
from ..pure.naming import child_name
from .args import ServiceArgs, VolumeMount
from .roles import ServiceRoles

STOP_TIMEOUT_SECONDS = 30
SERVICE_CONNECT_PORT_NAME = "http"
"""The name of the port a called service serves over Service Connect (``portMappings[].name``)."""
ARM64_PLATFORM = "linux/arm64"


def task_definition(
    owner: pulumi.Resource,
    name: str,
    args: ServiceArgs,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    roles: ServiceRoles,
) -> aws.ecs.TaskDefinition:
    """The service's task definition (family ``<project>-<stack>-<name>``), also run by its schedules."""
    return aws.ecs.TaskDefinition(
        child_name(name, "task"),
        family=f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}",
        requires_compatibilities=[args.launch_compatibility],
        network_mode="awsvpc",
        cpu=str(args.cpu),
        memory=str(args.memory),
        runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
            operating_system_family="LINUX",
            cpu_architecture="ARM64"
            if args.build is not None and args.build.platform == ARM64_PLATFORM
            else "X86_64",
        ),
        execution_role_arn=roles.execution.arn,
        task_role_arn=roles.task.arn,
        volumes=[
            *(
                aws.ecs.TaskDefinitionVolumeArgs(name=_scratch_volume(i))
                for i in range(
                    len(writable_paths(args.scratch_paths, args.exec_enabled, args.launch_compatibility))
                )
            ),
            *(_efs_volume(mount) for mount in args.volume_mounts),
        ],
        container_definitions=pulumi.Output.json_dumps(
            [container_definition(name, args, image, log_group_name)]
        ),
        tags=args.tags,
        # Keep each earlier revision ACTIVE when a change registers a new one: `python -m ops rollback`
        # redeploys it. Without this the provider deregisters it, and ECS refuses to update a service
        # to an INACTIVE revision (pulumi_aws TaskDefinition docstring: "Whether to retain the old
        # revision when the resource is destroyed or replacement is necessary. Default is `false`.").
        # Not ForceNew (terraform-provider-aws internal/service/ecs/task_definition.go: Optional,
        # Default false): existing stacks update it in place.
        skip_destroy=True,
        opts=pulumi.ResourceOptions(parent=owner),
    )


def writable_paths(
    scratch_paths: Sequence[str], exec_enabled: bool, launch_compatibility: str
) -> tuple[str, ...]:
    """The container's writable volumes: its scratch paths, plus the Exec agent's when Exec is on (on
    EC2 only those the ECS agent does not bind-mount itself: see ``fargate.EXEC_AGENT_PATHS_EC2``)."""
    extra = fargate.exec_agent_paths(launch_compatibility) if exec_enabled else ()
    return tuple(dict.fromkeys((*scratch_paths, *extra)))


def _scratch_volume(index: int) -> str:
    return f"scratch-{index}"


def _efs_volume_name(mount: VolumeMount) -> str:
    return f"volume-{mount.name}"


def _efs_volume(mount: VolumeMount) -> aws.ecs.TaskDefinitionVolumeArgs:
    """An EFS volume through the service's access point, over TLS, as the task role (IAM): what the
    access point and the file system policy require (AWS ECS ``specify-efs-config.html``; Fargate
    platform 1.4.0+, EC2 with ECS agent 1.38.0+, which the ECS-optimized AMIs have: ``efs-volumes.html``)."""
    return aws.ecs.TaskDefinitionVolumeArgs(
        name=_efs_volume_name(mount),
        efs_volume_configuration=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs(
            file_system_id=mount.file_system_id,
            transit_encryption="ENABLED",
            authorization_config=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs(
                access_point_id=mount.access_point_id, iam="ENABLED"
            ),
        ),
    )


def container_definition(
    name: str, args: ServiceArgs, image: pulumi.Input[str], log_group_name: pulumi.Input[str]
) -> dict[str, Any]:
    """The one container of the task: hardened, logging to its group, secrets only via valueFrom."""
    # The queues' URLs first: a variable the service sets itself wins on a clash.
    environment: dict[str, Any] = {
        **_queue_environment(args),
        **_bucket_environment(args),
        **args.environment,
    }
    secrets: dict[str, Any] = dict(args.secrets)
    for link in args.data_stores:
        environment.update(link.environment)
        secrets.update(link.secrets)
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": _port_mappings(args),
        "readonlyRootFilesystem": True,
        "privileged": False,
        "linuxParameters": {"initProcessEnabled": True},
        "stopTimeout": STOP_TIMEOUT_SECONDS,
        "mountPoints": [
            *(
                {"sourceVolume": _scratch_volume(i), "containerPath": path, "readOnly": False}
                for i, path in enumerate(
                    writable_paths(args.scratch_paths, args.exec_enabled, args.launch_compatibility)
                )
            ),
            *(
                {"sourceVolume": _efs_volume_name(m), "containerPath": m.path, "readOnly": m.read_only}
                for m in args.volume_mounts
            ),
        ],
        "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
        "secrets": [{"name": key, "valueFrom": arn} for key, arn in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": args.region,
                "awslogs-stream-prefix": name,
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    }
    for key, value in (("command", args.command), ("entryPoint", args.entry_point)):
        if value is not None:
            container[key] = list(value)
    for key, text in (("workingDirectory", args.working_directory), ("user", args.user)):
        if text is not None:
            container[key] = text
    if args.container_health_check is not None:
        check = args.container_health_check
        container["healthCheck"] = {
            "command": list(check.command),
            "interval": check.interval,
            "timeout": check.timeout,
            "retries": check.retries,
            "startPeriod": check.start_period,
        }
    return container


def _queue_environment(args: ServiceArgs) -> dict[str, pulumi.Input[str]]:
    """``QUEUE_URL`` of the queue a service consumes, ``QUEUE_URL_<NAME>`` of each it sends to."""
    found: dict[str, pulumi.Input[str]] = {
        f"QUEUE_URL_{queue.name.upper().replace('-', '_')}": queue.url for queue in args.sends_to
    }
    if args.consumes is not None:
        found["QUEUE_URL"] = args.consumes.url
    return found


def _bucket_environment(args: ServiceArgs) -> dict[str, pulumi.Input[str]]:
    """``BUCKET_<NAME>`` (upper snake case) = the S3 name of each bucket the service uses."""
    return {
        f"BUCKET_{bucket.name.upper().replace('-', '_')}": bucket.bucket_name for bucket in args.bucket_access
    }


def _port_mappings(args: ServiceArgs) -> list[dict[str, Any]]:
    """The container port, if any; named with its protocol when Service Connect serves it."""
    if args.port is None:
        return []
    mapping: dict[str, Any] = {"containerPort": args.port, "protocol": "tcp"}
    if args.serves_callers:
        # Service Connect servers must name their port (AWS service-connect-concepts.html).
        mapping = {"name": SERVICE_CONNECT_PORT_NAME, **mapping, "appProtocol": "http"}
    extras = [{"containerPort": extra.port, "protocol": "tcp"} for extra in args.extra_ports]
    return [mapping, *extras]
