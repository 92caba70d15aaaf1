"""``webstack:buckets``: a map of named app buckets, their environment defaults and their checks.

Which services may read or write a bucket is declared by each service (``services.<name>.buckets``)
and granted by its task role; :mod:`stack.wiring.storage` turns :class:`BucketSettings` into
:class:`components.storage.AppBucketArgs`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, StrictInt

from components.pure.frontdoor import BucketRemoval
from stack.datastores import STORE_NAME, STORE_NAME_FIX
from stack.schema import Environment, StrictModel

MIN_STANDARD_IA_DAYS = 30
"""S3 moves objects to Standard-IA only after 30 days in Standard (AWS S3
``lifecycle-transition-general-considerations.html``: "minimum 30 days")."""


@dataclass(frozen=True)
class BucketDefaults:
    """What an environment's buckets get unless the stack file says otherwise."""

    noncurrent_version_days: int
    removal: BucketRemoval
    protect: bool


BUCKET_DEFAULTS: dict[Environment, BucketDefaults] = {
    # dev: a removed bucket is emptied and deleted (force_destroy), old versions go after a week.
    Environment.DEV: BucketDefaults(
        noncurrent_version_days=7, removal=BucketRemoval.DELETE_WITH_OBJECTS, protect=False
    ),
    # prod: `pulumi up` refuses to delete a bucket (protect) and, once unprotected by the documented
    # procedure, keeps it in AWS (retain_on_delete, no force_destroy): data is never lost to a config edit.
    Environment.PROD: BucketDefaults(noncurrent_version_days=90, removal=BucketRemoval.RETAIN, protect=True),
}


class BucketConfig(StrictModel):
    """``buckets.<name>``: one private, versioned, encrypted S3 bucket the services can use."""

    noncurrent_version_days: StrictInt | None = Field(
        default=None,
        alias="noncurrentVersionDays",
        ge=1,
        le=3650,
        description="Days an overwritten or deleted object's old version is kept (1-3650). "
        "Default: dev 7, prod 90.",
        json_schema_extra={"fix": "use days from 1 to 3650, e.g. 30"},
    )
    transition_to_ia_days: StrictInt | None = Field(
        default=None,
        alias="transitionToInfrequentAccessDays",
        ge=MIN_STANDARD_IA_DAYS,
        le=3650,
        description="Days after which objects move to S3 Standard-IA (30-3650; S3's minimum is 30). "
        "Default: none (they stay in Standard).",
        json_schema_extra={"fix": "use days from 30 to 3650, or remove the key"},
    )
    abort_incomplete_upload_days: StrictInt = Field(
        default=7,
        alias="abortIncompleteUploadDays",
        ge=1,
        le=365,
        description="Days after which an unfinished multipart upload is aborted (1-365). Default 7.",
        json_schema_extra={"fix": "use days from 1 to 365"},
    )


@dataclass(frozen=True)
class BucketSettings:
    """One bucket as validated, with its environment's defaults applied."""

    name: str
    noncurrent_version_days: int
    transition_to_ia_days: int | None
    abort_incomplete_upload_days: int
    removal: BucketRemoval
    protect: bool


def bucket_settings(
    buckets: Mapping[str, BucketConfig], env: Environment
) -> tuple[tuple[BucketSettings, ...], list[str]]:
    """Every bucket with its defaults applied, and every problem found."""
    defaults = BUCKET_DEFAULTS[env]
    problems = [
        f"webstack:buckets.{name}: the name {json.dumps(name)} is not usable; {STORE_NAME_FIX}"
        for name in buckets
        if not STORE_NAME.match(name)
    ]
    resolved = tuple(
        BucketSettings(
            name=name,
            noncurrent_version_days=config.noncurrent_version_days or defaults.noncurrent_version_days,
            transition_to_ia_days=config.transition_to_ia_days,
            abort_incomplete_upload_days=config.abort_incomplete_upload_days,
            removal=defaults.removal,
            protect=defaults.protect,
        )
        for name, config in buckets.items()
    )
    return resolved, problems


def bucket_access_problems(
    buckets: Mapping[str, BucketConfig], services: Mapping[str, object]
) -> tuple[list[str], list[str]]:
    """Every ``services.<name>.buckets`` entry names a declared bucket; warns of buckets nobody uses."""
    problems, used = [], set()
    known = ", ".join(buckets) or "none"
    for service_name, service in services.items():
        for wanted in getattr(service, "buckets", {}):
            used.add(wanted)
            if wanted not in buckets:
                problems.append(
                    f"webstack:services.{service_name}.buckets: got {json.dumps(wanted)}, but "
                    f"webstack:buckets has no such bucket (declared: {known}); name one of them or "
                    "declare it there"
                )
    warnings = [
        f"bucket {name}: no service declares it (services.<name>.buckets), so no app can use it"
        for name in buckets
        if name not in used
    ]
    return problems, warnings


__all__ = ["BUCKET_DEFAULTS", "BucketConfig", "BucketSettings", "bucket_access_problems", "bucket_settings"]
