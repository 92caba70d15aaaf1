"""``webstack:services.<name>.deployment``: how ECS rolls out a new version of a service.

Four strategies of the ECS deployment controller (AWS ECS developer guide: "Amazon ECS blue/green
deployments" deployment-type-blue-green.html, "canary" deployment-type-canary.html, "linear"
deployment-type-linear.html; pulumi-aws 7 ``ecs.Service.deployment_configuration``):

* ``rolling`` replaces tasks in place (100 % min healthy, 200 % max), old and new serve side by side;
* ``blue_green`` starts a full green copy in the alternate target group, reachable on the test
  listener, then moves all production traffic at once and keeps blue for the bake time;
* ``canary`` moves ``canary.percent`` first, waits ``canary.bakeMinutes``, then moves the rest;
* ``linear`` moves ``linear.stepPercent`` every ``linear.stepBakeMinutes``.

The three traffic-shifting strategies need the load balancer's listener rules (a production rule
ECS rewrites, a test rule), so a worker (no port) and a service with extra ports use ``rolling``.
Behind API Gateway (``edge.kind: apigateway``) they work unchanged: the HTTP API's VPC-link
integration targets the internal load balancer's listener, whose rules ECS shifts.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from pydantic import Field, StrictFloat, StrictInt

from stack.schema import Environment, StrictModel
from stack.services.pre_traffic import PreTrafficCheck, PreTrafficCheckConfig, pre_traffic_check_settings

MAX_BAKE_MINUTES = 1440
"""ECS DeploymentConfiguration bakeTimeInMinutes and the step/canary bake times: 0-1440 minutes."""


class Strategy(enum.StrEnum):
    """How a new version reaches production traffic."""

    ROLLING = "rolling"
    BLUE_GREEN = "blue_green"
    CANARY = "canary"
    LINEAR = "linear"

    @property
    def shifts_traffic(self) -> bool:
        """Needs an alternate target group, a test rule and ECS's load-balancer role."""
        return self is not Strategy.ROLLING


class CanaryConfig(StrictModel):
    """``services.<name>.deployment.canary``: the first share of traffic and how long it bakes."""

    percent: StrictFloat | StrictInt = Field(
        default=10,
        ge=0.1,
        le=100,
        description="Share of production traffic the new version gets first (0.1-100, ECS "
        "CanaryConfiguration canaryPercent). Default 10.",
        json_schema_extra={"fix": "use a percentage from 0.1 to 100, e.g. 10"},
    )
    bake_minutes: StrictInt = Field(
        default=5,
        alias="bakeMinutes",
        ge=0,
        le=MAX_BAKE_MINUTES,
        description="Minutes the canary share runs before the rest moves (0-1440, ECS "
        "canaryBakeTimeInMinutes). Default 5.",
        json_schema_extra={"fix": "use minutes from 0 to 1440"},
    )


class LinearConfig(StrictModel):
    """``services.<name>.deployment.linear``: equal steps of traffic at equal intervals."""

    step_percent: StrictFloat | StrictInt = Field(
        default=20,
        alias="stepPercent",
        ge=3,
        le=100,
        description="Share of production traffic moved per step (3-100, ECS LinearConfiguration "
        "stepPercent). Default 20.",
        json_schema_extra={"fix": "use a percentage from 3 to 100, e.g. 20"},
    )
    step_bake_minutes: StrictInt = Field(
        default=2,
        alias="stepBakeMinutes",
        ge=0,
        le=MAX_BAKE_MINUTES,
        description="Minutes between steps (0-1440, ECS stepBakeTimeInMinutes). Default 2.",
        json_schema_extra={"fix": "use minutes from 0 to 1440"},
    )


class DeploymentConfig(StrictModel):
    """``services.<name>.deployment``: the rollout strategy and its knobs."""

    strategy: Strategy | None = Field(
        default=None,
        description="rolling, blue_green, canary or linear. Default: dev rolling; prod blue_green for a "
        "service behind the load balancer (rolling for a worker or a service with extraPorts).",
        json_schema_extra={"fix": "use rolling, blue_green, canary or linear"},
    )
    bake_time_minutes: StrictInt | None = Field(
        default=None,
        alias="bakeTimeMinutes",
        ge=0,
        le=MAX_BAKE_MINUTES,
        description="Minutes the old version stays ready after all traffic moved, while the deployment "
        "alarms can still roll back (0-1440, ECS bakeTimeInMinutes; not with rolling). Default: dev 0, "
        "prod 10.",
        json_schema_extra={"fix": "use minutes from 0 to 1440"},
    )
    canary: CanaryConfig | None = Field(
        default=None,
        description="Canary share and bake time (strategy canary only). Default: 10 % for 5 minutes.",
        json_schema_extra={"fix": "give canary: {percent: 10, bakeMinutes: 5}"},
    )
    linear: LinearConfig | None = Field(
        default=None,
        description="Linear step and interval (strategy linear only). Default: 20 % every 2 minutes.",
        json_schema_extra={"fix": "give linear: {stepPercent: 20, stepBakeMinutes: 2}"},
    )
    pre_traffic_check: PreTrafficCheckConfig | None = Field(
        default=None,
        alias="preTrafficCheck",
        description="A smoke test ECS runs on the test listener before production traffic moves (a Lambda "
        "lifecycle hook; blue_green, canary and linear only). Default: none.",
        json_schema_extra={"fix": "give preTrafficCheck: {path: /healthz, expectStatus: 200}"},
    )


@dataclass(frozen=True)
class DeploymentDefaults:
    """What an environment's services use for deployment keys a stack does not set."""

    strategy: Strategy
    """For a service behind the load balancer; workers and services with extra ports roll."""
    bake_time_minutes: int


DEPLOYMENT_DEFAULTS: dict[Environment, DeploymentDefaults] = {
    Environment.DEV: DeploymentDefaults(strategy=Strategy.ROLLING, bake_time_minutes=0),
    Environment.PROD: DeploymentDefaults(strategy=Strategy.BLUE_GREEN, bake_time_minutes=10),
}


@dataclass(frozen=True)
class Deployment:
    """A service's rollout as resolved: strategy and knobs, environment defaults applied."""

    strategy: Strategy = Strategy.ROLLING
    bake_time_minutes: int = 0
    canary_percent: float = 10.0
    canary_bake_minutes: int = 5
    linear_step_percent: float = 20.0
    linear_step_bake_minutes: int = 2
    pre_traffic_check: PreTrafficCheck | None = None

    @property
    def shifts_traffic(self) -> bool:
        return self.strategy.shifts_traffic


def deployment_settings(
    key: str,
    config: DeploymentConfig,
    routed: bool,
    extra_ports: bool,
    environment: Environment,
    route: tuple[tuple[str, ...], tuple[str, ...], str] = ((), (), "/"),
) -> tuple[Deployment, list[str]]:
    """The service's rollout with its environment's defaults, and every problem of its keys.

    ``routed``: the service has a port and a load-balancer route; ``extra_ports``: it has extraPorts;
    ``route``: its path patterns, host headers and health-check path (what a pre-traffic check requests).
    """
    key = f"{key}.deployment"
    defaults = DEPLOYMENT_DEFAULTS[environment]
    eligible = routed and not extra_ports
    strategy = config.strategy or (defaults.strategy if eligible else Strategy.ROLLING)
    problems: list[str] = []
    if strategy.shifts_traffic and not routed:
        problems.append(
            f"{key}.strategy: got {strategy.value}, but a worker (no port) gets no load-balancer traffic "
            "to shift or test; use rolling, or give the service a port"
        )
    elif strategy.shifts_traffic and extra_ports:
        problems.append(
            f"{key}.strategy: got {strategy.value}, but the service has extraPorts and ECS shifts one "
            "target group per service here; use rolling, or move the extra port to its own service"
        )
    for name, block, wanted in (
        ("canary", config.canary, Strategy.CANARY),
        ("linear", config.linear, Strategy.LINEAR),
    ):
        if block is not None and strategy is not wanted:
            problems.append(
                f"{key}.{name}: set, but the strategy is {strategy.value}; set strategy: {wanted.value} "
                f"or remove {name}"
            )
    if config.bake_time_minutes is not None and not strategy.shifts_traffic:
        problems.append(
            f"{key}.bakeTimeMinutes: got {json.dumps(config.bake_time_minutes)}, but rolling deployments "
            "have no bake time (ECS uses it with blue_green, canary and linear only); remove it or pick "
            "one of those strategies"
        )
    check, check_problems = pre_traffic_check_settings(
        key, config.pre_traffic_check, strategy.value, strategy.shifts_traffic, *route
    )
    problems += check_problems
    canary, linear = config.canary or CanaryConfig(), config.linear or LinearConfig()
    bake = config.bake_time_minutes
    resolved = Deployment(
        strategy=strategy,
        bake_time_minutes=(defaults.bake_time_minutes if bake is None else bake)
        if strategy.shifts_traffic
        else 0,
        canary_percent=float(canary.percent),
        canary_bake_minutes=canary.bake_minutes,
        linear_step_percent=float(linear.step_percent),
        linear_step_bake_minutes=linear.step_bake_minutes,
        pre_traffic_check=check,
    )
    return resolved, problems
