"""The load test: simulated users clicking through the dashboard's pages against a running
server (loopback only, bounded in time), with an import swapping in a new pool version while
they click.

    python -m scripts.bench --load-only [--load-size 20000] [--users 50] [--seconds 60]

Each user signs in (the admin, an organisation's account, or stays a guest, in turn), then
for `seconds` opens a page (its HTML) and sends the page's callback for one of the seeded
filter changes, again and again, without pause. A request fails when it raises or answers
with a status other than 200 or 204. A third of the way in, `vsla import` adds a later visit
of some groups to the pool being served; a probe asks for the headline every 0.2 s and
records when the answers start and stop showing the old data. Used by `make bench` (on a
copy of its pool; `--load-only` runs it alone) and, smaller, by tests/test_refresh.py.
A library of the benchmark's: it imports nothing of it.
"""

from __future__ import annotations

import http.cookiejar
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# A page's answer to a filter change: the callback writing this output (as in bench.py).
PAGES = {
    "overview": "ov-lead.children",
    "outreach": '"or-members"',
    "efficiency": '"ef-project"',
    "performance": '"pf-trend"',
    "themes": '"th-chart"',
    "compare": "cmp-table.children",
    "projects": "pj-title.children",
    "data": "data-table.rowData",
}


def path_of(page: str) -> str:
    return "/" if page == "overview" else f"/{page}"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def session(url: str, username: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """A browser-like client: its own cookies, signed in unless a guest."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    if username is None:
        return opener
    page = opener.open(url + "/login", timeout=60).read().decode()
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("The sign-in page has no CSRF token.")
    form = {"username": username, "password": password or "", "csrf": match.group(1)}
    answer = opener.open(url + "/login", data=urlencode(form).encode(), timeout=60)
    if "/login" in answer.geturl():
        raise RuntimeError(f"Could not sign in as {username}.")
    return opener


@dataclass
class Load:
    """What the users saw: (seconds since start, latency, ok) per request, and the errors."""

    requests: list[tuple[float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    probes: list[tuple[float, bool]] = field(default_factory=list)  # (time, new data?)
    import_window: tuple[float, float] | None = None  # import started, finished (s)
    import_error: str | None = None
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, latency: float, ok: bool, error: str = "") -> None:
        with self.lock:
            self.requests.append((started, latency, ok))
            if not ok and len(self.errors) < 20:
                self.errors.append(error)

    @property
    def failed(self) -> int:
        return sum(1 for _t, _l, ok in self.requests if not ok)

    def summary(self) -> dict[str, Any]:
        latencies = [lat for _t, lat, _ok in self.requests]
        out: dict[str, Any] = {
            "requests": len(self.requests),
            "errors": self.failed,
            "throughput": len(self.requests) / self.seconds if self.seconds else 0.0,
            "p50_ms": percentile(latencies, 0.5) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
        }
        if self.import_window is not None:
            done = self.import_window[1]
            after = [(t, new) for t, new in self.probes if t >= done]
            out["import_s"] = done - self.import_window[0]
            out["probes_after_import"] = len(after)
            # answers to requests sent after the import had finished that showed old data
            out["stale_after_import"] = sum(1 for _t, new in after if not new)
            during = [t for t, new in self.probes if new]
            # from the import's start to the first answer with the new data
            out["new_data_after_s"] = min(during) - self.import_window[0] if during else None
        return out


AFTER_IMPORT = 5  # probes after the import's end that a run waits for
LINGER = 120.0  # seconds a run's probes may go on after its clicking, for them


def run(
    url: str,
    bodies: dict[str, list[bytes]],
    accounts: Sequence[tuple[str | None, str | None]],
    *,
    users: int = 50,
    seconds: float = 60.0,
    refresh: Callable[[], None] | None = None,
    probe: tuple[bytes, Callable[[str], bool]] | None = None,
    seed: int = 11,
) -> Load:
    """`users` threads, each signed in with the next of `accounts`, clicking through the
    pages (`bodies`: each page's callback bodies, one per filter change) for `seconds`. With
    `refresh`, it runs a third of the way in; `probe` (a body and a test of its answer for
    the new data) is sent every 0.2 s meanwhile, and after the clicking until the import has
    ended and AFTER_IMPORT probes have followed it (for at most LINGER more seconds: on a
    busy machine an import may outlast the clicking)."""
    load = Load()
    start = time.perf_counter()
    stop = start + seconds
    ready = threading.Barrier(users + 1)
    go = threading.Event()
    imported = threading.Event()  # (set when the import has ended, or when there is none)
    if refresh is None:
        imported.set()

    def post(opener: urllib.request.OpenerDirector, body: bytes) -> str:
        request = urllib.request.Request(
            url + "/_dash-update-component",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=120) as answer:
            if answer.status not in (200, 204):
                raise RuntimeError(f"status {answer.status}")
            return str(answer.read().decode())

    def user(index: int) -> None:
        rng = random.Random(seed + index)
        username, password = accounts[index % len(accounts)]
        try:
            opener = session(url, username, password)
        except Exception as exc:
            load.add(0.0, 0.0, False, f"sign-in of {username}: {exc}")
            ready.wait()
            return
        ready.wait()
        go.wait()
        while time.perf_counter() < stop:
            page = rng.choice(list(bodies))
            for step in ("page", "callback"):
                t = time.perf_counter()
                try:
                    if step == "page":
                        with opener.open(url + path_of(page), timeout=120) as answer:
                            answer.read()
                    else:
                        post(opener, rng.choice(bodies[page]))
                    load.add(t - start, time.perf_counter() - t, True)
                except (OSError, RuntimeError, urllib.error.HTTPError) as exc:
                    load.add(t - start, time.perf_counter() - t, False, f"{step} {page}: {exc}")

    def prober() -> None:
        assert probe is not None
        opener = session(url, None, None)
        body, is_new = probe
        after = 0  # probes sent once the import had ended

        def going() -> bool:
            now = time.perf_counter()
            if now < stop:
                return True
            return (not imported.is_set() or after < AFTER_IMPORT) and now < stop + LINGER

        while going():
            t = time.perf_counter()
            ended = imported.is_set()
            try:
                load.probes.append((t - start, is_new(post(opener, body))))
            except (OSError, RuntimeError) as exc:
                load.add(t - start, time.perf_counter() - t, False, f"probe: {exc}")
            after += ended
            time.sleep(0.2)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()  # clicking starts when every user is signed in
    stop = start + seconds
    go.set()
    extra = []
    if probe is not None:
        extra.append(threading.Thread(target=prober, daemon=True))
        extra[-1].start()
    if refresh is not None:
        time.sleep(seconds / 3)
        began = time.perf_counter() - start
        try:
            refresh()
        except Exception as exc:
            load.import_error = str(exc)
        load.import_window = (began, time.perf_counter() - start)
        imported.set()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - start  # (the clicking: its throughput)
    for thread in extra:
        thread.join()
    return load


def later_visits(pool: Path, folder: Path, groups: int = 200) -> date:
    """A CSV folder holding a later visit of `groups` groups (their latest dataset, a month
    on, one more member each), for an import that changes the pool's latest date."""
    import duckdb

    con = duckdb.connect(str(pool), read_only=True)
    try:
        (latest,) = con.execute("SELECT max(report_date) FROM datasets").fetchone()  # type: ignore[misc]
        new_date = min(latest + timedelta(days=30), date.today())
        folder.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"""COPY (
                SELECT * REPLACE ($new_date::DATE AS report_date, members + 1 AS members,
                                  women + 1 AS women)
                FROM datasets
                WHERE report_date = $latest
                ORDER BY project_id, group_id
                LIMIT {int(groups)}
            ) TO '{folder / "datasets.csv"}' (HEADER)""",
            {"new_date": new_date, "latest": latest},
        )
    finally:
        con.close()
    return new_date


def importer(pool: Path, folder: Path, *, demo: bool = False) -> Callable[[], None]:
    """An import of `folder` into `pool` (`demo`: the demo pool, which takes test data only
    when asked: --add-to-demo)."""
    flags = ["--add-to-demo"] if demo else []

    def refresh() -> None:
        result = subprocess.run(
            [str(BIN / "vsla"), "import", str(folder), "--db", str(pool), *flags],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])

    return refresh


def request_body(app: Any, output: str, values: dict[str, Any]) -> dict[str, Any]:
    """The JSON the browser sends for the callback writing `output` (tests/dash_client.py)."""
    from tests.dash_client import request_body as body

    return body(app, output, values)


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def callback_bodies(app: Any, searches: Sequence[str]) -> dict[str, list[bytes]]:
    """Each page's callback request for each filter change, as the browser sends it."""
    return {
        page: [
            encode(request_body(app, output, {"url.search": s, "url.pathname": path_of(page)}))
            for s in searches
        ]
        for page, output in PAGES.items()
    }


def date_shown(day: date) -> Callable[[str], bool]:
    """A test of an answer for `day`, however the headline writes it."""
    forms = {day.isoformat(), f"{day.day} {day:%b %Y}", f"{day.day} {day:%B %Y}"}
    return lambda text: any(f in text for f in forms)
