"""What ``webstack:databases`` and ``webstack:caches`` share: the rule for a store's name, and the
stable AWS identifier this program derives from it."""

from __future__ import annotations

import re

STORE_NAME = re.compile(r"^(?=.{1,16}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
"""Database and cache names: short lowercase words joined by single dashes, so every derived AWS name
stays in its limits (ElastiCache replication group ids are at most 40 lowercase characters) and rules: RDS
and ElastiCache identifiers and snapshot names start with a letter and have no ``--`` and no trailing
``-`` (CreateDBInstance DBInstanceIdentifier, CreateReplicationGroup ReplicationGroupId)."""
STORE_NAME_FIX = (
    "use 1-16 lowercase letters and digits, words joined by single dashes, starting with a letter and "
    "not ending with a dash, e.g. main or order-db"
)


def identifier(project: str, stack: str, name: str) -> str:
    """``webstack-prod-main``: an explicit, stable AWS identifier (lowercase, no double or trailing dash).

    RDS needs one known before creation (its log groups are named after it), and it is ForceNew, so the
    formula must never change.
    """
    raw = f"{project}-{stack}-{name}".lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
