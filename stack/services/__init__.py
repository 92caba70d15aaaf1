"""``webstack:services``: the schema of each service, its environment defaults, its checks, its routes
and calls, and the resolved :class:`ServiceSettings` (no Pulumi resource SDK here)."""

from stack.services.calls import call_order, service_calls
from stack.services.routes import (
    CATCH_ALL,
    ROUTE_KEY_MAX,
    Route,
    route_config_keys,
    route_key,
    service_routes,
)
from stack.services.schema import (
    SERVICE_DEFAULTS,
    AutoscalingConfig,
    BuildConfig,
    ContainerHealthCheckConfig,
    ExtraPortConfig,
    HealthCheckConfig,
    RoutingConfig,
    ScheduleConfig,
    ServiceConfig,
    ServiceDefaults,
    StatementConfig,
)
from stack.services.settings import ServiceSettings, secret_reach_problems, service_settings

__all__ = [
    "CATCH_ALL",
    "ROUTE_KEY_MAX",
    "SERVICE_DEFAULTS",
    "AutoscalingConfig",
    "BuildConfig",
    "ContainerHealthCheckConfig",
    "ExtraPortConfig",
    "HealthCheckConfig",
    "Route",
    "RoutingConfig",
    "ScheduleConfig",
    "ServiceConfig",
    "ServiceDefaults",
    "ServiceSettings",
    "StatementConfig",
    "call_order",
    "route_config_keys",
    "route_key",
    "secret_reach_problems",
    "service_calls",
    "service_routes",
    "service_settings",
]
