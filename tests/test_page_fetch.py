"""A page's data come from its declarations (issue 30): each chart, and each page for its
tiles, caption and parts, declares what it reads (dashboard.views.needs); the page gets it
all in one fetch before drawing. Here, on the hand pool and the real datasource and cache,
for each page and a range of views and viewers: once the page's fetch is done, drawing the
page asks the cache for nothing it lacks and opens no DuckDB cursor; and the fetch gets
nothing the drawing does not read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest

from dashboard.access.policy import ADMIN, GUEST, Viewer
from dashboard.analytics import cache, datasource
from dashboard.pool import db
from dashboard.views import needs
from dashboard.web.pages import (
    compare,
    efficiency,
    explore,
    outreach,
    overview,
    performance,
    present,
    projects,
    themes,
)

BUILDS: dict[str, Callable[[str], Any]] = {
    "overview": overview.build,
    "efficiency": efficiency.build,
    "outreach": outreach.build,
    "performance": performance.build,
    "projects": projects.build,
    "compare": compare.build,
    "present": present.slides,
    "themes": themes.build,
    "explore": explore.build,
}
SEARCHES = (
    "",
    "?country=UGA",
    "?organisation=Beta%20Relief",  # (one organisation: its trainers; its cost against all)
    "?project=UGA-A-01&by=country",
    "?country=UGA&organisation=Alpha%20Aid&setting=rural",
    "?compare=project&currency=UGX",
    "?as_of=2024-12-31&by=country&compare=country",
)
VIEWERS = {
    "admin": ADMIN,
    "alpha": Viewer("member", "Alpha Aid", "alpha"),
    "guest": GUEST,
}
# every view as the administrator; as a member and a guest (whose scope and perturbation
# change the keys, not the page's needs) the whole network and a view with a theme filter
# (the suite's time: each view is a cold build)
SEARCHES_OF = {"admin": SEARCHES, "alpha": SEARCHES[::4], "guest": SEARCHES[::4]}


NAMES: dict[str, str] = {}  # a key's function and arguments (for a failure's message)


def named(keys: Any) -> list[str]:
    return sorted(NAMES.get(k, k) for k in keys)


@dataclass
class Recorder:
    """The cache as the datasource sees it, each get and set written down with the phase
    it fell in: before the page's fetch (its view: the pool's facts), during it, after it
    (the drawing)."""

    store: Any
    phase: str = "before"
    misses: dict[str, list[str]] = field(default_factory=dict)
    hits: dict[str, set[str]] = field(default_factory=dict)
    sets: dict[str, set[str]] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)
    fetches: int = 0

    def get(self, key: str) -> Any:
        value = self.store.get(key)
        book = self.misses if value is cache.MISSING else self.hits
        if value is cache.MISSING:
            book.setdefault(self.phase, []).append(key)
        else:
            self.hits.setdefault(self.phase, set()).add(key)
        return value

    def set(self, key: str, value: Any) -> None:
        self.sets.setdefault(self.phase, set()).add(key)
        self.store.set(key, value)

    def clear(self) -> None:
        self.store.clear()


@pytest.fixture
def recorder(hand_app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder(cache.backend())
    monkeypatch.setattr(cache, "backend", lambda: rec)
    fetch_all, cursor = needs.fetch_all, db.cursor

    def fetching(*args: Any, **kwargs: Any) -> None:
        rec.fetches += 1
        rec.phase = "fetch"
        fetch_all(*args, **kwargs)
        rec.phase = "draw"

    def counted_cursor() -> Any:
        rec.cursors[rec.phase] = rec.cursors.get(rec.phase, 0) + 1
        return cursor()

    def key_of(parts: tuple[Any, ...]) -> str:
        key = make_key(parts)
        NAMES[key] = f"{parts[0]}{parts[2:]}"
        return key

    make_key = cache.key_of
    monkeypatch.setattr(cache, "key_of", key_of)
    monkeypatch.setattr(needs, "fetch_all", fetching)
    monkeypatch.setattr(db, "cursor", counted_cursor)
    yield rec


def built(app: Any, rec: Recorder, page: str, search: str, who: Viewer) -> None:
    datasource.clear_cache()
    rec.__init__(rec.store)  # (a fresh record, the same store)
    with app.server.test_request_context("/" + search):
        flask.g.vsla_viewer = who
        BUILDS[page](search)


@pytest.mark.parametrize("who", list(VIEWERS))
@pytest.mark.parametrize("page", list(BUILDS))
def test_after_its_fetch_a_page_draws_without_asking_the_pool(hand_app, recorder, page, who):
    for search in SEARCHES_OF[who]:
        built(hand_app, recorder, page, search, VIEWERS[who])
        where = (page, search, who)
        assert recorder.fetches == 1, where  # one fetch per page
        assert named(recorder.misses.get("draw", [])) == [], where
        assert recorder.cursors.get("draw", 0) == 0, where
        # the fetch got something, and nothing the page does not read (the drawing, or
        # the fetch's second round, which reads the first's answers: the presentation's
        # headline, whether it goes on to charts; the trainers, whose groups it reads)
        fetched = recorder.sets.get("fetch", set())
        assert fetched, where
        read = recorder.hits.get("draw", set()) | recorder.hits.get("fetch", set())
        assert named(fetched - read) == [], where


def test_a_chart_s_needs_are_its_own(hand_app, recorder):
    """A chart's declarations are what its drawing reads (not only the page's together):
    each of the efficiency page's charts, drawn alone after fetching its needs and the
    page's, asks for nothing more."""
    from dashboard.views.view import read_view

    for spec in efficiency.PAGE.charts:
        datasource.clear_cache()
        recorder.__init__(recorder.store)
        with hand_app.server.test_request_context("/?country=UGA"):
            flask.g.vsla_viewer = ADMIN
            data = efficiency.Efficiency(read_view("?country=UGA"))
            needs.fetch_all((*efficiency.PAGE.needs, *spec.needs), data)
            spec.chart(data)
        assert named(recorder.misses.get("draw", [])) == [], spec.id
        unread = recorder.sets.get("fetch", set()) - recorder.hits.get("draw", set())
        assert named(unread) == [], spec.id
