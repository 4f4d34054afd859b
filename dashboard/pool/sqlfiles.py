"""Named SQL queries: one file each in queries/, loaded once.

A line `--@include <name>` is replaced by the text of queries/<name>.sql, so that the scope
rules (which groups are active and in scope, how money converts) are written once and shared
by every query that needs them (the line may be indented). A swap ("active=active_rollup")
includes another file in place of a named one: the same query, reading its active groups from
another source. A few names are not files but lists generated from one tuple of Python: the
summed measures (dashboard.core.measures.FRAGMENTS, e.g. `--@include measure_sums`); fixed text
only, never a user's value (values are bound parameters).
"""

from __future__ import annotations

import re
from functools import cache

from dashboard.core.config import FILES_ROOT
from dashboard.core.measures import FRAGMENTS

QUERY_DIR = FILES_ROOT / "queries"
_INCLUDE = re.compile(r"^[ \t]*--@include (\w+)\s*$", re.MULTILINE)


@cache
def sql(name: str, *swaps: str) -> str:
    """The text of queries/<name>.sql, its includes expanded (with the `swaps` applied)."""
    replace = dict(swap.split("=", 1) for swap in swaps)
    target = replace.get(name, name)
    if target in FRAGMENTS:
        return f"-- (generated: dashboard.core.measures.{target})\n{FRAGMENTS[target]()}"
    path = QUERY_DIR / f"{target}.sql"
    if not path.is_file():
        raise KeyError(f"No query named {name!r} (looked for {path}).")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: sql(replace.get(m.group(1), m.group(1)), *swaps), text)
