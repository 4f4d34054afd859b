"""The access layer's SQLite files (the users in dashboard.access.users, this host's
sessions in dashboard.access.sessions): a connection to one, its tables made once per
process, its work committed at the end (or rolled back)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_READY: set[tuple[int, str]] = set()  # (pid, path) of files whose tables exist


@contextmanager
def connect(
    path: Path, create: Callable[[sqlite3.Connection], None]
) -> Iterator[sqlite3.Connection]:
    """A connection to one of the store's files, its tables made (once per process), its
    work committed at the end (or rolled back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10)
    try:
        ready = (os.getpid(), str(path.resolve()))
        if ready not in _READY:
            create(con)
            _READY.add(ready)
        with con:
            yield con
    finally:
        con.close()
