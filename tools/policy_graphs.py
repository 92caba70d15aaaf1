"""``make policy-test``'s plan graphs: ``python -m plan STACK --stacks-dir DIR --no-diagram --json
OUT/STACK.json`` for each stack named, all in one process (Pulumi and pulumi_aws imported once, not
once per stack: most of a fresh ``python -m plan``).

Usage: ``venv/bin/python -m tools.policy_graphs OUT DIR STACK...``. The Makefile names the stacks, so
a stack file that a running test writes for a moment is never planned.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from plan.__main__ import main as plan


def main(argv: list[str]) -> int:
    out, stacks_dir, *stacks = argv
    for stack in stacks:
        print(f"planning {stack} ({stacks_dir})", flush=True)
        arguments = [
            stack,
            "--stacks-dir",
            stacks_dir,
            "--no-diagram",
            "--json",
            str(Path(out) / f"{stack}.json"),
        ]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                status = plan(arguments)
        except SystemExit as stop:  # bad input: plan has printed its one paragraph to stderr
            status = stop.code if isinstance(stop.code, int) else 1
        if status:
            return status
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # as python -m plan does: no spurious event-loop noise at interpreter shutdown
