"""``webstack:observability`` and ``webstack:services.<name>.alarms``: the schema of alarms, their
notifications and the budget alert, the environment defaults and the checks.

The Notifications and Observability components (:mod:`components.observability`) take plain Args;
:mod:`stack.wiring.foundation` and :mod:`stack.wiring.observability` turn the settings resolved here
into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from components.pure.thresholds import ServiceThresholds
from stack.schema import Environment, StrictModel

DEFAULT_APP_ERROR_PATTERN = "?ERROR ?Error ?Exception"
"""CloudWatch Logs filter pattern: any line containing one of these terms."""

# --- Config: `webstack:services.<name>.alarms` ----------------------------------------------------


class ServiceAlarmsConfig(StrictModel):
    """``services.<name>.alarms``: when the service's alarms fire."""

    error_rate_percent: StrictInt = Field(
        default=5,
        alias="errorRatePercent",
        ge=1,
        le=100,
        description="Target 5xx as % of requests, in 3 of 5 minutes. Default 5. A deployment alarm.",
        json_schema_extra={"fix": "use a percentage from 1 to 100"},
    )
    latency_p99_ms: StrictInt = Field(
        default=2000,
        alias="latencyP99Ms",
        ge=10,
        le=60000,
        description="p99 target response time in ms, in 3 of 5 minutes. Default 2000.",
        json_schema_extra={"fix": "use milliseconds from 10 to 60000"},
    )
    unhealthy_minutes: StrictInt = Field(
        default=3,
        alias="unhealthyMinutes",
        ge=1,
        le=60,
        description="Minutes a task may fail health checks before alarming. Default 3. A deployment alarm.",
        json_schema_extra={"fix": "use minutes from 1 to 60"},
    )
    cpu_percent: StrictInt = Field(
        default=85,
        alias="cpuPercent",
        ge=10,
        le=100,
        description="Average CPU % over 5 minutes. Default 85.",
        json_schema_extra={"fix": "use a percentage from 10 to 100"},
    )
    memory_percent: StrictInt = Field(
        default=85,
        alias="memoryPercent",
        ge=10,
        le=100,
        description="Average memory % over 5 minutes. Default 85.",
        json_schema_extra={"fix": "use a percentage from 10 to 100"},
    )
    app_errors_per_5_minutes: StrictInt = Field(
        default=10,
        alias="appErrorsPer5Minutes",
        ge=1,
        description="Log lines matching the error pattern in 5 minutes. Default 10.",
        json_schema_extra={"fix": "use a whole number of lines, e.g. 10"},
    )

    def thresholds(self) -> ServiceThresholds:
        return ServiceThresholds(
            error_rate_percent=self.error_rate_percent,
            latency_p99_ms=self.latency_p99_ms,
            unhealthy_minutes=self.unhealthy_minutes,
            cpu_percent=self.cpu_percent,
            memory_percent=self.memory_percent,
            app_errors_per_5_minutes=self.app_errors_per_5_minutes,
        )


# --- Config: `webstack:observability` -------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BudgetConfig(StrictModel):
    """``observability.budget``: a monthly cost alert for the whole account, to the alarm topic."""

    monthly_limit_usd: StrictInt = Field(
        alias="monthlyLimitUsd",
        ge=1,
        description="The account's expected monthly cost in USD (required).",
        json_schema_extra={"fix": "give the monthly amount in whole USD, e.g. 500"},
    )
    threshold_percent: StrictInt = Field(
        default=80,
        alias="thresholdPercent",
        ge=1,
        le=1000,
        description="Alert when actual cost passes this % of the limit (and when the forecast passes "
        "100%). Default 80.",
        json_schema_extra={"fix": "use a percentage from 1 to 1000"},
    )


class ObservabilityConfig(StrictModel):
    """``webstack:observability``: alarms, who hears about them, and the optional budget alert."""

    alarms: StrictBool | None = Field(
        default=None,
        description="Create alarms, deployment alarms and the alarm topic. Default: dev false, prod true "
        "(prod cannot turn them off).",
        json_schema_extra={"fix": "use true or false"},
    )
    emails: tuple[StrictStr, ...] = Field(
        default=(),
        description="Email addresses subscribed to the alarm topic (each confirms once by email).",
        json_schema_extra={"fix": "list addresses, e.g. [oncall@example.com]"},
    )
    https_endpoints: tuple[StrictStr, ...] = Field(
        default=(),
        alias="httpsEndpoints",
        description="HTTPS endpoints (chat tools, incident managers) subscribed to the alarm topic.",
        json_schema_extra={"fix": "list https:// URLs"},
    )
    app_error_pattern: StrictStr = Field(
        default=DEFAULT_APP_ERROR_PATTERN,
        alias="appErrorPattern",
        min_length=1,
        max_length=1024,
        description=f"CloudWatch Logs filter pattern counted as application errors in every service's logs. "
        f"Default '{DEFAULT_APP_ERROR_PATTERN}'.",
        json_schema_extra={"fix": "use a CloudWatch Logs filter pattern, e.g. '?ERROR ?Exception'"},
    )
    budget: BudgetConfig | None = Field(
        default=None,
        description="Monthly AWS Budgets alert for the account, to the alarm topic. Default: off.",
        json_schema_extra={"fix": "give budget: {monthlyLimitUsd: 500}"},
    )

    @field_validator("emails")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an email address; use name@example.com")
        if len(set(value)) != len(value):
            raise ValueError("an address is listed twice")
        return value

    @field_validator("https_endpoints")
    @classmethod
    def _https_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not re.match(r"^https://[^\s/]+", url):
                raise ValueError(f"{url!r} is not an https:// URL; alarms leave the account over TLS only")
        if len(set(value)) != len(value):
            raise ValueError("an endpoint is listed twice")
        return value


@dataclass(frozen=True)
class BudgetSettings:
    monthly_limit_usd: int
    threshold_percent: int


@dataclass(frozen=True)
class ObservabilitySettings:
    """Observability as validated, environment defaults applied."""

    alarms: bool
    emails: tuple[str, ...]
    https_endpoints: tuple[str, ...]
    app_error_pattern: str
    budget: BudgetSettings | None

    @property
    def topic(self) -> bool:
        """Whether the stack has an alarm topic (alarms or the budget alert publish to it)."""
        return self.alarms or self.budget is not None


ALARMS_DEFAULT = {Environment.DEV: False, Environment.PROD: True}
"""Dev is for breaking things: alarms (and rollbacks on them) are opt-in there; prod always has them."""


def observability_settings(
    config: ObservabilityConfig, environment: Environment
) -> tuple[ObservabilitySettings, list[str]]:
    """Observability with its environment's defaults applied, and every problem found."""
    problems = []
    enabled = ALARMS_DEFAULT[environment] if config.alarms is None else config.alarms
    if environment is Environment.PROD and not enabled:
        problems.append(
            "webstack:observability.alarms: got false, but prod must tell someone when it breaks and roll "
            "back deployments that fail; remove the key or set it to true"
        )
    if not enabled and (config.emails or config.https_endpoints) and config.budget is None:
        problems.append(
            "webstack:observability.emails: subscriptions are set, but alarms are off and no budget alert "
            "is on, so nothing would ever be sent; set webstack:observability.alarms: true"
        )
    budget = config.budget
    settings = ObservabilitySettings(
        alarms=enabled,
        emails=config.emails,
        https_endpoints=config.https_endpoints,
        app_error_pattern=config.app_error_pattern,
        budget=BudgetSettings(budget.monthly_limit_usd, budget.threshold_percent) if budget else None,
    )
    return settings, problems


__all__ = [
    "ALARMS_DEFAULT",
    "DEFAULT_APP_ERROR_PATTERN",
    "BudgetConfig",
    "BudgetSettings",
    "ObservabilityConfig",
    "ObservabilitySettings",
    "ServiceAlarmsConfig",
    "observability_settings",
]
