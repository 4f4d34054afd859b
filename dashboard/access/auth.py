"""Who is looking: users, their organisation and role, and what each viewer may see.

Users live in a small SQLite store beside the pool, separate from it (the pool is read-only
to the web server). Passwords are hashed with Argon2id (argon2-cffi) at OWASP's parameters
for a server (19 MiB, 2 passes, 1 lane: about 25 ms on an idle 2-core server). A sign-in
with a name that does not exist verifies a hash made with the same parameters, so it costs
what a wrong password costs.

Failed sign-ins are throttled (OWASP's authentication cheat sheet: device cookies,
per-user-per-client throttles). Each failure counts against
- the client: a random id the sign-in form's session cookie carries (any username);
- the username at the client's address;
- the username, from anywhere;
- the address (an IPv6 address by its /64), any username;
- the device, when the browser brought a device cookie for that username (a signed cookie
  given at each successful sign-in: dashboard.web.login).
After a few failures of one of them within the hour (THROTTLE), an attempt it applies to is
refused without checking the password until a delay has passed, doubling with each further
failure up to 5 minutes. Which apply:
- with a device cookie for the username: only the device's own count. A browser where the
  user has signed in before is not held up by anyone else's guesses;
- without: the client's, the username's at this address, and the address's, which is a
  high backstop (100 failures) so that one client behind a shared address (a proxy, a
  conference's NAT) does not lock out the others; the username's count from anywhere only
  when this client or this address has failed itself within the hour, so that a right
  password from a clean address is checked and accepted while the user is under attack.
An attempt is counted before its password is checked (in one transaction with the check),
so concurrent guesses cannot slip past the count; a right password takes its attempt back.
The answer is the same for names that exist and names that do not; no account is ever
locked; no request sleeps.

Sessions live on the server: the signed cookie holds a random session id; the store keeps
its user, when it began, when it was last used, and a stamp of the user then. A session ends
at sign-out, after SESSION_HOURS whatever happens (requests do not extend it), after
IDLE_MINUTES without a request, and when the user's password, role or organisation changes
or the user is removed (or `vsla user signout` ends all of a user's sessions). Sessions and
counts of failures live in Redis when $VSLA_SESSIONS_URL or $VSLA_CACHE_URL names one (every
app host shares them: no sticky sessions), else in this host's sessions.sqlite beside the
users.

Roles:
- admin: everything; imports data; manages users;
- member (of an organisation): its own organisation's projects in full, plus the projects
  other organisations share (`shared` = yes), as aggregates;
- guest (nobody logged in): only shared projects, only aggregates.

The viewer comes from the server-side session (dashboard.access.viewer: a signed cookie holding a
session id, checked against the store on every request), never from anything else the
browser sends.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dashboard.core.config import pool_path, redis_package, sessions_redis_url
from dashboard.core.i18n import N_, _, ngettext

log = logging.getLogger(__name__)

ROLES = ("admin", "member")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 8

SESSION_HOURS = 12  # a session's absolute lifetime: requests do not extend it
IDLE_MINUTES = 120  # a session unused this long ends
SEEN_EVERY = 60  # seconds: how often a session's last use is written down

# Throttling (see the module's docstring): after FREE failures of a key in a row, an attempt
# the key applies to waits BASE_DELAY x 2^(failures - FREE) seconds after the key's last
# failure, at most MAX_DELAY; a key forgets its failures FORGET seconds after the last one.
THROTTLE = {  # kind: (FREE, BASE_DELAY)
    "client": (5, 1.0),  # one browser's session, any username
    "user-address": (4, 2.0),  # a username at one address
    "user": (4, 2.0),  # a username from anywhere (only for clients or addresses that failed)
    "address": (100, 1.0),  # one address, any username: a backstop (not for known devices)
    "device": (5, 2.0),  # a device cookie of the username
}
MAX_DELAY = 300.0
FORGET = 3600.0

# Argon2id at OWASP's minimum for a server (m = 19 MiB, t = 2, p = 1): about 25 ms a check
# on a 2-core server, so a sign-in holds a worker briefly; hashes made with other parameters
# are upgraded at their next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_clock = time.time  # (seconds since the epoch; tests move it)
# Verified when a username is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AuthError(ValueError):
    """A user-store request that cannot be done; the message says why in plain words."""


class Throttled(AuthError):
    """Too many failed sign-ins lately (see the module's docstring): try again in
    `seconds`."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


class StoreUnavailable(RuntimeError):
    """The shared store of sessions and failed sign-ins (Redis) cannot be reached."""


@dataclass(frozen=True)
class User:
    username: str
    role: str  # admin or member
    organisation: str | None  # None for admins


@dataclass(frozen=True)
class Viewer:
    """What the current request may see."""

    role: str  # admin, member or guest
    organisation: str | None = None
    username: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        if self.role == "guest":
            return _("Guest: shared data only")
        if self.role == "admin":
            return _("{username} (network admin)").format(username=self.username)
        return f"{self.username} ({self.organisation})"


GUEST = Viewer("guest")
ADMIN = Viewer("admin", username="(command line)")


def users_path(pool: Path | None = None) -> Path:
    """$VSLA_USERS, else users.sqlite beside the pool file (`pool`, else the served one)."""
    env = os.environ.get("VSLA_USERS")
    return Path(env) if env else (pool or pool_path()).with_name("users.sqlite")


def sessions_path(users: Path) -> Path:
    """$VSLA_SESSIONS, else sessions.sqlite beside the user store: this host's sessions and
    counts of failed sign-ins, apart from the users (a user store copied from where users
    are managed replaces the users, not the sessions)."""
    env = os.environ.get("VSLA_SESSIONS")
    return Path(env) if env else users.with_name("sessions.sqlite")


_READY: set[tuple[int, str]] = set()  # (pid, path) of stores whose tables exist


class UserStore:
    """Users in one SQLite file (`path`); sessions and failed sign-ins in Redis shared by
    every host (sessions_redis_url), else in this host's own SQLite file (`sessions_path`).
    Safe for several worker processes (SQLite's locks, writes in short transactions; Redis's
    transactions).

    A session remembers a stamp of its user (role, organisation, password hash and session
    version): when the user store changes them, here or in a copy that arrives from where
    users are managed, the stamp no longer matches and the session has ended."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else users_path()
        self.sessions_path = sessions_path(self.path)
        url = sessions_redis_url()
        self.state: _State = _redis_state(url) if url else _SqliteState(self.sessions_path)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        """The users."""
        return _connect(self.path, _create_user_tables)

    # --- managing users --------------------------------------------------------------------

    def add(self, username: str, password: str, role: str, organisation: str | None) -> User:
        username, organisation = _checked(username, password, role, organisation)
        with self._db() as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise AuthError(f"There is already a user {username!r}.")
            _insert(con, username, password, role, organisation)
        return User(username, role, organisation)

    def add_missing(self, accounts: Iterable[tuple[str, str, str, str | None]]) -> int:
        """Add each (username, password, role, organisation) that is not there yet, in one
        transaction: idempotent, and safe when several processes do it at once (the demo
        accounts, created by every gunicorn worker as it starts). They are marked as
        accounts whose password is public (until it is changed). Returns how many."""
        wanted = [(*_checked(u, p, r, o), p, r) for u, p, r, o in accounts]
        hashed = [(u, _hasher.hash(p), r, o) for u, o, p, r in wanted]  # (before the lock)
        with self._db() as con:
            con.execute("BEGIN IMMEDIATE")
            added = 0
            for username, password_hash, role, organisation in hashed:
                added += con.execute(
                    "INSERT OR IGNORE INTO users (username, role, organisation, password_hash,"
                    " created_at, public) VALUES (?, ?, ?, ?, ?, 1)",
                    (username, role, organisation, password_hash, _now().isoformat()),
                ).rowcount
        return added

    def remove(self, username: str) -> None:
        with self._db() as con:
            if con.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
                raise AuthError(f"There is no user {username!r}.")
        self._forget_sessions(username)

    def set_password(self, username: str, password: str) -> None:
        _check_password(password)
        with self._db() as con:
            changed = con.execute(
                "UPDATE users SET password_hash = ?, public = 0 WHERE username = ?",
                (_hasher.hash(password), username),
            ).rowcount
            if changed == 0:
                raise AuthError(f"There is no user {username!r}.")
        self._forget_sessions(username)
        with contextlib.suppress(StoreUnavailable):
            self.state.clear([_throttle_key("user", username)])

    def set_role(self, username: str, role: str, organisation: str | None) -> User:
        """Change a user's role (and organisation); their sessions end."""
        user = self.get(username)
        if user is None:
            raise AuthError(f"There is no user {username!r}.")
        _name, organisation = _checked(user.username, "x" * MIN_PASSWORD, role, organisation)
        with self._db() as con:
            con.execute(
                "UPDATE users SET role = ?, organisation = ? WHERE username = ?",
                (role, organisation, user.username),
            )
        self._forget_sessions(user.username)
        return User(user.username, role, organisation)

    def sign_out_everywhere(self, username: str) -> int:
        """End every session of a user, on every host that gets this user store (its
        session version moves on); returns how many this host had."""
        with self._db() as con:
            if not con.execute(
                "UPDATE users SET session_version = session_version + 1 WHERE username = ?",
                (username,),
            ).rowcount:
                raise AuthError(f"There is no user {username!r}.")
        return self._forget_sessions(username)

    def _forget_sessions(self, username: str) -> int:
        """Drop the sessions of a user this host knows of (all of them, when they are kept
        in Redis): they have ended, their stamp is old. Without the shared store, nothing
        (the stamp ends them at their next request all the same)."""
        try:
            return self.state.drop_user_sessions(username)
        except StoreUnavailable as exc:
            log.warning("%s; the sessions of %s end at their next request", exc, username)
            return 0

    def users(self) -> list[User]:
        with self._db() as con:
            rows = con.execute(
                "SELECT username, role, organisation FROM users"
                " ORDER BY role, organisation, username"
            ).fetchall()
        return [User(*row) for row in rows]

    def has_password(self, username: str, password: str) -> bool:
        """Whether `password` is the user's (no throttling: for the store's own checks)."""
        with self._db() as con:
            row = con.execute(
                "SELECT password_hash FROM users WHERE username = ?", (username,)
            ).fetchone()
        return row is not None and _verify(row[0], password)

    def get(self, username: str) -> User | None:
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, organisation FROM users WHERE username = ?", (username,)
            ).fetchone()
        return User(*row) if row else None

    # --- signing in ------------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, address: str = "", client: str = "", device: str = ""
    ) -> User:
        """The user, if the password is right; else AuthError, or Throttled while the
        throttles that apply to this attempt hold (the password is then not even checked;
        the module's docstring says which apply). `address` is the client's address,
        `client` the random id its session cookie carries, `device` the id of a device
        cookie the caller has found valid for this username (empty: none). Messages never
        say whether the name exists. Raises StoreUnavailable when the shared store cannot
        be reached (nothing is checked then)."""
        username = username.strip()
        keys = _attempt_keys(username, address, client, device)
        now = _clock()

        def wait(counts: dict[str, tuple[int, float]]) -> float:
            return _throttle_wait(keys, counts, now)

        waited = self.state.attempt(list(keys), now, wait)
        if waited > 0:
            seconds = math.ceil(waited)
            raise Throttled(
                ngettext(
                    "Too many failed sign-ins; try again in {seconds} second.",
                    "Too many failed sign-ins; try again in {seconds} seconds.",
                    seconds,
                ).format(seconds=seconds),
                seconds,
            )
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, organisation, password_hash FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        # An unknown name verifies a hash of the same parameters: it costs the same.
        stored = row[3] if row else _DUMMY_HASH
        right = _verify(stored, password)
        if row is None or not right:
            raise AuthError(_("The username or password is not right."))  # (counted)
        # The attempt is taken back: this browser's records are cleared, the shared ones
        # lose this one attempt (others' failures stay counted).
        mine = [k for k, kind in keys.items() if kind in ("client", "device")]
        self.state.settle(mine, [k for k in keys if k not in mine])
        name, role, organisation, _hash = row
        if _hasher.check_needs_rehash(stored):
            with self._db() as con:
                con.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ?",
                    (_hasher.hash(password), name),
                )
        return User(name, role, organisation)

    # --- sessions --------------------------------------------------------------------------

    def _stamp(self, username: str) -> tuple[User, str] | None:
        """The user and the stamp its sessions carry: a digest of its role, organisation,
        password hash and session version (None: no such user)."""
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, organisation, password_hash, session_version"
                " FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        if row is None:
            return None
        name, role, organisation, password_hash, version = row
        stamp = hashlib.sha256(
            "\x1f".join((role, organisation or "", password_hash, str(version))).encode()
        ).hexdigest()
        return User(name, role, organisation), stamp

    def start_session(self, username: str) -> str:
        """A new session of a user (signed in just now); returns its id (for the cookie)."""
        found = self._stamp(username)
        if found is None:
            raise AuthError(f"There is no user {username!r}.")
        sid = secrets.token_urlsafe(32)
        self.state.add_session(_hash_id(sid), found[0].username, _clock(), found[1])
        return sid

    def session_user(self, sid: str) -> User | None:
        """The user of a live session, or None (unknown, signed out, expired, idle, or its
        user removed or changed since it began); a live session's last use is noted (once
        a minute). Raises StoreUnavailable when the shared store cannot be reached."""
        now = _clock()
        key = _hash_id(sid)
        row = self.state.session(key)
        if row is None:
            return None
        username, created, seen, stamp = row
        found = self._stamp(username)
        alive = now - created <= SESSION_HOURS * 3600 and now - seen <= IDLE_MINUTES * 60
        if found is None or found[1] != stamp or not alive:
            self.state.drop_session(key)
            return None
        if now - seen > SEEN_EVERY:
            self.state.touch_session(key, created, now)
        return found[0]

    def end_session(self, sid: str) -> None:
        self.state.drop_session(_hash_id(sid))


# --- Where sessions and failed sign-ins are kept ---------------------------------------------

Counts = dict[str, tuple[int, float]]  # throttle key: (failures, time of the last)


class _State(Protocol):
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


class _SqliteState:
    """This host's sessions and failed sign-ins, in sessions.sqlite beside the users."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _con(self) -> AbstractContextManager[sqlite3.Connection]:
        return _connect(self.path, _create_session_tables)

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


REDIS_PREFIX = "vsla:auth:"


class _RedisState:
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

_redis_states: dict[tuple[int, str], _RedisState] = {}
_redis_lock = threading.Lock()


def _redis_state(url: str) -> _RedisState:
    """This process's client of the shared store (made after a gunicorn fork)."""
    with _redis_lock:
        key = (os.getpid(), url)
        if key not in _redis_states:
            _redis_states[key] = _RedisState(url)
        return _redis_states[key]


@contextmanager
def _connect(
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


def _create_user_tables(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS users ("
        " username TEXT PRIMARY KEY COLLATE NOCASE,"
        " role TEXT NOT NULL CHECK (role IN ('admin', 'member')),"
        " organisation TEXT,"
        " password_hash TEXT NOT NULL,"
        " failures INTEGER NOT NULL DEFAULT 0,"  # (no longer used: throttling instead)
        " locked_until TEXT,"  # (no longer used)
        " created_at TEXT NOT NULL,"
        " session_version INTEGER NOT NULL DEFAULT 0,"  # moved on by signing out everywhere
        " public INTEGER)"  # 1: a demo account with its public password; NULL: not known
    )
    columns = {row[1] for row in con.execute("PRAGMA table_info(users)")}
    if "session_version" not in columns:  # (a store made before sessions had versions)
        con.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
    if "public" not in columns:  # (made before demo accounts were marked: not known)
        con.execute("ALTER TABLE users ADD COLUMN public INTEGER")
    con.commit()


def _create_session_tables(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS sessions ("
        " id_hash TEXT PRIMARY KEY,"  # SHA-256 of the cookie's session id
        " username TEXT NOT NULL COLLATE NOCASE,"
        " created REAL NOT NULL,"  # seconds since the epoch
        " seen REAL NOT NULL,"
        " stamp TEXT NOT NULL)"  # the user as the session began (UserStore._stamp)
    )
    con.execute("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS throttle ("
        " key TEXT PRIMARY KEY,"  # user:<name> or address:<client address>
        " failures INTEGER NOT NULL,"
        " last REAL NOT NULL)"
    )
    con.commit()


def _checked(
    username: str, password: str, role: str, organisation: str | None
) -> tuple[str, str | None]:
    """A new user's (username, organisation), or AuthError saying what is wrong."""
    username = username.strip()
    if not USERNAME.match(username):
        raise AuthError(
            f"{username!r} cannot be a username: use 2-64 letters, digits or . _ @ - "
            "(starting with a letter or digit)."
        )
    if role not in ROLES:
        raise AuthError(f"Role {role!r} is not known: expected admin or member.")
    if role == "member" and not (organisation or "").strip():
        raise AuthError("A member belongs to an organisation: give --organisation.")
    _check_password(password)
    return username, (None if role == "admin" else organisation)


def _insert(
    con: sqlite3.Connection, username: str, password: str, role: str, organisation: str | None
) -> None:
    con.execute(
        "INSERT INTO users (username, role, organisation, password_hash, created_at, public)"
        " VALUES (?, ?, ?, ?, ?, 0)",
        (username, role, organisation, _hasher.hash(password), _now().isoformat()),
    )


def _hash_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _throttle_key(kind: str, value: str) -> str:
    """`kind:` and a digest of the value (a username of any length, an address: neither is
    kept in clear)."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"{kind}:{digest[:32]}"


def _address_of(address: str) -> str:
    """The address a throttle counts: an IPv6 address by its /64 (one host usually has a
    whole /64 to pick addresses from), an IPv4 address as it is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # (::ffff:a.b.c.d is a.b.c.d)
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _attempt_keys(username: str, address: str, client: str, device: str) -> dict[str, str]:
    """The throttle keys a sign-in attempt counts against: {key: kind}."""
    address = _address_of(address)
    name = username.strip().lower()
    kinds = {
        "client": client,
        "user-address": f"{name}\x1f{address}",
        "user": name,
        "address": address,
        "device": device,
    }
    return {
        _throttle_key(kind, value): kind
        for kind, value in kinds.items()
        if value and (kind != "address" or address)  # (none from the command line)
    }


def _delay(kind: str, failures: int, last: float, now: float) -> float:
    """Seconds until a key of `kind` with these failures lets an attempt through."""
    free, base = THROTTLE[kind]
    if failures < free or now - last > FORGET:
        return 0.0
    return max(0.0, last + min(MAX_DELAY, base * 2 ** (failures - free)) - now)


def _throttle_wait(keys: dict[str, str], counts: Counts, now: float) -> float:
    """Seconds until an attempt with these keys ({key: kind}) and counts may be checked (0:
    now): with a device cookie of the username, only the device's count applies; without,
    the client's, the username's at this address and the address's, and the username's
    from anywhere when this client or address has failed within FORGET."""
    fresh = {k: c for k, c in counts.items() if now - c[1] <= FORGET}
    kinds = set(keys.values())
    if "device" in kinds:
        applies = {"device"}
    else:
        applies = {"client", "user-address", "address"}
        if any(keys[k] in ("client", "address") and f > 0 for k, (f, _l) in fresh.items()):
            applies.add("user")
    waits = [_delay(keys[k], f, last, now) for k, (f, last) in fresh.items() if keys[k] in applies]
    return max(waits, default=0.0)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"A password needs at least {MIN_PASSWORD} characters.")


def _now() -> datetime:
    return datetime.now(UTC)


# --- Demo accounts -------------------------------------------------------------------------

DEMO_ADMIN = ("admin", "demo-admin")
DEMO_ADMIN_WHO = N_("network admin")  # the admin's "who" (kept in English; shown translated)


def demo_username(organisation: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", organisation.lower()).strip("-")


def demo_accounts(organisations: Iterable[str]) -> list[tuple[str, str, str]]:
    """(username, password, who) of the demo pool: an admin and one per organisation."""
    out = [(DEMO_ADMIN[0], DEMO_ADMIN[1], DEMO_ADMIN_WHO)]
    for org in sorted(organisations):
        name = demo_username(org)
        out.append((name, f"demo-{name}", org))
    return out


def public_demo_password(user: User) -> str | None:
    """The published password an account of the demo's shape was made with (the admin
    `admin`, or a member named after its organisation as demo_accounts names it), else
    None. Whether the account still has it is for the store to say."""
    name = user.username.lower()
    if user.role == "admin" and name == DEMO_ADMIN[0]:
        return DEMO_ADMIN[1]
    if user.role == "member" and user.organisation and name == demo_username(user.organisation):
        return f"demo-{name}"
    return None


def remove_public_demo_accounts(store: UserStore) -> list[str]:
    """Remove the demo accounts that still have their public password (it is in the README
    and on the demo's sign-in page): a pool of real data must have none. A demo account
    whose password was changed is kept (it is no longer public). Returns the usernames
    removed; a store that does not exist yet is left so."""
    if not store.path.exists():
        return []
    with store._db() as con:
        rows = con.execute(
            "SELECT username, role, organisation, public FROM users"
            " WHERE public IS NULL OR public = 1 ORDER BY role, organisation, username"
        ).fetchall()
    removed = []
    for username, role, organisation, public in rows:
        if public is None:  # an account made before they were marked: is it a demo one?
            password = public_demo_password(User(username, role, organisation))
            public = int(password is not None and store.has_password(username, password))
            with store._db() as con:
                con.execute("UPDATE users SET public = ? WHERE username = ?", (public, username))
        if public:
            store.remove(username)
            removed.append(username)
    return removed


def ensure_demo_accounts(store: UserStore, organisations: Iterable[str]) -> None:
    """Create the demo accounts that are missing (a changed password is kept): in one
    transaction, so that the workers of a fresh start can all do it at once."""
    accounts = demo_accounts(organisations)
    existing = {u.username.lower() for u in store.users()}
    if all(username.lower() in existing for username, _p, _w in accounts):
        return
    store.add_missing(
        (username, password, *(("admin", None) if who == DEMO_ADMIN_WHO else ("member", who)))
        for username, password, who in accounts
    )


# --- What a viewer may see -----------------------------------------------------------------


def visible_projects(viewer: Viewer, projects: Iterable[tuple[str, str, bool]]) -> tuple[str, ...]:
    """Project ids a viewer may see as aggregates: (project_id, organisation, shared)."""
    return tuple(
        pid
        for pid, org, shared in projects
        if viewer.is_admin or shared or (viewer.role == "member" and org == viewer.organisation)
    )


def detailed_projects(viewer: Viewer, projects: Iterable[tuple[str, str, bool]]) -> tuple[str, ...]:
    """Project ids a viewer may see in detail (per trainer, per group): its own."""
    return tuple(
        pid
        for pid, org, _shared in projects
        if viewer.is_admin or (viewer.role == "member" and org == viewer.organisation)
    )
