"""The Network component: a VPC with a public and a private subnet in each zone (and an isolated one
for data stores when asked), NAT, the S3 gateway endpoint, interface endpoints and flow logs.

Built from ``pulumi_aws`` resources (not ``awsx.ec2.Vpc``) so that every subnet, route and
association is a resource of its own that tests and the offline plan can see.

- :mod:`.args`: :class:`NetworkArgs`, what it builds;
- :mod:`.component`: :class:`Network`, the VPC, subnets, routes and NAT gateways;
- :mod:`.endpoints`: the S3 gateway endpoint and the interface endpoints;
- :mod:`.flow_logs`: the VPC flow log, its log group and its role.
"""

from ..pure.nat import NatMode
from ..security_groups import security_group_path
from .args import NetworkArgs
from .component import Network

__all__ = ["NatMode", "Network", "NetworkArgs", "security_group_path"]
