"""/projects: one project (or organisation) at a time: profile, trends, and the SAVIX
trainer view (per trainer: groups, members, savings per member, attendance, dropout, data
age) so that a programme manager sees which field officer or village agent needs support."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard import datasource, figures
from dashboard.components import render
from dashboard.components.cards import data_grid, grid_column, kpi_row
from dashboard.components.controls import dropdown_labels
from dashboard.components.tables import grid_table, register_table_export, table_export_menu
from dashboard.format import percent
from dashboard.i18n import N_, _
from dashboard.page_model import Chart, ChartSpec, Kpi, PageContent, PageSpec, charts_by_id
from dashboard.urlstate import parse_search
from dashboard.view import (
    STALE_DAYS,
    View,
    caption,
    caption_of,
    describe,
    first_row,
    network_values,
    nice_date,
    profile_items,
    read_view,
    selection_colour,
    subject,
)

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
PAGE = PageSpec(
    charts=(ChartSpec("pj-outreach", height=320), ChartSpec("pj-savings", height=320)),
    kpis=TILES,
    kpi_prefix="pj",
    heading="pj-title",
    lead="pj-lead",
    parts=(
        ("pj-choose", "options"),
        ("pj-choose", "value"),
        ("pj-profile", "children"),
        ("pj-trainers", "rowData"),
        ("pj-trainers", "columnDefs"),
        ("pj-trainers-caption", "children"),
    ),
)
# When a trainer's groups need a look (relative to the subject's own pooled values).
ATTENDANCE_GAP = 0.10  # attendance 10 points or more below
DROPOUT_FACTOR = 2.0  # dropout at least twice as high (and over 5%)


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
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(_("Trainers"), className="chart-title"),
                            table_export_menu("pj-trainers"),
                        ],
                        className="chart-head",
                    ),
                    html.P(
                        _(
                            "Per field officer or village agent (trainer_id): the groups they "
                            "trained that are active. Flags: attendance {gap} or more below the "
                            "whole, dropout at least twice the whole (and over {dropout}), or "
                            "data older than {days} days on average."
                        ).format(
                            gap=percent(ATTENDANCE_GAP), dropout=percent(0.05), days=STALE_DAYS
                        ),
                        className="chart-subtitle",
                    ),
                    data_grid(
                        "pj-trainers",
                        height=380,
                        empty=_(
                            "Choose a project or one organisation to list its trainers "
                            "(shown to the organisation's own members and to admins)."
                        ),
                    ),
                    html.P(id="pj-trainers-caption", className="chart-caption"),
                ],
                className="chart-card mb-4",
                id="pj-trainers-card",
            ),
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


def lists_trainers(view: View) -> bool:
    """Trainers are listed for one project or one organisation: a member's own (all it may
    see in detail), or the one the filters name. The whole network's (thousands at SAVIX
    scale) is not a list anyone reads: the admin chooses first."""
    return subject(view) is not None or not datasource.viewer().is_admin


def trainer_scope(view: View) -> View:
    """The view the trainer list is of: the project or organisation the filters name, or,
    for a member who names none, its own organisation within the filters (the only trainers
    a member sees), so that the list's caption and its flags' yardstick are of the groups
    the list holds, not of the whole network."""
    f = view.filters
    who = datasource.viewer()
    if (
        subject(view) is None
        and who.role == "member"
        and who.organisation in view.facts.organisations
        and (not f.organisation or who.organisation in f.organisation)
    ):
        return replace(view, filters=replace(f, organisation=(who.organisation,)))
    return view


def trainer_rows(view: View) -> list[dict[str, Any]]:
    if not lists_trainers(view):
        return []
    view = trainer_scope(view)
    frame = datasource.indicators(view.filters, "trainer")
    if frame.empty:
        return []
    whole = first_row(datasource.indicators(view.filters))
    rate = view.currency.rate(view.as_of.year) if view.as_of else 1.0
    rows = []
    for r in frame.to_dict("records"):
        project, _sep, trainer = str(r["trainer"]).partition("/")
        flags = []
        att, drop, age = r["attendance_rate"], r["dropout_rate"], r["data_age_days"]
        if (
            att is not None
            and whole.get("attendance_rate") is not None
            and (att <= whole["attendance_rate"] - ATTENDANCE_GAP)
        ):
            flags.append(_("low attendance"))
        if (
            drop is not None
            and whole.get("dropout_rate")
            and (drop >= DROPOUT_FACTOR * whole["dropout_rate"] and drop > 0.05)
        ):
            flags.append(_("high dropout"))
        if age is not None and age > STALE_DAYS:
            flags.append(_("old data"))
        spm = r["savings_per_member_usd"]
        rows.append(
            {
                "trainer": trainer or _("(none)"),
                "project": view.facts.project_labels[project]
                if project in view.facts.project_by_id
                else project,
                "groups": r["groups"],
                "members": r["members"],
                "savings_per_member": None if spm is None else spm * rate,
                "attendance_rate": att,
                "dropout_rate": drop,
                "data_age_days": age,
                "needs_support": ", ".join(flags),
            }
        )
    rows.sort(key=lambda x: (x["needs_support"] == "", x["project"], x["trainer"]))
    return rows


def trainer_columns(currency: str) -> list[dict[str, Any]]:
    return [
        grid_column("trainer", _("Trainer"), pinned="left", minWidth=110),
        grid_column("project", _("Project"), minWidth=160),
        grid_column("groups", _("Groups"), "int"),
        grid_column("members", _("Members"), "int"),
        grid_column(
            "savings_per_member",
            _("Savings per member ({currency})").format(currency=currency),
            "usd",
        ),
        grid_column("attendance_rate", _("Attendance"), "pct"),
        grid_column("dropout_rate", _("Dropout"), "pct"),
        grid_column("data_age_days", _("Data age (days)"), "int"),
        grid_column("needs_support", _("Needs a look"), minWidth=180, cellClass="needs-support"),
    ]


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f = view.filters
    who = subject(view)
    # the page's queries at once; the calls below find their answers
    datasource.together(
        lambda: datasource.indicators(f),
        lambda: datasource.indicators(f, over_time=True),
        *([lambda: datasource.indicators(f.network, over_time=True)] if f.has_place else []),
        *([lambda: datasource.indicators(f, "trainer")] if lists_trainers(view) else []),
    )
    total = first_row(datasource.indicators(f))
    cap = caption(view, total.get("groups"), total.get("projects"))
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
    trend = view.money(datasource.indicators(f, over_time=True))
    # the selection's savings per member against the network's (every group the viewer may
    # see, with the theme filters)
    network_trend = (
        view.money(datasource.indicators(f.network, over_time=True)) if f.has_place else None
    )
    charts = [
        Chart(
            # Two panels: on one axis the groups would hug zero beside the members.
            figures.small_multiple_lines(
                trend,
                [("members", _("Members"), "int"), ("groups", _("Groups"), "int")],
                selection=f.has_place,
                colour=selection_colour(view),
            ),
            _("Members and groups over time"),
            _("Active groups and their members at each quarter end"),
            cap,
            ("members", "groups"),
        ),
        Chart(
            figures.lines(
                trend,
                "savings_per_member_usd",
                "usd",
                currency=view.code,
                y_title=_("Savings per member ({currency})").format(currency=view.code),
                total=network_trend,
                colour=selection_colour(view),
            ),
            _("Savings per member over time"),
            (
                _("Savings of active groups divided by their members, {currency}; network in grey")
                if network_trend is not None
                else _("Savings of active groups divided by their members, {currency}")
            ).format(currency=view.code),
            cap,
            ("savings_per_member_usd",),
        ),
    ]
    chosen = f.project[0] if len(f.project) == 1 else None
    rows = trainer_rows(view)
    note = _("{n} trainers.").format(n=len(rows))
    if not lists_trainers(view):
        note = _("Choose a project or one organisation to list its trainers.")
    elif not datasource.viewer().is_admin:
        note += " " + _("Trainers are shown to their own organisation only.")
    # (of the groups the list holds: a member's own organisation, not the whole network)
    trainers_cap = (
        caption_of(view, trainer_scope(view).filters, note)
        if lists_trainers(view)
        else f"{cap} {note}"
    )
    return PageContent(
        _(NAME),
        heading=title,
        lead=lead,
        kpis=tiles,
        charts=charts_by_id(PAGE, charts),
        parts={
            "pj-choose.options": options,
            "pj-choose.value": chosen,
            "pj-profile.children": prof,
            "pj-trainers.rowData": rows,
            "pj-trainers.columnDefs": trainer_columns(view.code),
            "pj-trainers-caption.children": trainers_cap,
        },
    )


TRAINERS_SUBTITLE = N_(
    "Per field officer or village agent: the active groups they trained; 'needs a look' "
    "flags low attendance, high dropout or old data"
)


def trainers_table(search: str | None) -> Any:
    """The trainer view as values (savings per member in the display currency)."""
    view = read_view(search)
    rows = trainer_rows(view)
    cap = caption_of(view, trainer_scope(view).filters, _("{n} trainers.").format(n=len(rows)))
    return grid_table(_("Trainers"), _(TRAINERS_SUBTITLE), cap, trainer_columns(view.code), rows)


def register_callbacks(app: Dash) -> None:
    register_table_export(app, "pj-trainers", trainers_table)

    register_project_chooser(app, "pj-choose")
