"""Print the exact commands that reach a stack's database from a laptop, without SSH.

The path is ECS Exec port forwarding through a running task of a service that declares the database
(its security group is the one the database admits): Session Manager's
``AWS-StartPortForwardingSessionToRemoteHost`` document with the target
``ecs:<cluster>_<task id>_<container runtime id>`` (aws/session-manager-plugin#72; remote hosts work
through Fargate tasks, kayac/ecspresso#414). Needs ECS Exec on the cluster
(``webstack:cluster.execEnabled``, on in dev), the AWS CLI and the Session Manager plugin locally.

Reads ``pulumi stack output --json`` from a file or stdin, so it runs (and is tested) offline::

    pulumi stack output --json --stack dev | python -m tools.tunnel
    python -m tools.tunnel outputs.json --database main --local-port 15432
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

DEFAULT_LOCAL_PORT = 15432


class TunnelError(ValueError):
    """The outputs cannot give a tunnel (no database, no service that uses it, ...)."""


def commands(
    outputs: Mapping[str, Any], database: str | None = None, local_port: int = DEFAULT_LOCAL_PORT
) -> list[str]:
    """The shell lines, in order: find a task, open the tunnel, read the credentials, connect."""
    databases = outputs.get("databases") or {}
    if not databases:
        raise TunnelError("the stack exports no databases; declare one under webstack:databases and deploy")
    name = database or sorted(databases)[0]
    if name not in databases:
        raise TunnelError(f"the stack has no database {name!r}; it has: {', '.join(sorted(databases))}")
    db = databases[name]
    services = db.get("services") or []
    if not services:
        raise TunnelError(
            f"no service declares database {name!r} (services.<name>.database: {name}), "
            "so no task can reach it"
        )
    service = services[0]
    cluster = outputs["clusterName"]
    ecs_service = outputs["serviceNames"][service]
    region = outputs["region"]
    quote = shlex.quote
    target = f"ecs:{cluster}_${{TASK}}_${{RUNTIME}}"
    parameters = json.dumps(
        {"host": [db["address"]], "portNumber": [str(db["port"])], "localPortNumber": [str(local_port)]},
        separators=(",", ":"),
    )
    return [
        f"# Database {name} through a running task of service {service} (ECS Exec; no SSH, no open port).",
        f"# Needs the AWS CLI, the Session Manager plugin and ECS Exec on the cluster (region {region}).",
        f"TASK=$(aws ecs list-tasks --region {region} --cluster {quote(cluster)} --service-name "
        f"{quote(ecs_service)} --desired-status RUNNING --query 'taskArns[0]' --output text "
        "| awk -F/ '{print $NF}')",
        f'RUNTIME=$(aws ecs describe-tasks --region {region} --cluster {quote(cluster)} --tasks "$TASK" '
        f"--query \"tasks[0].containers[?name=='{service}'].runtimeId | [0]\" --output text)",
        f'aws ssm start-session --region {region} --target "{target}" '
        f"--document-name AWS-StartPortForwardingSessionToRemoteHost --parameters {quote(parameters)}",
        "# In another terminal: the credentials (RDS-managed secret), then connect through the tunnel.",
        f"aws secretsmanager get-secret-value --region {region} --secret-id {quote(db['secretArn'])} "
        "--query SecretString --output text",
        f'psql "host=localhost port={local_port} dbname={db.get("dbName", "postgres")} sslmode=require" '
        "-U <username from the secret>",
    ]


def main(argv: Sequence[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.tunnel", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("outputs", nargs="?", help="file of `pulumi stack output --json` (default: stdin)")
    parser.add_argument("--database", help="which webstack:databases entry (default: the first by name)")
    parser.add_argument("--local-port", type=int, default=DEFAULT_LOCAL_PORT)
    args = parser.parse_args(argv)
    text = open(args.outputs).read() if args.outputs else stdin.read()  # noqa: SIM115 (short-lived read)
    try:
        lines = commands(json.loads(text), args.database, args.local_port)
    except (TunnelError, KeyError) as error:
        print(f"db-tunnel: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines), file=stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
