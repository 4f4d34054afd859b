"""The board pack in real headless Chromium (issue 31), as a fundraiser builds one: signed in
as Alpha Aid's member, three charts added from three pages (two with filters) through their
Export menus, the header counting them; on /pack the first moved down, a slide's title
edited, and the deck, the workbook and the PDF downloaded; the link reopened with the
browser's own pack forgotten gives the same pack, and a guest opening it sees what a guest
may."""

from __future__ import annotations

import io
import time
from pathlib import Path

from pptx import Presentation
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from scripts.fetch_axe import TARGET as AXE
from tests.browser.conftest import BROWSER_WAIT, click, sign_in, wait_until
from tests.browser.test_accessibility import RUN_AXE

ADDED = (
    ("/efficiency?organisation=Alpha%20Aid", "ef-trend"),
    ("/?organisation=Alpha%20Aid", "ov-trend"),
    ("/outreach", "or-members"),
)


def add(dash_duo, path: str, cid: str, count: int) -> None:
    """Open the page, then the chart's Export menu, then "Add to board pack"."""
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_contains_text(f"#{cid}-card .chart-caption", "Source")
    click(dash_duo, f"#{cid}-card .export-menu .dropdown-toggle")
    item = f'[id*="pack-add"][id*="\\"{cid}\\""]'
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
    click(dash_duo, item)
    dash_duo.wait_for_text_to_equal("#pack-count", str(count))


def titles(dash_duo) -> list[str]:
    # (read at once in the page: the cards are drawn anew after every change)
    script = "return [...document.querySelectorAll('.pk-item-title')].map(e => e.value)"
    return list(dash_duo.driver.execute_script(script))


def downloaded(dash_duo, pattern: str) -> Path:
    folder = Path(dash_duo.download_path)
    files = wait_until(lambda: [p for p in folder.glob(pattern)], timeout=BROWSER_WAIT)
    time.sleep(0.5)  # (Chromium renames the file once whole: read it whole)
    return files[0]


def test_three_charts_from_three_pages_make_one_pack_deck_workbook_and_pdf(dash_duo, hand_app):
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_window_size(1366, 900)
    sign_in(dash_duo, "alpha")
    for n, (path, cid) in enumerate(ADDED, start=1):
        add(dash_duo, path, cid, n)

    click(dash_duo, "#pack-link")
    wait_until(lambda: len(titles(dash_duo)) == 3)
    first = titles(dash_duo)
    # the finding in words (hand calculation: tests/test_pack.py)
    assert first[0] == "Alpha Aid: cost per member rose 106% since 31 Dec 2024 to USD 294"

    # the first chart moved down: the overview's members now lead
    click(dash_duo, '[id*="pk-down"][id*="\\"index\\":0"]')
    wait_until(lambda: titles(dash_duo) and titles(dash_duo)[1] == first[0])
    # the slide title of the (new) first chart edited
    box = dash_duo.find_element('[id*="pk-item-title"][id*="\\"index\\":0"]')
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("Our members grew", Keys.ENTER)
    wait_until(lambda: "Our%20members%20grew" in dash_duo.driver.current_url)
    wait_until(lambda: titles(dash_duo) and titles(dash_duo)[0] == "Our members grew")
    # the slide of key figures asked for
    click(dash_duo, "#pk-kpis input")
    wait_until(lambda: "kpis=1" in dash_duo.driver.current_url)
    link = dash_duo.driver.current_url
    shown = titles(dash_duo)

    click(dash_duo, "#pk-pptx")
    deck = Presentation(io.BytesIO(downloaded(dash_duo, "*.pptx").read_bytes()))
    slides = list(deck.slides)
    # a title slide, the key figures with the network's column, one slide per chart in the
    # pack's order, a closing slide
    assert len(slides) == 1 + 1 + 3 + 1
    tables = [shape for shape in slides[1].shapes if shape.has_table]
    assert tables and len(tables[0].table.columns) >= 3  # figure, value, network (at least)
    items = slides[2:5]
    assert [s.shapes.title.text for s in items] == shown
    for slide in items:
        assert any(shape.shape_type == 13 for shape in slide.shapes)  # a picture
        assert "Filters" in slide.notes_slide.notes_text_frame.text

    click(dash_duo, "#pk-xlsx")
    assert downloaded(dash_duo, "*.xlsx").stat().st_size > 0
    click(dash_duo, "#pk-pdf")
    pdf = PdfReader(downloaded(dash_duo, "*.pdf"))
    assert len(pdf.pages) == 3
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in pdf.pages)

    # no serious or critical accessibility violation on the pack (axe-core, as every page)
    dash_duo.driver.set_script_timeout(60)
    dash_duo.driver.execute_script(AXE.read_text(encoding="utf-8"))  # (make test fetches it)
    assert dash_duo.driver.execute_async_script(RUN_AXE) == []

    # the link in a browser that has forgotten its own pack, signed in as the same member
    dash_duo.driver.execute_script("window.localStorage.clear()")
    dash_duo.driver.get(link)
    wait_until(lambda: titles(dash_duo) == shown)
    dash_duo.wait_for_text_to_equal("#pack-count", "3")

    # a guest opening the member's link: Alpha Aid's own members are not a guest's to see
    dash_duo.driver.delete_all_cookies()  # (a browser that has not signed in)
    dash_duo.driver.get(link)
    wait_until(lambda: len(titles(dash_duo)) == 3)
    dash_duo.wait_for_contains_text("#account", "Sign in")
    script = "return document.querySelector('.pk-card').innerText"
    wait_until(lambda: "fewer than 5 active groups" in dash_duo.driver.execute_script(script))
    assert dash_duo.get_logs() == []


PHONE_MEASURE = """
const inner = window.innerWidth;
const right = (el) => el.getBoundingClientRect().right;
const cards = Array.from(document.querySelectorAll('.pk-card'));
const visible = (el) => el.offsetParent !== null;
return {
  inner: inner,
  page: document.documentElement.scrollWidth,
  cards: cards.length,
  drawn: cards.filter((c) => c.querySelector('.main-svg')).length,
  outside: Array.from(document.querySelectorAll(
    '.pk-card, .pk-card .main-svg, .pk-item-title, .pk-tools .btn, #pk-title, .pk-downloads .btn'
  )).filter((el) => visible(el) && right(el) > inner + 0.5).map((el) => el.id || el.className),
  small: Array.from(document.querySelectorAll('.pk-tools .btn, .pk-downloads .btn'))
    .filter((b) => visible(b) && b.getBoundingClientRect().height < 30).map((b) => b.id),
  filters: Array.from(document.querySelectorAll('#filters-toggle, #active-filters'))
    .filter(visible).map((el) => el.id),
};
"""


def test_a_phone_shows_the_pack_whole(dash_duo, hand_app):
    """At 390 px (a phone) the pack's cards, their charts, title boxes, buttons and the
    downloads are on screen with nothing sideways, the buttons big enough for a finger, and
    the filter panel (each chart has its own filters) out of the way."""
    from tests.browser.test_screens import PHONE, screen

    dash_duo.start_server(hand_app)
    screen(dash_duo, *PHONE)
    view = "%3Forganisation%3DAlpha%2520Aid"
    dash_duo.driver.get(f"{dash_duo.server_url}/pack?item=ov-trend:&item=ef-trend:{view}")
    wait_until(lambda: len(titles(dash_duo)) == 2)
    # (a chart below the fold is drawn when scrolled to, as on the pages)
    dash_duo.driver.execute_script("window.scrollTo({top: 1e6, behavior: 'instant'})")
    seen = wait_until(
        lambda: (m := dash_duo.driver.execute_script(PHONE_MEASURE))["drawn"] == 2 and m
    )
    assert seen["page"] <= seen["inner"], seen
    assert seen["outside"] == [] and seen["small"] == [] and seen["filters"] == [], seen
    assert dash_duo.get_logs() == []
