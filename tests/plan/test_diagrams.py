"""The Mermaid and the PNG diagram draw what the graph holds: every data store, every door from the
internet and every path of the exposure matrix, each as the kind it is and in its tier.

The PNG side reads what the renderer hands Graphviz (the `diagrams` library's dot source, captured
instead of rasterised, so `dot` is not needed): each node's label, icon file and enclosing cluster, and
each edge. The expected kinds come from the graph's own resource types, written out here, not from the
model's tables.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plan import diagram, graph, report
from tests.support.fixture_stacks import EXAMPLE_DEV, FIXTURES

STACKS = graph.stacks(FIXTURES)

ICON_FILES = {
    "rds": "aws/database/rds.png",
    "elasticache": "aws/database/elasticache.png",
    "load-balancer": "aws/network/elb-application-load-balancer.png",
    "fargate": "aws/compute/fargate.png",
    "ec2-service": "aws/compute/elastic-container-service-service.png",
    "container-instances": "aws/compute/ec2-auto-scaling.png",
    "endpoints": "aws/network/endpoint.png",
    "api-gateway": "aws/network/api-gateway.png",
    "vpc-link": "aws/network/privatelink.png",
    "nat": "aws/network/nat-gateway.png",
    "internet": "onprem/network/internet.png",
    "sqs": "aws/integration/simple-queue-service-sqs.png",
    "s3": "aws/storage/simple-storage-service-s3.png",
    "efs": "aws/storage/elastic-file-system-efs.png",
    "lambda": "aws/compute/lambda.png",
    "job": "aws/compute/elastic-container-service-task.png",
    "backup": "aws/storage/backup.png",
    "cloudfront": "aws/network/cloudfront.png",
    "certificate": "aws/security/certificate-manager.png",
    "waf": "aws/security/waf.png",
    "route53": "aws/network/route-53.png",
}
"""Kind -> the AWS icon the PNG must use (resources/<this> in the diagrams package)."""

WORDS = {
    "rds": "RDS PostgreSQL",
    "elasticache": "ElastiCache",
    "load-balancer": "Application Load Balancer",
    "fargate": "Fargate service",
    "ec2-service": "EC2 service",
    "container-instances": "ECS container instances",
    "endpoints": "VPC interface endpoints",
    "api-gateway": "API Gateway HTTP API",
    "vpc-link": "VPC link",
    "nat": "NAT gateway",
    "internet": "Internet",
    "sqs": "SQS queue",
    "s3": "S3 bucket",
    "efs": "EFS file system",
    "lambda": "Lambda function",
    "job": "scheduled ECS task",
    "backup": "AWS Backup vault",
    "cloudfront": "CloudFront",
    "certificate": "ACM certificate",
    "waf": "WAF web ACL",
    "route53": "Route 53",
}
"""Kind -> the words the Mermaid node must say."""


@dataclass
class Drawing:
    nodes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Name -> (the kind's evidence: icon file or label, the tier it is drawn in or None outside)."""
    edges: set[tuple[str, str]] = field(default_factory=set)


def _name(label: str) -> str:
    return (
        "nat"
        if label.startswith("NAT gateway")
        else label.split("\n")[0].split(":")[0].split(" (")[0].strip()
    )


def png_drawing(found: graph.Graph, monkeypatch, tmp_path: Path) -> Drawing:
    """What the PNG renderer hands Graphviz for this graph (rendering replaced by keeping the source)."""
    import diagrams

    sources: list[str] = []

    def keep_source(self) -> None:
        sources.append(self.dot.source)
        Path(self.filename).write_text("")

    monkeypatch.setattr(diagrams.Diagram, "render", keep_source)
    diagram.render_png(found, tmp_path / "stack.png")
    token = re.compile(
        r'^\t*subgraph "cluster_(?P<cluster>[^"]+)" \{$'
        r"|^\t*(?P<close>\})$"
        r'|^\t*"?(?P<edge_from>\w+)"? -> "?(?P<edge_to>\w+)"? \['
        r'|^\t*"?(?P<node>\w+)"? \[label=(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>\S+))'
        r' [^\]]*?image="(?P<image>[^"]+)"',
        re.M | re.S,
    )
    clusters: list[str] = []
    ids: dict[str, str] = {}
    drawing = Drawing()
    for match in token.finditer(sources[0]):
        if match["cluster"]:
            clusters.append(match["cluster"])
        elif match["close"]:
            del clusters[-1:]  # the digraph's own closing brace closes no cluster
        elif match["edge_from"]:
            drawing.edges.add((ids[match["edge_from"]], ids[match["edge_to"]]))
        else:
            name = _name(match["quoted"] or match["bare"])
            ids[match["node"]] = name
            tier = next((c.split()[0] for c in reversed(clusters) if c.endswith(" subnets")), None)
            drawing.nodes[name] = (match["image"], tier)
    return drawing


def mermaid_drawing(found: graph.Graph) -> Drawing:
    """The nodes (label, innermost tier subgraph) and edges of the Mermaid text."""
    drawing = Drawing()
    ids: dict[str, str] = {}
    tiers: list[str] = []
    node = re.compile(r'^\s*(\w+)(?:\(\(|\[\("|\(\["|\[")(.*?)(?:\)\)|"\)\]|"\]\)|"\])$')
    link = re.compile(r"^\s*(\w+) (?:-->|-\.->)(?:\|.*\|)? (\w+)$")
    for line in report.mermaid(found).splitlines():
        if match := re.match(r"^\s*subgraph (\w+)\[", line):
            tiers.append(match[1])
        elif line.strip() == "end":
            tiers.pop()
        elif match := link.match(line):
            drawing.edges.add((ids[match[1]], ids[match[2]]))
        elif match := node.match(line):
            name = "internet" if match[1] == "internet" else _name(match[2])
            ids[match[1]] = name
            drawing.nodes[name] = (match[2], next((t for t in reversed(tiers) if t != "vpc"), None))
    return drawing


def of_type(found: graph.Graph, type_token: str) -> list[dict]:
    return [r for r in found["resources"] if r["type"] == type_token]


def owner(found: graph.Graph, resource: dict) -> str:
    return next(r["name"] for r in found["resources"] if r["urn"] == resource["parent"])


def network_kind(found: graph.Graph, node: str) -> str:
    """What an exposure-matrix node is, from the type of the component it is named after."""
    component = next(
        (r for r in found["resources"] if r["name"] == node and r["type"].startswith("webstack:components:")),
        None,
    )
    if component is None:
        return "endpoints"  # the Network's own groups: the interface endpoints'
    kind = component["type"].rsplit(":", 1)[1]
    if kind == "Service":
        service = next(s for s in of_type(found, "aws:ecs/service:Service") if owner(found, s) == node)
        providers = [s["capacityProvider"] for s in service["inputs"].get("capacityProviderStrategies") or []]
        return "fargate" if all(p.startswith("FARGATE") for p in providers) else "ec2-service"
    return {
        "Edge": "load-balancer",
        "InternalEdge": "load-balancer",
        "Database": "rds",
        "Cache": "elasticache",
        "ApiGateway": "api-gateway",
        "Cluster": "container-instances",
        "VpcFunction": "lambda",
        "Job": "job",
        "Volume": "efs",
        "Backup": "rds",  # its group is where restore tests bring up restored databases
    }[kind]


def expected(found: graph.Graph) -> tuple[dict[str, tuple[str, str | None]], set[tuple[str, str]]]:
    """Name -> (kind, tier) of every data store, door and matrix node; and the edges that must exist."""
    nodes: dict[str, tuple[str, str | None]] = {}
    edges: set[tuple[str, str]] = set()
    for database in of_type(found, "aws:rds/instance:Instance"):
        nodes[owner(found, database)] = ("rds", "isolated")
    for cache in of_type(found, "aws:elasticache/replicationGroup:ReplicationGroup"):
        nodes[owner(found, cache)] = ("elasticache", "isolated")
    for restore_tests in of_type(found, "aws:backup/restoreTestingPlan:RestoreTestingPlan"):
        nodes[owner(found, restore_tests)] = ("rds", "isolated")  # restored databases land there
    for queue in of_type(found, "aws:sqs/queue:Queue"):
        parent = next(r for r in found["resources"] if r["urn"] == queue["parent"])
        if parent["type"] == "webstack:components:Queue":
            nodes[parent["name"]] = ("sqs", None)
    for bucket in of_type(found, "aws:s3/bucket:Bucket"):
        nodes[bucket["name"]] = ("s3", None)
    for distribution in of_type(found, "aws:cloudfront/distribution:Distribution"):
        nodes[distribution["name"]] = ("cloudfront", None)
        edges.add(("internet", distribution["name"]))
    nats = of_type(found, "aws:ec2/natGateway:NatGateway")
    for source, dest in report.exposure_matrix(found):
        for end in (source, dest):
            if end != "internet" and "/" not in end and end not in nodes:
                kind = network_kind(found, end)
                nodes[end] = (kind, None if kind == "api-gateway" else "private")
        edges.add((source, "nat" if dest == "internet" and nats else dest))
    if nats:
        nodes["nat"] = ("nat", "public")
    return nodes, edges


def _tiers_of_placed(found: graph.Graph, nodes: dict[str, tuple[str, str | None]]) -> None:
    """The load balancers' tier is where their subnets are (public, or private when internal)."""
    tier_of = {
        s["outputs"]["id"]: s["inputs"]["tags"]["Tier"] for s in of_type(found, "aws:ec2/subnet:Subnet")
    }
    for balancer in of_type(found, "aws:lb/loadBalancer:LoadBalancer"):
        name = owner(found, balancer)
        if name in nodes:
            nodes[name] = (nodes[name][0], tier_of[balancer["inputs"]["subnets"][0]])


@pytest.mark.parametrize("stack", STACKS)
def test_every_store_door_and_exposure_path_is_drawn_as_what_it_is_in_both_diagrams(
    stack, monkeypatch, tmp_path
):
    found = graph.capture(stack, FIXTURES)
    nodes, edges = expected(found)
    _tiers_of_placed(found, nodes)
    png, chart = png_drawing(found, monkeypatch, tmp_path), mermaid_drawing(found)
    for name, (kind, tier) in nodes.items():
        assert name in png.nodes and name in chart.nodes, f"{name} is not drawn"
        assert png.nodes[name][0].endswith(ICON_FILES[kind]), f"PNG draws {name} as {png.nodes[name][0]}"
        assert WORDS[kind] in chart.nodes[name][0], f"Mermaid draws {name} as {chart.nodes[name][0]}"
        assert png.nodes[name][1] == tier and chart.nodes[name][1] == tier, f"{name} is not in tier {tier}"
    assert edges <= png.edges and edges <= chart.edges


@pytest.mark.parametrize("stack", ["frontdoor-prod", "reference-apigw-ec2"])
def test_the_front_door_is_drawn_outside_the_vpc_with_its_own_icons(stack, monkeypatch, tmp_path):
    found = graph.capture(stack, FIXTURES)
    png, chart = png_drawing(found, monkeypatch, tmp_path), mermaid_drawing(found)
    wanted = {"route53": ("route53", None)}
    for type_token, kind in (
        ("aws:acm/certificate:Certificate", "certificate"),
        ("aws:wafv2/webAcl:WebAcl", "waf"),
        ("aws:apigatewayv2/vpcLink:VpcLink", "vpc-link"),
    ):
        wanted |= {r["name"]: (kind, None) for r in of_type(found, type_token)}
    for name, (kind, tier) in wanted.items():
        assert png.nodes[name][0].endswith(ICON_FILES[kind]) and png.nodes[name][1] == tier
        assert WORDS[kind] in chart.nodes[name][0] and chart.nodes[name][1] == tier
    targets = {
        b["outputs"]["dnsName"]: owner(found, b) for b in of_type(found, "aws:lb/loadBalancer:LoadBalancer")
    }
    targets |= {
        d["outputs"]["domainName"]: d["name"]
        for d in of_type(found, "aws:cloudfront/distribution:Distribution")
    }
    api_hosts = {
        d["inputs"]["domainName"]: owner(found, d)
        for d in of_type(found, "aws:apigatewayv2/domainName:DomainName")
    }
    aliased = {
        ("route53", api_hosts.get(r["inputs"]["name"]) or targets[r["inputs"]["aliases"][0]["name"]])
        for r in of_type(found, "aws:route53/record:Record")
        if r["inputs"].get("aliases")
    }
    assert aliased
    assert (
        {e for e in png.edges if e[0] == "route53"}
        == aliased
        == {e for e in chart.edges if e[0] == "route53"}
    )


def test_new_kinds_are_drawn_by_type_efs_in_the_private_tier_and_buckets_and_vaults_outside(
    monkeypatch, tmp_path
):
    found = dict(graph.capture(EXAMPLE_DEV, FIXTURES))
    private = [
        s["outputs"]["id"]
        for s in of_type(found, "aws:ec2/subnet:Subnet")
        if s["inputs"]["tags"]["Tier"] == "private"
    ]
    top = next(r["parent"] for r in found["resources"] if r["type"] == "webstack:components:Network")
    files = {"type": "webstack:components:FileSystem", "name": "files", "custom": False, "urn": "urn:files"}
    added = [
        files | {"parent": top, "inputs": {}, "options": {}, "outputs": {}},
        *[
            {
                "urn": f"urn:{name}",
                "type": type_token,
                "name": name,
                "parent": parent,
                "custom": True,
                "inputs": inputs,
                "options": {},
                "outputs": {"id": f"{name}-id"},
            }
            for name, type_token, parent, inputs in (
                ("files-efs", "aws:efs/fileSystem:FileSystem", "urn:files", {}),
                *[
                    (f"files-mount-{n}", "aws:efs/mountTarget:MountTarget", "urn:files", {"subnetId": subnet})
                    for n, subnet in enumerate(private)
                ],
                ("uploads", "aws:s3/bucketV2:BucketV2", top, {}),
                ("backups", "aws:backup/vault:Vault", top, {}),
            )
        ],
    ]
    found["resources"] = [*found["resources"], *added]
    png, chart = png_drawing(found, monkeypatch, tmp_path), mermaid_drawing(found)
    for name, kind, tier in (
        ("files", "efs", "private"),
        ("uploads", "s3", None),
        ("backups", "backup", None),
    ):
        assert png.nodes[name][0].endswith(ICON_FILES[kind]) and png.nodes[name][1] == tier
        assert WORDS[kind] in chart.nodes[name][0] and chart.nodes[name][1] == tier


@pytest.mark.skipif(
    not diagram.available(), reason="rasterising needs Graphviz's `dot` (apt-get install graphviz)"
)
def test_a_data_stack_rasterises_with_its_database_and_cache(tmp_path):
    found = graph.capture("data-prod", FIXTURES)
    path = diagram.render_png(found, tmp_path / "data.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
