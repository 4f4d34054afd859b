"""/outreach: groups and members over time, women and youth, replication, group sizes."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Dash, html

from dashboard.analytics import datasource
from dashboard.core.format import number
from dashboard.core.i18n import N_, _
from dashboard.views import charts
from dashboard.views.figures.bars import size_histogram
from dashboard.views.figures.lines import lines
from dashboard.views.figures.references import savix_replication
from dashboard.views.figures.trends import steady, thin_note
from dashboard.views.needs import Frame, Sizes, chosen_by, has_place, the_network, when
from dashboard.views.page_model import ChartSpec, Drawn, PageContent, PageSpec
from dashboard.views.view import (
    OTHERS,
    caption,
    entity_name,
    first_row,
    first_shown,
    nice_date,
    read_view,
    series_colours,
    top_series,
)
from dashboard.web.components import render
from dashboard.web.components.controls import by_switch, register_url_param

PATH = "/outreach"
NAME = N_("Outreach")
ORDER = 1
SHARE_SERIES = 7  # lines of a share by breakdown (the largest by members)


class Outreach(charts.Data):
    """What the page's charts are drawn from: the charts' `Data`, with the breakdown chosen
    (`by`) and the scope's indicators over time, whole (`over_time`) and by the breakdown."""

    @cached_property
    def by(self) -> str:
        return self.view.state.by

    @cached_property
    def over_time(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, over_time=True)

    @cached_property
    def latest(self) -> Mapping[str, Any]:
        return first_row(self.over_time.tail(1))

    @cached_property
    def caption(self) -> str:
        return caption(self.view, self.latest.get("groups"), self.latest.get("projects"))

    @cached_property
    def split(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, self.by, over_time=True)

    @cached_property
    def mine(self) -> tuple[str, ...]:
        """The organisations that stand out (chosen, or a member's own), by organisation."""
        return self.highlighted if self.by == "organisation" else ()

    @cached_property
    def start(self) -> str:
        first = first_shown(self.over_time)
        return nice_date(first) if first else _("the start")

    @cached_property
    def largest(self) -> list[str]:
        """The breakdown's largest series by members (a share's lines: a ratio's series are
        not summed into "Others")."""
        split = self.split
        if split.empty:
            return []
        latest = split[split["as_of"] == split["as_of"].max()]
        return list(latest.nlargest(SHARE_SERIES, "members")[self.by])

    def shares(self, measure: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """A share's lines over time: of the breakdown's largest series and the network's
        (every group the viewer may see, with the theme filters), points resting on few
        groups left out; and how many groups a point needs (for the caption)."""
        by, largest, split = self.by, self.largest, self.split
        shares = split[split[by].isin(largest)] if largest else split
        network = self.network_trend if self.filters.has_place else self.over_time
        every = self.view.every_point
        series, _need = steady(shares, [measure], by, every=every)
        whole, need = steady(network, [measure], every=every)
        return series, whole, need


def _counts(measure: str, y_title: str) -> Any:
    """The drawing of a count over time by the breakdown (the largest, and the rest summed)."""

    def draw(data: Outreach) -> Drawn:
        by, split, facts = data.by, data.split, data.view.facts
        frame = top_series(split, by, measure) if not split.empty else split
        keys = list(frame[by].unique()) if not frame.empty else []
        figure = lines(
            frame,
            measure,
            "int",
            series=by if keys else None,
            colours=series_colours(by, keys, facts),
            y_title=_(y_title),
            drill=by,
            labels={k: _(OTHERS) if k == OTHERS else entity_name(by, k, facts) for k in keys},
            highlight=data.mine,
        )
        return Drawn(figure, {"start": data.start}, pick=by)

    return draw


def _shares(measure: str, y_title: str) -> Any:
    """The drawing of a share over time by the breakdown (its largest series) against the
    network's (every group the viewer may see, with the theme filters)."""

    def draw(data: Outreach) -> Drawn:
        by, largest = data.by, data.largest
        series, whole, need = data.shares(measure)
        figure = lines(
            series,
            measure,
            "pct",
            series=by if largest else None,
            colours=series_colours(by, largest, data.view.facts),
            total=whole,
            y_title=_(y_title),
            drill=by,
            labels={k: entity_name(by, k, data.view.facts) for k in largest},
            highlight=data.mine,
        )
        return Drawn(figure, caption=f"{data.caption} {thin_note(need)}")

    return draw


def _replication(data: Outreach) -> go.Figure:
    return lines(
        data.over_time,
        "replication_rate",
        "decimal",
        y_title=_("Replicated per trained group"),
        reference=savix_replication(),
        colour=data.colour,
    )


def _sizes(data: Outreach) -> Drawn:
    average = data.latest.get("avg_group_size")
    return Drawn(
        size_histogram(datasource.group_sizes(data.filters)),
        {"date": nice_date(data.view.as_of), "average": number(average, 1) if average else ""},
        pick="average" if average else "",
    )


# what the charts read: the scope's indicators at each quarter end (the caption's counts
# are its latest), by the breakdown chosen, and the network's beside a selection's shares
WHOLE = Frame(over_time=True)
COUNTS = (WHOLE, Frame(chosen_by, over_time=True))
SHARES = (*COUNTS, when(has_place, Frame(over_time=True, of=the_network)))

PAGE = PageSpec(
    charts=(
        ChartSpec(
            "or-members",
            {
                "organisation": N_("Members by organisation"),
                "country": N_("Members by country"),
            },
            N_("Number of members of active groups at each quarter end since {start}"),
            _counts("members", N_("Members")),
            ("members",),
            needs=COUNTS,
            help=N_("Members of active groups at each quarter end. Click a line to narrow to it."),
        ),
        ChartSpec(
            "or-groups",
            {"organisation": N_("Groups by organisation"), "country": N_("Groups by country")},
            N_("Number of active groups at each quarter end since {start}"),
            _counts("groups", N_("Groups")),
            ("groups",),
            needs=COUNTS,
            help=N_(
                "Active groups at each quarter end: groups whose latest dataset is less than "
                "365 days old."
            ),
        ),
        ChartSpec(
            "or-shares",
            N_("Women among members"),
            N_("Women / members of active groups at each quarter end; network in grey"),
            _shares("pct_women", N_("Women, share of members")),
            ("pct_women",),
            needs=SHARES,
            help=N_(
                "Women as a share of members, by the breakdown chosen above, with the "
                "network's share in grey. Click a line to narrow to it."
            ),
        ),
        ChartSpec(
            "or-youth",
            N_("Youth among members"),
            N_(
                "Youth / members of active groups that record youth, at each quarter end; "
                "network in grey"
            ),
            _shares("pct_youth", N_("Youth, share of members")),
            ("pct_youth",),
            needs=SHARES,
            help=N_(
                "Youth as a share of the members of the groups that record youth, by the "
                "breakdown chosen above, with the network's share in grey."
            ),
        ),
        charts.TRAINED,
        ChartSpec(
            "or-replication",
            N_("Replication rate"),
            N_(
                "Replicated groups per group trained by the project (field officers or "
                "village agents)"
            ),
            _replication,
            ("replication_rate",),
            needs=(WHOLE,),
            help=N_(
                "Replicated groups per group formed by the project (trained by field officers "
                "or village agents)."
            ),
        ),
        ChartSpec(
            "or-sizes",
            N_("Group size"),
            {
                "": N_("Active groups by number of members as of {date}"),
                "average": N_(
                    "Active groups by number of members as of {date}; average {average} members"
                ),
            },
            _sizes,
            ("avg_group_size",),
            needs=(WHOLE, Sizes()),
            help=N_("How many active groups have each number of members."),
        ),
    ),
    needs=(WHOLE,),  # (the caption's counts)
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
    data = Outreach(read_view(search))
    PAGE.fetch(data)
    return PageContent(_(NAME), charts=PAGE.draw(data))


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "or-by", "by")
