"""Where values lie among others: the spread across groups beside the pooled ratio
(`boxes`), projects by cost against scale on a log axis (`bubble`), and the chosen entities'
percentile ranks among their peers (`benchmark_dots`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import compact, number
from dashboard.core.i18n import _
from dashboard.views.figures.common import (
    _axis_format,
    _base,
    _hover,
    _percent,
    _with_currency,
    drawn,
    empty,
)
from dashboard.views.figures.references import Reference, _reference_line


@drawn
def bubble(
    frame: pd.DataFrame,
    colours: Mapping[str, str],
    currency: str = "USD",
    reference: Reference | None = None,
) -> go.Figure:
    """Cost per member against scale: x = members, y = cost per member, size = groups."""
    data = frame.dropna(subset=["cost_per_member_usd", "members"])
    if data.empty:
        return empty(_("No project in scope has a project report (cost) as of this date."))
    fig = go.Figure()
    max_groups = float(data["groups"].max() or 1)
    for org, part in data.groupby("organisation", sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["members"],
                y=part["cost_per_member_usd"],
                mode="markers",
                name=str(org),
                marker={
                    "size": part["groups"],
                    "sizemode": "area",
                    "sizeref": 2.0 * max_groups / (40.0**2),
                    "sizemin": 5,
                    "color": colours.get(str(org), theme.OKABE_ITO[0]),
                    "opacity": 0.8,
                    "line": {"width": 1, "color": "white"},
                },
                text=part["label"],
                customdata=[
                    [f"project={p}", g]
                    for p, g in zip(part["project"], part["groups"], strict=True)
                ],
                hovertemplate="<b>%{text}</b><br>"
                + _("%{x:,.0f} members, %{customdata[1]:,.0f} groups")
                + "<br>"
                + _("{amount} per member").format(amount=_with_currency("%{y:,.2f}", currency))
                + f"<extra>{org}</extra>",
            )
        )
    if reference is not None:
        _reference_line(fig, reference, "usd", currency, horizontal=True)
    ticks = log_ticks(float(data["members"].min()), float(data["members"].max()))
    fig.update_xaxes(
        title_text=_("Members of active groups (log scale)"),
        type="log",
        showgrid=True,
        gridcolor="#F0F0F0",
        tickvals=ticks,
        ticktext=[compact(t) if t >= 1000 else number(t) for t in ticks],
        range=[math.log10(ticks[0]) - 0.04, math.log10(ticks[-1]) + 0.04],
    )
    fig.update_yaxes(
        title_text=_("Cost per member ({currency})").format(currency=currency),
        rangemode="tozero",
        **_axis_format("usd", currency),
    )
    return _base(
        fig,
        showlegend=True,
        # the key above the plot, across: at the side it took half a card (a phone's plot
        # was a sliver)
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": 12},
            "itemsizing": "constant",
        },
        margin={"l": 10, "r": 20, "t": 20 + 20 * math.ceil(len(fig.data) / 3), "b": 10},
    )


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis at 1, 2 and 5 times the powers of ten, from the one at or below
    `low` to the one at or above `high` (the axis is drawn over exactly that span), so that
    they read 2k, 5k, 10k, 20k (plotly's own read "2 3 4 ... 9 10k 2 3")."""
    low, high = max(low, 1.0), max(high, 1.0)
    ticks = [
        m * 10**e
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
    ]
    below = max(t for t in ticks if t <= low)
    above = min((t for t in ticks if t >= high), default=ticks[-1])
    if above == below:
        above = next(t for t in ticks if t > below) if below < ticks[-1] else below * 2
    return [t for t in ticks if below <= t <= above] or [below, above]


@drawn
def boxes(
    dist: pd.DataFrame,
    pooled: Mapping[str, float | None],
    kind: str,
    colours: Mapping[str, str] | None = None,
    currency: str = "USD",
    x_title: str = "",
    drill: str | None = None,
    network_label: str | None = None,
    key_column: str | None = None,
    highlight: Sequence[str] | None = None,
) -> go.Figure:
    """Spread across groups (box: 25th-75th percentile and median; whiskers: 5th-95th) per
    breakdown value, one row each (the whole scope first), with the pooled ratio of sums as a
    diamond (STYLE.md: distributions beside pooled ratios). The whole scope's row is named
    `network_label` (default "Network"). With `highlight` (row names), the other rows'
    diamonds are muted: a member's own organisation stands out among the others."""
    data = dist.dropna(subset=["median"])
    if data.empty:
        return empty()
    network_label = _("Network") if network_label is None else network_label
    names = list(data["by_value"])
    colour_list = [
        theme.NETWORK_GREY if n == network_label else (colours or {}).get(n, theme.OKABE_ITO[0])
        for n in names
    ]
    chosen = set(highlight or ())
    opacity = (
        [1.0 if n == network_label or n in chosen else theme.MUTED_OPACITY for n in names]
        if chosen
        else None
    )
    spread = {
        "type": "box",
        "y": names,
        "q1": data["q1"],
        "median": data["median"],
        "q3": data["q3"],
        "lowerfence": data["p05"],
        "upperfence": data["p95"],
        "orientation": "h",
        "name": _("Spread across groups"),
        "fillcolor": "rgba(0,114,178,0.12)",
        "line": {"color": "#6D8AA6", "width": 1.3},
        "hoverinfo": "skip",
    }
    drill_values = list(data[key_column]) if key_column else names
    custom = [
        [f"{drill}={k}" if drill and k and n != network_label else "", g, q1, med, q3]
        for n, k, g, q1, med, q3 in zip(
            names,
            drill_values,
            data["groups"],
            data["q1"],
            data["median"],
            data["q3"],
            strict=True,
        )
    ]
    number = _hover(kind, currency).replace("%{y", "%{x")
    part = _hover(kind, currency).replace("%{y", "%{customdata[{i}]")
    pooled_marks = {
        "type": "scatter",
        "y": names,
        "x": [pooled.get(n) for n in names],
        "mode": "markers",
        "name": _("Pooled (ratio of sums)"),
        "marker": {
            "symbol": "diamond",
            "size": 13,
            "color": colour_list,
            "line": {"color": "white", "width": 1.5},
            **({"opacity": opacity} if opacity else {}),
        },
        "customdata": custom,
        "hovertemplate": "<b>%{y}</b><br>"
        + _("Pooled: {value}").format(value=number)
        + "<br>"
        + _("Median group: {value}").format(value=part.replace("{i}", "3"))
        + "<br>"
        + _("Middle half of groups: {low} to {high}").format(
            low=part.replace("{i}", "2"), high=part.replace("{i}", "4")
        )
        + "<br>"
        + _("%{customdata[1]:,.0f} groups")
        + "<extra></extra>",
    }
    # one figure from plain values, at once (cheaper than adding and updating its parts)
    fig = go.Figure(data=[spread, pooled_marks])
    return _base(
        fig,
        xaxis={
            "title": {"text": x_title},
            "rangemode": "tozero",
            "showgrid": True,
            "gridcolor": "#E6E6E6",
            **_axis_format(kind, currency),
        },
        yaxis={
            "title": {"text": ""},
            "type": "category",
            "autorange": "reversed",
            "showgrid": False,
        },
        showlegend=True,
        # Above the plot: below it, the key would meet the axis title at larger type.
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
        margin={"l": 10, "r": 20, "t": 30, "b": 10},
    )


@drawn
def benchmark_dots(frame: pd.DataFrame, colours: Mapping[str, str]) -> go.Figure:
    """Where each chosen entity stands among its peers, per indicator: the percentile rank
    (0 = worst, 100 = best by the indicator's direction), with the middle half shaded."""
    if frame.empty:
        return empty(_("Choose at least one to compare."), _("Use the picker above."))
    labels = list(dict.fromkeys(frame["label"]))
    several = frame["entity"].nunique() > 1
    symbols = ("circle", "diamond", "square", "triangle-up", "x", "star")
    fig = go.Figure()
    fig.add_vrect(x0=25, x1=75, fillcolor="#E9EDF1", line_width=0, layer="below")
    fig.add_vline(x=50, line={"color": theme.NETWORK_GREY, "width": 1.5})
    for i, (name, part) in enumerate(frame.groupby("entity", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part["percentile"],
                y=part["label"],
                mode="markers",
                name=str(name),
                meta="percentile",  # (dashboard.analytics.summaries describes it as standings)
                # several chosen: each its own row within the indicator's and its own
                # shape, so that two at the same percentile do not hide each other
                offsetgroup=str(i) if several else None,
                orientation="h" if several else None,
                cliponaxis=False,  # a dot at 0 or 100 whole
                marker={
                    "size": 13 if not several else 11,
                    "symbol": symbols[i % len(symbols)],
                    "color": colours.get(str(name), theme.OKABE_ITO[0]),
                    "line": {"color": "white", "width": 1},
                },
                customdata=part[["value_text", "median_text"]],
                hovertemplate="<b>%{y}</b><br>"
                + _("{name}: {value} (better than {percentile} of peers)").format(
                    name=str(name), value="%{customdata[0]}", percentile=_percent("%{x:.0f}")
                )
                + "<br>"
                + _("Peers' median: {value}").format(value="%{customdata[1]}")
                + "<extra></extra>",
            )
        )
    fig.update_xaxes(
        range=[-3, 103],
        title_text=_("Percentile among peers"),  # (the subtitle says right is better)
        tickvals=[0, 25, 50, 75, 100],
        showgrid=False,
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(reversed(labels)),
        showgrid=True,
        gridcolor="#F0F0F0",
        tickfont={"size": 13},
        automargin=True,
    )
    rows = 26 if not several else 20 + 8 * frame["entity"].nunique()
    return _base(
        fig,
        height=max(320, rows * len(labels) + 120),
        showlegend=True,
        scattermode="group" if several else None,
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"},
        margin={"l": 10, "r": 20, "t": 40, "b": 10},
    )
