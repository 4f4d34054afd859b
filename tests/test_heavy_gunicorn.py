"""The export flood of issue 27 against real gunicorn (two of gunicorn.conf.py's threaded
workers): eight report PDFs and page decks at once, as a guest and as one signed-in
client, give files, 503s with Retry-After or words in the page, never a server error, and
/login answers meanwhile; a spoofed Host header never reaches a file."""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.request
from io import BytesIO
from pathlib import Path

from dashboard.exports import heavy
from tests import heavy_load
from tests.test_gunicorn import serving, signed_in

LOGIN_BOUND = 5.0  # seconds: "a page answering meanwhile", with room for a busy 2-core machine
HOST_JOBS = 2


def environment(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VSLA_BASE_URL", "VSLA_TRUSTED_HOSTS")}
    return env | {
        # the threads of gunicorn.conf.py (dashboard.web.serving.ThreadWorker), as deployed
        heavy.DIR_ENV: str(folder),
        heavy.HOST_ENV: str(HOST_JOBS),
        **extra,
    }


def held(folder: Path, kind: str) -> int:
    return heavy._held(sorted(folder.glob(f"{kind}-*")))


def test_eight_heavy_exports_at_once_fail_no_request_and_login_answers(
    hand_pool_path, tmp_path, monkeypatch
):
    from pptx import Presentation

    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    bodies = {page: heavy_load.deck_body(page) for page in heavy_load.DECK_PAGES}
    folder = tmp_path / "places"
    seen = {"run": 0, "wait": 0}

    def watch() -> None:  # the host's places, as often as /login is asked for
        for kind in seen:
            seen[kind] = max(seen[kind], held(folder, kind))

    with serving(hand_pool_path, 2, environment(folder)) as url:
        for who, opener in (
            ("a guest", heavy_load.guest()),
            ("one signed-in client", signed_in(url, "admin")),
        ):
            result = heavy_load.flood(url, opener, bodies, watch)
            print(heavy_load.report(who, result))
            print(f"  places seen at once: {seen['run']} running, {seen['wait']} waiting")
            kinds = result.kinds
            assert set(kinds) <= {"file", "refused", "notice"}, heavy_load.report(who, result)
            assert kinds["file"] >= 1
            assert result.login_worst < LOGIN_BOUND, heavy_load.report(who, result)
            for outcome in result.outcomes:
                if outcome.kind == "file" and outcome.what.startswith("deck"):
                    assert len(Presentation(BytesIO(outcome.body)).slides) >= 2
                elif outcome.kind == "file":
                    assert b"/Type /Page" in outcome.body
                else:  # refused or said in the page: why, in words
                    assert "files" in outcome.detail, outcome
            assert seen["run"] <= HOST_JOBS
            deadline = time.monotonic() + 60
            while held(folder, "run") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert held(folder, "run") == held(folder, "wait") == 0  # every place let go


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _first_slide(data: bytes) -> str:
    from pptx import Presentation

    slide = Presentation(BytesIO(data)).slides[0]
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _get(url: str, host: str) -> bytes:
    request = urllib.request.Request(url, headers={"Host": host})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200
        return response.read()


def _deck(url: str, body: bytes, host: str) -> bytes:
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=body,
        headers={"Content-Type": "application/json", "Host": host},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())["response"]
    return base64.b64decode(answer["page-download"]["data"]["content"])


def test_a_spoofed_host_never_reaches_a_file(hand_pool_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    body = heavy_load.deck_body("/efficiency")
    evil = "evil.example"
    with serving(hand_pool_path, 2, environment(tmp_path / "a")) as url:
        page = _get(url + "/report/print?country=UGA", evil).decode()
        assert evil not in page and "dashboard view: /report?" in page
        text = _pdf_text(_get(url + "/report/pdf?country=UGA", evil))
        assert evil not in text and "dashboard view: /report?" in text
        slide = _first_slide(_deck(url, body, evil))
        assert evil not in slide and "Open in the dashboard: /efficiency" in slide
    # a host of the trusted list is used as it is; the configured address over any other
    extra = {"VSLA_TRUSTED_HOSTS": "vsla.example.org"}
    with serving(hand_pool_path, 1, environment(tmp_path / "b", **extra)) as url:
        page = _get(url + "/report/print", "vsla.example.org").decode()
        assert "dashboard view: http://vsla.example.org/report" in page
        assert evil not in _get(url + "/report/print", evil).decode()
    extra = {"VSLA_BASE_URL": "https://dash.example.net"}
    with serving(hand_pool_path, 1, environment(tmp_path / "c", **extra)) as url:
        slide = _first_slide(_deck(url, body, evil))
        assert evil not in slide and "https://dash.example.net/efficiency" in slide
