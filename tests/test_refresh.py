"""Refresh: an import that swaps in a new pool version while people click is served at once,
by every worker, without a failed request (a small run of scripts/loadtest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from dashboard.analytics import datasource
from dashboard.core.filters import Filters
from dashboard.pool import db
from scripts import loadtest
from scripts.serving import start
from tests.conftest import PASSWORD
from tests.test_gunicorn import _free_port

ROOT = Path(__file__).resolve().parent.parent


def test_a_process_reading_the_pool_sees_an_import_made_by_another(
    hand_pool_path, tmp_path, monkeypatch, as_admin
):
    pool = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, pool)
    later = loadtest.later_visits(pool, tmp_path / "later", groups=1)
    monkeypatch.setenv("VSLA_DB", str(pool))
    db.reset()
    before = datasource.all_facts().latest_date
    members = datasource.indicators(Filters())["members"].iloc[0]
    subprocess.run(
        [str(Path(sys.executable).with_name("vsla")), "import", str(tmp_path / "later"),
         "--db", str(pool)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert later == before + timedelta(days=30)
    assert datasource.all_facts().latest_date == later
    # the group's later visit has one member more (loadtest.later_visits); as of the new
    # date the other groups are still active, so the total grows by exactly one
    assert datasource.indicators(Filters())["members"].iloc[0] == members + 1


def test_an_import_under_load_fails_no_request_and_every_answer_after_it_is_new(
    hand_pool_path, tmp_path, monkeypatch
):
    pool = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, pool)
    later = loadtest.later_visits(pool, tmp_path / "later", groups=2)
    monkeypatch.setenv("VSLA_DB", str(pool))
    db.reset()
    from dashboard.web.server import create_app

    app = create_app()
    searches = [
        "",
        "?country=UGA",
        "?tag=refugee",
        "?as_of=2025-06-30",
        "?organisation=Beta+Relief",
    ]
    bodies = loadtest.callback_bodies(app, searches)
    probe = loadtest.request_body(app, "ov-lead.children", {"url.search": ""})
    db.reset()
    port = _free_port()
    proc = start(
        [str(Path(sys.executable).with_name("gunicorn")), "app:server", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        f"http://127.0.0.1:{port}/login",
        cwd=ROOT,
        env=dict(os.environ, VSLA_DB=str(pool)),
    )  # fmt: skip
    try:
        load = loadtest.run(
            f"http://127.0.0.1:{port}",
            bodies,
            [("admin", PASSWORD), ("alpha", PASSWORD), (None, None)],
            users=6,
            seconds=9,
            refresh=loadtest.importer(pool, tmp_path / "later"),
            probe=(loadtest.encode(probe), loadtest.date_shown(later)),
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    summary = load.summary()
    assert load.import_error is None
    assert summary["requests"] > 0  # (how many is the machine's business: make bench)
    assert summary["errors"] == 0, load.errors
    assert summary["probes_after_import"] > 0
    assert summary["stale_after_import"] == 0
    assert any(not new for _t, new in load.probes)  # the old data was served before
