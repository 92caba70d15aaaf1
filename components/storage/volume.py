"""The Volume component: an encrypted EFS file system services mount, reachable only from them.

Mount targets sit in the given (private) subnets, one per zone, behind a security group that admits
nothing by itself: each service that mounts the volume adds the NFS path from its own group
(:mod:`components.service.access`). Each such service gets its own access point (a fixed POSIX user
and root directory, created on first mount) and a task-role grant tied to it. The file system policy
refuses every request not made over TLS, and, being a policy that allows nothing to anonymous
clients, ends EFS's default of full access for any client that can reach a mount target (AWS EFS
``iam-access-control-nfs-efs.html``, "Default EFS file system policy").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..iam import Statement
from ..pure.inputs import args_of
from ..pure.naming import child_name, member_name, tags_with_name, type_token

NFS_PORT = 2049
"""EFS mount targets listen for NFS on TCP 2049 (AWS EFS ``network-access.html``)."""
CLIENT_READ_ACTIONS = ("elasticfilesystem:ClientMount",)
"""Mount read-only (AWS EFS iam-access-control-nfs-efs.html, "EFS actions for clients")."""
CLIENT_WRITE_ACTIONS = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
"""Mount and write; never ClientRootAccess (the access point's POSIX user is not root)."""
DEFAULT_ROOT_DIRECTORY = "/app"
DEFAULT_POSIX_ID = 1000
DEFAULT_PERMISSIONS = "0750"


@dataclass(frozen=True)
class VolumeArgs:
    """What a Volume builds: the file system, where it is reachable, and who gets an access point."""

    kms_key_arn: pulumi.Input[str]
    """The KMS key that encrypts the file system at rest. Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the mount targets' security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """One subnet per zone (the private tier): a mount target in each. Required."""
    zones: Sequence[str]
    """The zones of ``subnet_ids``, in the same order (they name the mount targets). Required."""
    clients: Sequence[str] = ()
    """Names of the services that mount it: one access point each. Default: none."""
    performance_mode: str = "generalPurpose"
    """``generalPurpose`` or ``maxIO`` (ForceNew). Default: generalPurpose."""
    throughput_mode: str = "elastic"
    """``elastic`` (pay per use) or ``bursting``. Default: elastic."""
    transition_to_ia: str | None = "AFTER_30_DAYS"
    """When files not read move to Infrequent Access (``AFTER_<N>_DAYS``), None to never. Default:
    AFTER_30_DAYS."""
    posix_uid: int = DEFAULT_POSIX_ID
    """The user every client's file operations run as, through its access point. Default: 1000."""
    posix_gid: int = DEFAULT_POSIX_ID
    """The group every client's file operations run as. Default: 1000."""
    root_directory: str = DEFAULT_ROOT_DIRECTORY
    """The directory the access points expose (created on first mount, owned by the POSIX user).
    Default: /app."""
    protect: bool = False
    """Refuse any delete or replacement of the file system (``pulumi state unprotect`` first).
    Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child (e.g. the backup tag), on top of the provider's default tags. Default: none."""


class Volume(pulumi.ComponentResource):
    """An encrypted EFS file system, its mount targets, their security group, access points and policy."""

    file_system_id: pulumi.Output[str]
    """The file system's id, known once every mount target exists (tasks mount through them)."""
    arn: pulumi.Output[str]
    """The file system's ARN (task roles are granted ClientMount/ClientWrite on it)."""
    security_group_id: pulumi.Output[str]
    """The mount targets' group: each client service adds its NFS ingress rule here."""
    access_point_ids: dict[str, pulumi.Output[str]]
    """Client service -> its access point's id (the task definition's ``accessPointId``)."""
    access_point_arns: dict[str, pulumi.Output[str]]
    """Client service -> its access point's ARN (the condition of its task role's grant)."""

    def __init__(self, name: str, args: VolumeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(VolumeArgs, args)
        super().__init__(type_token("Volume"), name, None, opts)
        if len(args.subnet_ids) != len(args.zones):
            raise ValueError(f"Volume {name}: give one zone per subnet ({len(args.zones)} zones)")
        file_system = self._file_system(name, args)
        group = aws.ec2.SecurityGroup(
            child_name(name, "sg"),
            vpc_id=args.vpc_id,
            description=f"{name} mount targets: NFS only from the services that mount it",
            tags=tags_with_name(child_name(name, "sg"), args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        targets = [
            aws.efs.MountTarget(
                child_name(name, "mount", zone),
                file_system_id=file_system.id,
                subnet_id=subnet,
                security_groups=[group.id],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for subnet, zone in zip(args.subnet_ids, args.zones, strict=True)
        ]
        self._policy(name, file_system)
        points = {client: self._access_point(name, client, args, file_system) for client in args.clients}
        # Tasks mount through a mount target: whatever reads the id waits for all of them.
        self.file_system_id = pulumi.Output.all(file_system.id, *(t.id for t in targets)).apply(
            lambda v: v[0]
        )
        self.arn = file_system.arn
        self.security_group_id = group.id
        self.access_point_ids = {client: point.id for client, point in points.items()}
        self.access_point_arns = {client: point.arn for client, point in points.items()}
        self.register_outputs(
            {
                "fileSystemId": self.file_system_id,
                "arn": self.arn,
                "securityGroupId": self.security_group_id,
                "accessPointIds": self.access_point_ids,
            }
        )

    def _file_system(self, name: str, args: VolumeArgs) -> aws.efs.FileSystem:
        """Encrypted with the given key; files not read move to IA, and back on first read."""
        lifecycle = []
        if args.transition_to_ia is not None:
            lifecycle = [
                aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia=args.transition_to_ia),
                aws.efs.FileSystemLifecyclePolicyArgs(transition_to_primary_storage_class="AFTER_1_ACCESS"),
            ]
        return aws.efs.FileSystem(
            child_name(name, "efs"),
            encrypted=True,
            kms_key_id=args.kms_key_arn,
            performance_mode=args.performance_mode,
            throughput_mode=args.throughput_mode,
            lifecycle_policies=lifecycle,
            tags=tags_with_name(child_name(name, "efs"), args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

    def _policy(self, name: str, file_system: aws.efs.FileSystem) -> aws.efs.FileSystemPolicy:
        """Deny anything not over TLS; allow nothing to anyone (task roles are allowed by their own
        policies), which ends the default full access of anonymous clients."""
        document = aws.iam.get_policy_document_output(
            statements=file_system.arn.apply(lambda arn: [deny_insecure_transport(arn)]),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return aws.efs.FileSystemPolicy(
            child_name(name, "policy"),
            file_system_id=file_system.id,
            policy=document.json,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _access_point(
        self, name: str, client: str, args: VolumeArgs, file_system: aws.efs.FileSystem
    ) -> aws.efs.AccessPoint:
        """One client's entry: every file operation runs as the POSIX user, under the root directory
        (created with that owner on first use: AWS EFS ``efs-access-points.html``)."""
        return aws.efs.AccessPoint(
            member_name(name, "ap", client),
            file_system_id=file_system.id,
            posix_user=aws.efs.AccessPointPosixUserArgs(uid=args.posix_uid, gid=args.posix_gid),
            root_directory=aws.efs.AccessPointRootDirectoryArgs(
                path=args.root_directory,
                creation_info=aws.efs.AccessPointRootDirectoryCreationInfoArgs(
                    owner_uid=args.posix_uid, owner_gid=args.posix_gid, permissions=DEFAULT_PERMISSIONS
                ),
            ),
            tags=tags_with_name(member_name(name, "ap", client), args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )


def deny_insecure_transport(file_system_arn: str) -> Statement:
    """Nobody may use the file system without TLS (AWS EFS condition key ``aws:SecureTransport``)."""
    return Statement(
        sid="DenyInsecureTransport",
        effect="Deny",
        actions=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=["*"])],
        resources=[file_system_arn],
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(
                test="Bool", variable="aws:SecureTransport", values=["false"]
            )
        ],
    )


def mount_statements(
    file_system_arn: str, access_point_arn: str, read_only: bool
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """A client's grant: mount (and write, unless read-only) this file system, only through its own
    access point (condition key ``elasticfilesystem:AccessPointArn``)."""
    return [
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=list(CLIENT_READ_ACTIONS if read_only else CLIENT_WRITE_ACTIONS),
            resources=[file_system_arn],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals",
                    variable="elasticfilesystem:AccessPointArn",
                    values=[access_point_arn],
                )
            ],
        )
    ]
