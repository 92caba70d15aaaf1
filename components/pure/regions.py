"""Every commercial AWS region and the availability-zone letters it offers (pure data, no Pulumi).

Used twice: the config loader refuses a region that is not here (a typo such as ``eu-wset-1`` fails
with a did-you-mean, naming ``aws:region``), and the offline engine answers
``aws.get_availability_zones`` from it, so ``make plan`` works in every region a user can pick.

Source: AWS documentation, "AWS Regions" (docs.aws.amazon.com/global-infrastructure/latest/regions/
aws-regions.html) and "Availability Zone IDs" (docs.aws.amazon.com/ram/latest/userguide/
working-with-az-ids.html), read for the table's date below. A region AWS opens later is not here:
add one line (its code and zone letters) and the loader, the plan and the tests accept it.

Zone *letters* are mapped to physical zones per account; the *set* of letters is the same for every
account, except in us-west-1 and ap-northeast-1, where older accounts see other letters (the
real ``pulumi up`` reads the account's own zones, so only the offline plan assumes these).
"""

from __future__ import annotations

import difflib

TABLE_DATE = "2026-11-01"
"""When the table was last checked against the AWS documentation."""
TABLE_SOURCE = "AWS documentation: AWS Regions; Availability Zone IDs"

ZONE_LETTERS: dict[str, str] = {
    "af-south-1": "abc",
    "ap-east-1": "abc",
    "ap-east-2": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-southeast-5": "abc",
    "ap-southeast-6": "abc",
    "ap-southeast-7": "abc",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "il-central-1": "abc",
    "me-central-1": "abc",
    "me-south-1": "abc",
    "mx-central-1": "abc",
    "sa-east-1": "abc",
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "bc",
    "us-west-2": "abcd",
}
"""Region code -> the letters of the zones it offers (``eu-west-1`` -> ``eu-west-1a``, ``-1b``, ``-1c``)."""

REGIONS: tuple[str, ...] = tuple(sorted(ZONE_LETTERS))


def zones(region: str) -> list[str]:
    """The zone names a region offers, e.g. ``['eu-west-1a', 'eu-west-1b', 'eu-west-1c']``.

    Raises KeyError for a region that is not in the table.
    """
    return [f"{region}{letter}" for letter in ZONE_LETTERS[region]]


def suggest(region: str) -> str | None:
    """The known region closest to a mistyped one, or None when nothing is close."""
    matches = difflib.get_close_matches(region, REGIONS, n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_region_problem(region: str) -> str:
    """The config error for a region that is not in the table, with a did-you-mean."""
    close = suggest(region)
    fix = f"did you mean {close}?" if close else f"use one of {', '.join(REGIONS)}"
    return (
        f"aws:region: got '{region}', but it is not a commercial AWS region webstack knows; {fix} "
        f"(components/pure/regions.py lists {len(REGIONS)} regions as of {TABLE_DATE}; add a newer one there "
        "with its zone letters)"
    )


ELB_LOG_DELIVERY_ACCOUNTS: dict[str, str] = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}
"""Regions available before August 2022 -> the Elastic Load Balancing account that delivers ALB access
logs there (AWS ELB guide, "Enable access logs for your Application Load Balancer", step 2). Regions
opened later have no such account and deliver only as ``logdelivery.elasticloadbalancing.amazonaws.com``."""
