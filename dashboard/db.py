"""The web process's read-only access to the pool.

One DuckDB connection per process, opened lazily (after a gunicorn fork, never at import),
and a cursor per call so that threads never share a result set.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from dashboard.config import Settings
from dashboard.pool import open_pool

_lock = threading.Lock()
_state: dict[str, object] = {
    "con": None,
    "pid": None,
    "path": None,
    "version": None,
    "data_version": None,
}


def _file_version(path: object) -> tuple[int, int, int] | None:
    """The identity of the pool file now: an import swaps in a new file (new inode/mtime)."""
    try:
        st = os.stat(str(path))
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def connection() -> duckdb.DuckDBPyConnection:
    """This process's read-only connection to the pool of the current settings."""
    settings = Settings.from_env()
    with _lock:
        con = _state["con"]
        version = _file_version(settings.db)
        if (
            con is None
            or _state["pid"] != os.getpid()
            or _state["path"] != settings.db
            or _state["version"] != version
        ):
            # The old connection is not closed here: another thread may still be reading
            # through it; it goes when its last cursor does.
            con = open_pool(
                settings.db,
                read_only=True,
                threads=settings.threads,
                memory_limit=settings.memory_limit,
            )
            row = con.execute("SELECT value FROM pool_meta WHERE key = 'data_version'").fetchone()
            _state.update(
                con=con,
                pid=os.getpid(),
                path=settings.db,
                version=version,
                data_version=row[0] if row else None,
            )
        assert isinstance(con, duckdb.DuckDBPyConnection)
        return con


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for one unit of work (results fetched before it closes)."""
    con = connection()
    with _lock:
        cur = con.cursor()
    try:
        yield cur
    finally:
        cur.close()


def reset() -> None:
    """Close this process's connection (tests, or after the pool file was replaced)."""
    with _lock:
        con = _state["con"]
        if isinstance(con, duckdb.DuckDBPyConnection):
            # Still reading in another thread? It then closes with its last cursor.
            with contextlib.suppress(duckdb.Error):
                con.close()
        _state.update(con=None, pid=None, path=None, version=None, data_version=None)


def pool_version() -> tuple[str, ...]:
    """What identifies the data now served (a cache key part that changes with each import):
    the version id every import writes into the pool, the same on every host serving a copy
    of it; for a pool without one, its path and file identity."""
    connection()  # reopened if an import replaced the file
    with _lock:
        data_version = _state["data_version"]
        if isinstance(data_version, str):
            return ("data", data_version)
        return (str(_state["path"]), str(_state["version"]))
