"""Named SQL queries: one file each in queries/, loaded once.

A line `--@include <name>` is replaced by the text of queries/<name>.sql, so that the scope
rules (which groups are active and in scope, how money converts) are written once and shared
by every query that needs them.
"""

from __future__ import annotations

import re
from functools import cache

from dashboard.config import PROJECT_ROOT

QUERY_DIR = PROJECT_ROOT / "queries"
_INCLUDE = re.compile(r"^--@include (\w+)\s*$", re.MULTILINE)


@cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql, its includes expanded."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"No query named {name!r} (looked for {path}).")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: sql(m.group(1)), text)
