"""The Service component (one containerised app on ECS) and its Args types."""

from .args import (
    BucketAccess,
    Callee,
    CapacityProviderShare,
    ContainerHealthCheck,
    ExtraContainerPort,
    ImageBuild,
    OffHoursScaling,
    QueueAccess,
    ReleaseTask,
    ServiceArgs,
    TaskPolicyStatement,
    TaskSchedule,
    VolumeMount,
)
from .component import Service
from .deployment import DeploymentStrategy, ServiceDeployment, TrafficShift
from .pre_traffic import PreTrafficCheck

__all__ = [
    "BucketAccess",
    "Callee",
    "CapacityProviderShare",
    "ContainerHealthCheck",
    "DeploymentStrategy",
    "ExtraContainerPort",
    "ImageBuild",
    "OffHoursScaling",
    "PreTrafficCheck",
    "QueueAccess",
    "ReleaseTask",
    "Service",
    "ServiceArgs",
    "ServiceDeployment",
    "TaskPolicyStatement",
    "TaskSchedule",
    "TrafficShift",
    "VolumeMount",
]
