"""Named SQL queries: one file each in queries/, loaded once."""

from __future__ import annotations

from functools import cache

from dashboard.config import PROJECT_ROOT

QUERY_DIR = PROJECT_ROOT / "queries"


@cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"No query named {name!r} (looked for {path}).")
    return path.read_text(encoding="utf-8")
