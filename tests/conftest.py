"""Shared fixtures: the hand-computed pool, built through the real importer."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tiers import mark as mark_tiers
from tiers import unit_stays_alone  # noqa: F401 (an autouse fixture: the unit tier's guard)

from dashboard.ingest import import_files
from dashboard.pool.files import open_pool

FIXTURES = Path(__file__).parent / "fixtures"
HAND_POOL_DIR = FIXTURES / "hand_pool"


@pytest.fixture(scope="session")
def hand_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven-group pool of tests/fixtures/hand_pool, imported from its CSV folder."""
    path = tmp_path_factory.mktemp("hand") / "pool.duckdb"
    import_files([HAND_POOL_DIR], path)
    return path


@pytest.fixture(scope="session")
def network_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three groups with the network's own fields (ingest_helpers.network_tables)."""
    from ingest_helpers import network_tables, write_csvs

    folder = tmp_path_factory.mktemp("network")
    path = folder / "pool.duckdb"
    import_files(write_csvs(folder / "csv", network_tables()), path)
    return path


@pytest.fixture
def hand_con(hand_pool_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_pool(hand_pool_path)
    yield con
    con.close()


# A pool for sharing and small cells: three organisations, every group with 20 members
# (15 women) and USD 400 savings as of 2025-09-30.
SHARING_PROJECTS = (
    # project_id, organisation, country, shared, groups
    ("NOR-UGA-01", "North Aid", "UGA", "yes", 8),
    ("NOR-KEN-01", "North Aid", "KEN", "yes", 6),
    ("SOU-UGA-01", "South Relief", "UGA", "no", 6),
    ("SOU-TZA-01", "South Relief", "TZA", "yes", 3),  # a country of only 3 groups
    ("EAS-UGA-01", "East Fund", "UGA", "yes", 7),
)
SHARING_USERS = {"north": "North Aid", "south": "South Relief", "east": "East Fund"}


@pytest.fixture(scope="session")
def sharing_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sharing")
    src = folder / "csv"
    src.mkdir()
    projects = [
        "project_id,project_name,organisation,partner,country,currency,start_date,"
        "end_date,donor,shared"
    ]
    groups = [
        "project_id,group_id,group_name,formation_date,trained_by,trainer_id,region,"
        "setting,tags,latitude,longitude"
    ]
    datasets = [(HAND_POOL_DIR / "datasets.csv").read_text().splitlines()[0]]
    reports = ["project_id,period_end,cost_to_date,field_officers,village_agents"]
    for pid, org, country, shared, n in SHARING_PROJECTS:
        projects.append(f"{pid},{pid} savings,{org},,{country},USD,2024-01-01,,,{shared}")
        reports.append(f"{pid},2025-09-30,{2000 * n},1,0")
        for i in range(1, n + 1):
            gid = f"{pid}-G{i}"
            groups.append(f"{pid},{gid},Group {gid},2024-10-01,field_officer,FO-{pid},R,rural,,,")
            datasets.append(
                f"{pid},{gid},2025-09-30,1,2025-01-15,20,20,15,5,,18,0,400,8,300,0,0,150,0,0,0,0,"
                "supervised"
            )
    for name, lines in (
        ("projects", projects),
        ("groups", groups),
        ("datasets", datasets),
        ("project_reports", reports),
    ):
        (src / f"{name}.csv").write_text("\n".join(lines) + "\n")
    path = folder / "pool.duckdb"
    import_files([src], path)
    return path


@pytest.fixture
def sharing_app(sharing_pool_path: Path, hand_users_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The dashboard on the sharing pool, with a member account per organisation."""
    from dashboard.access.users import UserStore
    from dashboard.analytics import datasource
    from dashboard.pool import db
    from dashboard.web.server import create_app

    store = UserStore(hand_users_path.with_name("sharing-users.sqlite"))
    if not store.users():
        store.add("admin", PASSWORD, "admin", None)
        for name, org in SHARING_USERS.items():
            store.add(name, PASSWORD, "member", org)
    monkeypatch.setenv("VSLA_USERS", str(store.path))
    monkeypatch.setenv("VSLA_DB", str(sharing_pool_path))
    db.reset()
    datasource.clear_cache()
    yield create_app()
    db.reset()


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
    from dashboard.access.users import UserStore

    path = tmp_path_factory.mktemp("users") / "users.sqlite"
    store = UserStore(path)
    for name, (role, organisation) in HAND_USERS.items():
        store.add(name, PASSWORD, role, organisation)
    return path


@pytest.fixture(autouse=True)
def _sessions(monkeypatch: pytest.MonkeyPatch, hand_users_path: Path) -> None:
    """Every app in the tests signs sessions with a test key and knows the hand users; no
    test inherits another's failed sign-ins (they throttle by username and address, and
    every test client comes from 127.0.0.1)."""
    import sqlite3

    monkeypatch.setenv("VSLA_SECRET_KEY", SECRET)
    monkeypatch.setenv("VSLA_USERS", str(hand_users_path))
    con = sqlite3.connect(hand_users_path.with_name("sessions.sqlite"))
    try:
        with con:
            con.execute("DELETE FROM throttle")
    except sqlite3.OperationalError:  # (no table yet)
        pass
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _closed_pool() -> Iterator[None]:
    """Each test leaves the web process's pool connection closed (finding the data version
    opens it), so that the next may open the same file with its own settings."""
    yield
    from dashboard.pool import db

    db.reset()


@pytest.fixture
def as_admin() -> Iterator[None]:
    """The test's code, run outside a web request, acts as the network admin on purpose
    (without it, such code sees what a guest sees: dashboard.access.viewer.current_viewer)."""
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as

    with acting_as(ADMIN):
        yield


@pytest.fixture(scope="session")
def demo_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo pool: the demo's 8 organisations of 5 projects each, their names (the
    long ones included), profiles and warnings, on 2,000 groups."""
    from dashboard.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "pool.duckdb", seed=7, groups=2000).path


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


def _serving(pool: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh dashboard app (empty caches) serving `pool`."""
    from dashboard.analytics import datasource
    from dashboard.exports import renderer
    from dashboard.pool import db
    from dashboard.web.server import create_app

    monkeypatch.setenv("VSLA_DB", str(pool))
    db.reset()
    datasource.clear_cache()
    yield create_app()
    db.reset()
    renderer.shutdown()


def _serving_demo_accounts(
    pool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh app serving a demo pool with its demo accounts (a user store of its own,
    where the app makes the accounts of the pool's organisations when it starts)."""
    monkeypatch.setenv("VSLA_USERS", str(tmp_path / "users.sqlite"))
    yield from _serving(pool, monkeypatch)


@pytest.fixture
def hand_app(hand_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The dashboard serving the hand-computed pool."""
    yield from _serving(hand_pool_path, monkeypatch)


@pytest.fixture
def network_app(network_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The dashboard serving the pool with the network's own fields."""
    yield from _serving(network_pool_path, monkeypatch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist (`make test` runs two workers, `--dist loadgroup`), each test file
    runs whole in one worker, so that its module's pools are built once; the browser tests,
    which share only the session's small pools, each on its own (the longest files); a test
    that names its own group keeps it (the layout check of each language). Each test gets
    its tier's marker (unit, app, system, browser: tests/tiers.py)."""
    mark_tiers(items)
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        path = Path(str(item.fspath))
        group = item.nodeid if path.parent.name == "browser" else path.stem
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config: pytest.Config) -> None:
    """The browser tests' servers (dash.testing's threaded runner) listen on a port the
    system gives as free, not on dash.testing's fixed count from 58050: the same in every
    process, so that two test runs on one machine (or two xdist workers) served on each
    other's ports, and a browser could talk to the other run's app."""
    # A heavy job's budget (dashboard/exports/heavy.py, 25 s by default) is for a server under
    # attack; on a machine busy with other tests a report's PDF took 20 s. Tests of what the
    # files hold get room (inherited by the gunicorn servers they start); the budget's own
    # tests set theirs.
    os.environ.setdefault("VSLA_HEAVY_SECONDS", "120")
    # Hypothesis's deadline (200 ms an example) is a wall-clock check: on a busy machine a
    # formatting example took 267 ms. Tests check results, never time (make bench does).
    from hypothesis import settings

    settings.register_profile("vsla", deadline=None)
    settings.load_profile("vsla")
    from dash.testing.application_runners import ThreadedRunner

    start = ThreadedRunner.start
    if getattr(start, "free_port", False):
        return

    def start_on_a_free_port(self: Any, app: Any, start_timeout: int = 3, **kwargs: Any) -> Any:
        if "port" not in kwargs:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                kwargs["port"] = probe.getsockname()[1]
        return start(self, app, start_timeout, **kwargs)

    start_on_a_free_port.free_port = True  # type: ignore[attr-defined]
    ThreadedRunner.start = start_on_a_free_port
