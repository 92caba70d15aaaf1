"""Plain-text helpers of the plan's output: aligned tables and numbers as text."""

from __future__ import annotations

from typing import Any


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for number, row in enumerate(rows):
        out.append(
            "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if number == 0:
            out.append("  " + "  ".join("-" * width for width in widths))
    return out


def number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)
