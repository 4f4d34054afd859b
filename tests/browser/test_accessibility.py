"""Accessibility: axe-core (installed from the npm registry by scripts/fetch_axe.py) finds no
serious or critical violation on any page, for a guest and for the network admin."""

from __future__ import annotations

import pytest

from scripts.fetch_axe import TARGET
from tests.browser.conftest import BROWSER_WAIT, sign_in
from tests.browser.test_pages_browser import PAGES, frame_src, wait_until

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(result => done(
    result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => v.id + " (" + v.impact + "): " + v.help + " at "
             + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; "))));
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not TARGET.is_file():
        pytest.fail(f"axe-core is missing: `make test` fetches it (scripts/fetch_axe.py), {TARGET}")
    return TARGET.read_text(encoding="utf-8")


@pytest.fixture
def dash_duo(dash_duo):
    dash_duo.driver.set_window_size(1366, 900)
    return dash_duo


def violations(dash_duo, axe_source: str, path: str) -> list[str]:
    """The serious and critical violations on `path`, once its data has arrived."""
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_text_to_equal(".page-title", PAGES[path])
    if path == "/report":
        wait_until(lambda: "/report/print" in (frame_src(dash_duo) or ""), timeout=BROWSER_WAIT)
    elif path not in ("/glossary", "/import"):
        dash_duo.wait_for_contains_text(".chart-caption", "Source: pooled")
    driver = dash_duo.driver
    wait_until(lambda: not driver.find_elements("css selector", '[data-dash-is-loading="true"]'))
    driver.execute_script(axe_source)
    return driver.execute_async_script(RUN_AXE)


@pytest.mark.parametrize("who", ["guest", "admin"])
def test_no_page_has_a_serious_accessibility_violation(dash_duo, hand_app, axe_source, who):
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_script_timeout(60)
    if who == "admin":
        sign_in(dash_duo, "admin")
    found = {path: violations(dash_duo, axe_source, path) for path in PAGES}
    # presentation mode (a KPI slide and a chart slide), and a page in Danish
    for path, ready in (
        ("/present", ".present-slide.active .present-kpi-value"),
        ("/present?lang=fr#4", ".present-slide.active .present-title"),  # (a guest: 1 slide)
        ("/outreach?lang=da", ".chart-caption"),
    ):
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(ready)
        driver = dash_duo.driver
        wait_until(lambda d=driver: not d.find_elements("css selector", "[data-dash-is-loading]"))
        driver.execute_script(axe_source)
        found[path] = driver.execute_async_script(RUN_AXE)
    dash_duo.driver.get(dash_duo.server_url + "/login")  # (a plain page, not Dash's)
    wait_until(lambda: dash_duo.driver.find_elements("css selector", "form"))
    dash_duo.driver.execute_script(axe_source)
    found["/login"] = dash_duo.driver.execute_async_script(RUN_AXE)
    assert {path: v for path, v in found.items() if v} == {}
