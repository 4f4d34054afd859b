"""Members by country on a world map (`members_map`), any indicator by country
(`indicator_map`: the indicator explorer's map), the countries named where their names do
not overlap."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.config import FILES_ROOT
from dashboard.core.format import compact, format_value, number
from dashboard.core.i18n import _
from dashboard.views.figures.common import (
    SMALL_CELLS,
    _axis_format,
    _base,
    _label_value,
    _nothing_to_draw,
    drawn,
    empty,
)


def _colour_bar(title: str, ticks: Mapping[str, object]) -> dict[str, object]:
    """A map's colour scale, under the map (which keeps the card's whole width)."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "thickness": 10,
        "len": 0.5,
        "x": 0.5,
        "xanchor": "center",
        "y": 0,
        "yanchor": "top",
        **ticks,
    }


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
            colorbar=_colour_bar(_("Members"), {"tickformat": "~s"}),
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
    return _on_the_world(fig, data, names, value, _count)


def _count(v: float) -> str:
    return compact(v) if v >= 1000 else number(v)


def _on_the_world(
    fig: go.Figure,
    data: pd.DataFrame,
    names: Mapping[str, str],
    value: str,
    written: Callable[[float], str],
) -> go.Figure:
    """The map's countries named (with their values, as `written` writes them) and the
    world drawn around them."""
    labels = _map_labels(data, names, value, written)
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


@drawn
def indicator_map(
    frame: pd.DataFrame,
    names: Mapping[str, str],
    value: str,
    kind: str,
    label: str,
    currency: str = "USD",
) -> go.Figure:
    """Choropleth of an indicator by country (ISO-3), shaded from zero (or from the lowest
    value, when it is below zero), each country's value in its hover and, where the names do
    not overlap, written on it."""
    if frame.empty:
        return empty()
    if _nothing_to_draw(frame, value):
        return empty(_(SMALL_CELLS))
    data = frame.assign(**{value: pd.to_numeric(frame[value], errors="coerce")})
    data = data.dropna(subset=[value])
    data = data[[math.isfinite(v) for v in data[value]]]
    if data.empty:
        return empty()
    low, high = min(float(data[value].min()), 0.0), float(data[value].max())
    fig = go.Figure(
        go.Choropleth(
            name=label,
            locations=data["country"],
            z=data[value],
            locationmode="ISO-3",
            colorscale=[[0, "#DCEBF5"], [1, "#3A7DB5"]],
            zmin=low,
            zmax=high if high > low else low + 1,
            marker={"line": {"color": "white", "width": 0.6}},
            colorbar=_colour_bar(label, _axis_format(kind, currency, high)),
            customdata=[
                [names.get(c, c), format_value(v, kind, currency), g]
                for c, v, g in zip(data["country"], data[value], data["groups"], strict=True)
            ],
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + _label_value(label, "%{customdata[1]}")
            + "<br>"
            + _("%{customdata[2]:,.0f} groups")
            + "<extra></extra>",
        )
    )
    return _on_the_world(fig, data, names, value, lambda v: format_value(v, kind, currency))


@cache
def centroids() -> dict[str, tuple[float, float]]:
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


def _map_labels(
    data: pd.DataFrame,
    names: Mapping[str, str],
    value: str,
    written: Callable[[float], str] = _count,
) -> go.Scattergeo | None:
    """Names and values written on the map, the largest countries first, leaving out a
    label that would overlap one already placed (its country keeps its hover): in East
    Africa, say, Uganda and Tanzania are named, Rwanda and Burundi beside them are not."""
    points = centroids()
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
        name, amount = names.get(country, country), written(v)
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
        text=[f"<b>{names.get(c, c)}</b><br>{written(v)}" for c, v, _p in kept],
        mode="text",
        textfont={"size": 11, "color": theme.TEXT},
        hoverinfo="skip",
        showlegend=False,
        name=_("Country names"),
    )
