"""How the files reach the browser (issue 20): the partial plotly.js bundle instead of Dash's
full one, holding every trace type the pages draw; responses compressed when the client
accepts it (and the kept answers kept plain); versioned files cached for a year."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import brotli
import pytest

from dashboard.core.urlstate import COMPARE_BY, VIEW_BY, theme_keys
from dashboard.web import responses
from scripts import plotly_bundle
from tests.dash_client import call, request_body

BUNDLE_URL = "/assets/" + plotly_bundle.BUNDLE.name


@pytest.fixture
def app(hand_app):
    return hand_app


@pytest.fixture
def client(admin_client):
    return admin_client


def bundle_traces() -> set[str]:
    """The trace types the bundle registers (each trace module declares its name)."""
    text = plotly_bundle.BUNDLE.read_text()
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))


def trace_types(node: Any) -> set[str]:
    """The trace types of every figure in a callback's answer (or a layout)."""
    found: set[str] = set()
    if isinstance(node, dict):
        data = node.get("data")
        if "layout" in node and isinstance(data, list):
            found |= {t.get("type", "scatter") for t in data if isinstance(t, dict)}
        for value in node.values():
            found |= trace_types(value)
    elif isinstance(node, list):
        for value in node:
            found |= trace_types(value)
    return found


def drawn_types(client: Any, app: Any) -> set[str]:
    """The trace types of the figures every page sends, for links that reach each of its
    variants (breakdowns, comparisons, every theme), and of the presentation's slides."""
    searches = ["", "?country=UGA", "?as_of=2024-12-31"]
    searches += [f"?by={b}" for b in VIEW_BY] + [f"?compare={c}" for c in COMPARE_BY]
    searches += [f"?theme={t}" for t in theme_keys()]
    found: set[str] = set()
    for key in responses.view_callbacks(app):
        for search in searches:
            body = request_body(app, key, {"url.search": search})
            answer = client.post("/_dash-update-component", json=body)
            assert answer.status_code in (200, 204)
            if answer.status_code == 200:
                found |= trace_types(json.loads(answer.data))
    present = call(client, app, "page-content.children", {"url.pathname": "/present"})
    return found | trace_types(present)


def test_the_bundle_is_of_the_plotly_js_version_dash_would_serve():
    assert plotly_bundle.bundled_version() == plotly_bundle.plotly_version()
    # a third of the full library
    assert plotly_bundle.BUNDLE.stat().st_size < 2_000_000


def test_every_trace_type_the_pages_draw_is_in_the_bundle(client, app):
    drawn = drawn_types(client, app)
    # the figures of the pages: lines and areas, bars, the spreads' boxes, the map
    assert {"scatter", "bar", "box", "choropleth"} <= drawn
    assert drawn <= bundle_traces(), drawn - bundle_traces()
    assert set(plotly_bundle.TRACES) | {"scatter"} == bundle_traces()


def test_the_page_loads_the_partial_bundle_before_the_app_starts(client):
    html = client.get("/").data.decode()
    tag = re.search(r'<script src="(/assets/05_plotly-partial\.min\.js\?m=[\d.]+)"></script>', html)
    assert tag is not None, "the bundle is loaded by a plain (blocking) script tag"
    # defined before the renderer mounts any graph, so dcc.Graph never fetches its own
    assert html.index(tag.group(1)) < html.index("new DashRenderer")
    assert "plotly.min.js" not in html
    assert client.get(tag.group(1)).status_code == 200


def test_scripts_styles_and_callbacks_are_compressed_when_the_browser_accepts_it(client, app):
    plain = plotly_bundle.BUNDLE.read_bytes()
    for encoding, decode in (("br", brotli.decompress), ("gzip, deflate, br", brotli.decompress)):
        answer = client.get(BUNDLE_URL, headers={"Accept-Encoding": encoding})
        assert answer.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in answer.headers["Vary"]
        body = answer.get_data()
        assert len(body) < len(plain) / 2
        assert decode(body) == plain
    css = client.get("/assets/00_bootstrap.min.css", headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"
    # pages are not compressed: the sign-in page's CSRF token sits beside what the visitor
    # typed, and a compressed length could leak it (BREACH)
    for path in ("/", "/login"):
        page = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert page.status_code == 200 and "Content-Encoding" not in page.headers, path
    login = client.get("/login", headers={"Accept-Encoding": "gzip, br"}).get_data()
    assert b'name="csrf"' in login

    # a page's answer (its figures' JSON), the first time and kept
    body = request_body(app, "ov-lead.children", {"url.search": "?country=UGA"})
    answers = []
    for _ in range(2):
        answer = client.post(
            "/_dash-update-component", json=body, headers={"Accept-Encoding": "gzip"}
        )
        assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"
        answers.append(json.loads(gzip.decompress(answer.get_data())))
    assert answers[0] == answers[1]
    # the kept answer is the plain JSON: a client that does not accept compression gets it
    answer = client.post("/_dash-update-component", json=body)
    assert "Content-Encoding" not in answer.headers
    assert json.loads(answer.data) == answers[0]


def test_a_client_that_accepts_only_gzip_gets_the_files_gzipped(client):
    """The files of assets/ are streamed; gzip is among the streamed encodings too, so a
    client that accepts nothing else (curl --compressed of old, some proxies) does not get
    the plotly bundle plain."""
    plain = plotly_bundle.BUNDLE.read_bytes()
    for url in (BUNDLE_URL, "/assets/00_bootstrap.min.css"):
        answer = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.headers["Content-Encoding"] == "gzip", url
        body = gzip.decompress(answer.get_data())
        if url == BUNDLE_URL:
            assert body == plain
            assert len(answer.get_data()) < len(plain) / 2
    # and none: plain
    answer = client.get(BUNDLE_URL, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in answer.headers and answer.get_data() == plain


def test_files_named_by_their_version_are_cached_for_a_year(client):
    html = client.get("/").data.decode()
    year = "max-age=31536000"
    bundle = re.search(r'src="(/assets/05_plotly-partial[^"]+)"', html).group(1)
    suite = re.search(r'src="(/_dash-component-suites/dash_ag_grid/[^"]+\.v[^"]+)"', html).group(1)
    for url in (bundle, suite):
        answer = client.get(url, headers={"Accept-Encoding": "br"})
        assert answer.status_code == 200
        assert year in answer.headers["Cache-Control"], url
        assert "immutable" in answer.headers["Cache-Control"], url
    # the page, and files fetched by a plain address, are not kept without asking
    assert year not in client.get("/").headers.get("Cache-Control", "")
    font = "/assets/fonts/source-sans-3-latin-400-normal.woff2"
    answer = client.get(font)
    assert year not in answer.headers.get("Cache-Control", "")
    # ... and asking again answers 304, compressed or not
    for encoding in ("", "br"):
        first = client.get(
            "/assets/topojson/world_110m.json", headers={"Accept-Encoding": encoding}
        )
        assert first.status_code == 200 and first.headers.get("ETag")
        again = client.get(
            "/assets/topojson/world_110m.json",
            headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]},
        )
        assert again.status_code == 304, encoding
