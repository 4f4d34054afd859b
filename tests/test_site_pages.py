"""What the site answers besides its pages (dashboard/web/site.py): 404 for an address that is
no page (the app's frame with a notice), 404 and one log line for a component file Dash does
not serve, robots.txt and X-Robots-Tag, and the pages' meta description."""

from __future__ import annotations

import gc
import html
import http.client
import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash
import pytest

from dashboard.core import config
from dashboard.web import site
from dashboard.web.pages import pack, present
from dashboard.web.server import PAGES
from tests.conftest import _serving
from tests.dash_client import call
from tests.test_gunicorn import serving

NOTICE = {"en": "This page does not exist.", "da": "Denne side findes ikke."}
HEADING = {"en": "Page not found", "da": "Siden blev ikke fundet"}
DESCRIPTION = {
    "en": "Outreach, women's membership, financial performance and cost per member of "
    "savings groups across the network's projects.",
    "da": "Udbredelse, kvinders medlemskab, økonomiske resultater og omkostning pr. medlem "
    "for spare- og lånegrupper på tværs af netværkets projekter.",
    "fr": "Portée, adhésion des femmes, performance financière et coût par membre des "
    "groupes d'épargne dans l'ensemble des projets du réseau.",
}
NOT_PAGES = (
    "/nope",
    "/overview/extra",
    "/outreach/extra",
    "/Outreach",  # (paths are exact, as the router's)
    "/_dash-nothing",
    "/assets",
    "/_dash-component-suites/dash",  # (no file named: not the files' route)
    "/logout",  # (a POST route: no page to GET)
    "/nope?country=UGA",
)
SUITES = (
    "/_dash-component-suites/dash/nope.js",
    "/_dash-component-suites/nopkg/x.js",
    "/_dash-component-suites/dash/../../etc/passwd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/deps/..%2f..%2f..%2fsite.py",
)


@pytest.fixture
def client(hand_app: Any) -> Any:
    return hand_app.server.test_client()


def registered_paths() -> list[str]:
    return sorted(page["path"] for page in dash.page_registry.values())


PAGE_PATHS = sorted(m.PATH for m in (*PAGES, present, pack))  # (registered by create_app)


@pytest.fixture
def quiet() -> None:
    """Nothing of earlier tests left to log: a chart renderer they stopped logs its folder's
    cleanup when the garbage collector gets to it (which may be during a request)."""
    gc.collect()


def logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records the request logged (the test client answers in the test's thread)."""
    return [r for r in caplog.records if r.thread == threading.get_ident()]


def meta_descriptions(page: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(r'<meta name="description" content="([^"]*)"', page)
    ]


# --- Not found -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOT_PAGES)
def test_an_address_that_is_no_page_answers_404_with_the_app_and_a_notice(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    # the app itself (the frame is drawn by the browser from these) ...
    assert 'id="react-entry-point"' in page and 'id="_dash-config"' in page
    assert "dash_renderer" in page and "00_bootstrap.min.css" in page
    # ... with the notice in its entry point until then, and a link to the overview that
    # keeps the address's query string
    assert f'<h1 class="page-title">{HEADING["en"]}</h1>' in page
    assert f"<p>{NOTICE['en']}</p>" in page
    query = urlsplit(path).query
    home = "/" + (f"?{query}" if query else "")
    assert f'<a href="{html.escape(home)}">Go to the overview</a>' in page
    assert "<title>Page not found · Savings groups network</title>" in page
    assert client.head(path).status_code == 404


def test_the_app_on_an_address_that_is_no_page_draws_the_routers_notice(hand_app, client):
    """In the browser, the app's frame (navigation, filters) comes with the router's notice."""
    assert client.get("/nope").status_code == 404
    routed = call(client, hand_app, "page-content.children", {"url.pathname": "/nope"})
    text = json.dumps(routed["page-content.children"])
    assert "Page not found" in text and "Go to the overview" in text


def test_the_notice_speaks_the_language_of_the_link_or_the_browser(client):
    by_link = client.get("/nope?lang=da")
    by_browser = client.get("/nope", headers={"Accept-Language": "da-DK,da;q=0.9"})
    for response, home in ((by_link, "/?lang=da"), (by_browser, "/")):
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert '<html lang="da">' in page
        assert f'<h1 class="page-title">{HEADING["da"]}</h1>' in page
        assert f"<p>{NOTICE['da']}</p>" in page
        assert f'<a href="{home}">Gå til overblikket</a>' in page
        assert NOTICE["en"] not in page


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_still_answers_200_with_or_without_a_query_or_a_slash(client, path):
    variants = [path, path + "?country=UGA&lang=fr", path + "?lang=da"]
    if path != "/":
        variants.append(path + "/")
    for address in variants:
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.get_data(as_text=True)
        assert 'id="react-entry-point"' in page
        assert NOTICE["en"] not in page and "Page not found" not in page


def test_the_registered_pages_are_the_servers(hand_app):
    """The 404 knows every page: the registry holds the server's pages, `present` too."""
    assert registered_paths() == PAGE_PATHS
    assert site.page_paths() == frozenset(registered_paths())


def test_the_sites_own_routes_are_untouched(hand_app, client):
    """Only Dash's catch-all is wrapped: every other route is reached as before."""
    adapter = hand_app.server.url_map.bind("localhost")
    catchall = "/" + site.CATCHALL
    for path in ("/login", "/report/print", "/report/pdf", "/import/template.xlsx"):
        endpoint, _args = adapter.match(path, method="GET")
        assert endpoint != catchall, path
    for path, kind in (
        ("/login", "text/html"),
        ("/import/template.xlsx", "application/vnd.openxmlformats-officedocument"),
        ("/_dash-layout", "application/json"),
        ("/_dash-dependencies", "application/json"),
        ("/_favicon.ico", "image/x-icon"),
        ("/assets/10_app.css", "text/css"),
        ("/robots.txt", "text/plain"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype.startswith(kind), path
    assert client.get("/assets/nope.css").status_code == 404  # (Flask's, as before)
    # a real component file of the page is still served, and kept a year
    script = re.search(
        r'src="(/_dash-component-suites/dash/dcc/[^"]+)"', client.get("/").get_data(as_text=True)
    ).group(1)
    response = client.get(script)
    assert response.status_code == 200 and len(response.data) > 10_000
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_report_print_page_still_answers(client):
    response = client.get("/report/print?country=UGA")
    assert response.status_code == 200 and response.mimetype == "text/html"


# --- Component files ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", SUITES)
def test_a_component_file_dash_does_not_serve_is_404_with_one_log_line(client, path, caplog, quiet):
    with caplog.at_level(logging.INFO):
        response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert response.data == b"Not found.\n"  # nothing of any file
    records = logged(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    assert record.levelno == logging.WARNING and record.exc_info is None
    message = record.getMessage()
    assert "\n" not in message and len(message) < 250
    assert message.startswith("No component file ")


def test_a_component_files_log_line_holds_no_control_character_of_the_request(
    client, caplog, quiet
):
    """(A line feed matches no route of Flask's: a plain 404 before any of ours.)"""
    with caplog.at_level(logging.INFO):
        response = client.get("/_dash-component-suites/dash/a%0dFAKE%1b[31mERROR.js")
    assert response.status_code == 404
    (record,) = logged(caplog)
    message = record.getMessage()
    assert "\r" not in message and "\x1b" not in message
    assert "a\\rFAKE\\x1b[31mERROR.js" in message  # (written out, as repr does)
    with caplog.at_level(logging.INFO):
        assert client.get("/_dash-component-suites/dash/a%0aFAKE.js").status_code == 404


def test_every_registered_component_file_is_served_or_404_never_500(
    hand_app, client, caplog, quiet
):
    """Dash registers files its package may lack (source maps the browser's developer tools
    ask for: Dash 4.4 ships neither dash_renderer.min.js.map nor async-mathjax.js.map);
    reading one raised, a 500. Each is served, or answered 404 with one warning."""
    page = client.get("/").get_data(as_text=True)  # (the page registers its files)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert len(scripts) > 5
    for script in scripts:  # every file the page asks for is there
        assert client.get(script).status_code == 200, script
    for package, paths in hand_app.registered_paths.items():
        for path in sorted(paths):
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = client.get(f"/_dash-component-suites/{package}/{path}")
            assert response.status_code in (200, 404), (package, path)
            if response.status_code == 404:
                (record,) = logged(caplog)
                assert record.levelno == logging.WARNING and record.exc_info is None


# --- Robots ------------------------------------------------------------------------------------


def test_robots_txt_disallows_everything_and_every_response_says_noindex(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "User-agent: *\nDisallow: /\n"
    for path in ("/", "/outreach?country=UGA", "/login", "/nope", "/robots.txt"):
        assert client.get(path).headers["X-Robots-Tag"] == "noindex, nofollow", path


@pytest.fixture
def indexed_app(hand_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("VSLA_ALLOW_INDEXING", "yes")
    yield from _serving(hand_pool_path, monkeypatch)


def test_with_indexing_allowed_the_pages_are_open_but_not_sign_in_or_exports(indexed_app):
    client = indexed_app.server.test_client()
    assert client.get("/robots.txt").get_data(as_text=True) == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /login\n"
        "Disallow: /logout\n"
        "Disallow: /report/print\n"
        "Disallow: /report/pdf\n"
        "Disallow: /import/template.xlsx\n"
    )
    for path in ("/", "/outreach", "/login"):
        response = client.get(path)
        assert response.status_code == 200 and "X-Robots-Tag" not in response.headers, path
    assert client.get("/nope").status_code == 404  # (a 404 is not indexed either way)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("", False), ("0", False), ("off", False), ("No", False), ("1", True), (" TRUE ", True)],
)
def test_the_indexing_setting(monkeypatch, value, allowed):
    monkeypatch.setenv("VSLA_ALLOW_INDEXING", value)
    assert config.allow_indexing() is allowed


def test_a_mistyped_indexing_setting_stops_the_start(hand_pool_path, monkeypatch):
    monkeypatch.setenv("VSLA_ALLOW_INDEXING", "maybe")
    with pytest.raises(ValueError, match="VSLA_ALLOW_INDEXING"):
        next(_serving(hand_pool_path, monkeypatch))


# --- Description -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "da", "fr"])
def test_the_pages_and_the_sign_in_page_describe_the_site_in_the_language(client, lang):
    for path in ("/", "/outreach", "/login"):
        page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert meta_descriptions(page) == [DESCRIPTION[lang]], path
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'<meta property="og:description" content="{html.escape(DESCRIPTION[lang])}">' in page


def test_the_icon_a_browser_asks_for_is_there(client):
    """Browsers ask for /favicon.ico where a page names no icon (the sign-in page): a 404
    there is an error in every browser's console."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/x-icon"
    assert icon.data == client.get("/_favicon.ico").data and len(icon.data) > 100


def test_a_made_up_host_is_written_into_no_page(client):
    """Dash's page tags named the request's URL, Host header included: a client's made-up
    host was written into the page (and into any cache in front of it)."""
    for path in ("/", "/outreach", "/login", "/no-such-page"):
        page = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in page, path


# --- Through gunicorn --------------------------------------------------------------------------


def _raw_get(url: str, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written (http.client sends it as given: no ../ resolved)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_gunicorn_answers_a_traversal_and_an_unknown_page_404_without_a_traceback(
    hand_pool_path, tmp_path
):
    output = tmp_path / "gunicorn.log"
    with serving(hand_pool_path, workers=1, output=output) as url:
        status, body = _raw_get(url, "/_dash-component-suites/dash/../../etc/passwd")
        assert status == 404 and body == b"Not found.\n"
        status, body = _raw_get(url, "/_dash-component-suites/nopkg/x.js")
        assert status == 404 and body == b"Not found.\n"
        status, body = _raw_get(url, "/nope?lang=da")
        assert status == 404 and NOTICE["da"].encode() in body
        status, body = _raw_get(url, "/outreach?country=UGA")
        assert status == 200
        status, body = _raw_get(url, "/robots.txt")
        assert status == 200 and body == b"User-agent: *\nDisallow: /\n"
    log = output.read_text(errors="replace")
    assert "Traceback" not in log and "DependencyException" not in log
    assert log.count("No component file ") == 2
    assert "No component file '../../etc/passwd' of 'dash': answered 404" in log
