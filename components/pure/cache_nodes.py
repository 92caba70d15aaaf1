"""ElastiCache node types webstack accepts: the families of the cache schema and the sizes each offers (pure).

Source: Amazon ElastiCache User Guide, "Supported node types" (``CacheNodes.SupportedTypes.html``):
burstable t3 and t4g come in micro, small and medium; m5 and r5 in large, xlarge, 2xlarge, 4xlarge,
12xlarge and 24xlarge; the Graviton m6g, m7g, r6g and r7g in large to 16xlarge (no 24xlarge). Every
node type accepted here has a price in every shipped table (tests/plan/test_prices.py).
"""

from __future__ import annotations

import re

_BURSTABLE = ("micro", "small", "medium")
_INTEL_5 = ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")
_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")

NODE_SIZES: dict[str, tuple[str, ...]] = {
    "t3": _BURSTABLE,
    "t4g": _BURSTABLE,
    "m5": _INTEL_5,
    "m6g": _GRAVITON,
    "m7g": _GRAVITON,
    "r5": _INTEL_5,
    "r6g": _GRAVITON,
    "r7g": _GRAVITON,
}
"""Family -> the sizes ElastiCache offers in it."""

_NODE_TYPE = re.compile(r"^cache\.(?P<family>[a-z0-9]+)\.(?P<size>[a-z0-9]+)$")


def node_types() -> list[str]:
    """Every node type webstack accepts, e.g. ``cache.t4g.micro``."""
    return [f"cache.{family}.{size}" for family, sizes in NODE_SIZES.items() for size in sizes]


def node_type_problem(node_type: str) -> str | None:
    """Why ElastiCache offers no such node type in the accepted families, or None."""
    match = _NODE_TYPE.match(node_type)
    if match is None or match.group("family") not in NODE_SIZES:
        return "it is not an ElastiCache node type of a current family (t3/t4g, m5-m7g, r5-r7g)"
    family, size = match.group("family"), match.group("size")
    if size not in NODE_SIZES[family]:
        return f"cache.{family} comes in {', '.join(NODE_SIZES[family])}, not {size}"
    return None
