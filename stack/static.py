"""The schema of ``webstack:static``: static content on a CDN, on a host of ``webstack:domain``'s zone
(the component is :mod:`components.frontdoor.cdn`), and its checks against the domain and the
services' routes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictInt, StrictStr

from components.pure.frontdoor import BucketRemoval, PriceClass
from stack.domain import DomainSettings, host_in_zone
from stack.schema import Environment, StrictModel

BUCKET_REMOVAL: dict[Environment, BucketRemoval] = {
    Environment.DEV: BucketRemoval.DELETE_WITH_OBJECTS,
    Environment.PROD: BucketRemoval.RETAIN,
}
"""What removing ``webstack:static`` does to its content and log buckets: dev's are emptied and
deleted; prod's stay in AWS with their objects (delete by hand after a backup)."""


class StaticConfig(StrictModel):
    """``webstack:static``: static content on a CDN (needs ``webstack:domain``)."""

    host: StrictStr | None = Field(
        default=None,
        description="Host of the static content, in the domain's zone. Default static.<domain host>.",
        json_schema_extra={"fix": "use a host in the domain's zone, e.g. host: static.example.com"},
    )
    price_class: PriceClass = Field(
        default=PriceClass.NORTH_AMERICA_EUROPE,
        alias="priceClass",
        description="CloudFront price class. Default PriceClass_100.",
        json_schema_extra={"fix": "use PriceClass_100, PriceClass_200 or PriceClass_All"},
    )
    log_expiration_days: StrictInt = Field(
        default=90,
        alias="logExpirationDays",
        ge=1,
        le=3650,
        description="Days before CloudFront access logs expire. Default 90.",
        json_schema_extra={"fix": "use days from 1 to 3650"},
    )


@dataclass(frozen=True)
class StaticSettings:
    """Static content as validated."""

    host: str
    price_class: PriceClass
    log_expiration_days: int


def static_settings(
    config: StaticConfig | None, domain: DomainSettings | None, service_hosts: Mapping[str, tuple[str, ...]]
) -> tuple[StaticSettings | None, list[str]]:
    """Static content (None without the section) and every problem: it needs the domain, a host in the
    domain's zone, and a host no route of the load balancer claims (``service_hosts``: service ->
    its routing.hostHeaders)."""
    if config is None:
        return None, []
    if domain is None:
        return None, [
            "webstack:static: got static content, but it is served on a host of webstack:domain's zone "
            "with a certificate from it; add webstack:domain"
        ]
    host = (config.host or f"static.{domain.host}").rstrip(".").lower()
    problems = []
    if domain.zone is not None and not host_in_zone(host, domain.zone):
        problems.append(
            f"webstack:static.host: got {json.dumps(host)}, but it is outside the hosted zone "
            f"{domain.zone}; use a name ending in .{domain.zone}"
        )
    if host == domain.host:
        problems.append(
            f"webstack:static.host: got {json.dumps(host)}, which is webstack:domain.host, where the load "
            "balancer serves the services; give the static content its own host, e.g. static."
            f"{domain.host}"
        )
    for service, hosts in service_hosts.items():
        if host in (h.lower() for h in hosts):
            problems.append(
                f"webstack:static.host: got {json.dumps(host)}, but webstack:services.{service}.routing "
                "claims that host on the load balancer; give the static content another host"
            )
    return StaticSettings(host, config.price_class, config.log_expiration_days), problems
