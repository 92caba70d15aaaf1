"""ECS on EC2 capacity (webstack:cluster.compute: ec2): the reference fixture's instances,
Auto Scaling group and capacity provider, the services on it, and the named config errors."""

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
import yaml

from components.pure.guardrails import check_resource
from components.pure.instances import Architecture, architecture_of
from plan import aws_rules, transition
from plan.engine import Run, run_stack
from stack.config import parse_settings
from stack.schema import ConfigError
from tests.config.test_config import IMAGE, raw
from tests.support.fixture_stacks import FIXTURES

REFERENCE = "reference-apigw-ec2"
PROVIDER = f"webstack-{REFERENCE}-ec2"
ARM64_AMI = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"


@pytest.fixture(scope="module")
def ec2() -> Run:
    return run_stack(REFERENCE, root=FIXTURES)


def test_instances_require_imdsv2_with_hop_limit_1_and_have_no_key_and_no_public_ip(ec2: Run):
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1.0,
    }
    assert "keyName" not in template.inputs
    (interface,) = template.inputs["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "false"
    assert interface["securityGroups"] == [ec2.named("cluster-instances-sg").id]


def test_the_root_volume_is_gp3_encrypted_with_the_stack_key(ec2: Run):
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    (volume,) = template.inputs["blockDeviceMappings"]
    assert volume["deviceName"] == "/dev/xvda"
    assert volume["ebs"]["volumeType"] == "gp3"
    assert volume["ebs"]["encrypted"] == "true"
    assert volume["ebs"]["kmsKeyId"] == ec2.named("stack-key-key").state["arn"]


def test_the_ami_comes_from_the_public_arm64_ssm_parameter_and_user_data_joins_this_cluster(ec2: Run):
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["imageId"].startswith("ami-0")
    script = base64.b64decode(template.inputs["userData"]).decode()
    cluster_name = ec2.named("cluster-ecs").state["name"]
    assert f"echo ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config" in script.splitlines()
    assert "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config" in script.splitlines()
    assert template.inputs["description"].endswith("(arm64) for cluster")


def test_the_ssm_parameter_answers_only_the_public_ecs_ami_paths():
    from plan.mocks import AwsLookupError, WebstackMocks, _ssm_parameter

    assert _ssm_parameter(WebstackMocks(), {"name": ARM64_AMI})["value"].startswith("ami-")
    with pytest.raises(AwsLookupError):
        _ssm_parameter(WebstackMocks(), {"name": "/my/secret"})


def test_the_instance_role_holds_only_the_ecs_instance_and_ssm_core_policies(ec2: Run):
    role = ec2.named("cluster-instance-role")
    attached = sorted(
        a.inputs["policyArn"]
        for a in ec2.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.state["name"]
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    ]
    assert '"ec2.amazonaws.com"' in role.inputs["assumeRolePolicy"]
    assert not [p for p in ec2.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]


def test_the_group_spans_the_private_subnets_protected_from_scale_in_and_tagged_for_ecs(ec2: Run):
    (group,) = ec2.of_type("aws:autoscaling/group:Group")
    private = sorted(s.id for s in ec2.of_type("aws:ec2/subnet:Subnet") if "-private-" in s.name)
    assert sorted(group.inputs["vpcZoneIdentifiers"]) == private and len(private) == 3
    assert (group.inputs["minSize"], group.inputs["maxSize"]) == (2, 6)
    assert group.inputs["protectFromScaleIn"] is True
    assert group.inputs["forceDelete"] is True
    assert {"key": "AmazonECSManaged", "value": "true", "propagateAtLaunch": True} in group.inputs["tags"]
    assert "desiredCapacity" in group.options.get("ignoreChanges", [])
    overrides = group.inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"]
    assert [o["instanceType"] for o in overrides] == ["m7g.large", "c7g.large"]


def test_auto_scaling_launches_as_its_own_role_granted_the_stack_key(ec2: Run):
    (group,) = ec2.of_type("aws:autoscaling/group:Group")
    (role,) = ec2.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    (grant,) = ec2.of_type("aws:kms/grant:Grant")
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
    assert group.inputs["serviceLinkedRoleArn"] == role.state["arn"] == grant.inputs["granteePrincipal"]
    assert grant.inputs["keyId"] == ec2.named("stack-key-key").state["arn"]
    assert "CreateGrant" in grant.inputs["operations"] and "Decrypt" in grant.inputs["operations"]
    assert grant.urn in group.options["dependsOn"]


def test_the_capacity_provider_scales_protects_and_drains_and_joins_the_one_cluster_association(ec2: Run):
    (provider,) = ec2.of_type("aws:ecs/capacityProvider:CapacityProvider")
    (group,) = ec2.of_type("aws:autoscaling/group:Group")
    asg = provider.inputs["autoScalingGroupProvider"]
    assert provider.inputs["name"] == PROVIDER
    assert not PROVIDER.startswith(("aws", "ecs", "fargate"))
    assert asg["autoScalingGroupArn"] == group.state["arn"]
    assert asg["managedScaling"] == {"status": "ENABLED", "targetCapacity": 90.0}
    assert asg["managedTerminationProtection"] == asg["managedDraining"] == "ENABLED"
    assert provider.options.get("deleteBeforeReplace") is True
    (association,) = ec2.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    assert association.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT", PROVIDER]
    assert association.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": PROVIDER, "base": 0.0, "weight": 1.0}
    ]


def test_services_run_awsvpc_tasks_on_the_ec2_provider_only(ec2: Run):
    services = ec2.of_type("aws:ecs/service:Service")
    assert len(services) == 2
    for service in services:
        assert service.inputs["capacityProviderStrategies"] == [
            {"capacityProvider": PROVIDER, "base": 0.0, "weight": 1.0}
        ]
        assert "platformVersion" not in service.inputs  # ECS refuses one for EC2 tasks
        assert "launchType" not in service.inputs
        assert service.inputs["forceNewDeployment"] is True
        assert service.inputs["networkConfiguration"]["assignPublicIp"] is False
    for task in ec2.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        assert task.inputs["requiresCompatibilities"] == ["EC2"]
        assert task.inputs["networkMode"] == "awsvpc"
        assert task.inputs["runtimePlatform"]["cpuArchitecture"] == "ARM64"


def test_the_ec2_stack_passes_every_guardrail(ec2: Run):
    violations = [v for r in ec2.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert violations == []


def test_a_natless_ec2_stack_gets_the_ecs_agent_endpoints_and_its_instances_no_internet():
    from plan import graph, report

    captured = graph.capture(
        REFERENCE,
        FIXTURES,
        {
            "webstack:environment": "dev",
            "aws:defaultTags": {"tags": {"Environment": "dev", "Project": "webstack", "ManagedBy": "pulumi"}},
            "webstack:network": {"cidr": "10.40.0.0/16", "natMode": "none", "interfaceEndpoints": True},
        },
    )
    services = {
        r["inputs"]["serviceName"]
        for r in captured["resources"]
        if r["type"] == "aws:ec2/vpcEndpoint:VpcEndpoint"
    }
    assert {f"com.amazonaws.eu-west-1.{name}" for name in ("ecs", "ecs-agent", "ecs-telemetry")} <= services
    assert ("cluster", "internet") not in report.exposure_matrix(captured)


def test_a_fargate_stack_builds_no_instances():
    run = run_stack("example-prod", root=FIXTURES)
    assert not run.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert not run.of_type("aws:ecs/capacityProvider:CapacityProvider")
    assert {
        t.inputs["requiresCompatibilities"][0] for t in run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    } == {"FARGATE"}


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("m7g.large", Architecture.ARM64),
        ("c6gn.xlarge", Architecture.ARM64),
        ("t4g.small", Architecture.ARM64),
        ("im4gn.large", Architecture.ARM64),
        ("a1.medium", Architecture.ARM64),
        ("g5g.xlarge", Architecture.ARM64),
        ("g5.2xlarge", Architecture.X86_64),
        ("g4dn.xlarge", Architecture.X86_64),
        ("m7i-flex.large", Architecture.X86_64),
        ("c7a.large", Architecture.X86_64),
    ],
)
def test_graviton_families_carry_a_g_after_the_generation(instance_type: str, architecture: Architecture):
    assert architecture_of(instance_type) is architecture


# --- Named config errors ------------------------------------------------------------------------

BUILD_ARM = {"build": {"context": "app", "platform": "linux/arm64"}, "port": 8080}
BUILD_X86 = {"build": {"context": "app"}, "port": 8080}


def problems(cluster: dict[str, Any], services: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw(webstack__cluster=cluster, webstack__services=services or {"api": BUILD_ARM}), "t")
    return caught.value.problems


def test_graviton_instances_with_x86_64_architecture_are_refused_by_index():
    (problem,) = problems(
        {"compute": "ec2", "ec2": {"instanceTypes": ["m7i.large", "m7g.large"]}}, {"api": BUILD_X86}
    )
    assert problem.startswith("webstack:cluster.ec2.instanceTypes[1]: got 'm7g.large', an arm64 type")


def test_an_instance_type_off_the_aws_pattern_is_refused():
    (problem,) = problems({"compute": "ec2", "ec2": {"instanceTypes": ["large"]}}, {"api": BUILD_X86})
    assert problem.startswith("webstack:cluster.ec2.instanceTypes[0]: got 'large', but it does not follow")


def test_an_image_built_for_another_platform_is_refused_by_service():
    (problem,) = problems({"compute": "ec2"}, {"api": BUILD_ARM})
    assert problem.startswith("webstack:services.api.build.platform: got 'linux/arm64', but the cluster's")
    assert "build for linux/amd64" in problem


def test_a_prebuilt_image_on_ec2_is_a_warning_not_an_error():
    settings = parse_settings(
        raw(webstack__cluster={"compute": "ec2"}, webstack__services={"api": {"image": IMAGE, "port": 80}}),
        "t",
    )
    assert any(
        w.startswith("webstack:services.api.image: a prebuilt image cannot be checked")
        for w in settings.warnings
    )


@pytest.mark.parametrize(
    ("cluster", "start"),
    [
        (
            {"compute": "ec2", "capacity": "balanced"},
            "webstack:cluster.capacity: got 'balanced', but it spreads",
        ),
        (
            {"compute": "ec2", "ec2": {"minSize": 5, "maxSize": 2}},
            "webstack:cluster.ec2.minSize: got 5, but maxSize is 2",
        ),
        ({"compute": "ec2", "ec2": {"targetCapacity": 0}}, "webstack:cluster.ec2.targetCapacity: got 0"),
        ({"compute": "lambda"}, 'webstack:cluster.compute: got "lambda"'),
    ],
)
def test_ec2_capacity_mistakes_are_named(cluster: dict[str, Any], start: str):
    (problem,) = problems(cluster, {"api": BUILD_X86})
    assert problem.startswith(start), problem


# --- The plan -------------------------------------------------------------------------------------


def test_the_plan_shows_container_instances_reachable_by_nobody_and_only_sending_https_out(ec2: Run):
    from plan import graph, report
    from plan.engine import stack_config

    captured = graph.graph_from_run(ec2, REFERENCE, stack_config(REFERENCE, FIXTURES))
    matrix = report.exposure_matrix(captured)
    assert [key for key in matrix if key[1] == "cluster"] == []
    assert matrix[("cluster", "internet")] == ["tcp/443"]
    assert report.facts(captured)["ec2 metadata"] == "tokens required, hop limit 1"
    assert report.facts(captured)["ec2 instances"] == "m7g.large, c7g.large x2-6"
    assert "cluster: ECS container instances<br/>EC2 Auto Scaling group" in report.mermaid(captured)
    assert "api: EC2 service" in report.mermaid(captured)


def test_instances_and_volumes_carry_the_stacks_default_tags_which_the_provider_does_not_propagate(ec2: Run):
    # terraform-provider-aws #19387 / #32328: default_tags reach neither tag specifications nor an ASG.
    expected = {"Environment": "prod", "Project": "webstack", "ManagedBy": "pulumi", "Stack": REFERENCE}
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    for spec in template.inputs["tagSpecifications"]:
        assert spec["tags"].items() >= expected.items(), spec["resourceType"]
    (group,) = ec2.of_type("aws:autoscaling/group:Group")
    propagated = {tag["key"]: tag["value"] for tag in group.inputs["tags"] if tag["propagateAtLaunch"]}
    assert propagated.items() >= expected.items()


def test_new_instances_launch_from_the_latest_template_version_which_every_change_makes_the_default(ec2: Run):
    """A template change reaches new instances only if the group follows ``$Latest`` and each update
    becomes the default version (otherwise instance refreshes keep launching the old one)."""
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    (group,) = ec2.of_type("aws:autoscaling/group:Group")
    assert template.inputs["updateDefaultVersion"] is True
    specification = group.inputs["mixedInstancesPolicy"]["launchTemplate"]["launchTemplateSpecification"]
    assert specification == {"launchTemplateId": template.id, "version": "$Latest"}


def test_the_template_tags_exactly_the_instances_and_their_volumes(ec2: Run):
    (template,) = ec2.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert sorted(spec["resourceType"] for spec in template.inputs["tagSpecifications"]) == [
        "instance",
        "volume",
    ]


# --- ECS Exec on EC2 capacity ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ec2_with_exec() -> Run:
    return run_stack(
        REFERENCE, {"webstack:cluster": {**_reference_cluster(), "execEnabled": True}}, root=FIXTURES
    )


def _reference_cluster() -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / f"Pulumi.{REFERENCE}.yaml").read_text())["config"]["webstack:cluster"]


def _mounts(task: Any) -> list[str]:
    (container,) = json.loads(task.inputs["containerDefinitions"])
    return [mount["containerPath"] for mount in container["mountPoints"]]


def test_exec_tasks_on_ec2_leave_the_agents_log_directory_to_the_ecs_agent(ec2_with_exec: Run):
    """On EC2 the ECS agent bind-mounts /var/log/amazon/ssm writable and the Exec agent's binaries under
    /ecs-execute-command-<uuid> (amazon-ecs-agent agent/engine/execcmd/manager_init_task_linux.go,
    addRequiredBindMounts): a task volume on the log path is a duplicate mount point Docker refuses,
    and /managed-agents is a host path there. Only the agent's state directory needs a volume."""
    tasks = ec2_with_exec.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert tasks and all(task.inputs["requiresCompatibilities"] == ["EC2"] for task in tasks)
    for task in tasks:
        assert _mounts(task) == ["/tmp", "/var/lib/amazon/ssm"]


def test_the_engine_refuses_an_exec_task_on_ec2_that_mounts_the_agents_log_directory(ec2_with_exec: Run):
    task = ec2_with_exec.of_type("aws:ecs/taskDefinition:TaskDefinition")[0]
    (container,) = json.loads(task.inputs["containerDefinitions"])
    container["mountPoints"].append(
        {"sourceVolume": "scratch-9", "containerPath": "/var/log/amazon/ssm", "readOnly": False}
    )
    broken = replace(task, inputs={**task.inputs, "containerDefinitions": json.dumps([container])})
    others = [r for r in ec2_with_exec.resources if r.urn != task.urn]
    with pytest.raises(aws_rules.AwsRefusalError, match="duplicate mount point"):
        aws_rules.check([*others, broken])


def test_the_engine_still_asks_fargate_exec_tasks_for_all_three_agent_paths():
    run = run_stack("example-dev", root=FIXTURES)
    (task, *_) = run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert _mounts(task)[1:] == ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]
    (container,) = json.loads(task.inputs["containerDefinitions"])
    container["mountPoints"] = container["mountPoints"][:1]
    broken = replace(task, inputs={**task.inputs, "containerDefinitions": json.dumps([container])})
    problems = aws_rules.refusals([*(r for r in run.resources if r.urn != task.urn), broken])
    assert any(
        "/managed-agents, /var/lib/amazon/ssm, /var/log/amazon/ssm are not writable" in p for p in problems
    )


# --- Moving a running cluster between fargate and ec2 ----------------------------------------------

ASSOCIATION = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
SERVICE = "aws:ecs/service:Service"


def _graph(cluster: dict[str, Any]) -> dict[str, Any]:
    from plan import graph

    return graph.capture(REFERENCE, FIXTURES, {"webstack:cluster": cluster})


@pytest.fixture(scope="module")
def compute_graphs() -> dict[str, dict[str, Any]]:
    """The reference stack on ec2, with its instances retiring, and on fargate."""
    on_ec2 = _reference_cluster()
    retiring = {"compute": "fargate", "ec2": on_ec2["ec2"]}
    return {"ec2": _graph(on_ec2), "retiring": _graph(retiring), "fargate": _graph({"compute": "fargate"})}


def _one(graph: dict[str, Any], type_: str) -> dict[str, Any]:
    (found,) = [r for r in graph["resources"] if r["type"] == type_]
    return found


def _moves(compute_graphs: dict[str, dict[str, Any]], before: str, after: str) -> list[str]:
    """What plan --compare says of the change: each ordering finding's service and fix."""
    findings = transition.judge(compute_graphs[before], compute_graphs[after])
    return [
        f"{f.resources[-1].split()[-1]}: {f.key}: {f.fix}"
        for f in findings
        if f.kind == "ordering" and "ClusterCapacityProviders" in f.resources[0]
    ]


def test_fargate_to_ec2_is_one_deploy_the_provider_joins_the_cluster_before_the_services_use_it(
    compute_graphs,
):
    """Pulumi creates and updates in dependency order: group, provider, then the association (its
    capacityProviders input is the provider's name), then each service (dependsOn the association).
    ECS accepts a strategy naming a provider only once the cluster lists it (CreateService/
    UpdateService capacityProviderStrategy), and removing nothing from the list is never refused."""
    graph = compute_graphs["ec2"]
    (provider,) = [r for r in graph["resources"] if r["type"] == "aws:ecs/capacityProvider:CapacityProvider"]
    association = _one(graph, ASSOCIATION)
    assert provider["urn"] in association["options"]["dependsOn"]
    assert set(association["inputs"]["capacityProviders"]) == {"FARGATE", "FARGATE_SPOT", PROVIDER}
    for service in (r for r in graph["resources"] if r["type"] == SERVICE):
        assert association["urn"] in service["options"]["dependsOn"]
        assert [s["capacityProvider"] for s in service["inputs"]["capacityProviderStrategies"]] == [PROVIDER]
    assert _moves(compute_graphs, "fargate", "ec2") == []


def test_ec2_to_fargate_in_one_deploy_is_reported_for_every_service_still_on_the_provider(compute_graphs):
    """The association would drop the provider before the services (which depend on it) move:
    ECS answers "The specified capacity provider is in use and cannot be removed"."""
    problems = _moves(compute_graphs, "ec2", "fargate")
    assert [p.split(":")[0] for p in problems] == ["api-service", "web-service"]
    assert all(PROVIDER in p and "keep webstack:cluster.ec2" in p for p in problems)


def test_ec2_to_fargate_through_retiring_moves_the_services_first_and_drops_the_provider_next_deploy(
    compute_graphs,
):
    """Deploy 1 (retiring): the association still lists the provider, every service and task moves
    to Fargate. Deploy 2 (no ec2): the association drops a provider no service uses, then Pulumi
    deletes the provider before the group it depends on (deletes run in reverse dependency order)."""
    retiring = compute_graphs["retiring"]
    assert PROVIDER in _one(retiring, ASSOCIATION)["inputs"]["capacityProviders"]
    assert {
        s["capacityProvider"]
        for r in retiring["resources"]
        if r["type"] == SERVICE
        for s in r["inputs"]["capacityProviderStrategies"]
    } == {"FARGATE"}
    tasks = [r for r in retiring["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition"]
    assert {t["inputs"]["requiresCompatibilities"][0] for t in tasks} == {"FARGATE"}
    assert _moves(compute_graphs, "ec2", "retiring") == []
    assert _moves(compute_graphs, "retiring", "fargate") == []
    (provider,) = [
        r for r in retiring["resources"] if r["type"] == "aws:ecs/capacityProvider:CapacityProvider"
    ]
    (group,) = [r for r in retiring["resources"] if r["type"] == "aws:autoscaling/group:Group"]
    assert group["urn"] in provider["options"]["dependsOn"]
    assert not [
        r for r in compute_graphs["fargate"]["resources"] if r["type"] == "aws:autoscaling/group:Group"
    ]


def test_ec2_settings_under_compute_fargate_keep_the_instances_for_one_deploy_and_say_so():
    settings = parse_settings(
        raw(
            webstack__cluster={"compute": "fargate", "ec2": {"minSize": 1}},
            webstack__services={"api": BUILD_X86},
        ),
        "t",
    )
    assert settings.cluster.ec2 is not None and settings.cluster.ec2.retiring
    (warning,) = [w for w in settings.warnings if w.startswith("webstack:cluster.ec2: kept")]
    assert "until you remove webstack:cluster.ec2 in the next deploy" in warning
