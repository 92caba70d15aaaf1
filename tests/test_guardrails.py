"""Each guardrail rule, on resources that keep and break it (the policy pack runs the same rules)."""

import json

import pytest

from components.guardrails import RULES, check_resource, owned_by

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EDGE_URN = f"urn:pulumi:prod::webstack::webstack:components:Edge${INGRESS}::edge-in-443"
SERVICE_URN = f"urn:pulumi:prod::webstack::webstack:components:Service${INGRESS}::api-in"


def rule_names(resource_type, props, urn="urn:pulumi:s::webstack::x::y"):
    return {violation.rule for violation in check_resource(resource_type, props, urn)}


def ingress(port_from, port_to=None, cidr="0.0.0.0/0", protocol="tcp"):
    return {
        "ipProtocol": protocol,
        "fromPort": float(port_from),
        "toPort": float(port_to or port_from),
        "cidrIpv4": cidr,
    }


def policy(*statements):
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def test_every_rule_has_a_unique_name_and_a_description():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) == 11
    assert all(rule.description.endswith(".") for rule in RULES)


def test_owned_by_reads_the_component_chain_of_a_urn():
    assert owned_by(EDGE_URN, "webstack:components:Edge")
    assert not owned_by(SERVICE_URN, "webstack:components:Edge")
    assert not owned_by("urn:pulumi:s::p::webstack:components:Edge::edge", "webstack:components:Edge")


@pytest.mark.parametrize(
    ("props", "urn", "broken"),
    [
        (ingress(443), EDGE_URN, set()),
        (ingress(80), EDGE_URN, set()),
        (ingress(443, cidr="::/0") | {"cidrIpv4": None, "cidrIpv6": "::/0"}, EDGE_URN, set()),
        (ingress(8080), EDGE_URN, {"no-internet-ingress-except-edge-web"}),
        (ingress(80, 443), EDGE_URN, {"no-internet-ingress-except-edge-web"}),
        (ingress(443), SERVICE_URN, {"no-internet-ingress-except-edge-web"}),
        (ingress(22, cidr="10.0.0.0/8"), SERVICE_URN, {"no-admin-ports"}),
        (ingress(3000, 4000, cidr="10.0.0.0/8"), SERVICE_URN, {"no-admin-ports"}),
        (ingress(0, 0, cidr="10.0.0.0/8", protocol="-1"), SERVICE_URN, {"no-admin-ports"}),
        (ingress(22), EDGE_URN, {"no-admin-ports", "no-internet-ingress-except-edge-web"}),
        (
            {"ipProtocol": "tcp", "fromPort": 8080.0, "toPort": 8080.0, "referencedSecurityGroupId": "sg-1"},
            SERVICE_URN,
            set(),
        ),
    ],
)
def test_ingress_rules_admit_the_internet_only_to_the_edge_on_web_ports_and_never_admin_ports(
    props, urn, broken
):
    assert rule_names(INGRESS, props, urn) == broken


def test_inline_security_group_rules_are_checked_too():
    group = {
        "ingress": [{"protocol": "tcp", "fromPort": 3389.0, "toPort": 3389.0, "cidrBlocks": ["0.0.0.0/0"]}]
    }
    assert rule_names("aws:ec2/securityGroup:SecurityGroup", group) == {
        "no-admin-ports",
        "no-internet-ingress-except-edge-web",
    }
    assert (
        rule_names("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {"ingress": [], "egress": []})
        == set()
    )
    legacy = {
        "type": "ingress",
        "protocol": "tcp",
        "fromPort": 5432.0,
        "toPort": 5432.0,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    assert rule_names("aws:ec2/securityGroupRule:SecurityGroupRule", legacy) == {
        "no-internet-ingress-except-edge-web"
    }


@pytest.mark.parametrize(
    ("resource_type", "good", "bad", "rule"),
    [
        (
            "aws:ec2/subnet:Subnet",
            {"mapPublicIpOnLaunch": False},
            {"mapPublicIpOnLaunch": True},
            "subnets-no-public-ip-on-launch",
        ),
        (
            "aws:ecs/service:Service",
            {"networkConfiguration": {"assignPublicIp": False}},
            {"networkConfiguration": {"assignPublicIp": True}},
            "ecs-services-no-public-ip",
        ),
        (
            "aws:lb/listener:Listener",
            {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
            {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"},
            "https-listeners-tls13",
        ),
        (
            "aws:lb/listener:Listener",
            {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]},
            {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": "arn"}]},
            "http-listeners-only-redirect",
        ),
        (
            "aws:lb/loadBalancer:LoadBalancer",
            {"loadBalancerType": "application", "dropInvalidHeaderFields": True},
            {"loadBalancerType": "application"},
            "alb-drops-invalid-headers",
        ),
        (
            "aws:ecr/repository:Repository",
            {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"},
            {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "MUTABLE"},
            "ecr-scan-on-push-immutable",
        ),
        (
            "aws:ecr/repository:Repository",
            {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"},
            {"imageTagMutability": "IMMUTABLE"},
            "ecr-scan-on-push-immutable",
        ),
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 14.0}, {}, "log-groups-have-retention"),
        (
            "aws:iam/rolePolicy:RolePolicy",
            policy({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}),
            policy({"Effect": "Allow", "Action": "s3:*", "Resource": ["*"]}),
            "no-iam-wildcard-actions-on-all-resources",
        ),
        (
            "aws:iam/policy:Policy",
            policy({"Effect": "Deny", "Action": "*", "Resource": "*"}),
            policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            "no-iam-wildcard-actions-on-all-resources",
        ),
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
            {"policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
            "no-broad-managed-policies",
        ),
        (
            "aws:iam/role:Role",
            {"assumeRolePolicy": "{}"},
            {"managedPolicyArns": ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"]},
            "no-broad-managed-policies",
        ),
    ],
)
def test_each_rule_passes_a_safe_resource_and_catches_an_unsafe_one(resource_type, good, bad, rule):
    assert rule not in rule_names(resource_type, good)
    assert rule in rule_names(resource_type, bad)


def test_values_unknown_at_preview_are_skipped_not_guessed():
    assert rule_names("aws:iam/rolePolicy:RolePolicy", {"policy": None}) == set()
    assert rule_names("aws:iam/rolePolicy:RolePolicy", {"policy": "not json"}) == set()
