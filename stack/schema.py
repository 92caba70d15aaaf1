"""The base pieces every section's config schema uses (no section imports, so no cycles).

Each ``webstack:<section>`` declares its schema in its own module of ``stack/`` (e.g.
:class:`stack.network.NetworkConfig`); :mod:`stack.config` assembles the sections, reads a stack and
reports every problem at once.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Annotated

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, StrictInt


class Environment(enum.StrEnum):
    """Which kind of account a stack deploys to; selects defaults and, for prod, invariants."""

    DEV = "dev"
    PROD = "prod"


# fmt: off
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
# fmt: on
"""The retention periods CloudWatch Logs accepts (0, "never expire", is deliberately not allowed)."""

PROD_MIN_ZONES = 2
"""Prod spans at least this many availability zones."""
PROD_MIN_LOG_RETENTION_DAYS = 90
"""Prod keeps every log at least this many days."""
PROD_MIN_TASKS = 2
"""Prod runs at least this many tasks of each service."""


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


class StrictModel(BaseModel):
    """A config object: unknown keys are errors, values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


def _known_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError("CloudWatch Logs does not offer that retention period")
    return days


RetentionDays = Annotated[StrictInt, AfterValidator(_known_retention)]
"""A CloudWatch Logs retention period in days."""
RETENTION_FIX = f"use one of CloudWatch's periods: {', '.join(map(str, LOG_RETENTION_DAYS))}"
