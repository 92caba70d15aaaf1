"""Cluster, Service and Edge in whole stacks: the real program with the real stack files."""

import json
from pathlib import Path
from typing import Any

import pytest

from components.frontdoor.edge import DEREGISTRATION_DELAY_SECONDS, TLS_POLICY
from components.pure.guardrails import check_resource, is_wildcard_action, policy_statements
from plan.engine import Recorded, Run, run_stack

STACKS = ["dev", "prod"]
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PORTS = {"web": 8080, "api": 9090}
LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
FIXTURE_STACKS = Path(__file__).parents[1] / "stacks"


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> tuple[str, Run]:
    return request.param, request.getfixturevalue(request.param)


def container(run: Run, service: str) -> dict[str, Any]:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


def internet_ingress(run: Run) -> list[Recorded]:
    return [
        r
        for r in run.of_type(SG_INGRESS)
        if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"
    ]


def test_both_stacks_run_two_services_behind_one_edge(stack):
    _, run = stack
    assert sorted(s.name for s in run.of_type("aws:ecs/service:Service")) == ["api-service", "web-service"]
    assert len(run.of_type("aws:lb/loadBalancer:LoadBalancer")) == 1


def test_the_only_group_open_to_the_internet_is_the_edges_and_only_on_web_ports(stack):
    name, run = stack
    edge_sg = run.named("edge-sg")
    open_rules = internet_ingress(run)
    assert {r.inputs["securityGroupId"] for r in open_rules} == {edge_sg.id}
    ports = sorted((int(r.inputs["fromPort"]), int(r.inputs["toPort"])) for r in open_rules)
    assert ports == ([(80, 80), (443, 443)] if name == "prod" else [(80, 80)])
    groups = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in groups), "no inline rules"


def test_each_service_admits_only_the_edge_on_its_own_port(stack):
    _, run = stack
    edge_sg = run.named("edge-sg").id
    for service, port in PORTS.items():
        group = run.named(f"{service}-sg").id
        rules = [r for r in run.of_type(SG_INGRESS) if r.inputs["securityGroupId"] == group]
        assert [
            (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in rules
        ] == [(edge_sg, port, port)]
        assert all("cidrIpv4" not in r.inputs for r in rules)


def test_the_edge_may_send_only_to_the_services_on_their_ports(stack):
    _, run = stack
    edge_sg = run.named("edge-sg").id
    egress = [r for r in run.of_type(SG_EGRESS) if r.inputs["securityGroupId"] == edge_sg]
    targets = sorted(
        (
            run.by_id(r.inputs["referencedSecurityGroupId"]).name,
            int(r.inputs["fromPort"]),
            int(r.inputs["toPort"]),
        )
        for r in egress
    )
    assert targets == [("api-sg", 9090, 9090), ("web-sg", 8080, 8080)]


def test_services_send_only_https_out(stack):
    _, run = stack
    for service in PORTS:
        group = run.named(f"{service}-sg").id
        egress = [r for r in run.of_type(SG_EGRESS) if r.inputs["securityGroupId"] == group]
        assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in egress] == [
            (443, 443, "0.0.0.0/0")
        ]


def test_tasks_run_in_private_subnets_without_public_ips(stack):
    _, run = stack
    private = run.outputs["privateSubnetIds"]
    for service in run.of_type("aws:ecs/service:Service"):
        network = service.inputs["networkConfiguration"]
        assert network["subnets"] == private
        assert network["assignPublicIp"] is False
        assert network["securityGroups"] == [run.named(service.name.replace("-service", "-sg")).id]


def test_the_load_balancer_is_internet_facing_in_public_subnets_of_two_or_more_zones(stack):
    _, run = stack
    alb = run.named("edge-alb")
    assert alb.inputs["internal"] is False
    assert alb.inputs["subnets"] == run.outputs["publicSubnetIds"]
    zones = {run.by_id(subnet).inputs["availabilityZone"] for subnet in alb.inputs["subnets"]}
    assert len(zones) >= 2
    assert alb.inputs["securityGroups"] == [run.named("edge-sg").id]
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["desyncMitigationMode"] in ("defensive", "strictest")


def test_prod_serves_https_with_tls13_and_http_only_redirects(prod: Run):
    https = prod.named("edge-https")
    assert (https.inputs["port"], https.inputs["protocol"], https.inputs["sslPolicy"]) == (
        443,
        "HTTPS",
        TLS_POLICY,
    )
    # TLS 1.3 with TLS 1.2 as the floor (AWS describe-ssl-policies); a typo here fails only at deploy.
    assert TLS_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https.inputs["certificateArn"].startswith("arn:aws:acm:eu-west-1:222222222222:certificate/")
    assert https.inputs["defaultActions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {"contentType": "text/plain", "statusCode": "404", "messageBody": "Not Found"},
        }
    ]
    http = prod.named("edge-http")
    assert http.inputs["port"] == 80
    assert http.inputs["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]
    # ...and prod's blue/green services' test listener (tests/components/test_deployments.py).
    assert {r.name for r in prod.of_type("aws:lb/listener:Listener")} == {
        "edge-http",
        "edge-https",
        "edge-test",
    }
    assert prod.outputs["url"].startswith("https://")


def test_dev_without_a_certificate_serves_http_and_says_so_loudly(dev: Run):
    (listener,) = dev.of_type("aws:lb/listener:Listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert listener.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    assert any("plain HTTP" in warning and "certificateArn" in warning for warning in dev.warnings)
    assert dev.outputs["url"].startswith("http://")


def test_listener_rules_route_api_first_and_everything_else_to_web(stack):
    _, run = stack
    listener = run.named("edge-https") if stack[0] == "prod" else run.named("edge-http")
    rules = sorted(
        (
            r
            for r in run.of_type("aws:lb/listenerRule:ListenerRule")
            if r.inputs["listenerArn"] == listener.state["arn"]
        ),
        key=lambda r: r.inputs["priority"],
    )
    assert [r.name for r in rules] == ["edge-rule-api", "edge-rule-web"]
    assert all(r.inputs["listenerArn"] == listener.state["arn"] for r in rules)
    assert [r.inputs["conditions"] for r in rules] == [
        [{"pathPattern": {"values": ["/api/*"]}}],
        [{"pathPattern": {"values": ["/*"]}}],
    ]
    for rule in rules:
        (action,) = rule.inputs["actions"]
        service = rule.name.removeprefix("edge-rule-")
        assert action == {"type": "forward", "targetGroupArn": run.named(f"edge-tg-{service}").state["arn"]}


def test_target_groups_use_ip_targets_fast_health_checks_and_short_draining(stack):
    _, run = stack
    for service, port in PORTS.items():
        group = run.named(f"edge-tg-{service}")
        assert (group.inputs["targetType"], group.inputs["port"], group.inputs["protocol"]) == (
            "ip",
            port,
            "HTTP",
        )
        assert group.inputs["deregistrationDelay"] == DEREGISTRATION_DELAY_SECONDS <= 30
        check = group.inputs["healthCheck"]
        assert (check["path"], check["interval"], check["healthyThreshold"], check["unhealthyThreshold"]) == (
            "/healthz",
            10,
            2,
            3,
        )


def test_deploys_are_zero_downtime_with_circuit_breaker_rollback_and_a_visible_wait(stack):
    _, run = stack
    for service in run.of_type("aws:ecs/service:Service"):
        inputs = service.inputs
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (100, 200)
        assert inputs["waitForSteadyState"] is True
        assert inputs["healthCheckGracePeriodSeconds"] == 60
        assert "desiredCount" in service.options["ignoreChanges"]
        rule = run.named(service.name.replace("-service", "").join(["edge-rule-", ""]))
        assert rule.urn in service.options["dependsOn"], (
            "the target group must be attached to a listener first"
        )


@pytest.mark.parametrize(
    ("stack_name", "service", "expected"),
    [
        ("dev", "web", (1, 1, 2, 70.0)),
        ("dev", "api", (1, 1, 2, 70.0)),
        ("prod", "web", (2, 2, 6, 70.0)),
        ("prod", "api", (2, 2, 10, 70.0)),
    ],
)
def test_scaling_tracks_cpu_between_the_configured_bounds(stack_name, service, expected, request):
    run: Run = request.getfixturevalue(stack_name)
    target = run.named(f"{service}-scaling")
    desired = run.named(f"{service}-service").inputs["desiredCount"]
    cpu = run.named(f"{service}-scale-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert (
        desired,
        target.inputs["minCapacity"],
        target.inputs["maxCapacity"],
        cpu["targetValue"],
    ) == expected
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert (cpu["scaleOutCooldown"], cpu["scaleInCooldown"]) == (60, 300)
    assert (
        target.inputs["resourceId"]
        == f"service/{run.outputs['clusterName']}/{run.outputs['serviceNames'][service]}"
    )


def test_prod_api_also_scales_on_requests_per_task(prod: Run):
    policy = prod.named("api-scale-requests").inputs["targetTrackingScalingPolicyConfiguration"]
    metric = policy["predefinedMetricSpecification"]
    assert (policy["targetValue"], metric["predefinedMetricType"]) == (1000.0, "ALBRequestCountPerTarget")
    assert metric["resourceLabel"] == "app/edge-alb-id/0123abcd/targetgroup/edge-tg-api-id/0123456789abcdef"
    with pytest.raises(KeyError):
        prod.named("web-scale-requests")


def test_containers_are_hardened_and_log_to_their_own_group(stack):
    name, run = stack
    # dev turns ECS Exec on: its agent needs these writable under a read-only root (containers-roadmap 1359)
    writable = [
        "/tmp",
        *(["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"] if name == "dev" else []),
    ]
    for service, port in PORTS.items():
        definition = container(run, service)
        assert definition["readonlyRootFilesystem"] is True
        assert definition["privileged"] is False
        assert definition["portMappings"] == [{"containerPort": port, "protocol": "tcp"}]
        assert definition["mountPoints"] == [
            {"sourceVolume": f"scratch-{i}", "containerPath": path, "readOnly": False}
            for i, path in enumerate(writable)
        ]
        assert [v["name"] for v in run.named(f"{service}-task").inputs["volumes"]] == [
            f"scratch-{i}" for i in range(len(writable))
        ]
        options = definition["logConfiguration"]["options"]
        assert definition["logConfiguration"]["logDriver"] == "awslogs"
        assert options["awslogs-group"] == run.outputs["logGroups"][service]
        assert options["awslogs-region"] == "eu-west-1"
        task = run.named(f"{service}-task").inputs
        assert (task["networkMode"], task["requiresCompatibilities"]) == ("awsvpc", ["FARGATE"])


def test_every_log_group_keeps_logs_for_a_limited_time(stack):
    name, run = stack
    groups = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    # flow logs, exec sessions, one per service, and the WAF's where the stack has one
    assert len(groups) == 4 + len(run.of_type("aws:wafv2/webAcl:WebAcl"))
    assert all(g.inputs["retentionInDays"] > 0 for g in groups)
    expected = 14 if name == "dev" else 365
    assert [run.named(f"{s}-logs").inputs["retentionInDays"] for s in PORTS] == [expected, expected]


def test_roles_hold_no_wildcard_actions_and_no_broad_managed_policies(stack):
    _, run = stack
    allowed = [
        s for p in run.of_type("aws:iam/rolePolicy:RolePolicy") for s in policy_statements(p.inputs["policy"])
    ]
    assert allowed, "the stack has inline role policies to check"
    for statement in allowed:
        assert statement["Effect"] == "Allow"
        assert not [a for a in statement["Action"] if is_wildcard_action(a)], statement
    attachments = {
        a.inputs["policyArn"] for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert attachments == {"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}


def test_task_roles_can_do_nothing_unless_configured(prod: Run):
    for service in PORTS:
        role = prod.named(f"{service}-task-role")
        assert [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id] == []
        (trust,) = policy_statements(role.inputs["assumeRolePolicy"])
        assert trust["Principal"] == {"Service": ["ecs-tasks.amazonaws.com"]}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ["222222222222"]}}


def test_ecr_repositories_scan_on_push_are_immutable_encrypted_and_expire_old_images(stack):
    _, run = stack
    for service in PORTS:
        repo = run.named(f"{service}-repo").inputs
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
        rules = json.loads(run.named(f"{service}-repo-lifecycle").inputs["policy"])["rules"]
        assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]
        # ECR requires a unique rulePriority per rule, and an "any" rule must have the highest number
        # (ECR lifecycle policy parameters: "tagStatus any ... must have the highest value for rulePriority").
        assert [r["rulePriority"] for r in rules] == [1, 2]
        image = run.named(f"{service}-image").inputs
        assert image["imageTag"].startswith(f"{service}-")
        assert (image["context"], image["dockerfile"]) == ("app", "app/Dockerfile"), "relative paths"
        assert container(run, service)["image"] == run.outputs["images"][service]
        assert run.outputs["images"][service].startswith(
            run.outputs["repositoryUrls"][service] + f":{service}-"
        )


def test_the_cluster_has_container_insights_both_capacity_providers_and_logged_exec(stack):
    name, run = stack
    cluster = run.named("cluster-ecs").inputs
    assert cluster["settings"] == [
        {"name": "containerInsights", "value": "enabled" if name == "dev" else "enhanced"}
    ]
    exec_config = cluster["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert (
        exec_config["logConfiguration"]["cloudWatchLogGroupName"]
        == run.named("cluster-exec-logs").state["name"]
    )
    capacity = run.named("cluster-capacity").inputs
    assert capacity["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    strategy = [
        (s["capacityProvider"], s["base"], s["weight"]) for s in capacity["defaultCapacityProviderStrategies"]
    ]
    if name == "prod":
        assert strategy == [("FARGATE", 1, 1)]
    else:
        assert ("FARGATE_SPOT", 0, 3) in strategy
    for service in run.of_type("aws:ecs/service:Service"):
        used = [
            (s["capacityProvider"], s["base"], s["weight"])
            for s in service.inputs["capacityProviderStrategies"]
        ]
        assert used == strategy


def test_ecs_exec_is_on_in_dev_and_off_in_prod(dev: Run, prod: Run):
    assert all(s.inputs["enableExecuteCommand"] for s in dev.of_type("aws:ecs/service:Service"))
    assert not any(s.inputs["enableExecuteCommand"] for s in prod.of_type("aws:ecs/service:Service"))
    (agent, decrypt, logs, describe) = policy_statements(dev.named("web-task-exec").inputs["policy"])
    assert all(action.startswith("ssmmessages:") for action in agent["Action"])
    assert (decrypt["Action"], decrypt["Resource"]) == (
        ["kms:Decrypt"],
        [dev.named("stack-key-key").state["arn"]],
    )
    assert logs["Resource"] == [dev.named("cluster-exec-logs").state["arn"] + ":*"]
    assert describe["Action"] == ["logs:DescribeLogGroups"]
    with pytest.raises(KeyError):
        prod.named("web-task-exec")


def test_prod_logs_load_balancer_access_to_a_private_tls_only_bucket(prod: Run):
    alb = prod.named("edge-alb").inputs
    bucket = prod.named("edge-access-logs")
    assert alb["accessLogs"] == {"bucket": bucket.state["bucket"], "enabled": True, "prefix": "edge"}
    assert alb["enableDeletionProtection"] is True
    block = prod.named("edge-access-logs-block").inputs
    assert all(
        block[key] is True
        for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert prod.named("edge-access-logs-ownership").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    sse = prod.named("edge-access-logs-sse").inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "AES256"}
    (expiry,) = prod.named("edge-access-logs-lifecycle").inputs["rules"]
    assert (expiry["status"], expiry["expiration"]["days"]) == ("Enabled", 90)
    # The whole bucket (an empty prefix filter), and failed uploads are not kept for ever.
    assert expiry["filter"] == {"prefix": ""}
    assert expiry["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    deny, allow = policy_statements(prod.named("edge-access-logs-policy").inputs["policy"])
    assert (deny["Effect"], deny["Principal"], deny["Condition"]) == (
        "Deny",
        "*",
        {"Bool": {"aws:SecureTransport": ["false"]}},
    )
    assert allow["Action"] == ["s3:PutObject"]
    assert allow["Resource"] == [f"{bucket.state['arn']}/*/AWSLogs/222222222222/*"]


def test_dev_has_no_access_log_bucket_and_no_deletion_protection(dev: Run):
    assert dev.of_type("aws:s3/bucket:Bucket") == []
    assert dev.named("edge-alb").inputs["enableDeletionProtection"] is False
    assert "accessLogs" not in dev.named("edge-alb").inputs


def test_the_stack_exports_url_cluster_services_log_groups_and_repositories(stack):
    _, run = stack
    outputs = run.outputs
    assert outputs["clusterName"] == run.named("cluster-ecs").state["name"]
    assert outputs["serviceNames"] == {s: run.named(f"{s}-service").state["name"] for s in PORTS}
    assert outputs["logGroups"] == {s: run.named(f"{s}-logs").state["name"] for s in PORTS}
    assert outputs["repositoryUrls"] == {s: run.named(f"{s}-repo").state["repositoryUrl"] for s in PORTS}
    assert outputs["url"].endswith(run.named("edge-alb").state["dnsName"])


def test_every_guardrail_holds_in_prod(prod: Run):
    violations = [v for r in prod.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert violations == []


def test_dev_breaks_no_guardrail_but_its_declared_http_only_listener(dev: Run):
    violations = [v for r in dev.resources for v in check_resource(r.type, r.inputs, r.urn)]
    assert [(v.rule, v.urn.rsplit("::", 1)[-1]) for v in violations] == [
        ("http-listeners-only-redirect", "edge-http")
    ]


def test_no_rule_anywhere_opens_ssh_or_rdp(stack):
    _, run = stack
    assert not [
        v
        for r in run.resources
        for v in check_resource(r.type, r.inputs, r.urn)
        if v.rule == "no-admin-ports"
    ]
    assert len(run.of_type(SG_INGRESS)) >= 3


def test_every_role_lives_under_the_webstack_path_the_deploy_role_is_scoped_to(stack):
    environment, run = stack
    roles = run.of_type("aws:iam/role:Role")
    # Two per service and the flow logs' role; prod's blue/green services add ECS's load-balancer role.
    assert len(roles) == (7 if environment == "prod" else 5)
    assert {role.inputs["path"] for role in roles} == {"/webstack/"}


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        # AWS ELB guide, "Enable access logs for your Application Load Balancer", step 2: regions
        # available before August 2022 deliver as the regional ELB account; later ones only as the
        # log-delivery service principal (there is no ELB account to look up, so the invoke failed).
        ("eu-west-1", {"AWS": ["arn:aws:iam::156460612806:root"], "Service": [LOG_DELIVERY]}),
        ("eu-south-2", {"Service": [LOG_DELIVERY]}),
        ("mx-central-1", {"Service": [LOG_DELIVERY]}),
    ],
)
def test_access_logs_are_delivered_by_the_principal_aws_documents_for_the_region(region, principal):
    certificate = f"arn:aws:acm:{region}:222222222222:certificate/00000000-0000-0000-0000-000000000000"
    run = run_stack(
        "example-prod",
        {"aws:region": region, "webstack:edge": {"certificateArn": certificate}},
        root=FIXTURE_STACKS,
    )
    _, allow = policy_statements(run.named("edge-access-logs-policy").inputs["policy"])
    assert allow["Principal"] == principal


def _with_services(services: dict[str, Any]) -> Run:
    return run_stack("example-dev", {"webstack:services": services}, root=FIXTURE_STACKS)


def _example_services() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((FIXTURE_STACKS / "Pulumi.example-dev.yaml").read_text())["config"][
        "webstack:services"
    ]


def test_a_port_change_updates_the_rules_in_place_and_keeps_every_security_group():
    """A group's description is ForceNew (terraform-provider-aws ec2/vpc_security_group.go; plan/
    replacement.py), a rule's ports are not (vpc/security_group_ingress_rule.go updates them with
    ModifySecurityGroupRules): moving web from 8080 to 8081, or making api a worker, must replace no
    group while tasks use it. Groups deployed with a port in their description keep it through
    ignoreChanges (tests/stack/test_upgrade.py)."""
    from plan import replacement

    services = _example_services()
    before = _with_services(services)
    moved = {**services, "web": {**services["web"], "port": 8081}}
    worker = {**services["api"]}
    for key in ("port", "healthCheckPath", "routing"):
        worker.pop(key)
    for after in (_with_services(moved), _with_services({**moved, "api": worker})):
        for old in before.of_type("aws:ec2/securityGroup:SecurityGroup"):
            new = after.named(old.name)
            assert replacement.replacing_changes(old.type, old.inputs, new.inputs) == [], old.name
    assert [before.named(f"{name}-sg").options["ignoreChanges"] for name in PORTS] == [["description"]] * 2
    after = _with_services(moved)
    for name in ("web-in-from-edge", "web-edge-out"):
        old, new = before.named(name), after.named(name)
        assert (new.inputs["fromPort"], new.inputs["toPort"]) == (8081, 8081)
        assert replacement.replacing_changes(old.type, old.inputs, new.inputs) == []
