"""Data quality: the pool's warnings (questionable data) and its import provenance.

Shared by the importer and the demo generator, so that every pool carries the same flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from dashboard import __version__
from dashboard.core.i18n import N_
from dashboard.pool.sqlfiles import sql

# Human names of the warning rules, for summaries (the message column says more); marked for
# the catalogs, translated where shown: `_(WARNING_RULES[rule])`.
WARNING_RULES: dict[str, str] = {
    "high_savings_per_member": N_("savings per member over 10x the project's median"),
    "low_attendance": N_("attendance below 30%"),
    "high_dropouts": N_("dropouts above half of members at start"),
    "high_portfolio_at_risk": N_("portfolio at risk above 50%"),
    "members_far_from_start": N_("members more than 50% away from members at start"),
    "long_cycle": N_("cycle longer than 18 months"),
    "ageing_data": N_("group's latest dataset older than 6 months"),
    "large_amount": N_("an amount of one group above USD 100,000"),
    "loans_above_members": N_("more loans outstanding than members"),
}


# Short names of the rules, for lists of a project's warnings ("ageing data (52), low
# attendance (3)": the data page, the report): translated where shown, by rule_counts.
WARNING_NAMES: dict[str, str] = {
    "high_savings_per_member": N_("high savings per member"),
    "low_attendance": N_("low attendance"),
    "high_dropouts": N_("high dropouts"),
    "high_portfolio_at_risk": N_("high portfolio at risk"),
    "members_far_from_start": N_("members far from start"),
    "long_cycle": N_("long cycle"),
    "ageing_data": N_("ageing data"),
    "large_amount": N_("large amount"),
    "loans_above_members": N_("loans above members"),
}


def rule_counts(text: str) -> str:
    """A project's warnings by rule as the pool's query lists them ("ageing_data (52),
    low_attendance (3)": queries/project_quality.sql) in the words of the language in force
    ("ageing data (52), low attendance (3)"); any other text as it is."""
    from dashboard.core.format import number
    from dashboard.core.i18n import _

    out = []
    for part in text.split(", ") if isinstance(text, str) and text else ():
        found = re.fullmatch(r"([a-z0-9_]+) \((\d+)\)", part)
        if found is None:
            return text
        rule, count = found.groups()
        name = _(WARNING_NAMES[rule]) if rule in WARNING_NAMES else rule.replace("_", " ")
        out.append(f"{name} ({number(int(count))})")
    return ", ".join(out) if out else text


# Columns of `imports` added after schema version 1's first release: a pool made before them
# gains them at its next import (queries read them only where they exist).
IMPORT_COLUMNS_ADDED = ("imported_by", "moves")


def next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()
    assert row is not None
    return int(row[0])


def refresh_warnings(con: duckdb.DuckDBPyConnection, import_id: int) -> dict[str, int]:
    """Recompute every warning of the pool; flags that already existed keep their import_id,
    new ones get this import's. Returns the count of new flags per rule."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _new_warnings AS
        WITH fresh AS ({sql("warnings")})
        SELECT f.*, coalesce(w.import_id, $import_id) AS import_id
        FROM fresh f
        LEFT JOIN warnings w
          ON w.rule = f.rule AND w.project_id = f.project_id
         AND w.group_id IS NOT DISTINCT FROM f.group_id
         AND w.report_date IS NOT DISTINCT FROM f.report_date
        """,
        {"import_id": import_id},
    )
    con.execute("DELETE FROM warnings")
    con.execute("INSERT INTO warnings SELECT * FROM _new_warnings")
    con.execute("DROP TABLE _new_warnings")
    rows = con.execute(
        "SELECT rule, count(*) FROM warnings WHERE import_id = $i GROUP BY rule ORDER BY rule",
        {"i": import_id},
    ).fetchall()
    return {rule: int(n) for rule, n in rows}


def record_import(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    *,
    files: Sequence[Mapping[str, Any]],
    rows_added: Mapping[str, int],
    rows_replaced: Mapping[str, int],
    warnings: int,
    seconds: float,
    moves: Sequence[Mapping[str, str]] = (),
    by: str | None = None,
) -> None:
    """One row of the pool's import record. `moves`: projects the import gave to another
    organisation ({project_id, from, to}); `by`: who imported."""
    for column in IMPORT_COLUMNS_ADDED:  # (pools made before these columns)
        con.execute(f"ALTER TABLE imports ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    con.execute(
        "INSERT INTO imports (import_id, imported_at, files, rows_added, rows_replaced,"
        " warnings, seconds, tool_version, imported_by, moves)"
        " VALUES ($id, $at, $files, $added, $replaced, $warnings, $s, $v, $by, $moves)",
        {
            "id": import_id,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "files": json.dumps(list(files)),
            "added": json.dumps(dict(rows_added)),
            "replaced": json.dumps(dict(rows_replaced)),
            "warnings": warnings,
            "s": seconds,
            "v": f"vsla {__version__}",
            "by": by,
            "moves": json.dumps([dict(m) for m in moves]),
        },
    )
