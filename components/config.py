"""The one place stack configuration is read, typed and validated.

Everything a stack can set is declared here with its type, default and meaning; the README's config
table mirrors these declarations. Validation happens in two steps, both before any resource exists:

1. :func:`parse_settings` checks everything that needs only the stack file (pure, no AWS calls);
2. :func:`resolve_zones` checks the zones against the ones the region really offers.

Every problem is collected and reported at once, each line naming the full key, the bad value and the
fix, e.g. ``webstack:network.azCount: got 7, but eu-west-1 offers 3 availability zones; use 2 or 3.``
"""

from __future__ import annotations

import difflib
import enum
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from components import cidr

PROJECT = "webstack"
"""The config namespace of this project (``webstack:<key>``)."""


class Environment(enum.StrEnum):
    """Which kind of account a stack deploys to; selects defaults and, for prod, invariants."""

    DEV = "dev"
    PROD = "prod"


class NatMode(enum.StrEnum):
    """How private subnets reach the internet."""

    NONE = "none"
    """No NAT gateway: private subnets reach only the VPC and its endpoints."""
    SINGLE = "single"
    """One NAT gateway in the first zone serves every zone (cheap; one zone's outage cuts egress)."""
    PER_AZ = "per_az"
    """One NAT gateway per zone, each zone routing through its own (highly available)."""


# fmt: off
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
# fmt: on
"""The retention periods CloudWatch Logs accepts (0, "never expire", is deliberately not allowed)."""

DEFAULT_VPC_CIDR = "10.0.0.0/16"
PROD_MIN_ZONES = 2
PROD_MIN_LOG_RETENTION_DAYS = 90
REQUIRED_TAGS = ("Environment", "Project", "ManagedBy")


@dataclass(frozen=True)
class EnvironmentDefaults:
    """The values an environment uses for keys a stack does not set."""

    az_count: int
    nat_mode: NatMode
    flow_log_retention_days: int


ENVIRONMENT_DEFAULTS: dict[Environment, EnvironmentDefaults] = {
    Environment.DEV: EnvironmentDefaults(az_count=2, nat_mode=NatMode.SINGLE, flow_log_retention_days=30),
    Environment.PROD: EnvironmentDefaults(az_count=3, nat_mode=NatMode.PER_AZ, flow_log_retention_days=365),
}


class ConfigError(pulumi.RunError):
    """Invalid stack configuration. Raised before any resource is registered.

    A ``RunError`` makes Pulumi print the message alone, without a Python traceback.
    """

    def __init__(self, stack: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"stack '{stack}' has invalid configuration; nothing was created. Fix these keys in "
            f"Pulumi.{stack}.yaml:\n{lines}"
        )


# --- The schema of `webstack:*` keys --------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class NetworkConfig(_Schema):
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
    flow_log_retention_days: StrictInt | None = Field(
        default=None,
        alias="flowLogRetentionDays",
        description=f"Days VPC flow logs are kept. Default: dev 30, prod 365 (prod needs "
        f"{PROD_MIN_LOG_RETENTION_DAYS}+).",
        json_schema_extra={
            "fix": f"use one of CloudWatch's periods: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        },
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

    @field_validator("flow_log_retention_days")
    @classmethod
    def _known_retention(cls, value: int | None) -> int | None:
        if value is not None and value not in LOG_RETENTION_DAYS:
            raise ValueError("CloudWatch Logs does not offer that retention period")
        return value


class WebstackConfig(_Schema):
    """Every ``webstack:*`` key. A key not declared here is an error."""

    environment: Environment = Field(
        description="dev or prod (required). Selects safe defaults; prod enforces invariants.",
        json_schema_extra={"fix": "set webstack:environment to dev or prod"},
    )
    network: NetworkConfig = Field(
        default_factory=NetworkConfig,
        description="The VPC: see the network.* keys.",
        json_schema_extra={"fix": "make webstack:network an object, e.g. {cidr: 10.0.0.0/16}"},
    )


# --- Resolved settings (what the components receive) --------------------------------------------


@dataclass(frozen=True)
class AwsSettings:
    """The provider settings webstack insists on (read from ``aws:*``, which the provider uses)."""

    region: str
    allowed_account_ids: tuple[str, ...]
    default_tags: Mapping[str, str]
    assume_role_arns: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSettings:
    """The network as validated; zones are resolved later against the region."""

    cidr: ipaddress.IPv4Network
    az_count: int
    availability_zones: tuple[str, ...] | None
    nat_mode: NatMode
    flow_log_retention_days: int


@dataclass(frozen=True)
class StackSettings:
    """All validated settings of one stack."""

    stack: str
    environment: Environment
    aws: AwsSettings
    network: NetworkSettings


# --- Parsing --------------------------------------------------------------------------------------

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")


def _decode(value: Any) -> Any:
    """Stack-file objects and lists reach the program as JSON text; plain strings stay as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known keys are: {', '.join(choices)}"


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _field_for(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel], str | None]:
    """The model and field alias that a pydantic error location points at."""
    current: type[BaseModel] = model
    alias: str | None = None
    for part in loc:
        if not isinstance(part, str):
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        if part not in fields:
            return current, None
        alias = part
        annotation = fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
    return current, alias


def _fix(model: type[BaseModel], alias: str | None) -> str:
    for name, field in model.model_fields.items():
        if (field.alias or name) == alias and isinstance(field.json_schema_extra, dict):
            return str(field.json_schema_extra.get("fix", ""))
    return ""


def _explain(error: Any) -> str:
    """One line for one pydantic error: full key, bad value, reason, fix."""
    loc = [part for part in error["loc"] if isinstance(part, str)]
    key = f"{PROJECT}:{'.'.join(loc)}"
    kind = error["type"]
    if kind == "extra_forbidden":
        owner, _ = _field_for(WebstackConfig, loc[:-1])
        return f"{key}: unknown key; {_did_you_mean(loc[-1], _aliases(owner))}"
    owner, alias = _field_for(WebstackConfig, loc)
    fix = _fix(owner, alias)
    if kind == "missing":
        return f"{key}: missing; {fix}"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("int_type", "int_from_float", "int_parsing"):
        reason = "it must be a whole number"
    elif kind == "enum":
        reason = "that is not one of the allowed values"
    elif kind in ("model_type", "model_attributes_type"):
        reason = "it must be an object"
    elif kind in ("tuple_type", "list_type"):
        reason = "it must be a list"
    elif kind == "string_type":
        reason = "it must be text"
    line = f"{key}: got {json.dumps(error['input'])}, but {reason}"
    already_says_how = any(words in reason for words in ("use ", "did you mean", "leave the key out"))
    return f"{line}; {fix}" if fix and not already_says_how else line


def _parse_webstack(raw: Mapping[str, Any]) -> tuple[WebstackConfig | None, list[str]]:
    document: dict[str, Any] = {}
    problems: list[str] = []
    prefix = f"{PROJECT}:"
    for full_key, value in raw.items():
        if full_key.startswith(prefix):
            document[full_key[len(prefix) :]] = _decode(value)
    try:
        return WebstackConfig.model_validate(document), problems
    except pydantic.ValidationError as error:
        problems.extend(_explain(item) for item in error.errors())
        return None, problems


def _parse_aws(raw: Mapping[str, Any], environment: Environment | None) -> tuple[AwsSettings, list[str]]:
    problems: list[str] = []

    region = raw.get("aws:region")
    if not isinstance(region, str) or not _REGION.match(region):
        shown = "missing" if region is None else f"got {json.dumps(region)}, but it is not an AWS region"
        problems.append(
            f"aws:region: {shown}; set the region this stack deploys to, e.g. aws:region: eu-west-1"
        )
        region = ""

    accounts_raw = _decode(raw.get("aws:allowedAccountIds"))
    accounts: tuple[str, ...] = ()
    if accounts_raw is None:
        problems.append(
            "aws:allowedAccountIds: missing; webstack refuses to run without it so that no stack can "
            "deploy into an account it did not name. Add aws:allowedAccountIds: ['<12-digit id>']"
        )
    elif (
        not isinstance(accounts_raw, list)
        or not accounts_raw
        or not all(isinstance(item, str) and _ACCOUNT_ID.match(item) for item in accounts_raw)
    ):
        problems.append(
            f"aws:allowedAccountIds: got {json.dumps(accounts_raw)}, but it must be a non-empty list of "
            "12-digit account ids written as quoted strings, e.g. ['111111111111']"
        )
    else:
        accounts = tuple(accounts_raw)

    tags: dict[str, str] = {}
    default_tags = _decode(raw.get("aws:defaultTags"))
    tag_map = default_tags.get("tags") if isinstance(default_tags, dict) else None
    if default_tags is None:
        problems.append(
            f"aws:defaultTags: missing; add aws:defaultTags: {{tags: {{...}}}} with "
            f"{', '.join(REQUIRED_TAGS)} so every resource says whose it is"
        )
    elif not isinstance(tag_map, dict) or not all(isinstance(v, str) for v in tag_map.values()):
        problems.append(
            f"aws:defaultTags: got {json.dumps(default_tags)}, but it must be an object "
            f"{{tags: {{...}}}} with text values including {', '.join(REQUIRED_TAGS)}"
        )
    else:
        tags = dict(tag_map)
        missing = [tag for tag in REQUIRED_TAGS if tag not in tags]
        if missing:
            problems.append(
                f"aws:defaultTags.tags: missing {', '.join(missing)}; every stack tags all "
                f"resources with {', '.join(REQUIRED_TAGS)}"
            )
        if environment is not None and "Environment" in tags and tags["Environment"] != environment.value:
            problems.append(
                f"aws:defaultTags.tags.Environment: got {json.dumps(tags['Environment'])}, but "
                f"webstack:environment is '{environment.value}'; make them the same"
            )

    if "aws:assumeRole" in raw:
        problems.append(
            "aws:assumeRole: pulumi-aws 7 rejects this key; use the list form aws:assumeRoles: "
            "[{roleArn: ..., sessionName: ...}]"
        )
    roles = _decode(raw.get("aws:assumeRoles"))
    role_arns: list[str] = []
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(role, dict) for role in roles):
            problems.append(
                f"aws:assumeRoles: got {json.dumps(roles)}, but it must be a list of "
                "{roleArn: ..., sessionName: ...} objects"
            )
        else:
            for index, role in enumerate(roles):
                arn = role.get("roleArn")
                match = _ROLE_ARN.match(arn) if isinstance(arn, str) else None
                if not match:
                    problems.append(
                        f"aws:assumeRoles[{index}].roleArn: got {json.dumps(arn)}, but it "
                        "must be an IAM role ARN such as arn:aws:iam::111111111111:role/deploy"
                    )
                elif accounts and match.group(1) not in accounts:
                    problems.append(
                        f"aws:assumeRoles[{index}].roleArn: got {arn}, but account {match.group(1)} is "
                        f"not in aws:allowedAccountIds {list(accounts)}; assume a role in this "
                        "stack's own account"
                    )
                else:
                    role_arns.append(arn)

    return AwsSettings(region, accounts, tags, tuple(role_arns)), problems


def _network_settings(config: NetworkConfig, environment: Environment) -> tuple[NetworkSettings, list[str]]:
    defaults = ENVIRONMENT_DEFAULTS[environment]
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
    )
    return settings, problems


def parse_settings(raw: Mapping[str, Any], stack: str) -> StackSettings:
    """Validate a stack's raw config (``{"webstack:network": "<json>", "aws:region": ...}``).

    Raises ConfigError listing every problem found.
    """
    webstack, problems = _parse_webstack(raw)
    environment = webstack.environment if webstack else None
    aws, aws_problems = _parse_aws(raw, environment)
    problems.extend(aws_problems)
    if webstack is None:
        raise ConfigError(stack, problems)
    network, network_problems = _network_settings(webstack.network, webstack.environment)
    problems.extend(network_problems)
    if problems:
        raise ConfigError(stack, problems)
    return StackSettings(stack=stack, environment=webstack.environment, aws=aws, network=network)


def resolve_zones(settings: StackSettings, available: Sequence[str]) -> tuple[str, ...]:
    """The zones the network uses, checked against the zones the region offers (in that order)."""
    network = settings.network
    region = settings.aws.region
    offered = sorted(available)
    if network.availability_zones is not None:
        problems = []
        for zone in network.availability_zones:
            if not zone.startswith(region) or len(zone) != len(region) + 1:
                problems.append(
                    f"webstack:network.availabilityZones: got '{zone}', but it is not a zone of the "
                    f"stack's region {region}; use zones from: {', '.join(offered)}"
                )
            elif zone not in offered:
                problems.append(
                    f"webstack:network.availabilityZones: got '{zone}', but {region} does not offer it "
                    f"now; use zones from: {', '.join(offered)}"
                )
        if problems:
            raise ConfigError(settings.stack, problems)
        return network.availability_zones
    usable = [zone for zone in offered if _has_slot(zone)]
    if network.az_count > len(usable):
        lowest = PROD_MIN_ZONES if settings.environment is Environment.PROD else 1
        choices = f"{lowest} or {len(usable)}" if len(usable) - lowest == 1 else f"{lowest} to {len(usable)}"
        raise ConfigError(
            settings.stack,
            [
                f"webstack:network.azCount: got {network.az_count}, but {region} offers "
                f"{len(usable)} availability zones; use {choices}."
            ],
        )
    return tuple(usable[: network.az_count])


def _has_slot(zone: str) -> bool:
    try:
        cidr.zone_slot(zone)
    except ValueError:
        return False
    return True


def raw_config() -> dict[str, Any]:
    """Every config key of the running stack.

    ``pulumi.Config`` can only look keys up, but unknown keys must be errors, so this reads the
    mapping the Pulumi runtime holds: values set by the engine or by mocks, then ``PULUMI_CONFIG``.
    """
    merged: dict[str, Any] = dict(pulumi.runtime.get_config_env())
    merged.update(pulumi.runtime.config.CONFIG.get())
    return merged


def load_settings() -> StackSettings:
    """Read, validate and resolve the running stack's config. Registers no resource."""
    import pulumi_aws as aws

    settings = parse_settings(raw_config(), pulumi.get_stack())
    zones = aws.get_availability_zones(state="available", region=settings.aws.region)
    resolved = resolve_zones(settings, list(zones.names))
    network = NetworkSettings(
        cidr=settings.network.cidr,
        az_count=len(resolved),
        availability_zones=resolved,
        nat_mode=settings.network.nat_mode,
        flow_log_retention_days=settings.network.flow_log_retention_days,
    )
    return StackSettings(settings.stack, settings.environment, settings.aws, network)


__all__ = [
    "ConfigError",
    "Environment",
    "NatMode",
    "NetworkConfig",
    "StackSettings",
    "WebstackConfig",
    "load_settings",
    "parse_settings",
    "resolve_zones",
]
