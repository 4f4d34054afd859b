"""Numbers formatted for reading (STYLE.md): 12.3k members, USD 21.60, 78%, 1.2M."""

from __future__ import annotations

import math
from typing import Any

NA = "n/a"


def compact(x: float) -> str:
    """12,345 -> 12.3k; 1,234,567 -> 1.2M; small numbers unchanged."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            scaled = x / size
            text = f"{scaled:.1f}" if abs(scaled) < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{x:,.0f}"


def format_value(value: Any, kind: str) -> str:
    """Display text of an indicator value of format kind int|pct|usd|decimal."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NA
    x = float(value)
    if kind == "pct":
        return f"{x:.0%}" if abs(x) >= 0.1 else f"{x:.1%}"
    if kind == "usd":
        if abs(x) >= 10_000:
            return f"USD {compact(x)}"
        return f"USD {x:,.2f}" if abs(x) < 1000 else f"USD {x:,.0f}"
    if kind == "int":
        return compact(x) if abs(x) >= 10_000 else f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"
