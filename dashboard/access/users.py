"""The users: who may sign in, with which password, role and organisation; signing in and
the sessions of a user (UserStore).

Users live in a small SQLite store beside the pool, separate from it (the pool is read-only
to the web server). Passwords are hashed with Argon2id (argon2-cffi) at OWASP's parameters
for a server (19 MiB, 2 passes, 1 lane: about 25 ms on an idle 2-core server). A sign-in
with a name that does not exist verifies a hash made with the same parameters, so it costs
what a wrong password costs. Failed sign-ins are throttled (dashboard.access.throttle says
how) before a password is checked; sessions and the counts of failures are kept apart from
the users (dashboard.access.sessions).

Roles: admin (everything; imports data; manages users) and member (of an organisation);
what each may see is dashboard.access.policy's.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dashboard.access import throttle
from dashboard.access.sessions import (
    IDLE_MINUTES,
    SEEN_EVERY,
    SESSION_HOURS,
    SqliteState,
    State,
    StoreUnavailable,
    id_hash,
    redis_state,
    sessions_path,
)
from dashboard.access.sqlite_files import connect
from dashboard.core.config import pool_path, sessions_redis_url
from dashboard.core.i18n import _, ngettext

log = logging.getLogger(__name__)

ROLES = ("admin", "member")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 8

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
    """Too many failed sign-ins lately (dashboard.access.throttle): try again in
    `seconds`."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


@dataclass(frozen=True)
class User:
    username: str
    role: str  # admin or member
    organisation: str | None  # None for admins


def users_path(pool: Path | None = None) -> Path:
    """$VSLA_USERS, else users.sqlite beside the pool file (`pool`, else the served one)."""
    env = os.environ.get("VSLA_USERS")
    return Path(env) if env else (pool or pool_path()).with_name("users.sqlite")


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
        self.state: State = redis_state(url) if url else SqliteState(self.sessions_path)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        """The users."""
        return connect(self.path, _create_user_tables)

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

    def possibly_public(self) -> list[tuple[User, bool | None]]:
        """The users whose password may be public (a demo account's, as made): marked so
        (True), or made before accounts were marked (None: not known)."""
        with self._db() as con:
            rows = con.execute(
                "SELECT username, role, organisation, public FROM users"
                " WHERE public IS NULL OR public = 1 ORDER BY role, organisation, username"
            ).fetchall()
        return [(User(u, r, o), None if p is None else bool(p)) for u, r, o, p in rows]

    def mark_public(self, username: str, public: bool) -> None:
        """Note whether a user's password is public (a demo account's, unchanged)."""
        with self._db() as con:
            con.execute("UPDATE users SET public = ? WHERE username = ?", (int(public), username))

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
            self.state.clear([throttle.throttle_key("user", username)])

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
        dashboard.access.throttle says which apply). `address` is the client's address,
        `client` the random id its session cookie carries, `device` the id of a device
        cookie the caller has found valid for this username (empty: none). Messages never
        say whether the name exists. Raises StoreUnavailable when the shared store cannot
        be reached (nothing is checked then)."""
        username = username.strip()
        keys = throttle.attempt_keys(username, address, client, device)
        now = _clock()

        def wait(counts: throttle.Counts) -> float:
            return throttle.wait(keys, counts, now)

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
        self.state.add_session(id_hash(sid), found[0].username, _clock(), found[1])
        return sid

    def session_user(self, sid: str) -> User | None:
        """The user of a live session, or None (unknown, signed out, expired, idle, or its
        user removed or changed since it began); a live session's last use is noted (once
        a minute). Raises StoreUnavailable when the shared store cannot be reached."""
        now = _clock()
        key = id_hash(sid)
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
        self.state.drop_session(id_hash(sid))


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
