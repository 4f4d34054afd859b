"""The numbers a chart draws, as a table: CSV, Excel workbooks (one sheet per chart, with the
'About' sheets of definitions and filters), and the rows of a chart as the files and the
deck's tables show them.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.core.i18n import N_, _
from dashboard.core.spreadsheet import book_bytes, csv_head, csv_safe

RANKED = "ranked"  # the kind of a ranked bar trace (figures.bars.ranked_bars), in its meta


def ranked(meta: Any) -> bool:
    return isinstance(meta, dict) and meta.get("kind") == RANKED


def values(array: Any) -> list[Any]:
    """A figure array as a list (the browser sends numbers as base64 typed arrays)."""
    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            data = data.reshape([int(n) for n in str(array["shape"]).split(",")])
        return data.tolist()
    if array is None:
        return []
    return list(array)


# The data columns of each trace kind, in the order a reader expects them.
TRACE_COLUMNS = ("x", "y", "z", "locations", "lowerfence", "q1", "median", "q3", "upperfence")


def _trace_frames(
    fig: go.Figure | Mapping[str, Any],
) -> list[tuple[pd.DataFrame, set[str], dict[str, str]]]:
    """Each trace's numbers (its name and data columns), which of its columns the chart
    shows as percentages (its axis' tick format has a %), and the Excel number format of a
    column whose kind the chart states (a ranked chart's values: money with cents, as on
    the screen)."""
    plain = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    layout = plain.get("layout") or {}
    out = []
    for trace in plain.get("data", []):
        columns = {c: values(trace.get(c)) for c in TRACE_COLUMNS if trace.get(c) is not None}
        if not columns or all(v is None for c in columns.values() for v in c):
            continue  # (a legend's key of a reference line: its value is in the key's name)
        n = max(len(v) for v in columns.values())
        frame = pd.DataFrame({k: v + [None] * (n - len(v)) for k, v in columns.items()})
        frame.insert(0, "series", trace.get("name") or trace.get("type", ""))
        meta = trace.get("meta")
        formats: dict[str, str] = {}
        if ranked(meta) and meta.get("format") in EXCEL_FORMATS:
            formats["x"] = EXCEL_FORMATS[meta["format"]]
        if ranked(meta) and len(meta.get("names", ())) == n:
            frame["y"] = meta["names"]  # whole names, not the axis' shortened ones
            for header, column in (meta.get("columns") or {}).items():
                if len(column) == n:
                    frame[header] = column
        percent = set()
        for letter in ("x", "y"):
            ref = str(trace.get(f"{letter}axis") or letter)
            axis = layout.get(f"{letter}axis{ref[1:]}") or {}
            if "%" in str(axis.get("tickformat") or ""):
                percent.add(letter)
        if trace.get("type") == "box":  # quartiles sit on the value axis
            value_axis = "x" if trace.get("orientation") == "h" else "y"
            if value_axis in percent:
                percent |= {"q1", "median", "q3", "lowerfence", "upperfence"}
        out.append((frame, percent, formats))
    return out


BOX_NAMES = {
    "lowerfence": N_("5th percentile"),
    "q1": N_("Lower quartile"),
    "median": N_("Median"),
    "q3": N_("Upper quartile"),
    "upperfence": N_("95th percentile"),
}
# Headers of data columns named by what they hold (see column_names)
COLUMN_WORDS = {
    "series": N_("series"),
    "date": N_("date"),
    "label": N_("label"),
    "value": N_("value"),
    "location": N_("location"),
}


def kind_of(sample: Any) -> str:
    """What a column holds, judged by one of its values: date, label or value."""
    if isinstance(sample, date | np.datetime64 | pd.Timestamp):
        return "date"
    if isinstance(sample, str):
        return "date" if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", sample) else "label"
    return "value"


def _as_date(value: Any) -> Any:
    """A date cell for Excel from the ways a figure carries dates (else the value)."""
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return value


def column_names(fig: go.Figure | Mapping[str, Any]) -> dict[str, str]:
    """Readable headers for a figure's data columns: an axis' title where every trace
    drawing on it agrees, else what the values are (date, label or value)."""
    plain = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    layout = plain.get("layout") or {}
    names: dict[str, str] = {
        "series": _(COLUMN_WORDS["series"]),
        **{key: _(name) for key, name in BOX_NAMES.items()},
    }
    for letter in ("x", "y"):
        titles, kinds = set(), set()
        for trace in plain.get("data", []):
            data = values(trace.get(letter))
            if not data or all(v is None for v in data):  # (none, or a legend's key)
                continue
            ref = str(trace.get(f"{letter}axis") or letter)
            axis = layout.get(f"{letter}axis{ref[1:]}") or {}
            title = axis.get("title")
            titles.add((title.get("text") if isinstance(title, dict) else title) or "")
            kinds.add(kind_of(next((v for v in data if v is not None), None)))
        if len(titles) == 1 and next(iter(titles)):
            names[letter] = next(iter(titles))
        else:
            kind = next(iter(kinds)) if len(kinds) == 1 else ""
            names[letter] = _(COLUMN_WORDS[kind]) if kind in COLUMN_WORDS else letter
    names["z"] = _(COLUMN_WORDS["value"])
    names["locations"] = _(COLUMN_WORDS["location"])
    return names


def figure_table(fig: go.Figure | Mapping[str, Any], readable: bool = False) -> pd.DataFrame:
    """The numbers drawn, one row per point: the trace's name and its data columns (with
    `readable`, headed by what they are rather than plotly's names)."""
    frames = [frame for frame, _percent, _formats in _trace_frames(fig)]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    data = [c for c in TRACE_COLUMNS if c in table.columns]
    extra = [c for c in table.columns if c != "series" and c not in data]  # (details)
    table = table[["series", *data, *extra]]
    return table.rename(columns=column_names(fig)) if readable else table


def csv_bytes(fig: go.Figure | Mapping[str, Any], notes: Sequence[str] = ()) -> bytes:
    """The numbers drawn, under the chart's title, subtitle, caption and `notes` (the
    exchange rate of money shown in another currency than USD) as # lines."""
    meta = fig.layout.meta if isinstance(fig, go.Figure) else fig.get("layout", {}).get("meta")
    buffer = io.StringIO()
    words = (
        [meta.get(key) for key in ("title", "subtitle", "caption")]
        if isinstance(meta, dict)
        else []
    )
    csv_head(buffer, [*words, *notes])
    table = csv_safe(figure_table(fig, readable=True))
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


EXCEL_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "usd": "#,##0.00",
    "decimal": "#,##0.0",
    "date": "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Table:
    """A table as shown on a page: its words, its columns (key, header, kind: int, pct,
    usd, decimal, date, "" for text, or "*" for the row's own "kind") and its rows of raw
    values."""

    title: str
    subtitle: str
    caption: str
    columns: list[tuple[str, str, str]]
    rows: list[dict[str, Any]]
    shown: bool = False  # the screen writes the values with format.format_value


def table_csv(table: Table, notes: Sequence[str] = ()) -> bytes:
    """The table's values under its title, caption and `notes` (# lines), columns as
    headed."""
    buffer = io.StringIO()
    csv_head(buffer, [table.title, table.subtitle, table.caption, *notes])
    frame = pd.DataFrame(
        [[row.get(key) for key, _header, _kind in table.columns] for row in table.rows],
        columns=[header for _key, header, _kind in table.columns],
    )
    csv_safe(frame).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def table_workbook(table: Table, about: list[tuple[str, str]]) -> bytes:
    """The table as a sheet (formatted by kind; columns as wide as what they hold; header
    frozen and repeated when printed), the Filters sheet and the Definitions sheet. A table
    whose screen writes its values with format_value (`shown`) has them rounded so."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_name(table.title, set())
    cells = []
    for row in table.rows:
        line = []
        for key, _header, kind in table.columns:
            value = row.get(key)
            kind = row.get("kind", "") if kind == "*" else kind  # a row of one indicator
            if kind == "date" and value:
                value = _as_date(value)
            if isinstance(value, float) and value != value:
                value = None
            if table.shown and kind in EXCEL_FORMATS and kind != "date":
                line.append(as_shown(value, kind))
            else:
                line.append((value, EXCEL_FORMATS.get(kind, "") if value is not None else ""))
        cells.append(line)
    _write_table(
        sheet,
        [table.title, table.subtitle, table.caption],
        [header for _key, header, _kind in table.columns],
        cells,
    )
    add_about_sheets(book, about)
    return book_bytes(book)


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or _("Chart")
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def workbook_bytes(figures: list[Mapping[str, Any]], about: list[tuple[str, str]]) -> bytes:
    """An Excel workbook of charts: a sheet per chart with the numbers drawn, the network's
    and the reference lines' values among them (under its title, subtitle and caption), a
    sheet of the filters and one of every indicator's definition.

    Each chart's table reads name, value and unit, in that order (with the series, the date
    and the chart's further columns where it has them), headed in the language in force;
    each value rounded as the screen writes it (dashboard.core.format.format_value), so that the
    file shows what the screen shows; columns as wide as what they hold."""
    from openpyxl import Workbook

    currency = dict(about).get("Currency") or "USD"
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for figure in figures:
        chart_sheet(book, figure, currency, used)
    add_about_sheets(book, about)
    return book_bytes(book)


def chart_sheet(
    book: Any,
    figure: Mapping[str, Any],
    currency: str,
    used: set[str],
    title: str = "",
) -> Any:
    """A workbook's sheet of one chart (as workbook_bytes writes each): the numbers drawn
    under its title (or `title`, the chart's own then heading its subtitle), subtitle and
    caption; named after the chart's title, unlike the names in `used` (which it joins)."""
    meta = (figure.get("layout") or {}).get("meta") or {}
    sheet = book.create_sheet(_sheet_name(meta.get("title") or _("Chart"), used))
    headers, keys, rows = chart_table(figure, currency)
    cells = [[_cell(row, key) for key in keys] for row in rows]
    words = [meta.get(k, "") for k in ("title", "subtitle", "caption")]
    if title and title != words[0]:
        under = " · ".join(w for w in words[:2] if w)
        words = [title, under, words[2]]
    _write_table(sheet, words, headers, cells)
    return sheet


@dataclass
class ChartRow:
    """A value a chart draws: what it is of (`name`), its series and date where it has them,
    the value, its format kind (int, pct, usd, decimal; "" when the chart does not say) and
    unit, and the chart's further columns ({header: value})."""

    name: str
    value: Any
    kind: str = ""
    unit: str = ""
    series: str = ""
    date: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


REFERENCE_LINE = N_("Reference line")
PERCENTILE = "percentile"  # the meta of benchmark dots (figures.spread.benchmark_dots)


def chart_table(
    figure: go.Figure | Mapping[str, Any], currency: str = "USD"
) -> tuple[list[str], list[str], list[ChartRow]]:
    """The values a chart draws as rows (chart_rows), the headers and keys of the columns
    that hold something: name, series, date, value, unit, then the chart's own."""
    rows = chart_rows(figure, currency)
    keys = [k for k in ("name", "series", "date") if any(getattr(r, k) for r in rows)]
    keys += ["value", "unit"]
    extra = list(dict.fromkeys(h for r in rows for h in r.extra))
    words = {
        "name": _("Name"),
        "series": _("Series"),
        "date": _("Date"),
        "value": _("Value"),
        "unit": _("Unit"),
    }
    return [words[k] for k in keys] + extra, keys + [f"extra:{h}" for h in extra], rows


def chart_rows(figure: go.Figure | Mapping[str, Any], currency: str = "USD") -> list[ChartRow]:
    """Every value a chart draws, one row each: its bars, points, boxes' quantiles and map's
    areas, and the values of its reference lines (the network's, a benchmark's)."""
    plain = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
    layout = plain.get("layout") or {}
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    indicators = _chart_indicators(meta.get("indicators") or ())
    rows: list[ChartRow] = []
    for trace in plain.get("data", []):
        rows += _trace_rows(trace, layout, indicators, currency)
    drawn = list(rows)
    for shape in layout.get("shapes") or ():
        row = _reference_row(shape, layout, indicators, currency)
        if row is not None:  # (in the unit of the values drawn against it)
            row.unit = next((r.unit for r in drawn if r.kind == row.kind and r.unit), row.unit)
            rows.append(row)
    return rows


def _chart_indicators(ids: Any) -> list[Any]:
    from dashboard.core.indicators import lookup

    out = []
    for ind_id in ids if isinstance(ids, list | tuple) else ():
        try:
            out.append(lookup(str(ind_id)))
        except KeyError:  # a chart's own column
            continue
    return out


def _axis_of(layout: Mapping[str, Any], trace: Mapping[str, Any], letter: str) -> dict[str, Any]:
    ref = str(trace.get(f"{letter}axis") or letter)
    axis = layout.get(f"{letter}axis{ref[1:]}")
    return axis if isinstance(axis, dict) else {}


def _axis_kind(axis: Mapping[str, Any]) -> str:
    """An indicator format kind from an axis' number format (figures.common._axis_format)."""
    tickformat = str(axis.get("tickformat") or "")
    if "%" in tickformat:
        return "pct"
    if axis.get("tickprefix") or axis.get("ticksuffix"):
        return "usd"
    if tickformat == "~s":
        return "int"
    if tickformat.startswith(",.1"):
        return "decimal"
    return ""


def _kind_and_unit(
    kind: str, measure: str, indicators: list[Any], currency: str
) -> tuple[str, str]:
    """A value's format kind and unit: those of the chart's indicator it is of (by its
    label, else the only one of its kind), money in the file's currency."""
    from dashboard.core.format import in_currency

    named = [i for i in indicators if measure and i.label == measure]
    alike = [i for i in indicators if not kind or i.format == kind]
    ind = named[0] if named else alike[0] if len(alike) == 1 else None
    kind = kind or (ind.format if ind is not None else "")
    if ind is not None:
        return kind, in_currency(ind.unit, currency) if kind == "usd" else ind.unit
    return kind, {"usd": currency, "pct": "%"}.get(kind, "")


def _is_date(value: Any) -> bool:
    return value is not None and kind_of(value) == "date"


def _trace_rows(
    trace: Mapping[str, Any],
    layout: Mapping[str, Any],
    indicators: list[Any],
    currency: str,
) -> list[ChartRow]:
    from dashboard.core.countries import country_name

    kind_of = trace.get("type") or "scatter"
    name = str(trace.get("name") or "")
    meta = trace.get("meta")
    info = meta if isinstance(meta, dict) else {}
    rows: list[ChartRow] = []
    if kind_of == "choropleth":
        codes, numbers = values(trace.get("locations")), values(trace.get("z"))
        kind, unit = _kind_and_unit("", name, indicators, currency)
        for code, value in zip(codes, numbers, strict=False):
            rows.append(
                ChartRow(
                    country_name(str(code)) or str(code),
                    value,
                    kind,
                    unit,
                    series=name,
                    extra={_("Country code"): code},
                )
            )
        return rows
    if kind_of == "box":
        horizontal = trace.get("orientation") == "h"
        names = values(trace.get("y" if horizontal else "x"))
        kind, unit = _kind_and_unit(
            _axis_kind(_axis_of(layout, trace, "x" if horizontal else "y")),
            "",
            indicators,
            currency,
        )
        stats = {key: values(trace.get(key)) for key in BOX_NAMES}
        for i, category in enumerate(names):
            for key, words in BOX_NAMES.items():
                column = stats[key]
                if i < len(column):
                    rows.append(ChartRow(str(category), column[i], kind, unit, series=_(words)))
        return rows
    x, y = values(trace.get("x")), values(trace.get("y"))
    if not any(_is_number(v) for v in x + y):
        return rows  # (a legend's key of a reference line, a map's names: no number)
    horizontal = trace.get("orientation") == "h" or (
        bool(y) and all(isinstance(v, str) for v in y if v is not None) and not _is_date(y[0])
    )
    numbers, others = (x, y) if horizontal else (y, x)
    other_axis = _axis_of(layout, trace, "y" if horizontal else "x")
    value_axis = _axis_of(layout, trace, "x" if horizontal else "y")
    measure = str(info.get("measure") or "")
    kind = str(info.get("format") or "") or _axis_kind(value_axis)
    if meta == PERCENTILE:  # where each stands among its peers (0 to 100)
        custom = values(trace.get("customdata"))
        for i, (value, label) in enumerate(zip(numbers, others, strict=False)):
            shown = list(custom[i]) if i < len(custom) and custom[i] is not None else []
            rows.append(
                ChartRow(
                    name,
                    value,
                    PERCENTILE,
                    _("percentile among peers"),
                    series=str(label),
                    extra={
                        _("Value shown"): shown[0] if shown else None,
                        _("Peers' median"): shown[1] if len(shown) > 1 else None,
                    },
                )
            )
        return rows
    kind, unit = _kind_and_unit(kind, measure or name, indicators, currency)
    if not unit:  # (no indicator of its own: its axis says what it counts)
        title = value_axis.get("title")
        unit = str((title.get("text") if isinstance(title, dict) else title) or "")
    shown_kind = str(info.get("shown") or "") or kind
    texts = trace.get("text")
    labels = (
        [str(t) for t in values(texts)]
        if isinstance(texts, list | tuple) and "markers" in str(trace.get("mode") or "")
        else []
    )
    whole = list(info.get("names") or ()) if ranked(meta) else []
    details = (info.get("columns") or {}) if ranked(meta) else {}
    title = other_axis.get("title")
    other_header = (title.get("text") if isinstance(title, dict) else title) or _("Value")
    for i, value in enumerate(numbers):
        other = others[i] if i < len(others) else None
        row = ChartRow(name, value, shown_kind, unit, series=measure)
        if whole and i < len(whole):
            row.name, row.series = str(whole[i]), name
            row.extra = {h: c[i] for h, c in details.items() if i < len(c)}
        elif _is_date(other):
            row.date = _as_date(other)
        elif isinstance(other, str):
            row.name, row.series = other, measure or name
        elif labels and i < len(labels):
            row.name, row.series = labels[i], name
            row.extra = {str(other_header): other}
        elif other is not None:
            row.extra = {str(other_header): other}
        if row.series == row.name:  # (a panel of one line, named as the panel)
            row.series = ""
        rows.append(row)
    return rows


def _reference_row(
    shape: Mapping[str, Any], layout: Mapping[str, Any], indicators: list[Any], currency: str
) -> ChartRow | None:
    """The value of a named line across a chart (figures.references.Reference: the network's
    value, a benchmark), else None."""
    label = shape.get("name")
    if not label or shape.get("type") != "line":
        return None
    for letter in ("x", "y"):
        ref = str(shape.get(f"{letter}ref") or letter)
        start, end = shape.get(f"{letter}0"), shape.get(f"{letter}1")
        if ref.startswith(letter) and "domain" not in ref and start == end and _is_number(start):
            axis = layout.get(f"{letter}axis{ref[1:]}")
            kind, unit = _kind_and_unit(
                _axis_kind(axis if isinstance(axis, dict) else {}), "", indicators, currency
            )
            return ChartRow(str(label), start, kind, unit, series=_(REFERENCE_LINE))
    return None


def as_shown(value: Any, kind: str) -> tuple[Any, str]:
    """A value for a spreadsheet cell, rounded as the screen writes it (format_value: USD
    21.60, 78%, 2,255) and the Excel number format that shows those decimals; a value the
    screen writes compact (12.3k) in whole units. A value of no known kind as it is; what is
    not a finite number blank."""
    from dashboard.core.format import LARGEST_WRITTEN, finite, shown_decimals

    if not _is_number(value):
        return value, ""
    x = finite(value)
    if x is None:
        return None, ""
    if kind == PERCENTILE:
        return float(f"{x:.0f}"), "0"
    if kind not in EXCEL_FORMATS or kind == "date" or abs(x) >= LARGEST_WRITTEN:
        return value, "#,##0" if float(x).is_integer() else "#,##0.00"
    decimals = shown_decimals(x, kind) or 0
    places = "." + "0" * decimals if decimals else ""
    if kind == "pct":  # (rounded as format.percent rounds: its per cents as Python does)
        return float(Decimal(f"{x * 100:.{decimals}f}") / 100), f"0{places}%"
    return float(f"{x:.{decimals}f}"), f"#,##0{places}"


def _cell(row: ChartRow, key: str) -> tuple[Any, str]:
    """A row's cell of a column key: its value and number format."""
    if key == "value":
        return as_shown(row.value, row.kind)
    if key == "date":
        return row.date, "yyyy-mm-dd" if row.date is not None else ""
    if key.startswith("extra:"):
        value = row.extra.get(key[6:])
        if _is_date(value):
            return _as_date(value), "yyyy-mm-dd"
        return as_shown(value, "")
    return getattr(row, key) or None, ""


TABLE_WIDTH = (8, 60)  # a column's width in characters: at least, at most (longer cells wrap)


def _shown_text(value: Any, number_format: str) -> str:
    """About what a cell shows (for its column's width)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return "0000-00-00"
    if _is_number(value):
        decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
        scale = 100 if number_format.endswith("%") else 1
        return f"{value * scale:,.{decimals}f}" + ("%" if scale == 100 else "")
    return str(value)


def _write_table(
    sheet: Any,
    words: list[str],
    headers: list[str],
    cells: list[list[tuple[Any, str]]],
) -> None:
    """A sheet's title, subtitle and caption (over the table's width, wrapped), its header
    (bold, wrapped between words only: each column at least as wide as its longest header
    word) and its rows, with columns as wide as what they hold (within TABLE_WIDTH; a longer
    text wraps), the header frozen and printed on every page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    low, high = TABLE_WIDTH
    n = max(len(headers), 1)
    widths = []
    for index, header in enumerate(headers):
        longest_word = max((len(w) for w in str(header).split()), default=0)
        longest_cell = max((len(_shown_text(*row[index])) for row in cells), default=0)
        widths.append(min(high, max(low, longest_word + 2, longest_cell + 2)))
    total = sum(widths) or high
    styles = (Font(bold=True, size=14), None, Font(italic=True, color="5F6B78"))
    for row_number, (text, style) in enumerate(zip(words, styles, strict=True), start=1):
        cell = sheet.cell(row=row_number, column=1, value=text or None)
        if style is not None:
            cell.font = style
        if n > 1:
            sheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=n
            )
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        size = 14 if row_number == 1 else 11
        lines = max(1, -(-len(text or "") * size // (11 * max(total - 2, 1))))
        sheet.row_dimensions[row_number].height = lines * size * 1.35
    header_row = len(words) + 2
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    wrapped = max(
        (-(-len(str(h)) // max(w - 2, 1)) for h, w in zip(headers, widths, strict=True)),
        default=1,
    )
    sheet.row_dimensions[header_row].height = 15 * max(wrapped, 1)
    for offset, row in enumerate(cells, start=1):
        for index, (value, number_format) in enumerate(row, start=1):
            cell = sheet.cell(row=header_row + offset, column=index, value=value)
            if number_format:
                cell.number_format = number_format
            if isinstance(value, str) and len(value) + 2 > widths[index - 1]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    # Printed: landscape, all columns on one page wide, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{header_row}:{header_row}"


# The keys of the `about` lists that callers pass (view.export_about, the data page,
# the report page): they stay English there (the deck reads them by key) and are translated
# where the Filters sheet shows them.
ABOUT_KEYS = (
    N_("Filters"),
    N_("As of"),
    N_("Currency"),
    N_("Link"),
    N_("Source"),
    N_("Breakdown"),
    N_("Money"),
    N_("Exchange rate"),
)


def add_about_sheets(book: Any, about: list[tuple[str, str]]) -> None:
    """The Filters sheet (what the numbers are of) and the Definitions sheet (every
    indicator's id, label, unit and definition, the network's own included) of every Excel
    export."""
    from openpyxl.styles import Alignment, Font

    from dashboard.core.format import in_currency
    from dashboard.core.indicators import every

    currency = dict(about).get("Currency") or "USD"
    # Sheet names: at most 31 characters, none of []:*?/\ (see _sheet_name)
    filters = book.create_sheet(_sheet_name(_("Filters"), set()))
    for key, value in about:
        filters.append([_(key), value])
        filters.cell(row=filters.max_row, column=2).alignment = Alignment(wrap_text=True)
    keys = [len(_(key)) for key, _value in about]
    filters.column_dimensions["A"].width = max(16, *keys) + 2 if keys else 16
    filters.column_dimensions["B"].width = 110
    definitions = book.create_sheet(_sheet_name(_("Definitions"), set()))
    definitions.append([_("id"), _("indicator"), _("unit"), _("definition")])
    for cell in definitions[1]:
        cell.font = Font(bold=True)
    for ind in every():  # the network's own (ndf_<id>) after INDICATORS.md's
        # (money in the file's currency: "DKK per member")
        unit, words = (in_currency(t, currency) for t in (ind.unit, ind.definition))
        definitions.append([ind.id, ind.label, unit, words])
        definitions.cell(row=definitions.max_row, column=4).alignment = Alignment(wrap_text=True)
    for column, width in zip("ABCD", (30, 30, 22, 110), strict=True):
        definitions.column_dimensions[column].width = width
