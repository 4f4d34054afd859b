"""Spreadsheets that do not run what they hold (OWASP's "CSV injection").

Names come from imported files: a project named =HYPERLINK(...) must reach a spreadsheet as
words, never as a formula. Every CSV and Excel file the dashboard and `vsla indicators`
write goes through these helpers. So does every number: one that is not finite (infinity,
NaN: a pool's absurd figures) is left blank, as a missing value is, since a spreadsheet has
no such number (Excel does not open a file that holds one).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would take for a formula (it starts with = + - @,
    a tab or a carriage return) is prefixed with an apostrophe, as OWASP advises; numbers
    and everything else are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text cells (and headers) made safe by csv_text."""
    out = frame.copy()
    for column in out.columns:
        kind = out[column].dtype
        if pd.api.types.is_float_dtype(kind):
            out[column] = out[column].mask(out[column].isin((math.inf, -math.inf)))
        elif not (
            pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)
        ):
            out[column] = out[column].map(csv_text).astype(object)
    out.columns = [csv_text(c) for c in out.columns]
    return out


def csv_head(buffer: io.StringIO, lines: Sequence[str | None]) -> None:
    """The title lines above a CSV table, "# " and the words, as readers that skip comment
    lines expect (pandas' comment="#"). A spreadsheet splits such a line at its commas: no
    piece may then start a formula (or a quoted field that would swallow the next lines), so
    such a piece is prefixed with an apostrophe, as csv_text does for a cell."""
    for line in lines:
        if not line:
            continue
        text = " ".join(str(line).splitlines())
        pieces = text.split(",")
        safe = [pieces[0], *(_safe_piece(p) for p in pieces[1:])]
        buffer.write(f"# {','.join(safe)}\n")


def _safe_piece(piece: str) -> str:
    return "'" + piece if piece.startswith((*FORMULA_START, '"')) else piece


def defuse(book: Any) -> Any:
    """Every text cell of an openpyxl workbook stored as text: openpyxl takes a string that
    starts with '=' for a formula, which Excel would then run. Numbers stay numbers, but for
    those that are not finite: blank."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"  # written as an inline string, shown as typed
                elif isinstance(cell.value, float) and not math.isfinite(cell.value):
                    cell.value = None
    return book


def book_bytes(book: Any) -> bytes:
    """The workbook's file, defused (every export's workbook is saved through here)."""
    buffer = io.BytesIO()
    defuse(book).save(buffer)
    return buffer.getvalue()
