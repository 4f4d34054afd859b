"""Eight heavy exports at once against a real server (report PDFs and page decks), while a
visitor asks for /login: what each export got and how long /login took.

Used by tests/test_heavy.py against gunicorn, and as a script to measure a server
(`python tests/heavy_load.py http://127.0.0.1:8050`, with VSLA_DB set to its pool: the deck's
callback request is built from the app).
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

PDF_PATHS = (
    "/report/pdf",
    "/report/pdf?country=UGA",
    "/report/pdf?country=KEN",
    "/report/pdf?as_of=2024-12-31",
)
DECK_PAGES = ("/", "/efficiency", "/performance", "/outreach")


@dataclass
class Outcome:
    what: str  # the path, or "deck <page>"
    kind: str  # file, refused (503 + Retry-After), notice (words in the page), or the fault
    status: int
    seconds: float
    body: bytes = b""
    detail: str = ""


@dataclass
class Flood:
    outcomes: list[Outcome] = field(default_factory=list)
    login_seconds: list[float] = field(default_factory=list)

    @property
    def kinds(self) -> Counter[str]:
        return Counter(o.kind for o in self.outcomes)

    @property
    def login_worst(self) -> float:
        return max(self.login_seconds) if self.login_seconds else float("nan")


def deck_body(page: str, output: str = "page-download.data") -> bytes:
    """The callback request of a click on "Download page" > PowerPoint on `page` (from the
    app of the dashboard package imported: VSLA_DB names the pool)."""
    from dashboard.web.server import create_app
    from tests.dash_client import request_body

    app = create_app(generated_key_ok=True)
    body = request_body(
        app,
        output,
        {"page-pptx.n_clicks": 1, "url.search": "", "url.pathname": page},
        changed=["page-pptx.n_clicks"],
    )
    return json.dumps(body).encode()


def _open(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> Any:
    try:
        response = opener.open(request, timeout=180)
        return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except OSError as exc:  # a connection dropped: a killed worker
        return 0, {}, repr(exc).encode()


def pdf(url: str, path: str, opener: urllib.request.OpenerDirector, host: str = "") -> Outcome:
    headers = {"Host": host} if host else {}
    started = time.monotonic()
    status, head, body = _open(opener, urllib.request.Request(url + path, headers=headers))
    took = time.monotonic() - started
    if status == 200 and body.startswith(b"%PDF-"):
        return Outcome(path, "file", status, took, body)
    if status == 503 and head.get("Retry-After"):
        return Outcome(path, "refused", status, took, detail=body.decode("utf-8", "replace"))
    return Outcome(
        path, f"fault {status}", status, took, detail=body[:300].decode(errors="replace")
    )


def deck(
    url: str, page: str, body: bytes, opener: urllib.request.OpenerDirector, host: str = ""
) -> Outcome:
    headers = {"Content-Type": "application/json", **({"Host": host} if host else {})}
    request = urllib.request.Request(url + "/_dash-update-component", data=body, headers=headers)
    started = time.monotonic()
    status, head, raw = _open(opener, request)
    took = time.monotonic() - started
    what = f"deck {page}"
    if status == 503 and head.get("Retry-After"):
        return Outcome(what, "refused", status, took, detail=raw.decode("utf-8", "replace"))
    if status != 200:
        return Outcome(
            what, f"fault {status}", status, took, detail=raw[:300].decode(errors="replace")
        )
    answer = json.loads(raw)["response"]
    data = (answer.get("page-download") or {}).get("data")
    if data:
        return Outcome(what, "file", status, took, base64.b64decode(data["content"]))
    said = (answer.get("page-export-notice") or {}).get("children")
    if said:
        return Outcome(what, "notice", status, took, detail=json.dumps(said))
    return Outcome(what, "fault: nothing said", status, took, detail=raw[:300].decode())


def guest() -> urllib.request.OpenerDirector:
    """A visitor who has not signed in (with a cookie jar, as a browser)."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def flood(
    url: str,
    opener: urllib.request.OpenerDirector,
    bodies: dict[str, bytes],
    watcher: Any = None,
) -> Flood:
    """Four report PDFs and four page decks at once from `opener`'s client; meanwhile
    another visitor asks for /login again and again (each answer timed) until all are
    answered; `watcher()`, if given, is called as often (to sample the server's state)."""
    result = Flood()
    done = threading.Event()
    login = urllib.request.build_opener()

    def ask_login() -> None:
        while not done.is_set():
            started = time.monotonic()
            status, _head, _body = _open(login, urllib.request.Request(url + "/login"))
            result.login_seconds.append(time.monotonic() - started)
            assert status == 200, status
            if watcher is not None:
                watcher()
            done.wait(0.25)

    with ThreadPoolExecutor(max_workers=9) as pool:
        prober = pool.submit(ask_login)
        jobs = [pool.submit(pdf, url, path, opener) for path in PDF_PATHS]
        jobs += [pool.submit(deck, url, page, bodies[page], opener) for page in DECK_PAGES]
        result.outcomes = [job.result() for job in jobs]
        done.set()
        prober.result()
    return result


def report(name: str, result: Flood) -> str:
    lines = [
        f"{name}: {dict(result.kinds)}; /login answered {len(result.login_seconds)} times, "
        f"worst {result.login_worst:.2f} s"
    ]
    for o in result.outcomes:
        lines.append(f"  {o.what:28} {o.kind:10} {o.status} {o.seconds:6.1f} s {o.detail[:90]}")
    return "\n".join(lines)


if __name__ == "__main__":  # measure a running server
    target = sys.argv[1].rstrip("/")
    made = {page: deck_body(page) for page in DECK_PAGES}
    print(report("a guest", flood(target, guest(), made)))
