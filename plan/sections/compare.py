"""Facts that tell two stacks (or two runs of one stack) apart, and the table of those that differ."""

from __future__ import annotations

from collections import Counter

from plan.graph import Graph
from plan.graph_index import AUTO_SCALING_GROUP, LAUNCH_TEMPLATE, Index, short_type
from plan.sections.exposure import verdict
from plan.text import table


def facts(graph: Graph) -> dict[str, str]:
    """The settings that tell stacks apart, as text."""
    index = Index(graph)
    found: dict[str, str] = {
        "region": str(graph.get("region")),
        "accounts": ", ".join(graph.get("accounts") or []),
        "resources": str(sum(1 for r in index.resources if r["custom"] or r["type"].startswith("awsx:"))),
        "availability zones": ", ".join(graph["outputs"].get("availabilityZones", [])),
        "verdict": verdict(graph).removeprefix("Verdict: "),
    }
    for vpc in index.of_type("aws:ec2/vpc:Vpc"):
        found["vpc cidr"] = vpc["inputs"]["cidrBlock"]
    for group in index.of_type("aws:cloudwatch/logGroup:LogGroup"):
        found[f"log retention {group['name']}"] = f"{group['inputs'].get('retentionInDays')} days"
    for cluster in index.of_type("aws:ecs/cluster:Cluster"):
        found["container insights"] = ", ".join(s["value"] for s in cluster["inputs"].get("settings", []))
    for group in index.of_type(AUTO_SCALING_GROUP):
        overrides = ((group["inputs"].get("mixedInstancesPolicy") or {}).get("launchTemplate") or {}).get(
            "overrides"
        ) or []
        found["ec2 instances"] = (
            f"{', '.join(o.get('instanceType', '?') for o in overrides)} "
            f"x{group['inputs'].get('minSize')}-{group['inputs'].get('maxSize')}"
        )
    for template in index.of_type(LAUNCH_TEMPLATE):
        metadata = template["inputs"].get("metadataOptions") or {}
        found["ec2 metadata"] = (
            f"tokens {metadata.get('httpTokens')}, hop limit {metadata.get('httpPutResponseHopLimit')}"
        )
    for capacity in index.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"):
        found["capacity strategy"] = ", ".join(
            f"{s['capacityProvider']} base {s['base']} weight {s['weight']}"
            for s in capacity["inputs"].get("defaultCapacityProviderStrategies", [])
        )
    for listener in index.of_type("aws:lb/listener:Listener"):
        inputs = listener["inputs"]
        action = (inputs.get("defaultActions") or [{}])[0].get("type", "?")
        found[f"listener {inputs.get('protocol')}:{inputs.get('port')}"] = (
            f"{action} {inputs.get('sslPolicy', '')}".strip()
        )
    for balancer in index.of_type("aws:lb/loadBalancer:LoadBalancer"):
        inputs = balancer["inputs"]
        found["load balancer deletion protection"] = str(inputs.get("enableDeletionProtection"))
        found["load balancer access logs"] = str(bool((inputs.get("accessLogs") or {}).get("enabled")))
    found["NAT gateways"] = str(len(index.of_type("aws:ec2/natGateway:NatGateway")))
    found.update(_priced_settings(index))
    for service in index.of_type("aws:ecs/service:Service"):
        owner = index.owner(service)
        found[f"service {owner} exec"] = str(service["inputs"].get("enableExecuteCommand"))
    for target in index.of_type("aws:appautoscaling/target:Target"):
        owner = index.owner(target)
        found[f"service {owner} tasks min-max"] = (
            f"{target['inputs']['minCapacity']}-{target['inputs']['maxCapacity']}"
        )
    for task in index.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        owner = index.owner(task)
        found[f"service {owner} cpu/memory"] = f"{task['inputs']['cpu']}/{task['inputs']['memory']}"
    for kind, count in Counter(short_type(r["type"]) for r in index.resources if r["custom"]).items():
        found[f"count {kind}"] = str(count)
    return found


def _priced_settings(index: Index) -> dict[str, str]:
    """What sets a stack's biggest prices: database class, Multi-AZ and storage, cache node type and count,
    interface endpoints (the NAT gateways' count is its own fact)."""
    found: dict[str, str] = {}
    for db in index.of_type("aws:rds/instance:Instance"):
        inputs = db["inputs"]
        found[f"database {db['name']}"] = (
            f"{inputs.get('instanceClass')}, {'Multi-AZ' if inputs.get('multiAz') else 'single-AZ'}, "
            f"{inputs.get('allocatedStorage')} GB {inputs.get('storageType', 'gp2')}"
        )
    for group in index.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        inputs = group["inputs"]
        found[f"cache {group['name']}"] = (
            f"{inputs.get('nodeType')} x{inputs.get('numCacheClusters') or 1} ({inputs.get('engine')})"
        )
    endpoints = sorted(
        ".".join(str(e["inputs"].get("serviceName", "?")).split(".")[3:])  # com.amazonaws.<region>.ecr.api
        for e in index.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e["inputs"].get("vpcEndpointType") == "Interface"
    )
    found["interface endpoints"] = ", ".join(endpoints) or "none"
    nats = len(index.of_type("aws:ec2/natGateway:NatGateway"))
    found["NAT mode"] = {0: "none", 1: "single"}.get(nats, f"one per zone ({nats})")
    return found


def compare(first: Graph, second: Graph, labels: tuple[str, str] | None = None) -> list[str]:
    """One table of every fact that differs between two graphs, headed by their stack names or by
    ``labels`` (two runs of one stack: ``Pulumi.dev.yaml at HEAD``, ``... as it is now``)."""
    a, b = facts(first), facts(second)
    names = labels or (first["stack"], second["stack"])
    keys = sorted(set(a) | set(b), key=lambda k: (k.startswith("count "), k))
    differing = [key for key in keys if a.get(key) != b.get(key)]
    rows = [
        ["", *names],
        *[[key, a.get(key, "-"), b.get(key, "-")] for key in differing],
    ]
    counts = f"{len(differing)} differ, {len(keys) - len(differing)} the same"
    if not differing:
        return [f"Differences between {names[0]} and {names[1]} ({counts})."]
    return [f"Differences between {names[0]} and {names[1]} ({counts}):", *table(rows)]
