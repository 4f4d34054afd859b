"""/efficiency: what it costs to reach a member, against scale and over time."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard import datasource, figures
from dashboard.components import render
from dashboard.figures import Reference
from dashboard.i18n import N_, _
from dashboard.page_model import Chart, ChartSpec, PageContent, PageSpec, charts_by_id
from dashboard.view import (
    SAVIX_INGO_COST_PER_MEMBER_USD,
    View,
    caption,
    first_row,
    named,
    nice_date,
    organisation_colours,
    read_view,
)

PATH = "/efficiency"
NAME = N_("Efficiency")
ORDER = 2
WHOLE_PROJECTS = N_(
    "Cost indicators use whole projects: a project's cost to date is divided over all of its "
    "active groups and members. Theme filters choose which projects are in scope (those with "
    "at least one matching group) but do not split a project's cost."
)


PAGE = PageSpec(
    charts=(
        ChartSpec(
            "ef-project",
            N_(
                "Project cost to date (latest project report) divided by members of the "
                "project's active groups. Click a bar to narrow to the project."
            ),
            height=460,
            scroll=True,
        ),
        ChartSpec(
            "ef-org",
            N_("Cost to date of the organisation's projects divided by their members."),
            height=460,
        ),
        ChartSpec(
            "ef-bubble",
            N_(
                "Each bubble is a project: members (log scale) against cost per member; bubble "
                "area is the number of active groups."
            ),
            height=420,
        ),
        ChartSpec(
            "ef-trend",
            N_(
                "Cost per member as of each quarter end, using each project's latest report "
                "by then."
            ),
            height=420,
        ),
        ChartSpec(
            "ef-group",
            N_("Project cost to date divided by the project's active groups."),
            height=460,
            scroll=True,
            lg=4,
        ),
        ChartSpec(
            "ef-fo",
            N_("Members of the project's active groups per field officer (latest project report)."),
            height=460,
            scroll=True,
            lg=4,
        ),
        ChartSpec(
            "ef-trainer",
            N_("Active groups per trainer: field officers plus village agents."),
            height=460,
            scroll=True,
            lg=4,
        ),
    ),
    # the note turns amber when theme filters are on (costs then cover more groups)
    parts=(("ef-note", "color"),),
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Cost-efficiency"), className="page-title"),
            html.P(
                _(
                    "What it costs the facilitating agencies to reach a member and a group, "
                    "and how that changes with scale."
                ),
                className="page-lead",
            ),
            dbc.Alert(_(WHOLE_PROJECTS), color="info", id="ef-note", className="small"),
            dbc.Row(render.cards(PAGE)),
        ]
    )


def reference(view: View) -> Reference:
    value = view.convert(SAVIX_INGO_COST_PER_MEMBER_USD) or SAVIX_INGO_COST_PER_MEMBER_USD
    return Reference(value, _("SAVIX INGO average"))


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f, code = view.filters, view.code
    datasource.prefetch(
        f,
        [(None, False), ("project", False), ("organisation", False), (None, True),
         ("organisation", True)],
    )  # fmt: skip
    colours = organisation_colours(view.facts)
    total = first_row(datasource.indicators(f))
    note = _("Costs: whole projects.") if f.has_group_filters else ""
    cap = caption(view, total.get("groups"), total.get("projects"), note)
    by_project = datasource.indicators(f, "project")
    if not by_project.empty:
        projects = view.facts.project_by_id
        by_project = view.money(named(by_project, "project", view.facts))
        by_project["organisation"] = [projects[p].organisation for p in by_project["project"]]
        by_project["colour"] = [colours.get(o, "#0072B2") for o in by_project["organisation"]]
    by_org = datasource.indicators(f, "organisation")
    by_org = view.money(named(by_org, "organisation", view.facts)) if not by_org.empty else by_org
    ref = reference(view)
    unit = _("{currency}, cost to date per member of active groups").format(currency=code)

    def bars(
        frame: Any, label: str, value: str, kind: str, drill: str, key: str, with_ref: bool
    ) -> Any:
        if frame.empty:
            return figures.empty()
        colour_list = (
            list(frame["colour"])
            if "colour" in frame
            else [colours.get(o, "#0072B2") for o in frame["organisation"]]
        )
        hover = [f"<br>{o}" for o in frame["organisation"]]
        return figures.ranked_bars(
            frame.reset_index(drop=True),
            label,
            value,
            kind,
            colour=colour_list,
            currency=code,
            reference=ref if with_ref else None,
            drill=drill,
            key=key,
            hover_extra=hover,
        )

    charts = [
        Chart(
            bars(by_project, "label", "cost_per_member_usd", "usd", "project", "project", True),
            _("Cost per member by project"),
            _(
                "{currency}, cost to date per member of active groups; coloured by organisation"
            ).format(currency=code),
            cap,
            ("cost_per_member_usd", "cost_to_date_usd"),
        ),
        Chart(
            bars(
                by_org, "label", "cost_per_member_usd", "usd", "organisation", "organisation", True
            ),
            _("Cost per member by organisation"),
            unit,
            cap,
            ("cost_per_member_usd", "cost_to_date_usd"),
        ),
    ]
    charts.append(
        Chart(
            figures.bubble(by_project, colours, code, ref)
            if not by_project.empty
            else figures.empty(),
            _("Cost per member against scale"),
            _(
                "Each bubble a project: members (log scale) and cost per member ({currency}); "
                "area = active groups"
            ).format(currency=code),
            cap,
            ("cost_per_member_usd", "members", "groups"),
        )
    )
    trend_total = view.money(datasource.indicators(f, over_time=True))
    trend_org = view.money(datasource.indicators(f, "organisation", over_time=True))
    start = nice_date(trend_total["as_of"].min()) if not trend_total.empty else _("the start")
    charts.append(
        Chart(
            figures.lines(
                trend_org,
                "cost_per_member_usd",
                "usd",
                series="organisation",
                colours=colours,
                total=trend_total,
                currency=code,
                y_title=_("Cost per member ({currency})").format(currency=code),
                reference=ref,
                drill="organisation",
            )
            if not trend_total.empty
            else figures.empty(),
            _("Cost per member over time"),
            _(
                "{currency}, cost to date per member of active groups, at each quarter end since "
                "{start}; network in grey"
            ).format(currency=code, start=start),
            cap,
            ("cost_per_member_usd",),
        )
    )
    charts.append(
        Chart(
            bars(by_project, "label", "cost_per_group_usd", "usd", "project", "project", False),
            _("Cost per group by project"),
            _("{currency}, cost to date per active group").format(currency=code),
            cap,
            ("cost_per_group_usd",),
        )
    )
    charts.append(
        Chart(
            bars(
                by_project,
                "label",
                "members_per_field_officer",
                "decimal",
                "project",
                "project",
                False,
            ),
            _("Members per field officer"),
            _("Members of active groups per field officer, by project"),
            cap,
            ("members_per_field_officer",),
        )
    )
    charts.append(
        Chart(
            bars(by_project, "label", "groups_per_trainer", "decimal", "project", "project", False),
            _("Groups per trainer"),
            _("Active groups per field officer or village agent, by project"),
            cap,
            ("groups_per_trainer",),
        )
    )
    return PageContent(
        _(NAME),
        charts=charts_by_id(PAGE, charts),
        parts={"ef-note.color": "warning" if f.has_group_filters else "info"},
    )
