"""Where sessions and counts of failed sign-ins are kept: this host's sessions.sqlite, or
Redis shared by every host.

Sessions live on the server: the signed cookie holds a random session id; the store keeps
its user, when it began, when it was last used, and a stamp of the user then (the user
store, dashboard.access.users, makes the stamp and decides whether a session is alive). A
session ends at sign-out, after SESSION_HOURS whatever happens (requests do not extend it),
after IDLE_MINUTES without a request, and when the user's password, role or organisation
changes or the user is removed (or `vsla user signout` ends all of a user's sessions).
Sessions and counts of failures (dashboard.access.throttle) live in Redis when
$VSLA_SESSIONS_URL or $VSLA_CACHE_URL names one (every app host shares them: no sticky
sessions), else in this host's sessions.sqlite beside the users.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from dashboard.access.sqlite_files import connect
from dashboard.access.throttle import FORGET, Counts
from dashboard.core.config import redis_package

SESSION_HOURS = 12  # a session's absolute lifetime: requests do not extend it
IDLE_MINUTES = 120  # a session unused this long ends
SEEN_EVERY = 60  # seconds: how often a session's last use is written down

REDIS_PREFIX = "vsla:auth:"


class StoreUnavailable(RuntimeError):
    """The shared store of sessions and failed sign-ins (Redis) cannot be reached."""


def sessions_path(users: Path) -> Path:
    """$VSLA_SESSIONS, else sessions.sqlite beside the user store: this host's sessions and
    counts of failed sign-ins, apart from the users (a user store copied from where users
    are managed replaces the users, not the sessions)."""
    env = os.environ.get("VSLA_SESSIONS")
    return Path(env) if env else users.with_name("sessions.sqlite")


def id_hash(sid: str) -> str:
    """The key a session is kept under: a digest of the cookie's session id (the id itself
    is not kept)."""
    return hashlib.sha256(sid.encode()).hexdigest()


class State(Protocol):
    """Sessions and counts of failed sign-ins: this host's (SQLite) or every host's (Redis)."""

    def add_session(self, key: str, username: str, now: float, stamp: str) -> None: ...
    def session(self, key: str) -> tuple[str, float, float, str] | None: ...
    def touch_session(self, key: str, created: float, now: float) -> None: ...
    def drop_session(self, key: str) -> None: ...
    def drop_user_sessions(self, username: str) -> int: ...

    def attempt(self, keys: list[str], now: float, wait: Callable[[Counts], float]) -> float:
        """In one transaction: the keys' counts, given to `wait`; if it says 0, one more
        failure counted on each key (an attempt is counted before its password is checked).
        Returns what `wait` said."""
        ...

    def settle(self, clear: list[str], undo: list[str]) -> None:
        """A right password: the `clear` keys forget their failures, the `undo` keys lose
        the one this attempt counted."""
        ...

    def clear(self, keys: list[str]) -> None: ...


class SqliteState:
    """This host's sessions and failed sign-ins, in sessions.sqlite beside the users."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _con(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, create_session_tables)

    def add_session(self, key: str, username: str, now: float, stamp: str) -> None:
        with self._con() as con:
            con.execute(
                "DELETE FROM sessions WHERE created < ? OR seen < ?",
                (now - SESSION_HOURS * 3600, now - IDLE_MINUTES * 60),
            )
            con.execute(
                "INSERT INTO sessions (id_hash, username, created, seen, stamp)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, username, now, now, stamp),
            )

    def session(self, key: str) -> tuple[str, float, float, str] | None:
        with self._con() as con:
            return con.execute(
                "SELECT username, created, seen, stamp FROM sessions WHERE id_hash = ?", (key,)
            ).fetchone()

    def touch_session(self, key: str, created: float, now: float) -> None:
        with self._con() as con:
            con.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))

    def drop_session(self, key: str) -> None:
        with self._con() as con:
            con.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))

    def drop_user_sessions(self, username: str) -> int:
        with self._con() as con:
            return con.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount

    def attempt(self, keys: list[str], now: float, wait: Callable[[Counts], float]) -> float:
        with self._con() as con:
            con.execute("BEGIN IMMEDIATE")  # (the check and the count, together)
            marks = ",".join("?" * len(keys))
            counts = {
                key: (failures, last)
                for key, failures, last in con.execute(
                    f"SELECT key, failures, last FROM throttle WHERE key IN ({marks})", keys
                )
            }
            waited = wait(counts)
            if waited <= 0:
                con.executemany(
                    "INSERT INTO throttle (key, failures, last) VALUES (?, 1, ?)"
                    " ON CONFLICT (key) DO UPDATE SET"
                    " failures = CASE WHEN ? - last > ? THEN 1 ELSE failures + 1 END,"
                    " last = excluded.last",
                    [(key, now, now, FORGET) for key in keys],
                )
        return waited

    def settle(self, clear: list[str], undo: list[str]) -> None:
        with self._con() as con:
            con.executemany("DELETE FROM throttle WHERE key = ?", [(k,) for k in clear])
            con.executemany(
                "UPDATE throttle SET failures = failures - 1 WHERE key = ?", [(k,) for k in undo]
            )
            con.execute("DELETE FROM throttle WHERE failures <= 0")

    def clear(self, keys: list[str]) -> None:
        with self._con() as con:
            con.executemany("DELETE FROM throttle WHERE key = ?", [(k,) for k in keys])


class RedisState:
    """Every host's sessions and failed sign-ins, in Redis (keys under REDIS_PREFIX, each
    with an expiry: a session's idle timeout, a count's FORGET)."""

    def __init__(self, url: str) -> None:
        redis = redis_package()

        self.url = url
        self.client = redis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True
        )
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._watch_error = redis.WatchError

    @contextmanager
    def _reached(self) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise StoreUnavailable(
                f"The session store at {self.url} cannot be used: {exc}"
            ) from exc

    @staticmethod
    def _session_key(key: str) -> str:
        return f"{REDIS_PREFIX}session:{key}"

    @staticmethod
    def _user_key(username: str) -> str:
        return f"{REDIS_PREFIX}user-sessions:{username.lower()}"

    @staticmethod
    def _ttl(created: float, now: float) -> int:
        """Seconds a session may still live: until idle, and never past its lifetime."""
        left = min(IDLE_MINUTES * 60, created + SESSION_HOURS * 3600 - now)
        return max(1, math.ceil(left))

    def add_session(self, key: str, username: str, now: float, stamp: str) -> None:
        fields = {"username": username, "created": now, "seen": now, "stamp": stamp}
        with self._reached(), self.client.pipeline() as pipe:
            pipe.hset(self._session_key(key), mapping=fields)
            pipe.expire(self._session_key(key), self._ttl(now, now))
            pipe.sadd(self._user_key(username), key)
            pipe.expire(self._user_key(username), SESSION_HOURS * 3600)
            pipe.execute()

    def session(self, key: str) -> tuple[str, float, float, str] | None:
        with self._reached():
            row = self.client.hgetall(self._session_key(key))
        if not row:
            return None
        return row["username"], float(row["created"]), float(row["seen"]), row["stamp"]

    def touch_session(self, key: str, created: float, now: float) -> None:
        with self._reached(), self.client.pipeline() as pipe:
            pipe.hset(self._session_key(key), "seen", now)
            pipe.expire(self._session_key(key), self._ttl(created, now))
            pipe.execute()

    def drop_session(self, key: str) -> None:
        with self._reached():
            self.client.delete(self._session_key(key))

    def drop_user_sessions(self, username: str) -> int:
        with self._reached():
            keys = self.client.smembers(self._user_key(username))
            gone = self.client.delete(*(self._session_key(k) for k in keys)) if keys else 0
            self.client.delete(self._user_key(username))
        return int(gone)

    def attempt(self, keys: list[str], now: float, wait: Callable[[Counts], float]) -> float:
        names = [REDIS_PREFIX + "throttle:" + key for key in keys]
        with self._reached(), self.client.pipeline() as pipe:
            while True:  # (optimistic: again if another attempt counted meanwhile)
                try:
                    pipe.watch(*names)
                    counts: Counts = {}
                    for key, name in zip(keys, names, strict=True):
                        failures, last = pipe.hmget(name, "failures", "last")
                        if failures is not None and last is not None:
                            counts[key] = (int(failures), float(last))
                    waited = wait(counts)
                    if waited > 0:
                        pipe.unwatch()
                        return waited
                    pipe.multi()
                    for key, name in zip(keys, names, strict=True):
                        failures, last = counts.get(key, (0, now))
                        failures = 1 if now - last > FORGET else failures + 1
                        pipe.hset(name, mapping={"failures": failures, "last": now})
                        pipe.expire(name, math.ceil(FORGET))
                    pipe.execute()
                    return waited
                except self._watch_error:
                    continue

    def settle(self, clear: list[str], undo: list[str]) -> None:
        with self._reached(), self.client.pipeline() as pipe:
            for key in clear:
                pipe.delete(REDIS_PREFIX + "throttle:" + key)
            for key in undo:  # (a key that has expired meanwhile stays gone)
                name = REDIS_PREFIX + "throttle:" + key
                pipe.eval(_UNDO, 1, name)
            pipe.execute()

    def clear(self, keys: list[str]) -> None:
        with self._reached():
            self.client.delete(*(REDIS_PREFIX + "throttle:" + key for key in keys))


# One failure less on a count, in Redis (gone at none; nothing when it has expired).
_UNDO = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HINCRBY', KEYS[1], 'failures', -1) <= 0 then redis.call('DEL', KEYS[1]) end
end
"""

_redis_states: dict[tuple[int, str], RedisState] = {}
_redis_lock = threading.Lock()


def redis_state(url: str) -> RedisState:
    """This process's client of the shared store (made after a gunicorn fork)."""
    with _redis_lock:
        key = (os.getpid(), url)
        if key not in _redis_states:
            _redis_states[key] = RedisState(url)
        return _redis_states[key]


def create_session_tables(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS sessions ("
        " id_hash TEXT PRIMARY KEY,"  # SHA-256 of the cookie's session id
        " username TEXT NOT NULL COLLATE NOCASE,"
        " created REAL NOT NULL,"  # seconds since the epoch
        " seen REAL NOT NULL,"
        " stamp TEXT NOT NULL)"  # the user as the session began (users.UserStore._stamp)
    )
    con.execute("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS throttle ("
        " key TEXT PRIMARY KEY,"  # user:<name> or address:<client address>
        " failures INTEGER NOT NULL,"
        " last REAL NOT NULL)"
    )
    con.commit()
