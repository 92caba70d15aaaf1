"""What ``webstack:databases`` and ``webstack:caches`` share: the rule for a store's name, and the
stable AWS identifier this program derives from it."""

from __future__ import annotations

import re

STORE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
"""Database and cache names: short lowercase words, so every derived AWS name stays in its limits
(ElastiCache replication group ids are at most 40 lowercase characters)."""
STORE_NAME_FIX = "use 1-16 lowercase letters, digits and dashes, starting with a letter, e.g. main"


def identifier(project: str, stack: str, name: str) -> str:
    """``webstack-prod-main``: an explicit, stable AWS identifier (lowercase, no double or trailing dash).

    RDS needs one known before creation (its log groups are named after it), and it is ForceNew, so the
    formula must never change.
    """
    raw = f"{project}-{stack}-{name}".lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
