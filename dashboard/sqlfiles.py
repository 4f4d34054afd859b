"""Named SQL queries: one file each in queries/, loaded once.

A line `--@include <name>` is replaced by the text of queries/<name>.sql, so that the scope
rules (which groups are active and in scope, how money converts) are written once and shared
by every query that needs them. A swap ("active=active_rollup") includes another file in
place of a named one: the same query, reading its active groups from another source.
"""

from __future__ import annotations

import re
from functools import cache

from dashboard.config import FILES_ROOT

QUERY_DIR = FILES_ROOT / "queries"
_INCLUDE = re.compile(r"^[ \t]*--@include (\w+)\s*$", re.MULTILINE)


@cache
def sql(name: str, *swaps: str) -> str:
    """The text of queries/<name>.sql, its includes expanded (with the `swaps` applied)."""
    replace = dict(swap.split("=", 1) for swap in swaps)
    path = QUERY_DIR / f"{replace.get(name, name)}.sql"
    if not path.is_file():
        raise KeyError(f"No query named {name!r} (looked for {path}).")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: sql(replace.get(m.group(1), m.group(1)), *swaps), text)
