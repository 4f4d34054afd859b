"""Bars of one panel: ranked bars (`ranked_bars`), their values written clear of the
reference lines across them (`values_clear_of_lines`), and the histogram of group sizes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import format_value
from dashboard.core.i18n import _
from dashboard.views.figures.common import _axis_format, _base, _hover, count_ticks, drawn, empty
from dashboard.views.figures.labels import _short_labels, _two_lines
from dashboard.views.figures.references import Reference, _reference_line


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (numpy scalars as Python's)."""
    return value.item() if hasattr(value, "item") else value


CARD_BAR_PX = 230.0  # the plot of ranked bars in a half-page card, about (px)
CHAR_EM = 0.52  # a character of Source Sans 3 on average, in ems (a little more than most)
VALUE_LABEL = "value-label"  # the name of a bar's value written past a reference line


def values_clear_of_lines(
    fig: go.Figure, lines: Sequence[float], per_px: float, size: float
) -> None:
    """Each ranked bar's value (its text, from the trace's meta) where no reference line
    runs through it, `per_px` values a pixel and the text `size` px: past the bar's end, or
    else inside it at its end, or else past the line that would strike it (an annotation,
    named VALUE_LABEL). Made again for a file, at its own scale (exports.framing.framed)."""
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
        **_axis_format(kind, currency, top),
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
                "meta": {  # (exports.tables.RANKED: a file names every bar and has whole names)
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
    top = float(pd.to_numeric(frame["groups"], errors="coerce").max())
    fig.update_yaxes(title_text=_("Active groups"), rangemode="tozero", **count_ticks(top))
    return _base(fig, bargap=0.1)
