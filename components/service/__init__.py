"""The Service component (one containerised app on ECS) and its Args types."""

from .args import (
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
)
from .component import Service

__all__ = [
    "Callee",
    "CapacityProviderShare",
    "ContainerHealthCheck",
    "ExtraContainerPort",
    "ImageBuild",
    "OffHoursScaling",
    "QueueAccess",
    "ReleaseTask",
    "Service",
    "ServiceArgs",
    "TaskPolicyStatement",
    "TaskSchedule",
]
