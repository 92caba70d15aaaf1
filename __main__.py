"""webstack: builds the components the stack's config asks for, and exports what users need.

No resource is declared here; every one lives in a component under ``components/``.
"""

import pulumi

from components.config import load_settings
from components.network import Network, NetworkArgs

settings = load_settings()  # validates everything before any resource is registered
base_tags = {"Stack": settings.stack}

network = Network(
    "webstack",
    NetworkArgs(
        cidr=settings.network.cidr,
        zones=settings.network.availability_zones or (),
        nat_mode=settings.network.nat_mode,
        flow_log_retention_days=settings.network.flow_log_retention_days,
        region=settings.aws.region,
        tags=base_tags,
    ),
)

pulumi.export("environment", settings.environment.value)
pulumi.export("region", settings.aws.region)
pulumi.export("availabilityZones", list(settings.network.availability_zones or ()))
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("natGatewayIds", network.nat_gateway_ids)
pulumi.export("cidrPlan", network.cidr_plan)
