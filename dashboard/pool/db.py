"""The web process's read-only access to the pool.

One DuckDB connection per process, opened lazily (after a gunicorn fork, never at import),
and a cursor per call so that threads never share a result set.

An import swaps in a new pool file (os.replace). The next call here notices (the file's
inode, mtime and size changed), waits for the cursors still reading the old file to finish,
closes the old connection and opens the new file. The old connection must be closed first:
DuckDB keeps one database instance per path in a process, and a new connect() to the same
path would otherwise be handed the old instance, with the old data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from dashboard.core.config import Settings
from dashboard.pool.files import open_pool

log = logging.getLogger(__name__)

DRAIN_SECONDS = 60.0  # how long a swap waits for the old file's readers

_lock = threading.Lock()
_idle = threading.Condition(_lock)  # notified when a cursor closes
_mine = threading.local()  # cursors this thread has open (it never waits for itself)
_state: dict[str, object] = {
    "con": None,
    "pid": None,
    "path": None,
    "version": None,
    "data_version": None,
    "readers": 0,  # cursors open on `con`
}


def _file_version(path: object) -> tuple[int, int, int] | None:
    """The identity of the pool file now: an import swaps in a new file (new inode/mtime)."""
    try:
        st = os.stat(str(path))
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _close_locked() -> None:
    """Close this process's connection once no cursor reads through it (caller holds _lock)."""
    con = _state["con"]
    if isinstance(con, duckdb.DuckDBPyConnection) and _state["pid"] == os.getpid():
        own = getattr(_mine, "readers", 0)
        if not _idle.wait_for(lambda: _state["readers"] <= own, timeout=DRAIN_SECONDS):
            log.warning("Closing the pool with %s reads still running.", _state["readers"])
        with contextlib.suppress(duckdb.Error):
            con.close()
    _state.update(con=None, pid=None, path=None, version=None, data_version=None, readers=0)


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
            if _state["pid"] == os.getpid():
                _close_locked()  # (a forked child never closes its parent's connection)
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
                readers=0,
            )
        assert isinstance(con, duckdb.DuckDBPyConnection)
        return con


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for one unit of work (results fetched before it closes)."""
    while True:
        con = connection()
        with _lock:
            if _state["con"] is con:  # (not swapped meanwhile by another thread)
                cur = con.cursor()
                _state["readers"] = int(_state["readers"]) + 1  # type: ignore[call-overload]
                break
    _mine.readers = getattr(_mine, "readers", 0) + 1
    try:
        yield cur
    finally:
        cur.close()
        _mine.readers -= 1
        with _lock:
            if _state["con"] is con:
                _state["readers"] = int(_state["readers"]) - 1  # type: ignore[call-overload]
            _idle.notify_all()


def reset() -> None:
    """Close this process's connection, once its reads are done (tests; the import page,
    before it writes a new version of the pool)."""
    with _lock:
        _close_locked()


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
