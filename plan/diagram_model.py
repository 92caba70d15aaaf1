"""One diagram model of a stack, built from its graph, that both the Mermaid and the PNG renderer draw.

Nodes have a kind (which AWS icon and words) and a tier: ``public``, ``private`` or ``isolated``
subnets, read from the ``Tier`` tag of the subnets the resource is placed in, or ``outside`` the VPC.
The network nodes are the exposure matrix's (security groups, named after their component); their kind
comes from the resource types of that component (an RDS instance, an ElastiCache group, a load
balancer, an ECS service...). Links come from the exposure matrix, the queues and schedules, and the
front door (aliases, certificates, web ACLs, CloudFront origins).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plan.graph import Graph
from plan.graph_index import AUTO_SCALING_GROUP, LOAD_BALANCER, SUBNET, VPC_LINK, Index
from plan.sections.exposure import INTERNET, exposure_matrix, http_apis, permissions, placements
from plan.sections.front_door import CERTIFICATE, DISTRIBUTION, WEB_ACL, hosts
from plan.sections.messaging import SCHEDULER, flows
from plan.sections.routing import service_routes

NAT = "nat"
OUTSIDE = "outside"
TIERS = ("public", "private", "isolated")
"""The VPC's tiers, in the order they are drawn."""

KINDS = {
    "internet": "Internet",
    "load-balancer": "Application Load Balancer",
    "nat": "NAT gateway",
    "fargate": "Fargate service",
    "ec2-service": "EC2 service",
    "container-instances": "ECS container instances",
    "endpoints": "VPC interface endpoints",
    "rds": "RDS",
    "elasticache": "ElastiCache",
    "efs": "EFS file system",
    "lambda": "Lambda function",
    "job": "scheduled ECS task",
    "other": "component",
    "api-gateway": "API Gateway HTTP API",
    "vpc-link": "VPC link",
    "route53": "Route 53",
    "certificate": "ACM certificate",
    "waf": "WAF web ACL",
    "cloudfront": "CloudFront",
    "s3": "S3 bucket",
    "backup": "AWS Backup vault",
    "sqs": "SQS queue",
    "scheduler": "EventBridge Scheduler",
}
"""Every kind a diagram draws -> its name in words (each renderer maps it to its own icon or shape)."""

RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
COMPONENT_KINDS = (
    # (a resource type in the component, the kind of its security group's node), first match wins
    ("aws:rds/instance:Instance", "rds"),
    ("aws:rds/cluster:Cluster", "rds"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "elasticache"),
    ("aws:elasticache/cluster:Cluster", "elasticache"),
    ("aws:efs/fileSystem:FileSystem", "efs"),
    # The Backup component's group: where restore tests bring up restored databases (components/backup/).
    (RESTORE_TESTING_PLAN, "rds"),
    ("aws:lb/loadBalancer:LoadBalancer", "load-balancer"),
    ("aws:lambda/function:Function", "lambda"),
    ("aws:ecs/service:Service", "fargate"),
    ("aws:scheduler/schedule:Schedule", "job"),  # a Job: schedules and no service (a service's come above)
    (AUTO_SCALING_GROUP, "container-instances"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "endpoints"),
)
"""How a security group's node gets its kind: by what its component creates."""

SERVICES = {"fargate", "ec2-service"}

HOME_TIER = {"rds": "isolated", "elasticache": "isolated", "load-balancer": "public", "nat": "public"}
"""Where a kind sits when the graph does not say (no subnets found): otherwise private."""

OUTSIDE_TYPES = {
    "aws:s3/bucket:Bucket": "s3",
    "aws:s3/bucketV2:BucketV2": "s3",
    "aws:backup/vault:Vault": "backup",
    CERTIFICATE: "certificate",
    WEB_ACL: "waf",
    DISTRIBUTION: "cloudfront",
    VPC_LINK: "vpc-link",
}
"""Resources drawn outside the VPC, one node each, by type."""


ENGINES = {
    "postgres": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "aurora-postgresql": "Aurora PostgreSQL",
    "aurora-mysql": "Aurora MySQL",
    "valkey": "Valkey",
    "redis": "Redis",
    "memcached": "Memcached",
}
"""An engine's name as AWS writes it."""


@dataclass(frozen=True)
class Node:
    id: str
    """Unique; a network node's id is its name in the exposure matrix (``edge``, ``web``, ``db-main``)."""
    name: str
    kind: str
    tier: str
    """``public``, ``private``, ``isolated`` or ``outside``."""
    title: str
    """What it is in words, e.g. ``RDS postgres 17`` or ``internal Application Load Balancer``."""
    detail: str = ""


@dataclass(frozen=True)
class Link:
    source: str
    destination: str
    label: str
    style: str = "network"
    """``network`` (a path of the exposure matrix), ``door`` (from the internet), ``out``, ``flow``
    (a message or a scheduled start), ``front`` (DNS alias, certificate, web ACL, origin)."""


@dataclass
class Model:
    title: str
    vpc: str
    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def add(self, node: Node) -> None:
        self.nodes.setdefault(node.id, node)

    def link(self, source: str, destination: str, label: str, style: str) -> None:
        if source in self.nodes and destination in self.nodes:
            self.links.append(Link(source, destination, label, style))

    def in_tier(self, tier: str) -> list[Node]:
        return [node for node in self.nodes.values() if node.tier == tier]


def build(graph: Graph) -> Model:
    """The diagram model of a graph."""
    index = Index(graph)
    zones = graph["outputs"].get("availabilityZones", [])
    vpcs = index.of_type("aws:ec2/vpc:Vpc")
    cidr = vpcs[0]["inputs"]["cidrBlock"] if vpcs else "?"
    model = Model(f"webstack {graph['stack']} ({graph.get('region')})", f"VPC {cidr} in {len(zones)} zones")
    model.add(Node(INTERNET, INTERNET, "internet", OUTSIDE, "Internet"))
    _network_nodes(graph, index, model)
    nats = index.of_type("aws:ec2/natGateway:NatGateway")
    if nats:
        model.add(Node(NAT, NAT, "nat", "public", f"NAT gateway x{len(nats)}"))
    _outside_nodes(graph, index, model)
    _work(graph, model)
    _connections(graph, model)
    _front_door(graph, index, model)
    if nats:
        model.link(NAT, INTERNET, "", "out")
    return model


def _tiers(index: Index) -> dict[str, str]:
    """Subnet id -> its tier (the ``Tier`` tag the Network component gives every subnet)."""
    return {
        s["outputs"]["id"]: (s["inputs"].get("tags") or {}).get("Tier", "?") for s in index.of_type(SUBNET)
    }


def _subnets_of(resources: Sequence[Mapping[str, Any]], index: Index) -> set[str]:
    """The subnets a component's resources name (subnet groups, mount targets, VPC links)."""
    found: set[str] = set()
    for resource in resources:
        inputs = resource["inputs"]
        found.update(str(s) for s in inputs.get("subnetIds") or [])
        found.update(str(s) for s in (inputs.get("vpcConfig") or {}).get("subnetIds") or [])
        if inputs.get("subnetId"):
            found.add(str(inputs["subnetId"]))
    return found & set(index.by_id)


def _network_nodes(graph: Graph, index: Index, model: Model) -> None:
    """A node per security-group node of the exposure matrix, with its kind and tier."""
    names, _ = permissions(graph)
    apis = http_apis(graph)
    tiers = _tiers(index)
    placed = placements(graph)
    by_name = {r["name"]: r for r in index.resources if r["type"].startswith("webstack:components:")}
    for name in names:
        if name in apis:
            model.add(Node(name, name, "api-gateway", OUTSIDE, KINDS["api-gateway"], "HTTPS, VPC link"))
            continue
        component = by_name.get(name)
        members = [r for r in index.resources if component and index.component_of(r) == component["urn"]]
        types = {r["type"] for r in members}
        kind = next(
            (k for t, k in COMPONENT_KINDS if t in types), "endpoints" if not component else "fargate"
        )
        subnets = placed.get(name, set()) | _subnets_of(members, index)
        counted = Counter(tiers.get(s, "?") for s in subnets if tiers.get(s) in TIERS)
        tier = counted.most_common(1)[0][0] if counted else HOME_TIER.get(kind, "private")
        title, detail = _describe(kind, members, index)
        kind = "ec2-service" if title == KINDS["ec2-service"] else kind
        model.add(Node(name, name, kind, tier, title, detail))


def _describe(kind: str, members: list[dict[str, Any]], index: Index) -> tuple[str, str]:
    """The words of a network node: what it is, and its size."""

    def first(type_token: str) -> Mapping[str, Any]:
        return next((r["inputs"] for r in members if r["type"] == type_token), {})

    if kind == "rds" and not first("aws:rds/instance:Instance") and first(RESTORE_TESTING_PLAN):
        # The Backup component's landing place: restored copies of the databases, for a few hours a week.
        return (
            "RDS PostgreSQL (restore tests)",
            f"restored {first(RESTORE_TESTING_PLAN).get('scheduleExpression')}",
        )
    if kind == "rds":
        db = first("aws:rds/instance:Instance") or first("aws:rds/cluster:Cluster")
        multi = ", Multi-AZ" if db.get("multiAz") else ""
        return (
            f"RDS {ENGINES.get(str(db.get('engine')), db.get('engine'))} {db.get('engineVersion')}",
            f"{db.get('instanceClass')}{multi}",
        )
    if kind == "elasticache":
        cache = first("aws:elasticache/replicationGroup:ReplicationGroup") or first(
            "aws:elasticache/cluster:Cluster"
        )
        nodes = cache.get("numCacheClusters") or cache.get("numCacheNodes") or 1
        engine = ENGINES.get(str(cache.get("engine")), cache.get("engine"))
        return (
            f"ElastiCache {engine} {cache.get('engineVersion')}",
            f"{cache.get('nodeType')} x{nodes}",
        )
    if kind == "load-balancer":
        balancer = first(LOAD_BALANCER)
        listeners = [r["inputs"] for r in members if r["type"] == "aws:lb/listener:Listener"]
        described = ", ".join(f"{item.get('protocol')} {item.get('port')}" for item in listeners)
        internal = "internal " if balancer.get("internal") else ""
        return f"{internal}{KINDS[kind]}", described
    if kind == "endpoints":
        endpoints = [r["inputs"] for r in index.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")]
        names = [
            str(e.get("serviceName", "")).split(".", 3)[-1]
            for e in endpoints
            if e.get("vpcEndpointType") == "Interface"
        ]
        return KINDS[kind], ", ".join(names)
    if kind == "container-instances":
        group = first(AUTO_SCALING_GROUP)
        return KINDS[kind], f"EC2 Auto Scaling group, {group.get('minSize')}-{group.get('maxSize')}"
    if kind == "fargate":
        service = first("aws:ecs/service:Service")
        providers = [str(s.get("capacityProvider")) for s in service.get("capacityProviderStrategies") or []]
        on_ec2 = service.get("launchType") == "EC2" or any(not p.startswith("FARGATE") for p in providers)
        target = first("aws:appautoscaling/target:Target")
        tasks = f"{target.get('minCapacity')}-{target.get('maxCapacity')} tasks" if target else ""
        return KINDS["ec2-service" if on_ec2 else "fargate"], tasks
    if kind == "other":  # a component of a kind no table here knows yet: its type says what it is
        component = index.by_urn.get(members[0].get("parent") or "") if members else None
        return (component["type"].rsplit(":", 1)[1] if component else KINDS[kind]), ""
    return KINDS[kind], ""


def _outside_nodes(graph: Graph, index: Index, model: Model) -> None:
    """Buckets, certificates, web ACLs, CloudFront, VPC links, backup vaults; EFS file systems and
    data stores that have no security group of their own, in their tier."""
    for resource in index.resources:
        kind = OUTSIDE_TYPES.get(resource["type"])
        if kind is not None:
            inputs = resource["inputs"]
            detail = str(inputs.get("domainName") or ", ".join(inputs.get("aliases") or []))
            if kind == "certificate":
                detail += f" ({inputs.get('region') or graph.get('region')})"
            model.add(Node(_outside_id(resource), resource["name"], kind, OUTSIDE, KINDS[kind], detail))
    tiers = _tiers(index)
    for type_token, kind in COMPONENT_KINDS[:5]:
        for resource in index.of_type(type_token):
            owner = index.owner(resource)
            if owner in model.nodes:
                continue
            siblings = [r for r in index.resources if index.owner(r) == owner]
            counted = Counter(
                tiers.get(s, "?") for s in _subnets_of(siblings, index) if tiers.get(s) in TIERS
            )
            tier = counted.most_common(1)[0][0] if counted else HOME_TIER.get(kind, "private")
            title, detail = _describe(kind, siblings, index)
            model.add(Node(owner, owner, kind, tier, title, detail))


def _outside_id(resource: Mapping[str, Any]) -> str:
    return f"{OUTSIDE_TYPES[resource['type']]} {resource['name']}"


def queue_id(name: str) -> str:
    return f"queue {name}"


def _work(graph: Graph, model: Model) -> None:
    """The queues and the scheduler, and the flows of messages and scheduled starts."""
    work = flows(graph)
    for queue in sorted(
        {f.destination for f in work if f.label == "sends"}
        | {f.source for f in work if f.label == "consumes"}
    ):
        model.add(Node(queue_id(queue), queue, "sqs", OUTSIDE, "SQS queue + DLQ"))
    if any(f.source == SCHEDULER for f in work):
        model.add(Node(SCHEDULER, SCHEDULER, "scheduler", OUTSIDE, KINDS["scheduler"]))
    for flow in work:
        source = queue_id(flow.source) if flow.label == "consumes" else flow.source
        destination = queue_id(flow.destination) if flow.label == "sends" else flow.destination
        model.link(source, destination, flow.label, "flow")


def _connections(graph: Graph, model: Model) -> None:
    """A link per path of the exposure matrix, labelled with its ports and what it carries."""
    routes = service_routes(graph)
    via = NAT if NAT in model.nodes else INTERNET
    for (source, dest), ports in sorted(exposure_matrix(graph).items()):
        label = ", ".join(ports)
        if dest == INTERNET:
            model.link(source, via, f"{label} out", "out")
            continue
        if source == INTERNET:
            model.link(source, dest, label, "door")
            continue
        if source not in model.nodes:  # a range outside the VPC (e.g. an office on the test listener)
            model.add(Node(source, source, "internet", OUTSIDE, "address range"))
        kinds = (model.nodes[source].kind, model.nodes[dest].kind)
        if kinds[0] == "load-balancer" and routes.get(dest):
            label += " " + " ".join(routes[dest])
        elif kinds[0] == "api-gateway":
            label += " VPC link"
        elif set(kinds) <= SERVICES:
            label += " Service Connect"
        model.link(source, dest, label, "network")


def _front_door(graph: Graph, index: Index, model: Model) -> None:
    """Route 53 aliases, certificates, web ACLs and CloudFront with its origins."""
    aliases = hosts(graph)
    if aliases:
        names = ", ".join(sorted({host for host, _ in aliases}))
        model.add(Node("route53", "route53", "route53", OUTSIDE, KINDS["route53"], names))
    by_arn = {r["outputs"]["arn"]: r for r in index.resources if r["outputs"].get("arn")}
    for host, target in aliases:
        model.link("route53", _target_id(target), host, "front")
    for distribution in index.of_type(DISTRIBUTION):
        node = _outside_id(distribution)
        model.link(INTERNET, node, "HTTPS", "door")
        for origin in distribution["inputs"].get("origins") or []:
            domain = str(origin.get("domainName"))
            for resource in index.resources:
                outputs = resource["outputs"]
                if resource["type"] in OUTSIDE_TYPES and domain == outputs.get("bucketRegionalDomainName"):
                    model.link(node, _outside_id(resource), "origin (origin access control)", "front")
                elif resource["type"] == LOAD_BALANCER and domain == outputs.get("dnsName"):
                    model.link(node, index.owner(resource), "origin", "front")
    for acl in index.of_type(WEB_ACL):
        for user in index.resources:
            inputs = user["inputs"]
            if inputs.get("webAclArn") == acl["outputs"].get("arn") and inputs.get("resourceArn") in by_arn:
                model.link(
                    _outside_id(acl), _node_of(by_arn[inputs["resourceArn"]], index), "filters", "front"
                )
            elif user["type"] == DISTRIBUTION and inputs.get("webAclId") == acl["outputs"].get("arn"):
                model.link(_outside_id(acl), _outside_id(user), "filters", "front")
    for certificate in index.of_type(CERTIFICATE):
        arn = f'"{certificate["outputs"].get("arn")}"'
        users = {
            _node_of(r, index)
            for r in index.resources
            if r["type"] != "aws:acm/certificateValidation:CertificateValidation"
            and arn in json.dumps(r["inputs"])
        }
        for user in sorted(users):
            model.link(_outside_id(certificate), user, "TLS", "front")
    for link in index.of_type(VPC_LINK):
        model.link(index.owner(link), _outside_id(link), "private integration", "front")
    for balancer in index.of_type(LOAD_BALANCER):
        logs = (balancer["inputs"].get("accessLogs") or {}).get("bucket")
        bucket = index.by_id.get(logs or "")
        if bucket is not None and bucket["type"] in OUTSIDE_TYPES:
            model.link(index.owner(balancer), _outside_id(bucket), "access logs", "front")


def _target_id(target: str) -> str:
    """The node of an alias's target as :func:`plan.sections.front_door.hosts` words it."""
    for prefix, kind in (("load balancer ", ""), ("API Gateway ", ""), ("CloudFront ", "cloudfront ")):
        if target.startswith(prefix):
            return kind + target.removeprefix(prefix)
    return target


def _node_of(resource: Mapping[str, Any], index: Index) -> str:
    """The node a resource belongs to: its own (outside the VPC) or its component's."""
    if resource["type"] in OUTSIDE_TYPES:
        return _outside_id(resource)
    return index.owner(resource)
