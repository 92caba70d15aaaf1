"""``webstack:network``: the schema of the VPC section, its environment defaults and its checks.

The Network component (:mod:`components.network`) takes plain Args; :mod:`stack.wiring.foundation`
turns the :class:`NetworkSettings` resolved here into them.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from components.pure import cidr
from components.pure.nat import NatMode
from stack.schema import (
    PROD_MIN_LOG_RETENTION_DAYS,
    PROD_MIN_ZONES,
    RETENTION_FIX,
    Environment,
    RetentionDays,
    StrictModel,
)

DEFAULT_VPC_CIDR = "10.0.0.0/16"


@dataclass(frozen=True)
class NetworkDefaults:
    """The values an environment's network uses for keys a stack does not set."""

    az_count: int
    nat_mode: NatMode
    flow_log_retention_days: int


NETWORK_DEFAULTS: dict[Environment, NetworkDefaults] = {
    Environment.DEV: NetworkDefaults(az_count=2, nat_mode=NatMode.SINGLE, flow_log_retention_days=30),
    Environment.PROD: NetworkDefaults(az_count=3, nat_mode=NatMode.PER_AZ, flow_log_retention_days=365),
}


class NetworkConfig(StrictModel):
    """``webstack:network``: the VPC and its subnets."""

    cidr: StrictStr = Field(
        default=DEFAULT_VPC_CIDR,
        description=f"IPv4 CIDR of the VPC, a private range from /16 to /{cidr.MAX_VPC_PREFIX}. "
        f"Default {DEFAULT_VPC_CIDR}.",
        json_schema_extra={"fix": "use a private range such as 10.0.0.0/16"},
    )
    az_count: StrictInt | None = Field(
        default=None,
        alias="azCount",
        description="How many availability zones to use. Default: dev 2, prod 3 (prod needs 2+).",
        json_schema_extra={"fix": "use a whole number such as 3"},
    )
    availability_zones: tuple[StrictStr, ...] | None = Field(
        default=None,
        alias="availabilityZones",
        description="Explicit zone names (e.g. [eu-west-1a, eu-west-1b]). Default: the first "
        "azCount zones the region offers.",
        json_schema_extra={"fix": "list zone names of the stack's region, e.g. [eu-west-1a, eu-west-1b]"},
    )
    nat_mode: NatMode | None = Field(
        default=None,
        alias="natMode",
        description="none | single | per_az. Default: dev single, prod per_az (prod requires per_az).",
        json_schema_extra={"fix": "use one of none, single, per_az"},
    )
    interface_endpoints: StrictBool = Field(
        default=False,
        alias="interfaceEndpoints",
        description=(
            "Interface VPC endpoints for what private tasks call: ECR (api, dkr), CloudWatch Logs, and "
            "Secrets Manager (secrets, databases, caches), SSM, SQS (queues), SSM Messages and KMS (ECS "
            "Exec) and the ECS agent's (EC2 capacity) when the stack uses them. Default false. Required "
            "with natMode none when the stack runs services (they could not pull images otherwise)."
        ),
        json_schema_extra={"fix": "use true or false"},
    )
    flow_log_retention_days: RetentionDays | None = Field(
        default=None,
        alias="flowLogRetentionDays",
        description=f"Days VPC flow logs are kept. Default: dev 30, prod 365 (prod needs "
        f"{PROD_MIN_LOG_RETENTION_DAYS}+).",
        json_schema_extra={"fix": RETENTION_FIX},
    )

    @field_validator("cidr")
    @classmethod
    def _valid_vpc_cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as error:
            if "has host bits set" in str(error):
                suggestion = ipaddress.IPv4Network(value, strict=False)
                raise ValueError(f"it has host bits set; did you mean {suggestion}?") from None
            raise ValueError("it is not an IPv4 CIDR such as 10.0.0.0/16") from None
        if not network.is_private:
            raise ValueError("it is not a private (RFC 1918) range")
        problem = cidr.vpc_prefix_problem(network)
        if problem:
            raise ValueError(f"{problem}; use a prefix from /{cidr.MIN_VPC_PREFIX} to /{cidr.MAX_VPC_PREFIX}")
        return value

    @field_validator("az_count")
    @classmethod
    def _positive_zone_count(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= cidr.MAX_ZONE_SLOTS:
            raise ValueError(f"it must be from 1 to {cidr.MAX_ZONE_SLOTS}")
        return value

    @field_validator("availability_zones")
    @classmethod
    def _distinct_zones(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("the list is empty; leave the key out to use the region's zones")
        if len(set(value)) != len(value):
            raise ValueError("a zone is listed twice")
        for zone in value:
            cidr.zone_slot(zone)  # raises ValueError naming the zone
        return value


@dataclass(frozen=True)
class NetworkSettings:
    """The network as validated; zones are resolved later against the region."""

    cidr: ipaddress.IPv4Network
    az_count: int
    availability_zones: tuple[str, ...] | None
    nat_mode: NatMode
    flow_log_retention_days: int
    interface_endpoints: bool = False


def network_settings(config: NetworkConfig, environment: Environment) -> tuple[NetworkSettings, list[str]]:
    """The network with its environment's defaults applied, and every problem found."""
    defaults = NETWORK_DEFAULTS[environment]
    problems: list[str] = []
    zones = config.availability_zones
    az_count = config.az_count
    if zones is not None and az_count is not None and az_count != len(zones):
        problems.append(
            f"webstack:network.azCount: got {az_count}, but availabilityZones lists {len(zones)} "
            "zone(s); set one of the two, not both"
        )
    if az_count is None:
        az_count = len(zones) if zones is not None else defaults.az_count
    nat_mode = config.nat_mode or defaults.nat_mode
    retention = config.flow_log_retention_days or defaults.flow_log_retention_days

    if environment is Environment.PROD:
        if az_count < PROD_MIN_ZONES:
            problems.append(
                f"webstack:network.azCount: got {az_count}, but prod needs at least {PROD_MIN_ZONES} "
                "availability zones to survive a zone outage; use 2 or more (default 3)"
            )
        if nat_mode is not NatMode.PER_AZ:
            problems.append(
                f"webstack:network.natMode: got '{nat_mode.value}', but prod must use 'per_az' so that "
                "losing one zone does not cut every zone's egress; use per_az (the prod default)"
            )
        if retention < PROD_MIN_LOG_RETENTION_DAYS:
            problems.append(
                f"webstack:network.flowLogRetentionDays: got {retention}, but prod keeps flow logs at "
                f"least {PROD_MIN_LOG_RETENTION_DAYS} days for incident response; use 90 or more"
            )
    settings = NetworkSettings(
        cidr=ipaddress.IPv4Network(config.cidr),
        az_count=az_count,
        availability_zones=zones,
        nat_mode=nat_mode,
        flow_log_retention_days=retention,
        interface_endpoints=config.interface_endpoints,
    )
    return settings, problems


ENDPOINTS_ALWAYS = ("ecr.api", "ecr.dkr", "logs")
"""What every private task calls: image manifests and tokens, image layers' registry, its log driver
(layers themselves come through the free S3 gateway endpoint). AWS ECS docs, "Amazon ECS interface VPC
endpoints (AWS PrivateLink)"."""


ENDPOINTS_EC2_CAPACITY = ("ecs", "ecs-agent", "ecs-telemetry")
"""What the ECS agent on EC2 container instances calls (Fargate's agent needs none of them): AWS ECS
``vpc-endpoints.html``."""


ENDPOINTS_EXEC = ("ssmmessages", "kms")
"""ECS Exec's channels, and KMS: the cluster encrypts every Exec session with the stack key, and "if
you are using interface Amazon VPC endpoints with Amazon ECS, and you are using AWS KMS key for
encryption, then you must create the interface Amazon VPC endpoint for AWS KMS" (AWS ECS ecs-exec.html,
considerations)."""


ENDPOINTS_PRE_TRAFFIC_CHECKS = ("ec2",)
"""What a pre-traffic check on an internet-facing load balancer calls from a private subnet: EC2's
DescribeNetworkInterfaces, for the load balancer's private addresses (components/service/pre_traffic.py)."""

ENDPOINTS_RESTORE_TESTS = ("backup", "rds", "sns")
"""What the restore tests' validation function calls from a private subnet: PutRestoreValidationResult,
DescribeDBInstances and Publish (AWS Backup, RDS and SNS all offer interface endpoints)."""


def endpoint_services(
    secret_arns: Iterable[str],
    exec_enabled: bool,
    ec2_capacity: bool = False,
    queues: bool = False,
    data_store_secrets: bool = False,
    restore_tests: bool = False,
    public_pre_traffic_checks: bool = False,
) -> tuple[str, ...]:
    """The interface endpoints private tasks need, given the secrets they read, ECS Exec, whether
    they run on EC2 container instances, whether they send to or consume queues (the app calls SQS),
    and whether they use a database or cache (whose credentials ECS reads from Secrets Manager).

    Not needed: EventBridge Scheduler and Application Auto Scaling call ECS from AWS's side; tasks get
    credentials from the ECS agent's endpoint, not STS; RDS and ElastiCache are reached in the VPC.
    Restore tests' validation function calls AWS Backup, RDS (to find the restored database) and SNS; a
    pre-traffic check on an internet-facing load balancer calls EC2 (its network interfaces)."""
    arns = list(secret_arns)
    return (
        *ENDPOINTS_ALWAYS,
        *(ENDPOINTS_EC2_CAPACITY if ec2_capacity else ()),
        *(
            ("secretsmanager",)
            if data_store_secrets or any(":secretsmanager:" in arn for arn in arns)
            else ()
        ),
        *(("ssm",) if any(":ssm:" in arn for arn in arns) else ()),
        *(ENDPOINTS_EXEC if exec_enabled else ()),
        *(("sqs",) if queues else ()),
        *(ENDPOINTS_RESTORE_TESTS if restore_tests else ()),
        *(ENDPOINTS_PRE_TRAFFIC_CHECKS if public_pre_traffic_checks else ()),
    )


def network_problems_with_services(
    settings: NetworkSettings, service_count: int, load_balanced_count: int
) -> list[str]:
    """What the network cannot do for the stack's services (checked with the whole stack's config)."""
    if not service_count:
        return []
    problems = []
    if load_balanced_count and settings.az_count < 2:
        problems.append(
            f"webstack:network.azCount: got {settings.az_count}, but the stack runs services behind an "
            "Application Load Balancer, which needs subnets in at least 2 availability zones; use 2 or more"
        )
    if settings.nat_mode is NatMode.NONE and not settings.interface_endpoints:
        problems.append(
            "webstack:network.natMode: got 'none', but the stack runs services and without NAT their "
            "tasks can reach AWS only through VPC endpoints (to pull images, write logs, read secrets); "
            "set webstack:network.interfaceEndpoints: true, or use natMode single or per_az"
        )
    return problems


_PRIVATE_ECR = re.compile(r"^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/")


def image_reach_problems(
    settings: NetworkSettings, region: str, images: Mapping[str, str | None]
) -> list[str]:
    """Without NAT, tasks pull only from private ECR in the stack's region, through the ecr.api/ecr.dkr
    endpoints: "VPC endpoints currently don't support Amazon ECR Public repositories" (AWS ECR guide,
    vpc-endpoints.html), and Docker Hub, GHCR or another region's ECR are on the internet. ``images``:
    service -> configured image reference, or None when webstack builds it into the stack's own ECR."""
    if settings.nat_mode is not NatMode.NONE:
        return []
    problems = []
    for service, image in images.items():
        match = _PRIVATE_ECR.match(image or "")
        if image is None or (match is not None and match.group(1) == region):
            continue
        problems.append(
            f"webstack:services.{service}.image: got {json.dumps(image)}, but with natMode none tasks "
            f"reach no registry on the internet, only private ECR in {region} through the VPC endpoints; "
            f"build it here (webstack:services.{service}.build), copy it into a private ECR repository "
            f"in {region} (e.g. with a pull-through cache rule), or use natMode single"
        )
    return problems


__all__ = [
    "DEFAULT_VPC_CIDR",
    "ENDPOINTS_ALWAYS",
    "ENDPOINTS_EC2_CAPACITY",
    "NETWORK_DEFAULTS",
    "NatMode",
    "NetworkConfig",
    "NetworkDefaults",
    "NetworkSettings",
    "endpoint_services",
    "image_reach_problems",
    "network_problems_with_services",
    "network_settings",
]
