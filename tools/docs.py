"""``python -m tools.docs [--check]``: write the generated documentation (``make docs``).

- docs/configuration-reference.md: every stack-file key, from the schema (:mod:`tools.reference`);
- schema/stack-file.schema.json: the same keys as a JSON Schema for YAML editors (:mod:`tools.stack_schema`);
- docs/container-variables.md: the variables webstack injects into containers
  (:mod:`tools.container_variables`);
- docs/security-controls.md: the AWS Security Hub FSBP control map (:mod:`tools.security_controls`).

With ``--check`` nothing is written: the command names every stale file and exits 1
(tests/plan/test_docs.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from plan.engine import PROJECT_ROOT
from tools import container_variables, reference, security_controls, stack_schema

GENERATED: dict[str, Callable[[], str]] = {
    "docs/configuration-reference.md": reference.markdown,
    "schema/stack-file.schema.json": lambda: json.dumps(stack_schema.stack_file_schema(), indent=2) + "\n",
    "docs/container-variables.md": container_variables.markdown,
    "docs/security-controls.md": security_controls.markdown,
}
"""Each generated file (relative to the repository) and what writes its text."""


def stale(root: Path = PROJECT_ROOT) -> list[str]:
    """The generated files whose committed text differs from what the code generates now."""
    return [
        path
        for path, generate in GENERATED.items()
        if not (root / path).exists() or (root / path).read_text() != generate()
    ]


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.docs", description="Write the generated docs.")
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    options = parser.parse_args(argv)
    if options.check:
        files = stale(root)
        for path in files:
            print(f"{path} is stale: run make docs")
        return 1 if files else 0
    for path, generate in GENERATED.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generate())
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
