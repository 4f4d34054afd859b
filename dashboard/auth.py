"""Who is looking: users, their organisation and role, and what each viewer may see.

Users live in a small SQLite store beside the pool, separate from it (the pool is read-only
to the web server). Passwords are hashed with Argon2id (argon2-cffi). Failed logins are
slowed and, after repeated failures, the account is locked for a while.

Roles:
- admin: everything; imports data; manages users;
- member (of an organisation): its own organisation's projects in full, plus the projects
  other organisations share (`shared` = yes), as aggregates;
- guest (nobody logged in): only shared projects, only aggregates.

The viewer comes from the server-side session (a signed cookie naming the user, checked
against the store on every request), never from anything else the browser sends.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dashboard.config import pool_path
from dashboard.i18n import N_, _, ngettext

ROLES = ("admin", "member")
MAX_FAILURES = 5  # failed logins in a row before the account is locked
LOCK_MINUTES = 15
FAILURE_DELAY = 1.0  # seconds every failed login waits (slows guessing)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()  # Argon2id, the library's (RFC 9106) parameters
# Verified when a username is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AuthError(ValueError):
    """A user-store request that cannot be done; the message says why in plain words."""


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


def users_path() -> Path:
    """$VSLA_USERS, else users.sqlite beside the pool file."""
    env = os.environ.get("VSLA_USERS")
    return Path(env) if env else pool_path().with_name("users.sqlite")


class UserStore:
    """Users in one SQLite file. Safe for several worker processes (SQLite locks)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else users_path()
        self._lock = threading.Lock()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10)
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS users ("
                " username TEXT PRIMARY KEY COLLATE NOCASE,"
                " role TEXT NOT NULL CHECK (role IN ('admin', 'member')),"
                " organisation TEXT,"
                " password_hash TEXT NOT NULL,"
                " failures INTEGER NOT NULL DEFAULT 0,"
                " locked_until TEXT,"
                " created_at TEXT NOT NULL)"
            )
            with con:
                yield con
        finally:
            con.close()

    # --- managing users --------------------------------------------------------------------

    def add(self, username: str, password: str, role: str, organisation: str | None) -> User:
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
        if role == "admin":
            organisation = None
        _check_password(password)
        with self._db() as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise AuthError(f"There is already a user {username!r}.")
            con.execute(
                "INSERT INTO users (username, role, organisation, password_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (username, role, organisation, _hasher.hash(password), _now().isoformat()),
            )
        return User(username, role, organisation)

    def remove(self, username: str) -> None:
        with self._db() as con:
            if con.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
                raise AuthError(f"There is no user {username!r}.")

    def set_password(self, username: str, password: str) -> None:
        _check_password(password)
        with self._db() as con:
            changed = con.execute(
                "UPDATE users SET password_hash = ?, failures = 0, locked_until = NULL"
                " WHERE username = ?",
                (_hasher.hash(password), username),
            ).rowcount
            if changed == 0:
                raise AuthError(f"There is no user {username!r}.")

    def users(self) -> list[User]:
        with self._db() as con:
            rows = con.execute(
                "SELECT username, role, organisation FROM users"
                " ORDER BY role, organisation, username"
            ).fetchall()
        return [User(*row) for row in rows]

    def get(self, username: str) -> User | None:
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, organisation FROM users WHERE username = ?", (username,)
            ).fetchone()
        return User(*row) if row else None

    # --- logging in ------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> User:
        """The user, if the password is right and the account not locked; else AuthError
        (after a delay). The message never says whether the name exists."""
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, organisation, password_hash, failures, locked_until"
                " FROM users WHERE username = ?",
                (username.strip(),),
            ).fetchone()
            now = _now()
            if row is None:
                _verify(_DUMMY_HASH, password)
                _fail_slowly()
                raise AuthError(_("The username or password is not right."))
            name, role, organisation, stored, failures, locked_until = row
            if locked_until and datetime.fromisoformat(locked_until) > now:
                _fail_slowly()
                raise AuthError(
                    ngettext(
                        "This account is locked for a while after repeated failed logins; "
                        "try again in {minutes} minute or ask an administrator.",
                        "This account is locked for a while after repeated failed logins; "
                        "try again in {minutes} minutes or ask an administrator.",
                        LOCK_MINUTES,
                    ).format(minutes=LOCK_MINUTES)
                )
            if not _verify(stored, password):
                failures += 1
                lock = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
                con.execute(
                    "UPDATE users SET failures = ?, locked_until = ? WHERE username = ?",
                    (0 if lock else failures, lock.isoformat() if lock else None, name),
                )
                con.commit()
                _fail_slowly()
                raise AuthError(_("The username or password is not right."))
            updates = "failures = 0, locked_until = NULL"
            params: list[object] = []
            if _hasher.check_needs_rehash(stored):
                updates += ", password_hash = ?"
                params.append(_hasher.hash(password))
            con.execute(f"UPDATE users SET {updates} WHERE username = ?", (*params, name))
        return User(name, role, organisation)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"A password needs at least {MIN_PASSWORD} characters.")


def _fail_slowly() -> None:
    time.sleep(FAILURE_DELAY)


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


def ensure_demo_accounts(store: UserStore, organisations: Iterable[str]) -> None:
    """Create the demo accounts that are missing (a changed password is kept)."""
    existing = {u.username.lower() for u in store.users()}
    for username, password, who in demo_accounts(organisations):
        if username.lower() in existing:
            continue
        if who == DEMO_ADMIN_WHO:
            store.add(username, password, "admin", None)
        else:
            store.add(username, password, "member", who)


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
