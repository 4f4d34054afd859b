"""/efficiency: what it costs to reach a member, against scale and over time."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.analytics import datasource
from dashboard.core import theme
from dashboard.core.i18n import N_, _
from dashboard.views import charts
from dashboard.views.figures.common import empty
from dashboard.views.figures.lines import lines
from dashboard.views.figures.references import savix_cost
from dashboard.views.figures.spread import bubble
from dashboard.views.figures.trends import steady, thin_note
from dashboard.views.needs import Frame, the_network
from dashboard.views.page_model import ChartSpec, Drawn, PageContent, PageSpec
from dashboard.views.view import caption, named, nice_date, read_view
from dashboard.web.components import render

PATH = "/efficiency"
NAME = N_("Efficiency")
ORDER = 2
WHOLE_PROJECTS = N_(
    "Cost indicators use whole projects: a project's cost to date is divided over all of its "
    "active groups and members. Theme filters choose which projects are in scope (those with "
    "at least one matching group) but do not split a project's cost."
)


class Efficiency(charts.Data):
    """What the page's charts are drawn from: the charts' `Data`, with the projects in scope
    (named, money in the display currency, each in its organisation's colour) and the
    caption's note on costs under theme filters."""

    @cached_property
    def caption(self) -> str:
        total = self.total
        return caption(self.view, total.get("groups"), total.get("projects"), self.cost_note)

    @cached_property
    def by_project(self) -> pd.DataFrame:
        frame = datasource.indicators(self.filters, "project")
        if frame.empty:
            return frame
        projects = self.view.facts.project_by_id
        frame = self.view.money(named(frame, "project", self.view.facts))
        frame["organisation"] = [projects[p].organisation for p in frame["project"]]
        # each project in its organisation's colour, the same as on every chart (named on
        # hover: a key would take room a narrow card has not); a selection stands out by
        # the muting of the rest
        frame["colour"] = [self.colours.get(o, theme.OKABE_ITO[0]) for o in frame["organisation"]]
        return frame

    @cached_property
    def mine_projects(self) -> list[str] | None:
        """The projects of the organisations drawn in their colours (chosen, or a member's
        own; the rest muted), None when none is."""
        mine, frame = self.highlighted, self.by_project
        if not mine or frame.empty:
            return None
        projects = self.view.facts.project_by_id
        return [p for p in frame["project"] if projects[p].organisation in mine]

    @cached_property
    def cost_trends(self) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """Cost per member at each quarter end: the network's line (every group the viewer
        may see; the selection's own total when nothing is chosen) and each organisation's,
        money in the display currency, points resting on few groups left out; and how
        many groups a point needs (for the caption)."""
        view, f, every = self.view, self.filters, self.view.every_point
        measure = ["cost_per_member_usd"]
        total = view.money(datasource.indicators(f.network, over_time=True))
        by_org = view.money(datasource.indicators(f, "organisation", over_time=True))
        total, need = steady(total, measure, every=every)
        by_org, _need = steady(by_org, measure, "organisation", every=every)
        return total, by_org, need


def _by_project(measure: str, kind: str, savix: bool = False, narrow: bool = False) -> Any:
    """The drawing of a measure by project, ranked (`savix`: with SAVIX's reference)."""

    def draw(data: Efficiency) -> go.Figure:
        return charts.ranked(
            data,
            data.by_project,
            measure,
            kind,
            "project",
            savix=savix,
            highlight=data.mine_projects,
            narrow=narrow,
        )

    return draw


def _bubble(data: Efficiency) -> go.Figure:
    if data.by_project.empty:
        return empty()
    return bubble(data.by_project, data.colours, data.code, savix_cost(data.view.rate))


def _trend(data: Efficiency) -> Drawn:
    total, by_org, need = data.cost_trends
    drawn = total.dropna(subset=["cost_per_member_usd"]) if not total.empty else total
    figure = (
        lines(
            by_org,
            "cost_per_member_usd",
            "usd",
            series="organisation",
            colours=data.colours,
            total=total,
            currency=data.code,
            y_title=_("Cost per member ({currency})").format(currency=data.code),
            reference=savix_cost(data.view.rate),
            drill="organisation",
            highlight=data.highlighted,
        )
        if not drawn.empty
        else empty()
    )
    return Drawn(
        figure,
        {"start": nice_date(drawn["as_of"].min()) if not drawn.empty else _("the start")},
        caption=f"{data.caption} {thin_note(need)}",
    )


# what a ranked chart by project reads: the projects, and the network's value beside them
BY_PROJECT = (Frame("project"), charts.NETWORK)

PAGE = PageSpec(
    charts=(
        ChartSpec(
            "ef-project",
            N_("Cost per member by project"),
            charts.COST_UNIT,
            _by_project("cost_per_member_usd", "usd", savix=True),
            ("cost_per_member_usd", "cost_to_date_usd"),
            help=N_(
                "Project cost to date (latest project report) divided by members of the "
                "project's active groups. Click a bar to narrow to the project."
            ),
            height=460,
            scroll=True,
            needs=BY_PROJECT,
        ),
        charts.COST_BY_ORGANISATION,
        ChartSpec(
            "ef-bubble",
            N_("Cost per member against scale"),
            N_(
                "Each bubble a project: members (log scale) and cost per member ({currency}); "
                "area = active groups"
            ),
            _bubble,
            ("cost_per_member_usd", "members", "groups"),
            help=N_(
                "Each bubble is a project: members (log scale) against cost per member; bubble "
                "area is the number of active groups."
            ),
            height=420,
            needs=(Frame("project"),),
        ),
        ChartSpec(
            "ef-trend",
            N_("Cost per member over time"),
            N_(
                "{currency}, cost to date per member of active groups, at each quarter end since "
                "{start}; network in grey"
            ),
            _trend,
            ("cost_per_member_usd",),
            help=N_(
                "Cost per member as of each quarter end, using each project's latest report "
                "by then."
            ),
            height=420,
            needs=(Frame(over_time=True, of=the_network), Frame("organisation", over_time=True)),
        ),
        # the three narrow cards: a project measure each, without the SAVIX reference
        ChartSpec(
            "ef-group",
            N_("Cost per group by project"),
            N_("{currency}, cost to date per active group"),
            _by_project("cost_per_group_usd", "usd", narrow=True),
            ("cost_per_group_usd",),
            help=N_("Project cost to date divided by the project's active groups."),
            height=460,
            scroll=True,
            lg=4,
            needs=BY_PROJECT,
        ),
        ChartSpec(
            "ef-fo",
            N_("Members per field officer"),
            N_("Members of active groups per field officer, by project"),
            _by_project("members_per_field_officer", "decimal", narrow=True),
            ("members_per_field_officer",),
            help=N_(
                "Members of the project's active groups per field officer (latest project report)."
            ),
            height=460,
            scroll=True,
            lg=4,
            needs=BY_PROJECT,
        ),
        ChartSpec(
            "ef-trainer",
            N_("Groups per trainer"),
            N_("Active groups per field officer or village agent, by project"),
            _by_project("groups_per_trainer", "decimal", narrow=True),
            ("groups_per_trainer",),
            help=N_("Active groups per trainer: field officers plus village agents."),
            height=460,
            scroll=True,
            lg=4,
            needs=BY_PROJECT,
        ),
    ),
    # the note turns amber when theme filters are on (costs then cover more groups)
    parts=(("ef-note", "color"),),
    needs=(charts.TOTAL,),  # (the caption's counts)
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


def build(search: str | None) -> PageContent:
    view = read_view(search)
    data = Efficiency(view)
    PAGE.fetch(data)
    return PageContent(
        _(NAME),
        charts=PAGE.draw(data),
        parts={"ef-note.color": "warning" if view.filters.has_group_filters else "info"},
    )
