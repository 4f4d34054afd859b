"""/present: presentation mode, for a projector at the back of a hall (issue 7).

A storyline built from the link's filters, one chart or one set of KPIs per slide: headline
KPIs -> outreach -> the map -> women's membership -> replication -> cost per member ->
financial performance. Large type (body 24 px and more), high contrast, the frame of the
dashboard hidden. Arrow keys, PageUp/PageDown (a clicker), Home/End and the buttons move;
the slide number is the link's #fragment (a presenter prepares `/present?country=UGA&lang=da#3`
in advance); F toggles full screen; Esc returns to the page the presentation was entered from,
with the same filters (assets/30_present.js).

A chart slide draws a chart's own declaration (dashboard/views/charts.py: the overview's trend and
map, outreach's groups by who trained them, efficiency's cost by organisation; and the
presentation's women by organisation): the slide's headline sits over the chart's own
subtitle and caption, and the figure is redrawn for the back row (`_styled`,
`projector_map`).

Every slide is rendered at once (one request, from the caches the pages share), and a
clientside callback shows the current one, so moving between slides costs no request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import plotly.graph_objects as go
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html

from dashboard.core.format import compact, number
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import BY_ID
from dashboard.views import charts, needs
from dashboard.views.figures.bars import ranked_bars
from dashboard.views.figures.common import empty
from dashboard.views.figures.maps import centroids
from dashboard.views.needs import Frame
from dashboard.views.page_model import Chart, ChartSpec, Kpi
from dashboard.views.view import (
    View,
    caption,
    entity_name,
    headline_kpis,
    nice_date,
    read_view,
)
from dashboard.web.components.cards import graph_config
from dashboard.web.components.render import change_view

PATH = "/present"
NAME = N_("Presentation")
ORDER = 100
SLIDE_KPIS = ("groups", "members", "pct_women", "savings_usd", "countries", "organisations")
FINANCE = (
    "savings_per_member_usd",
    "annualised_return_on_assets",
    "loan_fund_utilisation",
    "portfolio_at_risk",
)
FONT = 22  # chart text on a projector (the page's body text is 24 px and more)


@dataclass(frozen=True)
class Slide:
    """A slide: its headline (`title`), and a chart drawn from its declaration (the pages'
    own, dashboard/views/charts.py, or the presentation's) with the chart's words under it, or
    KPI tiles. `key` is the chart's id (or the tiles')."""

    key: str
    title: str
    subtitle: str
    body: Any
    caption: str
    summary: str = ""
    chart: Chart | None = None


def _women_by_organisation(data: charts.Data) -> go.Figure:
    """Women's share by organisation, against the network's (every group the viewer may
    see, with the theme filters: a selection's own total is not the network)."""
    frame = data.by_organisation
    if frame.empty:
        return empty()
    line = charts.network_line(data, "pct_women") if len(frame) > 1 else None
    return ranked_bars(
        frame.reset_index(drop=True),
        "label",
        "pct_women",
        "pct",
        colour=[data.colours.get(o, "#0072B2") for o in frame["organisation"]],
        reference=line,
    )


# the presentation's own chart (the others are the pages': dashboard/views/charts.py)
WOMEN_BY_ORGANISATION = ChartSpec(
    "pr-women",
    N_("Women among members"),
    N_("Women / members of active groups as of {date}, by organisation"),
    _women_by_organisation,
    ("pct_women",),
    needs=(Frame("organisation"), charts.NETWORK),
)
REPLICATED = N_("{subtitle}; {rate} replicated per group the projects trained")


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Presentation"), className="page-title visually-hidden"),
            html.Div(
                [
                    html.Button(
                        "‹",
                        id="present-prev",
                        className="present-button",
                        type="button",
                        **{"aria-label": _("Previous slide")},
                    ),
                    html.Span("", id="present-counter", className="present-counter"),
                    html.Button(
                        "›",
                        id="present-next",
                        className="present-button",
                        type="button",
                        **{"aria-label": _("Next slide")},
                    ),
                    html.Button(
                        _("Full screen"),
                        id="present-fullscreen",
                        className="present-button present-text-button",
                        type="button",
                        title=_("Full screen (F)"),
                    ),
                    html.Button(
                        _("Leave"),
                        id="present-leave",
                        className="present-button present-text-button",
                        type="button",
                        title=_("Leave the presentation (Esc)"),
                    ),
                ],
                className="present-bar",
                role="toolbar",
                **{"aria-label": _("Presentation controls")},
            ),
            html.Div(
                html.P(_("Preparing the slides…"), className="present-subtitle present-wait"),
                id="present-deck",
                className="present-deck",
            ),
            html.P(
                _(
                    "Arrow keys or PageUp/PageDown move between slides, F shows full screen, "
                    "Esc leaves."
                ),
                className="visually-hidden",
                id="present-help",
            ),
        ],
        id="present-root",
        className="present",
        **{"aria-describedby": "present-help"},
    )


# --- Slides ------------------------------------------------------------------------------------


def _styled(fig: go.Figure) -> go.Figure:
    """A figure for the back row: larger text everywhere, thicker lines, room for the axes."""
    black = {"size": FONT, "color": "#000000"}
    fig.update_layout(
        font=black,
        hoverlabel={"font": {"size": FONT}},
        legend={"font": black},  # (the reference lines' names, over ranked bars)
        autosize=True,
        height=None,
    )
    fig.update_xaxes(tickfont=black, title_font=black)
    fig.update_yaxes(tickfont=black, title_font=black)
    fig.update_annotations(font_size=FONT)
    fig.update_traces(line={"width": 4}, selector={"type": "scatter"})
    margin = fig.layout.margin
    fig.update_layout(
        margin={
            "l": max(margin.l or 0, 20),
            "r": max(int((margin.r or 0) * 1.5), 30),
            "t": max(margin.t or 0, 30),
            "b": max(margin.b or 0, 30),
        }
    )
    return fig


MAP_NAMED = 5  # countries named on the slide's map: the largest by the value mapped
MAP_FONT = 22  # px: the map's names and its colour bar, read from the back of a hall


def projector_map(
    fig: go.Figure, frame: Any, names: dict[str, str], value: str = "members"
) -> go.Figure:
    """The map of a slide (issue 28): the `MAP_NAMED` largest countries by `value` named on
    it, each with its value, in `MAP_FONT` px type with a white halo (assets/10_app.css), and
    the colour bar's words as large; the card's map names as many countries as fit its
    small drawing, in 11 px type, which a projector's back row cannot read."""
    choropleths = [t for t in fig.data if t.type == "choropleth"]
    if not choropleths or frame is None or frame.empty:
        return fig  # (nothing drawn: the figure says why)
    fig.data = tuple(choropleths)  # (the card's names, placed for a card, go)
    big = {"size": MAP_FONT, "color": "#000000"}
    fig.update_traces(
        colorbar={"tickfont": big, "title": {"font": big}, "thickness": 18, "len": 0.6},
        selector={"type": "choropleth"},
    )
    points = centroids()
    rows = frame.dropna(subset=[value])
    rows = rows[rows["country"].isin(points)].nlargest(MAP_NAMED, value)
    if rows.empty:
        return fig
    labels = [
        (names.get(c, c), compact(v) if v >= 1000 else number(v), points[c])
        for c, v in zip(rows["country"], rows[value], strict=True)
    ]
    spots = label_positions(labels, [points[c] for c in frame["country"] if c in points])
    # a name moved off its country's point is tied to it by a thin line
    ties = [
        (p, (x, y)) for (_n, _v, p), (_s, x, y) in zip(labels, spots, strict=True) if p != (x, y)
    ]
    if ties:
        fig.add_trace(
            go.Scattergeo(
                lon=[v for a, b in ties for v in (a[0], b[0], None)],
                lat=[v for a, b in ties for v in (a[1], b[1], None)],
                mode="lines",
                line={"width": 1.5, "color": "#333333"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scattergeo(
            lon=[x for _s, x, _y in spots],
            lat=[y for _s, _x, y in spots],
            text=[f"<b>{name}</b><br>{amount}" for name, amount, _p in labels],
            textposition=[spot for spot, _x, _y in spots],
            mode="text",
            textfont=big,
            hoverinfo="skip",
            showlegend=False,
            name=_("Country names"),
        )
    )
    return fig


# The slide's map as its names are placed for it: the map's drawing on a laptop's slide of
# 1366 x 768 (a larger screen draws it larger, and names placed apart here stay apart there).
SLIDE_MAP_PX = (650.0, 340.0)
LABEL_SPOTS = (
    "middle center",
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)


def label_positions(
    labels: Sequence[tuple[str, str, tuple[float, float]]],
    every: Sequence[tuple[float, float]],
) -> list[tuple[str, float, float]]:
    """Where each label (name, value, (longitude, latitude)), largest first, is written
    (a plotly text position and the point it is written at): on or around its country's
    point, else a label's height or half its width further out, the first spot clear of the
    labels already placed and of the map's top and bottom edges (else the least covered),
    so that neighbours (Uganda, Kenya, Rwanda) are all named, none over another. `every` is
    the points of every country drawn (the map fits them)."""
    lons, lats = [p[0] for p in every], [p[1] for p in every]
    span_lon, span_lat = max(lons) - min(lons) + 10, max(lats) - min(lats) + 10
    ppd = min(SLIDE_MAP_PX[0] / span_lon, SLIDE_MAP_PX[1] / span_lat)  # px per degree
    gap = 6 / ppd
    # the map drawn (fitbounds: the countries whole, about 5 degrees around their points); a
    # name beyond its top or bottom is cut off (at its sides the map widens to the slide's)
    low, high = min(lats) - 5, max(lats) + 5
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[str, float, float]] = []
    for name, amount, (lon, lat) in labels:
        w = max(len(name) * 0.62, len(amount) * 0.56) * MAP_FONT / ppd
        h = 2 * 1.25 * MAP_FONT / ppd
        best, least = (LABEL_SPOTS[0], lon, lat), float("inf")
        box = (0.0, 0.0, 0.0, 0.0)
        for further in (0.0, 1.0):
            for spot in LABEL_SPOTS:
                vertical, horizontal = spot.split()
                dx = {"center": 0.0, "right": 1.0, "left": -1.0}[horizontal] * further * w / 2
                dy = {"middle": 0.0, "top": 1.0, "bottom": -1.0}[vertical] * further * h
                if further and dx == dy == 0.0:
                    continue
                x, y = lon + dx, lat + dy
                x0 = {"center": x - w / 2, "right": x + gap, "left": x - gap - w}[horizontal]
                y0 = {"middle": y - h / 2, "top": y + gap, "bottom": y - gap - h}[vertical]
                here = (x0, x0 + w, y0, y0 + h)
                covered = sum(
                    max(0.0, min(here[1], b[1]) - max(here[0], b[0]))
                    * max(0.0, min(here[3], b[3]) - max(here[2], b[2]))
                    for b in placed
                )
                covered += w * (max(0.0, low - here[2]) + max(0.0, here[3] - high))  # cut off
                if covered < least:
                    best, least, box = (spot, x, y), covered, here
            if least <= 1e-9:
                break
        placed.append(box)
        out.append(best)
    return out


def _chart(fig: go.Figure, key: str) -> dcc.Graph:
    return dcc.Graph(
        id={"type": "present-chart", "id": key},
        figure=_styled(fig),
        config={**graph_config(f"slide-{key}"), "displayModeBar": False},
        className="present-graph",
        responsive=True,
    )


def _kpis(view: View, kpis: Sequence[Kpi]) -> Any:
    """Large KPI tiles: label, number, change since the comparison date."""
    tiles = []
    for kpi in kpis:
        tiles.append(
            html.Div(
                [
                    html.Div(BY_ID[kpi.indicator].label, className="present-kpi-label"),
                    html.Div(_with_unit(kpi.value, view.code), className="present-kpi-value"),
                    html.Div(change_view(kpi.change), className="present-kpi-change"),
                    html.Div(kpi.note, className="present-kpi-note") if kpi.note else None,
                ],
                className="present-kpi",
            )
        )
    return html.Div(tiles, className="present-kpis")


def _with_unit(text: str, code: str) -> Any:
    """A money value with its currency code set smaller (USD 11.4M, 11,4 mio. USD), so that
    the number itself can be large."""
    for before, after in ((f"{code} ", ""), ("", f"\u00a0{code}")):
        if before and text.startswith(before):
            return [html.Span(code + " ", className="present-kpi-unit"), text[len(before) :]]
        if after and text.endswith(after):
            return [text[: -len(after)], html.Span(" " + code, className="present-kpi-unit")]
    return text


def _chart_slide(
    spec: ChartSpec,
    data: charts.Data,
    title: str,
    projected: Callable[[go.Figure], go.Figure] | None = None,
) -> Slide:
    """A slide of a chart drawn from its declaration: the slide's headline over the chart's
    own subtitle and caption; `projected` redraws the figure for the back row of a hall (the
    map's names)."""
    chart = spec.chart(data)
    figure = projected(chart.figure) if projected else chart.figure
    return Slide(
        spec.id,
        title,
        chart.subtitle,
        _chart(figure, spec.id),
        chart.caption,
        chart.figure.layout.meta["summary"],
        chart,
    )


CHARTS = (
    charts.MEMBERS_OVER_TIME,
    charts.MEMBERS_MAP,
    WOMEN_BY_ORGANISATION,
    charts.TRAINED,
    charts.COST_BY_ORGANISATION,
)


def _charted(data: charts.AsOf) -> bool:
    """Whether the slides go on past the headline: a scope with groups shown."""
    return bool(data.total.get("groups")) and not data.total.get("suppressed")


# what the slides read, fetched before they are drawn: the headline's figures, then (a scope
# without groups shows its headline alone) the charts'
NEEDS = (
    *charts.AsOf.NEEDS,
    needs.Then(_charted, tuple(need for spec in CHARTS for need in spec.needs)),
)


def slides(search: str | None) -> list[Slide]:
    """The storyline of the link's view."""
    view = read_view(search)
    if view.as_of is None:
        return [_empty()]
    data = charts.AsOf(view, date=nice_date(view.as_of))
    needs.fetch_all(NEEDS, data)
    out = [_headline(data)]
    if not _charted(data):
        return out
    return [
        *out,
        _outreach(data),
        _map(data),
        _women(data),
        _replication(data),
        _cost(data),
        _finance(data),
    ]


def _empty() -> Slide:
    return Slide(
        "empty",
        _("No data to present yet"),
        _("Import data with `vsla import`, or build the demo pool with `vsla demo`."),
        html.Div(),
        "",
    )


def _tiles_caption(data: charts.AsOf) -> str:
    """The caption of the tiles' slides (of a scope with no groups, too)."""
    now = data.total
    return caption(data.view, now.get("groups") or 0, now.get("projects"))


def _headline(data: charts.AsOf) -> Slide:
    view = data.view
    return Slide(
        "headline",
        _scope_title(view),
        _("Active groups as of {date}; changes against {prior}").format(
            date=nice_date(view.as_of), prior=nice_date(data.prior)
        ),
        _kpis(view, headline_kpis(view, SLIDE_KPIS, data.total, data.before, data.prior)),
        _tiles_caption(data),
    )


def _outreach(data: charts.AsOf) -> Slide:
    view, now = data.view, data.total
    return _chart_slide(
        charts.MEMBERS_OVER_TIME,
        data,
        _("{members} members in {groups} active groups").format(
            members=view.fmt("members", now.get("members")),
            groups=view.fmt("groups", now.get("groups") or 0),
        ),
    )


def _map(data: charts.AsOf) -> Slide:
    view, now = data.view, data.total
    return _chart_slide(
        charts.MEMBERS_MAP,
        data,
        _("Members in {n} countries").format(n=view.fmt("countries", now.get("countries"))),
        lambda fig: projector_map(fig, data.by_country, data.country_names),
    )


def _women(data: charts.AsOf) -> Slide:
    share = data.view.fmt("pct_women", data.total.get("pct_women"))
    return _chart_slide(
        WOMEN_BY_ORGANISATION, data, _("{share} of members are women").format(share=share)
    )


def _replication(data: charts.AsOf) -> Slide:
    view, now = data.view, data.total
    replication = _chart_slide(
        charts.TRAINED,
        data,
        _("{n} groups were formed by members of other groups").format(
            n=view.fmt("groups_replicated", now.get("groups_replicated"))
        ),
    )
    rate = view.fmt("replication_rate", now.get("replication_rate"))
    subtitle = _(REPLICATED).format(subtitle=replication.subtitle, rate=rate)
    return replace(replication, subtitle=subtitle)


def _cost(data: charts.AsOf) -> Slide:
    view = data.view
    cost = view.convert(data.total.get("cost_per_member_usd"))
    return _chart_slide(
        charts.COST_BY_ORGANISATION,
        data,
        _("Cost per member: {value}").format(value=view.fmt("cost_per_member_usd", cost)),
    )


def _finance(data: charts.AsOf) -> Slide:
    view = data.view
    return Slide(
        "finance",
        _("Financial performance"),
        _("Savings, returns and loans of active groups as of {date}").format(
            date=nice_date(view.as_of)
        ),
        _kpis(view, headline_kpis(view, FINANCE, data.total, data.before, data.prior)),
        _tiles_caption(data),
    )


def _scope_title(view: View) -> str:
    """The first slide's title: the network, or the organisations and countries chosen."""
    f = view.state.filters
    parts = list(f.organisation) or []
    if f.project:
        parts = [
            view.facts.project_by_id[p].project_name
            for p in f.project
            if p in view.facts.project_by_id
        ]
    where = [entity_name("country", c, view.facts) for c in f.country]
    if parts and where:
        return _("Savings groups of {who} in {where}").format(
            who=", ".join(parts), where=", ".join(where)
        )
    if parts:
        return _("Savings groups of {who}").format(who=", ".join(parts))
    if where:
        return _("Savings groups in {where}").format(where=", ".join(where))
    return _("Savings groups in the network")


def render(search: str | None) -> list[Any]:
    deck = slides(search)
    sections = []
    for i, slide in enumerate(deck, start=1):
        sections.append(
            html.Section(
                [
                    html.H2(slide.title, className="present-title"),
                    html.P(slide.subtitle, className="present-subtitle"),
                    html.Div(slide.body, className="present-body"),
                    html.P(slide.summary, className="visually-hidden"),
                    html.P(slide.caption, className="present-caption"),
                ],
                id={"type": "present-slide", "index": i},
                className="present-slide" + (" active" if i == 1 else ""),
                **{
                    "aria-roledescription": _("slide"),
                    "aria-label": _("Slide {n} of {total}").format(n=i, total=len(deck)),
                },
            )
        )
    return sections


def register_callbacks(app: Dash) -> None:
    @app.callback(Output("present-deck", "children"), Input("url", "search"))
    def update(search: str | None) -> list[Any]:
        return render(search)

    app.clientside_callback(
        # which slide is shown: the #fragment's (assets/15_clientside.js)
        ClientsideFunction("present", "showSlide"),
        Output({"type": "present-slide", "index": ALL}, "className"),
        Output("present-counter", "children"),
        Output("present-prev", "disabled"),
        Output("present-next", "disabled"),
        Input("url", "hash"),
        Input("present-deck", "children"),
        State({"type": "present-slide", "index": ALL}, "id"),
    )
    app.clientside_callback(
        ClientsideFunction("present", "move"),  # the buttons write the #fragment
        Output("url", "hash"),
        Input("present-prev", "n_clicks"),
        Input("present-next", "n_clicks"),
        State("url", "hash"),
        State({"type": "present-slide", "index": ALL}, "id"),
        prevent_initial_call=True,
    )
