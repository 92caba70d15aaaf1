"""``python -m ops <command> [--stack NAME | --outputs FILE] ...``: parse, load the stack, check the
account, run the command; every failure is one paragraph on stderr, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ops import logs, rollback, run, shell, status, tunnel
from ops.aws import Aws, connect
from ops.errors import OpsError
from ops.outputs import Stack, load

PROG = "python -m ops"
DEBUG = "WEBSTACK_OPS_DEBUG"


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", help="the Pulumi stack (reads `pulumi stack output --json --stack NAME`)")
    common.add_argument("--outputs", metavar="FILE", help="a saved `pulumi stack output --json` instead")
    common.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or the default chain)")
    return common


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog=PROG, description="Operate a deployed webstack stack.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [_common()]
    p = sub.add_parser("status", parents=common, help="tasks, deployments, targets, alarms, events")
    p.add_argument("service", nargs="?", help="one service (default: all)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = sub.add_parser("logs", parents=common, help="the service's logs, with task and container")
    p.add_argument("service")
    p.add_argument("--since", default="1h", help="how far back: 30m, 1h, 2d (default 1h)")
    p.add_argument("--follow", action="store_true", help="keep printing new lines (Live Tail)")
    p.add_argument("--filter", help="CloudWatch Logs filter pattern, for example ERROR")
    p.add_argument("--task", help="only this task (id or its first characters)")
    p = sub.add_parser("exec", parents=common, help="a shell (or COMMAND) in a running task (ECS Exec)")
    p.add_argument("service")
    p.add_argument("--task", help="this task (id or its first characters; default: the newest)")
    p = sub.add_parser("run", parents=common, help="a one-off task of the service: run SERVICE -- COMMAND")
    p.add_argument("service")
    p.add_argument(
        "--timeout", help=f"stop the task after this long (30s, 10m, 2h) and exit {run.TIMEOUT_EXIT_CODE}"
    )
    p = sub.add_parser("rollback", parents=common, help="run the previous task definition (image) again")
    p.add_argument("service")
    p.add_argument("--to", type=int, metavar="REVISION", help="this revision (default: the one before)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for the service to be steady")
    for name, kind in (("db", "database"), ("cache", "cache")):
        p = sub.add_parser(name, parents=common, help=f"forward a local port to the stack's {kind}")
        p.add_argument("name", nargs="?", help=f"which {kind} (default: the first by name)")
        default = tunnel.DEFAULT_LOCAL_PORT if name == "db" else tunnel.DEFAULT_CACHE_LOCAL_PORT
        p.add_argument("--local-port", type=int, default=default, help=f"default {default}")
    sub.choices["db"].add_argument("--print", action="store_true", help="print the AWS CLI lines instead")
    return top


def _dispatch(
    args: argparse.Namespace, command: list[str], stack: Stack, aws: Aws, out: TextIO, err: TextIO
) -> int:
    if args.command == "status":
        return status.status(aws, stack, args.service, args.json, out)
    if args.command == "logs":
        return logs.logs(aws, stack, args.service, args.since, args.filter, args.task, args.follow, out)
    if args.command == "exec":
        return shell.shell(aws, stack, args.service, args.task, command, err)
    if args.command == "run":
        return run.run_one_off(aws, stack, args.service, command, out, err, args.timeout)
    if args.command == "rollback":
        return rollback.rollback(aws, stack, args.service, args.to, out, wait=not args.no_wait)
    kind = tunnel.DATABASES if args.command == "db" else tunnel.CACHES
    return tunnel.tunnel(aws, stack, kind, args.name, args.local_port, err)


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    project_dir: Path | None = None,
    connector: Callable[[Stack, str | None], Aws] = connect,
) -> int:
    stdout: TextIO = out or sys.stdout
    stderr: TextIO = err or sys.stderr
    words = list(sys.argv[1:] if argv is None else argv)
    command = words[words.index("--") + 1 :] if "--" in words else []
    words = words[: words.index("--")] if "--" in words else words
    args = parser().parse_args(words)
    try:
        stack = load(args.stack or os.environ.get("WEBSTACK_STACK"), args.outputs, project_dir or Path.cwd())
        if args.command == "db" and args.print:
            print("\n".join(tunnel.commands(stack.outputs, args.name, args.local_port)), file=stdout)
            return 0
        return _dispatch(args, command, stack, connector(stack, args.profile), stdout, stderr)
    except OpsError as error:
        print(f"{PROG} {args.command}: {error}", file=stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted.", file=stderr)
        return 130
    except Exception as error:  # a bug or an AWS answer we did not expect: still no traceback by default
        if os.environ.get(DEBUG):
            traceback.print_exc(file=stderr)
        print(
            f"{PROG} {args.command}: unexpected {type(error).__name__}: {error}. Run again with {DEBUG}=1 "
            "for the details, and report it.",
            file=stderr,
        )
        return 1
