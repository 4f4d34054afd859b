"""The import template: an .xlsx workbook a partner fills in and imports as it is.

One sheet per table with the canonical headers (bold, frozen), drop-downs for the choice
columns, date formats on the date columns, and a "Columns" sheet (ignored by the importer)
that explains every column.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard.core.format import number
from dashboard.core.i18n import _
from dashboard.ingest.model import MONEY_NOTE, Column, tables
from dashboard.pool.files import DATA_TABLES

TEMPLATE_ROWS = 5000  # rows 2..TEMPLATE_ROWS get the drop-downs
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# Order in which a partner fills the sheets in: parents before children.
SHEET_ORDER = ("projects", "groups", "datasets", "project_reports", "exchange_rates")
assert sorted(SHEET_ORDER) == sorted(DATA_TABLES)


def write_template(path: Path) -> None:
    """Write the import template workbook to `path`."""
    path = Path(path)
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table in SHEET_ORDER:
        _table_sheet(book, table)
    _columns_sheet(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _table_sheet(book: Workbook, table: str) -> None:
    sheet = book.create_sheet(table)
    spec = tables()[table]
    bold = Font(bold=True)
    for index, col in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=col.name)
        cell.font = bold
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(col.name) + 4)
        if col.kind == "date":
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        choices = _choices(col)
        if choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle=f"{col.name}",
                error=_("{column} must be one of: {choices}").format(
                    column=col.name, choices=", ".join(choices)
                ),
                promptTitle=col.name,
                prompt=_(col.meaning)[:255],
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.freeze_panes = "A2"


def _choices(col: Column) -> tuple[str, ...]:
    if col.kind == "enum":
        return col.choices
    if col.kind == "bool":
        return ("yes", "no")
    return ()


def _columns_sheet(book: Workbook) -> None:
    # (a sheet for people, ignored by the importer: its name and words are translated)
    # TRANSLATORS: an Excel sheet's name: at most 31 characters, none of : \ / ? * [ ]
    sheet = book.create_sheet(_("Columns"))
    headers = (
        _("table"),
        _("column"),
        _("type"),
        _("required"),
        _("meaning"),
        _("rule"),
        _("accepted form labels"),
    )
    widths = (16, 26, 14, 10, 70, 60, 36)
    bold = Font(bold=True)
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    row = 2
    for table in SHEET_ORDER:
        for col in tables()[table].columns:
            values = (
                table,
                col.name,
                col.type_label,
                _("yes") if col.required else _("no"),
                _meaning(col),
                _rule(table, col),
                "; ".join(col.labels),
            )
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=index, value=value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    sheet.freeze_panes = "A2"
    note = row + 1
    sheet.cell(
        row=note,
        column=1,
        value=_(
            "This sheet is ignored by the importer. Fill in the other sheets (any of them), "
            "one row per record below the header, then run: vsla import THIS_FILE.xlsx"
        ),
    )
    sheet.cell(
        row=note + 1,
        column=1,
        value=_(
            "Dates: YYYY-MM-DD, DD/MM/YYYY or Excel dates. Numbers: plain, without thousands "
            "separators. Re-importing a row with the same key replaces it."
        ),
    )


def _meaning(col: Column) -> str:
    text = _(col.meaning)
    if col.kind == "money":
        text += f" ({_(MONEY_NOTE)})"
    if col.default:
        # TRANSLATORS: {default} is a value as written in the cell or a formula of columns
        text = _("{meaning}; if empty: {default}").format(meaning=text, default=col.default)
    return text


def _rule(table: str, col: Column) -> str:
    parts = [_("must be {expected}").format(expected=col.expected)]
    if col.rule:  # a formula of columns (the same in every language) or words
        parts.append(_(col.rule))
    if col.earliest is not None:
        parts.append(_("not before {date}").format(date=col.earliest.isoformat()))
    if col.latest is not None:
        parts.append(_("not after {date}").format(date=col.latest.isoformat()))
    if col.not_future:
        parts.append(_("not in the future"))
    if col.usd_ceiling is not None:
        # TRANSLATORS: {ceiling} is a whole number of USD, e.g. 1,000,000
        parts.append(
            _(
                "at most the worth of USD {ceiling} (in the project's currency, at the rate of "
                "the row's year)"
            ).format(ceiling=number(col.usd_ceiling))
        )
    if col.name in tables()[table].key:
        key = ", ".join(tables()[table].key)
        parts.append(
            _("({key}) identifies the row: importing it again replaces it").format(key=key)
        )
    return "; ".join(parts)
