"""A chart in words: one or two sentences from the data a figure draws, for people who do not
see the chart (screen readers read it with the chart; the PowerPoint slide's alt text holds it).

    Members: 1.2k in 2019 to 310k in 2025. Groups: 50 in 2019 to 12.4k in 2025.
    Highest: Uganda (19.2k); lowest: Burundi (1.1k).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import compact, date_text, finite, na, number, percent
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
    pairs = _ranked(fig, traces)
    if not pairs:
        return ""
    top, low = pairs[0], pairs[-1]
    if len(pairs) == 1:
        return _("{name}: {value}.").format(name=top[0], value=_shown(top))
    n = len(pairs)
    return ngettext(
        "Highest {top} ({top_value}), lowest {low} ({low_value}), {n} value in all.",
        "Highest {top} ({top_value}), lowest {low} ({low_value}), {n} values in all.",
        n,
    ).format(top=top[0], top_value=_shown(top), low=low[0], low_value=_shown(low), n=n)


def _ranked(fig: go.Figure, traces: list[Any]) -> list[tuple[str, float, dict[str, Any] | str]]:
    """The values drawn (bars, a map's countries, dots), each with its name and how it is
    written (its bar's own label, else its axis' format), the highest first."""
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
    pairs.sort(key=lambda p: -p[1])
    return pairs


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


# --- A chart's finding: one line for a slide's title (a board pack) ------------------------


def finding(fig: go.Figure, subject: str) -> str:
    """The chart's finding in one line, for a slide's title: for a line over time, its
    latest value, its change over a year (or since its first point, if it is shorter) and,
    where the network's line (or a line across at the network's value) is drawn, whether it
    is above or below it ("Cost per member fell 12% in a year to USD 21, below the network's
    USD 25"); for bars or a map, the highest and lowest ("Members: highest Uganda (72),
    lowest Burundi (25)"). `subject` names what is drawn (the chart's indicator). "" where
    the chart has no one finding to state (several lines or panels, no data): the caller
    says the chart's title instead."""
    traces = [t for t in fig.data if t.visible not in (False, "legendonly")]
    kinds = {t.type for t in traces}
    if kinds and kinds <= {"bar", "choropleth"}:
        panels = {(getattr(t, "xaxis", None), getattr(t, "yaxis", None)) for t in traces}
        pairs = _ranked(fig, traces) if len(panels) == 1 else []
        if len(pairs) < 2:
            return ""
        top, low = pairs[0], pairs[-1]
        return _("{subject}: highest {top} ({top_value}), lowest {low} ({low_value})").format(
            subject=subject, top=top[0], top_value=_shown(top), low=low[0], low_value=_shown(low)
        )
    lines = [t for t in traces if t.type == "scatter" and _points(t)]
    if not lines or any(t.type != "scatter" for t in traces):
        return ""
    return _line_finding(fig, lines, subject)


def _line_finding(fig: go.Figure, lines: list[Any], subject: str) -> str:
    network = [t for t in lines if _is_network(t)]
    own = [t for t in lines if not _is_network(t)]
    if len(own) > 1:  # the one line drawn out among muted ones (a member's organisation)
        lit = [t for t in own if t.opacity is None or t.opacity >= 1]
        own = lit if len(lit) == 1 else own
    if not own and len(network) == 1:  # the network itself, alone
        own, network = network, []
    if len(own) != 1:
        return ""
    line = own[0]
    points = _points(line)
    axis = _axis(fig, line, "y")
    share = "%" in axis["tickformat"]
    last_day, last = points[-1]
    value = _value(last, axis)
    a_year = [p for p in points[:-1] if p[0] <= _year_before(last_day)]
    start = a_year[-1] if a_year else points[0] if len(points) > 1 else None
    if start is None or (not share and start[1] <= 0):
        said = _("{subject}: {value} on {date}").format(
            subject=subject, value=value, date=date_text(last_day)
        )
    else:
        said = _change_clause(subject, start, last, value, share, bool(a_year))
    reference = _network_value(fig, network, last_day)
    if reference is not None:
        against = _value(reference, axis)
        if against == value:
            template = _("{finding}, level with the network's {value}")
        elif last > reference:
            template = _("{finding}, above the network's {value}")
        else:
            template = _("{finding}, below the network's {value}")
        said = template.format(finding=said, value=against)
    if len(lines) > 1 and line.name:
        said = _("{name}: {finding}").format(name=line.name, finding=_lower_word(said))
    return said


def _change_clause(
    subject: str, start: tuple[date, float], last: float, value: str, share: bool, year: bool
) -> str:
    """ "{subject} rose 12% in a year to {value}" (a share: in percentage points)."""
    first_day, first = start
    if share:
        points = (last - first) * 100
        rounded = round(abs(points), 1)
        change = _("{n} percentage points").format(
            n=number(rounded, 0 if rounded.is_integer() else 1)
        )
        steady = rounded == 0
    else:
        ratio = last / first - 1
        change, steady = percent(abs(ratio), 0), round(abs(ratio) * 100) == 0
        points = ratio
    when = {"date": date_text(first_day)}
    if steady:
        template = (
            _("{subject} was unchanged in a year at {value}")
            if year
            else _("{subject} was unchanged since {date} at {value}")
        )
    elif points > 0:
        template = (
            _("{subject} rose {change} in a year to {value}")
            if year
            else _("{subject} rose {change} since {date} to {value}")
        )
    else:
        template = (
            _("{subject} fell {change} in a year to {value}")
            if year
            else _("{subject} fell {change} since {date} to {value}")
        )
    return template.format(subject=subject, change=change, value=value, **when)


def _network_value(fig: go.Figure, network: list[Any], day: date) -> float | None:
    """The network's value on `day`: its line's point of that day, else a line across the
    chart at the network's value (figures.references: drawn in the network's grey)."""
    for line in network:
        for when, value in _points(line):
            if when == day:
                return value
    for shape in fig.layout.shapes or ():
        colour = (shape.line.color or "").upper() if shape.line else ""
        if shape.name and colour == theme.NETWORK_GREY.upper() and shape.y0 == shape.y1:
            return finite(shape.y0)
    return None


def _is_network(trace: Any) -> bool:
    """The network, and only the network, is drawn in grey (dashboard.core.theme)."""
    colour = trace.line.color if trace.line else None
    return str(colour or "").upper() == theme.NETWORK_GREY.upper()


def _points(trace: Any) -> list[tuple[date, float]]:
    """A line's points over time, (day, value), in time order; [] for what is not a line
    over time."""
    if trace.x is None or trace.y is None:
        return []
    out = []
    for x, y in zip(trace.x, trace.y, strict=False):
        value = finite(y)
        if value is None or not _is_time(x):
            continue
        day = x if isinstance(x, date) else date.fromisoformat(str(x)[:10])
        out.append((day.date() if isinstance(day, datetime) else day, value))
    return sorted(out)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _lower_word(sentence: str) -> str:
    """The sentence with its first letter small, unless its first word is an acronym."""
    first = sentence.split(" ", 1)[0]
    return sentence if first[1:2].isupper() else _lower(sentence)
