"""The Dash server: pages registered at fixed paths, assets served locally (no CDN), a
friendly page when there is no pool."""

from __future__ import annotations

import json

import dash
import pytest

from dashboard.analytics import datasource
from dashboard.pool import db
from dashboard.web.server import model_paths
from tests.dash_client import call, components_by_id, find_callback

PATHS = (
    "/",
    "/outreach",
    "/efficiency",
    "/performance",
    "/themes",
    "/compare",
    "/explore",
    "/projects",
    "/report",
    "/data",
    "/glossary",
    "/import",
    "/present",
    "/sdg",
    "/pack",  # (the board pack: not in the menu, the header's counter leads to it)
)


@pytest.fixture
def app(hand_app):
    return hand_app


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def test_pages_are_registered_at_their_fixed_paths(app):
    assert sorted(p["path"] for p in dash.page_registry.values()) == sorted(PATHS)


@pytest.mark.parametrize("path", PATHS)
def test_each_path_serves_the_app_and_routes_to_its_page(client, app, path):
    assert client.get(path).status_code == 200
    result = call(client, app, "page-content.children", {"url.pathname": path})
    page = json.dumps(result["page-content.children"])
    assert "page-title" in page
    assert "Page not found" not in page


def test_an_unknown_path_says_so_and_keeps_the_filters(client, app):
    result = call(client, app, "page-content.children", {"url.pathname": "/nowhere"})
    text = json.dumps(result["page-content.children"])
    assert "Page not found" in text and "/nowhere" in text


def test_no_cdn_links_and_assets_are_local(client):
    html = client.get("/").data.decode()
    assert "00_bootstrap.min.css" in html and "10_app.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in (
        "/assets/topojson/world_110m.json",
        "/assets/fonts/source-sans-3-latin-400-normal.woff2",
    ):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 1000


def test_graphs_fetch_the_map_geometry_from_the_assets(client, app):
    result = call(client, app, "page-content.children", {"url.pathname": "/"})
    text = json.dumps(result["page-content.children"])
    assert '"topojsonURL": "/assets/topojson/"' in text


def test_without_a_pool_every_page_explains_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(tmp_path / "missing.duckdb"))
    db.reset()
    datasource.clear_cache()
    from dashboard.web.server import create_app

    app = create_app()
    client = app.server.test_client()
    result = call(client, app, "page-content.children", {"url.pathname": "/outreach"})
    text = json.dumps(result["page-content.children"])
    assert "No data to show yet" in text and "vsla demo" in text
    db.reset()


MODEL_PAGES = sorted(model_paths())  # (the set itself: tests/test_deck.py)


def _key(component_id: object) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True)
    return str(component_id)


@pytest.mark.parametrize("path", MODEL_PAGES)
def test_a_page_opens_filled_with_the_view_of_its_link(client, app, path):
    """A link is drawn in one answer (issue 20): the page's layout holds exactly what the
    page's callback answers for the same link, and the callback is not called on opening."""
    from dashboard.web.components import render

    search = "?country=UGA&by=country"
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    module = __import__(page["module"], fromlist=["PAGE"])
    outputs = render.outputs(module.PAGE)
    opened = call(client, app, "page-content.children",
                  {"url.pathname": path, "url.search": search})  # fmt: skip
    layout = components_by_id(opened["page-content.children"])
    first = outputs[0]
    cid = first.component_id  # as Dash names the callback: a dict id as compact, sorted JSON
    name = json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else cid
    name += f".{first.component_property}"
    answered = call(client, app, name, {"url.search": search})
    answer = {}
    for name, value in answered.items():
        cid, prop = name.rsplit(".", 1)
        answer[(_key(json.loads(cid)) if cid.startswith("{") else cid, prop)] = value
    assert sorted(answer) == sorted((_key(o.component_id), o.component_property) for o in outputs)
    for (cid, prop), value in answer.items():
        assert json.dumps(layout[cid].get(prop), sort_keys=True) == json.dumps(
            value, sort_keys=True
        ), (cid, prop)
    key = find_callback(app, name)
    declared = next(c for c in app._callback_list if c["output"] == key)  # (as the browser gets it)
    assert declared["prevent_initial_call"] is True


def test_a_page_that_cannot_be_drawn_says_so_and_logs_why(client, app, monkeypatch, caplog):
    from dashboard.web.pages import overview

    def broken(search: str | None) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(overview, "build", broken)
    with caplog.at_level("ERROR"):
        opened = call(client, app, "page-content.children",
                      {"url.pathname": "/", "url.search": "?country=UGA"})  # fmt: skip
    text = json.dumps(opened["page-content.children"])
    assert "This view could not be drawn" in text and "page-title" in text
    assert "a fault of ours" in caplog.text and "?country=UGA" in caplog.text


@pytest.mark.parametrize(
    ("path", "search", "control", "value"),
    [
        ("/performance", "?by=country", "pf-by", "country"),
        ("/outreach", "", "or-by", "organisation"),  # (the default)
        ("/data", "?table=country", "data-by", "country"),
        ("/themes", "?theme=cycle", "th-theme", "cycle"),
    ],
)
def test_a_page_s_controls_come_set_from_the_link(client, app, path, search, control, value):
    """The router sets a page's controls kept in the link as it draws the page, so that
    they need not be asked for; later, the link sets a control only when it shows something
    else (a choice's callback is not called for nothing, issue 20)."""
    opened = call(client, app, "page-content.children",
                  {"url.pathname": path, "url.search": search})  # fmt: skip
    assert components_by_id(opened["page-content.children"])[control]["value"] == value
    output = f"{control}.value"
    same = call(client, app, output, {"url.search": search, output: value}, changed=["url.search"])
    assert same == {}  # shown already: nothing sent back
    other = "organisation" if value != "organisation" else "country"
    moved = call(client, app, output, {"url.search": search, output: other}, changed=["url.search"])
    assert moved == {output: value}
