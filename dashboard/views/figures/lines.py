"""Lines over time: trends (`lines`) and stacked areas (`stacked_area`), each line or band
named at its end rather than in a legend (STYLE.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import format_value
from dashboard.core.i18n import _
from dashboard.views.figures.common import (
    SMALL_CELLS,
    _axis_format,
    _base,
    _hover,
    _hover_date,
    _label_value,
    _nothing_to_draw,
    count_ticks,
    drawn,
    empty,
)
from dashboard.views.figures.labels import _shorten, _two_lines, apart
from dashboard.views.figures.references import Reference, _reference_line

END_LABEL = "end-label"  # the name of a line's label at its end (its value after a colon)
END_VALUE = "|"  # in that name, before the value written under the line's name (if any)
END_LABEL_CHARS = 24  # a line of a name at a line's end: 12 px type in the margin of 175 px
# A card's plot is about this tall (px) on a screen: names at the lines' ends are set apart
# for it (a file sets them apart again for its own: exports.framing.framed).
CARD_PLOT_PX = 270.0
LINE_BOX = 1.45  # a line of text as the browser boxes it, in ems of its size


def _direct_labels(
    fig: go.Figure,
    ends: list[tuple[str, float, object, str]],
    y_range: float,
    value: Callable[[float], str] | None = None,
) -> None:
    """Label each line at its end (STYLE.md), set apart so labels do not overlap in a card.
    A long name is written on two lines of END_LABEL_CHARS, each shortened if it must be, so
    that it fits in the right margin (the hover has it whole, and a file writes it whole).
    With `value`, the line's last value is written under its name, as `value` writes it."""
    if not ends:
        return
    ordered = sorted(ends, key=lambda e: e[1])
    names = [
        "<br>".join(
            _shorten(line, END_LABEL_CHARS)
            for line in _two_lines(str(name), END_LABEL_CHARS).split("<br>")
        )
        for name, _y, _x, _colour in ordered
    ]
    values = [value(y) if value is not None else "" for _name, y, _x, _colour in ordered]
    texts = [f"{n}<br>{v}" if v else n for n, v in zip(names, values, strict=True)]
    span = (y_range or 1.0) * 1.06  # (plotly's range: the values and a little more)
    per_px = span / CARD_PLOT_PX
    halves = [((t.count("<br>") + 1) * 12 * LINE_BOX + 2) / 2 * per_px for t in texts]
    low = min(min(e[1] for e in ends), 0.0)
    centres = apart([e[1] for e in ordered], halves, low, low + span)
    labels: list[dict[str, object]] = []
    for (name, y, x, colour), short, written, text, y_label in zip(
        ordered, names, values, texts, centres, strict=True
    ):
        labels.append(
            {
                # where its line ends, and the value written under the name (a file sets
                # the labels apart again and writes the names whole: exports.framing.framed)
                "name": f"{END_LABEL}:{y!r}" + (f"{END_VALUE}{written}" if written else ""),
                "x": x,
                "y": y_label,
                "text": text,
                "showarrow": False,
                "xanchor": "left",
                "align": "left",  # (a name's lines and its value under it, flush)
                "xshift": 6,
                "font": {"color": colour, "size": 12},
                # the whole name: on hover, and written whole in a file (exports.framing.framed)
                "hovertext": str(name) if "…" in short else None,
            }
        )
    # at once: each add_annotation rebuilds every annotation before it (a page's line
    # charts spent a third of their time there)
    fig.update_layout(annotations=[*fig.layout.annotations, *labels])


@drawn
def lines(
    frame: pd.DataFrame,
    y: str,
    kind: str,
    series: str | None = None,
    colours: Mapping[str, str] | None = None,
    total: pd.DataFrame | None = None,
    total_label: str | None = None,
    currency: str = "USD",
    y_title: str = "",
    reference: Reference | None = None,
    drill: str | None = None,
    labels: Mapping[str, str] | None = None,
    highlight: Sequence[str] | None = None,
    colour: str | None = None,
    end_values: bool = False,
    order: Sequence[str] | None = None,
) -> go.Figure:
    """Lines over time (x = as_of): one per `series` value (shown by its `labels` name), and
    a grey network line (`total_label`, default "Network"); with `end_values`, each line's
    last value written under its name at its end; `order` (series values) the order of the
    lines. A line of one point is drawn as a dot. With `drill`, clicking a line
    narrows that filter to its value. With `highlight` (series values), the other lines are
    muted: a member's own organisation stands out among the others. Without `series`, the
    one line is drawn in `colour` (the selection's organisation's, view.selection_colour),
    by default the palette's first."""
    if frame.empty or frame[y].isna().all():
        return empty()
    total_label = _("Network") if total_label is None else total_label
    traces: list[dict[str, object]] = []
    ends: list[tuple[str, float, object, str]] = []
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=True))
    if order is not None and series is not None:  # (in the caller's order: its table's)
        rank = {key: i for i, key in enumerate(order)}
        groups.sort(key=lambda g: rank.get(str(g[0]), len(rank)))
    palette = list(theme.OKABE_ITO)
    single = colour or palette[0]
    for i, (name, part) in enumerate(groups):
        part = part.sort_values("as_of").dropna(subset=[y])
        if part.empty:
            continue
        colour = (
            single if name is None else (colours or {}).get(str(name)) or palette[i % len(palette)]
        )
        label = (labels or {}).get(str(name), str(name)) if name is not None else y_title
        custom = [[f"{drill}={name}"]] * len(part) if drill and name is not None else None
        muted = bool(highlight) and name is not None and str(name) not in set(highlight or ())
        traces.append(
            {
                "type": "scatter",
                "x": part["as_of"],
                "y": part[y],
                "name": label,
                "mode": "lines" if len(part) > 1 else "markers",
                "marker": {"color": colour, "size": 8},
                "line": {"color": colour, "width": 1.5} if muted else {"color": colour},
                "opacity": theme.MUTED_OPACITY + 0.15 if muted else 1.0,
                "customdata": custom,
                "hovertemplate": f"<b>{label}</b><br>"
                + _label_value(_hover_date(), _hover(kind, currency))
                + "<extra></extra>",
            }
        )
        ends.append((label, float(part[y].iloc[-1]), part["as_of"].iloc[-1], colour))
    if total is not None and not total.empty and not total[y].isna().all():
        part = total.sort_values("as_of").dropna(subset=[y])
        traces.append(
            {
                "type": "scatter",
                "x": part["as_of"],
                "y": part[y],
                "name": total_label,
                "mode": "lines" if len(part) > 1 else "markers",
                "marker": {"color": theme.NETWORK_GREY, "size": 10},
                "line": {"color": theme.NETWORK_GREY, "width": 3.5},
                "hovertemplate": f"<b>{total_label}</b><br>"
                + _label_value(_hover_date(), _hover(kind, currency))
                + "<extra></extra>",
            }
        )
        ends.append(
            (total_label, float(part[y].iloc[-1]), part["as_of"].iloc[-1], theme.NETWORK_GREY)
        )
    fig = go.Figure(data=traces)  # (built at once: a trace added at a time costs more)
    if reference is not None:
        _reference_line(fig, reference, kind, currency, horizontal=True)
    values = pd.concat([frame[y], total[y] if total is not None else frame[y]]).dropna()
    y_range = float(values.max() - min(values.min(), 0)) if not values.empty else 1.0
    if len(ends) > 1 or series is not None:
        written = (lambda v: format_value(v, kind, currency)) if end_values else None
        _direct_labels(fig, ends, y_range, written)
    # An explicit range: plotly would otherwise widen the axis to fit the end labels, which
    # sit in the right margin instead.
    spans = [frame.dropna(subset=[y])["as_of"]]
    if total is not None and not total.empty:
        spans.append(total.dropna(subset=[y])["as_of"])
    dates = pd.to_datetime(pd.concat(spans))
    labelled = len(ends) > 1 or series is not None
    return _base(
        fig,
        yaxis={
            "title": {"text": y_title},
            "rangemode": "tozero",
            **_axis_format(kind, currency, float(values.max()) if not values.empty else None),
        },
        xaxis={"title": {"text": ""}, "range": [dates.min(), dates.max()]},
        margin={"l": 10, "r": 175 if labelled else 20, "t": 20, "b": 10},
    )


TRAINED_BY_COLOURS = {
    "field_officer": theme.OKABE_ITO[0],
    "village_agent": theme.OKABE_ITO[4],
    "replicated": theme.OKABE_ITO[2],
}


@drawn
def stacked_area(
    frame: pd.DataFrame,
    series: str,
    y: str,
    order: Sequence[str],
    labels: Mapping[str, str],
    y_title: str,
    colours: Mapping[str, str] = TRAINED_BY_COLOURS,
    drill: str | None = None,
) -> go.Figure:
    """Stacked areas over time (e.g. groups by who trained them, members by organisation),
    each band labelled at its end (STYLE.md: direct labels, no legend). With `drill`, a click
    on a band narrows that filter to it (hover then picks the band under the pointer)."""
    if frame.empty:
        return empty()
    if _nothing_to_draw(frame, y):
        return empty(_(SMALL_CELLS))
    # A quarter where a band is not shown (a small cell of other organisations, or its
    # complement) is left out for every band: stacked on a blank, the others would drop to
    # the ground for that quarter, a dip that never happened.
    blank = frame.loc[frame[y].isna(), "as_of"].unique()
    frame = frame[~frame["as_of"].isin(blank)]
    if frame.empty:
        return empty(_(SMALL_CELLS))
    fig = go.Figure()
    palette = colours
    ends: list[tuple[str, float, object, str]] = []
    base = 0.0
    for i, name in enumerate(order):
        part = frame[frame[series] == name].sort_values("as_of")
        if part.empty:
            continue
        colour = palette.get(name, theme.OKABE_ITO[i % len(theme.OKABE_ITO)])
        fig.add_trace(
            go.Scatter(
                x=part["as_of"],
                y=part[y],
                name=labels.get(name, name),
                mode="lines",
                stackgroup="one",
                line={"width": 0.5, "color": colour},
                fillcolor=colour,
                customdata=[[f"{drill}={name}"]] * len(part) if drill else None,
                hovertemplate=f"<b>{labels.get(name, name)}</b><br>"
                + _label_value(_hover_date(), "%{y:,.0f}")
                + "<extra></extra>",
            )
        )
        last = float(part[y].iloc[-1] or 0)
        ends.append((labels.get(name, name), base + last / 2, part["as_of"].iloc[-1], colour))
        base += last
    _direct_labels(fig, ends, base)
    dates = pd.to_datetime(frame["as_of"])
    fig.update_xaxes(range=[dates.min(), dates.max()])
    # (the top of the stack: the bands' sum at its highest quarter)
    stacked = frame[frame[series].isin(list(order))].groupby("as_of")[y].sum()
    fig.update_yaxes(title_text=y_title, **count_ticks(float(stacked.max())))
    return _base(
        fig,
        hovermode="closest" if drill else "x unified",
        margin={"l": 10, "r": 175, "t": 20, "b": 10},
    )
