"""The plan's "Images" section: per service, the image the stack runs, by digest where one is known.

What offline can know: a pinned ``image:`` is in the stack file (a digest if it has ``@sha256:``); a
promoted image is in the promotion record (``--promotion FILE``, the artifact the first stage's deploy
job uploads): its digest, and that the first stage ran it, since the record is written only after that
stage's ``pulumi up`` succeeded. An image built by this stack has no digest before ``pulumi up`` builds
it, and no other stage has run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.graph import Graph
from plan.mocks import AWSX_IMAGE
from stack.promotion import PromotionRecord, digest_of


def images(captured: Graph, record: PromotionRecord | None = None) -> list[dict[str, Any]]:
    """One row per service: ``service``, ``source`` (built, promoted, pinned), ``image``, ``digest``
    (None until built) and ``ranBy`` (the stage known to have run that digest, or None)."""
    outputs: Mapping[str, str] = captured.get("outputs", {}).get("images") or {}
    built = {
        r["name"].removesuffix("-image"): r["inputs"]
        for r in captured["resources"]
        if r["type"] == AWSX_IMAGE
    }
    promoted = dict(record.images) if record is not None else {}
    rows = []
    for service, image in sorted(outputs.items()):
        if service in built:
            inputs = built[service]
            rows.append(
                {
                    "service": service,
                    "source": "built",
                    "image": f"{inputs.get('context')} -> tag {inputs.get('imageTag')}",
                    "digest": None,
                    "ranBy": None,
                }
            )
        elif service in promoted and record is not None:
            ran = f"{record.stage} at {record.commit[:12]}" if record.commit else record.stage
            rows.append(_row(service, "promoted", image, ran))
        else:
            rows.append(_row(service, "pinned", image, None))
    return rows


def _row(service: str, source: str, image: str, ran_by: str | None) -> dict[str, Any]:
    return {"service": service, "source": source, "image": image, "digest": digest_of(image), "ranBy": ran_by}


def render(rows: list[dict[str, Any]], stack: str, record: PromotionRecord | None) -> list[str]:
    """The section's lines."""
    lines = [f"Images ({stack}: the image each service runs)"]
    if not rows:
        return [*lines, "  no services"]
    width = max(len(row["service"]) for row in rows)
    for row in rows:
        digest = row["digest"] or "unknown until `pulumi up` builds it"
        if row["source"] == "built":
            note = "built by this stack's `pulumi up`: no other stage has run it"
        elif row["source"] == "promoted":
            note = f"promoted by digest: {row['ranBy']} ran it"
        elif row["digest"] is None:
            note = "pinned by tag: a tag can move; pin @sha256 to know what runs"
            digest = "none (a tag)"
        else:
            note = "pinned in the stack file"
        lines.append(f"  {row['service']:<{width}}  {row['source']:<8}  {digest}")
        lines.append(f"  {'':<{width}}  {'':<8}  {row['image']}  ({note})")
    if record is None and any(row["source"] == "built" for row in rows):
        lines.append(
            "  A later stage's deploy job runs the first stage's digests instead of building: plan it "
            "with --promotion FILE (that run's promotion record) to see them."
        )
    return lines
