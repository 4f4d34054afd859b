"""/report: the performance report of a project, an organisation or the current filters,
previewed as it prints, with a comparison date, a printable version and a PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.analytics import datasource
from dashboard.core.i18n import N_, _
from dashboard.core.urlstate import parse_search
from dashboard.exports.report.data import comparison
from dashboard.views.view import nice_date, read_view, subject
from dashboard.web.components.controls import dropdown_labels
from dashboard.web.pages.projects import project_options, register_project_chooser
from dashboard.web.report_routes import PDF_ROUTE, PRINT_ROUTE

PATH = "/report"
NAME = N_("Report")
ORDER = 7


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Performance report"), className="page-title"),
            html.P(
                _(
                    "A one-to-two-page annex for a donor report: profile, outreach by sex and "
                    "youth, the performance ratios and costs against the network, trends and "
                    "data quality. Choose a project here, or an organisation or any filters in "
                    "the panel; the as-of quarter is in the panel too."
                ),
                className="page-lead",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(
                                _("Project"), htmlFor="rp-project", className="filter-label"
                            ),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id="rp-project",
                                placeholder=_("All projects in the filters"),
                                clearable=True,
                            ),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        [
                            html.Label(
                                _("Compare with"), htmlFor="rp-vs", className="filter-label"
                            ),
                            dcc.Dropdown(labels=dropdown_labels(), id="rp-vs", clearable=False),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                html.A(
                                    _("Download PDF"),
                                    id="rp-pdf",
                                    className="btn btn-primary btn-sm",
                                    href=PDF_ROUTE,
                                ),
                                html.A(
                                    _("Printable version"),
                                    id="rp-print",
                                    className="btn btn-outline-secondary btn-sm",
                                    href=PRINT_ROUTE,
                                    target="_blank",
                                    rel="noopener",
                                ),
                            ],
                            className="report-actions",
                        ),
                        md=3,
                    ),
                ],
                className="g-3 mb-3 align-items-end",
            ),
            html.P(id="rp-subject", className="small text-secondary"),
            dcc.Loading(
                html.Iframe(
                    id="rp-preview",
                    title=_("The report as it prints"),
                    className="report-preview",
                ),
                type="dot",
                delay_show=200,
                color="#0072B2",
            ),
        ]
    )


def vs_options(quarters: tuple[date, ...], as_of: date | None) -> list[dict[str, str]]:
    """Quarter ends before the as-of date, newest first; the default is named as such."""
    if as_of is None:
        return []
    default = datasource.comparison_date(as_of)
    options = []
    for q in sorted((q for q in quarters if q < as_of), reverse=True):
        label = (
            _("{date} (a year earlier)").format(date=nice_date(q)) if q == default else nice_date(q)
        )
        options.append({"label": label, "value": q.isoformat()})
    return options


def build(search: str | None) -> list[Any]:
    view = read_view(search)
    vs = comparison(view)
    options = vs_options(view.facts.quarters, view.as_of)
    if vs and vs.isoformat() not in {o["value"] for o in options}:
        options.insert(0, {"label": nice_date(vs), "value": vs.isoformat()})
    state = replace(view.state, vs=vs, notices=())
    query = state.search()
    who = subject(view)
    about = (
        _("Report on the project {project}.").format(
            project=view.facts.project_labels.get(who[1], who[1])
        )
        if who and who[0] == "project"
        else _("Report on the organisation {organisation}.").format(organisation=who[1])
        if who
        else _(
            "Report on everything in the filters (choose a project or one organisation "
            "for a profile)."
        )
    )
    chosen = view.filters.project[0] if len(view.filters.project) == 1 else None
    return [
        project_options(view),
        chosen,
        options,
        vs.isoformat() if vs else None,
        PDF_ROUTE + query,
        PRINT_ROUTE + query,
        PRINT_ROUTE + query,
        about,
    ]


def outputs() -> list[Output]:
    return [
        Output("rp-project", "options"),
        Output("rp-project", "value"),
        Output("rp-vs", "options"),
        Output("rp-vs", "value"),
        Output("rp-pdf", "href"),
        Output("rp-print", "href"),
        Output("rp-preview", "src"),
        Output("rp-subject", "children"),
    ]


def register_callbacks(app: Dash) -> None:
    register_project_chooser(app, "rp-project")

    @app.callback(*outputs(), Input("url", "search"))
    def update(search: str | None) -> list[Any]:
        return build(search)

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("rp-vs", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def choose_vs(value: str | None, search: str | None) -> Any:
        """A comparison date other than the default goes into the link."""
        if not value:
            return no_update
        try:
            chosen = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise BadRequest("A comparison date is written YYYY-MM-DD.") from None
        state = parse_search(search)
        view = read_view(search)
        default = datasource.comparison_date(view.as_of) if view.as_of else None
        wanted = None if chosen == default else chosen
        if wanted == state.vs:
            return no_update
        return replace(state, vs=wanted).search() or "?"
