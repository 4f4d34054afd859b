"""Rollups: what the indicators need, worked out once at import instead of at every view.

The indicators of a date rest on each group's latest dataset up to that date (scope.sql);
finding it means a pass over every dataset. At import, for every *rollup date* (each quarter
end from the pool's first quarter, the latest report date and the date a year before it: every
as-of date the dashboard offers, and every trend point), two tables are built:

- rollup_groups: those latest datasets, one row per active group and date, with the group's
  attributes, USD rate, cycle length and data age (the rows active.sql finds);
- rollup_cube: the same rows summed per date, project and combination of the group-level
  keys the filters and breakdowns use (trained by, setting, tags, status, first cycle, the
  share-of-women bands and bounds, youth band), every measure the indicators add up;
- rollup_lean: the cube summed over every group-level key but trained by (a few rows per
  project and date), for the views without theme filters (most trends).

Both come from the same SQL as the live queries (the scope rules and grouped.sql), so the
indicators read from them are the live ones (tests compare the three sources). `source`
says which a query may use; pools without rollups (imported by an older version) use the
datasets, correctly and more slowly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Literal

import duckdb

from dashboard import disclosure, network
from dashboard.filters import Filters
from dashboard.indicators import (
    comparison_date,
    network_key,
    network_measures,
    present_columns,
    trend_dates,
    with_fields,
)
from dashboard.queries import sql

# 3: yes_fields; 4: rollup_network (the network's own indicators); 5: the cell keys (the
# groups' keys of disclosure control, summed per cell)
ROLLUP_VERSION = "5"

# The share-of-women bounds the cube can filter on exactly: the filter panel's presets
# (women only: >= 1.0; mostly women: >= 0.75; mixed: <= 0.749), precomputed in grouped.sql.
WOMEN_MIN_BOUNDS: tuple[float, ...] = (1.0, 0.75)
WOMEN_MAX_BOUNDS: tuple[float, ...] = (0.749,)

Source = Literal["lean", "cube", "groups", "datasets"]

# What the lean cube (rollup_lean) keeps of the groups: breakdowns and filters it can answer.
LEAN_BREAKDOWNS = (None, "country", "organisation", "project", "trained_by")
LEAN_FILTERS_UNSET = (
    "setting", "tag", "yes", "status", "cycle", "min_pct_women", "max_pct_women",
    "youth_recorded",
)  # fmt: skip

# The live query's active groups, read from rollup_groups instead of found in the datasets.
FROM_GROUPS = "active=active_rollup"


def rollup_dates(first: date, latest: date) -> list[date]:
    """The dates the rollups hold: every trend point up to the latest report date, and the
    date the latest one is compared with (a year earlier)."""
    return sorted({*trend_dates(first, latest), comparison_date(latest)})


def build(con: duckdb.DuckDBPyConnection, say: Callable[[str], None] = lambda _m: None) -> int:
    """(Re)build the rollup tables of the pool open on `con` (in its current transaction or
    database); returns the number of cube rows."""
    first, latest = con.execute(
        "SELECT min(report_date), max(report_date) FROM datasets"
    ).fetchone()  # type: ignore[misc]
    dates = rollup_dates(first, latest) if first is not None else []
    say(f"Building rollups at {len(dates)} dates")
    disclosure.ensure_secret(con)  # (a pool made before the cell-key method gets one now)
    params = Filters().sql_params() | {"as_of_dates": dates}
    for table in ("rollup_network", "rollup_lean", "rollup_cube", "rollup_groups", "rollup_dates"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("CREATE TABLE rollup_dates (as_of DATE PRIMARY KEY)")
    con.execute("INSERT INTO rollup_dates SELECT unnest($d::DATE[])", {"d": dates})
    present = present_columns(con)
    groups_sql = with_fields(con, sql("rollup_groups", "latest=latest_lead"), present)
    con.execute(f"CREATE TABLE rollup_groups AS {groups_sql}", params)
    con.execute(f"CREATE TABLE rollup_cube AS {sql('rollup_cube', FROM_GROUPS)}", params)
    con.execute(f"CREATE TABLE rollup_lean AS {sql('rollup_lean')}")
    _build_network(con, params, present)
    con.execute("INSERT OR REPLACE INTO pool_meta VALUES ('rollups', ?)", [ROLLUP_VERSION])
    # the yes/no fields the rollups' yes_fields hold (a field declared later is not in them)
    held = ";".join(f.id for f in network.current().yesno if f.column in present)
    con.execute("INSERT OR REPLACE INTO pool_meta VALUES ('rollup_yes', ?)", [held])
    # a new id for the new data: what caches (in every process and host) key their entries by
    con.execute("INSERT OR REPLACE INTO pool_meta VALUES ('data_version', ?)", [uuid.uuid4().hex])
    row = con.execute("SELECT count(*) FROM rollup_cube").fetchone()
    return int(row[0]) if row else 0


def _build_network(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], present: set[str]
) -> None:
    """rollup_network: the network's own indicators (data/network.toml, those whose column the
    pool has) summed per cube cell; pool_meta 'rollup_network' says which it holds."""
    wanted = network_measures(present)
    if wanted:
        query = sql("rollup_network", FROM_GROUPS)
        con.execute(f"CREATE TABLE rollup_network AS {query}", params | {"fields": wanted})
    con.execute(
        "INSERT OR REPLACE INTO pool_meta VALUES ('rollup_network', ?)",
        [network_key(wanted) if wanted else ""],
    )


def available(
    con: duckdb.DuckDBPyConnection,
    dates: Sequence[date],
    filters: Filters | None = None,
    bys: Sequence[str | None] = (),
) -> bool:
    """True when the pool has rollups of this version holding every one of `dates` (and
    every yes/no field the filters and breakdowns name: one declared since the last import
    is not in them)."""
    row = con.execute("SELECT value FROM pool_meta WHERE key = 'rollups'").fetchone()
    if row is None or row[0] != ROLLUP_VERSION:
        return False
    needed = {*(filters.yes if filters else ()), *(b[4:] for b in bys if b and b[:4] == "yes:")}
    if needed:
        held = con.execute("SELECT value FROM pool_meta WHERE key = 'rollup_yes'").fetchone()
        if held is None or not needed <= set(held[0].split(";")):
            return False
    wanted = sorted(set(dates))
    found = con.execute(
        "SELECT count(*) FROM rollup_dates WHERE list_contains($dates::DATE[], as_of)",
        {"dates": wanted},
    ).fetchone()
    return found is not None and found[0] == len(wanted)


def source(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: Sequence[date],
    bys: Sequence[str | None] = (None,),
) -> Source:
    """Where the indicators of `filters` at `dates` by each of `bys` can be read from: the
    lean cube, the cube, the rollup groups, or (other dates, or a pool without rollups) the
    datasets themselves."""
    if not available(con, dates, filters, bys):
        return "datasets"
    if "trainer" in bys or not cube_bounds(filters):
        return "groups"
    if lean(filters, bys):
        return "lean"
    return "cube"


def lean(filters: Filters, bys: Sequence[str | None]) -> bool:
    """True when the lean cube holds what the filters and breakdowns need."""
    return all((by or None) in LEAN_BREAKDOWNS for by in bys) and all(
        getattr(filters, name) in ((), None) for name in LEAN_FILTERS_UNSET
    )


def cube_bounds(filters: Filters) -> bool:
    """True when the share-of-women bounds are ones the cube holds."""
    return (filters.min_pct_women is None or filters.min_pct_women in WOMEN_MIN_BOUNDS) and (
        filters.max_pct_women is None or filters.max_pct_women in WOMEN_MAX_BOUNDS
    )
