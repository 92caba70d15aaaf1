"""The front door: what the internet reaches, in the order a stack builds it.

* :mod:`.domain`: ``Domain``, a host name's DNS-validated certificates and alias records;
* :mod:`.edge`: ``Edge``, the Application Load Balancer (internet-facing, or internal behind the API);
* :mod:`.apigateway`: ``ApiGateway``, an HTTP API through a VPC link to an internal ``Edge``;
* :mod:`.waf`: ``Waf``, a web ACL on a load balancer or a CloudFront distribution;
* :mod:`.cdn`: ``Cdn``, static content from a private bucket through CloudFront.

Their shared enums and defaults (which a stack's schema uses without the resource SDKs) are in
:mod:`components.pure.frontdoor`.
"""

from .apigateway import ApiGateway, ApiGatewayArgs, CustomDomain, GatewayRoute, GatewayThrottle, JwtAuthorizer
from .cdn import Cdn, CdnArgs
from .domain import CertificateRequest, Domain, DomainArgs
from .edge import Edge, EdgeArgs, EdgeRoute, TargetHealthCheck
from .waf import Scope, Waf, WafArgs

__all__ = [
    "ApiGateway",
    "ApiGatewayArgs",
    "Cdn",
    "CdnArgs",
    "CertificateRequest",
    "CustomDomain",
    "Domain",
    "DomainArgs",
    "Edge",
    "EdgeArgs",
    "EdgeRoute",
    "GatewayRoute",
    "GatewayThrottle",
    "JwtAuthorizer",
    "Scope",
    "TargetHealthCheck",
    "Waf",
    "WafArgs",
]
