"""/performance: the financial and participation ratios, pooled and spread across groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from dashboard import datasource, disclosure, figures
from dashboard.components import render
from dashboard.components.cards import kpi_row
from dashboard.components.controls import by_switch, register_url_param
from dashboard.filters import Filters
from dashboard.i18n import N_, _
from dashboard.indicators import BY_ID
from dashboard.page_model import Chart, ChartSpec, PageContent, PageSpec, charts_by_id, note
from dashboard.view import (
    View,
    caption,
    entity_name,
    first_row,
    headline_kpis,
    highlighted,
    nice_date,
    now_and_then,
    organisation_colours,
    read_view,
    selection_colour,
    series_colours,
    subject_label,
)

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


PAGE = PageSpec(
    charts=(
        *(ChartSpec(f"pf-{m}", _spread_help(m), height=340) for m in MEASURES),
        ChartSpec("pf-trend", N_("Pooled values as of each quarter end."), height=520, lg=12),
    ),
    kpis=MEASURES,
    kpi_prefix="pf",
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


def spread_chart(
    view: View,
    measure: str,
    dist: pd.DataFrame,
    pooled: pd.DataFrame,
    dist_all: pd.DataFrame,
    total: dict[str, Any],
    by: str,
    cap: str,
) -> Chart:
    ind = BY_ID[measure]
    network = _(NETWORK)
    rows = dist[dist["indicator"] == measure].copy()
    overall = dist_all[dist_all["indicator"] == measure].copy()
    overall["by_value"] = network
    overall["key"] = ""
    keys = list(rows["by_value"])
    rows["key"] = keys
    rows["by_value"] = [entity_name(by, v, view.facts) for v in rows["by_value"]]
    frame = pd.concat([overall, rows], ignore_index=True)
    values = {network: total.get(measure)}
    if not pooled.empty:
        for key, value in zip(pooled[by], pooled[measure], strict=True):
            values[entity_name(by, key, view.facts)] = value
    if ind.format == "usd":
        factor = view.currency.rate(view.as_of.year) if view.as_of else 1.0
        frame[["p05", "q1", "median", "q3", "p95"]] = (
            frame[["p05", "q1", "median", "q3", "p95"]] * factor
        )
        values = {k: (v * factor if v is not None else None) for k, v in values.items()}
    colours = series_colours(by, keys, view.facts) if by == "organisation" else {}
    fig = figures.boxes(
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
        highlight=highlighted(view) if by == "organisation" else None,
    )
    unit = f", {view.code}" if ind.format == "usd" else ", %" if ind.format == "pct" else ""
    return Chart(fig, ind.label, f"{ind.definition.rstrip('.')}{unit}", cap, (measure,))


def focus(filters: Filters, own: tuple[str, ...]) -> Filters:
    """The filters of the trend's coloured line: a member's `own` organisation within the
    filters when no place is chosen, else the filters themselves."""
    return replace(filters, organisation=own) if own else filters


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f, by = view.filters, view.state.by
    prior = datasource.comparison_date(view.as_of) if view.as_of else None
    own = highlighted(view) if not f.has_place else ()  # (a member's own, else none)
    # the page's queries at once; the calls below find their answers
    network = [
        lambda: datasource.distributions(f.network, ("",)),
        lambda: datasource.indicators(f.network),
        lambda: datasource.indicators(f.network, over_time=True),
    ]
    datasource.together(
        lambda: datasource.prefetch(f, [(None, False), (by, False)]),
        lambda: datasource.indicators(focus(f, own), over_time=True),
        lambda: now_and_then(view, prior),
        lambda: datasource.distributions(f, (by, "")),
        *(network if f.has_place else []),
    )
    total = first_row(datasource.indicators(f))
    cap = caption(view, total.get("groups"), total.get("projects"))
    # the pooled values and their change since the same quarter a year before, as the
    # overview's tiles
    now, before = now_and_then(view, prior)
    no_comparison = note(_("no comparison"))
    kpis = [
        replace(k, change=k.change or no_comparison)
        for k in headline_kpis(view, MEASURES, now, before, prior)
    ]
    spreads = datasource.distributions(f, (by, ""))
    dist, dist_all = spreads[by], spreads[""]
    network = total
    if f.has_place:  # the selection against every group the viewer may see
        dist_all = datasource.distributions(f.network, ("",))[""]
        network = first_row(datasource.indicators(f.network))
    pooled = datasource.indicators(f, by)
    # (a box with others' groups rests on many of them, moved: dashboard.disclosure)
    spread_note = _(disclosure.SPREAD_NOTE) if datasource.perturbed(f.network) else ""
    spread_cap = caption(view, total.get("groups"), total.get("projects"), spread_note)
    charts = [
        spread_chart(view, m, dist, pooled, dist_all, network, by, spread_cap) for m in MEASURES
    ]
    ratios = [m for m in MEASURES if BY_ID[m].format != "int"]
    every = view.every_point
    # Without a place chosen, a member's own organisation is the trend's focus, against the
    # network (as it stands out in the boxes); otherwise the selection's.
    trend, need = figures.steady(
        view.money(datasource.indicators(focus(f, own), over_time=True)), ratios, every=every
    )
    network_trend = None
    if f.has_place or own:  # the selection against the network
        network_trend, _need = figures.steady(
            view.money(datasource.indicators(f.network, over_time=True)), ratios, every=every
        )
    drawn = trend.dropna(subset=["savings_per_member_usd"]) if len(trend) else trend
    start = nice_date(drawn["as_of"].min()) if not drawn.empty else _("the start")
    panels = [
        (
            "savings_per_member_usd",
            _("Savings per member ({currency})").format(currency=view.code),
            "usd",
        ),
        ("annualised_return_on_assets", _("Annualised return on assets"), "pct"),
        ("portfolio_at_risk", _("Portfolio at risk"), "pct"),
        ("attendance_rate", _("Attendance"), "pct"),
    ]
    charts.append(
        Chart(
            figures.small_multiple_lines(
                trend,
                panels,
                view.code,
                network_trend,
                own[0] if own else subject_label(view),
                colour=organisation_colours().get(own[0]) if own else selection_colour(view),
            ),
            _("Performance over time"),
            (
                _("Pooled values at each quarter end since {start}; network in grey")
                if network_trend is not None
                else _("Pooled values at each quarter end since {start}")
            ).format(start=start),
            f"{cap} {figures.thin_note(need)}",
            tuple(p[0] for p in panels),
        )
    )
    return PageContent(_(NAME), kpis=kpis, charts=charts_by_id(PAGE, charts))


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "pf-by", "by")
