"""``db [NAME]`` and ``cache [NAME]``: a local port forwarded to the stack's database or cache, without SSH.

The path is ECS Exec port forwarding through a running task of a service that declares the database or
cache (its security group is the one the data store admits): Session Manager's
``AWS-StartPortForwardingSessionToRemoteHost`` document with the target
``ecs:<cluster>_<task id>_<container runtime id>`` (aws/session-manager-plugin#72; remote hosts work
through Fargate tasks, kayac/ecspresso#414). Needs ECS Exec on the cluster (``webstack:cluster.execEnabled``,
on in dev) and the Session Manager plugin locally. Credentials stay in Secrets Manager: the command
prints the secret's ARN, never its value.

:func:`commands` prints the same path as AWS CLI lines (``make db-tunnel``, ``--print``).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from ops import plugin
from ops.aws import Aws, aws_errors
from ops.ecs import task_id
from ops.errors import OpsError
from ops.outputs import Stack
from ops.shell import exec_target

DEFAULT_LOCAL_PORT = 15432
DEFAULT_CACHE_LOCAL_PORT = 16379
DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"


class TunnelError(OpsError):
    """The outputs cannot give a tunnel (no database, no service that uses it, ...)."""


@dataclass(frozen=True)
class Kind:
    """Databases or caches: where the outputs list them and the config key that declares them."""

    output: str
    noun: str
    section: str
    service_key: str


DATABASES = Kind("databases", "database", "webstack:databases", "database")
CACHES = Kind("caches", "cache", "webstack:caches", "cache")


def choose(outputs: Mapping[str, Any], kind: Kind, name: str | None) -> tuple[str, dict[str, Any], str]:
    """``(name, entry, service key)``: the named (or first) data store and the service that reaches it."""
    entries = outputs.get(kind.output) or {}
    if not entries:
        raise TunnelError(f"the stack exports no {kind.output}; declare one under {kind.section} and deploy")
    chosen = name or sorted(entries)[0]
    if chosen not in entries:
        raise TunnelError(f"the stack has no {kind.noun} {chosen!r}; it has: {', '.join(sorted(entries))}")
    entry = entries[chosen]
    services = entry.get("services") or []
    if not services:
        raise TunnelError(
            f"no service declares {kind.noun} {chosen!r} (services.<name>.{kind.service_key}: {chosen}), "
            "so no task can reach it"
        )
    return chosen, entry, services[0]


def commands(
    outputs: Mapping[str, Any], database: str | None = None, local_port: int = DEFAULT_LOCAL_PORT
) -> list[str]:
    """The shell lines, in order: find a task, open the tunnel, read the credentials, connect."""
    name, db, service = choose(outputs, DATABASES, database)
    cluster = outputs["clusterName"]
    ecs_service = outputs["serviceNames"][service]
    region = outputs["region"]
    quote = shlex.quote
    target = f"ecs:{cluster}_${{TASK}}_${{RUNTIME}}"
    return [
        f"# Database {name} through a running task of service {service} (ECS Exec; no SSH, no open port).",
        f"# Needs the AWS CLI, the Session Manager plugin and ECS Exec on the cluster (region {region}).",
        f"TASK=$(aws ecs list-tasks --region {region} --cluster {quote(cluster)} --service-name "
        f"{quote(ecs_service)} --desired-status RUNNING --query 'taskArns[0]' --output text "
        "| awk -F/ '{print $NF}')",
        f'RUNTIME=$(aws ecs describe-tasks --region {region} --cluster {quote(cluster)} --tasks "$TASK" '
        f"--query \"tasks[0].containers[?name=='{service}'].runtimeId | [0]\" --output text)",
        f'aws ssm start-session --region {region} --target "{target}" '
        f"--document-name {DOCUMENT} --parameters {quote(_parameters(db, local_port))}",
        *_connect_hints(db, region, local_port),
    ]


def _parameters(entry: Mapping[str, Any], local_port: int) -> str:
    return json.dumps(
        {
            "host": [entry["address"]],
            "portNumber": [str(entry["port"])],
            "localPortNumber": [str(local_port)],
        },
        separators=(",", ":"),
    )


def _connect_hints(db: Mapping[str, Any], region: str, local_port: int) -> list[str]:
    return [
        "# In another terminal: the credentials (RDS-managed secret), then connect through the tunnel.",
        f"aws secretsmanager get-secret-value --region {region} --secret-id {shlex.quote(db['secretArn'])} "
        "--query SecretString --output text",
        f'psql "host=localhost port={local_port} dbname={db.get("dbName", "postgres")} sslmode=require" '
        "-U <username from the secret>",
    ]


def _cache_hints(cache: Mapping[str, Any], local_port: int) -> list[str]:
    lines = [f"# In another terminal: valkey-cli -h localhost -p {local_port} --tls --sni {cache['address']}"]
    if cache.get("secretArn"):
        lines.append(f"# Its password is in Secrets Manager: {cache['secretArn']} (never printed here).")
    return lines


def tunnel(
    aws: Aws,
    stack: Stack,
    kind: Kind,
    name: str | None,
    local_port: int,
    out: TextIO,
) -> int:
    """Open the port forward in the foreground until Ctrl-C (the plugin's exit code)."""
    chosen, entry, service = choose(stack.outputs, kind, name)
    plugin.require_plugin()
    task, container = exec_target(aws, stack, service, None)
    ident, runtime = task_id(task["taskArn"]), container.get("runtimeId")
    if not runtime:
        raise OpsError(f"container {container['name']} of task {ident} has no runtime id yet; try again.")
    request = {
        "Target": f"ecs:{stack.cluster}_{ident}_{runtime}",
        "DocumentName": DOCUMENT,
        "Parameters": json.loads(_parameters(entry, local_port)),
    }
    print(
        f"# {kind.noun} {chosen} ({entry['address']}:{entry['port']}) on localhost:{local_port}, "
        f"through task {ident} of service {service}. Ctrl-C closes the tunnel.",
        file=out,
    )
    hints = (
        _connect_hints(entry, aws.region, local_port)[1:]
        if kind is DATABASES
        else _cache_hints(entry, local_port)
    )
    for line in hints:
        print(line if line.startswith("#") else f"#   {line}", file=out, flush=True)
    ssm = aws.client("ssm")
    with aws_errors(f"starting the port forward (ssm:StartSession on task {ident})"):
        session = ssm.start_session(**request)
    started = {k: session[k] for k in ("SessionId", "TokenValue", "StreamUrl")}
    return plugin.hand_over(plugin.argv(aws, ssm, started, request))
