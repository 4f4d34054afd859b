"""Heavy work bounded per host and per client (dashboard/exports/heavy.py): the limiter across
processes and threads, its queue and its refusals, the routes' and the downloads' answers
when refused, and the links that files carry (never the Host header as sent)."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dashboard.exports import heavy
from dashboard.exports.heavy import Busy, Limits

ROOT = Path(__file__).resolve().parent.parent


def limits(folder: Path, host: int = 2, client: int = 2, wait: float = 30.0) -> Limits:
    return Limits(host, client, host * 2, client, wait, folder)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Until `condition()` holds (a busy machine may take a while), else fail."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def held(folder: Path, kind: str) -> int:
    """How many places of a kind are held: run, wait (the host's)."""
    return heavy._held(sorted(folder.glob(f"{kind}-*")))


class Gate:
    """Jobs that stay in until the gate opens; counts how many are in at once."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.lock = threading.Lock()
        self.inside = self.most = self.done = 0
        self.refused: list[Busy] = []

    def run(self, client: str, lim: Limits) -> None:
        try:
            with heavy.job(client, lim):
                with self.lock:
                    self.inside += 1
                    self.most = max(self.most, self.inside)
                self.open.wait(60)
                with self.lock:
                    self.inside -= 1
                    self.done += 1
        except Busy as exc:
            with self.lock:
                self.refused.append(exc)


def start(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


# --- The limiter -----------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from dashboard.exports import heavy
    folder, client, gate = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    lim = heavy.Limits(2, 2, 4, 2, 60.0, folder)
    with heavy.job(client, lim):
        (folder.parent / f"in-{client}").touch()
        while not gate.exists():
            time.sleep(0.02)
        (folder.parent / f"out-{client}").touch()
    """
)


def test_the_host_bound_holds_across_processes(tmp_path):
    """Five worker processes, each with a job of a client of its own: two run at once, the
    other three wait in the queue, and each runs once a place is free."""
    folder, gate = tmp_path / "places", tmp_path / "gate"
    procs = [
        subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), f"c{i}", str(gate)], cwd=ROOT)
        for i in range(5)
    ]
    try:
        wait_for(lambda: held(folder, "run") == 2 and held(folder, "wait") == 3, "2 in, 3 queued")
        assert len(list(tmp_path.glob("in-*"))) == 2
        gate.touch()
        for proc in procs:
            assert proc.wait(timeout=120) == 0
    finally:
        for proc in procs:
            proc.kill()
    assert len(list(tmp_path.glob("out-*"))) == 5  # all served, two at a time
    assert held(folder, "run") == held(folder, "wait") == 0


def test_the_host_bound_holds_across_threads(tmp_path):
    """Six threads of one process (gthread workers), each a client of its own: at most two
    jobs run at once; the rest wait their turn and then run."""
    gate, lim = Gate(), limits(tmp_path, host=2, wait=60)
    threads = [
        start(lambda i=i: gate.run(f"c{i}", Limits(2, 2, 6, 2, 60, tmp_path))) for i in range(6)
    ]
    wait_for(lambda: gate.inside == 2 and held(tmp_path, "wait") == 4, "2 in, 4 queued")
    gate.open.set()
    for thread in threads:
        thread.join(60)
    assert (gate.most, gate.done, gate.refused) == (2, 6, [])
    assert lim.host == 2


def test_one_client_runs_at_most_its_bound_and_the_rest_is_refused(tmp_path):
    """A client with one place and one in the queue: its second job waits, its third is
    refused at once, saying why; another client's job runs meanwhile."""
    # (the queued job waits as long as the test may take to see it: on a busy machine a
    # 30 s wait ran out before the test's thread looked)
    gate, lim = Gate(), limits(tmp_path, host=4, client=1, wait=120)
    first = start(lambda: gate.run("guest", lim))
    wait_for(lambda: gate.inside == 1, "the first job in")
    second = start(lambda: gate.run("guest", lim))
    wait_for(lambda: heavy.progress("guest", lim).waiting, "the second job queued")
    assert heavy.progress("guest", lim) == heavy.Progress(waiting=True, ahead=1)
    started = time.monotonic()
    with pytest.raises(Busy, match="already making 2 files"), heavy.job("guest", lim):
        pytest.fail("a third job of the client ran")
    assert time.monotonic() - started < 5  # refused at once, not after a wait
    other = start(lambda: gate.run("someone else", lim))
    wait_for(lambda: gate.inside == 2, "another client's job in")
    assert gate.most == 2  # the guest's one and the other client's
    gate.open.set()
    for thread in (first, second, other):
        thread.join(60)
    assert gate.done == 3 and gate.refused == []


def test_the_queue_waits_a_bounded_time_then_refuses(tmp_path):
    """With the host full, a job waits `wait` seconds in the queue, then is refused; its
    places are let go, and the next job, once the host is free, runs at once."""
    gate, lim = Gate(), limits(tmp_path, host=1, wait=1.0)
    holder = start(lambda: gate.run("a", lim))
    wait_for(lambda: gate.inside == 1, "the host taken")
    started = time.monotonic()
    with pytest.raises(Busy, match="busy making other files") as refused, heavy.job("b", lim):
        pytest.fail("ran beyond the host's bound")
    waited = time.monotonic() - started
    assert 1.0 <= waited < 15  # it waited its turn, for a bounded time
    assert refused.value.retry_after == heavy.RETRY_AFTER
    assert held(tmp_path, "wait") == 0  # its queue place let go
    gate.open.set()
    holder.join(60)
    with heavy.job("b", limits(tmp_path, host=1, wait=0)):
        assert held(tmp_path, "run") == 1


def test_a_full_queue_refuses_at_once(tmp_path):
    gate, lim = Gate(), Limits(1, 1, 1, 1, 60.0, tmp_path)
    threads = [start(lambda c=c: gate.run(c, lim)) for c in ("a", "b")]
    wait_for(lambda: gate.inside == 1 and held(tmp_path, "wait") == 1, "one in, one queued")
    started = time.monotonic()
    with pytest.raises(Busy, match="busy making other files"), heavy.job("c", lim):
        pass
    assert time.monotonic() - started < 5
    gate.open.set()
    for thread in threads:
        thread.join(60)
    assert gate.done == 2


def test_a_worker_holds_at_most_its_bound_of_jobs_and_refuses_more_at_once(tmp_path):
    """Jobs running or waiting in one process are at most `worker`: a third is refused at
    once (the worker's other threads stay free for pages), though the host has room."""
    gate, lim = Gate(), Limits(1, 2, 2, 2, 60.0, tmp_path, worker=2)
    threads = [start(lambda c=c: gate.run(c, lim)) for c in ("a", "b")]
    wait_for(lambda: gate.inside == 1 and held(tmp_path, "wait") == 1, "one in, one queued")
    started = time.monotonic()
    with pytest.raises(Busy, match="busy making other files"), heavy.job("c", lim):
        pass
    assert time.monotonic() - started < 5
    gate.open.set()
    for thread in threads:
        thread.join(60)
    assert gate.done == 2
    with heavy.job("c", lim):  # counted out again
        pass


def test_places_are_let_go_when_a_job_raises(tmp_path):
    lim = limits(tmp_path, host=1, client=1, wait=0)
    with pytest.raises(ZeroDivisionError), heavy.job("a", lim):
        assert held(tmp_path, "run") == 1
        _ = 1 / 0
    assert held(tmp_path, "run") == 0
    with heavy.job("a", lim):  # the client's and the host's places free again: no wait
        pass


def test_places_are_let_go_when_a_process_dies(tmp_path):
    """A worker killed in the middle of a job (SIGKILL: no cleanup runs) holds nothing."""
    folder, gate = tmp_path / "places", tmp_path / "gate"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), "a", str(gate)], cwd=ROOT)
    try:
        wait_for(lambda: (tmp_path / "in-a").exists(), "the job in")
        assert held(folder, "run") == 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    with heavy.job("a", Limits(1, 1, 1, 1, 0.0, folder)):
        assert held(folder, "run") == 1


def test_a_job_has_a_budget_and_a_job_inside_it_is_the_same_job(tmp_path):
    lim = Limits(1, 1, 1, 1, 0.0, tmp_path)
    assert heavy.time_left(90.0) == 90.0  # outside a job: the step's own timeout
    with heavy.job("a", lim):
        assert 0 < heavy.time_left(90.0) <= lim.seconds == heavy.JOB_SECONDS
        with heavy.job("a", lim):  # not refused: no second place taken
            assert held(tmp_path, "run") == 1
    assert heavy.time_left(90.0) == 90.0


def test_the_folder_must_be_this_users_own(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(RuntimeError, match="not this user's own"):
        heavy.progress("a", Limits(1, 1, 1, 1, 0.0, shared))


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(heavy.HOST_ENV, "3")
    monkeypatch.setenv(heavy.CLIENT_ENV, "1")
    monkeypatch.setenv(heavy.WAIT_ENV, "2.5")
    monkeypatch.setenv(heavy.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(heavy.WORKER_ENV, "5")
    monkeypatch.setenv(heavy.SECONDS_ENV, "40")
    assert Limits.from_env() == Limits(3, 1, 6, 1, 2.5, tmp_path, 5, 40.0)
    monkeypatch.delenv(heavy.WORKER_ENV)
    for name in (heavy.HOST_ENV, heavy.CLIENT_ENV, heavy.WAIT_ENV, heavy.DIR_ENV):
        monkeypatch.delenv(name)
    monkeypatch.setenv("VSLA_DB", str(tmp_path / "a.duckdb"))
    one = Limits.from_env()
    monkeypatch.setenv("VSLA_DB", str(tmp_path / "b.duckdb"))
    assert 2 <= one.host <= 4 and one.client == 2 and one.wait == 6 and one.worker == 2
    assert Limits.from_env().folder != one.folder  # one folder per pool


# --- Answers when refused (the app, Flask's test client) -------------------------------------


@pytest.fixture
def busy_host(tmp_path, monkeypatch) -> Iterator[Gate]:
    """The host's one place taken by another client's job; no wait in the queue."""
    monkeypatch.setenv(heavy.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(heavy.HOST_ENV, "1")
    monkeypatch.setenv(heavy.WAIT_ENV, "0")
    gate = Gate()
    thread = start(lambda: gate.run("someone else", Limits.from_env()))
    wait_for(lambda: gate.inside == 1, "the host taken")
    yield gate
    gate.open.set()
    thread.join(60)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?lang=en", "The server is busy making other files"),
        ("?lang=fr", "Le serveur est occupé"),
        ("?lang=da", "Serveren har travlt"),
    ],
)
@pytest.mark.parametrize("route", ["/report/pdf", "/report/print"])
def test_a_report_refused_is_a_503_with_retry_after_in_the_visitors_language(
    hand_app, busy_host, route, query, words
):
    response = hand_app.server.test_client().get(route + query)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(heavy.RETRY_AFTER)
    assert words in response.get_data(as_text=True)


def test_a_deck_refused_says_so_in_the_page(hand_app, busy_host):
    from tests.test_exports import page_export_answer

    answer = page_export_answer(hand_app.server.test_client(), "page-pptx", "?lang=fr", "/")
    assert "page-download" not in answer  # no file, no server error
    said = answer["page-export-notice"]["children"]["props"]["children"]
    assert "Le serveur est occupé" in said


def test_a_chart_image_refused_says_so_beside_its_menu(hand_app, busy_host):
    import json

    from tests.test_exports import export_payload

    client = hand_app.server.test_client()
    response = client.post(
        "/_dash-update-component", json=export_payload("ef-project", "slide", "?lang=da")
    )
    assert response.status_code == 200
    answer = json.loads(response.data)["response"]
    (notice,) = [v for k, v in answer.items() if "export-notice" in k]
    assert "Serveren har travlt" in notice["children"]["props"]["children"]
    assert not any("download" in k for k in answer)
    # the numbers of a chart are light work: not refused
    response = client.post("/_dash-update-component", json=export_payload("ef-project", "csv"))
    assert response.status_code == 200
    assert any("download" in k for k in json.loads(response.data)["response"])


def test_the_words_while_a_file_waits_its_turn(hand_app, tmp_path, monkeypatch):
    """The tick beside "Download page" says how many files a queued one waits for, then
    that it is being made."""
    from tests.dash_client import call

    monkeypatch.setenv(heavy.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(heavy.HOST_ENV, "1")
    client = hand_app.server.test_client()
    values = {"page-export-tick.n_intervals": 1}
    said = call(client, hand_app, "page-export-progress.children", values)
    assert "a deck takes 10 to 20 seconds" in said["page-export-progress.children"]
    gate = Gate()
    lim = Limits.from_env()
    holder = start(lambda: gate.run("someone else", lim))
    wait_for(lambda: gate.inside == 1, "the host taken")
    mine = start(lambda: gate.run("address:127.0.0.1", lim))  # the test client's address
    wait_for(lambda: held(tmp_path, "wait") == 1, "the visitor's file queued")
    said = call(client, hand_app, "page-export-progress.children", values)
    assert said["page-export-progress.children"] == "Waiting for 1 other file…"
    gate.open.set()
    for thread in (holder, mine):
        thread.join(60)
    assert gate.done == 2


# --- Links in files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "host", "expected"),
    [
        ({}, "evil.example", ""),
        ({"VSLA_TRUSTED_HOSTS": "vsla.example.org"}, "evil.example", ""),
        ({"VSLA_TRUSTED_HOSTS": "vsla.example.org"}, "vsla.example.org", "http://vsla.example.org"),
        (
            {"VSLA_TRUSTED_HOSTS": "vsla.example.org"},
            "vsla.example.org:8050",
            "http://vsla.example.org:8050",
        ),
        ({"VSLA_TRUSTED_HOSTS": "a.org:8050"}, "a.org:9999", ""),
        (
            {"VSLA_BASE_URL": "https://vsla.example.org/"},
            "evil.example",
            "https://vsla.example.org",
        ),
    ],
)
def test_the_sites_address_in_files(monkeypatch, env, host, expected):
    import flask

    from dashboard.core.naming import site_url

    for name in ("VSLA_BASE_URL", "VSLA_TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with flask.Flask(__name__).test_request_context("/", headers={"Host": host}):
        assert site_url() == expected


def test_a_spoofed_host_is_not_in_the_report_nor_the_deck(hand_app, tmp_path, monkeypatch):
    from io import BytesIO

    from pptx import Presentation

    from tests.test_exports import page_export_answer

    monkeypatch.setenv(heavy.DIR_ENV, str(tmp_path))
    monkeypatch.delenv("VSLA_BASE_URL", raising=False)
    client = hand_app.server.test_client()
    page = client.get("/report/print?country=UGA", headers={"Host": "evil.example"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "evil.example" not in text and "dashboard view: /report?" in text
    monkeypatch.setenv("VSLA_BASE_URL", "https://vsla.example.org")
    page = client.get("/report/print?country=UGA", headers={"Host": "evil.example"})
    assert "dashboard view: https://vsla.example.org/report?" in page.get_data(as_text=True)
    monkeypatch.delenv("VSLA_BASE_URL")

    answer = page_export_answer(
        client, "page-pptx", "?country=UGA", "/efficiency", {"Host": "evil.example"}
    )
    data = base64.b64decode(answer["page-download"]["data"]["content"])
    first = Presentation(BytesIO(data)).slides[0]
    words = " ".join(s.text_frame.text for s in first.shapes if s.has_text_frame)
    assert "Open in the dashboard: /efficiency?" in words
    assert "evil" not in words and "localhost" not in words


def test_a_job_s_budget_is_a_setting(tmp_path, monkeypatch):
    """$VSLA_HEAVY_SECONDS sets a running job's budget (the tests set it wide: on a busy
    machine a report took 20 s of the default 25); the renderers' waits end with it."""
    monkeypatch.setenv(heavy.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(heavy.SECONDS_ENV, "3")
    lim = Limits.from_env()
    assert lim.seconds == 3.0
    with heavy.job("a", lim):
        assert 2.0 < heavy.time_left(90.0) <= 3.0
    monkeypatch.setenv(heavy.SECONDS_ENV, "")
    assert Limits.from_env().seconds == heavy.JOB_SECONDS
