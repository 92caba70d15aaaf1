"""What a plan shows, computed from a captured graph (pure functions over the JSON document)."""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plan.engine import PLACEHOLDER_NOTE
from plan.graph import Graph
from plan.routing import routes

INTERNET = "internet"
INTERNET_CIDRS = ("0.0.0.0/0", "::/0")
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
HTTPS = "tcp/443"
"""What the internet may open to an API Gateway API: its endpoints serve HTTPS only."""
COMPONENT_ORDER = {
    "StackKey": 0,
    "Notifications": 1,
    "Network": 2,
    "Cluster": 3,
    "ApiGateway": 4,
    "Edge": 4,
    "InternalEdge": 4,
    "Waf": 5,
    "Domain": 6,
    "Cdn": 7,
    "Queue": 8,
    "Service": 9,
    "Observability": 10,
}
"""The order the inventory lists components in: foundation first."""


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


# --- Inventory ------------------------------------------------------------------------------------


def inventory(graph: Graph) -> list[str]:
    """A tree: each component, then its resources counted by type."""
    index = Index(graph)
    custom = [r for r in index.resources if r["custom"] or r["type"].startswith("awsx:")]
    components = sorted(
        (r for r in index.resources if not r["custom"] and not r["type"].startswith("awsx:")),
        key=lambda r: (COMPONENT_ORDER.get(short_type(r["type"]), len(COMPONENT_ORDER)), r["name"]),
    )
    lines = [f"Resources: {len(custom)} in {len(components)} components (stack {graph['stack']})"]
    for position, component in enumerate(components):
        children = [r for r in custom if index.component_of(r) == component["urn"]]
        last = position == len(components) - 1
        lines.append(
            f"{'└─' if last else '├─'} {component['name']} ({short_type(component['type'])}): {len(children)}"
        )
        counts = Counter(short_type(r["type"]) for r in children)
        for type_position, (kind, count) in enumerate(sorted(counts.items())):
            branch = "└─" if type_position == len(counts) - 1 else "├─"
            lines.append(f"{'   ' if last else '│  '} {branch} {kind} x{count}")
    orphans = [r for r in custom if index.component_of(r) is None]
    if orphans:
        lines.append(f"Outside any component: {', '.join(r['name'] for r in orphans)}")
    return lines


# --- Exposure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    """One security-group rule, normalised: which group, which direction, which peer, which ports."""

    group: str
    """Node name of the group the rule belongs to."""
    direction: str
    peer: str
    """``internet``, another node name, or a CIDR."""
    protocol: str
    from_port: int
    to_port: int

    def ports(self) -> str:
        if self.protocol in ("-1", "all"):
            return "all"
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"

    def covers(self, other: Permission) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return (
            self.protocol == other.protocol
            and self.from_port <= other.from_port <= other.to_port <= self.to_port
        )


def _peer(rule: Mapping[str, Any], index: Index, groups: Mapping[str, str]) -> str | None:
    for key in ("cidrIpv4", "cidrIpv6"):
        if rule.get(key):
            return INTERNET if rule[key] in INTERNET_CIDRS else str(rule[key])
    reference = rule.get("referencedSecurityGroupId")
    if reference:
        return groups.get(reference, str(reference))
    return None


def permissions(graph: Graph) -> tuple[list[str], list[Permission]]:
    """The security-group nodes (named after their component) and every rule between them."""
    index = Index(graph)
    groups = {g["outputs"]["id"]: index.group_node(g) for g in index.of_type(SECURITY_GROUP)}
    found: list[Permission] = []
    for type_token, direction in ((INGRESS_RULE, "ingress"), (EGRESS_RULE, "egress")):
        for rule in index.of_type(type_token):
            inputs = rule["inputs"]
            peer = _peer(inputs, index, groups)
            group = groups.get(inputs.get("securityGroupId", ""))
            if peer is None or group is None:
                continue
            found.append(
                Permission(
                    group,
                    direction,
                    peer,
                    str(inputs.get("ipProtocol", "")),
                    int(inputs.get("fromPort", 0)),
                    int(inputs.get("toPort", 0)),
                )
            )
    for group in index.of_type(SECURITY_GROUP):
        for direction in ("ingress", "egress"):
            for rule in group["inputs"].get(direction) or []:
                for cidr in (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or []):
                    peer = INTERNET if cidr in INTERNET_CIDRS else cidr
                    found.append(
                        Permission(
                            groups[group["outputs"]["id"]],
                            direction,
                            peer,
                            str(rule.get("protocol", "")),
                            int(rule.get("fromPort", 0)),
                            int(rule.get("toPort", 0)),
                        )
                    )
    nodes = sorted(set(groups.values()), key=lambda name: (name not in ("api-gateway", "edge"), name))
    return nodes, found


def http_apis(graph: Graph) -> dict[str, str]:
    """Node name -> what the internet reaches of each API Gateway HTTP API: the API is not in a
    security group but is internet-facing by nature; its node is the component that also owns its
    VPC link's group (``api-gateway``), so the matrix shows internet -> API -> load balancer."""
    index = Index(graph)
    return {
        index.owner(api): HTTPS
        for api in index.of_type(HTTP_API)
        if api["inputs"].get("protocolType") == "HTTP"
    }


def exposure_matrix(graph: Graph) -> dict[tuple[str, str], list[str]]:
    """``{(source, destination): ["tcp/443", ...]}`` for every path a connection can take.

    A path from a group needs the destination's ingress *and* the source's egress to allow it; a path
    from the internet needs only the destination's ingress.
    """
    _, rules = permissions(graph)
    matrix: dict[tuple[str, str], list[str]] = {}
    for rule in (r for r in rules if r.direction == "ingress"):
        if rule.peer != INTERNET:
            allowed_out = any(
                out.group == rule.peer
                and out.direction == "egress"
                and out.peer in (rule.group, INTERNET)
                and out.covers(rule)
                for out in rules
            )
            if not allowed_out:
                continue
        matrix.setdefault((rule.peer, rule.group), []).append(rule.ports())
    for key, ports in _cidr_sources(graph, rules).items():
        matrix.setdefault(key, []).extend(ports)
    for node, ports in http_apis(graph).items():
        matrix.setdefault((INTERNET, node), []).append(ports)
    grounded = groups_without_internet_route(graph)
    for rule in (r for r in rules if r.direction == "egress" and r.peer == INTERNET):
        if rule.group in grounded:
            continue  # its subnets have no default route: only VPC endpoints answer, not the internet
        matrix.setdefault((rule.group, INTERNET), []).append(rule.ports())
    return {key: sorted(set(ports), key=_port_order) for key, ports in matrix.items()}


_PLACEMENTS = (
    # (type, where its security groups are listed, where its subnets are listed)
    (
        "aws:ecs/service:Service",
        ("networkConfiguration", "securityGroups"),
        ("networkConfiguration", "subnets"),
    ),
    ("aws:lb/loadBalancer:LoadBalancer", ("securityGroups",), ("subnets",)),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", ("securityGroupIds",), ("subnetIds",)),
)


def _dig(inputs: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    value: Any = inputs
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return [str(item) for item in value] if isinstance(value, list) else []


def groups_without_internet_route(graph: Graph) -> set[str]:
    """Security groups (by node name) used only in subnets that have no default route out."""
    routed = {subnet for subnet, target in default_routes(graph).items() if target != "none"}
    return {group for group, subnets in placements(graph).items() if subnets and not subnets & routed}


def placements(graph: Graph) -> dict[str, set[str]]:
    """Security group (by node name) -> the subnet ids of what uses it (tasks, load balancers,
    endpoints, container instances)."""
    index = Index(graph)
    names = {g["outputs"]["id"]: index.group_node(g) for g in index.of_type(SECURITY_GROUP)}
    subnets_of: dict[str, set[str]] = {}
    for type_token, groups_at, subnets_at in _PLACEMENTS:
        for resource in index.of_type(type_token):
            for group in _dig(resource["inputs"], groups_at):
                subnets_of.setdefault(names.get(group, group), set()).update(
                    _dig(resource["inputs"], subnets_at)
                )
    for template in index.of_type(LAUNCH_TEMPLATE):
        # Container instances: the template names the group, the Auto Scaling group the subnets.
        subnets = {
            subnet
            for group in index.of_type(AUTO_SCALING_GROUP)
            if template["outputs"].get("id") in json.dumps(group["inputs"].get("mixedInstancesPolicy"))
            for subnet in group["inputs"].get("vpcZoneIdentifiers") or []
        }
        for interface in template["inputs"].get("networkInterfaces") or []:
            for group_id in interface.get("securityGroups") or []:
                subnets_of.setdefault(str(names.get(group_id, group_id)), set()).update(subnets)
    return subnets_of


def _inside(cidr: str, peers: Iterable[str]) -> bool:
    """Whether the CIDR ``cidr`` lies inside one of the CIDRs ``peers``."""
    try:
        network = ipaddress.ip_network(cidr)
        return any(
            network.version == (peer := ipaddress.ip_network(other)).version and network.subnet_of(peer)  # type: ignore[arg-type]
            for other in peers
        )
    except ValueError:
        return False


def _cidr_sources(graph: Graph, rules: list[Permission]) -> dict[tuple[str, str], list[str]]:
    """Paths through rules that admit CIDRs (e.g. the endpoints admit each private subnet on 443): a
    group whose every subnet lies inside CIDRs the destination admits on those ports, and whose egress
    allows the port there, may connect."""
    index = Index(graph)
    cidr_of = {s["outputs"]["id"]: str(s["inputs"].get("cidrBlock", "")) for s in index.of_type(SUBNET)}
    where = {
        group: [cidr_of.get(subnet, "") for subnet in subnets] for group, subnets in placements(graph).items()
    }
    admitted: dict[tuple[str, Permission], list[str]] = {}
    for rule in rules:
        if rule.direction == "ingress" and rule.peer != INTERNET and rule.peer not in where:
            port = Permission(rule.group, "ingress", "", rule.protocol, rule.from_port, rule.to_port)
            admitted.setdefault((rule.group, port), []).append(rule.peer)
    found: dict[tuple[str, str], list[str]] = {}
    for (destination, port), peers in admitted.items():
        for source, cidrs in where.items():
            if source == destination or not cidrs or not all(_inside(cidr, peers) for cidr in cidrs):
                continue
            if any(
                out.group == source
                and out.direction == "egress"
                and (out.peer in (INTERNET, destination) or all(_inside(peer, [out.peer]) for peer in peers))
                and out.covers(port)
                for out in rules
            ):
                found.setdefault((source, destination), []).append(port.ports())
    return found


def _port_order(ports: str) -> tuple[int, str]:
    number = ports.split("/")[-1].split("-")[0]
    return (int(number) if number.isdigit() else -1, ports)


def exposure(graph: Graph) -> list[str]:
    """The matrix as a table (rows: source, columns: destination) and a one-line verdict."""
    nodes, _ = permissions(graph)
    nodes += [node for node in http_apis(graph) if node not in nodes]
    matrix = exposure_matrix(graph)
    if not nodes:
        return [
            "Network exposure: no security groups in this stack.",
            "Verdict: nothing is reachable from 0.0.0.0/0.",
        ]
    sources = [INTERNET, *nodes]
    destinations = [*nodes, f"{INTERNET} (out)"]
    rows = [["from \\ to", *destinations]]
    for source in sources:
        cells = [", ".join(matrix.get((source, dest.split(" ")[0]), [])) or "-" for dest in destinations]
        if source == INTERNET:
            cells[-1] = ""
        rows.append([source, *cells])
    lines = ["Network exposure (who may open connections to whom):", *table(rows), verdict(graph)]
    return lines


def verdict(graph: Graph) -> str:
    matrix = exposure_matrix(graph)
    reachable = {dest: ports for (source, dest), ports in matrix.items() if source == INTERNET}
    if not reachable:
        return "Verdict: nothing is reachable from 0.0.0.0/0."
    parts = [f"{dest} on {', '.join(ports)}" for dest, ports in sorted(reachable.items())]
    return f"Verdict: from 0.0.0.0/0 only {'; '.join(parts)} is reachable; everything else is private."


# --- Subnets --------------------------------------------------------------------------------------


def default_routes(graph: Graph) -> dict[str, str]:
    """Subnet id -> where its default route goes: internet gateway, NAT in a zone, or none."""
    index = Index(graph)
    table_of = {
        a["inputs"]["subnetId"]: a["inputs"]["routeTableId"]
        for a in index.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    default_route = {
        r["inputs"]["routeTableId"]: r["inputs"]
        for r in index.of_type("aws:ec2/route:Route")
        if r["inputs"].get("destinationCidrBlock") == "0.0.0.0/0"
    }
    targets = {}
    for subnet in index.of_type("aws:ec2/subnet:Subnet"):
        table_id = table_of.get(subnet["outputs"]["id"])
        route = default_route.get(table_id or "")
        if table_id is None:
            target = "main route table (not associated!)"
        elif route is None:
            target = "none"
        elif route.get("gatewayId"):
            target = "internet gateway"
        elif route.get("natGatewayId"):
            nat = index.by_id.get(route["natGatewayId"])
            nat_subnet = index.by_id.get(nat["inputs"]["subnetId"]) if nat else None
            zone = nat_subnet["inputs"]["availabilityZone"] if nat_subnet else "?"
            target = f"NAT in {zone}"
        else:
            target = "other"
        targets[subnet["outputs"]["id"]] = target
    return targets


def subnet_rows(graph: Graph) -> list[dict[str, str]]:
    """Zone, tier, CIDR and default route target of every subnet, zone by zone."""
    index = Index(graph)
    targets = default_routes(graph)
    rows = []
    for subnet in index.of_type("aws:ec2/subnet:Subnet"):
        target = targets[subnet["outputs"]["id"]]
        inputs = subnet["inputs"]
        rows.append(
            {
                "zone": inputs["availabilityZone"],
                "tier": (inputs.get("tags") or {}).get("Tier", "?"),
                "cidr": inputs["cidrBlock"],
                "default route": target,
                "public ip on launch": "yes" if inputs.get("mapPublicIpOnLaunch") else "no",
            }
        )
    return sorted(rows, key=lambda row: (row["zone"], row["tier"]))


def subnets(graph: Graph) -> list[str]:
    rows = subnet_rows(graph)
    if not rows:
        return ["Subnets: none."]
    header = list(rows[0])
    return ["Subnet layout:", *table([header, *[[row[key] for key in header] for row in rows]])]


# --- Facts and comparison -------------------------------------------------------------------------


def facts(graph: Graph) -> dict[str, str]:
    """The settings that tell stacks apart, as text."""
    index = Index(graph)
    found: dict[str, str] = {
        "region": str(graph.get("region")),
        "accounts": ", ".join(graph.get("accounts") or []),
        "resources": str(sum(1 for r in index.resources if r["custom"] or r["type"].startswith("awsx:"))),
        "availability zones": ", ".join(graph["outputs"].get("availabilityZones", [])),
        "verdict": verdict(graph).removeprefix("Verdict: "),
    }
    for vpc in index.of_type("aws:ec2/vpc:Vpc"):
        found["vpc cidr"] = vpc["inputs"]["cidrBlock"]
    for group in index.of_type("aws:cloudwatch/logGroup:LogGroup"):
        found[f"log retention {group['name']}"] = f"{group['inputs'].get('retentionInDays')} days"
    for cluster in index.of_type("aws:ecs/cluster:Cluster"):
        found["container insights"] = ", ".join(s["value"] for s in cluster["inputs"].get("settings", []))
    for group in index.of_type(AUTO_SCALING_GROUP):
        overrides = ((group["inputs"].get("mixedInstancesPolicy") or {}).get("launchTemplate") or {}).get(
            "overrides"
        ) or []
        found["ec2 instances"] = (
            f"{', '.join(o.get('instanceType', '?') for o in overrides)} "
            f"x{group['inputs'].get('minSize')}-{group['inputs'].get('maxSize')}"
        )
    for template in index.of_type(LAUNCH_TEMPLATE):
        metadata = template["inputs"].get("metadataOptions") or {}
        found["ec2 metadata"] = (
            f"tokens {metadata.get('httpTokens')}, hop limit {metadata.get('httpPutResponseHopLimit')}"
        )
    for capacity in index.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"):
        found["capacity strategy"] = ", ".join(
            f"{s['capacityProvider']} base {s['base']} weight {s['weight']}"
            for s in capacity["inputs"].get("defaultCapacityProviderStrategies", [])
        )
    for listener in index.of_type("aws:lb/listener:Listener"):
        inputs = listener["inputs"]
        action = (inputs.get("defaultActions") or [{}])[0].get("type", "?")
        found[f"listener {inputs.get('protocol')}:{inputs.get('port')}"] = (
            f"{action} {inputs.get('sslPolicy', '')}".strip()
        )
    for balancer in index.of_type("aws:lb/loadBalancer:LoadBalancer"):
        inputs = balancer["inputs"]
        found["load balancer deletion protection"] = str(inputs.get("enableDeletionProtection"))
        found["load balancer access logs"] = str(bool((inputs.get("accessLogs") or {}).get("enabled")))
    found["NAT gateways"] = str(len(index.of_type("aws:ec2/natGateway:NatGateway")))
    for service in index.of_type("aws:ecs/service:Service"):
        owner = index.owner(service)
        found[f"service {owner} exec"] = str(service["inputs"].get("enableExecuteCommand"))
    for target in index.of_type("aws:appautoscaling/target:Target"):
        owner = index.owner(target)
        found[f"service {owner} tasks min-max"] = (
            f"{target['inputs']['minCapacity']}-{target['inputs']['maxCapacity']}"
        )
    for task in index.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        owner = index.owner(task)
        found[f"service {owner} cpu/memory"] = f"{task['inputs']['cpu']}/{task['inputs']['memory']}"
    for kind, count in Counter(short_type(r["type"]) for r in index.resources if r["custom"]).items():
        found[f"count {kind}"] = str(count)
    return found


def compare(first: Graph, second: Graph, labels: tuple[str, str] | None = None) -> list[str]:
    """One table of every fact that differs between two graphs, headed by their stack names or by
    ``labels`` (two runs of one stack: ``Pulumi.dev.yaml at HEAD``, ``... as it is now``)."""
    a, b = facts(first), facts(second)
    names = labels or (first["stack"], second["stack"])
    keys = sorted(set(a) | set(b), key=lambda k: (k.startswith("count "), k))
    differing = [key for key in keys if a.get(key) != b.get(key)]
    rows = [
        ["", *names],
        *[[key, a.get(key, "-"), b.get(key, "-")] for key in differing],
    ]
    counts = f"{len(differing)} differ, {len(keys) - len(differing)} the same"
    if not differing:
        return [f"Differences between {names[0]} and {names[1]} ({counts})."]
    return [f"Differences between {names[0]} and {names[1]} ({counts}):", *table(rows)]


def service_routes(graph: Graph) -> dict[str, list[str]]:
    """Service name -> the paths and hosts its listener rule matches (via its target group)."""
    index = Index(graph)
    rule_by_group = {
        action["targetGroupArn"]: rule
        for rule in index.of_type("aws:lb/listenerRule:ListenerRule")
        for action in rule["inputs"].get("actions", [])
        if action.get("targetGroupArn")
    }
    routes = {}
    for service in index.of_type("aws:ecs/service:Service"):
        for attachment in service["inputs"].get("loadBalancers", []):
            rule = rule_by_group.get(attachment.get("targetGroupArn"))
            if rule:
                routes[index.owner(service)] = [
                    value
                    for condition in rule["inputs"].get("conditions", [])
                    for block in condition.values()
                    for value in block.get("values", [])
                ]
    return routes


def routing(graph: Graph) -> list[str]:
    """The routing table: listener, priority, host, path -> target and port of every route."""
    found = routes(graph)
    if not found:
        return ["Routing: no load balancer listeners in this stack."]
    rows = [["listener", "priority", "host", "path", "-> target", "port"]]
    rows += [
        [
            r.listener,
            str(r.priority),
            r.host,
            r.path,
            f"-> {r.target}",
            "-" if r.port is None else str(r.port),
        ]
        for r in found
    ]
    return [
        f"Routing ({len(found)} routes; each listener's rules, lowest priority first, then its default):",
        *table(rows),
    ]


# --- Queues and schedules -------------------------------------------------------------------------

SCHEDULER = "scheduler"
"""The node EventBridge Scheduler's starts come from."""


@dataclass(frozen=True)
class Flow:
    """Work that moves without a network path of its own: a message or a scheduled start."""

    source: str
    destination: str
    label: str


def flows(graph: Graph) -> list[Flow]:
    """Sender -> queue and queue -> consumer, read from the task roles' SQS permissions (what IAM
    really allows), and scheduler -> service for every schedule."""
    index = Index(graph)
    queues = {
        q["outputs"].get("arn"): index.owner(q)
        for q in index.of_type("aws:sqs/queue:Queue")
        if short_type(index.by_urn.get(q.get("parent") or "", {}).get("type", "")) == "Queue"
    }
    found: list[Flow] = []
    for policy in index.of_type("aws:iam/rolePolicy:RolePolicy"):
        document = policy["inputs"].get("policy")
        statements = json.loads(document).get("Statement", []) if isinstance(document, str) else []
        for statement in statements:
            actions = statement.get("Action") or []
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource") or []
            for queue in (
                queues[r] for r in ([resources] if isinstance(resources, str) else resources) if r in queues
            ):
                if "sqs:SendMessage" in actions:
                    found.append(Flow(index.owner(policy), queue, "sends"))
                if "sqs:ReceiveMessage" in actions:
                    found.append(Flow(queue, index.owner(policy), "consumes"))
    for schedule in index.of_type("aws:scheduler/schedule:Schedule"):
        found.append(
            Flow(SCHEDULER, index.owner(schedule), str(schedule["inputs"].get("scheduleExpression")))
        )
    return sorted(set(found), key=lambda flow: (flow.source, flow.destination, flow.label))


def messaging(graph: Graph) -> list[str]:
    """Queues and schedules as lines: who sends, who consumes, what runs when."""
    found = flows(graph)
    if not found:
        return ["Queues and schedules: none."]
    return ["Queues and schedules:", *[f"  {f.source} -> {f.destination}: {f.label}" for f in found]]


# --- Mermaid --------------------------------------------------------------------------------------


def _mermaid_id(name: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def mermaid(graph: Graph) -> str:
    """A flowchart of the stack: internet, edge, services, NAT, cluster and the edges between them."""
    index = Index(graph)
    matrix = exposure_matrix(graph)
    nodes, _ = permissions(graph)
    zones = graph["outputs"].get("availabilityZones", [])
    vpc = index.of_type("aws:ec2/vpc:Vpc")
    nats = index.of_type("aws:ec2/natGateway:NatGateway")
    routes = service_routes(graph)
    lines = ["flowchart LR", f"  {INTERNET}((Internet))"]
    apis = http_apis(graph)
    for node in apis:
        lines.append(f'  {_mermaid_id(node)}["{node}: API Gateway HTTP API<br/>HTTPS, VPC link"]')
    internal = any(b["inputs"].get("internal") for b in index.of_type(LOAD_BALANCER))
    listeners = index.of_type("aws:lb/listener:Listener")
    described = ", ".join(f"{item['inputs']['protocol']} {item['inputs']['port']}" for item in listeners)
    cidr = vpc[0]["inputs"]["cidrBlock"] if vpc else "?"
    lines.append(f'  subgraph vpc["VPC {cidr} in {len(zones)} zones"]')
    lines.append('    subgraph public["public subnets"]')
    if "edge" in nodes and not internal:
        lines.append(f'      {_mermaid_id("edge")}["edge: Application Load Balancer<br/>{described}"]')
    if nats:
        lines.append(f'      nat["NAT gateway x{len(nats)}"]')
    lines.append("    end")
    lines.append('    subgraph private["private subnets"]')
    if "edge" in nodes and internal:
        lines.append(
            f'      {_mermaid_id("edge")}["edge: internal Application Load Balancer<br/>{described}"]'
        )
    groups = index.of_type(AUTO_SCALING_GROUP)
    services = [n for n in nodes if n not in ("edge", "cluster", *apis)]
    if groups and "cluster" in nodes:
        sizes = f"{groups[0]['inputs'].get('minSize')}-{groups[0]['inputs'].get('maxSize')}"
        lines.append(
            f'      {_mermaid_id("cluster")}["cluster: ECS container instances<br/>'
            f'EC2 Auto Scaling group, {sizes}"]'
        )
    kind = "EC2 service" if groups else "Fargate service"
    for service in services:
        target = next(
            (t for t in index.of_type("aws:appautoscaling/target:Target") if index.owner(t) == service), None
        )
        tasks = f"{target['inputs']['minCapacity']}-{target['inputs']['maxCapacity']} tasks" if target else ""
        lines.append(f'      {_mermaid_id(service)}["{service}: {kind}<br/>{tasks}"]')
    lines.append("    end")
    lines.append("  end")
    work = flows(graph)
    for queue in sorted(
        {f.destination for f in work if f.label == "sends"}
        | {f.source for f in work if f.label == "consumes"}
    ):
        lines.append(f'  {_mermaid_id("queue " + queue)}[("{queue}: SQS queue + DLQ")]')
    if any(f.source == SCHEDULER for f in work):
        lines.append(f'  {SCHEDULER}(["EventBridge Scheduler"])')
    for flow in work:
        source = (
            SCHEDULER
            if flow.source == SCHEDULER
            else _mermaid_id(("queue " if flow.label == "consumes" else "") + flow.source)
        )
        dest = _mermaid_id(("queue " if flow.label == "sends" else "") + flow.destination)
        lines.append(f'  {source} -.->|"{flow.label}"| {dest}')
    for (source, dest), ports in sorted(matrix.items()):
        if dest == INTERNET:
            via = "nat" if nats else INTERNET
            lines.append(f"  {_mermaid_id(source)} -->|{', '.join(ports)} out| {via}")
            continue
        label = ", ".join(ports)
        if source == "edge" and routes.get(dest):
            label += " " + " ".join(routes[dest])
        elif source in apis:
            label += " VPC link"
        elif source not in (INTERNET, "edge"):
            label += " Service Connect"
        src = INTERNET if source == INTERNET else _mermaid_id(source)
        lines.append(f"  {src} -->|{label}| {_mermaid_id(dest)}")
    if nats:
        lines.append(f"  nat --> {INTERNET}")
    return "\n".join(lines) + "\n"


# --- Alarms ---------------------------------------------------------------------------------------

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPARISONS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _watched(alarm: Mapping[str, Any]) -> tuple[str, Any]:
    """What an alarm reads (metric and statistic, or the expression over its metrics) and its period."""
    inputs = alarm["inputs"]
    if inputs.get("metricQueries"):
        metrics = [q["metric"] for q in inputs["metricQueries"] if q.get("metric")]
        names = ", ".join(f"{m['metricName']} {m.get('stat')}" for m in metrics)
        return f"math over {names}", metrics[0].get("period") if metrics else "?"
    stat = inputs.get("extendedStatistic") or inputs.get("statistic")
    return f"{inputs.get('namespace')} {inputs.get('metricName')} {stat}", inputs.get("period")


def alarm_rows(graph: Graph) -> list[dict[str, str]]:
    """Every alarm: name, what it reads, threshold, period, and what happens when it fires."""
    index = Index(graph)
    topics = {t["outputs"].get("arn"): t["name"] for t in index.of_type("aws:sns/topic:Topic")}
    rollbacks = {
        name: index.owner(service)
        for service in index.of_type("aws:ecs/service:Service")
        if (service["inputs"].get("alarms") or {}).get("rollback")
        for name in service["inputs"]["alarms"].get("alarmNames", [])
    }
    rows = []
    for alarm in sorted(index.of_type(METRIC_ALARM), key=lambda a: a["inputs"].get("name", a["name"])):
        inputs = alarm["inputs"]
        metric, period = _watched(alarm)
        actions = [f"notify {topics.get(arn, arn)}" for arn in inputs.get("alarmActions", [])]
        name = inputs.get("name", alarm["name"])
        if name in rollbacks:
            actions.append(f"roll back {rollbacks[name]}")
        rows.append(
            {
                "alarm": name,
                "metric": metric,
                "threshold": f"{COMPARISONS.get(inputs.get('comparisonOperator'), '?')} "
                f"{_number(inputs.get('threshold'))}",
                "period": f"{_number(period)}s, {_number(inputs.get('datapointsToAlarm'))} of "
                f"{_number(inputs.get('evaluationPeriods'))}",
                "action": ", ".join(actions) or "none",
            }
        )
    return rows


def notification_targets(graph: Graph) -> list[str]:
    """Where notifications go: each subscription's protocol and endpoint, and the budget alert."""
    index = Index(graph)
    targets = [
        f"{sub['inputs'].get('protocol')}: {sub['inputs'].get('endpoint')}"
        for sub in index.of_type("aws:sns/topicSubscription:TopicSubscription")
    ]
    for budget in index.of_type("aws:budgets/budget:Budget"):
        inputs = budget["inputs"]
        limits = ", ".join(
            f"{n.get('notificationType', '').lower()} > {_number(n.get('threshold'))}%"
            for n in inputs.get("notifications", [])
        )
        targets.append(f"budget: {inputs.get('limitAmount')} {inputs.get('limitUnit')} a month ({limits})")
    return targets


def alarms(graph: Graph) -> list[str]:
    rows = alarm_rows(graph)
    if not rows:
        return ["Alarms: none (webstack:observability.alarms is off for this stack)."]
    keys = ["alarm", "metric", "threshold", "period", "action"]
    lines = [f"Alarms ({len(rows)}):", *table([keys, *[[row[k] for k in keys] for row in rows]])]
    targets = notification_targets(graph)
    lines.append("Notifications go to:")
    lines += [f"  {target}" for target in targets] or [
        "  nobody: add webstack:observability.emails or httpsEndpoints"
    ]
    return lines


# --- Helpers --------------------------------------------------------------------------------------


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for number, row in enumerate(rows):
        out.append(
            "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if number == 0:
            out.append("  " + "  ".join("-" * width for width in widths))
    return out


PLACEHOLDER_MARK = "*"


def invented_values(graph: Graph) -> set[str]:
    """Values the offline engine made up (ids, ARNs, DNS names): resource outputs that no input gave."""
    return {
        value
        for resource in graph["resources"]
        for key, value in (resource.get("outputs") or {}).items()
        if isinstance(value, str) and key != "tagsAll"
    }


def is_placeholder(value: Any, invented: set[str]) -> bool:
    """Whether any text in ``value`` carries a value the offline engine invented."""
    if isinstance(value, Mapping):
        return any(is_placeholder(v, invented) for v in value.values())
    if isinstance(value, list):
        return any(is_placeholder(v, invented) for v in value)
    return isinstance(value, str) and any(made_up in value for made_up in invented)


def outputs(graph: Graph) -> list[str]:
    """The stack outputs; those holding engine-invented values are marked as offline placeholders."""
    invented = invented_values(graph)
    lines = [f"Stack outputs ({PLACEHOLDER_MARK} = {PLACEHOLDER_NOTE}):"]
    for key, value in sorted(graph["outputs"].items()):
        mark = PLACEHOLDER_MARK if is_placeholder(value, invented) else " "
        lines.append(f"{mark} {key} = {json.dumps(value)}")
    return lines


def warnings(graph: Graph) -> list[str]:
    found = graph.get("warnings") or []
    return ["Warnings:", *[f"  ! {w}" for w in found]] if found else ["Warnings: none."]


# --- Front door -----------------------------------------------------------------------------------

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


def _rule_text(rule: Mapping[str, Any]) -> str:
    statement = rule.get("statement") or {}
    if "rateBasedStatement" in statement:
        rate = statement["rateBasedStatement"]
        what = (
            f"at most {int(rate['limit'])} requests per {rate.get('aggregateKeyType', 'IP')} "
            f"per {int(rate.get('evaluationWindowSec', 300))} s"
        )
    else:
        what = "AWS managed rule group"
    override = rule.get("overrideAction") or {}
    action = "count only" if "count" in override else "block"
    return f"{int(rule.get('priority', 0)):>3} {rule.get('name')}: {what}, {action}"


def front_door(graph: Graph) -> list[str]:
    """What serves the stack's names: certificates and their DNS validation, aliases, web ACLs,
    CloudFront paths, and which door the internet comes through to reach what."""
    index = Index(graph)
    certificates = index.of_type(CERTIFICATE)
    acls = index.of_type(WEB_ACL)
    distributions = index.of_type(DISTRIBUTION)
    if not (certificates or acls or distributions):
        if index.of_type(HTTP_API):
            return ["Front door: the API's execute-api URL only (no webstack:domain or static content)."]
        return ["Front door: the load balancer's DNS name only (no webstack:domain, WAF or static content)."]
    lines = ["Front door:"]
    records = index.of_type(RECORD)
    validated = {
        v["inputs"].get("certificateArn"): v["inputs"].get("validationRecordFqdns") or []
        for v in index.of_type(VALIDATION)
    }
    for certificate in certificates:
        inputs = certificate["inputs"]
        names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
        region = inputs.get("region") or graph.get("region")
        fqdns = validated.get(certificate["outputs"].get("arn"), [])
        state = "validated by DNS" if fqdns else "NOT validated"
        lines.append(f"  certificate {', '.join(map(str, names))} ({region}): {state}")
        for record in records:
            if (
                record["inputs"].get("type") == "CNAME"
                and str(record["inputs"].get("name")).rstrip(".") in fqdns
            ):
                lines.append(f"    CNAME {record['inputs']['name']} -> {record['inputs']['records'][0]}")
    targets = {
        **{
            b["outputs"].get("dnsName"): f"load balancer {index.owner(b)}"
            for b in index.of_type(LOAD_BALANCER)
        },
        **{d["outputs"].get("domainName"): f"CloudFront {d['name']}" for d in distributions},
    }
    # A custom domain's regional target is an output of its configuration block (not in the graph's
    # outputs, which keep only keys the inputs lack): an alias for the domain's own host leads to it.
    api_hosts = {
        d["inputs"].get("domainName"): f"API Gateway {index.owner(d)}" for d in index.of_type(API_DOMAIN)
    }
    aliases: dict[tuple[str, str], list[str]] = {}
    for record in records:
        for alias in record["inputs"].get("aliases") or []:
            host = str(record["inputs"]["name"])
            target = api_hosts.get(host) or targets.get(alias.get("name"), str(alias.get("name")))
            key = (host, target)
            aliases.setdefault(key, []).append(str(record["inputs"]["type"]))
    for (host, target), kinds in sorted(aliases.items()):
        lines.append(f"  alias {host} ({', '.join(sorted(kinds))}) -> {target}")
    protected = {
        a["inputs"].get("webAclArn"): a["inputs"].get("resourceArn")
        for a in index.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    }
    for acl in acls:
        arn = acl["outputs"].get("arn")
        on = (
            "the load balancer"
            if protected.get(arn)
            else "CloudFront"
            if any(d["inputs"].get("webAclId") == arn for d in distributions)
            else "nothing (not associated!)"
        )
        lines.append(f"  web ACL {acl['name']} ({acl['inputs'].get('scope')}) on {on}, default allow:")
        lines += [f"    {_rule_text(rule)}" for rule in acl["inputs"].get("rules") or []]
    for distribution in distributions:
        inputs = distribution["inputs"]
        behaviour = inputs.get("defaultCacheBehavior") or {}
        origins = {o.get("originId"): o for o in inputs.get("origins") or []}
        paths = [
            ("/*", behaviour),
            *[(b.get("pathPattern"), b) for b in inputs.get("orderedCacheBehaviors") or []],
        ]
        tls = (inputs.get("viewerCertificate") or {}).get("minimumProtocolVersion")
        hosts = ", ".join(inputs.get("aliases") or [])
        lines.append(f"  CloudFront {hosts}: {behaviour.get('viewerProtocolPolicy')}, {tls}")
        for path, item in paths:
            origin = origins.get(item.get("targetOriginId"), {})
            kind = "S3 bucket via origin access control" if origin.get("originAccessControlId") else "origin"
            lines.append(f"    {path} -> {kind} ({origin.get('domainName')})")
    lines.append("  Doors from the internet:")
    for (host, target), _ in sorted(aliases.items()):
        guarded = any(
            (protected.get(a["outputs"].get("arn")) and target.startswith("load balancer"))
            or (
                target.startswith("CloudFront")
                and any(d["inputs"].get("webAclId") == a["outputs"].get("arn") for d in distributions)
            )
            for a in acls
        )
        lines.append(f"    https://{host} -> {target}{' (behind the web ACL)' if guarded else ''}")
    return lines


def api_gateway(graph: Graph) -> list[str]:
    """The HTTP API: its endpoint, each route with its authorization and throttling, the stage's
    throttling and access logs, and where the VPC link leads."""
    index = Index(graph)
    apis = index.of_type(HTTP_API)
    if not apis:
        return []
    lines = ["API Gateway (HTTP API, the internet's only way in):"]
    for api in apis:
        endpoint = "off (custom domain only)" if api["inputs"].get("disableExecuteApiEndpoint") else "on"
        lines.append(f"  {api['name']}: execute-api endpoint {endpoint}")
    for stage in index.of_type(API_STAGE):
        inputs = stage["inputs"]
        default = inputs.get("defaultRouteSettings") or {}
        per_route = {r.get("routeKey"): r for r in inputs.get("routeSettings") or []}
        lines.append(
            f"  stage {inputs.get('name')}: auto-deploy {inputs.get('autoDeploy')}, throttling burst "
            f"{_number(default.get('throttlingBurstLimit'))} "
            f"rate {_number(default.get('throttlingRateLimit'))}/s"
        )
        logs = inputs.get("accessLogSettings") or {}
        group = next(
            (
                g
                for g in index.of_type("aws:cloudwatch/logGroup:LogGroup")
                if g["outputs"].get("arn") == logs.get("destinationArn")
            ),
            None,
        )
        kms = "KMS-encrypted" if group and group["inputs"].get("kmsKeyId") else "not encrypted"
        lines.append(
            f"  access logs: JSON to {group['name'] if group else logs.get('destinationArn')} ({kms})"
        )
        for route in sorted(index.of_type(API_ROUTE), key=lambda r: str(r["inputs"].get("routeKey"))):
            key = route["inputs"].get("routeKey")
            setting = per_route.get(key) or {}
            auth = route["inputs"].get("authorizationType", "NONE")
            lines.append(
                f"    {key} -> internal load balancer, auth {auth}, burst "
                f"{_number(setting.get('throttlingBurstLimit'))} "
                f"rate {_number(setting.get('throttlingRateLimit'))}/s"
            )
    for link in index.of_type(VPC_LINK):
        lines.append(
            f"  VPC link {link['name']}: {len(link['inputs'].get('subnetIds') or [])} private subnets"
        )
    return lines


def sections(graph: Graph) -> Iterable[list[str]]:
    yield inventory(graph)
    yield outputs(graph)
    yield warnings(graph)
    yield exposure(graph)
    yield front_door(graph)
    yield routing(graph)
    gateway = api_gateway(graph)
    if gateway:
        yield gateway
    yield messaging(graph)
    yield subnets(graph)
    yield alarms(graph)
