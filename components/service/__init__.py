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

__all__ = [
    "BucketAccess",
    "Callee",
    "CapacityProviderShare",
    "ContainerHealthCheck",
    "DeploymentStrategy",
    "ExtraContainerPort",
    "ImageBuild",
    "OffHoursScaling",
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
