"""Validate the raw sheets, vectorised in DuckDB: typed import tables and every error.

The raw sheets are registered in a scratch (in-memory) DuckDB connection and, per table,
stacked into s_<table> (trimmed text, empty rows dropped) and typed into t_<table>: each
column then has its typed value `<col>` next to the text `<col>__raw` as written. The
errors are found by set-based queries (per-column checks generated from the column specs
of model.py; the rules of queries/ingest_rules.sql and the references of
queries/ingest_references.sql) into one `errors` table. Only the first MAX_ISSUES errors
are turned into sentences, so a million bad rows cost no more than a thousand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.core.countries import country_code
from dashboard.core.currencies import ISO_4217
from dashboard.core.format import number
from dashboard.core.i18n import _, ngettext
from dashboard.ingest import text as texts
from dashboard.ingest.model import (
    BOOL_FALSE,
    BOOL_TRUE,
    ENUM_ALIASES,
    PER_USD_MAX,
    PER_USD_MIN,
    Column,
    Issue,
    plain,
    tables,
)
from dashboard.ingest.read import RawSheet
from dashboard.pool.files import DATA_TABLES, open_pool
from dashboard.pool.sqlfiles import sql

MAX_ISSUES = 1000  # errors turned into Issue objects; the rest are only counted

# Every Unicode white space character (Python's str.isspace): trimmed from the ends of a cell
TRIM_CHARS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
NUMBER_RE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
ISO_DATE_RE = r"\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?"
DMY_DATE_RE = r"\d{1,2}/\d{1,2}/\d{4}"
SEPARATOR_RE = r"[+-]?\d{1,3}([,' \u00a0]\d{3})+([.,]\d+)?|[+-]?\d+,\d+"
INT_LIMIT = 2**31

ERROR_COLUMNS = "tbl, _src, _row, col, code, value, a, b, c, d"

# Text columns normalised with the rules of an id or of an organisation's name (text.py);
# the others are trimmed and put in NFKC form.
ID_COLUMNS = ("project_id", "group_id")
NAME_COLUMNS = ("organisation",)
# A cell that Python must normalise: anything but printable ASCII (and, in a name, two
# spaces in a row); the rest is already as stored.
NEEDS_PYTHON = "[^ -~]"
PROJECT_ID_CLASS = texts.PROJECT_ID_RE[1:-2]  # (the character class of the pattern)
NAME_NEEDS_PYTHON = "[^ -~]|  "


@dataclass
class Validation:
    issues: list[Issue]  # the first MAX_ISSUES, in file, sheet, row and column order
    total: int  # all errors
    rows: dict[str, int]  # non-empty data rows per table
    notes: list[str] = field(default_factory=list)


def attach_pool(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    """Attach the existing pool read-only as `pool`, or an empty pool when there is none."""
    if path is not None and path.exists():
        check = open_pool(path, read_only=True)  # raises PoolError for a wrong file
        check.close()
        con.execute(f"ATTACH {_literal(str(path))} AS pool (READ_ONLY)")
    else:
        con.execute("ATTACH ':memory:' AS pool")
        con.execute("USE pool")
        con.execute(sql("schema"))
        con.execute("USE memory")


def validate(
    con: duckdb.DuckDBPyConnection,
    sheets: Sequence[RawSheet],
    *,
    today: date,
    progress: Callable[[str], None],
) -> Validation:
    """Stage, type and check every table; the typed tables stay in `con` for the writer."""
    rows: dict[str, int] = {}
    structural: list[Issue] = []
    missing_in: dict[tuple[str, str], list[int]] = {}
    for sheet in sheets:
        for col in tables()[sheet.table].columns:
            if col.required and col.name not in sheet.columns:
                missing_in.setdefault((sheet.table, col.name), []).append(sheet.index)
                structural.append(_missing_column(sheet, col))

    _text_functions(con)
    con.register("iso_codes", pd.DataFrame({"code": sorted(ISO_4217)}))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE iso_currency AS "
        "SELECT CAST(code AS VARCHAR) AS code FROM iso_codes"
    )
    con.unregister("iso_codes")
    for table in DATA_TABLES:
        mine = [s for s in sheets if s.table == table]
        _stage(con, table, mine)
        _normalise(con, table)
        counts = dict(con.execute(f"SELECT _src, count(*) FROM s_{table} GROUP BY _src").fetchall())
        for s in mine:
            s.rows = int(counts.get(s.index, 0))
        rows[table] = sum(s.rows for s in mine)
        if rows[table]:
            progress(f"Validating {rows[table]:,} {table} rows")
        if table == "projects":
            _register_countries(con)
        _type(con, table)

    checks = [q for table in DATA_TABLES if rows[table] for q in _column_checks(table, missing_in)]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE errors (tbl VARCHAR, _src INTEGER, _row BIGINT, "
        "col VARCHAR, code VARCHAR, value VARCHAR, a VARCHAR, b VARCHAR, c VARCHAR, d VARCHAR)"
    )
    if checks:
        con.execute(
            f"INSERT INTO errors {' UNION ALL '.join(checks)}",
            {"today": today} if any("$today" in q for q in checks) else None,
        )
    progress("Checking keys and references")
    con.execute(f"INSERT INTO errors SELECT {ERROR_COLUMNS} FROM ({sql('ingest_rules')})")
    con.execute(
        f"INSERT INTO errors SELECT {ERROR_COLUMNS} FROM ({sql('ingest_references')})",
        {"today": today},
    )
    _usd_ceilings(con, rows)
    con.execute(f"INSERT INTO errors SELECT {ERROR_COLUMNS} FROM ({sql('ingest_lookalikes')})")

    found = con.execute("SELECT count(*) FROM errors").fetchone()
    total = len(structural) + int(found[0] if found else 0)
    listed = con.execute(
        f"SELECT {ERROR_COLUMNS} FROM errors ORDER BY _src, _row, col, code LIMIT $n",
        {"n": MAX_ISSUES},
    ).fetchall()
    by_index = {s.index: s for s in sheets}
    ordered: list[tuple[tuple[int, int, int], Issue]] = []
    for row in listed:
        table, src, number, col = row[0], row[1], row[2], row[3]
        names = tables()[table].names
        position = names.index(col) if col in names else len(names)
        ordered.append(((src, number, position), _issue(by_index, today, *row)))
    ordered.sort(key=lambda pair: pair[0])
    issues = [issue for _, issue in ordered]
    return Validation(structural + issues, total, rows, _derived_notes(con))


# -- staging and typing ------------------------------------------------------------------


def _clean(column: str) -> str:
    """A raw cell as trimmed text, NULL when empty. Most cells need no trimming: test the
    first and last characters (cheap) before calling trim (not cheap)."""
    cell = f'CAST("{column}" AS VARCHAR)'
    blank = ", ".join(str(ord(ch)) for ch in TRIM_CHARS)
    return (
        f"CASE WHEN {cell} = '' THEN NULL "
        f"WHEN ascii(left({cell}, 1)) NOT IN ({blank}) "
        f"AND ascii(right({cell}, 1)) NOT IN ({blank}) THEN {cell} "
        f"ELSE NULLIF(trim({cell}, {_literal(TRIM_CHARS)}), '') END"
    )


def _stage(con: duckdb.DuckDBPyConnection, table: str, sheets: Sequence[RawSheet]) -> None:
    spec = tables()[table]
    parts: list[str] = []
    for sheet in sheets:
        name = f"raw_{sheet.index}"
        con.register(name, sheet.frame)
        items = [f"CAST({sheet.index} AS INTEGER) AS _src", "CAST(_row AS BIGINT) AS _row"]
        for col in spec.columns:
            source = sheet.columns.get(col.name)
            value = _clean(source) if source else "CAST(NULL AS VARCHAR)"
            items.append(f'{value} AS "{col.name}__raw"')
        cells = [_clean(c) for c in sheet.frame.columns if c != "_row"]
        where = f"coalesce({', '.join(cells)}) IS NOT NULL" if cells else "false"
        parts.append(f"SELECT {', '.join(items)} FROM {name} WHERE {where}")
    if not parts:
        items = ["CAST(NULL AS INTEGER) AS _src", "CAST(NULL AS BIGINT) AS _row"]
        items += [f'CAST(NULL AS VARCHAR) AS "{c.name}__raw"' for c in spec.columns]
        parts.append(f"SELECT {', '.join(items)} WHERE false")
    con.execute(f"CREATE OR REPLACE TABLE s_{table} AS {' UNION ALL '.join(parts)}")
    for sheet in sheets:
        con.unregister(f"raw_{sheet.index}")


def _register_countries(con: duckdb.DuckDBPyConnection) -> None:
    values = [r[0] for r in con.execute("SELECT DISTINCT country__raw FROM s_projects").fetchall()]
    present = [v for v in values if v is not None]
    mapping = pd.DataFrame(
        {
            "raw": pd.Series(present, dtype=object),
            "alpha3": pd.Series([country_code(v) for v in present], dtype=object),
        }
    )
    con.register("country_names", mapping)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE country_map AS "
        "SELECT CAST(raw AS VARCHAR) AS raw, CAST(alpha3 AS VARCHAR) AS alpha3 FROM country_names"
    )
    con.unregister("country_names")


def _text_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The table of normalised text cells and the look-alike key (text.skeleton) in SQL:
    vsla_key(x) is x's skeleton, made in Python only for the texts that need it (anything
    but printable ASCII without spaces); for the rest it is lower(x)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE text_norm (tbl VARCHAR, col VARCHAR, raw VARCHAR, "
        "norm VARCHAR, code VARCHAR, detail VARCHAR)"
    )
    try:
        con.create_function("vsla_skeleton", texts.skeleton, ["VARCHAR"], "VARCHAR")
    except duckdb.CatalogException as exc:  # (validated twice on one connection)
        if "already exists" not in str(exc):
            raise
    con.execute(
        "CREATE OR REPLACE TEMP MACRO vsla_key(x) AS "
        "CASE WHEN regexp_matches(x, '[^!-~]') THEN vsla_skeleton(x) ELSE lower(x) END"
    )


def _normalise(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The stored form of the text cells that need more than trimming (text.py), and what
    is wrong with an id or organisation name as written, into text_norm: one row per
    distinct cell of a column, only for the cells that are not plain printable ASCII."""
    rows: list[tuple[str, str, str, str, str | None, str | None]] = []
    for col in tables()[table].columns:
        if col.kind not in ("text", "tags"):
            continue
        pattern = NAME_NEEDS_PYTHON if col.name in NAME_COLUMNS else NEEDS_PYTHON
        found = con.execute(
            f'SELECT DISTINCT "{col.name}__raw" FROM s_{table} '
            f'WHERE regexp_matches("{col.name}__raw", {_literal(pattern)})'
        ).fetchall()
        for (raw,) in found:
            problem: texts.Problem | None = None
            if col.name in ID_COLUMNS:
                norm, problem = texts.normalise_text(raw), texts.id_problem(col.name, raw)
            elif col.name in NAME_COLUMNS:
                norm, problem = texts.normalise_name(raw), texts.name_problem(raw)
            else:
                norm = texts.normalise_text(raw)
            if norm != raw or problem is not None:
                code, detail = (problem.code, problem.detail) if problem else (None, None)
                rows.append((table, col.name, raw, norm, code, detail))
    if not rows:
        return
    frame = pd.DataFrame(
        rows, columns=["tbl", "col", "raw", "norm", "code", "detail"], dtype=object
    )
    con.register("text_rows", frame)
    con.execute(
        "INSERT INTO text_norm SELECT CAST(tbl AS VARCHAR), CAST(col AS VARCHAR), "
        "CAST(raw AS VARCHAR), CAST(norm AS VARCHAR), CAST(code AS VARCHAR), "
        "CAST(detail AS VARCHAR) FROM text_rows"
    )
    con.unregister("text_rows")


def _usd_ceilings(con: duckdb.DuckDBPyConnection, rows: dict[str, int]) -> None:
    """Amounts beyond what any savings group (or project) holds: each money column with a
    ceiling in USD (model.py), converted at the rate of its row's project currency and year
    (queries/ingest_rates.sql). Rows without a rate are left to the no_rate error."""
    checks: list[str] = []
    for table in ("datasets", "project_reports"):
        if not rows.get(table):
            continue
        for col in tables()[table].columns:
            if col.usd_ceiling is None:
                continue
            name = col.name
            checks.append(
                f"SELECT '{table}' AS tbl, t._src, t._row, '{name}' AS col, "
                f"'usd_ceiling' AS code, t.\"{name}__raw\" AS value, "
                f'CAST(t."{name}" AS VARCHAR) AS a, r.currency AS b, '
                "CAST(r.per_usd AS VARCHAR) AS c, CAST(r.year AS VARCHAR) AS d "
                f"FROM t_{table} t JOIN row_rates r "
                f"ON r.tbl = '{table}' AND r._src = t._src AND r._row = t._row "
                f'WHERE t."{name}" > {col.usd_ceiling:.0f} * r.per_usd'
            )
    if not checks:
        return
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE row_rates AS {sql('ingest_rates')}",
        {"low": PER_USD_MIN, "high": PER_USD_MAX},
    )
    con.execute(f"INSERT INTO errors {' UNION ALL '.join(checks)}")


def _typed(col: Column, table: str) -> list[str]:
    """Select items that turn "<col>__raw" into the typed "<col>" (NULL when invalid)."""
    raw = f'"{col.name}__raw"'
    out = f'"{col.name}"'
    if col.kind in ("text", "tags"):  # the text as stored: normalised (text.py)
        raw = (
            f"coalesce((SELECT n.norm FROM text_norm n WHERE n.tbl = '{table}' "
            f"AND n.col = '{col.name}' AND n.raw = {raw}), {raw})"
        )
    number = (
        f"CASE WHEN regexp_full_match({raw}, {_literal(NUMBER_RE)}) "
        f"AND isfinite(try_cast({raw} AS DOUBLE)) THEN try_cast({raw} AS DOUBLE) END"
    )
    if col.kind == "text":
        return [f"{raw} AS {out}"]
    if col.kind == "date":
        return [
            f"CASE WHEN regexp_full_match({raw}, {_literal(ISO_DATE_RE)}) "
            f"THEN try_cast(left({raw}, 10) AS DATE) "
            f"WHEN regexp_full_match({raw}, {_literal(DMY_DATE_RE)}) "
            f"THEN CAST(try_strptime({raw}, '%d/%m/%Y') AS DATE) END AS {out}"
        ]
    if col.kind == "int":
        helper = f'"{col.name}__num"'
        return [
            f"{number} AS {helper}",
            f"CASE WHEN {helper} = trunc({helper}) AND abs({helper}) < {INT_LIMIT} "
            f"THEN CAST({helper} AS INTEGER) END AS {out}",
        ]
    if col.kind in ("money", "number"):
        return [f"{number} AS {out}"]
    if col.kind == "bool":
        yes = ", ".join(_literal(v) for v in BOOL_TRUE)
        no = ", ".join(_literal(v) for v in BOOL_FALSE)
        return [
            f"CASE WHEN lower({raw}) IN ({yes}) THEN true "
            f"WHEN lower({raw}) IN ({no}) THEN false END AS {out}"
        ]
    if col.kind == "enum":
        aliases = ENUM_ALIASES.get(col.name) or {
            re.sub(r"[\s_-]+", "", choice.lower()): choice for choice in col.choices
        }  # (a network category field: its own values)
        whens = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in aliases.items())
        return [f"CASE regexp_replace(lower({raw}), '[\\s_-]+', '', 'g') {whens} END AS {out}"]
    if col.kind == "country":
        return [f"(SELECT m.alpha3 FROM country_map m WHERE m.raw = {raw}) AS {out}"]
    if col.kind == "currency":
        return [
            f"CASE WHEN upper({raw}) IN (SELECT code FROM iso_currency) THEN upper({raw}) END "
            f"AS {out}"
        ]
    if col.kind == "tags":
        return [
            "NULLIF(array_to_string(list_sort(list_distinct(list_filter(list_transform("
            f"regexp_split_to_array({raw}, '[;,]'), lambda x: lower(trim(x))), "
            f"lambda x: x <> ''))), ';'), '') AS {out}"
        ]
    raise ValueError(f"unknown kind {col.kind}")  # pragma: no cover


def _type(con: duckdb.DuckDBPyConnection, table: str) -> None:
    items = [item for col in tables()[table].columns for item in _typed(col, table)]
    con.execute(f"CREATE OR REPLACE TABLE t_{table} AS SELECT *, {', '.join(items)} FROM s_{table}")


# -- checks ------------------------------------------------------------------------------


def _check(table: str, col: str, code: str, where: str, a: str = "NULL") -> str:
    return (
        f"SELECT '{table}' AS tbl, _src, _row, '{col}' AS col, '{code}' AS code, "
        f'"{col}__raw" AS value, CAST({a} AS VARCHAR) AS a, CAST(NULL AS VARCHAR) AS b, '
        f"CAST(NULL AS VARCHAR) AS c, CAST(NULL AS VARCHAR) AS d FROM t_{table} WHERE {where}"
    )


def _column_checks(table: str, missing_in: dict[tuple[str, str], list[int]]) -> list[str]:
    """Missing values, wrong types, ranges and future dates, for every column of a table."""
    out: list[str] = []
    for col in tables()[table].columns:
        raw = f'"{col.name}__raw"'
        typed = f'"{col.name}"'
        if col.required:
            where = f"{raw} IS NULL"
            absent = missing_in.get((table, col.name))
            if absent:  # a missing column is one error for its sheet, not one per row
                where += f" AND _src NOT IN ({', '.join(map(str, absent))})"
            out.append(_check(table, col.name, "missing", where))
        if col.kind not in ("text", "tags"):
            out.append(_check(table, col.name, "type", f"{raw} IS NOT NULL AND {typed} IS NULL"))
        else:  # names and ids are drawn in charts, where < and > would start markup
            out.append(_check(table, col.name, "markup", f"regexp_matches({raw}, '[<>]')"))
        if col.minimum is not None:
            op = "<" if col.minimum_inclusive else "<="
            out.append(_check(table, col.name, "minimum", f"{typed} {op} {col.minimum:g}", typed))
        if col.maximum is not None:
            out.append(_check(table, col.name, "maximum", f"{typed} > {col.maximum:g}", typed))
        if col.earliest is not None:
            out.append(
                _check(table, col.name, "too_early", f"{typed} < DATE '{col.earliest}'", typed)
            )
        if col.latest is not None:
            out.append(_check(table, col.name, "too_late", f"{typed} > DATE '{col.latest}'", typed))
        if col.not_future:
            out.append(_check(table, col.name, "future", f"{typed} > $today", typed))
        if col.name in ID_COLUMNS + NAME_COLUMNS and col.kind == "text":
            out.append(_text_problems(table, col.name))
        if col.name == "project_id":  # (plain ASCII; the others are checked in text_norm)
            outside = f"regexp_extract({raw}, {_literal('[^' + PROJECT_ID_CLASS + ']')})"
            out.append(
                _check(
                    table,
                    col.name,
                    "project_id_chars",
                    f"NOT regexp_matches({raw}, {_literal(NEEDS_PYTHON)}) "
                    f"AND NOT regexp_full_match({raw}, {_literal(texts.PROJECT_ID_RE)}) "
                    f"AND NOT regexp_matches({raw}, '[<>]')",  # (a markup error already)
                    outside,
                )
            )
        if col.at_most:  # a network count of people: at most the row's members (women, ...)
            limit = f'"{col.at_most}"'
            out.append(_check(table, col.name, "at_most", f"{typed} > {limit}", limit))
    return out


def _text_problems(table: str, col: str) -> str:
    """The ids and names whose text cannot be used as written (text_norm's code)."""
    return (
        f"SELECT '{table}' AS tbl, t._src, t._row, '{col}' AS col, n.code, "
        f't."{col}__raw" AS value, n.detail AS a, CAST(NULL AS VARCHAR) AS b, '
        "CAST(NULL AS VARCHAR) AS c, CAST(NULL AS VARCHAR) AS d "
        f"FROM t_{table} t JOIN text_norm n ON n.tbl = '{table}' AND n.col = '{col}' "
        f'AND n.raw = t."{col}__raw" WHERE n.code IS NOT NULL'
    )


# -- messages ----------------------------------------------------------------------------


def _issue(
    sheets: dict[int, RawSheet],
    today: date,
    table: str,
    src: int,
    row: int,
    col: str,
    code: str,
    value: str | None,
    a: str | None,
    b: str | None,
    c: str | None,
    d: str | None,
) -> Issue:
    sheet = sheets[src]
    header = sheet.headers.get(col, col)
    spec = tables()[table]
    column = spec.column(col) if col in spec.names else None
    shown = column.shown if column is not None else col
    message = _message(code, column, shown, value, a, b, c, d, sheets, today)
    return Issue(sheet.file, sheet.sheet, int(row), header, value, message)


def _message(
    code: str,
    column: Column | None,
    col: str,
    value: str | None,
    a: str | None,
    b: str | None,
    c: str | None,
    d: str | None,
    sheets: dict[int, RawSheet],
    today: date,
) -> str:
    if code == "missing" and column is not None:
        return _("the value is missing; {column} is required and must be {expected}.").format(
            column=col, expected=column.expected
        )
    if code == "type" and column is not None:
        return explain_type(column, value or "")
    if code == "markup":
        return _(
            "{column} may not contain < or >: names and ids are drawn in charts and written "
            "into files, where these characters would be read as markup; write it without them."
        ).format(column=col)
    if code == "at_most" and column is not None and column.at_most:
        name = column.shown
        return _(
            "{value} is more than the {limit} {other} of the same row; {column} counts "
            "{other} and must be <= {other}."
        ).format(value=_num(value), limit=_num(a), other=column.at_most, column=name)
    if code == "minimum" and column is not None:
        shown = _num(a)
        bound = f"{column.minimum:g}"
        if column.kind == "money":
            text = _("{value} is a negative amount; {column} must be {expected}.")
        elif column.minimum == 0 and column.minimum_inclusive:
            text = _("{value} is negative; {column} must be {expected}.")
        elif not column.minimum_inclusive:
            text = _("{value} is not above {minimum}; {column} must be {expected}.")
        elif column.reason and column.minimum not in (0, 1):  # (a limit, not a count's)
            return _("{value} is less than {minimum}, the limit of {column}: {reason}.").format(
                value=shown, minimum=plain(column.minimum), column=col, reason=_(column.reason)
            )
        else:
            text = _("{value} is less than {minimum}; {column} must be {expected}.")
        return text.format(value=shown, minimum=bound, column=col, expected=column.expected)
    if code == "maximum" and column is not None:
        if column.reason and column.maximum is not None:
            return _("{value} is more than {maximum}, the limit of {column}: {reason}.").format(
                value=_num(a), maximum=plain(column.maximum), column=col, reason=_(column.reason)
            )
        return _("{value} is too large; {column} must be {expected}.").format(
            value=_num(a), column=col, expected=column.expected
        )
    if code == "too_early" and column is not None:
        return _(
            "{value} is before {earliest}, the earliest {column} can be: savings groups of this "
            "kind began in 1991; check the year (a placeholder such as 1900-01-01, or a "
            "two-digit year read wrongly?)."
        ).format(value=a, earliest=column.earliest, column=col)
    if code == "too_late" and column is not None:
        return _("{value} is after {latest}, the latest {column} can be; check the year.").format(
            value=a, latest=column.latest, column=col
        )
    if code == "invisible":
        return _(
            "{column} holds the character {character}, which is invisible or looks like a "
            "space; ids and organisation names may not contain such characters (they make "
            "names that look the same but are not). Type the {column} again without it."
        ).format(column=col, character=a)
    if code == "project_id_chars":
        character = a if a and len(a) > 1 else texts.describe(a or "?")
        return _(
            "{column} holds the character {character}; a project id may hold only ASCII "
            "letters, digits, spaces and {punctuation} (e.g. BDI-DUT-01), so that no id can "
            "look like another one. Write the id with these characters only."
        ).format(column=col, character=character, punctuation="- _ . / ( )")
    if code == "scripts":
        return _(
            "{column} mixes the letters of several scripts: {scripts}; a letter of one script "
            "in a word of another looks like a letter it is not (a Cyrillic а in a Latin id). "
            "Write the id in one script."
        ).format(column=col, scripts=a)
    if code == "lookalike":
        return _lookalike(col, value or "", a or "", b, c, d, sheets)
    if code == "usd_ceiling" and column is not None and column.usd_ceiling is not None:
        amount, rate = float(a or 0), float(c or 1)
        words = {
            "value": value,
            "currency": b,
            "usd": _usd(amount / rate),
            "year": d,
            "rate": _num(c),
            "ceiling": _usd(column.usd_ceiling),
        }
        if column.name == "cost_to_date":
            return _(
                "{value} {currency} is USD {usd} at the {year} rate of {rate} {currency} per "
                "USD, more than USD {ceiling}: more than the whole cost of any savings-group "
                "project. Amounts are in the project's currency ({currency}); check the "
                "amount, the project's currency and the year's exchange rate."
            ).format(**words)
        return _(
            "{value} {currency} is USD {usd} at the {year} rate of {rate} {currency} per USD, "
            "more than USD {ceiling}: more than any savings group holds (a group of 10 to 30 "
            "members saves a few hundred to a few thousand USD in a cycle). Amounts are in "
            "the project's currency ({currency}); check the amount, the project's currency "
            "and the year's exchange rate."
        ).format(**words)
    if code == "usd_rate":
        return _(
            "{value} is not 1: USD is the unit of every rate, so its per_usd is always 1 "
            "(and needs no row); remove the row or write 1."
        ).format(value=_num(value))
    if code == "future":
        return _(
            "{value} is in the future (today is {today}); {column} cannot be later than today."
        ).format(value=a, today=today.isoformat(), column=col)
    if code == "women_gt_members":
        return _(
            "{women} women is more than the {members} members; women must be <= members."
        ).format(women=a, members=b)
    if code == "sex_sum":
        total = int(a or 0) + int(b or 0)
        return _(
            "women ({women}) + men ({men}) = {total}, but members is {members}; women + men must "
            "equal members (or leave men empty and it is worked out as members - women)."
        ).format(women=a, men=b, total=total, members=c)
    if code == "youth_gt_members":
        return _(
            "{youth} youth is more than the {members} members; youth must be <= members."
        ).format(youth=a, members=b)
    if code == "attending_gt_members":
        return _(
            "{attending} members attending is more than the {members} members; "
            "members_attending must be <= members."
        ).format(attending=a, members=b)
    if code == "late_gt_outstanding":
        return _(
            "the late loans balance {late} is more than the loans outstanding value "
            "{outstanding}; late_loans_balance must be <= loans_outstanding_value."
        ).format(late=_num(a), outstanding=_num(b))
    if code == "start_after_report":
        return _(
            "the cycle start date {start} is after the report date {report}; "
            "expected formation_date <= cycle_start_date <= report_date."
        ).format(start=a, report=b)
    if code == "before_formation":
        return _(
            "the cycle start date {start} is before the group's formation date {formation}; "
            "expected formation_date <= cycle_start_date <= report_date."
        ).format(start=a, formation=b)
    if code == "end_before_start":
        return _(
            "the end date {end} is before the start date {start}; "
            "end_date must be on or after start_date."
        ).format(end=a, start=b)
    if code == "duplicate":
        first = sheets[int(a or 0)].where(int(b or 0))
        return _(
            "the key ({key}) is also on {first}; each key may appear only once in an import "
            "(a row that corrects the pool replaces it, but only one row per key)."
        ).format(key=value, first=first)
    if code == "unknown_project":
        return _(
            "project {project} is not in the pool or in this import; add it to projects "
            "(a projects sheet or projects.csv) or correct the project_id."
        ).format(project=value)
    if code == "unknown_group":
        return _(
            "group {group} of project {project} is not in the pool or in this import; add it to "
            "groups (a groups sheet or groups.csv) or correct the group_id."
        ).format(group=value, project=a)
    if code == "no_rate":
        more = int(d or 1) - 1
        if not more:
            return _(
                "there is no exchange rate for {currency} (the currency of project {project}) "
                "in {year}, needed by this row; add the row currency {currency}, year {year} "
                "to exchange_rates."
            ).format(currency=a, project=c, year=b)
        # (the English says "1 more rows" as it always did; the catalogs have both forms)
        # TRANSLATORS: {more} is 1 or more; English uses its plural for both forms
        return ngettext(
            "there is no exchange rate for {currency} (the currency of project {project}) "
            "in {year}, needed by this row (and by {more} more rows of this sheet); add the row "
            "currency {currency}, year {year} to exchange_rates.",
            "there is no exchange rate for {currency} (the currency of project {project}) "
            "in {year}, needed by this row (and by {more} more rows of this sheet); add the row "
            "currency {currency}, year {year} to exchange_rates.",
            more,
        ).format(currency=a, project=c, year=b, more=number(more))
    return f"{code}: {value}"  # pragma: no cover - every code above has a sentence


def _lookalike(
    col: str,
    value: str,
    existing: str,
    src: str | None,
    row: str | None,
    what: str | None,
    sheets: dict[int, RawSheet],
) -> str:
    """An id or name that looks like one the pool or the import has (ingest_lookalikes.sql)."""
    if src is None or row is None:
        where = _("already in the pool")
    else:
        where = _("on {place}").format(place=sheets[int(src)].where(int(row)))
    words = {
        "column": col,
        "value": value,
        "existing": existing,
        "where": where,
        "difference": texts.how_they_differ(value, existing),
    }
    if what == "organisation":
        return _(
            "the organisation {value} looks like the organisation {existing} {where} but is "
            "not the same name ({difference}); write {existing} exactly if you mean that "
            "organisation, or choose a name that does not look like it."
        ).format(**words)
    if what == "group":
        return _(
            "the group id {value} looks like the group {existing} of the same project {where} "
            "but is not the same id ({difference}); write {existing} exactly if you mean that "
            "group, or choose an id that does not look like it."
        ).format(**words)
    return _(
        "the project id {value} looks like the project {existing} {where} but is not the same "
        "id ({difference}); write {existing} exactly if you mean that project, or choose an "
        "id that does not look like it."
    ).format(**words)


def _usd(amount: float) -> str:
    """An amount in USD, whole, with the language's separators (a huge one as 1e+300)."""
    if not math.isfinite(amount) or abs(amount) >= 1e15:
        return f"{amount:.3g}"
    return number(round(amount))


def explain_type(column: Column, value: str) -> str:
    """Why a value is not of its column's type, and what is expected."""
    name = column.shown
    expected = column.expected
    if column.kind == "date":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?", value):
            text = _(
                "'{value}' has a time of day; {column} must be a date without a time "
                "(a date written YYYY-MM-DD or DD/MM/YYYY, or an Excel date cell)."
            )
        elif re.fullmatch(ISO_DATE_RE, value) or re.fullmatch(DMY_DATE_RE, value):
            text = _(
                "'{value}' is not a real date (check the day and the month); "
                "{column} must be {expected}."
            )
        else:
            text = _(
                "'{value}' is not a date in an accepted format; {column} must be {expected}. "
                "Other forms (such as 2025/03/31, 03-31-2025 or two-digit years) are ambiguous "
                "and not accepted."
            )
    elif column.kind in ("int", "money", "number"):
        if re.fullmatch(SEPARATOR_RE, value):
            text = _(
                "'{value}' has a thousands separator or a decimal comma; write {column} as a "
                "plain number, without separators and with a point for decimals (e.g. 1234.50)."
            )
        elif re.fullmatch(NUMBER_RE, value):
            parsed = float(value)
            if not math.isfinite(parsed) or abs(parsed) >= INT_LIMIT:
                text = _("'{value}' is too large; {column} must be {expected}.")
            else:
                text = _("'{value}' is not a whole number; {column} must be {expected}.")
        else:
            text = _("'{value}' is not a number; {column} must be {expected}.")
    elif column.kind == "bool":
        text = _(
            "'{value}' is not yes or no; {column} must be yes or no "
            "(true/false, y/n and 1/0 are also accepted)."
        )
    elif column.kind == "enum":
        text = _("'{value}' is not an accepted value; {column} must be {expected}.")
    elif column.kind == "country":
        text = _("'{value}' is not a country we recognise; {column} must be {expected}.")
    elif column.kind == "currency":
        text = _("'{value}' is not an ISO 4217 currency code; {column} must be {expected}.")
    else:  # pragma: no cover
        text = _("'{value}' is not valid; {column} must be {expected}.")
    return text.format(value=value, column=name, expected=expected)


def _missing_column(sheet: RawSheet, col: Column) -> Issue:
    if col.labels:
        text = _(
            "the required column {column} is missing; add a column headed {column} "
            "(or its form label '{label}') holding {meaning}."
        )
    else:
        text = _(
            "the required column {column} is missing; add a column headed {column} "
            "holding {meaning}."
        )
    label = col.labels[0] if col.labels else ""
    return Issue(
        sheet.file,
        sheet.sheet,
        None,
        col.name,
        None,
        text.format(column=col.name, label=label, meaning=_(col.meaning)),
    )


def _derived_notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    notes: list[str] = []
    derived = con.execute(
        "SELECT count(*) FROM t_datasets WHERE men IS NULL AND men__raw IS NULL"
    ).fetchone()
    if derived and derived[0]:
        notes.append(
            # TRANSLATORS: English uses its plural for both forms (datasets is a table's name)
            ngettext(
                "men was worked out as members - women for {n} datasets rows "
                "(no men column, or an empty cell).",
                "men was worked out as members - women for {n} datasets rows "
                "(no men column, or an empty cell).",
                derived[0],
            ).format(n=number(derived[0]))
        )
    defaulted = con.execute("SELECT count(*) FROM t_projects WHERE shared__raw IS NULL").fetchone()
    if defaulted and defaulted[0]:
        notes.append(
            # TRANSLATORS: English uses its plural for both forms; shared is a column's name
            ngettext(
                "shared was not given for {n} projects: they are not shared "
                "with other organisations (the default).",
                "shared was not given for {n} projects: they are not shared "
                "with other organisations (the default).",
                defaulted[0],
            ).format(n=number(defaulted[0]))
        )
    return notes


def _num(text: str | None) -> str:
    """A number as a person writes it: 600 rather than 600.0."""
    if text is None:
        return ""
    try:
        number = float(text)
    except ValueError:
        return text
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return text


def _literal(text: str) -> str:
    """A SQL string literal (for constants of this module and file paths, never cell values)."""
    return "'" + text.replace("'", "''") + "'"
