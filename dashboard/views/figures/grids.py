"""Small multiples, one panel per indicator: bars of a theme against the rest
(`small_multiple_bars`) and trends (`small_multiple_lines`)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from textwrap import wrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.core import theme
from dashboard.core.format import format_value
from dashboard.core.i18n import _
from dashboard.views.figures.common import (
    _axis_format,
    _base,
    _hover,
    _hover_date,
    _label_value,
    drawn,
    empty,
)


@dataclass(frozen=True)
class Panel:
    """One small multiple: an indicator's label, format and the values to show."""

    title: str
    kind: str
    values: Sequence[float | None]


@drawn
def small_multiple_bars(
    categories: Sequence[str],
    panels: Sequence[Panel],
    currency: str = "USD",
    colours: Sequence[str] | None = None,
    per_row: int | None = None,
) -> go.Figure:
    """One bar panel per indicator, the same categories in each (a theme against the rest),
    `per_row` panels a row (default: all in one).

    The panels are laid out by axis domains directly (make_subplots costs ~30 ms a figure,
    and the themes page draws ten)."""
    if not categories:
        return empty()
    cols = min(per_row or len(panels), len(panels))
    rows = math.ceil(len(panels) / cols)
    # titles over up to three lines where long (the network's own labels are)
    wrapped = [
        wrap(p.title, 20, break_long_words=False, max_lines=3, placeholder=" …") for p in panels
    ]
    tallest = max(len(lines) for lines in wrapped)  # the rows' gap and the top margin hold it
    gap, row_gap = 0.06, (0.10 + 0.07 * tallest) / rows
    width = (1 - gap * (cols - 1)) / cols
    height = (1 - row_gap * (rows - 1)) / rows
    # (no grey: grey is the network, and none of these bands is)
    palette = list(colours or [theme.OKABE_ITO[0], theme.OKABE_ITO[1], theme.OKABE_ITO[4]])
    bar_colours = [palette[i % len(palette)] for i in range(len(categories))]
    data: list[dict[str, object]] = []
    layout: dict[str, object] = {}
    titles: list[dict[str, object]] = []
    for i, panel in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        values = [
            None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in panel.values
        ]
        start = (i % cols) * (width + gap)
        top = 1 - (i // cols) * (height + row_gap)
        data.append(
            {
                "type": "bar",
                "name": panel.title,
                "y": list(categories),
                "x": values,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "orientation": "h",
                "marker": {"color": bar_colours},
                "text": [
                    format_value(v, "decimal" if panel.kind == "usd" else panel.kind, currency)
                    for v in values
                ],
                # (a file's table, dashboard.exports: the values' format, and as written above)
                "meta": {"format": panel.kind, "shown": "decimal" if panel.kind == "usd" else ""},
                "textposition": "outside",
                "textangle": 0,
                "cliponaxis": False,
                "hovertemplate": "<b>%{y}</b><br>"
                + _label_value(panel.title, _hover(panel.kind, currency).replace("%{y", "%{x"))
                + "<extra></extra>",
            }
        )
        highest = max((v for v in values if v is not None), default=0) or 1
        layout[f"xaxis{suffix}"] = {
            "domain": [start, start + width],
            "anchor": f"y{suffix}",
            "showticklabels": False,
            "ticks": "",
            "range": [0, highest * 1.6],
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": [max(0.0, round(top - height, 6)), min(1.0, round(top, 6))],
            "showticklabels": i % cols == 0,
            "autorange": "reversed",
            "type": "category",
        }
        titles.append(
            {
                "text": "<br>".join(wrapped[i]),
                "x": start + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": theme.MUTED},
            }
        )
    fig = go.Figure(data=data, layout={**layout, "annotations": titles})
    top_margin = 26 + 14 * tallest
    return _base(fig, bargap=0.25, margin={"l": 10, "r": 36, "t": top_margin, "b": 10})


@cache
def _grid_skeleton(rows: int, cols: int) -> str:
    """make_subplots' layout of a grid of panels (2 columns), as JSON: its axes' domains and
    anchors, and a title annotation per cell (texts to be filled)."""
    grid = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[str(i) for i in range(rows * cols)],
        vertical_spacing=0.16,
        horizontal_spacing=0.1,
    )
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)
    return json.dumps(layout)


def _grid(rows: int, cols: int, titles: Sequence[str]) -> dict[str, Any]:
    """The layout make_subplots gives a grid with these panel titles, from a skeleton made
    once per shape (make_subplots took half of a small multiple's time)."""
    layout: dict[str, Any] = json.loads(_grid_skeleton(rows, cols))
    notes = layout.pop("annotations")[: len(titles)]
    for note, title in zip(notes, titles, strict=True):
        note["text"] = title
    layout["annotations"] = notes
    return layout


@drawn
def small_multiple_lines(
    frame: pd.DataFrame,
    panels: Sequence[tuple[str, str, str]],
    currency: str = "USD",
    total: pd.DataFrame | None = None,
    label: str = "",
    selection: bool = False,
    colour: str | None = None,
) -> go.Figure:
    """Trends of several indicators, one panel each: panels = (column, title, kind). With
    `total` (the network's trend), the selection (`label`) is drawn in colour against the
    network in grey, named in a legend; without, the trend is the network's own (grey),
    unless `selection` says it is a selection's (a project's, drawn in colour). The
    selection's colour is `colour` (its organisation's: view.selection_colour), by default
    the palette's first."""
    if frame.empty:
        return empty()
    cols = 2
    rows = math.ceil(len(panels) / cols)
    fig = go.Figure(layout=_grid(rows, cols, [p[1] for p in panels]))
    against = total is not None and not total.empty
    own = (colour or theme.OKABE_ITO[0]) if against or selection else None
    lines_drawn = [(frame.sort_values("as_of"), label, own)]
    if against:
        lines_drawn.append((total.sort_values("as_of"), _("Network"), None))
    # Each panel's traces and y axis by name (make_subplots numbers its axes row by row:
    # x, x2, x3, ...), added at once: cheaper than a trace and an axis at a time by grid.
    traces: list[dict[str, object]] = []
    y_axes: dict[str, object] = {}
    for i, (column, title, kind) in enumerate(panels):
        axis = "" if i == 0 else str(i + 1)
        for data, name, colour in lines_drawn:
            shown = name or title
            traces.append(
                {
                    "type": "scatter",
                    "x": data["as_of"],
                    "y": data[column],
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "mode": "lines",
                    "line": {"color": colour or theme.NETWORK_GREY},
                    "name": shown,
                    "legendgroup": shown,
                    "showlegend": against and i == 0,
                    "meta": {"format": kind, "measure": title},  # (dashboard.exports)
                    "hovertemplate": f"<b>{shown}</b> · {title}<br>"
                    + _label_value(_hover_date(), _hover(kind, currency))
                    + "<extra></extra>",
                }
            )
        top = pd.concat([pd.to_numeric(d[column], errors="coerce") for d, _n, _c in lines_drawn])
        y_axes[f"yaxis{axis}"] = {
            "rangemode": "tozero",
            **_axis_format(kind, currency, top.max() if top.notna().any() else None),
        }
    fig.add_traces(traces)
    fig.update_annotations(font={"size": 13, "color": theme.TEXT})
    return _base(
        fig,
        **y_axes,
        height=240 * rows + 40,
        margin={"l": 10, "r": 20, "t": 70 if against else 40, "b": 10},
        showlegend=against,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},
    )
