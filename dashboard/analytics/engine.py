"""The indicator engine: every indicator of the registry (dashboard/core/indicators.py) for a
filter, breakdown and as-of dates, in one named query. `compute` is what the `vsla
indicators` command, the dashboard and the exports all call, so they show the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb

from dashboard.analytics import disclosure
from dashboard.core import network, sources
from dashboard.core.filters import Filters, check_breakdown, is_group_level
from dashboard.core.indicators import (
    COST_IDS,
    IDS,
    INDICATORS,
    network_indicators,
    quarter_label,
    trend_dates,
)
from dashboard.core.spreadsheet import csv_text
from dashboard.pool.sqlfiles import sql


def latest_report_date(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT max(report_date) FROM datasets").fetchone()
    return row[0] if row else None


def earliest_report_date(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT min(report_date) FROM datasets").fetchone()
    return row[0] if row else None


def _empty_row() -> dict[str, Any]:
    """Nothing in scope: counts and money totals are 0, every ratio is undefined."""
    row: dict[str, Any] = {
        ind.id: 0 if ind.format == "int" else 0.0 if ind.additive else None for ind in INDICATORS
    }
    return row | {"data_age_days": None}


def compute(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    over_time: bool = False,
    dates: list[date] | None = None,
    foreign: tuple[str, ...] | None = None,
    source: str = "auto",
    network: bool = False,
) -> list[dict[str, Any]]:
    """Indicators for the filters, one dict per value of `by` (one dict in all without `by`).

    Keys: the `by` name (when given), every indicator id and `data_age_days` (mean days since
    the contributing datasets). Shares are fractions, money is USD, undefined ratios are None.
    Breakdown values with no active group are omitted; for group-level breakdowns the cost
    indicators are None (costs belong to whole projects).

    Over time (`over_time`, or `by="quarter"`) or at explicit `dates`, each row also has
    `as_of` (its date) and `quarter` (e.g. "2025Q3"), ordered by date.

    With `foreign` (project ids), each row also has `foreign_groups`: how many of its groups
    belong to those projects (for small-cell protection). `source` picks where the rows are
    computed from ("lean", "cube", "groups", "datasets"; "auto": the fastest that holds them, see
    dashboard.core.sources); every source gives the same numbers. With `network`, each row also
    has the network's own indicators (data/network.toml: ndf_<id>), from a query of their own.
    """
    if by == "quarter":
        check_breakdown(by)
        by, over_time = None, True
    return compute_many(
        con,
        filters,
        [by],
        over_time=over_time,
        dates=dates,
        foreign=foreign,
        source=source,
        network=network,
    )[by or None]


def compute_many(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    bys: Sequence[str | None],
    *,
    over_time: bool = False,
    dates: list[date] | None = None,
    foreign: tuple[str, ...] | None = None,
    source: str = "auto",
    network: bool = False,
) -> dict[str | None, list[dict[str, Any]]]:
    """`compute` for several breakdowns at once (one query, one pass over the data): the
    rows of each of `bys` (None or "": the whole scope, keyed None; not "quarter"), as
    `compute` gives them."""
    for by in bys:
        check_breakdown(by)
        if by == "quarter":
            raise ValueError("compute_many takes breakdowns; ask compute for by='quarter'.")
    wanted = list(dict.fromkeys(by or None for by in bys))
    if dates is None:
        as_of = filters.as_of or latest_report_date(con)
        if as_of is None:  # an empty pool
            return {by: [] if by or over_time else [_empty_row()] for by in wanted}
        if over_time:
            first = earliest_report_date(con)
            dates = trend_dates(first, as_of) if first and first <= as_of else [as_of]
        else:
            dates = [as_of]
    timed = over_time or len(dates) > 1
    params = filters.sql_params() | {
        "as_of_dates": dates,
        "bys": [by or "" for by in wanted],
        "foreign": list(foreign or ()),
    }
    # the plain sums where nothing is others' (disclosure.swaps), else the noise's functions
    plain = disclosure.swaps(foreign)
    cur = con.cursor()
    try:
        if not plain:
            disclosure.define(cur)  # (the noise of disclosure control, as SQL functions)
        result = cur.execute(_query(cur, filters, dates, wanted, source, plain), params)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        cur.close()
    out: dict[str | None, list[dict[str, Any]]] = {by: [] for by in wanted}
    # the cells that hold other organisations' groups: their network indicators are
    # perturbed too (dashboard.analytics.disclosure)
    records = [dict(zip(names, values, strict=True)) for values in rows]
    perturbed = {
        (r["as_of"], r["breakdown"] or "", r["by_value"]) for r in records if r["foreign_groups"]
    }
    own, extra = (
        network_values(con, params, filters, wanted, source, perturbed) if network else ((), {})
    )
    for record in records:
        by = record["breakdown"] or None
        row: dict[str, Any] = {}
        if timed:
            row["quarter"] = quarter_label(record["as_of"])
            row["as_of"] = record["as_of"]
        if by:
            row[by] = record["by_value"]
        if foreign is not None:
            row["foreign_groups"] = int(record["foreign_groups"])
        for ind_id in (*IDS, "data_age_days"):
            value = record[ind_id]
            if isinstance(value, float) and value != value:  # NaN never leaves the engine
                value = None
            row[ind_id] = value
        if is_group_level(by):
            for ind_id in COST_IDS:
                row[ind_id] = None
        found = extra.get((record["as_of"], record["breakdown"] or "", record["by_value"]), {})
        for ind_id in own:  # the network's own indicators (ndf_<id>), after the standard ones
            row[ind_id] = found.get(ind_id)
        out[by].append(row)
    if None in out and not timed and not out[None]:  # nothing in scope: zeros and nulls
        out[None] = [_empty_row() | dict.fromkeys(own)]
    return out


def network_values(
    con: duckdb.DuckDBPyConnection,
    params: dict[str, Any],
    filters: Filters,
    bys: Sequence[str | None],
    source: str = "auto",
    perturbed: set[tuple[Any, str, Any]] | frozenset[tuple[Any, str, Any]] = frozenset(),
) -> tuple[tuple[str, ...], dict[tuple[Any, str, Any], dict[str, float | None]]]:
    """The network's own indicators (data/network.toml) for the same scope, breakdowns and
    dates as `params`: their ids, and their values keyed by (as_of, breakdown, by_value);
    those of the `perturbed` cells (keyed so: they hold other organisations' groups)
    perturbed (dashboard.analytics.disclosure).
    Fields whose column the pool lacks (nothing imported yet) are None. The active groups
    come from rollup_groups when it holds the dates and every field's column (a dataset
    field declared since the last import is not in it), else from the datasets."""
    own = network_indicators()
    if not own:
        return (), {}
    present = present_columns(con)  # (once: the choice of query needs it too)
    wanted = network_measures(present)
    ids = tuple(ind.id for ind in own)
    if not wanted:
        return ids, {}
    query = _network_query(con, filters, params["as_of_dates"], bys, source, wanted, present)
    cur = con.cursor()
    try:
        bound = params | {"fields": wanted}
        rows = cur.execute(query, {k: v for k, v in bound.items() if f"${k}" in query}).fetchall()
    finally:
        cur.close()
    kinds = {w["name"]: (w["kind"], w["denominator"]) for w in wanted}
    values: dict[tuple[Any, str, Any], dict[str, float | None]] = {}
    for as_of, breakdown, by_value, name, numerator, denominator, n, key, n_eta, d_eta in rows:
        if (as_of, breakdown or "", by_value) in perturbed:
            kind, per = kinds[name]
            noisy = disclosure.network(
                name, kind, per, int(n), key, numerator, denominator, n_eta, d_eta
            )
            numerator, denominator = noisy["numerator"], noisy["denominator"]
        share = (
            float(numerator) / float(denominator) if numerator is not None and denominator else None
        )
        values.setdefault((as_of, breakdown or "", by_value), {})[name] = share
    return ids, values


def network_measures(present: set[str]) -> list[dict[str, Any]]:
    """network_measured.sql's $fields: the network's indicators whose column the pool has
    (`present`: present_columns)."""
    return [
        {
            "name": ind.id,
            "field": ind.field.column,
            "kind": ind.field.type,
            "denominator": ind.field.denominator,
            "choice": ind.choice,
        }
        for ind in network_indicators()
        if ind.field.column in present
    ]


MEASURED = "dims_input=dims_input_measured"  # (dims.sql over the network's measured rows)


def network_key(wanted: list[dict[str, Any]]) -> str:
    """What the rollup_network table holds (pool_meta 'rollup_network'): its indicators."""
    return json.dumps(wanted, sort_keys=True)


def _network_query(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: list[date],
    bys: Sequence[str | None],
    source: str,
    wanted: list[dict[str, Any]],
    present: set[str],
) -> str:
    """The SQL of the network's indicators: from rollup_network when it holds the dates and
    these indicators and the cube can answer (as indicators_cube.sql), else over the active
    groups of rollup_groups when it has every field's column, else from the datasets."""
    live = with_fields(con, sql("network_indicators", MEASURED), present)
    if source == "datasets" or not sources.available(con, dates, filters, bys):
        return live
    held = con.execute("SELECT value FROM pool_meta WHERE key = 'rollup_network'").fetchone()
    cube = "trainer" not in bys and sources.cube_bounds(filters) and source != "groups"
    if cube and held is not None and held[0] == network_key(wanted):
        return sql("network_indicators_cube", MEASURED)
    if _rollup_holds(con):
        return sql("network_indicators", sources.FROM_GROUPS, MEASURED)
    return live


def present_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The network's own columns (ndf_<id>) the pool's groups and datasets have."""
    return {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name IN ('groups', 'datasets') AND starts_with(column_name, 'ndf_')"
        ).fetchall()
    }


def _rollup_holds(con: duckdb.DuckDBPyConnection) -> bool:
    """True when rollup_groups has every network column of the datasets (it copies the
    datasets' columns when it is built, at import)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'datasets' AND starts_with(column_name, 'ndf_') "
        "AND column_name NOT IN (SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'rollup_groups')"
    ).fetchone()
    return row is not None and row[0] == 0


YES_FIELDS = "/*@yes_fields*/NULL::VARCHAR"  # (active.sql)


def with_fields(con: duckdb.DuckDBPyConnection, text: str, present: set[str] | None = None) -> str:
    """A query that finds the active groups in the datasets (active.sql), with their
    `yes_fields` made from the network's yes/no fields (data/network.toml) the pool has
    (`present`, when the caller has it already)."""
    if YES_FIELDS not in text:
        return text
    present = present_columns(con) if present is None else present
    expression = network.current().yes_fields_sql(present)
    return text.replace(YES_FIELDS, expression)


def _query(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: list[date],
    bys: Sequence[str | None],
    source: str,
    swaps: tuple[str, ...] = (),
) -> str:
    """The SQL computing the indicators from `source` ("auto": the fastest that holds them),
    with the `swaps` of disclosure control (disclosure.swaps)."""
    if source == "auto":
        source = sources.source(con, filters, dates, bys)
    elif source != "datasets" and not sources.available(con, dates, filters, bys):
        raise ValueError(f"The pool's rollups do not hold {', '.join(map(str, dates))}.")
    if source in ("cube", "lean") and ("trainer" in bys or not sources.cube_bounds(filters)):
        raise ValueError("The rollup cubes hold neither trainers nor those share bounds.")
    if source == "lean" and not sources.lean(filters, bys):
        raise ValueError("The lean rollup cube holds no theme but trained_by.")
    if source == "lean":
        return sql("indicators_cube", "cube_table=cube_table_lean", *swaps)
    if source == "cube":
        return sql("indicators_cube", *swaps)
    if source == "groups":
        return sql("indicators", sources.FROM_GROUPS, *swaps)
    if source == "datasets":
        return with_fields(con, sql("indicators", *swaps))
    raise ValueError(f"Unknown source {source!r}: expected auto, lean, cube, groups or datasets.")


def network_ids() -> list[str]:
    """The ids of the network's own indicators computed (data/network.toml), in its order."""
    return [ind.id for ind in network_indicators()]


def export_columns(by: str | None) -> list[str]:
    """The columns of an indicator table: the breakdown (if any), every indicator id, then the
    network's own (ndf_<id>)."""
    return ([by] if by else []) + list(IDS) + network_ids()


def rows_to_csv(rows: list[dict[str, Any]], by: str | None) -> str:
    """The CSV of `vsla indicators --format csv` (and the dashboard's table download)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=export_columns(by), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:  # (a breakdown's value is a name: made safe for spreadsheets)
        writer.writerow({k: "" if v is None else csv_text(v) for k, v in row.items()})
    return buffer.getvalue()
