"""Facts about Fargate and ECS that validation needs (pure Python, no Pulumi imports)."""

from __future__ import annotations

import enum
import re

# Allowed memory (MiB) for each Fargate CPU size (CPU units), from the ECS task-size table.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def describe_sizes(cpu: int | None = None) -> str:
    """The allowed sizes as text, for error messages: all CPU sizes, or one CPU size's memory."""
    if cpu in FARGATE_SIZES:
        memory = FARGATE_SIZES[cpu]
        if len(memory) > 4:
            step = memory[1] - memory[0]
            return f"cpu {cpu} allows memory {memory[0]} to {memory[-1]} in steps of {step}"
        return f"cpu {cpu} allows memory {', '.join(map(str, memory))}"
    return f"cpu must be one of {', '.join(map(str, FARGATE_SIZES))}"


class CapacityStrategy(enum.StrEnum):
    """How a cluster's tasks are spread over FARGATE and FARGATE_SPOT."""

    ON_DEMAND = "on_demand"
    """Every task on FARGATE."""
    BALANCED = "balanced"
    """A FARGATE base of 2 tasks, the rest split evenly with FARGATE_SPOT."""
    SPOT_PREFERRED = "spot_preferred"
    """3 of 4 tasks on FARGATE_SPOT, no base: cheapest, can lose every task at once (dev only)."""


# (capacity provider, base, weight) per strategy.
CAPACITY_STRATEGIES: dict[CapacityStrategy, tuple[tuple[str, int, int], ...]] = {
    CapacityStrategy.ON_DEMAND: (("FARGATE", 1, 1),),
    CapacityStrategy.BALANCED: (("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 1)),
    CapacityStrategy.SPOT_PREFERRED: (("FARGATE", 0, 1), ("FARGATE_SPOT", 0, 3)),
}


class ContainerInsights(enum.StrEnum):
    """Container Insights level of an ECS cluster (webstack never turns it off)."""

    ENABLED = "enabled"
    """Container Insights with its cluster- and service-level metrics."""
    ENHANCED = "enhanced"
    """Container Insights with enhanced observability: task- and container-level metrics too."""


SECRET_LIKE_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_KEY|API_KEY|PRIVATE_KEY|CREDENTIAL", re.I)
"""Environment variable names that must come from ``secrets``, never plain text."""

EXEC_AGENT_LOG_PATH = "/var/log/amazon/ssm"
"""Where the ECS Exec (SSM) agent writes its logs inside the container."""

EXEC_AGENT_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", EXEC_AGENT_LOG_PATH)
"""Where the ECS Exec (SSM) agent writes on Fargate. With a read-only root filesystem these must be
volumes or the agent does not start (aws/containers-roadmap issue 1359: the workaround mounts exactly
these; AWS's ecs-exec.html says Exec does not support a read-only root filesystem at all, so this is the
community workaround, not a documented setup)."""

EXEC_AGENT_PATHS_EC2 = ("/var/lib/amazon/ssm",)
"""Where the Exec agent writes on EC2 capacity that the ECS agent does not mount itself. The EC2
agent bind-mounts the agent's binaries under ``/ecs-execute-command-<uuid>`` and its log directory
``/var/log/amazon/ssm`` writable (amazon-ecs-agent ``agent/engine/execcmd/manager_init_task_linux.go``,
``addRequiredBindMounts``); a task volume on that path too makes Docker refuse the container
("Duplicate mount point"), and ``/managed-agents`` is only the host's directory there."""

LAUNCH_EC2 = "EC2"


def exec_agent_paths(launch_compatibility: str) -> tuple[str, ...]:
    """The Exec agent's paths a task must mount writable, for ``FARGATE`` or ``EC2`` tasks."""
    return EXEC_AGENT_PATHS_EC2 if launch_compatibility == LAUNCH_EC2 else EXEC_AGENT_PATHS


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_SECRETS_MANAGER_ARN = re.compile(
    r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+)(:.*)?$"
)
_SSM_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[\w/.-]+$")


_SECRET_SUFFIX = re.compile(r":secret:.+-[A-Za-z0-9]{6}$")
_KMS_KEY_ARN = re.compile(
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/mrk-[0-9a-f]{32}$"
)


def is_complete_secret_arn(secret_arn: str) -> bool:
    """Whether a Secrets Manager ARN ends in the 6-character suffix AWS adds to every secret.

    IAM compares the full ARN: a policy naming ``...:secret:db`` does not allow ``...:secret:db-AbCdEf``,
    so a task would be denied at start ("AWS Secrets Manager: Partial ARNs", ECS and Secrets Manager
    docs; AWS advises against secret names ending in a hyphen and six characters for this reason).
    """
    return ":secretsmanager:" not in secret_arn or bool(_SECRET_SUFFIX.search(secret_arn))


def is_kms_key_arn(value: str) -> bool:
    """A KMS key ARN (``arn:aws:kms:<region>:<account>:key/<id>``); aliases cannot be granted."""
    return bool(_KMS_KEY_ARN.match(value))


def secret_resource_arn(value_from: str) -> str | None:
    """The ARN an execution role must be allowed to read for a ``valueFrom``, or None if invalid.

    Secrets Manager references may end in ``:json-key:version-stage:version-id``; IAM wants the secret
    ARN itself.
    """
    match = _SECRETS_MANAGER_ARN.match(value_from)
    if match:
        return match.group(1)
    if _SSM_PARAMETER_ARN.match(value_from):
        return value_from
    return None


def is_wildcard_action(action: str) -> bool:
    """True for ``*``, ``service:*`` and any action with a wildcard: least privilege lists actions."""
    return "*" in action or "?" in action


IMAGE_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-z0-9.-]+(?::\d+)?)/)?(?P<path>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def image_problem(image: str, pinned: bool) -> str | None:
    """Why an image reference is unusable (or, when ``pinned``, mutable), or None."""
    match = IMAGE_REFERENCE.match(image)
    if not match:
        return "it is not an image reference such as registry/name:1.2.3"
    if pinned and not match.group("digest") and match.group("tag") in (None, "latest"):
        return "prod needs an immutable image: a version tag (not latest) or an @sha256 digest"
    return None
