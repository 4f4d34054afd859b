"""The Dash application factory.

For now a single page with the pool's headline indicators; the dashboard issue builds the
pages. Every tile carries data-indicator="<id>" and shows what `vsla indicators` gives.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard import db
from dashboard.config import PROJECT_ROOT
from dashboard.filters import Filters
from dashboard.format import format_value
from dashboard.indicators import BY_ID, compute, latest_report_date
from dashboard.pool import PoolError

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


def kpi_tile(indicator_id: str, value: Any) -> dbc.Col:
    ind = BY_ID[indicator_id]
    return dbc.Col(
        dbc.Card(
            html.Div(
                [
                    html.Div(ind.label, className="kpi-label"),
                    html.Div(format_value(value, ind.format), className="kpi-value"),
                    html.Div(ind.unit, className="kpi-unit"),
                ],
                title=ind.definition,
                className="card-body",
                **{"data-indicator": indicator_id},
            ),
            className="kpi-tile h-100",
        ),
        xs=6,
        md=3,
        className="mb-3",
    )


def overview_layout() -> html.Div:
    try:
        with db.cursor() as con:
            as_of = latest_report_date(con)
            row = compute(con, Filters())[0]
            projects = row["projects"]
    except PoolError as exc:
        return dbc.Container(
            dbc.Alert(str(exc), color="warning", className="mt-4"), className="py-4"
        )
    as_of_text = as_of.strftime("%d %b %Y") if as_of else "no data yet"
    return dbc.Container(
        [
            html.H1("Savings groups in the network", className="mt-4 mb-1"),
            html.P(
                f"Headline indicators of the pooled data as of {as_of_text}. "
                "Hover a tile for its definition.",
                className="lead text-secondary",
            ),
            dbc.Row([kpi_tile(i, row[i]) for i in HEADLINE], className="mt-3"),
            html.P(
                f"Source: pooled savings-group data of the network, {projects} projects, "
                f"{format_value(row['groups'], 'int')} active groups, as of {as_of_text}.",
                className="source-line mt-2",
            ),
        ],
        className="py-2",
    )


def create_app() -> Dash:
    app = Dash(
        __name__,
        title="Savings groups dashboard",
        assets_folder=str(PROJECT_ROOT / "assets"),
        serve_locally=True,
        update_title=None,
    )
    app.layout = overview_layout  # a function: evaluated on every page load
    return app
