"""Issue 26, item 7: real data in a demo pool. The demo pool's accounts (admin / demo-admin,
...) and its perturbation secret (demo-<seed>) are public, so it takes no import unless
asked: --add-to-demo adds test data (it stays a demo), --replace-demo replaces it with real
data (a new pool: marked real, a fresh secret, the public demo accounts gone from the user
store and the sign-in page), and a pool file of its own (--db) is real from the start."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import base_tables, sha256, write_csvs

from dashboard.access.demo_accounts import ensure_demo_accounts, remove_public_demo_accounts
from dashboard.access.users import UserStore
from dashboard.cli import main
from dashboard.ingest import ImportRejected, import_files
from dashboard.pool.files import meta, open_pool
from tests.conftest import PASSWORD, login
from tests.dash_client import call

SEED = 4
DEMO_SECRET = f"demo-{SEED}"  # the demo's secret, public: it comes from the seed


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo pool and, beside it, the user store a served demo fills: the demo
    accounts, an organisation's real user, and a demo account whose password was changed."""
    from dashboard.demo.build import build_demo

    folder = tmp_path_factory.mktemp("demo-template")
    pool = build_demo(folder / "pool.duckdb", seed=SEED, groups=60).path
    store = UserStore(folder / "users.sqlite")
    con = open_pool(pool)
    try:
        query = "SELECT DISTINCT organisation FROM projects"
        organisations = [r[0] for r in con.execute(query).fetchall()]
    finally:
        con.close()
    ensure_demo_accounts(store, organisations)
    store.add("kirsten", PASSWORD, "member", "Nordlys Aid")
    store.set_password("fjord-partners", PASSWORD)  # no longer the public demo-fjord-partners
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo pool in data/, its user store beside it (the default place)."""
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    monkeypatch.delenv("VSLA_USERS")  # users.sqlite beside the pool
    monkeypatch.setenv("VSLA_SESSIONS", str(tmp_path / "sessions.sqlite"))
    return folder / "pool.duckdb"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Real data: Alpha Aid's project P1 (ingest_helpers)."""
    folder = tmp_path / "real"
    write_csvs(folder, base_tables())
    return folder


def pool_meta(path: Path) -> dict[str, str]:
    con = open_pool(path)
    try:
        return meta(con)
    finally:
        con.close()


def projects(path: Path) -> list[str]:
    con = open_pool(path)
    try:
        return [r[0] for r in con.execute("SELECT project_id FROM projects ORDER BY 1").fetchall()]
    finally:
        con.close()


def usernames(store: Path) -> set[str]:
    return {u.username for u in UserStore(store).users()}


DEMO_USERS = {"admin", "nordlys-aid", "havn-relief", "bakkedal-alliance"}  # (some of them)


def test_an_import_into_the_demo_pool_is_refused_and_says_both_ways_forward(demo, files, capsys):
    before = sha256(demo)
    assert main(["import", str(files), "--db", str(demo)]) == 1
    err = capsys.readouterr().err
    assert "pool.duckdb is the demo pool" in err
    assert "vsla import FILES --db data/network.duckdb" in err
    assert "make run DB=data/network.duckdb" in err
    assert "--replace-demo" in err and "--add-to-demo" in err
    assert sha256(demo) == before
    with pytest.raises(ImportRejected):  # (the importer itself refuses, for every caller)
        import_files([files], demo)
    assert sha256(demo) == before
    assert pool_meta(demo)["kind"] == "demo"


def test_test_data_added_to_the_demo_leave_it_a_public_demo(demo, files, capsys):
    assert main(["import", str(files), "--db", str(demo), "--add-to-demo"]) == 0
    info = pool_meta(demo)
    assert (info["kind"], info["cell_key_secret"]) == ("demo", DEMO_SECRET)
    assert "P1" in projects(demo) and len(projects(demo)) == 41  # the demo's 40, and P1
    assert usernames(demo.with_name("users.sqlite")) >= DEMO_USERS


def test_replacing_the_demo_makes_a_real_pool_without_public_accounts(demo, files, capsys):
    store = demo.with_name("users.sqlite")
    assert main(["import", str(files), "--db", str(demo), "--replace-demo"]) == 0
    out = capsys.readouterr().out
    assert "The demo pool was replaced" in out
    assert "Removed the demo accounts, whose passwords are public" in out
    info = pool_meta(demo)
    assert info["kind"] == "pool"
    assert info["cell_key_secret"] != DEMO_SECRET
    assert re.fullmatch(r"[0-9a-f]{64}", info["cell_key_secret"])  # pool.new_secret()
    assert projects(demo) == ["P1"]  # the fictional organisations are gone
    left = usernames(store)
    assert left & DEMO_USERS == set()
    assert left == {"kirsten", "fjord-partners"}  # a real user; a password changed since
    # nothing of the demo is left to replace
    before = sha256(demo)
    assert main(["import", str(files), "--db", str(demo), "--replace-demo"]) == 1
    assert "is not the demo pool" in capsys.readouterr().err
    assert sha256(demo) == before


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from dashboard.analytics import datasource
    from dashboard.pool import db
    from dashboard.web.server import create_app

    def start(pool: Path) -> Any:
        monkeypatch.setenv("VSLA_DB", str(pool))
        db.reset()
        datasource.clear_cache()
        return create_app()

    yield start
    db.reset()


def test_after_the_demo_is_replaced_no_demo_account_signs_in_or_is_listed(demo, files, serving):
    assert main(["import", str(files), "--db", str(demo), "--replace-demo"]) == 0
    app = serving(demo)
    page = app.server.test_client().get("/login").get_data(as_text=True)
    assert "Demo accounts" not in page and "demo-admin" not in page
    assert login(app.server.test_client(), "admin", "demo-admin").status_code == 401
    assert login(app.server.test_client(), "kirsten").status_code == 303


def test_real_data_in_a_pool_of_their_own_beside_the_demo(demo, files, serving):
    """The README's path: vsla import FILES --db data/network.duckdb, then serve it. The new
    pool is real; the user store of the folder (the demo's) loses its public accounts."""
    network = demo.with_name("network.duckdb")
    assert main(["import", str(files), "--db", str(network)]) == 0
    info = pool_meta(network)
    assert info["kind"] == "pool"
    assert info["cell_key_secret"] != DEMO_SECRET
    assert usernames(demo.with_name("users.sqlite")) & DEMO_USERS == set()
    assert pool_meta(demo)["kind"] == "demo"  # the demo itself is as it was
    app = serving(network)
    page = app.server.test_client().get("/login").get_data(as_text=True)
    assert "demo-admin" not in page
    assert login(app.server.test_client(), "admin", "demo-admin").status_code == 401


def test_the_flags_are_only_for_the_demo_pool(tmp_path, files, capsys):
    real = tmp_path / "real.duckdb"
    import_files([files], real)
    before = sha256(real)
    for flag in ("--replace-demo", "--add-to-demo"):
        assert main(["import", str(files), "--db", str(real), flag]) == 1
        assert "is not the demo pool" in capsys.readouterr().err
        assert sha256(real) == before
        missing = tmp_path / f"none{flag}.duckdb"
        assert main(["import", str(files), "--db", str(missing), flag]) == 1
        assert not missing.exists()
    with pytest.raises(SystemExit):  # (one or the other)
        main(["import", str(files), "--db", str(real), "--replace-demo", "--add-to-demo"])


def test_a_server_on_a_real_pool_never_keeps_public_demo_accounts(demo, files, serving):
    """A user store shared with a demo (the same folder) may hold the demo accounts: a
    server of real data removes them as it starts, and refuses them at sign-in if they come
    back while it runs."""
    network = demo.with_name("network.duckdb")
    import_files([files], network)
    store = UserStore(demo.with_name("users.sqlite"))
    ensure_demo_accounts(store, ["Alpha Aid"])  # (a demo served again since)
    assert {"admin", "alpha-aid"} <= usernames(store.path)
    app = serving(network)
    assert {"admin", "alpha-aid"} & usernames(store.path) == set()
    ensure_demo_accounts(store, ["Alpha Aid"])  # back, while the server runs
    assert login(app.server.test_client(), "alpha-aid", "demo-alpha-aid").status_code == 401
    assert "alpha-aid" not in usernames(store.path)


def test_demo_accounts_of_an_older_store_are_found_by_their_password(tmp_path):
    """A store made before demo accounts were marked: each account of the demo's shape is
    checked against its public password once."""
    store = UserStore(tmp_path / "users.sqlite")
    ensure_demo_accounts(store, ["Alpha Aid", "Beta Relief"])
    store.set_password("beta-relief", PASSWORD)
    store.add("anna", PASSWORD, "admin", None)
    con = sqlite3.connect(store.path)
    with con:
        con.execute("UPDATE users SET public = NULL")
    con.close()
    assert remove_public_demo_accounts(store) == ["admin", "alpha-aid"]
    assert usernames(store.path) == {"anna", "beta-relief"}


# --- The Import page on the demo pool ---------------------------------------------------------


def _upload(name: str, text: str) -> tuple[str, str]:
    import base64

    return f"data:text/csv;base64,{base64.b64encode(text.encode()).decode()}", name


def _press(client: Any, app: Any, button: str, files: list[tuple[str, str]], ok: Any) -> dict:
    """Press the button and follow the check (or import) it starts to its result."""
    from tests.test_upload import wait_for

    started = call(
        client,
        app,
        "up-result.children",
        {
            f"{button}.n_clicks": 1,
            "up-files.contents": [c for c, _ in files],
            "up-files.filename": [n for _, n in files],
            "up-demo-ok.value": ok,
        },
        changed=[f"{button}.n_clicks"],
    )
    if not started.get("up-job.data"):
        return started  # refused at once, with a message
    return wait_for(client, app, started["up-job.data"])[0]


def test_the_import_page_takes_test_data_into_the_demo_only_when_told(demo, files, serving):
    app = serving(demo)
    with app.server.test_request_context("/import"):
        from dashboard.web.pages import upload

        notice = upload._demo_notice()
    assert notice.hidden is False
    assert "This is the public demo pool." in json.dumps(notice.to_plotly_json(), default=str)
    client = app.server.test_client()
    assert login(client, "admin", "demo-admin").status_code == 303
    tables = {t: (files / f"{t}.csv").read_text() for t in ("projects", "groups", "datasets")}
    upload_files = [_upload(f"{t}.csv", text) for t, text in tables.items()]
    before = sha256(demo)
    for ok in (None, [], ["something else"]):
        result = _press(client, app, "up-import", upload_files, ok)
        assert "Nothing was imported: this is the public demo pool" in json.dumps(result)
        assert sha256(demo) == before
    checked = _press(client, app, "up-check", upload_files, None)  # a check writes nothing
    assert "The files are fine" in json.dumps(checked)
    assert sha256(demo) == before
    done = _press(client, app, "up-import", upload_files, ["demo"])
    assert "Imported (import 2)" in json.dumps(done)
    from dashboard.pool import db

    db.reset()  # (the app's own connection: DuckDB opens a file one way per process)
    info = pool_meta(demo)
    assert (info["kind"], info["cell_key_secret"]) == ("demo", DEMO_SECRET)


def test_the_import_page_on_a_real_pool_has_no_demo_notice(hand_app):
    from dashboard.web.pages import upload

    with hand_app.server.test_request_context("/import"):
        assert upload._demo_notice().hidden is True


def test_the_demo_is_never_built_over_real_data(tmp_path, files, capsys):
    """`make demo` (vsla demo --force) replaces a demo pool, never a pool of real data."""
    real = tmp_path / "network.duckdb"
    import_files([files], real)
    before = sha256(real)
    assert main(["demo", "--db", str(real), "--force", "--groups", "10"]) == 1
    assert "is a pool of real data, not the demo" in capsys.readouterr().err
    assert sha256(real) == before
