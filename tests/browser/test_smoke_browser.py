"""Real headless Chromium (dash_duo): the first page loads with no console errors."""

from __future__ import annotations

import pytest

from dashboard import db


@pytest.fixture
def app(hand_pool_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    from dashboard.server import create_app

    yield create_app()
    db.reset()


def test_overview_in_a_real_browser(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal('[data-indicator="members"] .kpi-value', "125", timeout=10)
    assert dash_duo.find_element('[data-indicator="pct_women"] .kpi-value').text == "78%"
    assert dash_duo.get_logs() == []
