"""The charts drawn in more than one place, each declared once (page_model.ChartSpec: id,
words, indicators, card, drawing), and `Data`, what every chart is drawn from.

A page lists these declarations in its `PAGE` beside its own; presentation mode
(dashboard/web/pages/present.py) and the performance report (dashboard/exports/report/data.py)
draw the same declarations, so that a chart has the same words, numbers and reference lines
wherever it is shown:

- `MEMBERS_MAP` (the overview's map; the presentation's map slide),
- `MEMBERS_OVER_TIME` (the overview's trend; the presentation's outreach slide),
- `TRAINED` (outreach's groups by who trained them; the presentation's replication slide),
- `COST_BY_ORGANISATION` (efficiency; the presentation's cost slide),
- `MEMBERS_AND_GROUPS` and `SAVINGS_OVER_TIME` (a project's trends; the report's).
- `WOMEN_OVER_TIME` and `COST_OVER_TIME` (the report's other two trends: with
  `SAVINGS_OVER_TIME`, a selection's ratios against the network's, one drawing,
  `ratio_over_time`).

`Data` holds a view and reads each frame a chart reads when it is first asked for (from
the caches the pages share, where the page's fetch has put them: each declaration names the
frames its drawing reads, `needs`, dashboard/views/needs.py); a page with charts of its own
extends it with their frames, and declares them beside its charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics import datasource
from dashboard.analytics.datasource import Ask
from dashboard.core import theme
from dashboard.core.filters import TRAINED_BY, Filters
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import lookup
from dashboard.views.figures.bars import ranked_bars
from dashboard.views.figures.common import empty
from dashboard.views.figures.grids import small_multiple_lines
from dashboard.views.figures.lines import lines, stacked_area
from dashboard.views.figures.maps import members_map
from dashboard.views.figures.references import Reference, savix_cost
from dashboard.views.figures.trends import steady, thin_note
from dashboard.views.needs import Asks, Frame, has_place, the_network, when
from dashboard.views.page_model import ChartSpec, Drawn
from dashboard.views.view import (
    HEADLINE_NEEDS,
    VALUE_LABELS,
    View,
    caption,
    caption_of,
    entity_name,
    first_row,
    first_shown,
    highlighted,
    named,
    nice_date,
    now_and_then,
    organisation_colours,
    selection_colour,
    subject_label,
)

# the ratios of a selection's trends set against the network's (the projects page, the report)
SUBJECT_RATIOS = ("savings_per_member_usd", "cost_per_member_usd", "pct_women")
NETWORK_POOLED = N_("Network (pooled)")  # the network's value: a ratio of its sums
COSTS_OF_WHOLE_PROJECTS = N_("Costs: whole projects.")


class Data:
    """What a view's charts are drawn from: the view, the caption under them, the words
    their titles and subtitles fill in (`words`: the display currency, and what a page
    adds), and the frames they read, each fetched when first asked for.

    `total` (the scope's indicators) and `caption` are the scope's own unless given (the
    overview's and the presentation's are as of the view's date, read with the date they
    are compared with)."""

    def __init__(
        self,
        view: View,
        *,
        total: Mapping[str, Any] | None = None,
        caption: str | None = None,
        **words: Any,
    ) -> None:
        self.view = view
        self.filters = view.filters
        self.code = view.code
        self.words: dict[str, Any] = {"currency": view.code, **words}
        if total is not None:
            self.reads_total = False
            self.total = total
        if caption is not None:
            self.caption = caption

    # whether `total` is the scope's indicators, read when first asked for (TOTAL declares
    # it); not where the page gives it, or reads it otherwise (AsOf)
    reads_total = True

    @cached_property
    def total(self) -> Mapping[str, Any]:
        return first_row(datasource.indicators(self.filters))

    @cached_property
    def caption(self) -> str:
        return caption(self.view, self.total.get("groups"), self.total.get("projects"))

    @property
    def groups(self) -> Any:
        return self.total.get("groups") or 0

    @cached_property
    def network(self) -> Mapping[str, Any]:
        """The network's pooled values: every group the viewer may see, with the theme
        filters (the selection's own where no place is chosen)."""
        if not self.filters.has_place:
            return self.total
        return first_row(datasource.indicators(self.filters.network))

    @cached_property
    def colours(self) -> dict[str, str]:
        return organisation_colours(self.view.facts)

    @cached_property
    def colour(self) -> str | None:
        """The selection's colour beside the network (view.selection_colour)."""
        return selection_colour(self.view)

    @cached_property
    def highlighted(self) -> tuple[str, ...]:
        """The organisations drawn in their colours, the others muted (view.highlighted)."""
        return highlighted(self.view)

    @property
    def cost_note(self) -> str:
        """The caption's note on costs under theme filters (of whole projects)."""
        return _(COSTS_OF_WHOLE_PROJECTS) if self.filters.has_group_filters else ""

    @cached_property
    def by_country(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, "country")

    @cached_property
    def country_names(self) -> dict[str, str]:
        facts = self.view.facts
        return {c: entity_name("country", c, facts) for c in facts.countries}

    @cached_property
    def by_organisation(self) -> pd.DataFrame:
        """The selection's organisations, named, money in the display currency."""
        return self._organisations(self.filters)

    @cached_property
    def organisations_compared(self) -> pd.DataFrame:
        """As `by_organisation`; with organisations chosen, every organisation of the
        network (the chosen ones stand out: one bar alone compares with nothing)."""
        f = self.filters
        return self._organisations(f.network) if f.organisation else self.by_organisation

    def _organisations(self, filters: Any) -> pd.DataFrame:
        frame = datasource.indicators(filters, "organisation")
        if frame.empty:
            return frame
        return self.view.money(named(frame, "organisation", self.view.facts))

    @cached_property
    def organisation_trend(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, "organisation", over_time=True)

    @cached_property
    def trained_trend(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, "trained_by", over_time=True)

    @cached_property
    def trend(self) -> pd.DataFrame:
        """The selection's indicators at each quarter end, money in the display currency."""
        return self.view.money(datasource.indicators(self.filters, over_time=True))

    @cached_property
    def network_trend(self) -> pd.DataFrame | None:
        """The network's, likewise, with a place chosen (None without: the selection is
        the network)."""
        if not self.filters.has_place:
            return None
        return self.view.money(datasource.indicators(self.filters.network, over_time=True))

    @cached_property
    def subject_trends(self) -> tuple[pd.DataFrame, pd.DataFrame | None, int]:
        """The selection's trend with its ratios (SUBJECT_RATIOS) left out where they rest
        on few active groups, named by the selection (`subject`) where it is set against
        the network's; the network's likewise (None without a place chosen); and how many
        groups a point needs (for the caption)."""
        every = self.view.every_point
        trend, need = steady(self.trend, SUBJECT_RATIOS, every=every)
        network = None
        if self.network_trend is not None:
            network, _need = steady(self.network_trend, SUBJECT_RATIOS, every=every)
            trend = trend.assign(subject=subject_label(self.view))
        return trend, network, need

    def against_network(self) -> dict[str, Any]:
        """The arguments of lines that draw the selection, named and in its
        colour, against the network's grey line (none without a place chosen)."""
        _trend, network, _need = self.subject_trends
        if network is None:
            return {}
        label = subject_label(self.view)
        return {
            "total": network,
            "series": "subject",
            "colours": {label: self.colour or theme.OKABE_ITO[0]},
        }


class AsOf(Data):
    """`Data` whose total is the scope's figures as of the view's date, read with those of
    the date they are compared with (view.now_and_then: the overview's and the
    presentation's headline), its caption theirs. `NEEDS` is what that reads, with the
    headline's tiles (view.HEADLINE_NEEDS)."""

    reads_total = False
    NEEDS = HEADLINE_NEEDS

    @cached_property
    def prior(self) -> date | None:
        as_of = self.view.as_of
        return datasource.comparison_date(as_of) if as_of else None

    @cached_property
    def now_and_then(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return now_and_then(self.view, self.prior)

    @cached_property
    def total(self) -> Mapping[str, Any]:
        return self.now_and_then[0]

    @property
    def before(self) -> Mapping[str, Any]:
        return self.now_and_then[1]

    @cached_property
    def caption(self) -> str:
        return caption(self.view, self.total.get("groups", 0), self.total.get("projects"))


def _total(data: Data) -> tuple[Ask, ...]:
    return (datasource.Rows(data.filters),) if data.reads_total else ()


def _network(data: Data) -> tuple[Ask, ...]:
    f = data.filters
    return (datasource.Rows(f.network),) if f.has_place else _total(data)


def compared(data: Data) -> Filters:
    """The scope of `Data.organisations_compared`: the network's with organisations chosen."""
    return data.filters.network if data.filters.organisation else data.filters


# what `Data` reads beside a chart's own frames: the scope's total (where the page has not
# given it) and the network's pooled values (`Data.network`: that total without a place)
TOTAL = Asks(_total)
NETWORK = Asks(_network)
# a selection's trend against the network's (Data.subject_trends)
SUBJECT_TRENDS = (Frame(over_time=True), when(has_place, Frame(over_time=True, of=the_network)))


def network_line(data: Data, measure: str) -> Reference | None:
    """The network's pooled value of `measure` (ratio of sums over every group the viewer
    may see, with the theme filters), as a grey reference."""
    value = data.network.get(measure)
    if lookup(measure).format == "usd":
        value = data.view.convert(value)  # (None where it is not a finite number)
    if value is None or pd.isna(value):
        return None
    return Reference(float(value), _(NETWORK_POOLED), network=True)


def ranked(
    data: Data,
    frame: pd.DataFrame,
    value: str,
    kind: str,
    key: str,
    savix: bool,
    highlight: Sequence[str] | None = None,
    narrow: bool = False,
) -> go.Figure:
    """Ranked bars of a measure by project or organisation (`key`, named in `label`), each
    in its organisation's colour (or the frame's `colour`), against the network's pooled
    value and, with `savix`, SAVIX's reference; a click narrows to the bar's `key`."""
    if frame.empty:
        return empty()
    colours = (
        list(frame["colour"])
        if "colour" in frame
        else [data.colours.get(o, "#0072B2") for o in frame["organisation"]]
    )
    references = [
        r for r in (savix_cost(data.view.rate) if savix else None, network_line(data, value)) if r
    ]
    # the columns a file of a ranked chart adds to each bar's whole name and value
    details = (
        {_("Project id"): "project", _("Organisation"): "organisation"}
        if key == "project"
        else None
    )
    return ranked_bars(
        frame.reset_index(drop=True),
        "label",
        value,
        kind,
        colour=colours,
        currency=data.code,
        reference=references,
        drill=key,
        key=key,
        hover_extra=[f"<br>{o}" for o in frame["organisation"]],
        highlight=highlight,
        narrow=narrow,
        series=lookup(value).label,
        details=details,
    )


# --- Members ---------------------------------------------------------------------------------


def _members_map(data: Data) -> go.Figure:
    if not data.groups:
        return empty()
    return members_map(data.by_country, data.country_names)


MEMBERS_MAP = ChartSpec(
    "ov-map",
    N_("Members by country"),
    N_("Members of active groups (a group is active if it reported in the last 365 days)"),
    _members_map,
    ("members",),
    help=N_("Members of active groups by country. Click a country to narrow every page to it."),
    height=400,
    only="wide",
    needs=(TOTAL, Frame("country")),
)


def _members_over_time(data: Data) -> Drawn:
    trend = data.organisation_trend
    orgs = (
        list(trend.groupby("organisation")["members"].last().sort_values(ascending=False).index)
        if not trend.empty
        else []
    )
    figure = stacked_area(
        trend,
        "organisation",
        "members",
        orgs,
        {o: o for o in orgs},
        _("Members"),
        colours=data.colours,
        drill="organisation",
    )
    return Drawn(figure, {"date": nice_date(first_shown(trend))})


MEMBERS_OVER_TIME = ChartSpec(
    "ov-trend",
    N_("Members over time"),
    N_("Members of active groups at each quarter end since {date}, by organisation"),
    _members_over_time,
    ("members",),
    help=N_(
        "Members of active groups as of each quarter end, stacked by organisation. "
        "Click an organisation to narrow to it."
    ),
    height=400,
    needs=(Frame("organisation", over_time=True),),
)


def _trained(data: Data) -> go.Figure:
    return stacked_area(
        data.trained_trend,
        "trained_by",
        "groups",
        TRAINED_BY,
        {k: _(v) for k, v in VALUE_LABELS["trained_by"].items()},
        _("Active groups"),
    )


TRAINED = ChartSpec(
    "or-trained",
    N_("Groups formed by the project and replicated"),
    N_("Active groups by who trained them, at each quarter end"),
    _trained,
    ("groups", "groups_replicated"),
    help=N_(
        "Active groups by who formed them: project field officers, village agents, or "
        "replicated by other groups without project support."
    ),
    needs=(Frame("trained_by", over_time=True),),
)


# --- Costs -----------------------------------------------------------------------------------

COST_UNIT = N_("{currency}, cost to date per member of active groups")


def _cost_by_organisation(data: Data) -> Drawn:
    chosen = data.filters.organisation
    figure = ranked(
        data,
        data.organisations_compared,
        "cost_per_member_usd",
        "usd",
        "organisation",
        savix=True,
        highlight=data.highlighted or None,
    )
    return Drawn(
        figure,
        {"unit": _(COST_UNIT).format(currency=data.code), "chosen": ", ".join(chosen)},
        pick="chosen" if chosen else "",
        # (with organisations chosen, the bars are every organisation's: so the count)
        caption=caption_of(data.view, data.filters.network, data.cost_note) if chosen else None,
    )


COST_BY_ORGANISATION = ChartSpec(
    "ef-org",
    N_("Cost per member by organisation"),
    {
        "": COST_UNIT,
        "chosen": N_("{unit}; {chosen} against every organisation of the network"),
    },
    _cost_by_organisation,
    ("cost_per_member_usd", "cost_to_date_usd"),
    help=N_("Cost to date of the organisation's projects divided by their members."),
    height=460,
    needs=(Frame("organisation", of=compared), NETWORK),
)


# --- A selection against the network ---------------------------------------------------------


def _members_and_groups(data: Data) -> go.Figure:
    # Two panels: on one axis the groups would hug zero beside the members.
    figure = small_multiple_lines(
        data.trend,
        [("members", _("Members"), "int"), ("groups", _("Groups"), "int")],
        selection=data.filters.has_place,
        colour=data.colour,
    )
    # two panels in half a card or half a printed column: a year in two at most, or plotly
    # tilts the years (with the wider Danish and French thousands on the value axes)
    figure.update_xaxes(nticks=5)
    return figure


MEMBERS_AND_GROUPS = ChartSpec(
    "pj-outreach",
    N_("Members and groups over time"),
    N_("Active groups and their members at each quarter end"),
    _members_and_groups,
    ("members", "groups"),
    height=320,
    needs=(Frame(over_time=True),),
)


def ratio_over_time(data: Data, ind_id: str, y_title: str, **options: Any) -> Drawn:
    """One of the selection's ratios (SUBJECT_RATIOS) at each quarter end, in its colour,
    against the network's grey line where a place is chosen (Data.against_network; its
    words then pick their "network" wording); `options`, more of figures.lines.lines (a
    reference line)."""
    trend, network, _need = data.subject_trends
    figure = lines(
        trend,
        ind_id,
        lookup(ind_id).format,
        currency=data.code,
        y_title=y_title,
        colour=data.colour,
        **options,
        **data.against_network(),
    )
    return Drawn(figure, pick="network" if network is not None else "")


def _savings_over_time(data: Data) -> Drawn:
    drawn = ratio_over_time(
        data,
        "savings_per_member_usd",
        _("Savings per member ({currency})").format(currency=data.code),
    )
    need = data.subject_trends[2]
    return replace(drawn, caption=f"{data.caption} {thin_note(need)}")


SAVINGS_OVER_TIME = ChartSpec(
    "pj-savings",
    N_("Savings per member over time"),
    {
        "": N_("Savings of active groups divided by their members, {currency}"),
        "network": N_(
            "Savings of active groups divided by their members, {currency}; network in grey"
        ),
    },
    _savings_over_time,
    ("savings_per_member_usd",),
    height=320,
    needs=SUBJECT_TRENDS,
)


def _women_over_time(data: Data) -> Drawn:
    return ratio_over_time(data, "pct_women", _("Women among members"))


WOMEN_OVER_TIME = ChartSpec(
    "rp-women",
    N_("Women's share"),
    {"": N_("Women / members, %"), "network": N_("Women / members, %; network in grey")},
    _women_over_time,
    ("pct_women",),
    needs=SUBJECT_TRENDS,
)


def _cost_over_time(data: Data) -> Drawn:
    return ratio_over_time(
        data,
        "cost_per_member_usd",
        _("Cost per member ({currency})").format(currency=data.code),
        # (named short: beside the network's line and its name the plot is narrow; the
        # report's cost table names it in full)
        reference=savix_cost(data.view.rate, short=True),
    )


COST_OVER_TIME = ChartSpec(
    "rp-costs",
    N_("Cost per member"),
    {
        "": N_("{currency}, cost to date per member"),
        "network": N_("{currency}, cost to date per member; network in grey"),
    },
    _cost_over_time,
    ("cost_per_member_usd",),
    needs=SUBJECT_TRENDS,
)
