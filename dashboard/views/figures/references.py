"""Reference lines across a chart: the network's own value (solid grey) and SAVIX's
benchmarks (dotted), labelled where they cover the fewest points."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import format_value
from dashboard.core.i18n import N_, _
from dashboard.views.figures.common import _label_value


@dataclass(frozen=True)
class Reference:
    """A labelled reference line: an outside benchmark (the SAVIX INGO average cost per
    member: dotted, dark) or, with `network`, the network's own value (solid grey)."""

    value: float
    label: str
    network: bool = False


# SAVIX's reference values (the SAVIX slides), drawn as dotted lines where a chart shows
# the same measure; in USD, converted at the view's rate (view.View.rate) where drawn.
SAVIX_INGO_COST_PER_MEMBER_USD = 21.6
SAVIX_INGO = N_("SAVIX INGO average")
SAVIX_SHORT = N_("SAVIX average")  # (beside the network's line where the plot is narrow)
SAVIX_REPLICATION_RATE = 2.0
SAVIX_REPLICATION = N_("SAVIX: about 2 per project-formed group")


def savix_cost(rate: float = 1.0, short: bool = False) -> Reference:
    """The SAVIX INGO average cost per member as a reference line, in a currency of `rate`
    units per USD; named `short` where the plot is narrow (the report's half column)."""
    return Reference(SAVIX_INGO_COST_PER_MEMBER_USD * rate, _(SAVIX_SHORT if short else SAVIX_INGO))


def savix_replication() -> Reference:
    """SAVIX's replication rate: about 2 groups replicated per group a project formed."""
    return Reference(SAVIX_REPLICATION_RATE, _(SAVIX_REPLICATION))


def _reference_style(ref: Reference) -> dict[str, object]:
    if ref.network:
        return {"color": theme.NETWORK_GREY, "width": 2.5}
    return {"color": theme.BENCHMARK, "width": 1.5, "dash": "dot"}


def _reference_line(
    fig: go.Figure, ref: Reference, kind: str, currency: str, horizontal: bool
) -> None:
    """A reference across a chart. On a time axis, labelled at its left end inside the plot;
    across ranked bars, named in the legend above the plot (a label at the line's top would
    sit under the chart's toolbar or on a bar's name)."""
    text = _label_value(ref.label, format_value(ref.value, kind, currency))
    style = _reference_style(ref)
    if horizontal:
        fig.add_hline(
            y=ref.value,
            line=style,
            name=ref.label,  # (a file's table lists it: dashboard.exports)
            annotation_text=text,
            annotation_position=_clear_corner(fig, ref.value),
            annotation_font={"size": 12, "color": style["color"]},
        )
        return
    fig.add_vline(x=ref.value, line=style, name=ref.label)
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line=style,
            name=text,
            showlegend=True,
            hoverinfo="skip",
        )
    )


def _clear_corner(fig: go.Figure, level: float) -> str:
    """Where a label on a horizontal line at `level` covers the fewest points of the lines
    drawn so far: above or below it, at its left or right end (a third of the span each;
    the label's height taken as a tenth of the values' range)."""
    points = [
        (pd.Timestamp(x), float(y))
        for t in fig.data
        if t.type == "scatter" and t.x is not None and t.y is not None
        for x, y in zip(t.x, t.y, strict=False)
        if x is not None and y is not None and y == y
    ]
    if not points:
        return "top left"
    xs = [p[0] for p in points]
    ys = [p[1] for p in points] + [level]
    start, end = min(xs), max(xs)
    third = (end - start) / 3
    height = (max(ys) - min(min(ys), 0)) / 10 or 1.0

    def covered(position: str) -> int:
        upper, left = position.startswith("top"), position.endswith("left")
        return sum(
            1
            for x, y in points
            if (x <= start + third if left else x >= end - third)
            and (level <= y <= level + height if upper else level - height <= y <= level)
        )

    corners = ("top left", "bottom left", "top right", "bottom right")
    return min(corners, key=lambda c: (covered(c), corners.index(c)))
