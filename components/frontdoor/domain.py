"""The Domain component: the stack's own host name in a Route 53 zone, DNS-validated ACM certificates
for it, and alias records to the front door.

One validation record per domain name serves every certificate of that name: ACM's CNAME token is the
same in every region of an account ("the CNAME validation token works for any AWS Region", ACM user
guide, dns-validation.html), so the load balancer's certificate and CloudFront's us-east-1 one share it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..pure.inputs import args_of
from ..pure.naming import child_name, member_name, tags_with_name, type_token

VALIDATION_TIMEOUT = "20m"
"""CertificateValidation waits 75 min by default on wrong records (TF acm/certificate_validation.go)."""
VALIDATION_TTL = 300
"""Seconds resolvers cache a validation record."""
CLOUDFRONT_REGION = "us-east-1"
"""CloudFront takes viewer certificates (and CLOUDFRONT-scope web ACLs) from us-east-1 only."""


@dataclass(frozen=True)
class CertificateRequest:
    """One ACM certificate the Domain requests and validates."""

    role: str
    """Names the certificate's resources (``{component}-{role}``, ``{component}-{role}-validation``)
    and keys ``Domain.certificate_arns``. Required."""
    names: Sequence[str]
    """Domain names it covers, each in the hosted zone; the first is its subject. Required."""
    region: str | None = None
    """Where it lives, e.g. us-east-1 for CloudFront. Default: None (the provider's region)."""


@dataclass(frozen=True)
class DomainArgs:
    """What the Domain builds."""

    zone_id: pulumi.Input[str]
    """The public hosted zone that holds every name (validation and alias records go there).
    Required."""
    certificates: Sequence[CertificateRequest] = ()
    """The certificates to request, each validated by DNS records in the zone. Default: none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child, on top of the provider's default tags. Default: none."""


class Domain(pulumi.ComponentResource):
    """DNS-validated certificates for the stack's names, and alias records to what serves them."""

    certificate_arns: dict[str, pulumi.Output[str]]
    """Role -> ARN of the *validated* certificate: a listener or distribution using it waits for DNS."""

    def __init__(self, name: str, args: DomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(DomainArgs, args)
        super().__init__(type_token("Domain"), name, None, opts)
        self._name = name
        self._zone_id = args.zone_id
        self.certificate_arns = {}
        # Domain name -> its validation CNAME (one per name, shared by the certificates that list it).
        self._validation_records: dict[str, aws.route53.Record] = {}
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
                if domain not in self._validation_records:
                    self._validation_records[domain] = self._validation_record(domain, certificate)
            validation = aws.acm.CertificateValidation(
                child_name(name, f"{request.role}-validation"),
                certificate_arn=certificate.arn,
                validation_record_fqdns=[self._validation_records[d].fqdn for d in request.names],
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


def certificate_names(*names: str) -> tuple[str, ...]:
    """Names in first-seen order without repeats (a certificate lists each name once)."""
    return tuple(dict.fromkeys(names))
