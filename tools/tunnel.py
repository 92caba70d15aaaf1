"""``make db-tunnel``: print the commands that reach a stack's database from a laptop, without SSH.

The logic lives in the operator tool (:mod:`ops.tunnel`; ``python -m ops db --stack dev`` opens the
tunnel itself). This entry point reads ``pulumi stack output --json`` from a file or stdin, so it runs
(and is tested) offline::

    pulumi stack output --json --stack dev | python -m tools.tunnel
    python -m tools.tunnel outputs.json --database main --local-port 15432
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from ops.tunnel import DEFAULT_LOCAL_PORT, TunnelError, commands

__all__ = ["DEFAULT_LOCAL_PORT", "TunnelError", "commands", "main"]


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
