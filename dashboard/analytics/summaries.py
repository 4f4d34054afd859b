"""A chart in words: one or two sentences from the data a figure draws, for people who do not
see the chart (screen readers read it with the chart; the PowerPoint slide's alt text holds it).

    Members: 1.2k in 2019 to 310k in 2025. Groups: 50 in 2019 to 12.4k in 2025.
    Highest: Uganda (19.2k); lowest: Burundi (1.1k).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go

from dashboard.core.format import compact, finite, na, number, percent
from dashboard.core.i18n import _, ngettext

MOST_LINES = 4  # lines described, the largest last values first


def describe(fig: go.Figure) -> str:
    """The sentence(s) for `fig`, or "" for a figure without data (its message says why)."""
    traces = [t for t in fig.data if t.visible not in (False, "legendonly")]
    if not traces:
        return ""
    kinds = {t.type for t in traces}
    if "choropleth" in kinds:
        return _ranking(fig, [t for t in traces if t.type == "choropleth"])
    if "box" in kinds:
        boxes = [t for t in traces if t.type == "box"]
        names = [str(n) for t in boxes for n in (t.y if t.orientation == "h" else t.x) or ()]
        if not names:
            return ""
        return _("Spread across groups for {names}.").format(
            names=_list(list(dict.fromkeys(names)))
        )
    if "bar" in kinds:
        bars = [t for t in traces if t.type == "bar"]
        panels = {(t.xaxis, t.yaxis) for t in bars}
        if len(panels) > 1 and all(t.name for t in bars):  # small multiples: one per panel
            sentences = [
                _("{panel}: {sentence}").format(panel=t.name, sentence=_lower(_ranking(fig, [t])))
                for t in bars[:MOST_LINES]
            ]
            more = len(bars) - MOST_LINES
            if more > 0:
                sentences.append(
                    ngettext("({n} more panel.)", "({n} more panels.)", more).format(n=more)
                )
            return " ".join(sentences)
        return _ranking(fig, bars)
    if all(t.type == "scatter" and t.meta == "percentile" for t in traces):
        return _standings(traces)
    lines = [t for t in traces if t.type == "scatter" and t.x is not None and len(t.x) > 1]
    if lines and all(_is_time(t.x[0]) for t in lines):
        return _trends(fig, lines)
    if lines or traces:
        return _ranking(fig, [t for t in traces if t.type == "scatter"])
    return ""


def _standings(traces: list[Any]) -> str:
    """Percentile ranks among peers (the compare page): each one's strongest and weakest."""
    sentences = []
    for t in traces[:MOST_LINES]:
        points = [(float(x), str(y)) for x, y in zip(t.x, t.y, strict=False) if _number(x)]
        if not points:
            continue
        best, worst = max(points), min(points)
        if best[0] == worst[0]:
            sentences.append(
                _("{name}: better than {pct} of peers on each indicator.").format(
                    name=t.name, pct=percent(best[0] / 100)
                )
            )
            continue
        sentences.append(
            _(
                "{name}: strongest on {best} (better than {best_pct} of peers), "
                "weakest on {worst} (better than {worst_pct})."
            ).format(
                name=t.name,
                best=best[1],
                best_pct=percent(best[0] / 100),
                worst=worst[1],
                worst_pct=percent(worst[0] / 100),
            )
        )
    more = len(traces) - MOST_LINES
    if more > 0:
        sentences.append(ngettext("({n} more.)", "({n} more.)", more).format(n=more))
    return " ".join(sentences)


def _trends(fig: go.Figure, lines: list[Any]) -> str:
    described = []
    for t in lines:
        points = [(x, y) for x, y in zip(t.x, t.y, strict=False) if _number(y)]
        if len(points) < 2:
            continue
        (x0, y0), (x1, y1) = points[0], points[-1]
        described.append((float(y1), t, x0, y0, x1, y1))
    described.sort(key=lambda d: -d[0])
    sentences = []
    for _last, t, x0, y0, x1, y1 in described[:MOST_LINES]:
        axis = _axis(fig, t, "y")
        values = {
            "start": _value(y0, axis),
            "start_year": _when(x0),
            "end": _value(y1, axis),
            "end_year": _when(x1),
        }
        if t.name and len(described) > 1:
            sentence = _("{name}: {start} in {start_year} to {end} in {end_year}.").format(
                name=t.name, **values
            )
        else:
            sentence = _("{start} in {start_year} to {end} in {end_year}.").format(**values)
        sentences.append(sentence)
    more = len(described) - MOST_LINES
    if more > 0:
        sentences.append(
            ngettext(
                "{n} smaller line is not described.", "{n} smaller lines are not described.", more
            ).format(n=more)
        )
    return " ".join(sentences)


def _ranking(fig: go.Figure, traces: list[Any]) -> str:
    """Highest and lowest of the values drawn (bars, a map's countries, dots)."""
    pairs: list[tuple[str, float, dict[str, Any] | str]] = []
    for t in traces:
        shown = None  # a bar's own value labels, as written on the chart
        if t.type == "bar" and t.text is not None and not isinstance(t.text, str):
            shown = list(t.text)
        if t.type == "choropleth":
            labels = [row[1] for row in t.customdata] if t.customdata is not None else t.locations
            values, axis = t.z, {"tickformat": ",.0f"}
        elif t.type == "bar" and t.orientation == "h":
            labels, values, axis = t.y, t.x, _axis(fig, t, "x")
        else:
            named = (  # a dot's text names it; a bar's is its value label
                t.text
                if t.type == "scatter" and t.text is not None and not isinstance(t.text, str)
                else None
            )
            labels, values, axis = (named if named is not None else t.x), t.y, _axis(fig, t, "y")
        if labels is None or values is None:
            continue
        for i, (label, value) in enumerate(zip(labels, values, strict=False)):
            if _number(value):
                written = shown[i] if shown and i < len(shown) and shown[i] else None
                pairs.append((str(label), float(value), str(written) if written else axis))
    if not pairs:
        return ""
    pairs.sort(key=lambda p: -p[1])
    top, low = pairs[0], pairs[-1]
    if len(pairs) == 1:
        return _("{name}: {value}.").format(name=top[0], value=_shown(top))
    n = len(pairs)
    return ngettext(
        "Highest {top} ({top_value}), lowest {low} ({low_value}), {n} value in all.",
        "Highest {top} ({top_value}), lowest {low} ({low_value}), {n} values in all.",
        n,
    ).format(top=top[0], top_value=_shown(top), low=low[0], low_value=_shown(low), n=n)


def _shown(pair: tuple[str, float, dict[str, Any] | str]) -> str:
    return pair[2] if isinstance(pair[2], str) else _value(pair[1], pair[2])


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _axis(fig: go.Figure, trace: Any, letter: str) -> dict[str, Any]:
    """The tick format, prefix and suffix of the axis a trace is drawn against."""
    ref = getattr(trace, f"{letter}axis", None) or letter
    layout_axis = (
        fig.layout[f"{letter}axis{ref[1:]}"] if len(ref) > 1 else fig.layout[f"{letter}axis"]
    )
    return {
        "tickformat": layout_axis.tickformat or "",
        "tickprefix": layout_axis.tickprefix or "",
        "ticksuffix": layout_axis.ticksuffix or "",
    }


def _value(value: Any, axis: dict[str, Any]) -> str:
    """A number as the axis it is drawn against writes it (share, currency), in the language's
    conventions (dashboard.core.format); "n/a" for what is not a finite number."""
    v = finite(value)
    if v is None:
        return na()
    fmt = axis.get("tickformat", "")
    if "%" in fmt:  # one decimal, none when it is 0: 25.5%, 60%
        return percent(v, 0) if round(v * 1000) % 10 == 0 else percent(v, 1)
    prefix = axis.get("tickprefix", "")
    suffix = axis.get("ticksuffix", "")
    if abs(v) >= 10_000:
        text = compact(v)
    elif float(v).is_integer():
        text = number(v)
    else:
        text = number(v, 2) if abs(v) < 100 else number(v)
    return f"{prefix}{text}{suffix}"


def _when(x: Any) -> str:
    if isinstance(x, datetime | date):
        return str(x.year)
    text = str(x)
    return text[:4] if len(text) >= 4 and text[:4].isdigit() else text


def _is_time(x: Any) -> bool:
    if isinstance(x, datetime | date):
        return True
    text = str(x)
    return len(text) >= 7 and text[:4].isdigit() and text[4] == "-"


def _number(value: Any) -> bool:
    """Whether a point has a value to tell (a finite number: an infinite one, from a pool
    holding absurd figures, is left out as a blank is)."""
    return finite(value) is not None


def _list(items: list[str]) -> str:
    """A, B and C; A, B, C, D, E, F and 3 more."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 6:
        more = len(items) - 6
        return ngettext("{items} and {n} more", "{items} and {n} more", more).format(
            items=", ".join(items[:6]), n=more
        )
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])
