"""Shared fixtures: the hand-computed pool, built through the real importer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.ingest import import_files
from dashboard.pool import open_pool

FIXTURES = Path(__file__).parent / "fixtures"
HAND_POOL_DIR = FIXTURES / "hand_pool"


@pytest.fixture(scope="session")
def hand_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven-group pool of tests/fixtures/hand_pool, imported from its CSV folder."""
    path = tmp_path_factory.mktemp("hand") / "pool.duckdb"
    import_files([HAND_POOL_DIR], path)
    return path


@pytest.fixture
def hand_con(hand_pool_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_pool(hand_pool_path)
    yield con
    con.close()


# The hand pool's users (tests/fixtures/hand_pool: Alpha Aid shares both its projects, Beta
# Relief shares BDI-B-01 but not UGA-B-01).
HAND_USERS = {
    "admin": ("admin", None),
    "alpha": ("member", "Alpha Aid"),
    "beta": ("member", "Beta Relief"),
}
PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40


@pytest.fixture(scope="session")
def hand_users_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dashboard.auth import UserStore

    path = tmp_path_factory.mktemp("users") / "users.sqlite"
    store = UserStore(path)
    for name, (role, organisation) in HAND_USERS.items():
        store.add(name, PASSWORD, role, organisation)
    return path


@pytest.fixture(autouse=True)
def _sessions(monkeypatch: pytest.MonkeyPatch, hand_users_path: Path) -> None:
    """Every app in the tests signs sessions with a test key and knows the hand users;
    failed logins wait a moment only."""
    from dashboard import auth

    monkeypatch.setenv("VSLA_SECRET_KEY", SECRET)
    monkeypatch.setenv("VSLA_USERS", str(hand_users_path))
    monkeypatch.setattr(auth, "FAILURE_DELAY", 0.01)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form (CSRF token from the page, then the POST)."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf": token, "next": "/"}
    )


@pytest.fixture
def admin_client(hand_app: Any) -> Any:
    """A test client signed in as the network admin (sees every project)."""
    client = hand_app.server.test_client()
    assert login(client, "admin").status_code == 303
    return client


@pytest.fixture
def hand_app(hand_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The dashboard serving the hand-computed pool (a fresh app, empty caches)."""
    from dashboard import datasource, db
    from dashboard.server import create_app

    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    datasource.clear_cache()
    yield create_app()
    db.reset()
    from dashboard import exports

    exports.shutdown()
