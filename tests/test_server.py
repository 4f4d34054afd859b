"""The placeholder page serves the pool's headline indicators (the real pages: issue 3)."""

from __future__ import annotations

import json

import pytest

from dashboard import db
from dashboard.format import format_value


@pytest.fixture
def client(hand_pool_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    from dashboard.server import create_app

    app = create_app()
    yield app.server.test_client()
    db.reset()


def _find(node, indicator):
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("data-indicator") == indicator:
            return props
        for value in list(props.values()) + list(node.values()):
            found = _find(value, indicator)
            if found:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find(item, indicator)
            if found:
                return found
    return None


def test_layout_shows_headline_tiles(client):
    assert client.get("/").status_code == 200
    layout = json.loads(client.get("/_dash-layout").data)
    text = json.dumps(_find(layout, "members"))
    assert '"125"' in text
    assert format_value(0.776, "pct") == "78%"
    assert '"78%"' in json.dumps(_find(layout, "pct_women"))
    assert '"USD 240.00"' in json.dumps(_find(layout, "cost_per_member_usd"))
    assert "as of 30 Sep 2025" in json.dumps(layout)


def test_no_cdn_links(client):
    html = client.get("/").data.decode()
    assert "00_bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_format_value():
    assert format_value(None, "pct") == "n/a"
    assert format_value(12345, "int") == "12.3k"
    assert format_value(1_234_567, "usd") == "USD 1.2M"
    assert format_value(21.6, "usd") == "USD 21.60"
    assert format_value(0.05, "pct") == "5.0%"
