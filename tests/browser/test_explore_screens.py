"""The indicator explorer on a projector and on a phone, in real headless Chromium on the
hand pool (issue 32): "Present" shows the chart over the whole screen and Esc brings the page
back; a phone gets the chart and the table (the map is for wider screens), nothing wider
than the screen; the page in Danish."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import click, sign_in, wait_until
from tests.browser.test_screens import PHONE, screen

LINK = "/explore?organisation=Alpha%20Aid&organisation=Beta%20Relief&country=UGA"

SIZES = """
const card = document.getElementById('ex-chart-card').getBoundingClientRect();
const svg = document.querySelector('#ex-chart-card .main-svg');
return {card: [card.left, card.top, card.width, card.height],
        graph: svg ? svg.getBoundingClientRect().height : 0,
        window: [document.documentElement.clientWidth, document.documentElement.clientHeight],
        presenting: document.body.classList.contains('ex-presenting')};
"""


def drawn(dash_duo) -> None:
    dash_duo.wait_for_contains_text("#ex-chart-caption", "Source")
    wait_until(lambda: dash_duo.driver.find_elements("css selector", "#ex-chart-card .main-svg"))


def test_present_shows_the_chart_over_the_whole_screen_and_esc_leaves(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.wait_for_page(dash_duo.server_url + LINK)
    drawn(dash_duo)
    before = dash_duo.driver.execute_script(SIZES)
    assert not before["presenting"] and before["graph"] == 460  # (the card's own height)
    click(dash_duo, "#ex-present")

    def presenting() -> dict | None:
        # (the browser's full screen where it allows it: headless Chromium makes the window
        # its screen's size, 800 x 600; the chart takes 72% of the height)
        s = dash_duo.driver.execute_script(SIZES)
        return s if s["presenting"] and s["graph"] > 0.6 * s["window"][1] else None

    shown = wait_until(presenting)
    width, height = shown["window"]
    assert shown["card"] == [0, 0, width, height]  # the card over the whole window

    def back() -> dict | None:
        s = dash_duo.driver.execute_script(SIZES)
        return s if not s["presenting"] and s["graph"] == 460 else None

    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()
    left = wait_until(back)
    assert left["card"][2] < left["window"][0]  # in the page again, beside the filters
    assert dash_duo.get_logs() == []


PHONE_VIEW = """
const shown = (el) => el && el.offsetParent !== null;
const tabs = Array.from(document.querySelectorAll('#ex-tab .form-check'))
  .filter(shown).map((el) => el.textContent.trim());
return {
  tabs: tabs,
  chart: shown(document.querySelector('.ex-pane-chart')),
  table: shown(document.querySelector('.ex-pane-table')),
  map: shown(document.querySelector('.ex-pane-map')),
  present: shown(document.getElementById('ex-present')),
  page: document.documentElement.scrollWidth,
  inner: window.innerWidth,
  svg: (document.querySelector('#ex-chart-card .main-svg') || {getBoundingClientRect:
        () => ({right: 1e9})}).getBoundingClientRect().right,
};
"""


def test_a_phone_gets_the_chart_and_the_table(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_window_size(1366, 768)
    sign_in(dash_duo, "admin")  # (a guest sees none of the hand pool's few groups)
    screen(dash_duo, *PHONE)
    # a link to the map, opened on a phone: the chart in its place
    dash_duo.wait_for_page(dash_duo.server_url + LINK + "&tab=map")
    drawn(dash_duo)
    seen = dash_duo.driver.execute_script(PHONE_VIEW)
    assert seen["tabs"] == ["Chart", "Table"]
    assert seen["chart"] and not seen["map"] and not seen["table"] and not seen["present"]
    assert seen["page"] <= seen["inner"] and seen["svg"] <= seen["inner"]
    click(dash_duo, "label[for='_dbcprivate_radioitems_ex-tab_input_table']")
    wait_until(lambda: dash_duo.driver.execute_script(PHONE_VIEW)["table"])
    wait_until(lambda: "tab=table" in dash_duo.driver.current_url)
    seen = dash_duo.driver.execute_script(PHONE_VIEW)
    assert not seen["chart"] and seen["page"] <= seen["inner"]
    # the table's rows: the newest quarter first, a value for each of its lines
    first = dash_duo.find_element("#ex-table-grid tbody tr").text
    assert first.startswith("2025Q3") and "USD 29.41" in first
    assert dash_duo.get_logs() == []


def test_the_explorer_in_danish(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.wait_for_page(dash_duo.server_url + LINK + "&lang=da")
    dash_duo.wait_for_text_to_equal(".page-title", "Udforsk en indikator")
    dash_duo.wait_for_contains_text("#ex-chart-caption", "Kilde")
    assert dash_duo.find_element("#ex-chart-subtitle").text.startswith("Opsparing pr. medlem, USD")
    labels = [e.text for e in dash_duo.driver.find_elements("css selector", "#ex-tab label")]
    assert labels == ["Graf", "Kort", "Tabel"]
    assert dash_duo.get_logs() == []
