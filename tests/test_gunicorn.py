"""The deployment command of the README really serves: gunicorn, two workers, real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dash_client import flatten, request_body

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gunicorn_url(hand_pool_path):
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "app:server", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=dict(os.environ, VSLA_DB=str(hand_pool_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"gunicorn did not start:\n{out}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def signed_in(url: str, username: str) -> urllib.request.OpenerDirector:
    """A client with a cookie jar, signed in through the login form."""
    import http.cookiejar
    import re
    from urllib.parse import urlencode

    from tests.conftest import PASSWORD

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url + "/login", timeout=10) as response:
        token = re.search(r'name="csrf" value="([^"]+)"', response.read().decode()).group(1)
    form = urlencode({"username": username, "password": PASSWORD, "csrf": token}).encode()
    with opener.open(url + "/login", data=form, timeout=30) as response:
        assert response.status == 200  # followed the redirect to the dashboard
    return opener


def test_gunicorn_serves_the_pool_with_two_workers(gunicorn_url, hand_pool_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    from dashboard.server import create_app

    body = json.dumps(
        request_body(create_app(), "ov-lead.children", {"url.search": "?country=UGA"})
    ).encode()
    admin = signed_in(gunicorn_url, "admin")
    guest = urllib.request.build_opener()
    # Several requests, so that both workers open the pool read-only and answer; the session
    # signed by one worker is honoured by the other (one secret key).
    for _ in range(6):
        with admin.open(gunicorn_url + "/_dash-layout", timeout=10) as response:
            assert response.status == 200

        def request() -> urllib.request.Request:  # a fresh one: a cookie jar writes into it
            return urllib.request.Request(
                gunicorn_url + "/_dash-update-component",
                data=body,
                headers={"Content-Type": "application/json"},
            )

        with admin.open(request(), timeout=30) as response:
            values = flatten(json.loads(response.read()))
        assert values["kpi-members-value.children"] == "72"  # Uganda's members, by hand
        with guest.open(request(), timeout=30) as response:
            values = flatten(json.loads(response.read()))
        # A guest sees shared projects only (UGA-A-01's G1 and G2, not UGA-B-01), and two
        # groups of other organisations are too few to show.
        assert values["kpi-members-value.children"]["props"]["children"] == "fewer than 5 groups"
    with urllib.request.urlopen(gunicorn_url + "/assets/00_bootstrap.min.css") as response:
        assert response.status == 200


def test_each_worker_renders_reports_with_its_own_renderer(gunicorn_url):
    """Charts are drawn by a Kaleido renderer that each worker starts after the fork and
    uses under a lock: concurrent reports (inline SVG charts) and PDFs all come out whole."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(gunicorn_url + path, timeout=120) as response:
            return response.status, response.read()

    paths = ["/report/print?project=UGA-A-01", "/report/print?country=KEN"] * 2
    paths += ["/report/pdf?organisation=Beta+Relief"] * 2
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        results = list(pool.map(fetch, paths))
    for path, (status, body) in zip(paths, results, strict=True):
        assert status == 200, path
        if "/pdf" in path:
            assert body.startswith(b"%PDF-") and b"/Type /Page" in body
        else:
            assert body.count(b"<svg") == 4, path
