"""Numbers formatted for reading (STYLE.md): 12.3k members, USD 21.60, 78%, 1.2M.

Money is computed in USD; the display currency (USD, DKK or EUR) converts a USD figure at the
pool's rate of the figure's year (INDICATORS.md: a display option).

No function here raises on a value: whatever the pool holds (an older pool, a bug, a direct
write), a page writes it. What is not a finite number (None, NaN, infinity, a blank of
pandas, text) reads "n/a"; a number too large to be written in full (1e300 members) is
written in scientific notation in the language's way (1.2E300, Danish 1,2E300).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, format_scientific

from dashboard.core import i18n
from dashboard.core.i18n import N_, _

NA = N_("n/a")
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
        return self.per_usd[self.rate_year(year)]

    def rate_year(self, year: int) -> int:
        """The year whose rate rate(year) takes: `year`, else the nearest that has one."""
        if year in self.per_usd or not self.per_usd:
            return year
        return min(self.per_usd, key=lambda y: (abs(y - year), -y))

    def convert(self, usd: Any, year: int) -> float | None:
        """A USD figure in this currency; None where either is not a finite number."""
        value = finite(usd)
        if value is None:
            return None
        return finite(value * self.rate(year))


USD = Currency()


def _locale() -> str:
    return i18n.babel_locale()


# Beyond these, a number is written in scientific notation (1.2E15): its digits in full would
# be a line of their own, and a double's last ones are noise anyway (2**53 is about 9.0E15).
LARGEST_WRITTEN = 1e15
LARGEST_COMPACT = 1e12  # 999B is the largest compact number; 1,000B is written 1E12


def finite(value: Any) -> float | None:
    """`value` as a finite float; None for what is not one (None, NaN, infinity, pandas'
    blanks, words, an integer too large for a float)."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def _scientific(x: float, sign: bool = False) -> str:
    """A number far too large to write in full, in the language's scientific notation with
    two significant digits: 1.2E300 (en), 1,2E300 (da, fr)."""
    pattern = "0.#E0"
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return format_scientific(Decimal(f"{x:.1e}"), format=pattern, locale=_locale())


def number(x: Any, decimals: int = 0, sign: bool = False) -> str:
    """x with the locale's separators: 1,234.5 (en), 1.234,5 (da), 1 234,5 (fr); "n/a" for
    what is not a finite number, scientific notation past LARGEST_WRITTEN."""
    value = finite(x)
    if value is None:
        return na()
    if abs(value) >= LARGEST_WRITTEN:
        return _scientific(value, sign)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    # rounded as Python rounds the float (Babel would round its decimal text half-even)
    exact = Decimal(f"{value:.{decimals}f}")
    return format_decimal(exact, format=pattern, locale=_locale(), decimal_quantization=True)


def percent(x: Any, decimals: int = 0, sign: bool = False) -> str:
    """A share in the locale's way: 78% (en), 78 % (da, fr); "n/a" for what is not a finite
    number, the per cents in scientific notation past LARGEST_WRITTEN."""
    value = finite(x)
    if value is None or not math.isfinite(value * 100):
        return na()
    base = Locale.parse(_locale()).percent_formats[None].pattern.split(";")[0]
    if abs(value * 100) >= LARGEST_WRITTEN:  # the language's % sign around the number
        hundred = format_percent(1, format=base, locale=_locale())
        return hundred.replace(number(100), _scientific(value * 100, sign))
    pattern = base.replace("#,##0", "#,##0" + ("." + "0" * decimals if decimals else ""), 1)
    if sign:
        pattern = f"+{pattern};-{pattern}"
    exact = Decimal(f"{value * 100:.{decimals}f}") / 100  # (rounded as Python rounds the float)
    return format_percent(exact, format=pattern, locale=_locale(), decimal_quantization=True)


def compact(x: Any) -> str:
    """12,345 -> 12.3k; 1,234,567 -> 1.2M; small numbers unchanged. Every language writes
    the suffixes the charts' axes write (k, M: plotly's SI prefixes, which it does not
    translate) with its own decimal mark: Danish 12,3k and 1,2M, so that a tile and the
    axis beside it read alike. Past LARGEST_COMPACT in scientific notation (1.2E15); "n/a"
    for what is not a finite number."""
    value = finite(x)
    if value is None:
        return na()
    if abs(value) >= LARGEST_COMPACT:
        return _scientific(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            text = number(scaled, 1 if abs(scaled) < 100 else 0)
            return text.removesuffix(number(0, 1)[1:]) + suffix  # 12.0k -> 12k
    return number(value)


def money(x: Any, currency: str, decimals: int = 0) -> str:
    """USD 21.60 in English; 21,60 USD in Danish and French (the code after the amount);
    "n/a" for what is not a finite number."""
    if finite(x) is None:
        return na()
    amount = compact(x) if decimals < 0 else number(x, decimals)
    return f"{currency} {amount}" if _locale() == "en" else f"{amount}\u00a0{currency}"


def format_value(value: Any, kind: str, currency: str = "USD") -> str:
    """Display text of an indicator value of format kind int|pct|usd|decimal ("n/a" for
    what is not a finite number).

    For kind "usd" the value must already be in `currency` (see Currency.convert)."""
    x = finite(value)
    if x is None:
        return na()
    decimals = shown_decimals(x, kind)
    if kind == "pct":
        return percent(x, decimals or 0)
    if kind == "usd":
        return money(x, currency, -1 if decimals is None else decimals)
    if kind == "int":
        return compact(x) if decimals is None else number(x)
    return number(x, decimals or 0)


def shown_decimals(x: float, kind: str) -> int | None:
    """The decimals format_value writes `x` of format kind `kind` with (of the per cents, for
    "pct"); None where it writes it compact (12.3k, USD 1.2M). Files that hold the value
    round it so (dashboard.exports), so that they show what the screen shows."""
    if kind == "pct":
        return 0 if abs(x) >= 0.1 else 1
    if kind == "usd":
        if abs(x) >= 10_000:
            return None
        return 2 if abs(x) < 1000 else 0
    if kind == "int":
        return None if abs(x) >= 10_000 else 0
    return 1 if abs(x) < 100 else 0


def in_currency(text: str, currency: str) -> str:
    """A unit or a definition written for USD ("USD per member", "converted to USD") as it
    reads of money shown in `currency` (every money figure is converted from USD)."""
    return text if currency == "USD" else re.sub(r"\bUSD\b", currency, text)


def na() -> str:
    """The text of a value that cannot be computed."""
    return _(NA)


def format_change(now: Any, before: Any, kind: str) -> tuple[str, int] | None:
    """The change from `before` to `now` as text and its sign (+1, -1, 0).

    Shares change in percentage points; everything else in per cent of the earlier value."""
    now, before = finite(now), finite(before)
    if now is None or before is None:
        return None
    if kind == "pct":
        delta = (now - before) * 100
        if not math.isfinite(delta):
            return None
        sign = (delta > 0.05) - (delta < -0.05)
        # percentage points, abbreviated
        points = _("pp")  # TRANSLATORS: percentage points, abbreviated
        return f"{number(delta, 1, sign=True)} {points}", sign
    if before == 0:
        return None
    rel = (now - before) / abs(before)
    if not math.isfinite(rel):
        return None
    sign = (rel > 0.0005) - (rel < -0.0005)
    return (percent(rel, 0, sign=True) if abs(rel) >= 0.1 else percent(rel, 1, sign=True)), sign


def date_text(d: date) -> str:
    """A date for reading: 30 Sep 2025 (en), 30.09.2025 (da), 30/09/2025 (fr)."""
    locale = _locale()
    if locale == "en":
        return d.strftime("%d %b %Y").lstrip("0")
    return format_date(d, "short" if locale != "da" else "dd.MM.y", locale=locale)


def plotly_separators() -> str:
    """plotly's layout.separators (decimal mark, then thousands) of the language in force."""
    locale = Locale.parse(_locale())
    return locale.number_symbols["latn"]["decimal"] + locale.number_symbols["latn"]["group"]


def plotly_format(kind: str) -> str:
    """A d3 format for axis ticks and hover of an indicator format."""
    return {"pct": ".0%", "usd": ",.2f", "int": ",.0f"}.get(kind, ",.1f")
