"""Settings of the running stack, with what only AWS knows looked up before any resource exists: the
zones the region offers now, and the hosted zone of the domain."""

import os
from dataclasses import replace

import pulumi
import pulumi_aws as aws

from stack.config import StackSettings, parse_settings, raw_config, resolve_zones
from stack.domain import DomainSettings, host_in_zone, outside_zone_problem, zone_lookup_problem
from stack.promotion import PROMOTION_ENV, promoted_images, read_record, with_promotion
from stack.schema import ConfigError


def load_settings() -> StackSettings:
    """Read, validate and resolve the running stack's config. Registers no resource."""
    settings = parse_settings(raw_config(), pulumi.get_stack())
    for warning in settings.warnings:
        pulumi.log.warn(warning)
    zones = aws.get_availability_zones(state="available", region=settings.aws.region)
    resolved = resolve_zones(settings, list(zones.names))
    network = replace(settings.network, az_count=len(resolved), availability_zones=resolved)
    settings = promote(settings, os.environ.get(PROMOTION_ENV))
    return replace(settings, network=network, domain=resolve_domain(settings))


def promote(settings: StackSettings, record_file: str | None) -> StackSettings:
    """The settings with each built service's promoted digest, when ``WEBSTACK_PROMOTION`` names a record
    (a later stage's deploy job); unchanged without it (a laptop, the first stage: build here)."""
    if not record_file:
        return settings
    record, problems = read_record(record_file)
    if record is None:
        raise ConfigError(settings.stack, problems)
    built = {service.name for service in settings.services if service.config.build is not None}
    built |= {job.image_key for job in settings.jobs if job.config.build is not None}
    images, problems = promoted_images(
        record, record_file, built, settings.aws.allowed_account_ids, settings.aws.region
    )
    if problems:
        raise ConfigError(settings.stack, problems)
    return replace(
        settings,
        services=with_promotion(settings.services, images),
        jobs=with_promotion(settings.jobs, images, key="image_key"),
    )


def resolve_domain(settings: StackSettings) -> DomainSettings | None:
    """The domain with its hosted zone looked up: the zone must exist in this account, be public and
    hold the host. A lookup (not an Output) so a wrong zone is a config error before any resource."""
    domain = settings.domain
    if domain is None:
        return None
    key, value = ("zoneId", domain.zone_id) if domain.zone_id else ("zone", domain.zone or "")
    try:
        if domain.zone_id:
            zone = aws.route53.get_zone(zone_id=domain.zone_id, private_zone=False)
        else:
            zone = aws.route53.get_zone(name=domain.zone, private_zone=False)
    except Exception as error:  # the provider raises a plain invoke error
        raise ConfigError(settings.stack, [zone_lookup_problem(key, value, error)]) from None
    hosts = [domain.host, *([settings.static.host] if settings.static else [])]
    outside = [outside_zone_problem(host, zone.name) for host in hosts if not host_in_zone(host, zone.name)]
    if outside:
        raise ConfigError(settings.stack, outside)
    return replace(domain, zone=zone.name.rstrip("."), zone_id=zone.zone_id)
