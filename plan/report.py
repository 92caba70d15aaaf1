"""What a plan shows, computed from a captured graph (pure functions over the JSON document).

Each section lives in its own module of ``plan/sections/``; this module prints them in order
(:func:`sections`) and keeps every name other code and tests import from ``plan.report``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from plan.graph import Graph
from plan.graph_index import (
    API_DOMAIN,
    API_ROUTE,
    API_STAGE,
    AUTO_SCALING_GROUP,
    EGRESS_RULE,
    HTTP_API,
    INGRESS_RULE,
    LAUNCH_TEMPLATE,
    LOAD_BALANCER,
    NETWORK_COMPONENT,
    SECURITY_GROUP,
    SUBNET,
    VPC_LINK,
    Index,
    short_type,
)
from plan.sections.alarms import COMPARISONS, METRIC_ALARM, alarm_rows, alarms, notification_targets
from plan.sections.api_gateway import api_gateway
from plan.sections.backups import backups
from plan.sections.compare import compare, facts
from plan.sections.deployments import deployments, rollouts
from plan.sections.exposure import (
    HTTPS,
    INTERNET,
    INTERNET_CIDRS,
    Permission,
    exposure,
    exposure_matrix,
    groups_without_internet_route,
    http_apis,
    permissions,
    placements,
    verdict,
)
from plan.sections.front_door import CERTIFICATE, DISTRIBUTION, RECORD, VALIDATION, WEB_ACL, front_door
from plan.sections.mermaid import mermaid
from plan.sections.messaging import SCHEDULER, Flow, flows, messaging
from plan.sections.releases import releases
from plan.sections.routing import routing, service_routes
from plan.sections.security import security, security_verdict
from plan.sections.subnets import default_routes, subnet_rows, subnets
from plan.sections.summary import (
    COMPONENT_ORDER,
    PLACEHOLDER_MARK,
    invented_values,
    inventory,
    is_placeholder,
    outputs,
    warnings,
)
from plan.text import table

__all__ = [
    "API_DOMAIN",
    "API_ROUTE",
    "API_STAGE",
    "AUTO_SCALING_GROUP",
    "CERTIFICATE",
    "COMPARISONS",
    "COMPONENT_ORDER",
    "DISTRIBUTION",
    "EGRESS_RULE",
    "HTTPS",
    "HTTP_API",
    "INGRESS_RULE",
    "INTERNET",
    "INTERNET_CIDRS",
    "LAUNCH_TEMPLATE",
    "LOAD_BALANCER",
    "METRIC_ALARM",
    "NETWORK_COMPONENT",
    "PLACEHOLDER_MARK",
    "RECORD",
    "SCHEDULER",
    "SECTIONS",
    "SECURITY_GROUP",
    "SUBNET",
    "VALIDATION",
    "VPC_LINK",
    "WEB_ACL",
    "Flow",
    "Index",
    "Permission",
    "alarm_rows",
    "alarms",
    "api_gateway",
    "backups",
    "compare",
    "default_routes",
    "deployments",
    "exposure",
    "exposure_matrix",
    "facts",
    "flows",
    "front_door",
    "groups_without_internet_route",
    "http_apis",
    "invented_values",
    "inventory",
    "is_placeholder",
    "mermaid",
    "messaging",
    "notification_targets",
    "outputs",
    "permissions",
    "placements",
    "releases",
    "rollouts",
    "routing",
    "sections",
    "security",
    "security_verdict",
    "service_routes",
    "short_type",
    "subnet_rows",
    "subnets",
    "table",
    "verdict",
    "warnings",
]


SECTIONS: dict[str, Callable[[Graph], list[str]]] = {
    "inventory": inventory,
    "outputs": outputs,
    "warnings": warnings,
    "security": security,
    "exposure": exposure,
    "front-door": front_door,
    "routing": routing,
    "deployments": deployments,
    "api-gateway": api_gateway,
    "messaging": messaging,
    "releases": releases,
    "backups": backups,
    "subnets": subnets,
    "alarms": alarms,
}
"""The sections computed from the graph alone, by the name ``python -m plan --section`` takes, in the
order the plan prints them (after its summary; the images and the cost estimate follow them)."""


def sections(graph: Graph) -> Iterable[list[str]]:
    """The report's sections in the order ``python -m plan`` prints them (an empty one is left out:
    the API Gateway section of a stack without one)."""
    for section in SECTIONS.values():
        lines = section(graph)
        if lines:
            yield lines
