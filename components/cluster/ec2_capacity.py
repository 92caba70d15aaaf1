"""The Cluster's EC2 capacity: an instance role and profile, a locked-down security group, a launch
template of ECS-optimized Amazon Linux 2023, an Auto Scaling group and its ECS capacity provider."""

import base64

import pulumi
import pulumi_aws as aws

from ..pure.instances import AMI_PARAMETERS
from ..pure.naming import IAM_PATH, child_name, tags_with_name
from .args import ClusterArgs, Ec2CapacityArgs

EC2_INSTANCE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
"""The ECS agent's own calls (register the instance, poll for tasks, pull images, write logs)."""
SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
"""Session Manager access instead of SSH (no key pair, no port 22)."""
EC2_INSTANCE_POLICIES = (EC2_INSTANCE_POLICY_ARN, SSM_CORE_POLICY_ARN)
"""The only policies a container instance's role holds."""
ROOT_VOLUME_GIB = 30
"""The ECS-optimized AL2023 AMI's root volume is 30 GiB; a smaller one fails to launch."""
IMDS_HOP_LIMIT = 1
"""awsvpc tasks have their own network namespace and get credentials from the task-role endpoint,
never from IMDS; a hop limit of 1 (with ``ECS_AWSVPC_BLOCK_IMDS``) keeps every container away from
the instance role's credentials (AWS EC2 API ``LaunchTemplateInstanceMetadataOptions``; AL2023 AMIs
default to 2 when the template is silent)."""
SCALING_ROLE_SUFFIX_MAX = 64 - len("AWSServiceRoleForAutoScaling_")
SCALING_KEY_OPERATIONS = (
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
)
"""What Auto Scaling's role needs on the key of encrypted volumes (AWS autoscaling
``key-policy-requirements-EBS-encryption.html``, the grant example)."""


def ec2_provider_name() -> str:
    """The EC2 capacity provider's name: fixed, so services can name it in their strategy."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-ec2"


def ec2_capacity(
    name: str,
    args: ClusterArgs,
    ec2: Ec2CapacityArgs,
    cluster_name: pulumi.Output[str],
    parent: pulumi.Resource,
) -> aws.ecs.CapacityProvider:
    """Instance role and profile, launch template, Auto Scaling group, capacity provider."""
    profile, attachments = _instance_profile(name, args, parent)
    group = _instances_security_group(name, args, parent)
    template = _launch_template(name, args, ec2, cluster_name, profile, group, attachments, parent)
    scaling_role, key_grant = _scaling_role_with_key(name, args, parent)
    auto_scaling = _auto_scaling_group(name, args, ec2, template, scaling_role, key_grant, parent)
    return aws.ecs.CapacityProvider(
        child_name(name, "ec2"),
        # Names cannot start with aws, ecs or fargate (AWS API CreateCapacityProvider).
        name=ec2_provider_name(),
        auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
            auto_scaling_group_arn=auto_scaling.arn,
            managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(
                status="ENABLED", target_capacity=ec2.target_capacity
            ),
            managed_termination_protection="ENABLED",
            managed_draining="ENABLED",
        ),
        tags=args.tags,
        # An Auto Scaling group backs one provider only: the old one goes first (containers-roadmap #632).
        opts=pulumi.ResourceOptions(parent=parent, delete_before_replace=True),
    )


def _instance_profile(
    name: str, args: ClusterArgs, parent: pulumi.Resource
) -> tuple[aws.iam.InstanceProfile, list[aws.iam.RolePolicyAttachment]]:
    """The instances' role (the ECS agent's and Session Manager's policies only) and its profile."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        child_name(name, "instance-role"),
        # EC2 assumes instance roles for the instance itself: no aws:SourceAccount to pin.
        assume_role_policy=aws.iam.get_policy_document_output(
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(
                    effect="Allow",
                    actions=["sts:AssumeRole"],
                    principals=[
                        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                            type="Service", identifiers=["ec2.amazonaws.com"]
                        )
                    ],
                )
            ],
            opts=pulumi.InvokeOutputOptions(parent=parent),
        ).json,
        path=IAM_PATH,
        tags=args.tags,
        opts=child,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            child_name(name, f"instance-{role_name}"), role=role.name, policy_arn=arn, opts=child
        )
        for role_name, arn in zip(("ecs", "ssm"), EC2_INSTANCE_POLICIES, strict=True)
    ]
    profile = aws.iam.InstanceProfile(
        child_name(name, "instance-profile"), role=role.name, path=IAM_PATH, tags=args.tags, opts=child
    )
    return profile, attachments


def _instances_security_group(name: str, args: ClusterArgs, parent: pulumi.Resource) -> aws.ec2.SecurityGroup:
    """Nothing in; HTTPS out to the AWS APIs the agent calls."""
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.ec2.SecurityGroup(
        child_name(name, "instances-sg"),
        vpc_id=args.vpc_id,
        description="ECS container instances: nothing in; HTTPS out to ECS, ECR, logs and SSM",
        tags=tags_with_name(child_name(name, "instances-sg"), args.tags),
        opts=child,
    )
    aws.vpc.SecurityGroupEgressRule(
        child_name(name, "instances-out-https"),
        security_group_id=group.id,
        description="HTTPS to AWS APIs (through NAT or the interface endpoints)",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
        tags=args.tags,
        opts=child,
    )
    return group


def _launch_template(
    name: str,
    args: ClusterArgs,
    ec2: Ec2CapacityArgs,
    cluster_name: pulumi.Output[str],
    profile: aws.iam.InstanceProfile,
    group: aws.ec2.SecurityGroup,
    attachments: list[aws.iam.RolePolicyAttachment],
    parent: pulumi.Resource,
) -> aws.ec2.LaunchTemplate:
    """ECS-optimized AL2023 of the architecture: IMDSv2 with one hop, no public IP, no SSH key, an
    encrypted root volume, user data that joins this cluster."""
    ami = aws.ssm.get_parameter_output(
        name=AMI_PARAMETERS[ec2.architecture], opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return aws.ec2.LaunchTemplate(
        child_name(name, "instances"),
        description=f"ECS-optimized Amazon Linux 2023 ({ec2.architecture.value}) for {name}",
        image_id=ami.value,
        iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=IMDS_HOP_LIMIT
        ),
        # No key_name: shell access is Session Manager's (SSM core policy), never SSH.
        network_interfaces=[
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                device_index=0, associate_public_ip_address="false", security_groups=[group.id]
            )
        ],
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_type="gp3",
                    volume_size=ROOT_VOLUME_GIB,
                    encrypted="true",
                    kms_key_id=args.kms_key_arn,
                    delete_on_termination="true",
                ),
            )
        ],
        user_data=cluster_name.apply(_user_data),
        update_default_version=True,
        tag_specifications=[
            aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type=kind,
                tags=tags_with_name(child_name(name, "instance"), {**args.default_tags, **args.tags}),
            )
            for kind in ("instance", "volume")
        ],
        tags=args.tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=attachments),
    )


def _auto_scaling_group(
    name: str,
    args: ClusterArgs,
    ec2: Ec2CapacityArgs,
    template: aws.ec2.LaunchTemplate,
    scaling_role: aws.iam.ServiceLinkedRole,
    key_grant: aws.kms.Grant,
    parent: pulumi.Resource,
) -> aws.autoscaling.Group:
    """On-demand instances of the listed types, in priority order, scale-in protected for ECS."""
    return aws.autoscaling.Group(
        child_name(name, "asg"),
        vpc_zone_identifiers=list(args.subnet_ids),
        min_size=ec2.min_size,
        max_size=ec2.max_size,
        mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
            launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                    launch_template_id=template.id, version="$Latest"
                ),
                overrides=[
                    aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(instance_type=kind)
                    for kind in ec2.instance_types
                ],
            ),
            instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                on_demand_base_capacity=0,
                on_demand_percentage_above_base_capacity=100,
                on_demand_allocation_strategy="prioritized",
            ),
        ),
        # Managed termination protection refuses a group without scale-in protection (AWS
        # managed-termination-protection.html; ansible #68625).
        protect_from_scale_in=True,
        # Destroy would hang on scale-in-protected instances (TF #18849, aws-cdk #18179).
        force_delete=True,
        health_check_type="EC2",
        service_linked_role_arn=scaling_role.arn,
        # ECS adds this tag; declaring it keeps each `up` from stripping it (SDK capacity_provider.py).
        tags=[
            aws.autoscaling.GroupTagArgs(key="AmazonECSManaged", value="true", propagate_at_launch=True),
            *(
                aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
                for key, value in {**args.default_tags, **args.tags}.items()
            ),
        ],
        opts=pulumi.ResourceOptions(
            parent=parent,
            # ECS managed scaling owns the desired capacity.
            ignore_changes=["desiredCapacity"],
            depends_on=[key_grant],
        ),
    )


def _scaling_role_with_key(
    name: str, args: ClusterArgs, parent: pulumi.Resource
) -> tuple[aws.iam.ServiceLinkedRole, aws.kms.Grant]:
    """This group's own Auto Scaling service-linked role, granted the stack key for its volumes.

    Auto Scaling launches instances as its service-linked role, which has no access to customer
    managed keys: without a grant every launch fails (AWS autoscaling
    ``key-policy-requirements-EBS-encryption.html``). A role with this stack's suffix exists
    before the grant names it (the shared default role may not exist in a new account, and a grant
    or key policy naming a missing principal is refused).
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.ServiceLinkedRole(
        child_name(name, "scaling-role"),
        aws_service_name="autoscaling.amazonaws.com",
        # The role name (AWSServiceRoleForAutoScaling_<suffix>) holds 64 characters at most.
        custom_suffix=f"{pulumi.get_project()}-{pulumi.get_stack()}"[:SCALING_ROLE_SUFFIX_MAX],
        description="Auto Scaling for this stack's ECS container instances",
        tags=args.tags,
        opts=child,
    )
    grant = aws.kms.Grant(
        child_name(name, "scaling-key-grant"),
        key_id=args.kms_key_arn,
        grantee_principal=role.arn,
        operations=list(SCALING_KEY_OPERATIONS),
        opts=child,
    )
    return role, grant


def _user_data(cluster_name: str) -> str:
    """Base64 user data: join this cluster (else the agent joins ``default``: aws-cdk #30171) and
    keep awsvpc tasks off IMDS."""
    script = (
        "#!/bin/bash\n"
        f"echo ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config\n"
        "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n"
    )
    return base64.b64encode(script.encode()).decode()
