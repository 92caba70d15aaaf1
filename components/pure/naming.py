"""One naming formula for every component: type tokens, child names, Name tags."""

from __future__ import annotations

from collections.abc import Mapping

TYPE_PREFIX = "webstack:components"
IAM_PATH = "/webstack/"
"""Every IAM role webstack creates lives under this path, so a deploy role can be scoped to it."""

COMPONENT_NAMES = (
    "webstack",
    "stack-key",
    "alerts",
    "cluster",
    "edge",
    "api-gateway",
    "domain",
    "waf",
    "static",
    "db",
    "cache",
    "backup",
    "observability",
    "job",
    "bucket",
    "volume",
)
"""Logical names __main__.py gives the shared components (tests/config/test_config.py checks the list is
complete). A service is named like a component, so a service called ``edge`` or ``edge-x`` would
give its children names of the ``edge-*`` family; those names are refused. Each scheduled job
is the component ``job-<name>``, so ``job`` and ``job-*`` are refused as service names too."""


def reserved_by(name: str) -> str | None:
    """The component whose name ``name`` takes or whose ``{component}-*`` family it enters."""
    return next((c for c in COMPONENT_NAMES if name == c or name.startswith(f"{c}-")), None)


def type_token(component: str) -> str:
    """The Pulumi type token of a webstack component, e.g. ``webstack:components:Network``."""
    return f"{TYPE_PREFIX}:{component}"


def zone_letter(zone: str) -> str:
    """The letter that ends an availability zone name (``eu-west-1b`` -> ``b``)."""
    return zone[-1]


def child_name(parent: str, role: str, zone: str | None = None) -> str:
    """``{parent}-{role}`` or, for one-per-zone children, ``{parent}-{role}-{zone letter}``.

    Logical names are part of a resource's identity: changing this formula replaces resources.
    """
    return f"{parent}-{role}-{zone_letter(zone)}" if zone else f"{parent}-{role}"


def member_name(parent: str, role: str, member: str) -> str:
    """``{parent}-{role}-{member}`` for one-per-member children, e.g. ``edge-tg-api``."""
    return f"{parent}-{role}-{member}"


def tags_with_name(name: str, tags: Mapping[str, str]) -> dict[str, str]:
    """Component tags plus a ``Name`` tag; provider default tags (Environment, ...) add to these."""
    return {**tags, "Name": name}
