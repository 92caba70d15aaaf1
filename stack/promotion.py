"""Build once, promote by digest: the promotion record and what a later stage runs from it.

The first stage of ``.github/stages.yml`` builds every ``build:`` service on its ``pulumi up`` and
exports each image by digest (the ``images`` output). Its deploy job writes those into a *promotion
record* (``python -m tools.promotion record``), a JSON file the later stages' jobs download. A later
stage's program reads the record named by ``WEBSTACK_PROMOTION`` and runs each built service from
that exact digest instead of building: the image ECR replicated into the stage's own registry (the
bootstrap's replication rule, docs/releasing.md), so prod never pulls from dev's account at run time.

Without ``WEBSTACK_PROMOTION`` (a laptop, the first stage) a stack builds as before. Pure: no Pulumi.

A pull request's preview of a later stage reads a *running record* instead (``python -m tools.promotion
running``: the images the stage runs now, from its own ``images`` output): without one, the program would
declare a docker-build image where the deployed stack has none (its deploy ran the promoted digest), and
the preview announced an image to create and a new task definition although merging changes neither.
With it, the preview declares what the deploy declared: the image shows as unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PROMOTION_ENV = "WEBSTACK_PROMOTION"
"""The environment variable naming a promotion record file; unset: build as usual."""
RECORD_FORMAT = "webstack-promotion/1"

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*)@(?P<digest>sha256:[0-9a-f]{64})$"
)
"""An ECR image by digest, as awsx.ecr.Image's ``imageUri`` gives it (``<repositoryUrl>@<digest>``,
pulumi-awsx awsx/ecr/image.ts)."""


@dataclass(frozen=True)
class PromotionRecord:
    """The images one stage built and ran, by service, at one commit."""

    stage: str
    """The stack that built and ran them (the first stage)."""
    commit: str
    """The git commit they were built from."""
    images: Mapping[str, str]
    """Service -> ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<hex>``."""
    running: bool = False
    """A record of what ``stage`` runs now (for its previews), not a promotion: a built service missing
    from it is not deployed there yet and is previewed as a build; one it names that the stack no
    longer builds is ignored."""

    def to_json(self) -> str:
        document: dict[str, Any] = {"format": RECORD_FORMAT, "stage": self.stage, "commit": self.commit}
        if self.running:
            document["running"] = True
        return json.dumps({**document, "images": dict(sorted(self.images.items()))}, indent=2) + "\n"


JOB_IMAGES = "jobImages"
"""The stack output of built jobs' images, ``jobs.<name>`` -> image by digest (stack/exports.py); a
record holds them beside the services' under the same keys."""


def _section(name: str) -> str:
    """The stack-file key of a record entry: ``services.<name>``, or ``jobs.<name>`` as it stands."""
    return name if name.startswith("jobs.") else f"services.{name}"


def built_images(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The ``images`` and ``jobImages`` outputs of a deployed stage, merged."""
    return {**dict(outputs.get("images") or {}), **dict(outputs.get(JOB_IMAGES) or {})}


def digest_of(image: str | None) -> str | None:
    """The ``sha256:...`` digest an image reference pins, or None (a tag, or nothing)."""
    if not image or "@" not in image:
        return None
    digest = image.rsplit("@", 1)[1]
    return digest if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else None


def record_from_outputs(
    stage: str, commit: str, outputs: Mapping[str, Any], built: set[str]
) -> PromotionRecord:
    """The record of a deployed stage: the ``images`` output of its ``build:`` services.

    Raises ValueError naming an image that is not an ECR image by digest.
    """
    images = {name: str(ref) for name, ref in built_images(outputs).items() if name in built}
    bad = [f"{name}: {ref}" for name, ref in sorted(images.items()) if not ECR_IMAGE.match(ref)]
    if bad:
        raise ValueError(f"images of {stage} are not ECR images by digest: {'; '.join(bad)}")
    missing = sorted(built - set(images))
    if missing:
        raise ValueError(
            f"the images output of {stage} has no {', '.join(missing)}; was its deploy complete?"
        )
    return PromotionRecord(stage, commit, images)


def running_record(stage: str, outputs: Mapping[str, Any], built: set[str]) -> PromotionRecord:
    """What ``stage`` runs now: the ``images`` output of its ``build:`` services that it deployed.

    Raises ValueError naming an image that is not an ECR image by digest.
    """
    images = {name: str(ref) for name, ref in built_images(outputs).items() if name in built}
    bad = [f"{name}: {ref}" for name, ref in sorted(images.items()) if not ECR_IMAGE.match(ref)]
    if bad:
        raise ValueError(f"images of {stage} are not ECR images by digest: {'; '.join(bad)}")
    return PromotionRecord(stage, "", images, running=True)


def parse_record(text: str, source: str) -> tuple[PromotionRecord | None, list[str]]:
    """A record read from ``source`` (for messages), or the problems in it."""
    key = f"{PROMOTION_ENV}: {source}"
    try:
        document = json.loads(text)
    except ValueError as error:
        return None, [
            f"{key} is not JSON ({error}); point it at the file `python -m tools.promotion record` wrote"
        ]
    if not isinstance(document, dict) or document.get("format") != RECORD_FORMAT:
        return None, [f"{key} is not a promotion record (want \"format\": \"{RECORD_FORMAT}\"); rewrite it "
                      "with `python -m tools.promotion record`"]  # fmt: skip
    images = document.get("images")
    if not isinstance(images, dict) or not all(isinstance(v, str) for v in images.values()):
        return None, [f"{key}: images must map each service to an image; rewrite the record"]
    problems = [
        f"{key}: images.{name}: got {json.dumps(ref)}, but a promoted image is an ECR image by digest "
        "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>); rewrite the record"
        for name, ref in sorted(images.items())
        if not ECR_IMAGE.match(ref)
    ]
    stage, commit = str(document.get("stage", "")), str(document.get("commit", ""))
    record = PromotionRecord(stage, commit, images, running=document.get("running") is True)
    return (None if problems else record), problems


def in_registry(image: str, account: str, region: str) -> str:
    """The same repository and digest in ``account``'s registry in ``region`` (where ECR replicated it)."""
    match = ECR_IMAGE.match(image)
    if match is None:
        raise ValueError(f"{image} is not an ECR image by digest")
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{match['repository']}@{match['digest']}"


def promoted_images(
    record: PromotionRecord, source: str, built: set[str], accounts: tuple[str, ...], region: str
) -> tuple[dict[str, str], list[str]]:
    """Service -> the image this stage runs, from the record; or the problems.

    Every service this stage builds must be in the record (else this stage would build it: not the
    image the first stage ran), and the record names no service this stage does not build.
    """
    key = f"{PROMOTION_ENV}: {source}"
    if record.running:  # a preview: what the stage runs now, whatever this commit adds or drops
        record = replace(record, images={n: ref for n, ref in record.images.items() if n in built})
        built = set(record.images)
    problems = [
        f"{key}: the record of {record.stage or 'its stage'} has no image for {_section(name)}, which this "
        f"stack builds; deploy {record.stage or 'the first stage'} with it first, or record again"
        for name in sorted(built - set(record.images))
    ]
    problems += [
        f"{key}: images.{name}: this stack has no {_section(name)} with build:; promote only the services "
        "both stacks build (an image: service is pinned in each stack file)"
        for name in sorted(set(record.images) - built)
    ]
    if len(accounts) != 1:
        problems.append(
            f"{key}: got aws:allowedAccountIds {list(accounts)}, but a promoted image is run from this "
            "stack's own registry; pin the stack to its one account"
        )
    if problems:
        return {}, problems
    return {name: in_registry(ref, accounts[0], region) for name, ref in record.images.items()}, []


def read_record(path: str) -> tuple[PromotionRecord | None, list[str]]:
    """The record file named by ``WEBSTACK_PROMOTION``, or why it cannot be read."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        return None, [
            f"{PROMOTION_ENV}: got {json.dumps(path)}, but it cannot be read ({error.strerror}); download "
            "the promotion artifact of the run, or unset it to build here"
        ]
    return parse_record(text, path)


def with_promotion(
    services: tuple[Any, ...], images: Mapping[str, str], key: str = "name"
) -> tuple[Any, ...]:
    """The services (or jobs, ``key="image_key"``) with ``promoted_image`` set where the record promotes
    one."""
    return tuple(
        replace(item, promoted_image=images[getattr(item, key)]) if getattr(item, key) in images else item
        for item in services
    )
