"""One service resolved: ``webstack:services.<name>`` with its environment's defaults applied
(:class:`ServiceSettings`), and every problem of its keys together."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from components.pure import fargate
from components.pure.guardrails import ADMIN_PORTS
from components.pure.naming import reserved_by
from stack.schema import PROD_MIN_LOG_RETENTION_DAYS, PROD_MIN_TASKS, Environment
from stack.services.build import BuildConfig
from stack.services.deployment import Deployment, deployment_settings
from stack.services.release import release_problems
from stack.services.routes import ROUTE_KEY_MAX, Route
from stack.services.schema import SERVICE_DEFAULTS, ExtraPortConfig, ServiceConfig, ServiceDefaults


class ContainerConfig(Protocol):
    """The container keys a service and a job share (``webstack:jobs`` reuses these checks)."""

    @property
    def image(self) -> str | None: ...
    @property
    def build(self) -> BuildConfig | None: ...
    @property
    def environment(self) -> dict[str, str]: ...
    @property
    def secrets(self) -> dict[str, str]: ...
    @property
    def secrets_kms_key_arns(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ServiceSettings:
    """One service as validated: its config plus everything resolved from the environment."""

    name: str
    config: ServiceConfig
    desired_count: int
    min_count: int
    max_count: int
    log_retention_days: int
    route: Route | None
    """Its listener rule; None for a worker (no port)."""
    secret_resource_arns: tuple[str, ...]
    """What the execution role may read: exactly the configured secrets."""
    build_context: Path | None
    """Absolute build context, when the image is built here."""
    extra_routes: tuple[tuple[ExtraPortConfig, Route], ...] = ()
    """Each extra port with its listener rule (target group ``edge-tg-<service>-<port name>``)."""
    called_by: tuple[str, ...] = ()
    """Services that call this one over Service Connect (it then serves its port there)."""
    consumes: str | None = None
    """The queue this service consumes (``webstack:queues.<name>.consumer``), if any."""
    delete_images_with_repository: bool = False
    """dev: destroying the stack deletes the ECR repository with its images; prod keeps them."""
    keep_images: int = 30
    """How many built images the repository keeps: the environment's default (SERVICE_DEFAULTS)."""
    promoted_image: str | None = None
    """A ``build:`` service's image promoted by digest from the first stage (stack/promotion.py): run
    it from this stack's registry instead of building."""
    deployment: Deployment = field(default_factory=Deployment)
    """How a new version reaches traffic (``deployment.*``, environment defaults applied)."""

    @property
    def port(self) -> int | None:
        """The container port; None for a worker (no target group, no route, no HTTP alarms)."""
        return self.config.port

    @property
    def is_worker(self) -> bool:
        """A service without a port: nothing reaches it from the edge."""
        return self.config.port is None


_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def _worker_problems(key: str, config: ServiceConfig) -> list[str]:
    """A worker (no port) has nothing the load balancer could route to or check."""
    if config.port is not None:
        return []
    http_only = {
        "routing": "routing",
        "health_check_path": "healthCheckPath",
        "health_check": "healthCheck",
        "health_check_grace_period": "healthCheckGracePeriod",
        "extra_ports": "extraPorts",
    }
    problems = [
        f"{key}.{alias}: set on a worker (no port), which gets no load balancer route or check; give "
        f"{key}.port for an HTTP service, or remove {alias}"
        for field_name, alias in http_only.items()
        if field_name in config.model_fields_set
    ]
    if config.autoscaling.requests_per_target is not None:
        problems.append(
            f"{key}.autoscaling.requestsPerTarget: set on a worker (no port), which gets no requests; "
            "scale it on cpuTarget or backlogPerTask instead"
        )
    return problems


_ROOT_USERS = ("root", "0")


def _container_problems(key: str, config: ServiceConfig) -> list[str]:
    """Container options ECS would accept but that break the hardening or fail at start."""
    problems = []
    if config.user is not None and config.user.split(":")[0] in _ROOT_USERS:
        problems.append(
            f"{key}.user: got {json.dumps(config.user)}, but webstack never runs containers as root; use "
            "an unprivileged uid such as 10001"
        )
    if config.working_directory is not None and not config.working_directory.startswith("/"):
        problems.append(
            f"{key}.workingDirectory: got {json.dumps(config.working_directory)}, but it must be an "
            "absolute container path such as /srv"
        )
    for index, extra in enumerate(config.extra_ports):
        if extra.port in ADMIN_PORTS:
            problems.append(
                f"{key}.extraPorts[{index}].port: got {extra.port}, an admin port (SSH/RDP) that webstack "
                "never opens, not even to the load balancer; serve it on another port such as 8081"
            )
        route = f"{key.rsplit('.', 1)[-1]}-{extra.name}"
        if len(route) > ROUTE_KEY_MAX:
            problems.append(
                f"{key}.extraPorts[{index}].name: {json.dumps(extra.name)} makes the target group "
                f"edge-tg-{route}, longer than AWS's 32 characters once Pulumi adds its 8-character suffix; "
                f"keep service name + port name within {ROUTE_KEY_MAX - 1} characters"
            )
    ports = [config.port, *(extra.port for extra in config.extra_ports)]
    names = [extra.name for extra in config.extra_ports]
    if config.port is not None and (len(set(ports)) != len(ports) or len(set(names)) != len(names)):
        problems.append(
            f"{key}.extraPorts: got ports {ports} named {names}, but each port and each name must differ "
            "from the others and from port; give each extra port its own number and name"
        )
    for option, value in (("command", config.command), ("entryPoint", config.entry_point)):
        if value is not None and not value:
            problems.append(f"{key}.{option}: got [], but an empty list runs nothing; remove the key")
    return problems


def service_settings(
    name: str, config: ServiceConfig, route: Route | None, environment: Environment, project_root: Path
) -> tuple[ServiceSettings, list[str]]:
    """One service with its environment's defaults applied, and every problem found."""
    defaults = SERVICE_DEFAULTS[environment]
    key = f"webstack:services.{name}"
    problems = _name_problems(key, name, config)
    min_count, max_count, desired, count_problems = _counts(key, config, defaults)
    problems += count_problems
    retention = config.log_retention_days or defaults.log_retention_days
    problems += _worker_problems(key, config)
    problems += _container_problems(key, config)
    problems += release_problems(key, config.release)
    names = [schedule.name for schedule in config.schedules]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{key}.schedules: two schedules are named {duplicate!r}; give each its own name")

    if (config.image is None) == (config.build is None):
        problems.append(
            f"{key}.image: give exactly one of image (a reference such as ghcr.io/org/app:1.2.3) or "
            "build (a Dockerfile context such as {context: app})"
        )
    if config.memory not in fargate.FARGATE_SIZES[config.cpu]:
        problems.append(
            f"{key}.memory: got {config.memory}, but Fargate does not run that with cpu {config.cpu}; "
            f"{fargate.describe_sizes(config.cpu)}"
        )
    problems += environment_problems(key, config)
    resources, secret_problems = secret_resources(key, config)
    problems += secret_problems
    build_context, image_problems = image_settings(key, config, environment, project_root)
    problems += image_problems
    if environment is Environment.PROD:
        problems += _prod_problems(key, min_count, retention)
    deployment, deployment_problems = deployment_settings(
        key,
        config.deployment,
        route is not None,
        bool(config.extra_ports),
        environment,
        (route.path_patterns, route.host_headers, config.health_check_path) if route else ((), (), "/"),
    )
    problems += deployment_problems

    settings = ServiceSettings(
        name=name,
        config=config,
        desired_count=desired,
        min_count=min_count,
        max_count=max_count,
        log_retention_days=retention,
        route=route,
        secret_resource_arns=tuple(resources),
        build_context=build_context,
        delete_images_with_repository=environment is Environment.DEV,
        keep_images=(config.build.keep_images if config.build and config.build.keep_images else None)
        or defaults.keep_images,
        deployment=deployment,
    )
    return settings, problems


def _name_problems(key: str, name: str, config: ServiceConfig) -> list[str]:
    """The service's name must be usable in AWS names and not a component's; its port not an admin port."""
    problems: list[str] = []
    if config.port in ADMIN_PORTS:
        problems.append(
            f"{key}.port: got {config.port}, an admin port (SSH/RDP) that webstack never opens, not even to "
            "the load balancer; serve the app on another port such as 8080"
        )
    if not _SERVICE_NAME.match(name):
        problems.append(
            f"{key}: the name {json.dumps(name)} is not usable in AWS resource names; use 1-16 lowercase "
            "letters, digits and dashes, starting with a letter"
        )
    elif (component := reserved_by(name)) is not None:
        problems.append(
            f"{key}: the name {json.dumps(name)} is reserved: the {component} component's resources are "
            f"named {component}-*, and a service's would collide with them; rename the service "
            f"(e.g. {json.dumps(f'app-{name}'[:16])})"
        )
    return problems


def _counts(key: str, config: ServiceConfig, defaults: ServiceDefaults) -> tuple[int, int, int, list[str]]:
    """minCount, maxCount and desiredCount with the environment's defaults, and their problems."""
    min_count = defaults.min_count if config.min_count is None else config.min_count
    max_count = defaults.max_count if config.max_count is None else config.max_count
    desired = config.desired_count
    if desired is None:
        desired = min(max(defaults.desired_count, min_count), max_count)
    problems: list[str] = []
    if min_count > max_count:
        problems.append(
            f"{key}.minCount: got {min_count}, but maxCount is {max_count}; minCount must not exceed maxCount"
        )
    elif not min_count <= desired <= max_count:
        problems.append(
            f"{key}.desiredCount: got {desired}, but it must lie between minCount {min_count} and "
            f"maxCount {max_count}"
        )
    return min_count, max_count, desired, problems


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@/\s]+)(?P<tail>@)")
"""A URL with a password in its user info, such as ``postgres://user:password@host/db`` (RFC 3986 3.2.1)."""
_SECRET_VALUES = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids (IAM identifiers, unique ID prefixes)
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)
"""Values that are credentials whatever the variable is called."""
REDACTED = "***"


def redact(value: str) -> str:
    """``value`` with its secret part replaced, to quote it in a message (never the secret itself)."""
    redacted = _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}{m['tail']}", value)
    if redacted != value:
        return redacted
    return f"{value[:2]}{REDACTED}" if len(value) > 8 else REDACTED


def environment_problems(key: str, config: ContainerConfig) -> list[str]:
    """Plain variables must have usable names and must not look like secrets, by name or by value."""
    problems: list[str] = []
    for env_name, value in config.environment.items():
        fix = (
            f"store it in Secrets Manager or SSM and map it under {key}.secrets.{env_name} to its ARN instead"
        )
        if not fargate.ENV_NAME.match(env_name):
            problems.append(
                f"{key}.environment.{env_name}: not a valid variable name; use letters, digits, _"
            )
        elif fargate.SECRET_LIKE_NAME.search(env_name):
            problems.append(
                f"{key}.environment.{env_name}: got {json.dumps(redact(value))}, which looks like a secret "
                f"given as plain text; {fix}"
            )
        elif _URL_PASSWORD.search(value):
            problems.append(
                f"{key}.environment.{env_name}: got {json.dumps(redact(value))}, a URL with a password in "
                f"plain text (task definitions are readable by anyone with ecs:Describe*); {fix}, or keep "
                "the URL without the password and map the password alone under secrets"
            )
        elif any(pattern.search(value) for pattern in _SECRET_VALUES):
            problems.append(
                f"{key}.environment.{env_name}: got {json.dumps(REDACTED)}, a credential (an AWS access key "
                f"or a private key) in plain text; {fix}"
            )
    return problems


def secret_reach_problems(
    services: Sequence[ServiceSettings], region: str, accounts: Sequence[str], nat: bool
) -> tuple[list[str], list[str]]:
    """Secrets the tasks cannot read: another region without a NAT, another account without a key
    the tasks may use. Returns (problems, warnings)."""
    problems: list[str] = []
    warnings: list[str] = []
    for service in services:
        key = f"webstack:services.{service.name}"
        key_accounts = {
            arn.split(":")[4] for arn in service.config.secrets_kms_key_arns if arn.count(":") >= 5
        }
        for env_name, arn in service.config.secrets.items():
            parts = arn.split(":")
            if len(parts) < 6 or fargate.secret_resource_arn(arn) is None:
                continue  # secret_resources names the malformed ARN
            secret_region, account = parts[3], parts[4]
            where = f"{key}.secrets.{env_name}"
            if secret_region != region and not nat:
                # The VPC's interface endpoints serve this region only (AWS PrivateLink guide).
                problems.append(
                    f"{where}: got {json.dumps(arn)}, a secret in {secret_region}, but the stack runs in "
                    f"{region} without a NAT gateway, so its tasks reach Secrets Manager and SSM only in "
                    f"{region} through the VPC endpoints; replicate the secret to {region} (aws "
                    "secretsmanager replicate-secret-to-regions) and use the replica's ARN, or use "
                    "natMode single"
                )
            if accounts and account not in accounts:
                if ":secretsmanager:" in arn and account not in key_accounts:
                    # A secret shared across accounts must be encrypted with a customer-managed key
                    # (AWS Secrets Manager guide, auth-and-access_examples_cross).
                    problems.append(
                        f"{where}: got a secret of account {account}, which is not in aws:allowedAccountIds "
                        f"{list(accounts)}; the tasks can read it only if its resource policy allows their "
                        "execution role and it is encrypted with a customer-managed key of that account "
                        f"that allows kms:Decrypt: list that key under {key}.secretsKmsKeyArns"
                    )
                else:
                    warnings.append(
                        f"{where}: a secret of account {account}: its resource policy (and its key's policy) "
                        f"must allow the execution role of {service.name}, or the tasks fail to start"
                    )
    return problems, warnings


def secret_resources(key: str, config: ContainerConfig) -> tuple[list[str], list[str]]:
    """The secrets and parameters the execution role may read (each once), and the secrets' problems."""
    problems: list[str] = []
    resources: list[str] = []
    for env_name, arn in config.secrets.items():
        resource = fargate.secret_resource_arn(arn)
        if not fargate.ENV_NAME.match(env_name):
            problems.append(f"{key}.secrets.{env_name}: not a valid variable name; use letters, digits, _")
        if env_name in config.environment:
            problems.append(f"{key}.secrets.{env_name}: also set in environment; keep it only in secrets")
        if resource is None:
            problems.append(
                f"{key}.secrets.{env_name}: got {json.dumps(arn)}, but it is not a Secrets Manager secret or "
                "SSM parameter ARN; use arn:aws:secretsmanager:<region>:<account>:secret:<name> or "
                "arn:aws:ssm:<region>:<account>:parameter/<name>"
            )
        elif not fargate.is_complete_secret_arn(resource):
            problems.append(
                f"{key}.secrets.{env_name}: got {json.dumps(arn)}, a partial ARN without the 6-character "
                "suffix AWS adds to every secret; IAM matches the full ARN, so the task would be denied at "
                "start. Use the full ARN (aws secretsmanager describe-secret --secret-id NAME --query ARN)"
            )
        elif resource not in resources:
            resources.append(resource)
    for index, key_arn in enumerate(config.secrets_kms_key_arns):
        if not fargate.is_kms_key_arn(key_arn):
            problems.append(
                f"{key}.secretsKmsKeyArns[{index}]: got {json.dumps(key_arn)}, but it is not a KMS key "
                "ARN; use arn:aws:kms:<region>:<account>:key/<key id> (aliases cannot be granted)"
            )
    if config.secrets_kms_key_arns and not any(":secretsmanager:" in arn for arn in resources):
        problems.append(
            f"{key}.secretsKmsKeyArns: set, but the service reads no Secrets Manager secret; remove it"
        )
    return resources, problems


def image_settings(
    key: str, config: ContainerConfig, environment: Environment, project_root: Path
) -> tuple[Path | None, list[str]]:
    """The absolute build context (when the image is built here), and the image's problems."""
    problems: list[str] = []
    if config.image is not None:
        problem = fargate.image_problem(config.image, pinned=environment is Environment.PROD)
        if problem:
            problems.append(f"{key}.image: got {json.dumps(config.image)}, but {problem}")
    build_context = None
    if config.build is not None:
        build_context = (project_root / config.build.context).resolve()
        if not (build_context / config.build.dockerfile).is_file():
            problems.append(
                f"{key}.build.context: got {json.dumps(config.build.context)}, but "
                f"{config.build.dockerfile} is not a file there; point it at a directory with a Dockerfile "
                "(relative to Pulumi.yaml)"
            )
    return build_context, problems


def _prod_problems(key: str, min_count: int, retention: int) -> list[str]:
    """prod runs at least two tasks and keeps its logs at least 90 days."""
    problems: list[str] = []
    if min_count < PROD_MIN_TASKS:
        problems.append(
            f"{key}.minCount: got {min_count}, but prod runs at least {PROD_MIN_TASKS} tasks so one can "
            "fail or deploy while another serves; use 2 or more"
        )
    if retention < PROD_MIN_LOG_RETENTION_DAYS:
        problems.append(
            f"{key}.logRetentionDays: got {retention}, but prod keeps logs at least "
            f"{PROD_MIN_LOG_RETENTION_DAYS} days; use 90 or more"
        )
    return problems
