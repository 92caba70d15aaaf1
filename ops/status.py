"""``status [SERVICE]``: per service, task counts, deployments (task definition, image digest), target
health, alarms in ALARM and the last service events; ``--json`` for scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from ops.aws import Aws, aws_errors
from ops.ecs import describe_services, running_tasks
from ops.outputs import Stack

EVENTS_SHOWN = 5


def collect(aws: Aws, stack: Stack, only: str | None) -> list[dict[str, Any]]:
    """One record per service (all of them, or ``only``), in service-key order."""
    keys = [stack.service(only)[0]] if only else sorted(stack.services)
    names = {key: stack.services[key] for key in keys}
    described = describe_services(aws, stack, list(names.values()))
    alarms = _alarms_in_alarm(aws, stack, keys)
    return [_record(aws, stack, key, described[names[key]], alarms.get(key, [])) for key in keys]


def _record(
    aws: Aws, stack: Stack, key: str, service: Mapping[str, Any], alarms: list[str]
) -> dict[str, Any]:
    digests = _digests_by_task_definition(aws, stack, service["serviceName"])
    return {
        "service": key,
        "ecsService": service["serviceName"],
        "desired": service.get("desiredCount", 0),
        "running": service.get("runningCount", 0),
        "pending": service.get("pendingCount", 0),
        "execEnabled": bool(service.get("enableExecuteCommand")),
        "deployments": [
            {
                "id": d.get("id"),
                "status": d.get("status"),
                "rollout": d.get("rolloutState"),
                "taskDefinition": d.get("taskDefinition", "").rsplit("/", 1)[-1],
                "imageDigests": digests.get(d.get("taskDefinition", ""), []),
                "desired": d.get("desiredCount", 0),
                "running": d.get("runningCount", 0),
                "pending": d.get("pendingCount", 0),
            }
            for d in service.get("deployments", [])
        ],
        "targets": [_target_health(aws, lb["targetGroupArn"]) for lb in service.get("loadBalancers", [])],
        "alarms": alarms,
        "events": [
            {"at": str(e.get("createdAt", "")), "message": e.get("message", "")}
            for e in service.get("events", [])[:EVENTS_SHOWN]
        ],
    }


def _digests_by_task_definition(aws: Aws, stack: Stack, ecs_service: str) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for task in running_tasks(aws, stack, ecs_service):
        digests = {c["imageDigest"] for c in task.get("containers", []) if c.get("imageDigest")}
        found.setdefault(task.get("taskDefinitionArn", ""), set()).update(digests)
    return {arn: sorted(digests) for arn, digests in found.items()}


def _target_health(aws: Aws, target_group_arn: str) -> dict[str, Any]:
    with aws_errors("reading target health (elasticloadbalancing:DescribeTargetHealth)"):
        answer = aws.client("elbv2").describe_target_health(TargetGroupArn=target_group_arn)
    counts: dict[str, int] = {}
    for target in answer.get("TargetHealthDescriptions", []):
        state = target.get("TargetHealth", {}).get("State", "unknown")
        counts[state] = counts.get(state, 0) + 1
    return {"targetGroup": target_group_arn.rsplit(":", 1)[-1], "states": dict(sorted(counts.items()))}


def _alarms_in_alarm(aws: Aws, stack: Stack, keys: list[str]) -> dict[str, list[str]]:
    """Service key -> names of its alarms now in ALARM (alarm names start with the service's prefix)."""
    prefixes = stack.alarm_prefixes()
    if not any(key in prefixes for key in keys):
        return {}
    cloudwatch = aws.client("cloudwatch")
    found: dict[str, list[str]] = {}
    for key in keys:
        if key not in prefixes:
            continue
        prefix = f"{prefixes[key]}-"
        # A longer prefix of another service ("api-v2" vs "api") owns its own alarms.
        longer = [f"{p}-" for other, p in prefixes.items() if other != key and f"{p}-".startswith(prefix)]
        with aws_errors(f"reading the alarms of {key} (cloudwatch:DescribeAlarms)"):
            pages = cloudwatch.get_paginator("describe_alarms").paginate(
                AlarmNamePrefix=prefix, StateValue="ALARM"
            )
            alarms = [a for page in pages for a in page.get("MetricAlarms", [])]
        names = [a["AlarmName"] for a in alarms if a.get("StateValue") == "ALARM"]
        found[key] = sorted(n for n in names if not any(n.startswith(p) for p in longer))
    return found


def render(records: list[dict[str, Any]], stack: Stack, out: TextIO) -> None:
    """One screen: a block per service."""
    print(f"Stack {stack.name} · cluster {stack.cluster} · {stack.region}", file=out)
    for r in records:
        print("", file=out)
        health = "ok" if r["running"] >= r["desired"] and not r["alarms"] else "DEGRADED"
        print(
            f"{r['service']} ({r['ecsService']}): {health}  desired {r['desired']}  running {r['running']}  "
            f"pending {r['pending']}  exec {'on' if r['execEnabled'] else 'off'}",
            file=out,
        )
        for d in r["deployments"]:
            digests = ", ".join(digest[:19] for digest in d["imageDigests"]) or "no running task"
            print(
                f"  deployment {d['status']:<7} {d['rollout'] or '-':<11} {d['taskDefinition']}  "
                f"{d['running']}/{d['desired']} running  image {digests}",
                file=out,
            )
        for t in r["targets"]:
            states = ", ".join(f"{n} {s}" for s, n in t["states"].items()) or "no targets registered"
            print(f"  targets {t['targetGroup']}: {states}", file=out)
        print(f"  alarms in ALARM: {', '.join(r['alarms']) or 'none'}", file=out)
        for e in r["events"]:
            print(f"  event {e['at']}  {e['message']}", file=out)


def status(aws: Aws, stack: Stack, service: str | None, as_json: bool, out: TextIO) -> int:
    records = collect(aws, stack, service)
    if as_json:
        print(json.dumps({"stack": stack.name, "services": records}, indent=2), file=out)
    else:
        render(records, stack, out)
    return 0
