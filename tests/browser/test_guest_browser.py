"""A guest's sentence at the top of every page, in real headless Chromium (dash_duo) on the
hand-computed pool: there from the first drawing of the page (it never moves the page when
its content arrives), and its link opens the glossary at its section on guests."""

from __future__ import annotations

import pytest

from dashboard.web.components import guest
from tests.browser.conftest import BROWSER_WAIT


@pytest.fixture
def dash_duo(dash_duo):
    dash_duo.driver.set_window_size(1366, 900)
    return dash_duo


def test_a_guest_reads_the_sentence_and_its_link_reaches_the_glossary_section(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/performance")
    note = dash_duo.wait_for_element(f"#{guest.NOTE_ID}", timeout=BROWSER_WAIT)
    assert note.text.startswith("As a guest you see only the projects")
    top = note.location["y"]
    content = dash_duo.find_element("#page-content")
    before = content.location["y"]
    # once the page's content is drawn, neither the sentence nor the page has moved
    dash_duo.wait_for_element('[data-indicator="savings_per_member_usd"] .kpi-value')
    assert note.location["y"] == top and content.location["y"] == before
    assert note.location["y"] < before  # above the page

    dash_duo.find_element("#guest-note-link").click()
    section = dash_duo.wait_for_element(f"#{guest.ANCHOR}", timeout=BROWSER_WAIT)
    assert dash_duo.driver.current_url.endswith("/glossary#guests")
    dash_duo.wait_for_text_to_equal(
        f"#{guest.ANCHOR} h2", "What a guest sees, and what signing in adds"
    )

    def scrolled_to() -> bool:
        rect = dash_duo.driver.execute_script(
            "return arguments[0].getBoundingClientRect().top", section
        )
        return dash_duo.driver.execute_script("return window.scrollY") > 0 and -5 <= rect < 200

    dash_duo._wait_for(lambda _d: scrolled_to(), timeout=BROWSER_WAIT, msg="not scrolled")
    # (and it takes the focus: a keyboard or screen reader goes on from there)
    assert dash_duo.driver.execute_script("return document.activeElement.id") == guest.ANCHOR
