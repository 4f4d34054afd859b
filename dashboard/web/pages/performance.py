"""/performance: the financial and participation ratios, pooled and spread across groups."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from dashboard.analytics import datasource, disclosure
from dashboard.core.filters import Filters
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import BY_ID
from dashboard.views import charts
from dashboard.views.figures.grids import small_multiple_lines
from dashboard.views.figures.spread import boxes
from dashboard.views.figures.trends import steady, thin_note
from dashboard.views.needs import Frame, Spread, chosen_by, has_place, the_network, when
from dashboard.views.page_model import ChartSpec, Drawn, PageContent, PageSpec, note
from dashboard.views.view import (
    HEADLINE_NEEDS,
    caption,
    entity_name,
    headline_kpis,
    nice_date,
    now_and_then,
    organisation_colours,
    read_view,
    series_colours,
    subject_label,
)
from dashboard.web.components import render
from dashboard.web.components.cards import kpi_row
from dashboard.web.components.controls import by_switch, register_url_param

PATH = "/performance"
NAME = N_("Performance")
ORDER = 3
MEASURES = (
    "savings_per_member_usd",
    "annualised_return_on_assets",
    "annualised_return_on_savings",
    "loan_fund_utilisation",
    "portfolio_at_risk",
    "attendance_rate",
    "dropout_rate",
)
NETWORK = N_("Network")  # the network's row (with the theme filters); translated where shown
SPREAD_NOTE = N_(
    "Diamond: the pooled value (ratio of sums, groups weigh by size). Box: the middle half of "
    "groups with the median group as a line; whiskers: 5th to 95th percentile."
)


def _spread_help(measure: str) -> Callable[[], str]:
    return lambda: f"{BY_ID[measure].definition} {_(SPREAD_NOTE)}"


def _label(measure: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda _words: BY_ID[measure].label


def _definition(measure: str) -> Callable[[Mapping[str, Any]], str]:
    """An indicator's definition and its unit (the display currency, %)."""

    def words(values: Mapping[str, Any]) -> str:
        ind = BY_ID[measure]
        unit = {"usd": f", {values['currency']}", "pct": ", %"}.get(ind.format, "")
        return f"{ind.definition.rstrip('.')}{unit}"

    return words


class Performance(charts.Data):
    """What the page's charts are drawn from: the charts' `Data`, with the breakdown chosen
    (`by`), the spread of each measure across groups (by the breakdown and whole) and the
    organisation a member's trend is of (`own`)."""

    @cached_property
    def by(self) -> str:
        return self.view.state.by

    @cached_property
    def own(self) -> tuple[str, ...]:
        """A member's own organisation when no place is chosen (else none): the trend's
        focus, against the network (as it stands out in the boxes)."""
        return self.highlighted if not self.filters.has_place else ()

    @cached_property
    def spreads(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The spread of every measure across groups, by the breakdown and whole (the
        network's: every group the viewer may see, with a place chosen)."""
        f, by = self.filters, self.by
        spreads = datasource.distributions(f, (by, ""))
        whole = datasource.distributions(f.network, ("",))[""] if f.has_place else spreads[""]
        return spreads[by], whole

    @cached_property
    def pooled(self) -> pd.DataFrame:
        return datasource.indicators(self.filters, self.by)

    @cached_property
    def spread_caption(self) -> str:
        # (a box with others' groups rests on many of them, moved: dashboard.analytics.disclosure)
        note = _(disclosure.SPREAD_NOTE) if datasource.perturbed(self.filters.network) else ""
        return caption(self.view, self.total.get("groups"), self.total.get("projects"), note)


def _spread(measure: str) -> Callable[[Performance], Drawn]:
    """The drawing of a measure's spread across groups, by the breakdown, against the
    network's."""

    def draw(data: Performance) -> Drawn:
        view, by = data.view, data.by
        ind = BY_ID[measure]
        network = _(NETWORK)
        dist, dist_all = data.spreads
        rows = dist[dist["indicator"] == measure].copy()
        overall = dist_all[dist_all["indicator"] == measure].copy()
        overall["by_value"] = network
        overall["key"] = ""
        keys = list(rows["by_value"])
        rows["key"] = keys
        rows["by_value"] = [entity_name(by, v, view.facts) for v in rows["by_value"]]
        frame = pd.concat([overall, rows], ignore_index=True)
        values = {network: data.network.get(measure)}
        pooled = data.pooled
        if not pooled.empty:
            for key, value in zip(pooled[by], pooled[measure], strict=True):
                values[entity_name(by, key, view.facts)] = value
        if ind.format == "usd":
            factor = view.rate
            frame[["p05", "q1", "median", "q3", "p95"]] = (
                frame[["p05", "q1", "median", "q3", "p95"]] * factor
            )
            values = {k: (v * factor if v is not None else None) for k, v in values.items()}
        colours = series_colours(by, keys, view.facts) if by == "organisation" else {}
        figure = boxes(
            frame,
            values,
            ind.format,
            colours=colours,
            currency=view.code,
            x_title=f"{ind.label} ({view.code})" if ind.format == "usd" else ind.label,
            drill=by,
            network_label=network,
            key_column="key",
            # (chosen, or a member's own: drawn in its colour, the others muted)
            highlight=data.highlighted if by == "organisation" else None,
        )
        return Drawn(figure, caption=data.spread_caption)

    return draw


def focus(filters: Filters, own: tuple[str, ...]) -> Filters:
    """The filters of the trend's coloured line: a member's `own` organisation within the
    filters when no place is chosen, else the filters themselves."""
    return replace(filters, organisation=own) if own else filters


def _trend(data: Performance) -> Drawn:
    view, f, own = data.view, data.filters, data.own
    ratios = [m for m in MEASURES if BY_ID[m].format != "int"]
    every = view.every_point
    # Without a place chosen, a member's own organisation is the trend's focus, against the
    # network (as it stands out in the boxes); otherwise the selection's.
    trend, need = steady(
        view.money(datasource.indicators(focus(f, own), over_time=True)), ratios, every=every
    )
    network_trend = None
    if f.has_place or own:  # the selection against the network
        network_trend, _need = steady(
            view.money(datasource.indicators(f.network, over_time=True)), ratios, every=every
        )
    drawn = trend.dropna(subset=["savings_per_member_usd"]) if len(trend) else trend
    figure = small_multiple_lines(
        trend,
        [(m, label(view.code), kind) for m, label, kind in TREND_PANELS],
        view.code,
        network_trend,
        own[0] if own else subject_label(view),
        colour=organisation_colours().get(own[0]) if own else data.colour,
    )
    return Drawn(
        figure,
        {"start": nice_date(drawn["as_of"].min()) if not drawn.empty else _("the start")},
        pick="network" if network_trend is not None else "",
        caption=f"{data.caption} {thin_note(need)}",
    )


def focused(data: Performance) -> Filters:
    """The scope of the trend's coloured line (`focus`)."""
    return focus(data.filters, data.own)


def against(data: Performance) -> bool:
    """Whether the trend sets its line against the network's."""
    return bool(data.filters.has_place or data.own)


# what the charts read: the spreads by the breakdown and whole (the network's, with a place
# chosen), the pooled values by the breakdown and the network's; the trend's lines
SPREADS = (
    Spread((chosen_by, "")),
    when(has_place, Spread(("",), of=the_network)),
    Frame(chosen_by),
    charts.NETWORK,
)
TREND_NETWORK = Frame(over_time=True, of=the_network)


# the trend's panels: (indicator, its panel's title in the display currency, kind)
TREND_PANELS: tuple[tuple[str, Callable[[str], str], str], ...] = (
    (
        "savings_per_member_usd",
        lambda code: _("Savings per member ({currency})").format(currency=code),
        "usd",
    ),
    ("annualised_return_on_assets", lambda _code: _("Annualised return on assets"), "pct"),
    ("portfolio_at_risk", lambda _code: _("Portfolio at risk"), "pct"),
    ("attendance_rate", lambda _code: _("Attendance"), "pct"),
)


PAGE = PageSpec(
    charts=(
        *(
            ChartSpec(
                f"pf-{m}",
                _label(m),
                _definition(m),
                _spread(m),
                (m,),
                help=_spread_help(m),
                height=340,
                needs=SPREADS,
            )
            for m in MEASURES
        ),
        ChartSpec(
            "pf-trend",
            N_("Performance over time"),
            {
                "": N_("Pooled values at each quarter end since {start}"),
                "network": N_("Pooled values at each quarter end since {start}; network in grey"),
            },
            _trend,
            tuple(m for m, _title, _kind in TREND_PANELS),
            help=N_("Pooled values as of each quarter end."),
            height=520,
            lg=12,
            needs=(Frame(over_time=True, of=focused), when(against, TREND_NETWORK)),
        ),
    ),
    kpis=MEASURES,
    kpi_prefix="pf",
    needs=(*HEADLINE_NEEDS, charts.TOTAL),  # (the tiles; the captions' counts)
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Financial performance"), className="page-title"),
            html.P(
                _(
                    "The pooled ratios of the groups' books, and how they spread across "
                    "groups: a network average can hide groups far above and below it."
                ),
                className="page-lead",
            ),
            kpi_row(render.tiles(PAGE)),
            by_switch("pf-by"),
            dbc.Row(render.cards(PAGE)),
        ]
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    data = Performance(view)
    PAGE.fetch(data)
    # the pooled values and their change since the same quarter a year before, as the
    # overview's tiles
    prior = datasource.comparison_date(view.as_of) if view.as_of else None
    now, before = now_and_then(view, prior)
    no_comparison = note(_("no comparison"))
    kpis = [
        replace(k, change=k.change or no_comparison)
        for k in headline_kpis(view, MEASURES, now, before, prior)
    ]
    return PageContent(_(NAME), kpis=kpis, charts=PAGE.draw(data))


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "pf-by", "by")
