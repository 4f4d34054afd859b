"""The Import page's attacks (issue 27) against real gunicorn, as the README starts it: the
5,000-file zip is refused in seconds; the 95 MB CSV is checked in the background without a
worker being killed; two members' checks answer while a third member imports, and a page
answers meanwhile."""

from __future__ import annotations

import base64
import json
import shutil
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.dash_client import flatten, request_body
from tests.test_gunicorn import serving, signed_in
from tests.test_upload import DATASETS_HEADER, GROUPS_HEADER, upload, zipped
from tests.test_upload_jobs import big_datasets, many_files_zip


@pytest.fixture
def dash_app(hand_pool_path, monkeypatch):
    """The app's callbacks as the browser names them (for the request bodies)."""
    from dashboard.web.server import create_app

    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    return create_app()


@pytest.fixture
def server(hand_pool_path, tmp_path):
    pool = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, pool)
    with serving(pool) as url:
        yield url, pool


def post(opener, url: str, body: dict, timeout: float = 60) -> tuple[dict, float]:
    started = time.monotonic()
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=timeout) as response:
        assert response.status == 200
        return flatten(json.loads(response.read())), time.monotonic() - started


def start(app, opener, url, button: str, files) -> tuple[dict, float]:
    body = request_body(
        app,
        "up-result.children",
        {
            f"{button}.n_clicks": 1,
            "up-files.contents": [c for c, _ in files],
            "up-files.filename": [n for _, n in files],
        },
        changed=[f"{button}.n_clicks"],
    )
    return post(opener, url, body)


def follow(app, opener, url, job, limit: float = 300) -> tuple[dict, list[float]]:
    """Poll the job as the page does until its result; (the result, each poll's time)."""
    body = request_body(
        app,
        "up-poll.disabled",
        {"up-poll.n_intervals": 1, "up-job.data": job},
        changed=["up-poll.n_intervals"],
    )
    deadline = time.monotonic() + limit
    times = []
    while True:
        answer, took = post(opener, url, body)
        times.append(took)
        if answer["up-poll.disabled"] is True:
            return answer, times
        assert time.monotonic() < deadline
        time.sleep(0.2)


def group_files(project: str, suffix: str) -> list[tuple[str, str]]:
    gid = f"{project}-{suffix}"
    return [
        upload(
            "groups.csv",
            f"{GROUPS_HEADER}\n{project},{gid},New,2025-01-01,field_officer,FO-X,R,rural,,,\n",
        ),
        upload(
            "datasets.csv",
            f"{DATASETS_HEADER}\n{project},{gid},2025-09-30,1,2025-02-01,20,20,15,5,,18,0,400,"
            "8,300,0,0,150,0,0,0,0,supervised\n",
        ),
    ]


def test_upload_attacks_get_answers_and_no_worker_is_killed(server, dash_app):
    url, pool = server
    alpha, beta, admin = (signed_in(url, who) for who in ("alpha", "beta", "admin"))

    # 1. The 5,000-file zip: refused with a message, in seconds, by the request itself.
    answer, took = start(dash_app, alpha, url, "up-check", [many_files_zip(5000)])
    text = json.dumps(answer["up-result.children"])
    assert "many.zip" in text and "5,000 files" in text and "up-job.data" not in answer
    assert took < 10  # the "in seconds", with room for a busy machine

    # 2. The 15 MB zip of a 95 MB CSV: the request only starts the check (answering at
    # once); the check says what is wrong; the workers live on (the poll answers).
    big = zipped("q3.zip", {"datasets.csv": big_datasets(925_000)})
    answer, took = start(dash_app, beta, url, "up-check", [big])
    assert took < 30 and answer["up-job.data"]
    result, _polls = follow(dash_app, beta, url, answer["up-job.data"])
    text = json.dumps(result["up-result.children"])
    assert "q3.zip/datasets.csv" in text and "more than 100,000 rows" in text

    # 3. Two members check at once while a third imports (the import waits behind a
    # command-line import holding the pool's lock, so it is surely running meanwhile).
    from dashboard.ingest.write import _import_lock

    with _import_lock(pool):
        imported, _t = start(dash_app, admin, url, "up-import", group_files("UGA-A-01", "X"))
        with ThreadPoolExecutor(max_workers=2) as workers:
            checks = list(
                workers.map(
                    lambda who: start(dash_app, who[0], url, "up-check", group_files(*who[1:])),
                    [(alpha, "UGA-A-01", "Y"), (beta, "UGA-B-01", "Z")],
                )
            )
            results = list(
                workers.map(
                    lambda pair: follow(dash_app, pair[0], url, pair[1][0]["up-job.data"]),
                    zip((alpha, beta), checks, strict=True),
                )
            )
        for result, times in results:
            assert "Would import 2 rows" in json.dumps(result["up-result.children"])
            assert max(times) < 10  # each poll answers at once
        waiting, _times = post(
            admin,
            url,
            request_body(
                dash_app,
                "up-poll.disabled",
                {"up-poll.n_intervals": 1, "up-job.data": imported["up-job.data"]},
                changed=["up-poll.n_intervals"],
            ),
        )
        assert "Waiting: another import is running" in json.dumps(waiting)
        # a page answers meanwhile
        with urllib.request.urlopen(url + "/login", timeout=10) as response:
            assert response.status == 200
    result, _times = follow(dash_app, admin, url, imported["up-job.data"])
    assert "Imported (import " in json.dumps(result["up-result.children"])

    # 4. Only its owner reads a job: beta polling the admin's import learns nothing.
    foreign, _t = post(
        beta,
        url,
        request_body(
            dash_app,
            "up-poll.disabled",
            {"up-poll.n_intervals": 1, "up-job.data": imported["up-job.data"]},
            changed=["up-poll.n_intervals"],
        ),
    )
    assert "Imported" not in json.dumps(foreign) and "no longer known" in json.dumps(foreign)


def test_names_that_gave_500_get_a_message(server, dash_app):
    url, _pool = server
    alpha = signed_in(url, "alpha")
    csv = base64.b64encode(f"{DATASETS_HEADER}\n".encode()).decode()
    content = f"data:text/csv;base64,{csv}"
    for names, message in (
        (["datasets.csv", "datasets.csv"], "Two of the files are called datasets.csv"),
        (["data\x00sets.csv", "groups.csv"], "control characters"),
    ):
        answer, _t = start(
            dash_app, alpha, url, "up-check", list(zip([content] * 2, names, strict=True))
        )
        assert message in json.dumps(answer["up-result.children"])
    traversal = zipped("q.zip", {"../../datasets.csv": f"{DATASETS_HEADER}\n".encode()})
    answer, _t = start(dash_app, alpha, url, "up-check", [traversal])
    assert "a path that leaves the .zip" in json.dumps(answer["up-result.children"])
