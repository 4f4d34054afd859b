"""/data: the indicator table for a chosen breakdown (sort, filter, download as CSV or
Excel), data quality per project, and where the data came from (imports)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from dashboard.analytics import datasource
from dashboard.analytics.engine import export_columns, network_ids, rows_to_csv
from dashboard.core.format import number
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import INDICATORS, display_label, every, network_indicators
from dashboard.core.spreadsheet import defuse
from dashboard.core.urlstate import TABLE_BY
from dashboard.exports import tables
from dashboard.views.view import SOURCE, View, caption, entity_name, first_row, read_view
from dashboard.web.components.cards import data_grid, grid_column
from dashboard.web.components.controls import button_group, register_url_param
from dashboard.web.components.tables import grid_table, register_table_export, table_export_menu

PATH = "/data"
NAME = N_("Data")
ORDER = 8
TABLE_LABELS = {
    "organisation": N_("Organisation"),
    "country": N_("Country"),
    "project": N_("Project"),
    "trained_by": N_("Trained by"),
    "setting": N_("Setting"),
    "quarter": N_("Quarter"),
}


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Data"), className="page-title"),
            html.P(
                _(
                    "Every indicator for the filters, broken down as you choose; the quality "
                    "of each project's data; and the imports the pool was built from."
                ),
                className="page-lead",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(_("Indicator table"), className="chart-title me-3"),
                            button_group(
                                "data-by",
                                [{"label": _(TABLE_LABELS[b]), "value": b} for b in TABLE_BY],
                                "organisation",
                            ),
                        ],
                        className="d-flex flex-wrap align-items-center gap-2 mb-2",
                    ),
                    html.P(id="data-table-subtitle", className="chart-subtitle"),
                    dcc.Loading(
                        data_grid("data-table", height=460, fit=False),
                        type="dot",
                        delay_show=200,
                    ),
                    html.Div(
                        [
                            dbc.Button(
                                _("Download CSV"),
                                id="data-csv",
                                color="primary",
                                size="sm",
                                className="me-2",
                            ),
                            dbc.Button(
                                _("Download Excel"),
                                id="data-xlsx",
                                color="secondary",
                                outline=True,
                                size="sm",
                            ),
                            html.Span(
                                " "
                                + _(
                                    "Downloads hold the values unrounded, in USD, with the "
                                    "indicator ids as columns, in the format of `vsla indicators`."
                                ),
                                className="small text-secondary ms-2",
                            ),
                            dcc.Download(id="data-download"),
                        ],
                        className="mt-2",
                    ),
                    html.P(id="data-table-caption", className="chart-caption"),
                ],
                className="chart-card mb-4",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(_("Data quality by project"), className="chart-title"),
                            table_export_menu("data-quality"),
                        ],
                        className="chart-head",
                    ),
                    html.P(
                        _(
                            "How old each project's latest data is as of the chosen date, and the "
                            "data-quality warnings raised at import (questionable values that "
                            "were imported but flagged)."
                        ),
                        className="chart-subtitle",
                    ),
                    data_grid("data-quality", height=360),
                ],
                className="chart-card mb-4",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(_("Imports"), className="chart-title"),
                            table_export_menu("data-imports"),
                        ],
                        className="chart-head",
                    ),
                    html.P(
                        _("Where the pool's data came from, newest first."),
                        className="chart-subtitle",
                    ),
                    data_grid("data-imports", height=260),
                ],
                className="chart-card mb-4",
            ),
        ]
    )


def table_columns(by: str, currency: str) -> list[dict[str, Any]]:
    cols = [grid_column("name", _(TABLE_LABELS[by]), pinned="left", minWidth=170)]
    for ind in INDICATORS:
        header = display_label(ind) + (f" ({currency})" if ind.format == "usd" else "")
        cols.append(grid_column(ind.id, header, ind.format, headerTooltip=ind.definition))
    for own in network_indicators():  # the network's own (data/network.toml)
        tip = own.definition + (
            " " + _("SDG target {target}.").format(target=own.sdg) if own.sdg else ""
        )
        header = own.label + (f" ({currency})" if own.format == "usd" else "")
        cols.append(grid_column(own.id, header, own.format, headerTooltip=tip))
    return cols


def table_rows(view: View, by: str) -> list[dict[str, Any]]:
    frame = view.money(datasource.indicators(view.filters, by, network=True))
    if frame.empty:
        return []
    key = "quarter" if by == "quarter" else by
    hidden = frame["suppressed"].fillna(False) if "suppressed" in frame else [False] * len(frame)
    frame = frame.assign(
        name=[
            entity_name(by, v, view.facts) + (f" ({_(datasource.SUPPRESSED)})" if h else "")
            for v, h in zip(frame[key], hidden, strict=True)
        ]
    )
    columns = ["name", *(i.id for i in INDICATORS), *network_ids()]
    records = frame[columns].astype(object).where(frame[columns].notna(), None)
    return records.to_dict("records")


def quality_rows(view: View) -> list[dict[str, Any]]:
    frame = datasource.project_quality(view.filters)
    out = []
    for r in frame.to_dict("records"):
        out.append(
            {
                "project": entity_name("project", r["project_id"], view.facts),
                "organisation": r["organisation"],
                "country": entity_name("country", r["country"], view.facts),
                "groups_reporting": r["groups_reporting"],
                "latest_dataset": _iso(r["latest_dataset"]),
                "data_age_days": None if pd.isna(r["data_age_days"]) else int(r["data_age_days"]),
                "latest_project_report": _iso(r["latest_project_report"]),
                "warnings": r["warnings"],
                "warning_rules": _(datasource.SUPPRESSED)
                if r["warning_rules"] == datasource.SUPPRESSED
                else r["warning_rules"],
            }
        )
    return out


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def quality_columns() -> list[dict[str, Any]]:
    """The data-quality grid's columns, headed in the language in force."""
    return [
        grid_column("project", _("Project"), pinned="left", minWidth=170),
        grid_column("organisation", _("Organisation")),
        grid_column("country", _("Country")),
        grid_column("groups_reporting", _("Groups reporting"), "int"),
        grid_column("latest_dataset", _("Latest dataset")),
        grid_column("data_age_days", _("Data age (days)"), "int"),
        grid_column("latest_project_report", _("Latest project report")),
        grid_column("warnings", _("Warnings"), "int"),
        grid_column("warning_rules", _("Warnings by rule"), minWidth=300),
    ]


def import_columns() -> list[dict[str, Any]]:
    """The imports grid's columns, headed in the language in force."""
    return [
        grid_column("import_id", _("Import"), "int", maxWidth=100),
        grid_column("imported_at", _("When")),
        grid_column("files", _("Files"), minWidth=240),
        grid_column("rows_added", _("Rows added"), minWidth=220),
        grid_column("rows_replaced", _("Rows replaced"), minWidth=160),
        grid_column("warnings", _("Warnings"), "int"),
        grid_column("seconds", _("Seconds"), "decimal"),
        grid_column("imported_by", _("Imported by")),
        grid_column("moves", _("Projects moved"), minWidth=260),
    ]


def _text(value: Any) -> str:
    """A text cell of the import record ('' where empty, or the pool predates it)."""
    return value if isinstance(value, str) else ""


def import_rows() -> list[dict[str, Any]]:
    out = []
    for r in datasource.imports().to_dict("records"):
        files = json.loads(r["files"])
        added = json.loads(r["rows_added"])
        replaced = json.loads(r["rows_replaced"])
        out.append(
            {
                "import_id": r["import_id"],
                "imported_at": pd.Timestamp(r["imported_at"]).strftime("%Y-%m-%d %H:%M"),
                "files": ", ".join(f["name"] for f in files),
                "rows_added": ", ".join(f"{number(n)} {t}" for t, n in added.items() if n)
                or _("none"),
                "rows_replaced": ", ".join(f"{number(n)} {t}" for t, n in replaced.items() if n)
                or _("none"),
                "warnings": r["warnings"],
                "seconds": r["seconds"],
                "imported_by": _text(r.get("imported_by")),
                "moves": "; ".join(
                    _("{project}: {old} to {new}").format(
                        project=m["project_id"], old=m["from"], new=m["to"]
                    )
                    for m in json.loads(_text(r.get("moves")) or "[]")
                ),
            }
        )
    return out


def download_name(view: View, by: str, extension: str) -> str:
    f = view.filters
    parts = ["indicators", f"by-{by}"]
    parts += list(f.country) + [o.replace(" ", "-") for o in f.organisation] + list(f.project)
    parts.append((f.as_of or date.today()).isoformat())
    return "_".join(parts) + f".{extension}"


def xlsx_bytes(view: View, by: str) -> bytes:
    """The table (exact USD values, ids as columns), the filters and the definitions."""
    rows = datasource.indicator_rows(view.filters, by, network=True)
    table = pd.DataFrame(rows, columns=export_columns(by))
    total = first_row(datasource.indicators(view.filters))
    about = [
        (_("Filters"), caption(view, total.get("groups"), total.get("projects"))),
        (_("As of"), (view.as_of or date.today()).isoformat()),
        (_("Breakdown"), _(TABLE_LABELS[by])),
        (_("Money"), _("USD, converted per dataset at the rate of its report year")),
        (_("Link"), view.state.search() or _("(no filters)")),
    ]
    buffer = io.BytesIO()
    sheet_name = _("Indicators")
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=sheet_name, index=False)
        sheet = writer.sheets[sheet_name]
        kinds = {ind.id: ind.format for ind in every()}  # the network's own included
        for idx, column in enumerate(table.columns, start=1):
            kind = kinds.get(column, "")
            letter = sheet.cell(row=1, column=idx).column_letter
            sheet.column_dimensions[letter].width = max(12, min(40, len(column) + 2))
            for cell in sheet[letter][1:]:
                cell.number_format = tables.EXCEL_FORMATS.get(kind, "General")
        tables.add_about_sheets(writer.book, about)
        defuse(writer.book)  # (saved when the writer closes)
    return buffer.getvalue()


def quality_table(search: str | None) -> Any:
    view = read_view(search)
    total = first_row(datasource.indicators(view.filters))
    return grid_table(
        _("Data quality by project"),
        _(
            "How old each project's latest data is as of the chosen date, and the warnings "
            "raised at import"
        ),
        caption(view, total.get("groups"), total.get("projects")),
        quality_columns(),
        quality_rows(view),
    )


def imports_table(_search: str | None) -> Any:
    return grid_table(
        _("Imports"),
        _("Where the pool's data came from, newest first"),
        _(SOURCE),
        import_columns(),
        import_rows(),
    )


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "data-by", "table")
    register_table_export(app, "data-quality", quality_table)
    register_table_export(app, "data-imports", imports_table)

    @app.callback(
        Output("data-table", "rowData"),
        Output("data-table", "columnDefs"),
        Output("data-table-subtitle", "children"),
        Output("data-table-caption", "children"),
        Output("data-quality", "rowData"),
        Output("data-quality", "columnDefs"),
        Output("data-imports", "rowData"),
        Output("data-imports", "columnDefs"),
        Input("url", "search"),
    )
    def update(search: str | None) -> list[Any]:
        view = read_view(search)
        by = view.state.table
        total = first_row(datasource.indicators(view.filters))
        rows = table_rows(view, by)
        subtitle = _(
            "One row per {breakdown}; money in {currency}. Sort or filter any "
            "column; hover a column header for its definition."
        ).format(breakdown=_(TABLE_LABELS[by]).lower(), currency=view.code)
        return [
            rows,
            table_columns(by, view.code),
            subtitle,
            caption(view, total.get("groups"), total.get("projects")),
            quality_rows(view),
            quality_columns(),
            import_rows(),
            import_columns(),
        ]

    @app.callback(
        Output("data-download", "data"),
        Input("data-csv", "n_clicks"),
        Input("data-xlsx", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(_csv: int | None, _xlsx: int | None, search: str | None) -> Any:
        from dash import ctx

        view = read_view(search)
        by = view.state.table
        if ctx.triggered_id == "data-xlsx":
            return dcc.send_bytes(xlsx_bytes(view, by), download_name(view, by, "xlsx"))
        rows = datasource.indicator_rows(view.filters, by, network=True)
        return {
            "content": rows_to_csv(rows, by),
            "filename": download_name(view, by, "csv"),
            "type": "text/csv",
        }
