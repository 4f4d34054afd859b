"""The screens of issue 28, in real headless Chromium (dash_duo) on a small demo pool (its
long project names included), as a guest: nothing on screen moves as a page arrives, the
Danish header fits a laptop, the project dropdown shows whole names, and a phone closes the
filter panel after a choice and shows what scrolls sideways."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import wait_until
from tests.conftest import _serving

# every page a guest opens (its path, and what says that its view has arrived)
PAGES = {
    "/": ".chart-caption",
    "/outreach": ".chart-caption",
    "/efficiency": ".chart-caption",
    "/performance": ".chart-caption",
    "/themes": ".chart-caption",
    "/compare": ".chart-caption",
    "/explore": ".chart-caption",
    "/projects": ".chart-caption",
    "/report": "#rp-preview",
    "/sdg": ".page-title",
    "/data": "#data-table-caption",
    "/glossary": ".page-title",
    "/import": ".page-title",
    "/present": ".present-slide.active",
    "/pack?item=ov-trend:&item=or-members:": ".pk-chart-title",  # (its cards come drawn)
}
LAPTOP, PHONE = (1366, 768), (390, 844)


@pytest.fixture
def app(demo_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from _serving(demo_pool_path, monkeypatch)


def screen(dash_duo: Any, width: int, height: int) -> None:
    """A viewport of exactly width x height CSS pixels (a phone's too: a window cannot be
    made that narrow), a phone's a touch screen."""
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def arrived(dash_duo: Any, selector: str) -> None:
    """The page's view is there: its marker shown with text (or a frame), the fonts loaded,
    every graph on screen drawn, and nothing asked of the server any more."""
    driver = dash_duo.driver

    def ready() -> bool:
        return bool(
            driver.execute_script(
                """
                const el = document.querySelector(arguments[0]);
                if (!el || !(el.tagName === 'IFRAME' || el.textContent.trim())) return false;
                if (document.fonts.status !== 'loaded') return false;
                if (document.querySelector('[data-dash-is-loading="true"]')) return false;
                const h = window.innerHeight;
                for (const g of document.querySelectorAll('.chart-graph, .present-graph')) {
                  const r = g.getBoundingClientRect();
                  if (g.offsetParent === null || r.bottom < 0 || r.top > h) continue;
                  if (!g.querySelector('.main-svg')) return false;
                }
                return true;
                """,
                selector,
            )
        )

    wait_until(ready)
    time.sleep(1.0)  # (a last shift, if any, is recorded; the sum is read after it)


SHIFTS = """
const done = arguments[arguments.length - 1];
const seen = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    seen.push({
      value: e.value,
      sources: e.sources.map((s) => (s.node && s.node.nodeType === 1
        ? s.node.tagName + '#' + s.node.id + '.' + s.node.className : String(s.node))),
    });
  }
}).observe({type: 'layout-shift', buffered: true});
setTimeout(() => done(seen), 300);
"""


def layout_shift(dash_duo: Any, path: str, size: tuple[int, int]) -> tuple[float, list]:
    """The page opened afresh at `size`: the sum of its layout shifts (every one, not
    Lighthouse's worst window: at least as strict), and what moved."""
    screen(dash_duo, *size)
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(dash_duo.server_url + path)
    arrived(dash_duo, PAGES[path])
    shifts = dash_duo.driver.execute_async_script(SHIFTS)
    return sum(s["value"] for s in shifts), shifts


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_nothing_moves_as_a_page_arrives(dash_duo, app, size):
    """Each card, graph, table and control has its room from the first paint: the sum of a
    page's layout shifts is under 0.1 (the cards of /outreach fell 366 px, 0.36 and more)."""
    dash_duo.start_server(app)
    moved = {}
    for path in PAGES:
        total, shifts = layout_shift(dash_duo, path, size)
        if total >= 0.1:
            moved[path] = (round(total, 3), shifts)
    assert moved == {}


def test_the_danish_header_fits_a_laptop(dash_duo, app):
    """At 1280 px in Danish (the longest menu), "Log ind" is on screen, the page no wider
    than the screen; in English and French too, and at 1366 px."""
    dash_duo.start_server(app)
    for width in (1280, 1366):
        for lang in ("da", "en", "fr"):
            screen(dash_duo, width, 800)
            dash_duo.driver.get(f"{dash_duo.server_url}/?lang={lang}")
            arrived(dash_duo, ".chart-caption")
            box = dash_duo.driver.execute_script(
                "const a = document.getElementById('sign-in');"
                "const r = a.getBoundingClientRect();"
                "return [r.left, r.right, r.top, r.bottom, window.innerWidth,"
                " document.documentElement.scrollWidth, a.textContent];"
            )
            left, right, top, bottom, inner, scroll, text = box
            assert left >= 0 and right <= inner and top >= 0 and bottom > top, (lang, width, box)
            assert scroll <= inner, (lang, width, box)
            if lang == "da":
                assert text == "Log ind"


def open_projects(dash_duo: Any) -> list[dict[str, Any]]:
    """The project dropdown opened: each option's text, whether it is whole (not cut), and
    whether it is on top where it ends (not under the page beside the panel)."""
    dash_duo.find_element("#f-project").click()
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"))
    return dash_duo.driver.execute_script(
        """
        const menu = document.querySelector('.dash-dropdown-content').getBoundingClientRect();
        return Array.from(document.querySelectorAll('.dash-dropdown-option')).map((o) => {
          const t = o.querySelector('.dash-options-list-option-text') || o;
          const r = t.getBoundingClientRect();
          const inMenu = r.top >= menu.top && r.bottom <= menu.bottom;
          const top = inMenu ? document.elementFromPoint(r.right - 2, r.top + r.height / 2) : null;
          return {text: t.textContent, whole: t.scrollWidth <= t.clientWidth + 1,
                  inside: r.right <= window.innerWidth, onTop: !inMenu || o.contains(top)};
        });
        """
    )


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_project_dropdown_shows_whole_names(dash_duo, app, size):
    """The two Burundi projects of the same name are told apart by their code and their
    organisation: each option's text is whole, on screen and above the charts."""
    dash_duo.start_server(app)
    screen(dash_duo, *size)
    dash_duo.driver.get(dash_duo.server_url + "/")
    arrived(dash_duo, ".chart-caption")
    if size == PHONE:
        dash_duo.find_element("#filters-toggle").click()
        dash_duo.wait_for_element("#filters-collapse.show")
    options = open_projects(dash_duo)
    burundi = [o["text"] for o in options if "(Burundi)" in o["text"]]
    assert len(burundi) >= 2 and len(set(burundi)) == len(burundi)
    assert [o for o in options if not (o["whole"] and o["inside"] and o["onTop"])] == []


def test_a_phone_closes_the_filters_after_a_choice(dash_duo, app):
    """On a phone the panel, opened over the results, closes once a choice is made, and the
    summary above the results says what is chosen."""
    dash_duo.start_server(app)
    screen(dash_duo, *PHONE)
    dash_duo.driver.get(dash_duo.server_url + "/")
    arrived(dash_duo, ".chart-caption")
    dash_duo.find_element("#filters-toggle").click()
    dash_duo.wait_for_element("#filters-collapse.show")
    dash_duo.find_element(
        "label[for='_dbcprivate_radioitems_f-women-preset_input_women_only']"
    ).click()
    wait_until(lambda: "min_pct_women=1" in dash_duo.driver.current_url)
    dash_duo.wait_for_contains_text("#active-filters", "women-only groups")
    wait_until(lambda: not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#filters-collapse.show"))
    summary = dash_duo.find_element("#active-filters")
    assert summary.is_displayed()
    # the panel can be opened again for the next choice
    dash_duo.find_element("#filters-toggle").click()
    dash_duo.wait_for_element("#filters-collapse.show")


def cue(dash_duo: Any, frame: Any, side: str) -> str:
    return dash_duo.driver.execute_script(
        "return getComputedStyle(arguments[0], arguments[1]).display;", frame, side
    )


def test_a_phone_shows_that_the_themes_scroll_sideways(dash_duo, app):
    """The themes chart (panels side by side) and its table scroll sideways on a phone: an
    arrow and a fade show on the side with more to see, and go when there is no more."""
    dash_duo.start_server(app)
    screen(dash_duo, *PHONE)
    dash_duo.driver.get(dash_duo.server_url + "/themes")
    arrived(dash_duo, ".chart-caption")
    frame = dash_duo.find_element(".scroll-cue:not(.table-cue)")
    box = dash_duo.find_element(".scroll-cue:not(.table-cue) > .chart-wide")
    wait_until(lambda: "more-right" in frame.get_attribute("class"))
    assert cue(dash_duo, frame, "::after") == "flex" and cue(dash_duo, frame, "::before") == "none"
    dash_duo.driver.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth;", box)
    wait_until(lambda: "more-left" in frame.get_attribute("class"))
    assert "more-right" not in frame.get_attribute("class")
    assert cue(dash_duo, frame, "::after") == "none" and cue(dash_duo, frame, "::before") == "flex"
    table = dash_duo.find_element(".table-cue")
    wait_until(lambda: "more-right" in table.get_attribute("class"))
    assert cue(dash_duo, table, "::after") == "flex"
    # a laptop has room for every panel: no cue
    screen(dash_duo, *LAPTOP)
    wait_until(lambda: "more-right" not in frame.get_attribute("class"))
    assert cue(dash_duo, frame, "::after") == "none"
