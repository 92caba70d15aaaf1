"""A containerised web app behind an internet-facing load balancer, from webstack's components.

What another team's Pulumi program looks like when it installs the webstack-components distribution
(requirements.txt) instead of forking webstack: no webstack stack files, no ``webstack:`` config, no
stack layer. The values a real program would read from its own config are constants here; the only
config it needs is the provider's ``aws:region``.
"""

import pulumi
import pulumi_aws as aws
from webstack_components.cluster import CapacityStrategy, Cluster, ClusterArgs, ContainerInsights
from webstack_components.encryption import StackKey, StackKeyArgs
from webstack_components.frontdoor import Edge, EdgeArgs, EdgeRoute, TargetHealthCheck
from webstack_components.network import NatMode, Network, NetworkArgs
from webstack_components.service import Service, ServiceArgs

APP = "hello"
PORT = 8080
IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine"
"""A public image that listens on 8080 as a non-root user (any image reference works)."""
TAGS = {"team": "web", "app": APP}
LOG_RETENTION_DAYS = 30

region = aws.get_region().region
# Two zones, known before any resource exists: the network's subnet count must not depend on an Output.
zones = aws.get_availability_zones(state="available").names[:2]

key = StackKey("key", StackKeyArgs(region=region, tags=TAGS))
network = Network(
    "net",
    NetworkArgs(
        cidr="10.20.0.0/16",
        zones=zones,
        nat_mode=NatMode.SINGLE,
        flow_log_retention_days=LOG_RETENTION_DAYS,
        region=region,
        kms_key_arn=key.arn,
        tags=TAGS,
    ),
)
cluster = Cluster(
    "apps",
    ClusterArgs(
        capacity=CapacityStrategy.ON_DEMAND,
        container_insights=ContainerInsights.ENABLED,
        exec_enabled=False,
        exec_log_retention_days=LOG_RETENTION_DAYS,
        kms_key_arn=key.arn,
        tags=TAGS,
    ),
)
edge = Edge(
    "web",
    EdgeArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.public_subnet_ids,
        routes=[EdgeRoute(name=APP, port=PORT, priority=100, health_check=TargetHealthCheck(path="/"))],
        internet_gateway=network.internet_gateway,
        tags=TAGS,
    ),
)
service = Service(
    APP,
    ServiceArgs(
        cluster_arn=cluster.arn,
        cluster_name=cluster.cluster_name,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids,
        region=region,
        kms_key_arn=key.arn,
        image=IMAGE,
        port=PORT,
        desired_count=2,
        min_count=2,
        max_count=4,
        edge_security_group_id=edge.security_group_id,
        target_group_arn=edge.target_group_arns[APP],
        listener_rules=[edge.rules[APP]],
        tags=TAGS,
    ),
)

pulumi.export("url", edge.url)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("clusterName", cluster.cluster_name)
