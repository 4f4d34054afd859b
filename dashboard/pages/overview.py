"""/ Overview: the headline KPIs, members on a world map, outreach over time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import datasource, figures
from dashboard.components import render
from dashboard.components.cards import kpi_row
from dashboard.i18n import N_, _
from dashboard.page_model import (
    Chart,
    ChartSpec,
    Kpi,
    PageContent,
    PageSpec,
    charts_by_id,
    note,
)
from dashboard.view import (
    View,
    caption,
    counted,
    entity_name,
    first_shown,
    headline_kpis,
    nice_date,
    now_and_then,
    organisation_colours,
    read_view,
)

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
PAGE = PageSpec(
    charts=(
        ChartSpec(
            "ov-map",
            N_("Members of active groups by country. Click a country to narrow every page to it."),
            height=400,
            only="wide",
        ),
        ChartSpec(  # a phone draws the map too small to read: the countries ranked instead
            "ov-countries",
            N_("Members of active groups by country. Tap a country to narrow every page to it."),
            height=440,
            scroll=True,
            only="phone",
        ),
        ChartSpec(
            "ov-trend",
            N_(
                "Members of active groups as of each quarter end, stacked by organisation. "
                "Click an organisation to narrow to it."
            ),
            height=400,
        ),
    ),
    kpis=HEADLINE,
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
    f = view.filters
    content = PageContent(_(NAME), heading=heading(view))
    if view.as_of is None:
        content.lead = _("The pool is empty: import data with `vsla import`.")
        content.kpis = [Kpi(i, _("n/a")) for i in HEADLINE]
        content.charts = {
            c.id: Chart(figures.empty(_("The pool has no data yet.")), "", "", "")
            for c in PAGE.charts
        }
        return content
    prior = datasource.comparison_date(view.as_of)
    # the page's queries at once; the calls below find their answers
    datasource.together(
        lambda: datasource.prefetch(f, [(None, False), ("country", False)]),
        lambda: now_and_then(view, prior),
        lambda: datasource.indicators(f, "organisation", over_time=True),
    )
    now, before = now_and_then(view, prior)
    groups, projects = now.get("groups", 0), now.get("projects", 0)
    cap = caption(view, groups, projects)

    by_country = datasource.indicators(f, "country")
    names = {c: entity_name("country", c, view.facts) for c in view.facts.countries}
    map_view = Chart(
        figures.members_map(by_country, names) if groups else figures.empty(),
        _("Members by country"),
        _("Members of active groups (a group is active if it reported in the last 365 days)"),
        cap,
        ("members",),
    )
    bars_view = Chart(
        figures.ranked_bars(
            by_country.assign(label=[names.get(c, c) for c in by_country["country"]]),
            "label",
            "members",
            "int",
            drill="country",
            key="country",
            series=_("Members"),
        )
        if groups and not by_country.empty
        else figures.empty(),
        map_view.title,
        map_view.subtitle,
        cap,
        ("members",),
    )
    trend = datasource.indicators(f, "organisation", over_time=True)
    colours = organisation_colours(view.facts)
    orgs = (
        trend.groupby("organisation")["members"].last().sort_values(ascending=False).index
        if not trend.empty
        else pd.Index([])
    )
    trend_fig = figures.stacked_area(
        trend,
        "organisation",
        "members",
        list(orgs),
        {o: o for o in orgs},
        _("Members"),
        colours=colours,
        drill="organisation",
    )
    first = first_shown(trend)
    trend_view = Chart(
        trend_fig,
        _("Members over time"),
        _("Members of active groups at each quarter end since {date}, by organisation").format(
            date=nice_date(first)
        ),
        cap,
        ("members",),
    )
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
    content.charts = charts_by_id(PAGE, [map_view, bars_view, trend_view])
    return content
