"""The one look of every chart (STYLE.md): a Plotly template registered once, and a fixed,
colour-blind-safe colour per organisation, the network in neutral dark grey."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "vsla"

# Okabe-Ito, without black (kept for text) and yellow (too light on white for thin marks).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#8C6D31",  # brown (extension: an eighth distinguishable hue)
    "#6A3D9A",  # purple (extension)
)
NETWORK_GREY = "#4D4D4D"  # the network, and only the network, is drawn in grey
BENCHMARK = "#1D2733"  # an outside benchmark (SAVIX's reference values), dotted
MUTED_OPACITY = 0.3  # bars that are not the selection, beside it
LIGHT_GREY = "#BDBDBD"
TEXT = "#1D2733"
MUTED = "#5F6B78"
FONT_FAMILY = '"Source Sans 3", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'


def organisation_colours(organisations: Iterable[str]) -> dict[str, str]:
    """A colour per organisation that stays the same on every page and in every export.

    Organisations are given colours in sorted order, so the mapping depends only on the set
    of organisations in the pool (pass them all, not just those on one chart). Beyond the
    palette's size, colours repeat by a stable hash of the name."""
    names = sorted(set(organisations))
    mapping: dict[str, str] = {}
    for i, name in enumerate(names):
        if i < len(OKABE_ITO):
            mapping[name] = OKABE_ITO[i]
        else:
            digest = hashlib.sha1(name.encode("utf-8")).digest()
            mapping[name] = OKABE_ITO[digest[0] % len(OKABE_ITO)]
    return mapping


def _template() -> go.layout.Template:
    axis = {
        "showgrid": False,
        "zeroline": False,
        "linecolor": LIGHT_GREY,
        "ticks": "outside",
        "tickcolor": LIGHT_GREY,
        "title": {"font": {"size": 13, "color": MUTED}},
        "tickfont": {"size": 12, "color": MUTED},
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT},
            "title": {"font": {"size": 20, "color": TEXT}, "x": 0, "xanchor": "left"},
            "colorway": list(OKABE_ITO),
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "xaxis": axis,
            # Light horizontal gridlines only (STYLE.md).
            "yaxis": {**axis, "showgrid": True, "gridcolor": "#E6E6E6", "linecolor": "white"},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}},
            "margin": {"l": 60, "r": 30, "t": 80, "b": 80},
            "separators": ".,",
        },
        data={
            "bar": [go.Bar(marker={"line": {"width": 0}})],
            "scatter": [go.Scatter(line={"width": 2.5})],
        },
    )


def register() -> str:
    """Register the template and make it the default; idempotent. Returns its name."""
    pio.templates[TEMPLATE_NAME] = _template()
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME
