"""/sdg: every indicator with a Sustainable Development Goal target, standard and the
network's own, grouped by goal and target, each with its value, its change over a year and its
trend, so that a member answers "what do our groups contribute to SDG 5?" in one screen
(issue 8). The filters apply as on every page.

The standard indicators' targets are our reading of the SAVIX model against the SDG framework
(README); the network's own fields name theirs in data/network.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboard import datasource, figures, theme
from dashboard.components.cards import graph_config
from dashboard.components.render import change_view
from dashboard.format import format_value
from dashboard.i18n import N_, _
from dashboard.indicators import BY_ID, network_indicators
from dashboard.page_model import change
from dashboard.page_model import note as page_note
from dashboard.view import caption, first_row, read_view

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
    label: str
    kind: str  # a dashboard.format kind
    direction: int

    @property
    def goal(self) -> int:
        return int(self.target.split(".")[0])


def entries() -> list[Entry]:
    """Every indicator with a target, standard first, in the order of goal and target."""
    out = [
        Entry(target, ind, BY_ID[ind].label, BY_ID[ind].format, BY_ID[ind].direction)
        for ind, target in STANDARD.items()
    ]
    out += [
        Entry(ind.sdg, ind.id, ind.label, ind.format, ind.direction)
        for ind in network_indicators()
        if ind.sdg
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


def _sparkline(trend: pd.DataFrame, column: str, kind: str, label: str, every: bool = False) -> Any:
    if trend.empty or column not in trend or trend[column].isna().all():
        return html.Span(_("no trend yet"), className="text-secondary small")
    if kind != "int":  # a ratio's quarters resting on too few groups are left out
        trend, _need = figures.steady(trend, [column], every=every)
        if trend[column].isna().all():
            return html.Span(_("no trend yet"), className="text-secondary small")
    part = trend.dropna(subset=[column])
    fig = go.Figure(
        go.Scatter(
            x=part["as_of"],
            y=part[column],
            mode="lines",
            line={"color": theme.OKABE_ITO[4], "width": 2},
            hovertemplate="%{x|%d %b %Y}: %{y}<extra></extra>",
            name=label,
        )
    )
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 4, "b": 4},
        height=56,
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False, "tickformat": ".0%" if kind == "pct" else ",.1f"},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return dcc.Graph(
        figure=fig,
        config={**graph_config(), "displayModeBar": False, "staticPlot": True},
        style={"height": "56px", "width": "180px"},
        className="sdg-spark",
    )


def build(search: str | None) -> Any:
    view = read_view(search)
    f = view.filters
    if view.as_of is None:
        return html.P(_("The pool is empty: import data with `vsla import`."))
    now = first_row(datasource.indicators(f, network=True))
    foot = html.P(caption(view, now.get("groups"), now.get("projects")), className="chart-caption")
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
    trend = datasource.indicators(f, over_time=True, network=True)
    prior = datasource.comparison_date(view.as_of)
    before_rows = (
        trend[pd.to_datetime(trend["as_of"]) == pd.Timestamp(prior)] if not trend.empty else trend
    )
    before = first_row(before_rows)
    trend = view.money(trend)  # (money in the display currency, as the values beside it)
    if not trend.empty:  # the caption says which quarters the trends leave out
        note = figures.thin_note(0 if view.every_point else figures.thin_threshold(trend["groups"]))
        foot = html.P(
            caption(view, now.get("groups"), now.get("projects"), note),
            className="chart-caption",
        )
    sections: list[Any] = []
    by_goal: dict[int, list[Entry]] = {}
    for entry in entries():
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
                        html.Td(_sparkline(trend, e.indicator, e.kind, e.label, view.every_point)),
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
    @app.callback(Output("sdg-body", "children"), Input("url", "search"))
    def update(search: str | None) -> Any:
        return build(search)
