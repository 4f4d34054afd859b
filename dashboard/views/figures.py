"""Pure figure functions: DataFrame in, go.Figure out (no queries, no Dash).

Every figure uses the one template of dashboard.core.theme. Titles, subtitles and captions are
composed by the chart cards around the figure (they wrap on a phone and are read by screen
readers); a file of a chart puts them inside it (exports.image). Points that can be clicked to
narrow the filters carry customdata[0] = "<filter>=<value>" (e.g. "country=UGA").

A figure function never fails its page (`drawn`): a chart that cannot be drawn from its data
says so in its own card, and in its files, while the page's other charts are drawn.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from textwrap import wrap
from typing import Any, TypeVar, cast

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.core import i18n, theme
from dashboard.core.config import FILES_ROOT
from dashboard.core.format import (
    compact,
    format_value,
    money,
    number,
    percent,
    plotly_format,
    plotly_separators,
)
from dashboard.core.i18n import N_, _

theme.register()
log = logging.getLogger(__name__)

# Marked for the catalogs; translated where shown (`empty` and its callers).
EMPTY_MESSAGE = N_("No active group matches these filters.")
EMPTY_HINT = N_("Widen or reset the filters.")
NOT_DRAWN = N_("This chart could not be drawn.")
NOT_DRAWN_HINT = N_("The reason is in the server's log.")
NOT_DRAWN_NAME = "not-drawn"  # the name of its message (an annotation): tests find it so


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


MIN_TREND_GROUPS = 30  # a ratio's point over time resting on fewer groups is left out
THIN_POINTS = N_("Points resting on fewer than {n} active groups are left out.")


def thin_threshold(groups: pd.Series) -> int:
    """How many active groups a trend's point needs: MIN_TREND_GROUPS, or half the most a
    small selection ever had (a project of 20 groups keeps its own trend)."""
    peak = pd.to_numeric(groups, errors="coerce").max()
    if peak is None or pd.isna(peak):
        return MIN_TREND_GROUPS
    return int(min(MIN_TREND_GROUPS, max(2, peak // 2)))


ALL_POINTS = N_(
    "Every quarter is shown, those resting on few active groups included (they may swing widely)."
)


def thin_note(need: int) -> str:
    """The caption's sentence on a trend's quarters: which are left out (`need` groups at
    the least), or that all are shown (`need` 0: the link's points=all)."""
    return _(THIN_POINTS).format(n=need) if need else _(ALL_POINTS)


def steady(
    frame: pd.DataFrame, columns: Sequence[str], series: str | None = None, every: bool = False
) -> tuple[pd.DataFrame, int]:
    """A trend's rows with the ratios in `columns` blanked where they rest on too few active
    groups (thin_threshold, per `series` when given): a rate of a handful of groups in a
    project's first quarters swings wildly and squashes the years that matter. Returns the
    frame and the threshold of the whole (for the caption). With `every` (the link asks
    for every quarter), the frame as it is and a threshold of 0."""
    if every:
        return frame, 0
    if frame.empty or "groups" not in frame:
        return frame, MIN_TREND_GROUPS
    out = frame.copy()
    groups = pd.to_numeric(out["groups"], errors="coerce").fillna(0)
    if series is None:
        need = pd.Series(thin_threshold(groups), index=out.index)
    else:
        need = groups.groupby(out[series]).transform(thin_threshold)
    thin = groups < need
    for column in columns:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").mask(thin)
    return out, thin_threshold(groups)


def _currency_first() -> bool:
    """Whether the language writes the currency code before an amount (USD 21.60) or after it
    (21,60 USD), as dashboard.core.format.money does."""
    return money(1, "USD").startswith("USD")


def _with_currency(amount: str, currency: str) -> str:
    """A plotly number template with its currency code, in the language's order."""
    return f"{currency} {amount}" if _currency_first() else f"{amount}\u00a0{currency}"


def _hover_date(axis: str = "x") -> str:
    """A plotly hover template of a date on `axis`, written as dashboard.core.format.date_text
    writes dates (30 Sep 2025, 30.09.2025, 30/09/2025); plotly names the months."""
    locale = i18n.babel_locale()
    fmt = "%d %b %Y" if locale == "en" else "%d.%m.%Y" if locale == "da" else "%d/%m/%Y"
    return "%{" + axis + "|" + fmt + "}"


def _percent(amount: str) -> str:
    """A plotly template of a number of per cent with the language's % sign (45%, 45 %)."""
    return percent(1.0).replace(number(100), amount)


def _label_value(label: str, value: str) -> str:
    """The label, a colon and the value, in the language's punctuation (French: "a : b")."""
    return _("{label}: {value}").format(label=label, value=value)


# Tick formats: as many decimals as the ticks' step needs and no more (a tall file's axis
# steps by 0.5%: "3.5%", not "4%, 4%, 3%, 3%"; whole steps keep "4%", "20 USD").
TICK_FORMATS = {"pct": ".2~%", "usd": ",.2~f", "int": "~s", "decimal": ",.2~f"}


def _axis_format(kind: str, currency: str) -> dict[str, object]:
    axis: dict[str, object] = {"tickformat": TICK_FORMATS.get(kind, plotly_format(kind))}
    if kind == "usd" and _currency_first():
        axis["tickprefix"] = f"{currency} "
    elif kind == "usd":
        axis["ticksuffix"] = f"\u00a0{currency}"
    return axis


def _hover(kind: str, currency: str) -> str:
    """A hovertemplate number of full precision for an indicator format."""
    if kind == "pct":
        return "%{y:.1%}"
    if kind == "usd":
        return _with_currency("%{y:,.2f}", currency)
    if kind == "int":
        return "%{y:,.0f}"
    return "%{y:,.2f}"


SMALL_CELLS = N_("Not shown: fewer than 5 groups of other organisations")


def _nothing_to_draw(frame: pd.DataFrame, value: str) -> bool:
    """No row, or every value blank (small cells of other organisations)."""
    return frame.empty or value not in frame or frame[value].isna().all()


def empty(message: str | None = None, hint: str | None = None) -> go.Figure:
    """A figure that says why it has nothing to draw: `message` (default EMPTY_MESSAGE) and
    `hint` (default EMPTY_HINT); callers pass them translated."""
    message = _(EMPTY_MESSAGE) if message is None else message
    hint = _(EMPTY_HINT) if hint is None else hint
    fig = go.Figure()
    fig.add_annotation(
        text=f"<b>{message}</b><br>{hint}",
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 15, "color": theme.MUTED},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def not_drawn() -> go.Figure:
    """What a chart shows in place of a figure that could not be drawn (`drawn`)."""
    fig = empty(_(NOT_DRAWN), _(NOT_DRAWN_HINT))
    fig.layout.annotations[0].name = NOT_DRAWN_NAME
    return fig


Drawing = TypeVar("Drawing", bound=Callable[..., go.Figure])


def drawn(function: Drawing) -> Drawing:
    """A figure function that never fails its page: whatever raises while the figure is made
    (data it cannot show: values no axis holds, a pool's absurd figures) is logged with its
    reason, and the figure returned says that the chart could not be drawn (`not_drawn`),
    so that the page's other charts, tiles and tables are drawn, and the chart's slide and
    files say so too. The function's own body is `__wrapped__`, looked up at each call."""

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> go.Figure:
        try:
            return draw.__wrapped__(*args, **kwargs)  # type: ignore[attr-defined]
        except Exception:
            log.exception("A chart could not be drawn (figures.%s)", function.__name__)
            return not_drawn()

    return cast(Drawing, draw)


def _base(fig: go.Figure, **layout: object) -> go.Figure:
    settings: dict[str, object] = {
        "margin": {"l": 10, "r": 20, "t": 20, "b": 10},
        "hovermode": "closest",
        "showlegend": False,
        "separators": plotly_separators(),  # the language's decimal mark and thousands
    }
    fig.update_layout(**(settings | layout))
    return fig


@drawn
def members_map(frame: pd.DataFrame, names: Mapping[str, str], value: str = "members") -> go.Figure:
    """Choropleth of members by country (ISO-3), from the vendored world geometry."""
    if frame.empty:
        return empty()
    if _nothing_to_draw(frame, value):
        return empty(_(SMALL_CELLS))
    data = frame.dropna(subset=[value])
    custom = [
        [f"country={c}", names.get(c, c), g, p]
        for c, g, p in zip(data["country"], data["groups"], data["pct_women"], strict=True)
    ]
    fig = go.Figure(
        go.Choropleth(
            name=_("Members"),
            locations=data["country"],
            z=data[value],
            locationmode="ISO-3",
            # up to a middle blue: the country names written on it stay readable
            colorscale=[[0, "#DCEBF5"], [1, "#3A7DB5"]],
            # From zero: shades compare sizes, and one country alone gets a plain scale.
            zmin=0,
            zmax=float(data[value].max()) if not data.empty else 1,
            marker={"line": {"color": "white", "width": 0.6}},
            colorbar={  # under the map, which keeps the card's whole width
                "title": {"text": _("Members"), "side": "top"},
                "tickformat": "~s",
                "orientation": "h",
                "thickness": 10,
                "len": 0.5,
                "x": 0.5,
                "xanchor": "center",
                "y": 0,
                "yanchor": "top",
            },
            customdata=custom,
            hovertemplate="<b>%{customdata[1]}</b><br>"
            + _("%{z:,.0f} members")
            + "<br>"
            + _("%{customdata[2]:,.0f} groups")
            + "<br>"
            + _("%{customdata[3]:.0%} women")
            + "<extra></extra>",
        )
    )
    labels = _map_labels(data, names, value)
    if labels is not None:
        fig.add_trace(labels)
    fig.update_geos(
        projection_type="natural earth",
        showframe=False,
        showcoastlines=False,
        showcountries=True,
        countrycolor="white",
        showland=True,  # every country's land, so that those with data sit on a map
        landcolor="#E3E6EA",
        showocean=False,
        fitbounds="locations",
        resolution=110,
    )
    return _base(fig, margin={"l": 0, "r": 0, "t": 0, "b": 56}, dragmode=False)


@cache
def _centroids() -> dict[str, tuple[float, float]]:
    """Each country's label point (longitude, latitude) from the vendored world geometry."""
    path = FILES_ROOT / "assets" / "topojson" / "world_110m.json"
    countries = json.loads(path.read_text())["objects"]["countries"]["geometries"]
    return {
        g["id"]: (float(g["properties"]["ct"][0]), float(g["properties"]["ct"][1]))
        for g in countries
        if g.get("id") and "ct" in g.get("properties", {})
    }


# The map's drawing as the labels are placed for it: about the width of a half-page card
# (a slide is wider, so labels placed for the card never collide there).
MAP_WIDTH_PX, MAP_HEIGHT_PX = 470.0, 300.0
_CHAR_PX, _LINE_PX = 6.6, 14.0  # 11 px text


def _map_labels(data: pd.DataFrame, names: Mapping[str, str], value: str) -> go.Scattergeo | None:
    """Names and values written on the map, the largest countries first, leaving out a
    label that would overlap one already placed (its country keeps its hover): in East
    Africa, say, Uganda and Tanzania are named, Rwanda and Burundi beside them are not."""
    points = _centroids()
    rows = [
        (c, float(v), points[c])
        for c, v in zip(data["country"], data[value], strict=True)
        if c in points and pd.notna(v)
    ]
    if not rows:
        return None
    lons = [p[0] for _c, _v, p in rows]
    lats = [p[1] for _c, _v, p in rows]
    # fitbounds draws the countries whole: a margin of a few degrees around the centroids
    span_lon, span_lat = max(lons) - min(lons) + 10, max(lats) - min(lats) + 10
    px_per_degree = min(MAP_WIDTH_PX / span_lon, MAP_HEIGHT_PX / span_lat)
    placed: list[tuple[float, float, float, float]] = []
    kept: list[tuple[str, float, tuple[float, float]]] = []
    for country, v, (lon, lat) in sorted(rows, key=lambda r: -r[1]):
        name, amount = names.get(country, country), compact(v) if v >= 1000 else number(v)
        half_w = max(len(name), len(amount)) * _CHAR_PX / 2 / px_per_degree
        half_h = _LINE_PX / px_per_degree  # two lines
        box = (lon - half_w, lon + half_w, lat - half_h, lat + half_h)
        if any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in placed):
            continue
        placed.append(box)
        kept.append((country, v, (lon, lat)))
    return go.Scattergeo(
        lon=[p[0] for _c, _v, p in kept],
        lat=[p[1] for _c, _v, p in kept],
        text=[
            f"<b>{names.get(c, c)}</b><br>{compact(v) if v >= 1000 else number(v)}"
            for c, v, _p in kept
        ],
        mode="text",
        textfont={"size": 11, "color": theme.TEXT},
        hoverinfo="skip",
        showlegend=False,
        name=_("Country names"),
    )


END_LABEL = "end-label"  # the name of a line's label at its end (its value after a colon)
END_LABEL_CHARS = 24  # a line of a name at a line's end: 12 px type in the margin of 175 px
# A card's plot is about this tall (px) on a screen: names at the lines' ends are set apart
# for it (a file sets them apart again for its own: exports.framed).
CARD_PLOT_PX = 270.0
LINE_BOX = 1.45  # a line of text as the browser boxes it, in ems of its size


def apart(
    centres: Sequence[float], halves: Sequence[float], low: float, high: float
) -> list[float]:
    """Centres of labels (in order, each `halves` high either way) moved up as little as
    keeps each clear of the one below, then all down as little as keeps the top one within
    `high` (never below `low`)."""
    placed: list[float] = []
    for centre, half in zip(centres, halves, strict=True):
        if placed:
            centre = max(centre, placed[-1] + halves[len(placed) - 1] + half)
        placed.append(centre)
    over = placed[-1] + halves[-1] - high if placed else 0.0
    if over > 0:
        floor = low
        for i, half in enumerate(halves):
            placed[i] = max(placed[i] - over, floor + half)
            floor = placed[i] + half
    return placed


def _direct_labels(
    fig: go.Figure, ends: list[tuple[str, float, object, str]], y_range: float
) -> None:
    """Label each line at its end (STYLE.md), set apart so labels do not overlap in a card.
    A long name is written on two lines of END_LABEL_CHARS, each shortened if it must be, so
    that it fits in the right margin (the hover has it whole, and a file writes it whole)."""
    if not ends:
        return
    ordered = sorted(ends, key=lambda e: e[1])
    texts = [
        "<br>".join(
            _shorten(line, END_LABEL_CHARS)
            for line in _two_lines(str(name), END_LABEL_CHARS).split("<br>")
        )
        for name, _y, _x, _colour in ordered
    ]
    span = (y_range or 1.0) * 1.06  # (plotly's range: the values and a little more)
    per_px = span / CARD_PLOT_PX
    halves = [((t.count("<br>") + 1) * 12 * LINE_BOX + 2) / 2 * per_px for t in texts]
    low = min(min(e[1] for e in ends), 0.0)
    centres = apart([e[1] for e in ordered], halves, low, low + span)
    labels: list[dict[str, object]] = []
    for (name, y, x, colour), text, y_label in zip(ordered, texts, centres, strict=True):
        labels.append(
            {
                "name": f"{END_LABEL}:{y!r}",  # (where its line ends: exports.framed)
                "x": x,
                "y": y_label,
                "text": text,
                "showarrow": False,
                "xanchor": "left",
                "xshift": 6,
                "font": {"color": colour, "size": 12},
                # the whole name: on hover, and written whole in a file (exports.framed)
                "hovertext": str(name) if "…" in text else None,
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
) -> go.Figure:
    """Lines over time (x = as_of): one per `series` value (shown by its `labels` name), and
    a grey network line (`total_label`, default "Network"). With `drill`, clicking a line
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
                "mode": "lines",
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
                "mode": "lines",
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
        _direct_labels(fig, ends, y_range)
    # An explicit range: plotly would otherwise widen the axis to fit the end labels, which
    # sit in the right margin instead.
    spans = [frame.dropna(subset=[y])["as_of"]]
    if total is not None and not total.empty:
        spans.append(total.dropna(subset=[y])["as_of"])
    dates = pd.to_datetime(pd.concat(spans))
    labelled = len(ends) > 1 or series is not None
    return _base(
        fig,
        yaxis={"title": {"text": y_title}, "rangemode": "tozero", **_axis_format(kind, currency)},
        xaxis={"title": {"text": ""}, "range": [dates.min(), dates.max()]},
        margin={"l": 10, "r": 175 if labelled else 20, "t": 20, "b": 10},
    )


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


def _shorten(text: str, limit: int = 30) -> str:
    """Axis labels stay readable in a narrow card; the hover shows the full name."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shorten_keeping_end(text: str, limit: int = 30) -> str:
    """A label shortened in its middle, keeping what tells it apart at the end: a project
    id after " · ", a parenthesis ("Women's Economic… (Ethiopia)") or the last characters."""
    if len(text) <= limit:
        return text
    start = text.rfind(" · ")
    if start > 0 and len(text) - start <= limit - 8:
        return text[: limit - (len(text) - start) - 1].rstrip() + "…" + text[start:]
    start = text.rfind(" (")
    end = (
        text[start:] if text.endswith(")") and start > 0 and len(text) - start <= limit - 8 else ""
    )
    if not end:
        end = text[-(limit // 2) :]
    return text[: limit - len(end) - 1].rstrip() + "…" + end


def _short_labels(names: list[str], limit: int = 30) -> list[str]:
    """Short axis labels, unless shortening would make two look alike (then shortened in
    the middle, keeping their distinct ends; failing that, in full)."""
    distinct = len(set(names))
    for shorten in (_shorten, _shorten_keeping_end):
        short = [shorten(n, limit) for n in names]
        if len(set(short)) == distinct:
            return short
    return names


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (numpy scalars as Python's)."""
    return value.item() if hasattr(value, "item") else value


def _two_lines(text: str, width: int) -> str:
    """A label broken at a space into two lines of about `width` characters (a narrow
    chart: plotly cuts a long label rather than narrow the plot)."""
    if len(text) <= width or " " not in text:
        return text
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        cut = text.find(" ")
    return text[:cut] + "<br>" + text[cut + 1 :]


CARD_BAR_PX = 230.0  # the plot of ranked bars in a half-page card, about (px)
CHAR_EM = 0.52  # a character of Source Sans 3 on average, in ems (a little more than most)
VALUE_LABEL = "value-label"  # the name of a bar's value written past a reference line


def values_clear_of_lines(
    fig: go.Figure, lines: Sequence[float], per_px: float, size: float
) -> None:
    """Each ranked bar's value (its text, from the trace's meta) where no reference line
    runs through it, `per_px` values a pixel and the text `size` px: past the bar's end, or
    else inside it at its end, or else past the line that would strike it (an annotation,
    named VALUE_LABEL). Made again for a file, at its own scale (exports.framed)."""
    notes = [a for a in fig.layout.annotations if a.name != VALUE_LABEL]
    for bar in fig.data:
        if bar.type != "bar" or not isinstance(bar.meta, dict) or bar.meta.get("kind") != "ranked":
            continue
        texts = list(bar.text) if bar.text is not None else []
        count = len(texts)
        if not lines or not count:
            continue
        colours = bar.marker.color
        colours = list(colours) if isinstance(colours, list | tuple) else [colours] * count
        opacity = bar.marker.opacity
        opacity = list(opacity) if isinstance(opacity, list | tuple) else [opacity] * count

        def struck(start: float, end: float) -> list[float]:
            return [x for x in lines if start - 2 * per_px <= x <= end + 2 * per_px]

        places, shown, inks = [], [], []
        for value, name, text, colour, alpha in zip(
            bar.x, bar.y, texts, colours, opacity, strict=False
        ):
            place, ink = "outside", theme.TEXT
            if value is not None and value == value and text:
                v, pad = float(value), 3 * per_px
                wide = (len(str(text)) * size * CHAR_EM + 4) * per_px
                if not struck(v + pad, v + pad + wide):
                    pass
                elif v - pad - wide > 0 and not struck(v - pad - wide, v - pad):
                    place = "inside"
                    light = alpha is not None and alpha < 0.8
                    ink = "white" if _dark(colour) and not light else theme.TEXT
                else:
                    start = v + pad
                    for _ in range(len(lines)):
                        hit = struck(start, start + wide)
                        if not hit:
                            break
                        start = max(hit) + 4 * per_px
                    notes.append(
                        {
                            "name": VALUE_LABEL,
                            "text": text,
                            "x": start,
                            "y": name,
                            "xref": str(bar.xaxis or "x"),
                            "yref": str(bar.yaxis or "y"),
                            "xanchor": "left",
                            "showarrow": False,
                            "font": {"size": size, "color": theme.TEXT},
                        }
                    )
                    place, text = "none", ""
            places.append(place)
            shown.append(text)
            inks.append(ink)
        bar.update(
            text=shown,
            textposition=places,
            insidetextanchor="end",
            insidetextfont={"color": inks},
        )
    fig.layout.annotations = notes  # (replaced: an update would merge them by place)


def _dark(colour: Any) -> bool:
    """Whether white text reads on a colour (#RRGGBB; anything else is taken as light)."""
    text = str(colour or "")
    if len(text) != 7 or not text.startswith("#"):
        return False
    try:
        red, green, blue = (int(text[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        return False
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45


@drawn
def ranked_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    kind: str,
    colour: str | Sequence[str] = theme.OKABE_ITO[0],
    currency: str = "USD",
    x_title: str = "",
    reference: Reference | Sequence[Reference] | None = None,
    drill: str | None = None,
    key: str | None = None,
    hover_extra: Sequence[str] | None = None,
    highlight: Sequence[str] | None = None,
    narrow: bool = False,
    series: str = "",
    details: Mapping[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars, largest at the top, zero-based, value labels at the bar ends; the
    references (the network's value, a benchmark) named in a legend above. With
    `highlight` (keys), the other bars are muted: the selection among its peers. A `narrow`
    chart (a third of the page) writes its names on two lines and has fewer ticks.

    The files of the chart (CSV, Excel) carry each bar's whole name, the `series` name (the
    indicator's label) and the `details` columns ({header: frame column}, e.g. the project
    id and the organisation), kept in the trace's meta."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return empty(_("No value to show for these filters."))
    order = data[value].sort_values(ascending=True).index
    data = data.loc[order]
    colours = colour if isinstance(colour, str) else [colour[i] for i in order]
    keys = data[key] if key else data[label]
    extra = list(hover_extra) if hover_extra is not None else [""] * len(data)
    if hover_extra is not None:
        extra = [extra[i] for i in order]
    custom = [
        [f"{drill}={k}" if drill else "", e, n]
        for k, e, n in zip(keys, extra, data[label], strict=True)
    ]
    names = _short_labels([str(n) for n in data[label]], 34 if narrow else 30)
    if narrow:
        names = [_two_lines(n, 17) for n in names]
    marker: dict[str, object] = {"color": colours}
    if highlight is not None:
        chosen = set(highlight)
        marker["opacity"] = [1.0 if k in chosen else theme.MUTED_OPACITY for k in keys]
    references = [reference] if isinstance(reference, Reference) else list(reference or ())
    top = max([float(data[value].max()), *(r.value for r in references)])
    x_axis: dict[str, object] = {
        "title": {"text": x_title},
        "rangemode": "tozero",
        "showgrid": True,
        "gridcolor": "#E6E6E6",
        **_axis_format(kind, currency),
    }
    if top > 0:  # room for the value labels outside the longest bar
        x_axis["range"] = [0, top * (1.35 if narrow else 1.22)]
    if narrow:
        # a third of a page has no room for the ticks' amounts side by side (plotly turned
        # them): each bar carries its value, the grid stays
        x_axis["nticks"] = 4
        x_axis["showticklabels"] = False
    texts = [format_value(v, kind, currency) for v in data[value]]
    # one figure from plain values, at once (cheaper than adding and updating its parts)
    fig = go.Figure(
        data=[
            {
                "type": "bar",
                "name": series or x_title or value,
                "x": data[value],
                "y": names,
                "orientation": "h",
                "marker": marker,
                "showlegend": False,
                "meta": {  # (exports.RANKED: a file names every bar and has whole names)
                    "kind": "ranked",
                    "format": kind,
                    "names": [str(n) for n in data[label]],
                    "texts": texts,  # (the values as written, wherever they are placed)
                    "narrow": narrow,
                    "columns": {
                        h: [_plain(v) for v in data[c]] for h, c in (details or {}).items()
                    },
                },
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": custom,
                "hovertemplate": "<b>%{customdata[2]}</b><br>"
                + _hover(kind, currency).replace("%{y", "%{x")
                + "%{customdata[1]}<extra></extra>",
            }
        ],
        layout={
            "xaxis": x_axis,
            "yaxis": {"title": {"text": ""}, "showgrid": False, "type": "category"},
        },
    )
    for ref in references:
        _reference_line(fig, ref, kind, currency, horizontal=False)
    if top > 0 and references:  # (a card's plot is about CARD_BAR_PX wide)
        span = top * (1.35 if narrow else 1.22)
        per_px = span / (CARD_BAR_PX / 2 if narrow else CARD_BAR_PX)
        values_clear_of_lines(fig, [r.value for r in references], per_px, 14)  # (the font)
    height = max(260, (40 if narrow else 28) * len(data) + 80 + 18 * len(references))
    return _base(
        fig,
        height=height,
        bargap=0.3,
        margin={"l": 10, "r": 70, "t": 34, "b": 10},
        showlegend=bool(references),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 12}},
    )


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
def size_histogram(frame: pd.DataFrame) -> go.Figure:
    if frame.empty:
        return empty()
    fig = go.Figure(
        go.Bar(
            name=_("Active groups by members per group"),
            x=frame["members"],
            y=frame["groups"],
            marker={"color": theme.OKABE_ITO[0]},
            hovertemplate=_("%{y:,.0f} groups of %{x} members") + "<extra></extra>",
        )
    )
    sizes = pd.to_numeric(frame["members"], errors="coerce")
    # a tick every 5 members across the usual sizes (ticks every 5 across a group of
    # 2,000,000,000 members, a pool's absurd figure, would be 400 million: plotly's own then)
    fig.update_xaxes(
        title_text=_("Members per group"), dtick=5 if sizes.max() - sizes.min() <= 200 else None
    )
    fig.update_yaxes(title_text=_("Active groups"), rangemode="tozero", tickformat="~s")
    return _base(fig, bargap=0.1)


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
    fig.update_yaxes(title_text=y_title, tickformat="~s")
    return _base(
        fig,
        hovermode="closest" if drill else "x unified",
        margin={"l": 10, "r": 175, "t": 20, "b": 10},
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
        y_axes[f"yaxis{axis}"] = {"rangemode": "tozero", **_axis_format(kind, currency)}
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
