"""/ Overview: the headline KPIs, members on a world map, outreach over time."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, html

from dashboard import datasource, figures
from dashboard.components.cards import (
    ChartView,
    chart_card,
    chart_outputs,
    kpi_outputs,
    kpi_row,
    kpi_tile,
)
from dashboard.i18n import N_, _
from dashboard.indicators import BY_ID
from dashboard.view import (
    View,
    caption,
    change_note,
    counted,
    entity_name,
    first_row,
    nice_date,
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
CHARTS = ("ov-map", "ov-trend")


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Savings groups in the network"), className="page-title"),
            html.P(id="ov-lead", className="page-lead"),
            kpi_row([kpi_tile(i) for i in HEADLINE]),
            dbc.Row(
                [
                    chart_card(
                        "ov-map",
                        height=400,
                        lg=6,
                        help_text=_(
                            "Members of active groups by country. Click a country to "
                            "narrow every page to it."
                        ),
                    ),
                    chart_card(
                        "ov-trend",
                        height=400,
                        lg=6,
                        help_text=_(
                            "Members of active groups as of each quarter end, stacked by "
                            "organisation. Click an organisation to narrow to it."
                        ),
                    ),
                ],
                className="mt-2",
            ),
        ]
    )


def kpi_values(view: View, now: dict[str, Any], before: dict[str, Any]) -> list[Any]:
    """Each headline tile's value and its change since the same quarter a year earlier."""
    out: list[Any] = []
    as_of, prior = view.as_of, datasource.comparison_date(view.as_of) if view.as_of else None
    for ind_id in HEADLINE:
        ind = BY_ID[ind_id]
        if now.get("suppressed"):
            out += [
                html.Span(_(datasource.SUPPRESSED), className="kpi-suppressed"),
                html.Span(_("other organisations' small groups"), className="text-secondary"),
            ]
            continue
        value, old = now.get(ind_id), before.get(ind_id)
        if ind.format == "usd":
            value = view.convert(value, as_of.year if as_of else None)
            old = view.convert(old, prior.year if prior else None)
        out.append(view.fmt(ind_id, value))
        note = change_note(value, old, ind.format, ind.direction, prior)
        out.append(note or html.Span(_("no comparison"), className="text-secondary"))
    return out


def build(search: str | None) -> list[Any]:
    view = read_view(search)
    f = view.filters
    if view.as_of is None:
        empty = ChartView(figures.empty(_("The pool has no data yet.")), "", "", "")
        return (
            [_("The pool is empty: import data with `vsla import`.")]
            + [_("n/a"), ""] * len(HEADLINE)
            + empty.values() * len(CHARTS)
        )
    prior = datasource.comparison_date(view.as_of)
    datasource.prefetch(f, [(None, False), ("country", False)])
    both = datasource.indicators_at(f, (prior, view.as_of))
    now = first_row(both[both["as_of"] == view.as_of]) if not both.empty else {}
    before = first_row(both[both["as_of"] == prior]) if not both.empty else {}
    if not now:
        now = datasource.indicators(f).iloc[0].to_dict()
    groups, projects = now.get("groups", 0), now.get("projects", 0)
    cap = caption(view, groups, projects)

    by_country = datasource.indicators(f, "country")
    names = {c: entity_name("country", c, view.facts) for c in view.facts.countries}
    map_view = ChartView(
        figures.members_map(by_country, names) if groups else figures.empty(),
        _("Members by country"),
        _("Members of active groups (a group is active if it reported in the last 365 days)"),
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
    first = trend["as_of"].min() if not trend.empty else None
    trend_view = ChartView(
        trend_fig,
        _("Members over time"),
        _("Members of active groups at each quarter end since {date}, by organisation").format(
            date=nice_date(first)
        ),
        cap,
        ("members",),
    )
    lead = (
        _("{groups} with {members} as of {date}. Changes are against {prior}.").format(
            groups=counted(groups, "active group", exact=True),
            members=counted(now.get("members"), "member", exact=True),
            date=nice_date(view.as_of),
            prior=nice_date(prior),
        )
        if not now.get("suppressed")
        else _(
            "These filters leave fewer than 5 groups of other organisations: their figures "
            "are not shown. Widen the filters, or sign in to see your own organisation's."
        )
    )
    return [lead, *kpi_values(view, now, before), *map_view.values(), *trend_view.values()]


def outputs() -> list[Output]:
    """What `build` fills, in its order (the page callback and the PowerPoint export)."""
    return [Output("ov-lead", "children"), *kpi_outputs(HEADLINE), *chart_outputs(CHARTS)]


def register_callbacks(app: Dash) -> None:
    @app.callback(*outputs(), Input("url", "search"))
    def update(search: str | None) -> list[Any]:
        return build(search)
