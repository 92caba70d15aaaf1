"""Values the front-door components and the stack's schema share (pure, no Pulumi imports).

The Args of :mod:`components.frontdoor` use these enums and defaults, and so does the schema of the
stack file; keeping them here lets a stack file be validated without importing the resource SDKs.
"""

from __future__ import annotations

import enum

HEALTH_CHECK_INTERVAL_SECONDS = 10
"""Seconds between two checks of a target by the load balancer."""
HEALTH_CHECK_TIMEOUT_SECONDS = 5
"""Seconds a target has to answer one check."""
HEALTHY_THRESHOLD = 2
"""Consecutive passed checks before a target receives traffic."""
UNHEALTHY_THRESHOLD = 3
"""Consecutive failed checks before a target stops receiving traffic."""
HEALTH_CHECK_MATCHER = "200-399"
"""The HTTP codes a healthy target answers."""


class RuleGroupAction(enum.StrEnum):
    """What a managed rule group does with the requests its rules match."""

    OFF = "off"
    """Not in the web ACL."""
    COUNT = "count"
    """Evaluated and counted in metrics and logs, never blocked (for tuning false positives)."""
    BLOCK = "block"
    """Matches are blocked."""


class BucketRemoval(enum.StrEnum):
    """What removing a bucket from the stack does to it and the objects in it."""

    DELETE_WITH_OBJECTS = "deleteWithObjects"
    """Empty it and delete it (``force_destroy``): S3 refuses to delete a bucket that holds objects
    (BucketNotEmpty), and the provider empties it first only when told (TF src s3/bucket.go)."""
    RETAIN = "retain"
    """Keep it, its objects and its settings in AWS (``retain_on_delete``): only the stack forgets it;
    delete it by hand after a backup."""


class PriceClass(enum.StrEnum):
    """Which edge locations serve the content (and what they cost)."""

    NORTH_AMERICA_EUROPE = "PriceClass_100"
    """North America and Europe."""
    WITH_ASIA_AFRICA = "PriceClass_200"
    """North America, Europe, Asia, the Middle East and Africa."""
    ALL = "PriceClass_All"
    """Every edge location."""
