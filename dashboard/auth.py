"""Who is looking: users, their organisation and role, and what each viewer may see.

Users live in a small SQLite store beside the pool, separate from it (the pool is read-only
to the web server), with their sign-in sessions and the counts of failed sign-ins.
Passwords are hashed with Argon2id (argon2-cffi) at OWASP's parameters for a server
(19 MiB, 2 passes, 1 lane: about 25 ms on a 2-core server). Failed sign-ins are throttled
per username and per client address (OWASP's authentication guidance): after a few, the
next attempt is refused without checking the password until a growing delay has passed,
with the same answer for names that exist and names that do not; no account is ever
locked, and no request sleeps.

Sessions live on the server: the signed cookie holds a random session id; this host's
session file (sessions.sqlite, beside the users) keeps its user, when it began, when it was
last used, and a stamp of the user then. A session ends at sign-out, after
SESSION_HOURS whatever happens (requests do not extend it), after IDLE_MINUTES without a
request, and when the user's password, role or organisation changes or the user is removed
(or `vsla user signout` ends all of a user's sessions).

Roles:
- admin: everything; imports data; manages users;
- member (of an organisation): its own organisation's projects in full, plus the projects
  other organisations share (`shared` = yes), as aggregates;
- guest (nobody logged in): only shared projects, only aggregates.

The viewer comes from the server-side session (dashboard.viewer: a signed cookie holding a
session id, checked against the store on every request), never from anything else the
browser sends.
"""

from __future__ import annotations

import hashlib
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

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dashboard.config import pool_path
from dashboard.i18n import N_, _, ngettext

ROLES = ("admin", "member")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 8

SESSION_HOURS = 12  # a session's absolute lifetime: requests do not extend it
IDLE_MINUTES = 120  # a session unused this long ends
SEEN_EVERY = 60  # seconds: how often a session's last use is written down

# Throttling (per username and per client address): after FREE failures in a row, each
# attempt waits BASE_DELAY x 2^(failures - FREE) seconds after the last failure, at most
# MAX_DELAY; a key forgets its failures FORGET seconds after the last one.
THROTTLE = {"user": (4, 2.0), "address": (20, 1.0)}  # kind: (FREE, BASE_DELAY)
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
    """Too many failed sign-ins for this username or address: try again in `seconds`."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


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
    """Users in one SQLite file (`path`), this host's sessions and failed sign-ins in
    another (`sessions_path`). Safe for several worker processes (SQLite's locks; writes in
    short transactions).

    A session remembers a stamp of its user (role, organisation, password hash and session
    version): when the user store changes them, here or in a copy that arrives from where
    users are managed, the stamp no longer matches and the session has ended."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else users_path()
        self.sessions_path = sessions_path(self.path)
        self._lock = threading.Lock()

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        """The users."""
        return _connect(self.path, _create_user_tables)

    def _sessions(self) -> AbstractContextManager[sqlite3.Connection]:
        """This host's sessions and failed sign-ins."""
        return _connect(self.sessions_path, _create_session_tables)

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
        with self._sessions() as con:
            con.execute("DELETE FROM throttle WHERE key = ?", (_throttle_key("user", username),))

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
        """Drop this host's sessions of a user (they have ended: their stamp is old)."""
        with self._sessions() as con:
            return con.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount

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

    def authenticate(self, username: str, password: str, address: str = "") -> User:
        """The user, if the password is right; else AuthError, or Throttled while this
        username or address has failed too often lately (the password is then not even
        checked). Messages never say whether the name exists."""
        username = username.strip()
        keys = [_throttle_key("user", username), _throttle_key("address", address)]
        now = _clock()
        with self._sessions() as con:
            wait = max(_throttle_wait(con, key, now) for key in keys)
        if wait > 0:
            seconds = math.ceil(wait)
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
        stored = row[3] if row else _DUMMY_HASH  # (an unknown name costs the same)
        if row is None or not _verify(stored, password):
            with self._sessions() as con:
                for key in keys:
                    con.execute(
                        "INSERT INTO throttle (key, failures, last) VALUES (?, 1, ?)"
                        " ON CONFLICT (key) DO UPDATE SET"
                        " failures = CASE WHEN ? - last > ? THEN 1 ELSE failures + 1 END,"
                        " last = excluded.last",
                        (key, now, now, FORGET),
                    )
            raise AuthError(_("The username or password is not right."))
        name, role, organisation, _hash = row
        with self._sessions() as con:
            con.execute("DELETE FROM throttle WHERE key = ?", (keys[0],))
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
        now = _clock()
        with self._sessions() as con:
            con.execute(
                "DELETE FROM sessions WHERE created < ? OR seen < ?",
                (now - SESSION_HOURS * 3600, now - IDLE_MINUTES * 60),
            )
            con.execute(
                "INSERT INTO sessions (id_hash, username, created, seen, stamp)"
                " VALUES (?, ?, ?, ?, ?)",
                (_hash_id(sid), found[0].username, now, now, found[1]),
            )
        return sid

    def session_user(self, sid: str) -> User | None:
        """The user of a live session, or None (unknown, signed out, expired, idle, or its
        user removed or changed since it began); a live session's last use is noted (once
        a minute)."""
        now = _clock()
        key = _hash_id(sid)
        with self._sessions() as con:
            row = con.execute(
                "SELECT username, created, seen, stamp FROM sessions WHERE id_hash = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        username, created, seen, stamp = row
        found = self._stamp(username)
        alive = now - created <= SESSION_HOURS * 3600 and now - seen <= IDLE_MINUTES * 60
        if found is None or found[1] != stamp or not alive:
            with self._sessions() as con:
                con.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))
            return None
        if now - seen > SEEN_EVERY:
            with self._sessions() as con:
                con.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
        return found[0]

    def end_session(self, sid: str) -> None:
        with self._sessions() as con:
            con.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash_id(sid),))


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
    return f"{kind}:{value.strip().lower()}"


def _throttle_wait(con: sqlite3.Connection, key: str, now: float) -> float:
    """Seconds until `key` may try again (0: now)."""
    row = con.execute("SELECT failures, last FROM throttle WHERE key = ?", (key,)).fetchone()
    if row is None or now - row[1] > FORGET:
        return 0.0
    free, base = THROTTLE[key.split(":", 1)[0]]
    failures, last = row
    if failures < free:
        return 0.0
    delay = min(MAX_DELAY, base * 2 ** (failures - free))
    return max(0.0, last + delay - now)


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
