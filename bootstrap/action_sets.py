"""Named sets of IAM actions that rows of the deploy table share with the deploy role's scoped statements
(or that tests pin): instance profiles, the Auto Scaling service-linked role, image push, ECR clean-up,
key grants and the app volumes' rows.
"""

from __future__ import annotations

INSTANCE_PROFILE_ACTIONS = (
    "iam:GetInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
)
"""The container instances' profile (webstack:cluster.compute ec2), only under webstack's path."""
SCALING_ROLE_ONLY_ACTIONS = ("iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus")
"""What the deploy role may do to the stack's Auto Scaling service-linked role and to no other role."""
SCALING_ROLE_ACTIONS = (
    "iam:GetRole",
    "iam:PassRole",
    # The provider tags the role right after CreateServiceLinkedRole (default tags included) and
    # retags or redescribes it on update (terraform-provider-aws internal/service/iam/
    # service_linked_role.go: roleUpdateTags after create, UpdateRole + roleUpdateTags on update).
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateRole",
    *SCALING_ROLE_ONLY_ACTIONS,
)
"""A stack's own Auto Scaling service-linked role: the group is created with it (PassRole), the provider
tags it, and it is deleted with the stack."""
# awsx.ecr.Image at deploy: a registry token, then docker push (and the layer checks of a re-push).
IMAGE_PUSH_ACTIONS = (
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
# Deleting a repository that still holds images (force_delete, e.g. destroying dev): the AWS ECR API's
# DeleteRepository "force" deletes the contents on the caller's behalf.
ECR_CLEANUP_ACTIONS = ("ecr:DeleteRepository", "ecr:ListImages", "ecr:DescribeImages", "ecr:BatchDeleteImage")
# A VPC function (components/function.py): terraform-provider-aws lambda/function.go creates, reads
# (GetFunction, the latest version, the code-signing config), updates code and configuration, sets and
# removes reserved concurrency, tags and deletes; CreateFunction passes the execution role to Lambda, and
# a VPC function needs the caller's ec2:DescribeSecurityGroups, DescribeSubnets and DescribeVpcs (AWS
# Lambda configuration-vpc.html, "User permissions").
FUNCTION_ACTIONS = (
    "lambda:CreateFunction",
    "lambda:GetFunction",
    "lambda:ListVersionsByFunction",
    "lambda:GetFunctionCodeSigningConfig",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:PutFunctionConcurrency",
    "lambda:DeleteFunctionConcurrency",
    "lambda:TagResource",
    "lambda:UntagResource",
    "lambda:ListTags",
    "lambda:DeleteFunction",
    "iam:PassRole",
    "ec2:Describe*",
)

EVENT_RULE_ACTIONS = (
    "events:PutRule",
    "events:DescribeRule",
    "events:DeleteRule",
    "events:ListTagsForResource",
    "events:TagResource",
    "events:UntagResource",
)
"""An EventBridge rule (a job's failure rule): terraform-provider-aws internal/service/events/rule.go
creates and updates with PutRule, reads with DescribeRule, deletes with DeleteRule, tags by ARN."""
EVENT_TARGET_ACTIONS = ("events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets")
"""Its target (the alarm topic): internal/service/events/target.go. An SNS target passes no role."""
KEY_GRANT_ACTIONS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")
"""What a service that encrypts with the stack key does with it for the caller (grants, writes)."""
_EFS_TAGS = (
    "elasticfilesystem:TagResource",
    "elasticfilesystem:UntagResource",
    "elasticfilesystem:ListTagsForResource",
)
VOLUME_ACTIONS: dict[str, tuple[str, ...]] = {
    # App volumes (components/storage/volume.py; terraform-provider-aws internal/service/efs/*.go). The
    # file system is encrypted with the stack key: EFS creates its grant with the caller's permissions.
    "aws:efs/fileSystem:FileSystem": (
        "elasticfilesystem:CreateFileSystem",
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:UpdateFileSystem",
        "elasticfilesystem:DeleteFileSystem",
        "elasticfilesystem:DescribeLifecycleConfiguration",
        "elasticfilesystem:PutLifecycleConfiguration",
        *_EFS_TAGS,
        *KEY_GRANT_ACTIONS,
    ),
    # CreateMountTarget also needs ec2:DescribeSubnets, DescribeNetworkInterfaces, CreateNetworkInterface;
    # DeleteMountTarget ec2:DeleteNetworkInterface; the security-group calls their ENI's (EFS API reference).
    "aws:efs/mountTarget:MountTarget": (
        "elasticfilesystem:CreateMountTarget",
        "elasticfilesystem:DescribeMountTargets",
        "elasticfilesystem:DeleteMountTarget",
        "elasticfilesystem:DescribeMountTargetSecurityGroups",
        "elasticfilesystem:ModifyMountTargetSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeNetworkInterfaceAttribute",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute",
    ),
    "aws:efs/accessPoint:AccessPoint": (
        "elasticfilesystem:CreateAccessPoint",
        "elasticfilesystem:DescribeAccessPoints",
        "elasticfilesystem:DeleteAccessPoint",
        *_EFS_TAGS,
    ),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": (
        "elasticfilesystem:PutFileSystemPolicy",
        "elasticfilesystem:DescribeFileSystemPolicy",
        "elasticfilesystem:DeleteFileSystemPolicy",
    ),
}
"""The deploy table's rows of the app volumes (webstack:volumes)."""
