"""The one renderer of the page model (dashboard/views/page_model.py): a page's spec becomes its
chart cards and its callback's outputs, and a `PageContent` becomes the values of those
outputs. The deck and the exports read the `PageContent` itself.

A page opened from a link is drawn in one answer: its layout comes already filled with the
view of the link (`filled`), so its callback is not called for it; the callback answers a
change of the link once the page is there (a filter, back and forward). Waiting for the
layout to be drawn before asking for its content cost about 0.2 s on every link (issue 20)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html, no_update
from dash.development.base_component import Component

from dashboard.core.i18n import _
from dashboard.views.page_model import Change, ChartSpec, Kpi, PageContent, PageSpec, unavailable
from dashboard.web import responses
from dashboard.web.components.cards import (
    chart_card,
    chart_outputs,
    kpi_outputs,
    kpi_tile,
    scroll_box_style,
)

log = logging.getLogger(__name__)


def card(spec: ChartSpec) -> dbc.Col:
    """The card of a chart's declaration (its help in the language in force)."""
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


def network_line(kpi: Kpi) -> str:
    """The network's value under a selection's ("Network: USD 30.61"); "" for the network."""
    return _("Network: {value}").format(value=kpi.network) if kpi.network else ""


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
            out += ["", "", ""]
            continue
        below = change_view(kpi.change)
        if kpi.note:
            below = [below, html.Div(kpi.note, className="kpi-note")]
        out += [kpi_value(kpi), below, network_line(kpi)]
    unknown = [cid for cid in content.charts if cid not in spec.chart_ids]
    if unknown:  # (a chart drawn for a card the page has not)
        raise KeyError(f"Charts not declared by the page: {unknown}")
    for chart_spec in spec.charts:
        chart = content.charts[chart_spec.id]  # a build fills every chart it declares
        if chart.id and chart.id != chart_spec.id:
            raise ValueError(f"The chart drawn from {chart.id!r} is under {chart_spec.id!r}")
        meta = chart.figure.layout.meta
        out += [chart.figure, chart.title, chart.subtitle, chart.caption, meta["summary"]]
        if chart_spec.scroll:
            figure_height = int(chart.figure.layout.height or 360)
            out.append({"height": f"{figure_height}px"})
            out.append(scroll_box_style(figure_height, chart_spec.height))
    out += [content.parts[f"{cid}.{prop}"] for cid, prop in spec.parts]
    return out


def _key(component_id: Any) -> str:
    """A component id as a key: a text as it is, a dict id as its sorted JSON."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True)
    return str(component_id)


def fill(layout: Component, props: Mapping[tuple[str, str], Any], every: bool = True) -> None:
    """Set, in `layout`, each (component id key, property) of `props` to its value. With
    `every`, each must be found (a page's spec names only what its layout holds)."""
    left = dict(props)
    for component in (layout, *layout._traverse()):
        if not isinstance(component, Component):
            continue
        cid = getattr(component, "id", None)
        if cid is None:
            continue
        key = _key(cid)
        for (wanted, prop), value in list(left.items()):
            if wanted == key:
                setattr(component, prop, value)
                del left[(wanted, prop)]
    if left and every:
        raise LookupError(f"Not in the page's layout: {sorted(left)}")


def filled(layout: Component, page: ModuleType, search: str | None) -> Component:
    """The page's layout holding the view of `search`: every output of the page's callback
    set as the callback would set it."""
    spec: PageSpec = page.PAGE
    props = {
        (_key(out.component_id), out.component_property): value
        for out, value in zip(outputs(spec), values(spec, page.build(search)), strict=True)
    }
    fill(layout, props)
    return layout


def register(app: Dash, page: ModuleType) -> None:
    """A page's callback: the link in, every output of its spec (`page.PAGE`) filled from
    what `page.build` returns for it (looked up at each call). Not called when the page is
    drawn: its layout comes filled (`filled`)."""
    spec: PageSpec = page.PAGE

    @app.callback(*outputs(spec), Input("url", "search"), prevent_initial_call=True)
    def update(search: str | None) -> list[Any]:
        return values(spec, content(page, search))


def content(page: ModuleType, search: str | None) -> PageContent:
    """What the page's callback shows for the link: its `build`; if that fails (a fault of
    ours: the details in the log), each of its charts saying in its card that it could not
    be drawn and each tile n/a (the router's answer says it in an alert instead:
    server._page_layout), not kept as the link's view."""
    try:
        return page.build(search)
    except Exception:
        log.exception("The page %s could not be drawn for %r", page.PATH, search)
        responses.dont_keep()
        return unavailable(page.PAGE, page.NAME, no_update)
