"""/projects: one project (or organisation) at a time: profile, trends, and the SAVIX
trainer view (per trainer: groups, members, savings per member, attendance, dropout, data
age) so that a programme manager sees which field officer or village agent needs support."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.analytics import datasource, trainers
from dashboard.core.format import number
from dashboard.core.i18n import N_, _, ngettext
from dashboard.core.urlstate import parse_search
from dashboard.views import charts
from dashboard.views.needs import Asks, Frame, Need, has_place, the_network, when
from dashboard.views.page_model import Kpi, PageContent, PageSpec
from dashboard.views.view import (
    SOURCE,
    View,
    describe,
    network_values,
    nice_date,
    profile_items,
    read_view,
    subject,
)
from dashboard.web.components import render, trainer_report
from dashboard.web.components.cards import kpi_row
from dashboard.web.components.controls import dropdown_labels
from dashboard.web.components.tables import register_table_export

PATH = "/projects"
NAME = N_("Projects")
ORDER = 6
TILES = (
    "groups",
    "members",
    "pct_women",
    "savings_per_member_usd",
    "attendance_rate",
    "dropout_rate",
    "cost_per_member_usd",
    "groups_per_trainer",
)


@dataclass(frozen=True)
class TrainerReport(Need):
    """What the trainer report reads (trainers.report): the trainers' indicators, then the
    groups and dates they are compared with."""

    def asks(self, data: charts.Data) -> tuple[datasource.Ask, ...]:
        return trainers.asks(data.view)

    def after(self, data: charts.Data) -> tuple[datasource.Ask, ...]:
        return trainers.follow_ups(data.view)


def _reports(data: charts.Data) -> tuple[datasource.Ask, ...]:
    """The project reports of the profile (of a subject)."""
    view = data.view
    return (datasource.ProjectReports(view.as_of),) if subject(view) and view.as_of else ()


PAGE = PageSpec(
    charts=(charts.MEMBERS_AND_GROUPS, charts.SAVINGS_OVER_TIME),
    # the tiles (the network's beside a selection's), the profile and the trainer report
    needs=(charts.TOTAL, when(has_place, Frame(of=the_network)), Asks(_reports), TrainerReport()),
    kpis=TILES,
    kpi_prefix="pj",
    heading="pj-title",
    lead="pj-lead",
    parts=(
        ("pj-choose", "options"),
        ("pj-choose", "value"),
        ("pj-profile", "children"),
        ("pj-trainers", "children"),
        ("pj-trainers-caption", "children"),
    ),
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(id="pj-title", className="page-title"),
            html.P(id="pj-lead", className="page-lead"),
            html.Div(
                [
                    html.Label(_("Project"), htmlFor="pj-choose", className="filter-label"),
                    dcc.Dropdown(
                        labels=dropdown_labels(),
                        id="pj-choose",
                        placeholder=_("Choose a project"),
                        clearable=True,
                    ),
                ],
                className="mb-3 project-chooser",
            ),
            html.Div(id="pj-profile"),
            kpi_row(render.tiles(PAGE)),
            dbc.Row(render.cards(PAGE)),
            trainer_report.section(),
        ]
    )


def project_options(view: View) -> list[dict[str, str]]:
    """The projects a chooser offers: those of the country and organisation filters, and
    any project the link names."""
    f = view.filters
    in_scope = [
        p
        for p in view.facts.projects
        if (
            (not f.country or p.country in f.country)
            and (not f.organisation or p.organisation in f.organisation)
        )
        or p.project_id in f.project
    ]
    labels = view.facts.project_labels
    return [
        {"label": f"{labels[p.project_id]} ({p.organisation})", "value": p.project_id}
        for p in sorted(in_scope, key=lambda p: labels[p.project_id])
    ]


def register_project_chooser(app: Dash, component_id: str) -> None:
    """A project dropdown that writes the project filter of the URL."""

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(component_id, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def choose(project: str | None, search: str | None) -> Any:
        if project is not None and not isinstance(project, str):
            raise BadRequest("A project is chosen by its id.")
        state = parse_search(search)
        current = state.filters.project
        wanted = (project,) if project else ()
        if wanted == current or (not project and len(current) != 1):
            return no_update
        return replace(state, filters=replace(state.filters, project=wanted)).search() or "?"


def profile(view: View, kind: str, key: str) -> Any:
    return dbc.Card(
        dbc.CardBody(
            html.Dl(
                [
                    part
                    for k, v in profile_items(view, kind, key)
                    for part in (html.Dt(k), html.Dd(v))
                ],
                className="profile-list mb-0",
            )
        ),
        className="mb-3 profile-card",
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f = view.filters
    who = subject(view)
    data = charts.Data(view)
    PAGE.fetch(data)
    total = data.total
    options = project_options(view)
    if who is None:
        title = _("Projects")
        lead = _(
            "Choose a project (or one organisation in the filters) to see its profile, "
            "trends and trainers. Showing everything in scope meanwhile: {filters}."
        ).format(filters=describe(f, view.facts))
        prof: Any = None
    else:
        kind, key = who
        title = view.facts.project_labels[key] if kind == "project" else key
        lead = (
            _("Project of {organisation} · as of {date}")
            if kind == "project"
            else _("Organisation · as of {date}")
        ).format(
            organisation=view.facts.project_by_id[key].organisation if kind == "project" else "",
            date=nice_date(view.as_of),
        )
        prof = profile(view, kind, key)
    network = network_values(view, TILES) if f.has_place else {}  # (beside the selection's)
    tiles = [
        Kpi(
            t,
            view.fmt(t, view.convert(total.get(t)) if t.endswith("_usd") else total.get(t)),
            network=network.get(t, ""),
        )
        for t in TILES
    ]
    chosen = f.project[0] if len(f.project) == 1 else None
    report = trainers.report(view)
    return PageContent(
        _(NAME),
        heading=title,
        lead=lead,
        kpis=tiles,
        charts=PAGE.draw(data),
        parts={
            "pj-choose.options": options,
            "pj-choose.value": chosen,
            "pj-profile.children": prof,
            "pj-trainers.children": trainer_report.table(report, view.code),
            "pj-trainers-caption.children": trainer_caption(view, report),
        },
    )


def trainer_caption(view: View, report: trainers.Report) -> str:
    """What the trainer report holds: whose trainers, how many flagged, compared with which
    groups, as of when (not the page's whole scope: a member's list is its own)."""
    if not report.listed:
        return _("Choose a project or one organisation to list its trainers.")
    if not report.rows and not datasource.viewer().is_admin:
        # a guest, or a member looking at another organisation: nothing of theirs to count
        return _("Trainers are shown to their own organisation only.")
    whose = ", ".join(report.organisations) or _("your organisation")
    n = len(report.rows)
    text = ngettext(
        "{organisations}: {n} trainer, {flagged} flagged; compared with the organisation's "
        "active groups ({filters}), as of {date}. {source}.",
        "{organisations}: {n} trainers, {flagged} flagged; compared with the organisation's "
        "active groups ({filters}), as of {date}. {source}.",
        n,
    ).format(
        organisations=whose,
        n=number(n),
        flagged=number(report.flagged),
        filters=describe(view.filters, view.facts),
        date=nice_date(view.as_of),
        source=_(SOURCE),
    )
    if not datasource.viewer().is_admin:
        text += " " + _("Trainers are shown to their own organisation only.")
    return text


def trainers_table(search: str | None) -> Any:
    """The trainer report as a file's table (savings per member in the display currency),
    with the flags and their reasons."""
    view = read_view(search)
    report = trainers.report(view)
    return trainer_report.export_table(report, view.code, trainer_caption(view, report))


def register_callbacks(app: Dash) -> None:
    register_table_export(app, "pj-trainers", trainers_table)
    trainer_report.register(app)

    register_project_chooser(app, "pj-choose")
