"""The HTTP API section: endpoint, routes with authorization and throttling, stage, logs, VPC link."""

from __future__ import annotations

from plan.graph import Graph
from plan.graph_index import API_ROUTE, API_STAGE, HTTP_API, VPC_LINK, Index
from plan.text import number_text


def api_gateway(graph: Graph) -> list[str]:
    """The HTTP API: its endpoint, each route with its authorization and throttling, the stage's
    throttling and access logs, and where the VPC link leads."""
    index = Index(graph)
    apis = index.of_type(HTTP_API)
    if not apis:
        return []
    lines = ["API Gateway (HTTP API, the internet's only way in):"]
    for api in apis:
        endpoint = "off (custom domain only)" if api["inputs"].get("disableExecuteApiEndpoint") else "on"
        lines.append(f"  {api['name']}: execute-api endpoint {endpoint}")
    for stage in index.of_type(API_STAGE):
        inputs = stage["inputs"]
        default = inputs.get("defaultRouteSettings") or {}
        per_route = {r.get("routeKey"): r for r in inputs.get("routeSettings") or []}
        lines.append(
            f"  stage {inputs.get('name')}: auto-deploy {inputs.get('autoDeploy')}, throttling burst "
            f"{number_text(default.get('throttlingBurstLimit'))} "
            f"rate {number_text(default.get('throttlingRateLimit'))}/s"
        )
        logs = inputs.get("accessLogSettings") or {}
        group = next(
            (
                g
                for g in index.of_type("aws:cloudwatch/logGroup:LogGroup")
                if g["outputs"].get("arn") == logs.get("destinationArn")
            ),
            None,
        )
        kms = "KMS-encrypted" if group and group["inputs"].get("kmsKeyId") else "not encrypted"
        lines.append(
            f"  access logs: JSON to {group['name'] if group else logs.get('destinationArn')} ({kms})"
        )
        for route in sorted(index.of_type(API_ROUTE), key=lambda r: str(r["inputs"].get("routeKey"))):
            key = route["inputs"].get("routeKey")
            setting = per_route.get(key) or {}
            auth = route["inputs"].get("authorizationType", "NONE")
            lines.append(
                f"    {key} -> internal load balancer, auth {auth}, burst "
                f"{number_text(setting.get('throttlingBurstLimit'))} "
                f"rate {number_text(setting.get('throttlingRateLimit'))}/s"
            )
    for link in index.of_type(VPC_LINK):
        lines.append(
            f"  VPC link {link['name']}: {len(link['inputs'].get('subnetIds') or [])} private subnets"
        )
    return lines
