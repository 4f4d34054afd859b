"""/efficiency: what it costs to reach a member, against scale and over time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import datasource, figures, theme
from dashboard.components import render
from dashboard.figures import Reference
from dashboard.i18n import N_, _
from dashboard.indicators import lookup
from dashboard.page_model import Chart, ChartSpec, PageContent, PageSpec, charts_by_id
from dashboard.view import (
    SAVIX_INGO_COST_PER_MEMBER_USD,
    View,
    caption,
    caption_of,
    first_row,
    highlighted,
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


NETWORK_POOLED = N_("Network (pooled)")  # the network's value: a ratio of its sums


def reference(view: View) -> Reference:
    value = view.convert(SAVIX_INGO_COST_PER_MEMBER_USD) or SAVIX_INGO_COST_PER_MEMBER_USD
    return Reference(value, _("SAVIX INGO average"))


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f, code = view.filters, view.code
    # the page's queries at once; the calls below find their answers. With a place chosen,
    # the network it is set against too: every group the viewer may see.
    wanted = [(None, False), ("project", False), ("organisation", False), (None, True),
              ("organisation", True)]  # fmt: skip
    against = [(None, False), ("organisation", False), (None, True)]
    datasource.together(
        lambda: datasource.prefetch(f, wanted),
        *([lambda: datasource.prefetch(f.network, against)] if f.has_place else []),
    )
    colours = organisation_colours(view.facts)
    total = first_row(datasource.indicators(f))
    network = first_row(datasource.indicators(f.network)) if f.has_place else total
    note = _("Costs: whole projects.") if f.has_group_filters else ""
    cap = caption(view, total.get("groups"), total.get("projects"), note)
    by_project = datasource.indicators(f, "project")
    if not by_project.empty:
        projects = view.facts.project_by_id
        by_project = view.money(named(by_project, "project", view.facts))
        by_project["organisation"] = [projects[p].organisation for p in by_project["project"]]
        # each project in its organisation's colour, the same as on every chart (named on
        # hover: a key would take room a narrow card has not); a selection stands out by
        # the muting of the rest
        by_project["colour"] = [
            colours.get(o, theme.OKABE_ITO[0]) for o in by_project["organisation"]
        ]
    # By organisation: with organisations chosen, every organisation of the network, the
    # chosen ones in their colours and the rest muted (one bar alone compares with nothing).
    by_org = datasource.indicators(f.network if f.organisation else f, "organisation")
    by_org = view.money(named(by_org, "organisation", view.facts)) if not by_org.empty else by_org
    ref = reference(view)
    mine = highlighted(view)  # (chosen, or a member's own; the rest muted)
    mine_projects = (
        [p for p in by_project["project"] if view.facts.project_by_id[p].organisation in mine]
        if mine and not by_project.empty
        else None
    )
    unit = _("{currency}, cost to date per member of active groups").format(currency=code)

    # the columns a file of a ranked chart adds to each bar's whole name and value
    details = {
        "project": {_("Project id"): "project", _("Organisation"): "organisation"},
        "organisation": None,
    }

    def network_line(measure: str) -> Reference | None:
        """The network's pooled value of `measure` (ratio of sums over every group the viewer
        may see, with the theme filters), as a grey reference."""
        value = network.get(measure)
        if lookup(measure).format == "usd":
            value = view.convert(value)  # (None where it is not a finite number)
        if value is None or pd.isna(value):
            return None
        return Reference(float(value), _(NETWORK_POOLED), network=True)

    def bars(
        frame: Any,
        label: str,
        value: str,
        kind: str,
        drill: str,
        key: str,
        with_ref: bool,
        highlight: Sequence[str] | None = None,
        narrow: bool = False,
    ) -> Any:
        if frame.empty:
            return figures.empty()
        colour_list = (
            list(frame["colour"])
            if "colour" in frame
            else [colours.get(o, "#0072B2") for o in frame["organisation"]]
        )
        hover = [f"<br>{o}" for o in frame["organisation"]]
        references = [r for r in (ref if with_ref else None, network_line(value)) if r]
        return figures.ranked_bars(
            frame.reset_index(drop=True),
            label,
            value,
            kind,
            colour=colour_list,
            currency=code,
            reference=references,
            drill=drill,
            key=key,
            hover_extra=hover,
            highlight=highlight,
            narrow=narrow,
            series=lookup(value).label,
            details=details.get(key),
        )

    charts = [
        Chart(
            bars(
                by_project,
                "label",
                "cost_per_member_usd",
                "usd",
                "project",
                "project",
                True,
                highlight=mine_projects,
            ),
            _("Cost per member by project"),
            unit,
            cap,
            ("cost_per_member_usd", "cost_to_date_usd"),
        ),
        Chart(
            bars(
                by_org,
                "label",
                "cost_per_member_usd",
                "usd",
                "organisation",
                "organisation",
                True,
                highlight=mine or None,
            ),
            _("Cost per member by organisation"),
            _("{unit}; {chosen} against every organisation of the network").format(
                unit=unit, chosen=", ".join(f.organisation)
            )
            if f.organisation
            else unit,
            # (with organisations chosen, the bars are every organisation's: so the count)
            caption_of(view, f.network, note) if f.organisation else cap,
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
    # the network's line: every group the viewer may see (the selection's own total when
    # nothing is chosen); points resting on few groups are left out
    trend_total = view.money(datasource.indicators(f.network, over_time=True))
    trend_org = view.money(datasource.indicators(f, "organisation", over_time=True))
    every = view.every_point
    trend_total, need = figures.steady(trend_total, ["cost_per_member_usd"], every=every)
    trend_org, _need = figures.steady(
        trend_org, ["cost_per_member_usd"], "organisation", every=every
    )
    drawn = (
        trend_total.dropna(subset=["cost_per_member_usd"]) if not trend_total.empty else trend_total
    )
    start = nice_date(drawn["as_of"].min()) if not drawn.empty else _("the start")
    thin = figures.thin_note(need)
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
                highlight=mine,
            )
            if not drawn.empty
            else figures.empty(),
            _("Cost per member over time"),
            _(
                "{currency}, cost to date per member of active groups, at each quarter end since "
                "{start}; network in grey"
            ).format(currency=code, start=start),
            f"{cap} {thin}",
            ("cost_per_member_usd",),
        )
    )
    # the three narrow cards: a project measure each, without the SAVIX reference
    for measure, kind, title, subtitle in (
        (
            "cost_per_group_usd",
            "usd",
            _("Cost per group by project"),
            _("{currency}, cost to date per active group").format(currency=code),
        ),
        (
            "members_per_field_officer",
            "decimal",
            _("Members per field officer"),
            _("Members of active groups per field officer, by project"),
        ),
        (
            "groups_per_trainer",
            "decimal",
            _("Groups per trainer"),
            _("Active groups per field officer or village agent, by project"),
        ),
    ):
        charts.append(
            Chart(
                bars(
                    by_project,
                    "label",
                    measure,
                    kind,
                    "project",
                    "project",
                    False,
                    narrow=True,
                    highlight=mine_projects,
                ),
                title,
                subtitle,
                cap,
                (measure,),
            )
        )
    return PageContent(
        _(NAME),
        charts=charts_by_id(PAGE, charts),
        parts={"ef-note.color": "warning" if f.has_group_filters else "info"},
    )
