"""Languages and presentation mode in a real Chromium (issue 7): a link opens in its language,
the switch changes it and keeps the view, and a presenter moves through the storyline with the
keys a keyboard and a clicker send."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.core import i18n
from dashboard.core.filters import Filters
from dashboard.core.format import format_value
from tests.browser.conftest import BROWSER_WAIT
from tests.browser.test_pages_browser import engine_value, sign_in

MEMBERS = '[data-indicator="members"] .kpi-value'
WOMEN = '[data-indicator="pct_women"] .kpi-value'


@pytest.fixture
def dash_duo(dash_duo):
    dash_duo.driver.set_window_size(1366, 768)
    return dash_duo


def in_lang(lang: str, text: str) -> str:
    with i18n.using(lang):
        return i18n.gettext(text)


def on_screen(text: str) -> str:
    """As WebDriver reads text: no-break spaces read as spaces."""
    return text.replace("\xa0", " ")


def query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def test_a_link_opens_in_its_language_and_the_switch_keeps_the_view(
    dash_duo, hand_app, hand_pool_path
):
    dash_duo.start_server(hand_app)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/?country=UGA&lang=da")
    overview = in_lang("da", "Overview")
    assert overview != "Overview"
    dash_duo.wait_for_text_to_equal("#nav-overview", overview)
    html_lang = dash_duo.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
    assert html_lang == "da"
    # the KPI in Danish conventions: the engine's value, formatted as Danish
    row = engine_value(hand_pool_path, Filters(country=("UGA",)))[0]
    with i18n.using("da"):
        women = format_value(row["pct_women"], "pct")
    assert "\xa0%" in women  # Danish: a space before the per cent sign
    dash_duo.wait_for_text_to_equal(WOMEN, on_screen(women))

    dash_duo.find_element("#lang-fr").click()
    dash_duo.wait_for_text_to_equal(
        "#nav-overview", in_lang("fr", "Overview"), timeout=BROWSER_WAIT
    )
    assert query(dash_duo)["lang"] == ["fr"]
    assert query(dash_duo)["country"] == ["UGA"]  # the view is kept
    with i18n.using("fr"):
        women = format_value(row["pct_women"], "pct")
    dash_duo.wait_for_text_to_equal(WOMEN, on_screen(women))
    # moving to another page keeps the language
    dash_duo.find_element("#nav-outreach").click()
    dash_duo.wait_for_text_to_equal(
        "#nav-outreach", in_lang("fr", "Outreach"), timeout=BROWSER_WAIT
    )
    assert query(dash_duo)["lang"] == ["fr"]
    # the tab's title: the page's name and the site's, in the language (the menu's words,
    # read in the browser: assets/15_clientside.js)
    title = f"{in_lang('fr', 'Outreach')} · {in_lang('fr', 'Savings groups network')}"
    until(lambda: dash_duo.driver.title == title, BROWSER_WAIT)
    # the page's data arrived (its callback is done before the test's server stops)
    until(lambda: dash_duo.find_element("#or-sizes-caption").text.strip(), BROWSER_WAIT)


def counter(dash_duo) -> str:
    return dash_duo.find_element("#present-counter").text


def active_title(dash_duo) -> str:
    return dash_duo.find_element(".present-slide.active .present-title").text


def test_presentation_mode_from_a_page_with_its_filters_and_the_presenters_keys(
    dash_duo, hand_app, hand_pool_path
):
    dash_duo.start_server(hand_app)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/outreach?country=UGA")
    dash_duo.wait_for_element("#present-link")
    dash_duo.wait_for_text_to_equal("#nav-outreach", "Outreach")
    dash_duo.find_element("#present-link").click()

    dash_duo.wait_for_text_to_equal("#present-counter", "1 / 7")
    assert urlparse(dash_duo.driver.current_url).path == "/present"
    assert query(dash_duo)["country"] == ["UGA"]
    # the frame is hidden, the type is large
    assert not dash_duo.find_element(".app-navbar").is_displayed()
    assert not dash_duo.find_element(".filter-column").is_displayed()
    size = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.present-slide.active *')]"
        ".filter(e => e.offsetParent && e.childElementCount === 0 && e.textContent.trim())"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert size and min(size) >= 24, size
    # the headline KPIs are the engine's numbers for Uganda
    row = engine_value(hand_pool_path, Filters(country=("UGA",)))[0]
    values = [e.text for e in dash_duo.find_elements(".present-slide.active .present-kpi-value")]
    assert on_screen(format_value(row["members"], "int")) in values
    assert on_screen(format_value(row["pct_women"], "pct")) in values
    kpi_size = dash_duo.driver.execute_script(
        "return parseFloat(getComputedStyle("
        "document.querySelector('.present-slide.active .present-kpi-value')).fontSize)"
    )
    assert kpi_size >= 72

    body = dash_duo.find_element("body")
    body.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal("#present-counter", "2 / 7")
    assert urlparse(dash_duo.driver.current_url).fragment == "2"
    body.send_keys(Keys.PAGE_DOWN)  # a clicker's "next"
    dash_duo.wait_for_text_to_equal("#present-counter", "3 / 7")
    body.send_keys(Keys.PAGE_UP)
    dash_duo.wait_for_text_to_equal("#present-counter", "2 / 7")
    body.send_keys(Keys.END)
    dash_duo.wait_for_text_to_equal("#present-counter", "7 / 7")
    body.send_keys(Keys.ARROW_RIGHT)  # the last slide stays
    dash_duo.wait_for_text_to_equal("#present-counter", "7 / 7")
    body.send_keys(Keys.HOME)
    dash_duo.wait_for_text_to_equal("#present-counter", "1 / 7")
    dash_duo.find_element("#present-next").click()
    dash_duo.wait_for_text_to_equal("#present-counter", "2 / 7")
    # one slide at a time
    shown = [s for s in dash_duo.find_elements(".present-slide") if s.is_displayed()]
    assert len(shown) == 1

    body.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_element(".app-navbar")
    dash_duo.wait_for_text_to_equal("#nav-outreach", "Outreach")
    assert urlparse(dash_duo.driver.current_url).path == "/outreach"
    assert query(dash_duo)["country"] == ["UGA"]
    assert dash_duo.find_element(".app-navbar").is_displayed()


def test_a_prepared_link_opens_the_presentation_at_its_slide_in_its_language(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/present?lang=fr#4")
    dash_duo.wait_for_text_to_equal("#present-counter", "4 / 7")
    title = active_title(dash_duo)
    suffix = in_lang("fr", "{share} of members are women").split("}")[-1].strip()
    assert suffix and suffix in title
    assert dash_duo.find_element(".present-slide.active .js-plotly-plot").is_displayed()
    # a slide number beyond the deck shows the last slide, and "previous" steps back from it
    dash_duo.driver.get(dash_duo.server_url + "/present?lang=fr#99")
    dash_duo.wait_for_text_to_equal("#present-counter", "7 / 7")
    dash_duo.find_element("#present-prev").click()
    dash_duo.wait_for_text_to_equal("#present-counter", "6 / 7")
