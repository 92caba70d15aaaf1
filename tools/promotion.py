"""``python -m tools.promotion record|wait|running``: the deploy workflow's two promotion steps, and the
running record of a pull request's preview.

``record`` (after the first stage's ``pulumi up``): the stage's ``images`` output (``pulumi stack output
--json``) of its ``build:`` services -> a promotion record (stack/promotion.py), uploaded as an artifact.

``wait`` (in a later stage's job, before its ``pulumi up``): ECR replicates asynchronously, so wait until
every promoted digest is in this stage's own registry (``ecr:DescribeImages`` by digest), or fail naming
the missing ones and what to check. Replication usually completes within minutes; the default timeout is
generous.

``running`` (in a pull request's preview job of a later stage): the stage's own ``images`` output -> a
running record (stack/promotion.py) handed to the preview, so it declares the digests the stage runs
instead of a build the deploy would never do.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plan.engine import PROJECT_ROOT
from plan.stack_files import stack_config
from stack.errors import decode
from stack.promotion import (
    ECR_IMAGE,
    PromotionRecord,
    in_registry,
    read_record,
    record_from_outputs,
    running_record,
)

DEFAULT_TIMEOUT = 1800
POLL_SECONDS = 15


def built_services(stack: str, root: Path = PROJECT_ROOT) -> set[str]:
    """The services of ``Pulumi.<stack>.yaml`` that build their image (``build:``), and its jobs that do
    (``jobs.<name>``, their key in the ``jobImages`` output and the record)."""
    config = stack_config(stack, root)
    services = decode(config.get("webstack:services", "{}")) or {}
    jobs = decode(config.get("webstack:jobs", "{}")) or {}
    return {
        name for name, service in services.items() if isinstance(service, dict) and "build" in service
    } | {f"jobs.{name}" for name, job in jobs.items() if isinstance(job, dict) and "build" in job}


def record(
    stage: str, commit: str, outputs_file: Path, out: Path, root: Path = PROJECT_ROOT
) -> PromotionRecord:
    outputs = json.loads(outputs_file.read_text())
    promoted = record_from_outputs(stage, commit, outputs, built_services(stage, root))
    out.write_text(promoted.to_json())
    return promoted


def running(stage: str, outputs_file: Path, out: Path, root: Path = PROJECT_ROOT) -> PromotionRecord:
    runs = running_record(stage, json.loads(outputs_file.read_text()), built_services(stage, root))
    out.write_text(runs.to_json())
    return runs


def missing_images(ecr: Any, promoted: PromotionRecord, account: str, region: str) -> list[str]:
    """The promoted images not (yet) in ``account``'s registry in ``region``."""
    missing = []
    for image in promoted.images.values():
        match = ECR_IMAGE.match(in_registry(image, account, region))
        assert match is not None
        try:
            ecr.describe_images(
                registryId=account,
                repositoryName=match["repository"],
                imageIds=[{"imageDigest": match["digest"]}],
            )
        except ecr.exceptions.ImageNotFoundException:
            missing.append(f"{match['repository']}@{match['digest']}")
        except ecr.exceptions.RepositoryNotFoundException:
            missing.append(f"{match['repository']} (no repository yet)")
    return missing


def wait(
    promoted: PromotionRecord,
    ecr: Any,
    account: str,
    region: str,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Poll until every image is replicated; returns what is still missing at the timeout."""
    deadline = clock() + timeout
    while True:
        missing = missing_images(ecr, promoted, account, region)
        if not missing or clock() >= deadline:
            return missing
        sleep(POLL_SECONDS)


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.promotion", description=(__doc__ or "").split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("record", help="write the first stage's promotion record")
    p.add_argument("--stage", required=True)
    p.add_argument("--commit", required=True)
    p.add_argument("--outputs", required=True, type=Path, help="`pulumi stack output --json` of the stage")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("running", help="write what a stage runs now, for its pull-request preview")
    p.add_argument("--stage", required=True)
    p.add_argument("--outputs", required=True, type=Path, help="`pulumi stack output --json` of the stage")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("wait", help="wait until ECR replicated every promoted digest into this stage")
    p.add_argument("--record", required=True)
    p.add_argument("--stage", required=True, help="the stage about to deploy (its stack file's account)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    options = parser.parse_args(argv)
    if options.command == "record":
        try:
            done = record(options.stage, options.commit, options.outputs, options.out, root)
        except (ValueError, OSError) as error:
            print(f"promotion record: {error}", file=sys.stderr)
            return 1
        print(f"recorded {', '.join(sorted(done.images))} of {done.stage} in {options.out}")
        return 0
    if options.command == "running":
        try:
            runs = running(options.stage, options.outputs, options.out, root)
        except (ValueError, OSError) as error:
            print(f"running record: {error}", file=sys.stderr)
            return 1
        names = ", ".join(sorted(runs.images)) or "no built image yet"
        print(f"{options.stage} runs {names}; in {options.out}")
        return 0
    promoted, problems = read_record(options.record)
    if promoted is None:
        print("\n".join(problems), file=sys.stderr)
        return 1
    config = stack_config(options.stage, root)
    accounts = decode(config.get("aws:allowedAccountIds", "[]")) or []
    region = str(config.get("aws:region", ""))
    if len(accounts) != 1:
        print(
            f"Pulumi.{options.stage}.yaml: pin aws:allowedAccountIds to the stage's one account",
            file=sys.stderr,
        )
        return 1
    import boto3  # only here: record and the tests need no AWS SDK session

    missing = wait(
        promoted, boto3.client("ecr", region_name=region), str(accounts[0]), region, options.timeout
    )
    if missing:
        print(
            f"not replicated into {accounts[0]} ({region}) after {options.timeout:.0f} s: "
            f"{', '.join(missing)}. Check the replication rule of {promoted.stage}'s registry (the "
            "bootstrap's replicateImagesTo) and this account's registry policy (acceptImagesFrom); "
            "docs/releasing.md.",
            file=sys.stderr,
        )
        return 1
    print(f"every promoted image of {promoted.stage} is in {accounts[0]}'s registry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
