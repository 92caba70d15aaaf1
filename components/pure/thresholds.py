"""When a service's alarms fire (pure Python, no Pulumi imports): the stack schema's
``services.<name>.alarms`` resolves to it and the alarm recipes read it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceThresholds:
    """When a service's alarms fire."""

    error_rate_percent: int
    """Target 5xx as a percentage of requests, in 3 of 5 minutes (a deployment alarm). Required."""
    latency_p99_ms: int
    """p99 target response time in milliseconds, in 3 of 5 minutes. Required."""
    unhealthy_minutes: int
    """Minutes a task may fail health checks before alarming (a deployment alarm). Required."""
    cpu_percent: int
    """Average CPU percentage over 5 minutes. Required."""
    memory_percent: int
    """Average memory percentage over 5 minutes. Required."""
    app_errors_per_5_minutes: int
    """Log lines matching the error pattern in 5 minutes. Required."""
