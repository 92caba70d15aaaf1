"""The Domain component: the stack's own host name in a Route 53 zone, DNS-validated ACM certificates
for it, and alias records to the front door; and the schema of ``webstack:domain``.

One validation record per domain name serves every certificate of that name: ACM's CNAME token is the
same in every region of an account ("the CNAME validation token works for any AWS Region", ACM user
guide, dns-validation.html), so the load balancer's certificate and CloudFront's us-east-1 one share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pydantic import Field, StrictStr

from stack.schema import StrictModel

from .pure.naming import child_name, member_name, tags_with_name, type_token

VALIDATION_TIMEOUT = "20m"
"""CertificateValidation waits 75 min by default on wrong records (TF acm/certificate_validation.go)."""
VALIDATION_TTL = 300
CLOUDFRONT_REGION = "us-east-1"
"""CloudFront takes viewer certificates (and CLOUDFRONT-scope web ACLs) from us-east-1 only."""

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")


# --- Config: `webstack:domain` --------------------------------------------------------------------


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


# --- The component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateRequest:
    """One ACM certificate the Domain requests and validates."""

    role: str
    """Names the certificate's resources: ``{name}-{role}`` and ``{name}-{role}-validation``."""
    names: tuple[str, ...]
    """Domain names it covers; the first is its subject."""
    region: str | None = None
    """Where it lives: None for the stack's region (load balancer), us-east-1 for CloudFront."""


@dataclass(frozen=True)
class DomainArgs:
    """What the Domain builds."""

    zone_id: str
    """The public hosted zone (looked up by the config loader)."""
    certificates: tuple[CertificateRequest, ...]
    """The certificates to request, each validated by DNS records in the zone."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""


class Domain(pulumi.ComponentResource):
    """DNS-validated certificates for the stack's names, and alias records to what serves them."""

    certificate_arns: dict[str, pulumi.Output[str]]
    """Role -> ARN of the *validated* certificate: a listener or distribution using it waits for DNS."""
    validation_records: dict[str, aws.route53.Record]
    """Domain name -> its validation CNAME."""

    def __init__(self, name: str, args: DomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Domain"), name, None, opts)
        self._name = name
        self._zone_id = args.zone_id
        self.certificate_arns = {}
        self.validation_records = {}
        for request in args.certificates:
            certificate = aws.acm.Certificate(
                child_name(name, request.role),
                domain_name=request.names[0],
                subject_alternative_names=list(request.names[1:]) or None,
                validation_method="DNS",
                key_algorithm="RSA_2048",
                region=request.region,
                tags=tags_with_name(request.names[0], args.tags),
                # Pulumi replaces create-before-delete, so a new certificate is validated and attached
                # before the old one goes (ACM refuses to delete a certificate in use).
                opts=pulumi.ResourceOptions(parent=self),
            )
            for domain in request.names:
                if domain not in self.validation_records:
                    self.validation_records[domain] = self._validation_record(domain, certificate)
            validation = aws.acm.CertificateValidation(
                child_name(name, f"{request.role}-validation"),
                certificate_arn=certificate.arn,
                validation_record_fqdns=[self.validation_records[d].fqdn for d in request.names],
                region=request.region,
                opts=pulumi.ResourceOptions(
                    parent=self, custom_timeouts=pulumi.CustomTimeouts(create=VALIDATION_TIMEOUT)
                ),
            )
            self.certificate_arns[request.role] = validation.certificate_arn
        self.register_outputs({"certificateArns": self.certificate_arns})

    def _validation_record(self, domain: str, certificate: aws.acm.Certificate) -> aws.route53.Record:
        """The CNAME ACM asks for ``domain``. ``domain_validation_options`` is an unordered set, so the
        record is picked by domain name, never by position (pulumi/pulumi #3063, TF PR #14199)."""
        options = certificate.domain_validation_options

        def pick(attribute: str) -> pulumi.Output[str]:
            return options.apply(
                lambda items: next(getattr(o, attribute) for o in items if o.domain_name == domain)
            )

        return aws.route53.Record(
            member_name(self._name, "validation", domain.replace(".", "-")),
            zone_id=self._zone_id,
            name=pick("resource_record_name"),
            type=pick("resource_record_type"),
            records=[pick("resource_record_value")],
            ttl=VALIDATION_TTL,
            # A certificate re-requested after a failed deploy gets the same token: take the record over.
            allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def alias(
        self,
        role: str,
        host: str,
        target_dns_name: pulumi.Input[str],
        target_zone_id: pulumi.Input[str],
        ipv6: bool,
        evaluate_target_health: bool = True,
    ) -> list[aws.route53.Record]:
        """Alias A (and AAAA when the target serves IPv6) records from ``host`` to a load balancer or
        distribution. ``target_zone_id`` is the target's canonical zone, not ours (no TTL on aliases).
        Route 53 refuses ``evaluate_target_health`` for CloudFront targets (Route 53 API AliasTarget)."""
        target = aws.route53.RecordAliasArgs(
            name=target_dns_name, zone_id=target_zone_id, evaluate_target_health=evaluate_target_health
        )
        return [
            aws.route53.Record(
                child_name(self._name, f"{role}-{kind.lower()}"),
                zone_id=self._zone_id,
                name=host,
                type=kind,
                aliases=[target],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for kind in (("A", "AAAA") if ipv6 else ("A",))
        ]


def zone_lookup_problem(config_key: str, value: str, error: Exception) -> str:
    """A failed zone lookup as a config problem (AWS: "no matching Route 53 Hosted Zone found")."""
    return (
        f"webstack:domain.{config_key}: got {json.dumps(value)}, but no public hosted zone matches it in "
        f"this account ({str(error).splitlines()[0][:120]}); create the zone (or delegate a subdomain "
        "zone into this account) or fix the name"
    )


def certificate_names(*names: str) -> tuple[str, ...]:
    """Names in first-seen order without repeats (a certificate lists each name once)."""
    return tuple(dict.fromkeys(names))
