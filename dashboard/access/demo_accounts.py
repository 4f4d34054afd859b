"""The demo's accounts: an admin and one member per organisation, with passwords the README
and the demo's sign-in page publish; made for a demo pool, removed from a pool of real data."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dashboard.access.users import User, UserStore
from dashboard.core.i18n import N_

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
    removed = []
    for user, public in store.possibly_public():
        if public is None:  # an account made before they were marked: is it a demo one?
            password = public_demo_password(user)
            public = password is not None and store.has_password(user.username, password)
            store.mark_public(user.username, public)
        if public:
            store.remove(user.username)
            removed.append(user.username)
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
