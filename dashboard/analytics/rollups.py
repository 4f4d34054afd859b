"""Rollups: what the indicators need, worked out once at import instead of at every view.

The indicators of a date rest on each group's latest dataset up to that date (scope.sql);
finding it means a pass over every dataset. At import, for every *rollup date* (each quarter
end from the pool's first quarter, the latest report date and the date a year before it: every
as-of date the dashboard offers, and every trend point), these tables are built:

- rollup_groups: those latest datasets, one row per active group and date, with the group's
  attributes, USD rate, cycle length and data age (the rows active.sql finds);
- rollup_cube: the same rows summed per date, project and combination of the group-level
  keys the filters and breakdowns use (trained by, setting, tags, status, first cycle, the
  share-of-women bands and bounds, youth band), every measure the indicators add up;
- rollup_lean: the cube summed over every group-level key but trained by (a few rows per
  project and date), for the views without theme filters (most trends);
- rollup_group_keys: every group's key of disclosure control (dashboard.analytics.disclosure), for
the
  counts of groups beyond the active ones (data quality, groups registered).

They come from the same SQL as the live queries (the scope rules and grouped.sql), so the
indicators read from them are the live ones (tests compare the three sources). `source`
says which a query may use; pools without rollups (imported by an older version) use the
datasets, correctly and more slowly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import duckdb

from dashboard.analytics import disclosure
from dashboard.analytics.engine import network_key, network_measures, present_columns, with_fields
from dashboard.core import network
from dashboard.core.filters import Filters
from dashboard.core.indicators import comparison_date, trend_dates
from dashboard.core.sources import (  # (the choice of source, re-exported for callers here)
    FROM_GROUPS,
    LEAN_BREAKDOWNS,
    LEAN_FILTERS_UNSET,
    ROLLUP_VERSION,
    WOMEN_MAX_BOUNDS,
    WOMEN_MIN_BOUNDS,
    Source,
    available,
    cube_bounds,
    lean,
    source,
)
from dashboard.pool.sqlfiles import sql

__all__ = [
    "FROM_GROUPS",
    "LEAN_BREAKDOWNS",
    "LEAN_FILTERS_UNSET",
    "ROLLUP_VERSION",
    "WOMEN_MAX_BOUNDS",
    "WOMEN_MIN_BOUNDS",
    "Source",
    "available",
    "build",
    "cube_bounds",
    "lean",
    "rollup_dates",
    "source",
]


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
    for table in (
        "rollup_network",
        "rollup_lean",
        "rollup_cube",
        "rollup_groups",
        "rollup_dates",
        "rollup_group_keys",
    ):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("CREATE TABLE rollup_dates (as_of DATE PRIMARY KEY)")
    con.execute("INSERT INTO rollup_dates SELECT unnest($d::DATE[])", {"d": dates})
    present = present_columns(con)
    groups_sql = with_fields(con, sql("rollup_groups", "latest=latest_lead"), present)
    con.execute(f"CREATE TABLE rollup_groups AS {groups_sql}", params)
    con.execute(f"CREATE TABLE rollup_cube AS {sql('rollup_cube', FROM_GROUPS)}", params)
    con.execute(f"CREATE TABLE rollup_lean AS {sql('rollup_lean')}")
    con.execute(f"CREATE TABLE rollup_group_keys AS {sql('rollup_group_keys')}")
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
