"""The front door: certificates and their DNS validation, aliases, web ACLs, CloudFront paths, and which
door the internet comes through to reach what."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.graph import Graph
from plan.graph_index import API_DOMAIN, HTTP_API, LOAD_BALANCER, Index

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def _rule_text(rule: Mapping[str, Any]) -> str:
    statement = rule.get("statement") or {}
    if "rateBasedStatement" in statement:
        rate = statement["rateBasedStatement"]
        what = (
            f"at most {int(rate['limit'])} requests per {rate.get('aggregateKeyType', 'IP')} "
            f"per {int(rate.get('evaluationWindowSec', 300))} s"
        )
    else:
        what = "AWS managed rule group"
    override = rule.get("overrideAction") or {}
    action = "count only" if "count" in override else "block"
    return f"{int(rule.get('priority', 0)):>3} {rule.get('name')}: {what}, {action}"


def front_door(graph: Graph) -> list[str]:
    """What serves the stack's names: certificates and their DNS validation, aliases, web ACLs,
    CloudFront paths, and which door the internet comes through to reach what."""
    index = Index(graph)
    certificates = index.of_type(CERTIFICATE)
    acls = index.of_type(WEB_ACL)
    distributions = index.of_type(DISTRIBUTION)
    if not (certificates or acls or distributions):
        if index.of_type(HTTP_API):
            return ["Front door: the API's execute-api URL only (no webstack:domain or static content)."]
        return ["Front door: the load balancer's DNS name only (no webstack:domain, WAF or static content)."]
    records = index.of_type(RECORD)
    aliases = _aliases(index, records, distributions)
    protected = {
        a["inputs"].get("webAclArn"): a["inputs"].get("resourceArn")
        for a in index.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    }
    return [
        "Front door:",
        *_certificates(index, graph, certificates, records),
        *[
            f"  alias {host} ({', '.join(sorted(kinds))}) -> {target}"
            for (host, target), kinds in sorted(aliases.items())
        ],
        *_web_acls(acls, distributions, protected),
        *_distributions(distributions),
        "  Doors from the internet:",
        *_doors(aliases, acls, distributions, protected),
    ]


def hosts(graph: Graph) -> list[tuple[str, str]]:
    """Each public host name (an alias record) and what it leads to, e.g. ``load balancer edge``."""
    index = Index(graph)
    return sorted(_aliases(index, index.of_type(RECORD), index.of_type(DISTRIBUTION)))


def _certificates(
    index: Index, graph: Graph, certificates: list[dict[str, Any]], records: list[dict[str, Any]]
) -> list[str]:
    """Each certificate, where it lives, whether DNS validates it, and its validation records."""
    validated = {
        v["inputs"].get("certificateArn"): v["inputs"].get("validationRecordFqdns") or []
        for v in index.of_type(VALIDATION)
    }
    lines = []
    for certificate in certificates:
        inputs = certificate["inputs"]
        names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
        region = inputs.get("region") or graph.get("region")
        fqdns = validated.get(certificate["outputs"].get("arn"), [])
        state = "validated by DNS" if fqdns else "NOT validated"
        lines.append(f"  certificate {', '.join(map(str, names))} ({region}): {state}")
        for record in records:
            if (
                record["inputs"].get("type") == "CNAME"
                and str(record["inputs"].get("name")).rstrip(".") in fqdns
            ):
                lines.append(f"    CNAME {record['inputs']['name']} -> {record['inputs']['records'][0]}")
    return lines


def _aliases(
    index: Index, records: list[dict[str, Any]], distributions: list[dict[str, Any]]
) -> dict[tuple[str, str], list[str]]:
    """(host, what its alias records lead to) -> the record types (A, AAAA) of those records."""
    targets = {
        **{
            b["outputs"].get("dnsName"): f"load balancer {index.owner(b)}"
            for b in index.of_type(LOAD_BALANCER)
        },
        **{d["outputs"].get("domainName"): f"CloudFront {d['name']}" for d in distributions},
    }
    # A custom domain's regional target is an output of its configuration block (not in the graph's
    # outputs, which keep only keys the inputs lack): an alias for the domain's own host leads to it.
    api_hosts = {
        d["inputs"].get("domainName"): f"API Gateway {index.owner(d)}" for d in index.of_type(API_DOMAIN)
    }
    aliases: dict[tuple[str, str], list[str]] = {}
    for record in records:
        for alias in record["inputs"].get("aliases") or []:
            host = str(record["inputs"]["name"])
            target = api_hosts.get(host) or targets.get(alias.get("name"), str(alias.get("name")))
            key = (host, target)
            aliases.setdefault(key, []).append(str(record["inputs"]["type"]))
    return aliases


def _web_acls(
    acls: list[dict[str, Any]], distributions: list[dict[str, Any]], protected: Mapping[Any, Any]
) -> list[str]:
    """Each web ACL, what it is associated with, and its rules."""
    lines = []
    for acl in acls:
        arn = acl["outputs"].get("arn")
        on = (
            "the load balancer"
            if protected.get(arn)
            else "CloudFront"
            if any(d["inputs"].get("webAclId") == arn for d in distributions)
            else "nothing (not associated!)"
        )
        lines.append(f"  web ACL {acl['name']} ({acl['inputs'].get('scope')}) on {on}, default allow:")
        lines += [f"    {_rule_text(rule)}" for rule in acl["inputs"].get("rules") or []]
    return lines


def _distributions(distributions: list[dict[str, Any]]) -> list[str]:
    """Each CloudFront distribution: its hosts, viewer policy and TLS, and where each path goes."""
    lines = []
    for distribution in distributions:
        inputs = distribution["inputs"]
        behaviour = inputs.get("defaultCacheBehavior") or {}
        origins = {o.get("originId"): o for o in inputs.get("origins") or []}
        paths = [
            ("/*", behaviour),
            *[(b.get("pathPattern"), b) for b in inputs.get("orderedCacheBehaviors") or []],
        ]
        tls = (inputs.get("viewerCertificate") or {}).get("minimumProtocolVersion")
        hosts = ", ".join(inputs.get("aliases") or [])
        lines.append(f"  CloudFront {hosts}: {behaviour.get('viewerProtocolPolicy')}, {tls}")
        for path, item in paths:
            origin = origins.get(item.get("targetOriginId"), {})
            kind = "S3 bucket via origin access control" if origin.get("originAccessControlId") else "origin"
            lines.append(f"    {path} -> {kind} ({origin.get('domainName')})")
    return lines


def _doors(
    aliases: Mapping[tuple[str, str], list[str]],
    acls: list[dict[str, Any]],
    distributions: list[dict[str, Any]],
    protected: Mapping[Any, Any],
) -> list[str]:
    """Each aliased host as a URL, what it reaches, and whether a web ACL stands in front of it."""
    lines = []
    for (host, target), _ in sorted(aliases.items()):
        guarded = any(
            (protected.get(a["outputs"].get("arn")) and target.startswith("load balancer"))
            or (
                target.startswith("CloudFront")
                and any(d["inputs"].get("webAclId") == a["outputs"].get("arn") for d in distributions)
            )
            for a in acls
        )
        lines.append(f"    https://{host} -> {target}{' (behind the web ACL)' if guarded else ''}")
    return lines
