"""/pack: the board pack, charts chosen across pages ("Add to board pack" in a chart's Export
menu), in order, each drawn as on its page for the view it was added with and the viewer.
The link is the pack (dashboard/exports/pack.py: ids and filters, never data): reordering,
removing a chart and editing a slide's title write a new link; the deck, the workbook and
the PDF are made on the server from the link, as every export."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard.core.i18n import N_, _
from dashboard.exports import heavy, pack, renderer
from dashboard.exports.report.pdf import PdfError

PATH = pack.PATH
NAME = N_("Board pack")
ORDER = 99
MAKING = N_("Making the file…")
NOT_MADE = N_("The file could not be made just now; please try again.")
EMPTY = N_(
    "The pack is empty. Add charts with “Add to board pack” in a chart's Export menu, on any "
    "page and with any filters; they are drawn here in the order added."
)
FILES = {"pk-pptx": "pptx", "pk-xlsx": "xlsx", "pk-pdf": "pdf"}


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Board pack"), className="page-title"),
            html.P(
                _(
                    "Charts chosen across the pages, each with the view it was added with. "
                    "Edit a slide's title, move or remove a chart, then download the pack. "
                    "The link holds the whole pack: save it or send it to a colleague, who "
                    "sees what their own access allows."
                ),
                className="page-lead",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("The pack's title"), html_for="pk-title"),
                            dbc.Input(id="pk-title", debounce=True, maxLength=pack.MAX_TITLE),
                            dbc.Checklist(
                                id="pk-kpis",
                                options=[
                                    {
                                        "label": _(
                                            "A slide of the key figures, with the network's "
                                            "beside them"
                                        ),
                                        "value": "kpis",
                                    }
                                ],
                                value=[],
                                className="mt-2",
                            ),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Button(_("PowerPoint"), id="pk-pptx", className="me-2"),
                                dbc.Button(_("Excel"), id="pk-xlsx", className="me-2"),
                                dbc.Button(_("PDF"), id="pk-pdf"),
                                html.Span(id="pk-status", className="ms-2 small", role="status"),
                                dcc.Interval(id="pk-tick", interval=1000, disabled=True),
                                dcc.Download(id="pk-download"),
                            ],
                            className="pk-downloads",
                        ),
                        md=6,
                        className="d-flex align-items-end mt-2 mt-md-0",
                    ),
                ],
                className="mb-3",
            ),
            html.Div(id="pk-notices"),
            html.Ol(id="pk-cards", className="pk-cards list-unstyled"),
        ]
    )


def card(i: int, drawn: pack.Resolved, last: int) -> html.Li:
    """An item's card: its slide title (editable; the finding by default), the chart's own
    title, the chart as on its page, and the buttons that move or remove it."""
    meta = drawn.meta
    own = " · ".join(str(meta.get(k) or "") for k in ("title", "subtitle") if meta.get(k))
    tools = [
        dbc.Button("↑", id={"type": "pk-up", "index": i}, disabled=i == 0, size="sm",
                   color="secondary", outline=True, title=_("Move up")),
        dbc.Button("↓", id={"type": "pk-down", "index": i}, disabled=i == last, size="sm",
                   color="secondary", outline=True, title=_("Move down")),
        dbc.Button(_("Remove"), id={"type": "pk-remove", "index": i}, size="sm",
                   color="secondary", outline=True),
    ]  # fmt: skip
    return html.Li(
        [
            html.Div(
                [
                    html.Span(f"{i + 1}", className="pk-number"),
                    # (the input inside its label: named for a screen reader)
                    html.Label(
                        [
                            html.Span(
                                _("Slide {n}: its title").format(n=i + 1),
                                className="visually-hidden",
                            ),
                            dbc.Input(
                                id={"type": "pk-item-title", "index": i},
                                value=drawn.title,
                                debounce=True,
                                maxLength=pack.MAX_TITLE,
                                className="pk-item-title",
                            ),
                        ],
                        className="pk-title-label",
                    ),
                    html.Div(tools, className="pk-tools"),
                ],
                className="pk-head",
            ),
            html.P(own, className="pk-chart-title small text-secondary mb-1"),
            dcc.Graph(
                figure=drawn.figure,
                config={"displayModeBar": False, "responsive": True},
                style={"height": "360px"},
            ),
            html.P(drawn.chart.caption, className="small text-secondary mb-0"),
        ],
        className="chart-card pk-card mb-3",
        id={"type": "pk-card", "index": i},
    )


def register(app: Dash, pages: Sequence[ModuleType]) -> None:
    """The pack's callbacks; `pages`, the pages whose charts a pack may hold (the server's)."""
    known = pack.index(pages)

    @app.callback(
        Output("pk-cards", "children"),
        Output("pk-notices", "children"),
        Output("pk-title", "value"),
        Output("pk-kpis", "value"),
        Input("url", "search"),
        State("url", "pathname"),
        State("pk-title", "value"),
        State("pk-kpis", "value"),
    )
    def show(search: str | None, pathname: str | None, shown_title: Any, shown_kpis: Any) -> Any:
        """The link's pack: a card per chart, drawn for the viewer. The pack's title and its
        key-figures box are set only where the link says otherwise than they do (a box
        ticked while the cards are drawn stays ticked)."""
        if (pathname or "").rstrip("/") != PATH:
            return no_update, no_update, no_update, no_update
        read = pack.parse(search, known)
        notices = [dbc.Alert(n, color="warning", className="small py-2") for n in read.notices]
        kpis: Any = ["kpis"] if read.kpis else []
        kpis = no_update if kpis == (shown_kpis or []) else kpis
        title: Any = no_update if read.title == (shown_title or "") else read.title
        if not read.items:
            return html.P(_(EMPTY), className="text-secondary"), notices, title, kpis
        drawn = pack.resolve(read, pages)
        cards = [card(i, d, len(drawn) - 1) for i, d in enumerate(drawn)]
        return cards, notices, title, kpis

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input({"type": "pk-up", "index": ALL}, "n_clicks"),
        Input({"type": "pk-down", "index": ALL}, "n_clicks"),
        Input({"type": "pk-remove", "index": ALL}, "n_clicks"),
        Input({"type": "pk-item-title", "index": ALL}, "value"),
        # (a title is edited when its input is left or Enter is pressed in it: a card drawn
        # anew sets only its value)
        Input({"type": "pk-item-title", "index": ALL}, "n_blur"),
        Input({"type": "pk-item-title", "index": ALL}, "n_submit"),
        Input("pk-title", "value"),
        Input("pk-kpis", "value"),
        State("url", "search"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def edit(
        _up: Any, _down: Any, _remove: Any, titles: list[str | None], _left: Any, _entered: Any,
        title: str | None, kpis: list[str] | None, search: str | None, pathname: str | None,
    ) -> Any:  # fmt: skip
        """Move, remove or retitle a chart, retitle the pack or ask for the key figures: a
        new link. Every change that fired is applied (a title's input, committed as the
        pointer leaves it for the checkbox, fires with the checkbox)."""
        if (pathname or "").rstrip("/") != PATH or not ctx.triggered:
            return no_update
        read = pack.parse(search, known)
        new = replace(read, notices=())
        items: list[pack.Item | None] = list(read.items)
        pressed = {t["prop_id"]: t.get("value") for t in ctx.triggered}
        for prop, ident in ctx.triggered_prop_ids.items():
            if ident == "pk-title":
                new = replace(new, title=pack.clean_title(title or "", [], ""))
            elif ident == "pk-kpis":
                new = replace(new, kpis="kpis" in (kpis or []))
            elif isinstance(ident, dict) and 0 <= int(ident.get("index", -1)) < len(read.items):
                i, kind = int(ident["index"]), ident["type"]
                item = items[i]
                if kind == "pk-item-title":
                    committed = prop.endswith((".n_blur", ".n_submit")) and pressed.get(prop)
                    if committed and item is not None and i < len(titles):
                        items[i] = replace(item, title=pack.clean_title(titles[i] or "", [], ""))
                elif not pressed.get(prop):
                    continue  # (buttons drawn with the cards: not a press)
                elif kind == "pk-remove":
                    items[i] = None
                elif kind == "pk-up" and i > 0:
                    items[i - 1], items[i] = items[i], items[i - 1]
                elif kind == "pk-down" and i < len(items) - 1:
                    items[i + 1], items[i] = items[i], items[i + 1]
        new = replace(new, items=tuple(item for item in items if item is not None))
        if new == replace(read, notices=()):
            return no_update  # (nothing changed: the link stays as written)
        written = pack.link(new) or "?"  # (an emptied pack: "?", so the browser's empties too)
        return no_update if written == (search or "") else written

    @app.callback(
        Output("pk-status", "children", allow_duplicate=True),
        Input("pk-tick", "n_intervals"),
        prevent_initial_call=True,
    )
    def progress(_ticks: int | None) -> str:
        """While a file is made: waiting for how many others, or being made."""
        return heavy.progress_words(_(MAKING))

    @app.callback(
        Output("pk-download", "data"),
        Output("pk-status", "children"),
        Input("pk-pptx", "n_clicks"),
        Input("pk-xlsx", "n_clicks"),
        Input("pk-pdf", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
        running=[
            (Output("pk-pptx", "disabled"), True, False),
            (Output("pk-xlsx", "disabled"), True, False),
            (Output("pk-pdf", "disabled"), True, False),
            (Output("pk-tick", "disabled"), False, True),
        ],
    )
    def download(_p: Any, _x: Any, _d: Any, search: str | None) -> Any:
        """The pack's deck, workbook or PDF, made on the server from the link."""
        extension = FILES.get(str(ctx.triggered_id))
        read = pack.parse(search, known)
        if extension is None or not read.items:
            return no_update, ""
        make = {"pptx": pack.pptx_bytes, "xlsx": pack.xlsx_bytes, "pdf": pack.pdf_bytes}
        try:
            data = make[extension](read, pages)
        except heavy.Busy as exc:
            return no_update, str(exc)
        except (renderer.RenderError, PdfError):
            logging.getLogger(__name__).exception("The pack's %s failed", extension)
            return no_update, _(NOT_MADE)
        return dcc.send_bytes(data, pack.file_name(read, extension)), ""

    # "Add to board pack" in a chart's Export menu, and the header's counter and link: the
    # browser keeps the pack being built (assets/15_clientside.js); an opened pack link
    # becomes it
    app.clientside_callback(
        ClientsideFunction("pack", "add"),
        Output("pack-store", "data"),
        Input({"type": "pack-add", "id": ALL}, "n_clicks"),
        State("url", "search"),
        State("pack-store", "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("pack", "fromLink"),
        Output("pack-store", "data", allow_duplicate=True),
        Input("url", "search"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("pack", "counter"),
        Output("pack-count", "children"),
        Output("pack-link", "href"),
        Input("pack-store", "data"),
        Input("url", "search"),
    )
