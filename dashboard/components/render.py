"""The one renderer of the page model (dashboard/page_model.py): a page's spec becomes its
chart cards and its callback's outputs, and a `PageContent` becomes the values of those
outputs. The deck and the exports read the `PageContent` itself."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from dashboard.components.cards import chart_card, chart_outputs, kpi_outputs, kpi_tile
from dashboard.i18n import _
from dashboard.page_model import Change, ChartSpec, Kpi, PageContent, PageSpec


def card(spec: ChartSpec) -> dbc.Col:
    """The card of a chart spec (its help in the language in force)."""
    help_ = spec.help() if callable(spec.help) else _(spec.help) if spec.help else ""
    return chart_card(
        spec.id,
        height=spec.height,
        help_text=help_ or None,
        lg=spec.lg,
        scroll=spec.scroll,
        wide=spec.wide,
        only=spec.only,
    )


def cards(spec: PageSpec) -> list[dbc.Col]:
    return [card(c) for c in spec.charts]


def tiles(spec: PageSpec, lg: int = 3) -> list[dbc.Col]:
    return [kpi_tile(i, prefix=spec.kpi_prefix, lg=lg) for i in spec.kpis]


def change_view(change: Change | None) -> Any:
    """A KPI's note as shown: an arrow and the change, coloured by its tone; a note muted."""
    if change is None:
        return ""
    if change.tone == "note":
        return html.Span(change.text, className="text-secondary")
    if not change.compared:
        return change.text
    if change.sign == 0:
        return html.Span(change.text, className=f"kpi-{change.tone}")
    return html.Span(
        [
            html.Span("▲" if change.sign > 0 else "▼", **{"aria-hidden": "true"}),
            " " + change.text,
        ],
        className=f"kpi-{change.tone}",
        title=change.title or None,
    )


def kpi_value(kpi: Kpi) -> Any:
    if kpi.suppressed:
        return html.Span(kpi.value, className="kpi-suppressed")
    return kpi.value


def outputs(spec: PageSpec) -> list[Output]:
    """The page callback's outputs: heading, lead, KPI tiles, chart cards, then the parts."""
    outs: list[Output] = []
    if spec.heading:
        outs.append(Output(spec.heading, "children"))
    if spec.lead:
        outs.append(Output(spec.lead, "children"))
    outs += kpi_outputs(spec.kpis, prefix=spec.kpi_prefix)
    outs += chart_outputs(spec.chart_ids, scroll=[c.id for c in spec.charts if c.scroll])
    outs += [Output(cid, prop) for cid, prop in spec.parts]
    return outs


def values(spec: PageSpec, content: PageContent) -> list[Any]:
    """The values of `outputs(spec)` for a page's content, in the same order."""
    out: list[Any] = []
    if spec.heading:
        out.append(content.heading)
    if spec.lead:
        out.append(content.lead)
    kpis = {k.indicator: k for k in content.kpis}
    for indicator in spec.kpis:
        kpi = kpis.get(indicator)
        if kpi is None:
            out += ["", ""]
            continue
        below = change_view(kpi.change)
        if kpi.note:
            below = [below, html.Div(kpi.note, className="kpi-note")]
        out += [kpi_value(kpi), below]
    for chart_spec in spec.charts:
        chart = content.charts[chart_spec.id]  # a build fills every chart it declares
        meta = chart.figure.layout.meta
        out += [chart.figure, chart.title, chart.subtitle, chart.caption, meta["summary"]]
        if chart_spec.scroll:
            out.append({"height": f"{chart.figure.layout.height or 360}px"})
    out += [content.parts[f"{cid}.{prop}"] for cid, prop in spec.parts]
    return out


def register(app: Dash, page: ModuleType) -> None:
    """A page's callback: the link in, every output of its spec (`page.PAGE`) filled from
    what `page.build` returns for it (looked up at each call)."""
    spec: PageSpec = page.PAGE

    @app.callback(*outputs(spec), Input("url", "search"))
    def update(search: str | None) -> list[Any]:
        return values(spec, page.build(search))
