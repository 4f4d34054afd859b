"""/sdg: every indicator with a Sustainable Development Goal target, standard and the
network's own, grouped by goal and target, each with its value, its change over a year and its
trend, so that a member answers "what do our groups contribute to SDG 5?" in one screen
(issue 8). The filters apply as on every page.

The standard indicators' targets are our reading of the SAVIX model against the SDG framework
(README); the network's own fields name theirs in data/network.toml.

Each trend is a chart declared like every other (page_model.ChartSpec: `CHARTS`, one per
indicator, id `sdg-<indicator>`), drawn small in the table and exported from its Export menu
in full (dashboard/web/components/page_exports.py reads `content`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboard.analytics import datasource
from dashboard.core import theme
from dashboard.core.format import format_value
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import BY_ID, lookup, network_indicators
from dashboard.views import charts
from dashboard.views.figures.common import empty
from dashboard.views.figures.lines import lines
from dashboard.views.figures.trends import steady, thin_note, thin_threshold
from dashboard.views.page_model import Chart, ChartSpec, Drawn, PageContent, PageSpec, change
from dashboard.views.page_model import note as page_note
from dashboard.views.view import caption, first_row, nice_date, read_view
from dashboard.web.components.cards import export_menu, graph_config
from dashboard.web.components.render import change_view

PATH = "/sdg"
NAME = N_("SDGs")
ORDER = 12

# The 17 goals' short names (a network's own field may name a target of any of them).
GOALS = {
    1: N_("No poverty"),
    2: N_("Zero hunger"),
    3: N_("Good health and well-being"),
    4: N_("Quality education"),
    5: N_("Gender equality"),
    6: N_("Clean water and sanitation"),
    7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"),
    9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"),
    11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"),
    13: N_("Climate action"),
    14: N_("Life below water"),
    15: N_("Life on land"),
    16: N_("Peace, justice and strong institutions"),
    17: N_("Partnerships for the goals"),
}
# The targets named by the standard indicators and the shipped network file, in words; any
# other target shows its number alone.
TARGETS = {
    "1.4": N_("Equal rights to economic resources and access to financial services"),
    "5.5": N_("Women's full participation and equal opportunities for leadership"),
    "5.a": N_("Equal rights for women to economic resources and financial services"),
    "8.6": N_("Fewer young people not in employment, education or training"),
    "8.10": N_("Access to banking, insurance and financial services for all"),
    "10.2": N_("Social and economic inclusion of all, whatever their disability"),
    "13.1": N_("Resilience and adaptive capacity to climate-related hazards"),
    "16.7": N_("Responsive, inclusive and participatory decision-making"),
}
# The standard indicators that report against a target (README: how we read the framework).
STANDARD = {
    "members": "1.4",
    "savings_per_member_usd": "1.4",
    "pct_women": "5.a",
    "pct_youth": "8.6",
    "pct_members_with_loans": "8.10",
    "avg_loan_usd": "8.10",
}


@dataclass(frozen=True)
class Entry:
    target: str
    indicator: str  # the engine's id (ndf_<id> for the network's own)
    kind: str  # a dashboard.core.format kind
    direction: int

    @property
    def goal(self) -> int:
        return int(self.target.split(".")[0])

    @property
    def label(self) -> str:
        """The indicator's label in the language in force."""
        return lookup(self.indicator).label


def entries() -> list[Entry]:
    """Every indicator with a target, standard first, in the order of goal and target."""
    out = [
        Entry(target, ind, BY_ID[ind].format, BY_ID[ind].direction)
        for ind, target in STANDARD.items()
    ]
    out += [
        Entry(ind.sdg, ind.id, ind.format, ind.direction) for ind in network_indicators() if ind.sdg
    ]

    def order(e: Entry) -> tuple[int, int, str]:
        minor = e.target.split(".")[1]
        return (e.goal, int(minor) if minor.isdigit() else 100 + ord(minor[0]), e.indicator)

    return sorted(out, key=order)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(
                _("Contributions to the Sustainable Development Goals"), className="page-title"
            ),
            html.P(
                _(
                    "Every indicator that reports against an SDG target, the network's own "
                    "included, with its value, its change over a year and its trend, for the "
                    "filters. Choose an organisation to see its contribution."
                ),
                className="page-lead",
            ),
            dcc.Loading(html.Div(id="sdg-body"), type="circle"),
        ]
    )


def chart_id(indicator: str) -> str:
    """The id of an indicator's trend (sdg-pct-women, sdg-ndf-kitchen-gardens)."""
    return "sdg-" + indicator.replace("_", "-")


class Sdg(charts.Data):
    """What the page's trends are drawn from: the charts' `Data`, with the scope's indicators
    (the network's own included) now and at each quarter end, money in the display
    currency; the caption says which quarters a ratio's trend leaves out."""

    @cached_property
    def total(self) -> Mapping[str, Any]:
        return first_row(datasource.indicators(self.filters, network=True))

    @cached_property
    def over_time(self) -> pd.DataFrame:
        """At each quarter end, as the pool holds them (money in USD)."""
        return datasource.indicators(self.filters, over_time=True, network=True)

    @cached_property
    def trend(self) -> pd.DataFrame:
        return self.view.money(self.over_time)

    @cached_property
    def caption(self) -> str:
        trend, every = self.trend, self.view.every_point
        note = thin_note(0 if every else thin_threshold(trend["groups"])) if not trend.empty else ""
        return caption(self.view, self.total.get("groups"), self.total.get("projects"), note)


def drawn_rows(trend: pd.DataFrame, column: str, kind: str, every: bool = False) -> pd.DataFrame:
    """The quarters of an indicator's trend that are drawn: those with a value, a ratio's
    resting on too few groups left out (figures.trends.steady)."""
    if trend.empty or column not in trend:
        return trend.iloc[0:0]
    if kind != "int":
        trend, _need = steady(trend, [column], every=every)
    return trend.dropna(subset=[column])


def trend_figure(
    trend: pd.DataFrame,
    column: str,
    kind: str,
    label: str,
    currency: str = "USD",
    every: bool = False,
) -> go.Figure:
    """An indicator's pooled value at each quarter end (`drawn_rows`)."""
    rows = drawn_rows(trend, column, kind, every)
    if rows.empty:
        return empty(_(NO_TREND))
    return lines(rows, column, kind, currency=currency, y_title=label, colour=theme.OKABE_ITO[4])


def _trend(entry: Entry) -> Callable[[Sdg], Drawn]:
    def draw(data: Sdg) -> Drawn:
        every = data.view.every_point
        rows = drawn_rows(data.trend, entry.indicator, entry.kind, every)
        return Drawn(
            trend_figure(data.trend, entry.indicator, entry.kind, entry.label, data.code, every),
            {
                "target": entry.target,
                "start": nice_date(rows["as_of"].min()) if not rows.empty else _("the start"),
            },
        )

    return draw


def _label(entry: Entry) -> Callable[[Mapping[str, Any]], str]:
    return lambda _words: entry.label


NO_TREND = N_("no trend yet")
TREND_SUBTITLE = N_("Pooled value at each quarter end since {start}; SDG target {target}")


def declarations(shown: Sequence[Entry]) -> PageSpec:
    """A trend chart for each indicator with a target."""
    return PageSpec(
        charts=tuple(
            ChartSpec(
                chart_id(e.indicator),
                _label(e),
                TREND_SUBTITLE,
                _trend(e),
                (e.indicator,),
            )
            for e in shown
        )
    )


# The page's indicators and their trends, fixed when the app is made (register_callbacks);
# a field added to the network's file is shown once the dashboard restarts.
ENTRIES = entries()
CHARTS = declarations(ENTRIES)


def content(search: str | None) -> PageContent:
    """The page's trends for the link, as charts (what a trend's Export menu files)."""
    return PageContent(_(NAME), charts=CHARTS.draw(Sdg(read_view(search))))


def _sparkline(chart: Chart) -> Any:
    """A trend drawn small in its row, beside its Export menu (the file has it whole)."""
    drawn = [t for t in chart.figure.data if t.y is not None and len(t.y)]
    if not drawn:
        return html.Span(_(NO_TREND), className="text-secondary small")
    spark = go.Figure(chart.figure)
    spark.update_layout(
        margin={"l": 0, "r": 0, "t": 4, "b": 4},
        height=56,
        showlegend=False,
        annotations=[],
        shapes=[],
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return html.Div(
        [
            dcc.Graph(
                figure=spark,
                config={**graph_config(chart.id), "displayModeBar": False, "staticPlot": True},
                style={"height": "56px", "width": "180px"},
                className="sdg-spark",
            ),
            export_menu(chart.id),
        ],
        className="sdg-trend",
    )


def build(search: str | None) -> Any:
    view = read_view(search)
    if view.as_of is None:
        return html.P(_("The pool is empty: import data with `vsla import`."))
    data = Sdg(view)
    now = data.total
    foot = html.P(data.caption, className="chart-caption")
    if now.get("suppressed"):
        return [
            html.P(
                _(
                    "These filters leave fewer than 5 groups of other organisations: their "
                    "figures are not shown. Widen the filters, or sign in to see your own "
                    "organisation's."
                )
            ),
            foot,
        ]
    trend = data.over_time
    prior = datasource.comparison_date(view.as_of)
    before_rows = (
        trend[pd.to_datetime(trend["as_of"]) == pd.Timestamp(prior)] if not trend.empty else trend
    )
    before = first_row(before_rows)
    trends = CHARTS.draw(data)
    sections: list[Any] = []
    by_goal: dict[int, list[Entry]] = {}
    for entry in ENTRIES:
        by_goal.setdefault(entry.goal, []).append(entry)
    for goal, items in by_goal.items():
        rows = []
        for e in items:
            value, old = now.get(e.indicator), before.get(e.indicator)
            if e.kind == "usd":
                value = view.convert(value)
                old = view.convert(old, prior.year)
            note = change_view(
                change(value, old, e.kind, e.direction, prior) or page_note(_("no comparison"))
            )
            rows.append(
                html.Tr(
                    [
                        html.Td(html.Span(e.target, className="sdg-target")),
                        html.Td(
                            [
                                html.Div(e.label, className="fw-semibold"),
                                html.Div(
                                    _(TARGETS.get(e.target, "")), className="small text-secondary"
                                ),
                            ]
                        ),
                        html.Td(
                            format_value(value, e.kind, view.code),
                            className="sdg-value",
                            **{"data-indicator": e.indicator},
                        ),
                        html.Td(note, className="small"),
                        html.Td(_sparkline(trends[chart_id(e.indicator)])),
                    ]
                )
            )
        sections.append(
            html.Section(
                [
                    html.H2(
                        [
                            html.Span(str(goal), className=f"sdg-goal sdg-goal-{goal}"),
                            _("Goal {goal}: {name}").format(goal=goal, name=_(GOALS.get(goal, ""))),
                        ],
                        className="chart-title",
                        id=f"goal-{goal}",
                    ),
                    html.Div(
                        html.Table(
                            [
                                html.Thead(
                                    html.Tr(
                                        [
                                            html.Th(_("Target")),
                                            html.Th(_("Indicator")),
                                            html.Th(_("Value")),
                                            html.Th(_("Change")),
                                            html.Th(_("Trend")),
                                        ]
                                    )
                                ),
                                html.Tbody(rows),
                            ],
                            className="table table-sm align-middle sdg-table",
                        ),
                        className="table-responsive",
                    ),
                ],
                className="chart-card mb-3",
            )
        )
    goals = html.Nav(
        [
            html.A(
                [
                    html.Span(str(goal), className=f"sdg-goal sdg-goal-{goal}"),
                    _(GOALS.get(goal, "")),
                ],
                href=f"#goal-{goal}",
                className="sdg-jump",
            )
            for goal in by_goal
        ],
        className="sdg-jumps mb-3",
        **{"aria-label": _("Goals")},
    )
    return [goals, *sections, foot]


def register_callbacks(app: Dash) -> None:
    global ENTRIES, CHARTS
    ENTRIES = entries()
    CHARTS = declarations(ENTRIES)

    @app.callback(Output("sdg-body", "children"), Input("url", "search"))
    def update(search: str | None) -> Any:
        return build(search)
