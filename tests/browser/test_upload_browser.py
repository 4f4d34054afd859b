"""The Import page in real headless Chromium (dash_duo): a member chooses two small CSV
files, presses Check and sees the check's progress in words, then its result; presses
Import and sees the import's result, which a reload of the page still shows."""

from __future__ import annotations

import fcntl
import os
import shutil

import pytest

from dashboard.ingest import jobs
from tests.browser.conftest import sign_in
from tests.test_upload import DATASETS_HEADER, GROUPS_HEADER


@pytest.fixture
def pool(hand_pool_path, tmp_path):
    path = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, path)
    return path


@pytest.fixture
def app(pool, monkeypatch):
    from tests.conftest import _serving

    yield from _serving(pool, monkeypatch)


@pytest.fixture
def dash_duo(dash_duo):
    dash_duo.driver.set_window_size(1366, 900)
    return dash_duo


def test_a_member_sees_the_check_s_progress_then_its_result_then_imports(
    dash_duo, app, pool, tmp_path
):
    files = tmp_path / "upload"
    files.mkdir()
    (files / "groups.csv").write_text(
        f"{GROUPS_HEADER}\nUGA-A-01,UGA-A-01-NEW,New group,2025-01-01,field_officer,FO-X,R,"
        "rural,,,\n"
    )
    (files / "datasets.csv").write_text(
        f"{DATASETS_HEADER}\nUGA-A-01,UGA-A-01-NEW,2025-09-30,1,2025-02-01,20,20,15,5,,18,0,"
        "400,8,300,0,0,150,0,0,0,0,supervised\n"
    )
    dash_duo.start_server(app)
    sign_in(dash_duo, "alpha")
    dash_duo.driver.get(dash_duo.server_url + "/import")
    dash_duo.wait_for_contains_text("#up-who", "Alpha Aid")
    chooser = dash_duo.find_element("#up-files input[type=file]")
    chooser.send_keys(f"{files / 'groups.csv'}\n{files / 'datasets.csv'}")
    dash_duo.wait_for_contains_text("#up-chosen", "datasets.csv")

    # Every check slot of the host taken (as by other members' checks): this check waits,
    # and the page says so, until one is free.
    root = jobs.jobs_dir(pool)
    root.mkdir(exist_ok=True)
    held = []
    for i in range(jobs.CHECK_SLOTS):
        handle = os.open(root / f".slot-check-{i}", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.append(handle)
    try:
        dash_duo.find_element("#up-check").click()
        dash_duo.wait_for_contains_text(
            "#up-progress", "Waiting: the server is checking other uploads"
        )
        assert dash_duo.find_element("#up-result").text == ""
    finally:
        for handle in held:
            os.close(handle)
    dash_duo.wait_for_contains_text("#up-result", "The files are fine")
    dash_duo.wait_for_contains_text("#up-result", "Would import 2 rows from 2 files")
    dash_duo.wait_for_text_to_equal("#up-progress", "")
    assert dash_duo.find_element("#up-import").is_enabled()

    dash_duo.find_element("#up-import").click()
    dash_duo.wait_for_contains_text("#up-result", "Imported (import ")
    # the job is the tab's: a reload shows its result again
    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text("#up-result", "Imported (import ")
    assert dash_duo.get_logs() == [] or all(
        entry.get("level") != "SEVERE" for entry in dash_duo.get_logs()
    )
