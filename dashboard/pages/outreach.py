"""/outreach: groups and members over time, women and youth, replication, group sizes."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard import datasource, figures
from dashboard.components import render
from dashboard.components.controls import by_switch, register_url_param
from dashboard.figures import Reference
from dashboard.filters import TRAINED_BY
from dashboard.format import number
from dashboard.i18n import N_, _
from dashboard.page_model import Chart, ChartSpec, PageContent, PageSpec, charts_by_id
from dashboard.view import (
    OTHERS,
    VALUE_LABELS,
    caption,
    entity_name,
    first_row,
    first_shown,
    highlighted,
    nice_date,
    read_view,
    selection_colour,
    series_colours,
    top_series,
)

PATH = "/outreach"
NAME = N_("Outreach")
ORDER = 1
SHARE_SERIES = 7  # lines of a share by breakdown (the largest by members)
PAGE = PageSpec(
    charts=(
        ChartSpec(
            "or-members",
            N_("Members of active groups at each quarter end. Click a line to narrow to it."),
        ),
        ChartSpec(
            "or-groups",
            N_(
                "Active groups at each quarter end: groups whose latest dataset is less than "
                "365 days old."
            ),
        ),
        ChartSpec(
            "or-shares",
            N_(
                "Women as a share of members, by the breakdown chosen above, with the "
                "network's share in grey. Click a line to narrow to it."
            ),
        ),
        ChartSpec(
            "or-youth",
            N_(
                "Youth as a share of the members of the groups that record youth, by the "
                "breakdown chosen above, with the network's share in grey."
            ),
        ),
        ChartSpec(
            "or-trained",
            N_(
                "Active groups by who formed them: project field officers, village agents, or "
                "replicated by other groups without project support."
            ),
        ),
        ChartSpec(
            "or-replication",
            N_(
                "Replicated groups per group formed by the project (trained by field officers "
                "or village agents)."
            ),
        ),
        ChartSpec("or-sizes", N_("How many active groups have each number of members.")),
    ),
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Outreach"), className="page-title"),
            html.P(
                _(
                    "How many groups and members the network reaches, who they are, and how "
                    "groups spread by replication."
                ),
                className="page-lead",
            ),
            by_switch("or-by"),
            dbc.Row(render.cards(PAGE)),
        ]
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f, by = view.filters, view.state.by
    # the page's queries at once; the calls below find their answers
    datasource.together(
        lambda: datasource.prefetch(f, [(None, True), (by, True), ("trained_by", True)]),
        lambda: datasource.group_sizes(f),
        *([lambda: datasource.indicators(f.network, over_time=True)] if f.has_place else []),
    )
    total = datasource.indicators(f, over_time=True)
    latest = first_row(total.tail(1))
    cap = caption(view, latest.get("groups"), latest.get("projects"))
    split = datasource.indicators(f, by, over_time=True)
    first = first_shown(total)
    start = nice_date(first) if first else _("the start")
    by_organisation = by == "organisation"
    mine = highlighted(view) if by_organisation else ()  # (chosen, or a member's own)
    charts: list[Chart] = []
    for measure, y_title, chart_title, subtitle in (
        (
            "members",
            _("Members"),
            _("Members by organisation") if by_organisation else _("Members by country"),
            _("Number of members of active groups at each quarter end since {start}"),
        ),
        (
            "groups",
            _("Groups"),
            _("Groups by organisation") if by_organisation else _("Groups by country"),
            _("Number of active groups at each quarter end since {start}"),
        ),
    ):
        frame = top_series(split, by, measure) if not split.empty else split
        keys = list(frame[by].unique()) if not frame.empty else []
        fig = figures.lines(
            frame,
            measure,
            "int",
            series=by if keys else None,
            colours=series_colours(by, keys, view.facts),
            y_title=y_title,
            drill=by,
            labels={k: _(OTHERS) if k == OTHERS else entity_name(by, k, view.facts) for k in keys},
            highlight=mine,
        )
        charts.append(
            Chart(
                fig,
                chart_title,
                subtitle.format(start=start),
                cap,
                (measure,),
            )
        )
    # Shares by the breakdown chosen, against the network's (every group the viewer may
    # see, with the theme filters); a ratio's series are not summed into "Others", so the
    # largest by members are drawn.
    network = datasource.indicators(f.network, over_time=True) if f.has_place else total
    latest_split = split[split["as_of"] == split["as_of"].max()] if not split.empty else split
    largest = (
        list(latest_split.nlargest(SHARE_SERIES, "members")[by]) if not latest_split.empty else []
    )
    shares = split[split[by].isin(largest)] if largest else split
    for measure, chart_title, subtitle, y_title in (
        (
            "pct_women",
            _("Women among members"),
            _("Women / members of active groups at each quarter end; network in grey"),
            _("Women, share of members"),
        ),
        (
            "pct_youth",
            _("Youth among members"),
            _(
                "Youth / members of active groups that record youth, at each quarter end; "
                "network in grey"
            ),
            _("Youth, share of members"),
        ),
    ):
        series, _need = figures.steady(shares, [measure], by, every=view.every_point)
        whole, need = figures.steady(network, [measure], every=view.every_point)
        charts.append(
            Chart(
                figures.lines(
                    series,
                    measure,
                    "pct",
                    series=by if largest else None,
                    colours=series_colours(by, largest, view.facts),
                    total=whole,
                    y_title=y_title,
                    drill=by,
                    labels={k: entity_name(by, k, view.facts) for k in largest},
                    highlight=mine,
                ),
                chart_title,
                subtitle,
                f"{cap} {figures.thin_note(need)}",
                (measure,),
            )
        )
    trained = datasource.indicators(f, "trained_by", over_time=True)
    charts.append(
        Chart(
            figures.stacked_area(
                trained,
                "trained_by",
                "groups",
                TRAINED_BY,
                {k: _(v) for k, v in VALUE_LABELS["trained_by"].items()},
                _("Active groups"),
            ),
            _("Groups formed by the project and replicated"),
            _("Active groups by who trained them, at each quarter end"),
            cap,
            ("groups", "groups_replicated"),
        )
    )
    charts.append(
        Chart(
            figures.lines(
                total,
                "replication_rate",
                "decimal",
                y_title=_("Replicated per trained group"),
                reference=Reference(2.0, _("SAVIX: about 2 per project-formed group")),
                colour=selection_colour(view),
            ),
            _("Replication rate"),
            _(
                "Replicated groups per group trained by the project (field officers or "
                "village agents)"
            ),
            cap,
            ("replication_rate",),
        )
    )
    sizes = datasource.group_sizes(f)
    avg = latest.get("avg_group_size")
    charts.append(
        Chart(
            figures.size_histogram(sizes),
            _("Group size"),
            (
                _("Active groups by number of members as of {date}; average {average} members")
                if avg
                else _("Active groups by number of members as of {date}")
            ).format(date=nice_date(view.as_of), average=number(avg, 1) if avg else ""),
            cap,
            ("avg_group_size",),
        )
    )
    return PageContent(_(NAME), charts=charts_by_id(PAGE, charts))


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "or-by", "by")
