"""Opening and creating pool files, with the schema version check.

The dashboard opens pools read-only; only the importer (dashboard.ingest.write) writes,
and it does so on a copy that is swapped in atomically.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dashboard import __version__
from dashboard.pool.sqlfiles import sql

SCHEMA_VERSION = "1"

# Tables of the data contract, in dependency order (parents first).
DATA_TABLES: tuple[str, ...] = (
    "exchange_rates",
    "projects",
    "project_reports",
    "groups",
    "datasets",
)

KEYS: dict[str, tuple[str, ...]] = {
    "exchange_rates": ("currency", "year"),
    "projects": ("project_id",),
    "project_reports": ("project_id", "period_end"),
    "groups": ("project_id", "group_id"),
    "datasets": ("project_id", "group_id", "report_date"),
}


class PoolError(Exception):
    """A pool file that cannot be used; the message is one sentence for the user."""


# pool_meta's key of the secret the groups' keys of the cell-key method come from
# (dashboard.analytics.disclosure): a pool gets one when it is made
SECRET_KEY = "cell_key_secret"


def new_secret() -> str:
    """A new pool's secret (pool_meta 'cell_key_secret')."""
    return secrets.token_hex(32)


def connect(
    path: str | os.PathLike[str],
    *,
    read_only: bool = True,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file with this project's settings (no extension downloads)."""
    config: dict[str, str | bool | int] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    return duckdb.connect(str(path), read_only=read_only, config=config)


def open_pool(
    path: str | os.PathLike[str],
    *,
    read_only: bool = True,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open an existing pool and check that it is one, of this schema version."""
    path = Path(path)
    if not path.is_file():
        raise PoolError(
            f"There is no pool at {path}: build the demo pool with `vsla demo` "
            "or import data with `vsla import FILE`."
        )
    try:
        con = connect(path, read_only=read_only, threads=threads, memory_limit=memory_limit)
    except duckdb.Error as exc:
        raise PoolError(f"{path} is not a pool file (DuckDB cannot open it: {exc}).") from exc
    check_version(con, path)
    return con


def check_version(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> None:
    try:
        row = con.execute("SELECT value FROM pool_meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        con.close()
        raise PoolError(
            f"{path} is a DuckDB file but not a savings-group pool (it has no pool_meta table)."
        ) from None
    if row is None or row[0] != SCHEMA_VERSION:
        found = row[0] if row else "none"
        con.close()
        raise PoolError(
            f"{path} is a pool of schema version {found}, but this version of the software "
            f"reads version {SCHEMA_VERSION}: re-import its data into a new pool."
        )


def create_pool(path: str | os.PathLike[str], *, kind: str = "pool") -> None:
    """Create an empty pool file at path (which must not exist)."""
    path = Path(path)
    if path.exists():
        raise PoolError(f"Cannot create a pool at {path}: a file is already there.")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=False)
    try:
        con.execute(sql("schema"))
        con.executemany(
            "INSERT INTO pool_meta VALUES (?, ?)",
            [
                ["schema_version", SCHEMA_VERSION],
                ["created_at", datetime.now(UTC).isoformat(timespec="seconds")],
                ["created_by", f"vsla {__version__}"],
                ["kind", kind],
                # the groups' keys of the cell-key method come from it
                # (dashboard.analytics.disclosure)
                [SECRET_KEY, new_secret()],
            ],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM pool_meta").fetchall())
