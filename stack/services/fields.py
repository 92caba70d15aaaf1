"""Annotated field types the services' and jobs' sections share: each runs one check of a pure helper
and raises its message as the field's error (key, value and fix come from the section's error format)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictInt, StrictStr

from components.pure import fargate, schedules


def _schedule_expression(value: str) -> str:
    problem = schedules.expression_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _iana_zone(value: str) -> str:
    problem = schedules.timezone_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _fargate_size(value: int) -> int:
    if value not in fargate.FARGATE_SIZES:
        raise ValueError(f"it is not a Fargate size; {fargate.describe_sizes()}")
    return value


ScheduleExpression = Annotated[StrictStr, AfterValidator(_schedule_expression)]
"""An EventBridge Scheduler cron() or rate() expression (services' schedules and jobs)."""
TimeZoneName = Annotated[StrictStr, AfterValidator(_iana_zone)]
"""An IANA time zone a cron expression is read in."""
FargateCpu = Annotated[StrictInt, AfterValidator(_fargate_size)]
"""Task CPU units of a Fargate size (the memory pairing is checked with the memory)."""


def task_cpu() -> Any:
    """The ``cpu`` field of a service and of a job (a FieldInfo of its own for each model)."""
    return Field(
        default=256,
        description="Fargate CPU units. Default 256.",
        json_schema_extra={"fix": fargate.describe_sizes()},
    )


def task_memory() -> Any:
    """The ``memory`` field of a service and of a job."""
    return Field(
        default=512,
        description="Fargate memory in MiB, valid for the cpu. Default 512.",
        json_schema_extra={"fix": "pick a memory size the cpu allows"},
    )


__all__ = ["FargateCpu", "ScheduleExpression", "TimeZoneName", "task_cpu", "task_memory"]
