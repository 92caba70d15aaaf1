"""The Cluster component: an ECS cluster on Fargate (or on an EC2 Auto Scaling group) with Container
Insights and logged ECS Exec.

- :mod:`.args`: :class:`ClusterArgs`, with :class:`Ec2CapacityArgs` and :class:`OffHoursArgs`;
- :mod:`.component`: :class:`Cluster`, the cluster, its Service Connect namespace and capacity providers;
- :mod:`.ec2_capacity`: the instances, their Auto Scaling group and its capacity provider.

The off-hours schedule is carried, not built, here: each service scales itself to zero and back on it.
"""

from ..pure.fargate import CapacityStrategy, ContainerInsights
from .args import ClusterArgs, Ec2CapacityArgs, OffHoursArgs
from .component import Cluster
from .ec2_capacity import ec2_provider_name

__all__ = [
    "CapacityStrategy",
    "Cluster",
    "ClusterArgs",
    "ContainerInsights",
    "Ec2CapacityArgs",
    "OffHoursArgs",
    "ec2_provider_name",
]
