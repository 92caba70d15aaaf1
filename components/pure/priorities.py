"""Listener-rule priorities that never move when other services come and go (pure, no Pulumi).

ALB rules are evaluated by ascending priority and two rules of one listener cannot share one
(``PriorityInUse``). Numbering rules 10, 20, 30... by position renumbers existing rules whenever a
service is added or removed, and the provider then tries to give a rule a priority another rule
still holds (pulumi-aws issue 175). Here a rule's priority depends only on its own service:

    priority = band * 2000 + slot

* ``band`` orders rules from specific to general: rules with host headers first, then path rules
  with longer literal prefixes before shorter ones, so ``/api/v2/*`` precedes ``/api/*`` precedes
  ``/*`` whatever the other services are;
* ``slot`` (100..1999) comes from a hash of the service name, so services in one band rarely
  collide; when two do, config asks for an explicit ``routing.priority`` on one of them.

Every priority is at least 100, so a stack deployed by release 1 (priorities 10, 20, ... for fewer
than ten services) moves each rule to a number no old rule holds: an in-place update, no clash.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

BAND_WIDTH = 2000
FIRST_SLOT = 100
"""Below every release-1 priority's successor: release 1 numbered rules 10, 20, ..."""
MAX_PRIORITY = 50_000
"""The highest priority an ALB listener rule may have."""
HOST_BANDS = 5
PATH_BANDS = 20


def literal_prefix(pattern: str) -> int:
    """How many characters of a path pattern are literal before its first wildcard."""
    cut = [i for i in (pattern.find("*"), pattern.find("?")) if i >= 0]
    return min(cut) if cut else len(pattern)


def band(path_patterns: Sequence[str], host_headers: Sequence[str]) -> int:
    """0..24: lower for more specific rules (hosts first, then longer literal path prefixes)."""
    longest = max((literal_prefix(p) for p in path_patterns), default=0)
    if host_headers:
        return (HOST_BANDS - 1) - min(longest // 6, HOST_BANDS - 1)
    return HOST_BANDS + (PATH_BANDS - 1) - min(longest, PATH_BANDS - 1)


def slot(service: str) -> int:
    """100..1999, from the service name alone."""
    return FIRST_SLOT + zlib.crc32(service.encode()) % (BAND_WIDTH - FIRST_SLOT)


def priority(service: str, path_patterns: Sequence[str], host_headers: Sequence[str]) -> int:
    """The rule priority of a service: a function of its own name and route only."""
    return band(path_patterns, host_headers) * BAND_WIDTH + slot(service)
