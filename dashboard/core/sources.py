"""Where the indicators of a view are read from: the rollups built at import (the lean
cube, the cube, the rollup groups), or the datasets themselves. dashboard.analytics.rollups builds
them; this module only knows what they hold, so that the engine (dashboard.analytics.engine) and
the builder can both use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import duckdb

from dashboard.core.filters import Filters

# 3: yes_fields; 4: rollup_network (the network's own indicators); 5: the cell keys (the
# groups' keys of disclosure control, summed per cell); 6: the groups' permanent noise, and
# every group's key (rollup_group_keys)
ROLLUP_VERSION = "6"

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
# Every group's key of disclosure control, read from rollup_group_keys instead of hashed.
KEPT_KEYS = "group_keys=group_keys_table"


def rollups_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the pool's rollups are of this version (else the queries work from the
    datasets and groups themselves, correctly and more slowly)."""
    row = con.execute("SELECT value FROM pool_meta WHERE key = 'rollups'").fetchone()
    return row is not None and row[0] == ROLLUP_VERSION


def keys(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The swap of a query counting groups (group_keys.sql): the keys the import kept, when
    the pool's rollups hold them."""
    return (KEPT_KEYS,) if rollups_current(con) else ()


def available(
    con: duckdb.DuckDBPyConnection,
    dates: Sequence[date],
    filters: Filters | None = None,
    bys: Sequence[str | None] = (),
) -> bool:
    """True when the pool has rollups of this version holding every one of `dates` (and
    every yes/no field the filters and breakdowns name: one declared since the last import
    is not in them)."""
    if not rollups_current(con):
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
