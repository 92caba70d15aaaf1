"""Facts about EC2 instance types that validating ECS-on-EC2 capacity needs (pure, no Pulumi imports)."""

from __future__ import annotations

import enum
import re


class Architecture(enum.StrEnum):
    """The CPU architecture of the instances (and so of every task's image)."""

    X86_64 = "x86_64"
    ARM64 = "arm64"


IMAGE_PLATFORMS = {Architecture.X86_64: "linux/amd64", Architecture.ARM64: "linux/arm64"}
"""The ``build.platform`` an image needs to run on each architecture."""

AMI_PARAMETERS = {
    Architecture.X86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    Architecture.ARM64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}
"""Public SSM parameters naming the current ECS-optimized Amazon Linux 2023 AMI (AWS ECS
``retrieve-ecs-optimized_AMI.html``): never a pinned AMI id."""

INSTANCE_TYPE = re.compile(
    r"^(?P<family>(?P<series>[a-z]+)(?P<generation>\d+)(?P<options>[a-z-]*))\.(?P<size>[a-z0-9]+)$"
)
"""AWS's naming pattern: series letters, generation digit(s), option letters, a dot, a size
(``m7g.large``, ``c6gn.xlarge``, ``g5.2xlarge``, ``m7i-flex.large``)."""

ARM_ONLY_FAMILIES = frozenset({"a1"})
"""Graviton families whose name has no ``g`` option letter (first-generation Graviton)."""


def instance_type_problem(instance_type: str) -> str | None:
    """Why a string is not an EC2 instance type name, or None."""
    if not INSTANCE_TYPE.match(instance_type):
        return (
            "it does not follow AWS's instance type pattern <family><generation><options>.<size>, "
            "e.g. m7g.large"
        )
    return None


def architecture_of(instance_type: str) -> Architecture:
    """Graviton families carry a ``g`` among the option letters after the generation (m7g, c6gn,
    r7gd, t4g, x2gd, im4gn; a1 too): they are arm64. Everything else (m7i, c7a, g5 GPUs) is x86_64."""
    match = INSTANCE_TYPE.match(instance_type)
    if match is None:
        return Architecture.X86_64
    if match.group("family") in ARM_ONLY_FAMILIES or "g" in match.group("options"):
        return Architecture.ARM64
    return Architecture.X86_64
