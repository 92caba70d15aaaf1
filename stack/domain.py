"""The schema of ``webstack:domain``: the stack's host name in a public Route 53 hosted zone of its
account (the component is :mod:`components.frontdoor.domain`), and the checks of a host against its
zone, before and after the zone lookup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import Field, StrictStr

from stack.schema import StrictModel

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")


class DomainConfig(StrictModel):
    """``webstack:domain``: the stack's host name in a public Route 53 hosted zone of its account."""

    zone: StrictStr | None = Field(
        default=None,
        description="Name of a public hosted zone in the stack's account, e.g. example.com. Give this "
        "or zoneId.",
        json_schema_extra={"fix": "use the zone's name, e.g. zone: example.com"},
    )
    zone_id: StrictStr | None = Field(
        default=None,
        alias="zoneId",
        description="Id of the public hosted zone (Z...), instead of its name.",
        json_schema_extra={"fix": "use the hosted zone id, e.g. zoneId: Z0123456789ABCDEFGHIJ"},
    )
    host: StrictStr = Field(
        description="The stack's host name inside the zone, e.g. app.example.com (the zone's apex works "
        "too). The certificate is issued for it and it points at the front door.",
        json_schema_extra={"fix": "set host to a name inside the zone, e.g. host: app.example.com"},
    )


@dataclass(frozen=True)
class DomainSettings:
    """The domain as validated. ``zone_id`` is filled by the loader's zone lookup."""

    host: str
    zone: str | None
    zone_id: str | None


def host_in_zone(host: str, zone: str) -> bool:
    """Whether ``host`` is the zone's apex or a name below it."""
    zone = zone.rstrip(".").lower()
    return host == zone or host.endswith(f".{zone}")


def outside_zone_problem(host: str, zone: str) -> str:
    return (
        f"webstack:domain.host: got {json.dumps(host)}, but it is outside the hosted zone {zone}; use "
        f"{zone} or a name ending in .{zone}, or name the zone that holds it"
    )


def domain_settings(config: DomainConfig | None) -> tuple[DomainSettings | None, list[str]]:
    """The domain (None when the stack has none), and every problem found without AWS calls."""
    if config is None:
        return None, []
    problems = []
    host = config.host.rstrip(".").lower()
    if not _HOST.match(host):
        problems.append(
            f"webstack:domain.host: got {json.dumps(config.host)}, but it is not a DNS host name; use "
            "lowercase labels of letters, digits and dashes, e.g. app.example.com"
        )
    zone = config.zone.rstrip(".").lower() if config.zone else None
    if zone is None and config.zone_id is None:
        problems.append(
            f"webstack:domain.zone: missing, but host {json.dumps(host)} needs the hosted zone that holds "
            "it; set zone (e.g. example.com) or zoneId"
        )
    elif zone is not None and config.zone_id is not None:
        problems.append("webstack:domain.zoneId: got both zone and zoneId; keep one (zone looks the id up)")
    elif config.zone_id is not None and not _ZONE_ID.match(config.zone_id):
        problems.append(
            f"webstack:domain.zoneId: got {json.dumps(config.zone_id)}, but Route 53 zone ids look like "
            "Z0123456789ABCDEFGHIJ; copy it from the hosted zone's details"
        )
    elif zone is not None and _HOST.match(host) and not host_in_zone(host, zone):
        problems.append(outside_zone_problem(host, zone))
    return DomainSettings(host=host, zone=zone, zone_id=config.zone_id), problems


def zone_lookup_problem(config_key: str, value: str, error: Exception) -> str:
    """A failed zone lookup as a config problem (AWS: "no matching Route 53 Hosted Zone found")."""
    return (
        f"webstack:domain.{config_key}: got {json.dumps(value)}, but no public hosted zone matches it in "
        f"this account ({str(error).splitlines()[0][:120]}); create the zone (or delegate a subdomain "
        "zone into this account) or fix the name"
    )
