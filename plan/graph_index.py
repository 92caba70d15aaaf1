"""Lookups over a captured graph's resources, shared by the plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.graph import Graph

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
NETWORK_COMPONENT = "webstack:components:Network"
SUBNET = "aws:ec2/subnet:Subnet"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AUTO_SCALING_GROUP = "aws:autoscaling/group:Group"
HTTP_API = "aws:apigatewayv2/api:Api"
API_ROUTE = "aws:apigatewayv2/route:Route"
API_STAGE = "aws:apigatewayv2/stage:Stage"
API_DOMAIN = "aws:apigatewayv2/domainName:DomainName"
VPC_LINK = "aws:apigatewayv2/vpcLink:VpcLink"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


def short_type(type_token: str) -> str:
    """``aws:ec2/subnet:Subnet`` -> ``ec2:Subnet``; ``webstack:components:Network`` -> ``Network``."""
    if type_token.startswith("webstack:components:"):
        return type_token.rsplit(":", 1)[1]
    package, module, kind = [*type_token.split(":"), "", ""][:3]
    return f"{module.split('/')[0]}:{kind}" if package == "aws" else f"{package}:{kind}"


class Index:
    """Lookups over a graph's resources."""

    def __init__(self, graph: Graph) -> None:
        self.resources: list[dict[str, Any]] = graph["resources"]
        self.by_urn = {r["urn"]: r for r in self.resources}
        self.by_id = {r["outputs"]["id"]: r for r in self.resources if "id" in r["outputs"]}

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    def component_of(self, resource: Mapping[str, Any]) -> str | None:
        """The URN of the nearest webstack component above a resource (through awsx components)."""
        parent = self.by_urn.get(resource.get("parent") or "")
        while parent is not None and not parent["type"].startswith("webstack:components:"):
            parent = self.by_urn.get(parent.get("parent") or "")
        return parent["urn"] if parent else None

    def owner(self, resource: Mapping[str, Any]) -> str:
        """The logical name of the component a resource belongs to (its own name at top level)."""
        parent = self.by_urn.get(resource.get("parent") or "")
        return parent["name"] if parent else resource["name"]

    def group_node(self, group: Mapping[str, Any]) -> str:
        """A security group's node in the exposure matrix: its component (``edge``, ``web``), except
        the Network's own groups (the interface endpoints'), named for what they guard."""
        parent = self.by_urn.get(group.get("parent") or "")
        if parent and parent["type"] == NETWORK_COMPONENT:
            return group["name"].removeprefix(f"{parent['name']}-").removesuffix("-sg")
        return self.owner(group)
