"""Tables as files: an "Export" menu beside a table (CSV or Excel of exactly what the table
shows) and the callback that builds the file on the server from the link, as the page
does (nothing the browser sends but the view's query string)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.core.i18n import N_, _
from dashboard.exports import tables
from dashboard.web.components.cards import D3_FORMATS, download_menu

TABLE_EXPORTS = (
    ("csv", N_("CSV of this table")),
    ("xlsx", N_("Excel of this table, with the filters and definitions")),
)


def table_export_menu(table_id: str) -> html.Div:
    return download_menu(
        [
            (_(label), {"type": "table-export", "id": table_id, "fmt": fmt})
            for fmt, label in TABLE_EXPORTS
        ],
        f"{table_id}-download",
    )


def table_card(table_id: str, title: str, subtitle: str) -> html.Section:
    """A card holding a table a callback fills (`{table_id}.children`), with its title, its
    Export menu (register_table_export) and a subtitle (`{table_id}-subtitle`: a callback
    may write it too)."""
    return html.Section(
        [
            html.Div(
                [html.H2(title, className="chart-title"), table_export_menu(table_id)],
                className="chart-head",
            ),
            html.P(subtitle, className="chart-subtitle", id=f"{table_id}-subtitle"),
            dcc.Loading(
                # (a table wider than a phone scrolls sideways: a fade and an arrow say so,
                # assets/50_scroll_cue.js)
                html.Div(
                    html.Div(id=table_id, className="table-responsive"),
                    className="scroll-cue table-cue",
                ),
                type="dot",
                delay_show=200,
            ),
        ],
        className="chart-card mb-4",
    )


def grid_kind(column: dict[str, Any]) -> str:
    """The kind of a grid column made by cards.grid_column (from its number format)."""
    formatter = (column.get("valueFormatter") or {}).get("function", "")
    for kind, fmt in D3_FORMATS.items():
        if f"'{fmt}'" in formatter:
            return kind
    return ""


def grid_table(
    title: str,
    subtitle: str,
    caption: str,
    column_defs: Sequence[dict[str, Any]],
    row_data: Sequence[dict[str, Any]],
) -> tables.Table:
    """An AG Grid's columns and rows as an exportable table (same headers, raw values)."""
    columns = [(c["field"], c.get("headerName", c["field"]), grid_kind(c)) for c in column_defs]
    return tables.Table(title, subtitle, caption, columns, list(row_data))


def register_table_export(
    app: Dash, table_id: str, make: Callable[[str | None], tables.Table]
) -> None:
    """`make(search)` builds the table for the link; the menu's items download it."""
    from dashboard.views.view import exchange_rate, export_about, export_name, read_view

    @app.callback(
        Output(f"{table_id}-download", "data"),
        Input({"type": "table-export", "id": table_id, "fmt": ALL}, "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def export_table(clicks: list[int | None], search: str | None) -> Any:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            return no_update
        fmt = trigger["fmt"]
        if fmt not in dict(TABLE_EXPORTS):
            raise BadRequest(f"No export format {fmt!r}.")
        view = read_view(search)
        table = make(search)
        name = export_name(view, table.title, fmt)
        if fmt == "csv":
            return dcc.send_bytes(tables.table_csv(table, [exchange_rate(view)]), name)
        return dcc.send_bytes(tables.table_workbook(table, export_about(view)), name)
