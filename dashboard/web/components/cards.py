"""Building blocks of the pages: chart cards, KPI tiles and help popovers.

A chart card has a title, a subtitle (definition and units), the graph inside a loading
indicator of fixed height (nothing jumps), and a caption (filters, as-of date, N groups and
the source). A page declares its cards once (dashboard/views/page_model.py); the renderer
(render.py) lays them out and fills them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from babel import Locale
from dash import Output, dcc, get_asset_url, html

from dashboard.core import i18n
from dashboard.core.format import na
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import BY_ID


def graph_config(filename: str = "chart") -> dict[str, Any]:
    return {
        "displaylogo": False,
        "responsive": True,
        # The map geometry is vendored: plotly.js would fetch it from a CDN otherwise.
        "topojsonURL": get_asset_url("topojson/"),
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        **i18n.plotly_config(),
    }


def help_button(target: str, title: str, body: str) -> html.Span:
    """A small "?" that shows a definition on hover, focus or tap."""
    return html.Span(
        [
            html.Button(
                "?",
                id=target,
                className="help-button",
                type="button",
                **{"aria-label": _("What is {title}?").format(title=title)},
            ),
            dbc.Popover(
                [dbc.PopoverHeader(title), dbc.PopoverBody(body)],
                target=target,
                trigger="hover focus",
                placement="auto",
            ),
        ]
    )


def indicator_help(target: str, indicator_id: str) -> html.Span:
    ind = BY_ID[indicator_id]
    return help_button(target, ind.label, ind.definition)


EXPORTS = (
    ("slide", N_("PNG for slides (1920 x 1080)")),
    ("print", N_("PNG for print (300 dpi)")),
    ("svg", N_("SVG for designers")),
    ("csv", N_("CSV of the numbers drawn")),
    ("xlsx", N_("Excel of the numbers drawn")),
)


def download_menu(items: Sequence[tuple[str, Any]], download_id: Any) -> html.Div:
    """A small "Export" menu: each item (label, component id) asks for one file, which
    arrives through the menu's dcc.Download. The labels are shown as given (translated)."""
    return html.Div(
        [
            dbc.DropdownMenu(
                [dbc.DropdownMenuItem(label, id=item_id) for label, item_id in items],
                label=_("Export"),
                size="sm",
                color="light",
                align_end=True,
                className="export-menu",
            ),
            dcc.Download(id=download_id),
        ]
    )


def export_menu(cid: str) -> html.Div:
    """Download this chart as a file: title, subtitle, caption and source inside; beside
    it, why a file did not come (the server busy: components/page_exports.py)."""
    menu = download_menu(
        [
            *((_(label), {"type": "export", "id": cid, "fmt": fmt}) for fmt, label in EXPORTS),
            # (the chart with the view the link shows now: pages/pack.py)
            (_("Add to board pack"), {"type": "pack-add", "id": cid}),
        ],
        {"type": "download", "id": cid},
    )
    menu.children.append(
        html.Span(id={"type": "export-notice", "id": cid}, className="export-notice", role="alert")
    )
    return menu


def chart_card(
    cid: str,
    height: int = 360,
    help_text: str | None = None,
    help_title: str | None = None,
    lg: int = 6,
    scroll: bool = False,
    wide: bool = False,
    only: str = "",
) -> dbc.Col:
    """A chart card; with `scroll`, the graph takes the figure's own height (one bar per
    project, say) inside a box of `height` pixels that scrolls. With `wide` (many panels side
    by side), a phone scrolls the chart sideways rather than squeezing it. `only` "wide" or
    "phone" shows the card on wider screens or on a phone alone. `help_text` and
    `help_title` are shown as given (translated); the title is "About this chart" by
    default."""
    head: list[Any] = [html.H2(id=f"{cid}-title", className="chart-title")]
    tools: list[Any] = [export_menu(cid)]
    if help_text:
        tools.append(help_button(f"{cid}-help", help_title or _("About this chart"), help_text))
    head.append(html.Div(tools, className="chart-tools"))
    return dbc.Col(
        html.Section(
            [
                html.Div(head, className="chart-head"),
                html.P(id=f"{cid}-subtitle", className="chart-subtitle"),
                dcc.Loading(
                    wide_frame(
                        dcc.Graph(
                            id={"type": "chart", "id": cid},
                            config=graph_config(cid),
                            style={"height": f"{height}px"},
                            className="chart-graph",
                        ),
                        className="chart-scroll"
                        if scroll
                        else "chart-box chart-wide"
                        if wide
                        else "chart-box",
                        # the graph's room kept from the start: its code and its figure
                        # arrive after the page, and nothing below jumps when they do
                        # (layout shift, issue 28); a scrolling box is sized to its
                        # figure by the page's answer (render.values)
                        style=scroll_box_style(height, height)
                        if scroll
                        else {"minHeight": f"{height}px"},
                        id=f"{cid}-box",
                        tabIndex="0" if scroll or wide else None,
                        wide=wide and not scroll,
                    ),
                    type="dot",
                    delay_show=200,
                    color="#0072B2",
                ),
                html.P(id=f"{cid}-caption", className="chart-caption"),
                # the chart in words, for screen readers (dashboard.analytics.summaries)
                html.P(id=f"{cid}-summary", className="visually-hidden"),
            ],
            className="chart-card",
            id=f"{cid}-card",
            **{"aria-labelledby": f"{cid}-title", "aria-describedby": f"{cid}-summary"},
        ),
        xs=12,
        lg=lg,
        className={"wide": "mb-4 d-none d-md-block", "phone": "mb-4 d-md-none"}.get(only, "mb-4"),
    )


def wide_frame(*children: Any, wide: bool = False, **props: Any) -> html.Div:
    """A chart's box; a `wide` one (many panels side by side, scrolled sideways on a phone)
    inside a frame that shows a fade and an arrow at the side with more to see
    (assets/50_scroll_cue.js marks which side that is)."""
    box = html.Div(list(children), **props)
    return html.Div(box, className="scroll-cue") if wide else box


def scroll_box_style(figure_height: int, height: int) -> dict[str, str]:
    """The style of a scrolling chart's box: at most `height` pixels, and as tall as its
    figure up to that, before the graph is drawn (so that nothing jumps when it is)."""
    return {"maxHeight": f"{height}px", "minHeight": f"{min(figure_height, height)}px"}


def chart_outputs(cids: Sequence[str], scroll: Sequence[str] = ()) -> list[Output]:
    """Outputs of chart cards: figure, title, subtitle, caption and summary (with the graph's
    style and its box's for the scrolling ones), in the order render.values fills them."""
    outs: list[Output] = []
    for cid in cids:
        outs += [
            Output({"type": "chart", "id": cid}, "figure"),
            Output(f"{cid}-title", "children"),
            Output(f"{cid}-subtitle", "children"),
            Output(f"{cid}-caption", "children"),
            Output(f"{cid}-summary", "children"),
        ]
        if cid in scroll:
            outs.append(Output({"type": "chart", "id": cid}, "style"))
            outs.append(Output(f"{cid}-box", "style"))
    return outs


def kpi_tile(indicator_id: str, prefix: str = "kpi", lg: int = 3) -> dbc.Col:
    """A KPI tile: label above, the number large, the change since the comparison date, and
    for a selection the network's value under it ("Network: USD 30.61")."""
    ind = BY_ID[indicator_id]
    return dbc.Col(
        dbc.Card(
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(ind.label, className="kpi-label"),
                            indicator_help(f"{prefix}-{indicator_id}-help", indicator_id),
                        ],
                        className="kpi-head",
                    ),
                    html.Div("…", id=f"{prefix}-{indicator_id}-value", className="kpi-value"),
                    html.Div("", id=f"{prefix}-{indicator_id}-change", className="kpi-change"),
                    # the network's value beside a selection's: its line kept (empty for the
                    # network itself) so that nothing moves when a filter brings it
                    html.Div(
                        "",
                        id=f"{prefix}-{indicator_id}-network",
                        className="kpi-network small text-secondary",
                        style={"minHeight": "1.5em"},
                    ),
                ],
                className="card-body",
                **{"data-indicator": indicator_id},
            ),
            className="kpi-tile h-100",
        ),
        xs=6,
        md=4,
        lg=lg,
    )


def kpi_row(tiles: list[dbc.Col]) -> dcc.Loading:
    """KPI tiles under one loading indicator: while new values are computed the old ones are
    hidden (their space kept), so no stale number is shown beside a new chart."""
    return dcc.Loading(
        dbc.Row(tiles, className="g-3 mb-3 kpi-row"),
        type="dot",
        delay_show=200,
        color="#0072B2",
    )


def kpi_outputs(ids: Sequence[str], prefix: str = "kpi") -> list[Output]:
    outs: list[Output] = []
    for i in ids:
        outs += [
            Output(f"{prefix}-{i}-value", "children"),
            Output(f"{prefix}-{i}-change", "children"),
            Output(f"{prefix}-{i}-network", "children"),
        ]
    return outs


D3_FORMATS = {"int": ",.0f", "pct": ".1%", "usd": ",.2f", "decimal": ",.1f"}


def _d3_locale() -> str:
    """d3's number formatting in the language's separators (1.234,5 in Danish)."""
    if i18n.babel_locale() == "en":
        return "d3"
    symbols = Locale.parse(i18n.babel_locale()).number_symbols["latn"]
    spec = {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", ""],
        "percent": "\u00a0%",
    }
    return f"d3.formatLocale({json.dumps(spec)})"


def grid_column(field: str, header: str, kind: str | None = None, **extra: Any) -> dict[str, Any]:
    """An AG Grid column; numbers formatted for reading, n/a for undefined values."""
    col: dict[str, Any] = {"field": field, "headerName": header, **extra}
    if kind:
        fmt = D3_FORMATS[kind]
        col["valueFormatter"] = {
            # (n/a as a JavaScript string: JSON's is one; AG Grid reads the expression, in
            # the layout's JSON, not in a <script> element)
            "function": f"params.value == null ? {json.dumps(na(), ensure_ascii=False)} : "
            f"{_d3_locale()}.format('{fmt}')(params.value)"
        }
        col["type"] = "numericColumn"
        col["filter"] = "agNumberColumnFilter"
    return col


def grid_words() -> dict[str, str]:
    """The words AG Grid draws itself (its column filters, its empty grid), in the language
    in force (AG Grid's localeText keys)."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    return {
        "noRowsToShow": _("No rows to show"),
        "loadingOoo": _("Loading…"),
        "filterOoo": _("Filter…"),
        "equals": _("Equals"),
        "notEqual": _("Does not equal"),
        "blank": _("Blank"),
        "notBlank": _("Not blank"),
        "empty": _("Choose one"),
        "lessThan": _("Less than"),
        "greaterThan": _("Greater than"),
        "lessThanOrEqual": _("Less than or equal to"),
        "greaterThanOrEqual": _("Greater than or equal to"),
        "inRange": _("Between"),
        "inRangeStart": _("From"),
        "inRangeEnd": _("To"),
        "contains": _("Contains"),
        "notContains": _("Does not contain"),
        "startsWith": _("Begins with"),
        "endsWith": _("Ends with"),
        "andCondition": _("AND"),
        "orCondition": _("OR"),
        "applyFilter": _("Apply"),
        "resetFilter": _("Reset"),
        "clearFilter": _("Clear"),
        "cancelFilter": _("Cancel"),
        "ariaFilterInput": _("Filter input"),
        "ariaFilteringOperator": _("Filtering operator"),
        "ariaColumnFiltering": _("Column filtering"),
        "ariaFilterValue": _("Filter value"),
        "ariaSortableColumn": _("Press Enter to sort"),
        "ariaMenuColumn": _("Press Alt+Down to open the column menu"),
    }


def data_grid(grid_id: str, height: int = 420, fit: bool = True, empty: str = "") -> Any:
    """A sortable, filterable table; `fit` sizes the columns to the width available; `empty`
    is what it says when it has no rows (instead of the grid's "No Rows To Show")."""
    options: dict[str, Any] = {
        "animateRows": False,
        "tooltipShowDelay": 300,
        "localeText": grid_words() | ({"noRowsToShow": empty} if empty else {}),
    }
    grid = dag.AgGrid(
        columnSize="responsiveSizeToFit" if fit else None,
        id=grid_id,
        rowData=[],
        columnDefs=[],
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "minWidth": 110,
            "width": 140,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        style={"height": f"{height}px", "width": "100%"},
    )
    # the grid's room kept until its code has arrived (layout shift, issue 28)
    return html.Div(grid, className="grid-slot", style={"minHeight": f"{height}px"})
