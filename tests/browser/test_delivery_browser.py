"""The partial plotly.js bundle in a real browser (issue 20): every page with charts draws them
with it (the map from the vendored geometry, the spreads' boxes, the bars and lines), and
Dash's full plotly.min.js is never fetched."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from scripts.plotly_bundle import BUNDLE
from tests.browser.conftest import BROWSER_WAIT
from tests.browser.test_pages_browser import resources, sign_in

CHART_PAGES = ("/", "/outreach", "/efficiency", "/performance", "/themes", "/compare", "/sdg")

DRAWN = """
const graphs = [...document.querySelectorAll('.js-plotly-plot')];
if (!graphs.length || document.querySelector('[data-dash-is-loading="true"]')) return null;
for (const gd of graphs) {
  if (!gd._fullData || !gd.querySelector('.main-svg')) return null;
  if (gd.classList.contains('dash-graph--pending')) return null;
}
return graphs.map(gd => gd._fullData.map(t => t.type));
"""


@pytest.fixture
def app(hand_app):
    return hand_app


def test_every_chart_is_drawn_with_the_partial_bundle(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1366, 4000)  # every chart in view: all drawn
    sign_in(dash_duo, "admin")
    drawn: set[str] = set()
    for path in CHART_PAGES:
        dash_duo.driver.get(dash_duo.server_url + path)
        types = WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(
            lambda d: d.execute_script(DRAWN)
        )
        drawn |= {t for graph in types for t in graph}
        # every trace type of the page is one the bundle registered
        known = dash_duo.driver.execute_script(
            "return Object.keys(window.Plotly.PlotSchema.get().traces)"
        )
        assert {t for graph in types for t in graph} <= set(known), path
        loaded = resources(dash_duo)
        assert any(BUNDLE.name in r for r in loaded), path
        assert not any("plotly.min.js" in r for r in loaded), path
        if path == "/":  # the map: countries drawn from the vendored geometry, labelled
            assert dash_duo.driver.execute_script(
                "return document.querySelectorAll('#ov-map-card .choroplethlayer path').length"
            )
            assert any(r.endswith("/assets/topojson/world_110m.json") for r in loaded)
    assert {"scatter", "bar", "box", "choropleth", "scattergeo"} <= drawn
    assert dash_duo.get_logs() == []
