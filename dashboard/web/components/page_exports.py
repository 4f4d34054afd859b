"""The frame's downloads: a chart as a file (PNG, SVG, CSV, Excel) and a page as a deck or a
workbook. Each is built on the server from the page's own content for the link
(dashboard/views/page_model.py; the chart's id and the link are all a request gives)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.core import naming
from dashboard.core.i18n import N_, _
from dashboard.exports import deck, framing, heavy, renderer, tables
from dashboard.views.view import (
    exchange_rate,
    export_about,
    export_name,
    read_view,
)
from dashboard.web.components.cards import EXPORTS

PAGE_EXPORT_LABEL = N_("Download page")


def page_export_menu() -> dbc.DropdownMenu:
    """The whole page as a file: a PowerPoint deck or an Excel workbook."""
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(
                _("PowerPoint: a slide per chart, KPIs as a table, definitions in the notes"),
                id="page-pptx",
            ),
            dbc.DropdownMenuItem(
                _("Excel: a sheet per chart with the numbers drawn, filters and definitions"),
                id="page-xlsx",
            ),
        ],
        id="page-export",
        label=_(PAGE_EXPORT_LABEL),
        size="sm",
        color="light",
        align_end=True,
        className="page-export",
    )


MAKING = N_("Making the file: a deck takes 10 to 20 seconds…")
NOT_MADE = N_("The file could not be made just now; please try again.")


def page_export_status() -> html.Span:
    """Words beside the menu while a file is made (a deck takes 10 to 20 seconds; a spinner
    alone looked stuck), shown by the stylesheet while the menu is busy and kept up to date
    (waiting for other files, then being made) by a tick while it is; and a notice when a
    file could not be made (the server busy: dashboard/exports/heavy.py). Written here so that they
    are in the page's language."""
    return html.Span(
        [
            html.Span(
                _(MAKING), id="page-export-progress", className="page-export-busy", role="status"
            ),
            html.Span(id="page-export-notice", className="page-export-notice", role="alert"),
            dcc.Interval(id="page-export-tick", interval=1000, disabled=True),
        ],
        id="page-export-status",
        className="page-export-status",
    )


def notice(text: str) -> html.Span:
    """Why a file did not come, in words beside the menu that asked for it."""
    return html.Span(text, className="export-notice-text")


def register_export_callback(app: Dash, modules: Sequence[ModuleType]) -> None:
    def page_of(chart: Any) -> ModuleType | None:
        """The page that draws a chart, from its declarations (deck.charts_of: a page's
        `PAGE`, or the SDG page's `CHARTS`), looked up when asked: the themes and SDG pages'
        charts are fixed when their callbacks are registered."""
        for module in modules:
            if chart in deck.chart_ids(module):
                return module
        return None

    @app.callback(
        Output({"type": "download", "id": MATCH}, "data"),
        Output({"type": "export-notice", "id": MATCH}, "children"),
        Input({"type": "export", "id": MATCH, "fmt": ALL}, "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def export_chart(clicks: list[int | None], search: str | None) -> Any:
        """One chart as a file, its title, caption and source inside (exports.py). The
        figure is the page's own, built on the server for the link (the chart's id and the
        link are all the request gives): nothing the browser sends is drawn or written."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            return no_update, no_update
        fmt = trigger.get("fmt")
        module = page_of(trigger.get("id"))
        if module is None or fmt not in dict(EXPORTS):
            raise BadRequest("No such chart or export format.")
        if fmt in ("csv", "xlsx"):  # the numbers alone: light work
            return _chart_file(module, trigger["id"], fmt, search), ""
        try:
            with heavy.job():  # an image: bounded per host and per client
                return _chart_file(module, trigger["id"], fmt, search), ""
        except heavy.Busy as exc:
            return no_update, notice(str(exc))
        except renderer.RenderError:
            logging.getLogger(__name__).exception("Chart export failed: %s", trigger["id"])
            return no_update, notice(_(NOT_MADE))


def _chart_file(module: ModuleType, chart: str, fmt: str, search: str | None) -> Any:
    """One chart of a page as a file (its page's own figure for the link), or no_update if
    the view does not draw it."""
    figure = deck.page_content(module, search).figures.get(chart)
    if figure is None:  # not drawn for this view
        return no_update
    view = read_view(search)
    meta = figure.layout.meta or {}
    extension = {"slide": "png", "print": "png"}.get(fmt, fmt)  # svg, csv, xlsx
    suffix = "-print" if fmt == "print" else ""
    name = export_name(view, meta.get("title", "chart") + suffix, extension)
    if fmt == "csv":
        return dcc.send_bytes(tables.csv_bytes(figure, [exchange_rate(view)]), name)
    if fmt == "xlsx":
        plain = figure.to_plotly_json()
        return dcc.send_bytes(tables.workbook_bytes([plain], export_about(view)), name)
    data = framing.image(figure, extension, renderer.SIZES[fmt])
    if extension == "svg":
        data = renderer.svg_with_font(data)
    return dcc.send_bytes(data, name)


def register_page_export_callback(app: Dash, modules: Sequence[ModuleType]) -> None:
    by_path = {m.PATH: m for m in modules if deck.has_content(m)}

    @app.callback(
        Output("page-export", "style"),
        Input("url", "pathname"),
    )
    def show_page_export(pathname: str | None) -> dict[str, str]:
        """Pages without charts (the data table, the glossary) have their own downloads."""
        path = (pathname or "/").rstrip("/") or "/"
        return {} if path in by_path else {"display": "none"}

    @app.callback(
        Output("page-export-progress", "children"),
        Input("page-export-tick", "n_intervals"),
        prevent_initial_call=True,
    )
    def export_progress(_ticks: int | None) -> str:
        """While a file is made: waiting for how many others, or being made."""
        return heavy.progress_words(_(MAKING))

    @app.callback(
        Output("page-download", "data"),
        Output("page-export-notice", "children"),
        Input("page-xlsx", "n_clicks"),
        Input("page-pptx", "n_clicks"),
        State("url", "search"),
        State("url", "pathname"),
        prevent_initial_call=True,
        running=[
            # (words here would be fixed, in English, when the callback is registered: the
            # menu shows that it is working with a spinner, and the words beside it, in the
            # page's language, are shown and kept up to date by a tick)
            (Output("page-export", "disabled"), True, False),
            (Output("page-export", "className"), "page-export is-busy", "page-export"),
            (
                Output("page-export-status", "className"),
                "page-export-status is-busy",
                "page-export-status",
            ),
            (Output("page-export-tick", "disabled"), False, True),
        ],
    )
    def export_page(
        _xlsx: int | None,
        _pptx: int | None,
        search: str | None,
        pathname: str | None,
    ) -> Any:
        """The page as a PowerPoint deck or an Excel workbook (a sheet per chart: the
        numbers drawn), both built on the server from the link, one of a few heavy jobs at
        once (dashboard/exports/heavy.py); a file that cannot be made now is said beside the
        menu."""
        path = (pathname or "/").rstrip("/") or "/"
        module = by_path.get(path)
        if module is None:
            return no_update, no_update
        try:
            with heavy.job():
                return _page_file(module, path, search, ctx.triggered_id == "page-pptx"), ""
        except heavy.Busy as exc:
            return no_update, notice(str(exc))
        except renderer.RenderError:
            logging.getLogger(__name__).exception("Deck export failed: %s", path)
            return no_update, notice(_(NOT_MADE))


def _page_file(module: ModuleType, path: str, search: str | None, pptx: bool) -> Any:
    """A page's deck (`pptx`) or workbook for the link, or no_update if it has no chart."""
    view = read_view(search)
    stem = path.strip("/") or "overview"
    content = deck.file_content(module, search)
    if pptx:
        about = export_about(view, naming.site_url() + path)  # (never the Host as sent)
        network = deck.network_values(search, [k.indicator for k in content.kpis])
        data = deck.pptx_bytes(content, about, view.as_of, network=network)
        return dcc.send_bytes(data, export_name(view, stem, "pptx"))
    drawn = [f.to_plotly_json() for f in content.figures.values() if f.layout.meta]
    if not drawn:
        return no_update
    return dcc.send_bytes(
        tables.workbook_bytes(drawn, export_about(view)), export_name(view, stem, "xlsx")
    )
