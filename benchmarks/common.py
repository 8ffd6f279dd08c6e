"""Shared helpers for benchmarks: timing statistics and table printing."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def summarise(seconds: Sequence[float]) -> dict[str, float]:
    """Mean, p50 and p99 of a list of durations, in milliseconds."""
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0, "mean_ms": 0.0, "p50_ms": 0.0, "p99_ms": 0.0}

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "n": len(ordered),
        "mean_ms": statistics.fmean(ordered) * 1000,
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
    }


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a small aligned table with a title."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(f"\n## {title}")
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)
