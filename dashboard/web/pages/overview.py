"""/ Overview: the headline KPIs, members on a world map, outreach over time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from dashboard.core.i18n import N_, _
from dashboard.views import charts
from dashboard.views.figures.bars import ranked_bars
from dashboard.views.figures.common import empty
from dashboard.views.needs import Frame
from dashboard.views.page_model import ChartSpec, Kpi, PageContent, PageSpec, note
from dashboard.views.view import (
    View,
    counted,
    entity_name,
    headline_kpis,
    nice_date,
    read_view,
)
from dashboard.web.components import render
from dashboard.web.components.cards import kpi_row

PATH = "/"
NAME = N_("Overview")
ORDER = 0
HEADLINE = (
    "groups",
    "members",
    "pct_women",
    "savings_usd",
    "annualised_return_on_assets",
    "cost_per_member_usd",
    "countries",
    "organisations",
)


def _countries_ranked(data: charts.Data) -> go.Figure:
    frame = data.by_country
    if not data.groups or frame.empty:
        return empty()
    names = data.country_names
    return ranked_bars(
        frame.assign(label=[names.get(c, c) for c in frame["country"]]),
        "label",
        "members",
        "int",
        drill="country",
        key="country",
        series=_("Members"),
    )


PAGE = PageSpec(
    charts=(
        charts.MEMBERS_MAP,
        # a phone draws the map too small to read: the countries ranked instead
        ChartSpec(
            "ov-countries",
            charts.MEMBERS_MAP.title,
            charts.MEMBERS_MAP.subtitle,
            _countries_ranked,
            ("members",),
            help=N_(
                "Members of active groups by country. Tap a country to narrow every page to it."
            ),
            height=440,
            scroll=True,
            only="phone",
            needs=(charts.TOTAL, Frame("country")),
        ),
        charts.MEMBERS_OVER_TIME,
    ),
    kpis=HEADLINE,
    needs=charts.AsOf.NEEDS,
    lead="ov-lead",
    heading="ov-title",
)
NETWORK_HEADING = N_("Savings groups in the network")


def heading(view: View) -> str:
    """The page's title: what the place filters choose, by name ("Nordlys Aid", "Nordlys
    Aid · Uganda"), or the network when they choose nothing."""
    f = view.filters
    parts = [
        ", ".join(entity_name(dimension, v, view.facts) for v in values)
        for dimension, values in (
            ("project", f.project),
            ("organisation", () if f.project else f.organisation),
            ("country", f.country),
        )
        if values
    ]
    return " · ".join(parts) if parts else _(NETWORK_HEADING)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_(NETWORK_HEADING), id="ov-title", className="page-title"),
            html.P(id="ov-lead", className="page-lead"),
            kpi_row(render.tiles(PAGE)),
            dbc.Row(render.cards(PAGE), className="mt-2"),
        ]
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    content = PageContent(_(NAME), heading=heading(view))
    if view.as_of is None:
        content.lead = _("The pool is empty: import data with `vsla import`.")
        content.kpis = [Kpi(i, _("n/a")) for i in HEADLINE]
        content.charts = PAGE.blank(lambda: empty(_("The pool has no data yet.")))
        return content
    data = charts.AsOf(view)
    PAGE.fetch(data)
    now, before, prior = data.total, data.before, data.prior
    groups = now.get("groups", 0)
    suppressed = bool(now.get("suppressed"))
    content.lead = (
        _("{groups} with {members} as of {date}. Changes are against {prior}.").format(
            groups=counted(groups, "active group", exact=True),
            members=counted(now.get("members"), "member", exact=True),
            date=nice_date(view.as_of),
            prior=nice_date(prior),
        )
        if not suppressed
        else _(
            "These filters leave fewer than 5 groups of other organisations: their figures "
            "are not shown. Widen the filters, or sign in to see your own organisation's."
        )
    )
    no_comparison = note(
        _("other organisations' small groups") if suppressed else _("no comparison")
    )
    content.kpis = [
        replace(k, change=k.change or no_comparison)
        for k in headline_kpis(view, HEADLINE, now, before, prior)
    ]
    content.charts = PAGE.draw(data)
    return content
