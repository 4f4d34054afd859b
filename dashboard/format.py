"""Numbers formatted for reading (STYLE.md): 12.3k members, USD 21.60, 78%, 1.2M.

Money is computed in USD; the display currency (USD, DKK or EUR) converts a USD figure at the
pool's rate of the figure's year (INDICATORS.md: a display option).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NA = "n/a"
CURRENCIES = ("USD", "DKK", "EUR")


@dataclass(frozen=True)
class Currency:
    """A display currency: its code and its units per USD by year (empty for USD)."""

    code: str = "USD"
    per_usd: Mapping[int, float] = field(default_factory=dict)

    def rate(self, year: int) -> float:
        """Units per USD in `year`; the nearest year's rate when that year has none."""
        if self.code == "USD" or not self.per_usd:
            return 1.0
        if year in self.per_usd:
            return self.per_usd[year]
        nearest = min(self.per_usd, key=lambda y: (abs(y - year), -y))
        return self.per_usd[nearest]

    def convert(self, usd: Any, year: int) -> float | None:
        if usd is None or (isinstance(usd, float) and not math.isfinite(usd)):
            return None
        return float(usd) * self.rate(year)


USD = Currency()


def compact(x: float) -> str:
    """12,345 -> 12.3k; 1,234,567 -> 1.2M; small numbers unchanged."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            scaled = x / size
            text = f"{scaled:.1f}" if abs(scaled) < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{x:,.0f}"


def format_value(value: Any, kind: str, currency: str = "USD") -> str:
    """Display text of an indicator value of format kind int|pct|usd|decimal.

    For kind "usd" the value must already be in `currency` (see Currency.convert)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NA
    x = float(value)
    if kind == "pct":
        return f"{x:.0%}" if abs(x) >= 0.1 else f"{x:.1%}"
    if kind == "usd":
        if abs(x) >= 10_000:
            return f"{currency} {compact(x)}"
        return f"{currency} {x:,.2f}" if abs(x) < 1000 else f"{currency} {x:,.0f}"
    if kind == "int":
        return compact(x) if abs(x) >= 10_000 else f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"


def format_change(now: Any, before: Any, kind: str) -> tuple[str, int] | None:
    """The change from `before` to `now` as text and its sign (+1, -1, 0).

    Shares change in percentage points; everything else in per cent of the earlier value."""
    if now is None or before is None:
        return None
    now, before = float(now), float(before)
    if not (math.isfinite(now) and math.isfinite(before)):
        return None
    if kind == "pct":
        delta = (now - before) * 100
        sign = (delta > 0.05) - (delta < -0.05)
        return f"{delta:+.1f} pp", sign
    if before == 0:
        return None
    rel = (now - before) / abs(before)
    sign = (rel > 0.0005) - (rel < -0.0005)
    return f"{rel:+.0%}" if abs(rel) >= 0.1 else f"{rel:+.1%}", sign


def plotly_format(kind: str) -> str:
    """A d3 format for axis ticks and hover of an indicator format."""
    return {"pct": ".0%", "usd": ",.2f", "int": ",.0f"}.get(kind, ",.1f")
