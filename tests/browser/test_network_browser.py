"""The network's yes/no fields as a theme filter, in real headless Chromium (issue 8): tick
one in the filter panel and the figures, the link and the summary follow; the themes page
compares the groups answering yes with the others. The pool is tests/test_network_views.py's
(hand values there)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import BROWSER_WAIT, sign_in
from tests.browser.test_pages_browser import MEMBERS, wait_until
from tests.test_network_views import AS_OF


@pytest.fixture
def dash_duo(dash_duo):
    dash_duo.driver.set_window_size(1366, 900)
    return dash_duo


def test_ticking_a_yes_field_filters_the_groups_and_goes_into_the_link(dash_duo, network_app):
    dash_duo.start_server(network_app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_of={AS_OF}")
    dash_duo.wait_for_text_to_equal(MEMBERS, "52")  # 22 + 10 + 20
    box = dash_duo.driver.find_element(
        By.XPATH, "//*[@id='f-yes']//label[normalize-space()='Takes part in peacebuilding']"
    )
    # (below the fold of the filter panel: brought into view as a person scrolls to it)
    # (instantly: Bootstrap makes scrolling smooth, and a click mid-way misses)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box
    )
    box.click()
    dash_duo.wait_for_text_to_equal(MEMBERS, "42")  # G1 and G3
    url = wait_until(lambda: "yes=" in dash_duo.driver.current_url and dash_duo.driver.current_url)
    assert parse_qs(urlparse(url).query)["yes"] == ["peacebuilding"]
    summary = dash_duo.find_element("#active-filters").text
    assert "answering yes to: Takes part in peacebuilding" in summary

    dash_duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    dash_duo.find_element("#nav-themes").click()
    dash_duo.wait_for_text_to_equal("#th-chart-title", "Women's membership", timeout=BROWSER_WAIT)
    # one theme at a time: choosing one draws it and puts it in the link
    dash_duo.select_dcc_dropdown("#th-theme", value="Takes part in peacebuilding")
    dash_duo.wait_for_text_to_equal(
        "#th-chart-title", "Takes part in peacebuilding", timeout=BROWSER_WAIT
    )
    url = wait_until(
        lambda: "theme=" in dash_duo.driver.current_url and dash_duo.driver.current_url
    )
    assert parse_qs(urlparse(url).query)["theme"] == ["yes:peacebuilding"]
    assert dash_duo.find_element("#th-sentence").text  # what differs most, in words
    assert dash_duo.get_logs() == []
