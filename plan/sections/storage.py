"""App storage in the exposure report: the buckets services reach through IAM, not a network path."""

from __future__ import annotations

import json
from typing import Any

from plan.graph import Graph
from plan.graph_index import Index, short_type

APP_BUCKET = "AppBucket"
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject")


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    document = policy["inputs"].get("policy")
    return json.loads(document).get("Statement", []) if isinstance(document, str) else []


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def bucket_users(graph: Graph) -> dict[str, dict[str, str]]:
    """App bucket (its component's name) -> {service: ``read`` or ``write``}, read from the task roles'
    S3 grants on the bucket's objects (what IAM really allows)."""
    index = Index(graph)
    buckets = {
        b["outputs"].get("arn"): index.owner(b)
        for b in index.of_type("aws:s3/bucket:Bucket")
        if short_type(index.by_urn.get(b.get("parent") or "", {}).get("type", "")) == APP_BUCKET
    }
    found: dict[str, dict[str, str]] = {name: {} for name in buckets.values()}
    for policy in index.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in _statements(policy):
            actions = _listed(statement.get("Action"))
            for resource in _listed(statement.get("Resource")):
                bucket = buckets.get(resource.removesuffix("/*"))
                if bucket is None or statement.get("Effect") != "Allow" or not resource.endswith("/*"):
                    continue
                mode = "write" if any(action in actions for action in WRITE_ACTIONS) else "read"
                users = found[bucket]
                if users.get(index.owner(policy)) != "write":
                    users[index.owner(policy)] = mode
    return found


def storage_access(graph: Graph) -> list[str]:
    """One line per app bucket: private, TLS only, and which services read or write it."""
    found = bucket_users(graph)
    if not found:
        return []
    lines = ["Data stores reached through IAM, not the network (private, TLS only):"]
    for bucket, users in sorted(found.items()):
        who = ", ".join(f"{user} {mode}" for user, mode in sorted(users.items())) or "no service"
        lines.append(f"  {bucket} (S3): {who}")
    return lines
