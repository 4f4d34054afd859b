"""What a person does, in real headless Chromium (dash_duo) on the hand-computed pool:
open every page, pick a filter, share the link, go back, download the table."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.analytics.engine import compute, rows_to_csv
from dashboard.core.filters import Filters
from dashboard.core.format import format_value
from dashboard.web.server import PAGES as SERVED
from tests.browser.conftest import BROWSER_WAIT, click, sign_in, wait_until

PAGES = {
    "/": "Savings groups in the network",
    "/outreach": "Outreach",
    "/efficiency": "Cost-efficiency",
    "/performance": "Financial performance",
    "/themes": "Cross-cutting themes",
    "/compare": "Compare with the network",
    "/explore": "Explore an indicator",
    "/projects": "Projects",
    "/report": "Performance report",
    "/sdg": "Contributions to the Sustainable Development Goals",
    "/data": "Data",
    "/glossary": "Glossary",
    "/import": "Import data",
}
MEMBERS = '[data-indicator="members"] .kpi-value'
NAMES = {page.PATH: page.NAME for page in SERVED}  # (the menu's)
SITE = "Savings groups network"


@pytest.fixture
def app(hand_app):
    return hand_app


@pytest.fixture
def dash_duo(dash_duo):
    """A laptop-sized window: the filter panel is shown beside the page (on a phone it
    folds behind a button)."""
    dash_duo.driver.set_window_size(1366, 900)
    return dash_duo


def engine_value(pool: Path, filters: Filters, by: str | None = None) -> list[dict]:
    """What `vsla indicators` computes (the engine, on the app's own read-only connection:
    DuckDB allows one configuration per file in a process)."""
    from dashboard.core.config import pool_path
    from dashboard.pool import db

    assert pool_path() == pool
    with db.cursor() as con:
        return compute(con, filters, by)


def resources(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )


def frame_src(dash_duo) -> str | None:
    frames = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#rp-preview")
    return frames[0].get_attribute("src") if frames else None


def test_every_page_loads_with_no_console_error_and_no_outside_request(dash_duo, app):
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    base = dash_duo.server_url
    for path, title in PAGES.items():
        dash_duo.wait_for_page(base + path)
        dash_duo.wait_for_text_to_equal(".page-title", title)
        # the tab's title: the page's name in the menu, then the site's
        wait_until(lambda path=path: dash_duo.driver.title == f"{NAMES[path]} · {SITE}")
        if path == "/report":
            # The preview frame shows the printable report of the same view.
            wait_until(lambda: "/report/print" in (frame_src(dash_duo) or ""), timeout=BROWSER_WAIT)
            # Wait for the report inside, so that no render is left running after the test.
            frame = dash_duo.find_element("#rp-preview")
            dash_duo.driver.switch_to.frame(frame)
            heading = wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "h1"), 30)
            assert heading[0].text.startswith("Savings groups")
            dash_duo.driver.switch_to.default_content()
        elif path not in ("/glossary", "/import"):
            # The page's data arrived: a caption names the source.
            dash_duo.wait_for_contains_text(
                ".chart-caption", "Source: pooled", timeout=BROWSER_WAIT
            )
        assert dash_duo.get_logs() == [], path
        outside = [r for r in resources(dash_duo) if not r.startswith(base)]
        assert outside == [], (path, outside)


def test_choosing_a_country_changes_the_tile_the_link_and_history(dash_duo, app, hand_pool_path):
    expected = format_value(
        engine_value(hand_pool_path, Filters(country=("UGA",)))[0]["members"], "int"
    )
    assert expected == "72"  # G1 25 + G2 15 + G5 20 + G6 12, by hand
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_text_to_equal(MEMBERS, "125")
    dash_duo.select_dcc_dropdown("#f-country", value="Uganda")
    dash_duo.wait_for_text_to_equal(MEMBERS, expected)
    url = wait_until(
        lambda: "country=UGA" in dash_duo.driver.current_url and dash_duo.driver.current_url
    )
    assert parse_qs(urlparse(url).query)["country"] == ["UGA"]
    assert "Uganda" in dash_duo.find_element("#active-filters").text

    # Back returns to the unfiltered view; the controls follow.
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(MEMBERS, "125")
    dash_duo.driver.forward()
    dash_duo.wait_for_text_to_equal(MEMBERS, expected)

    # The link restores the same view in a new page load.
    dash_duo.driver.get(dash_duo.server_url + "/glossary")
    dash_duo.wait_for_page(url)
    dash_duo.wait_for_text_to_equal(MEMBERS, expected)
    assert "Uganda" in dash_duo.find_element("#f-country").text
    assert dash_duo.get_logs() == []


def test_page_links_keep_the_filters(dash_duo, app):
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + "/?country=UGA&currency=DKK")
    dash_duo.wait_for_text_to_equal(MEMBERS, "72")
    dash_duo.find_element("#nav-outreach").click()
    dash_duo.wait_for_text_to_equal(".page-title", "Outreach")
    query = parse_qs(urlparse(dash_duo.driver.current_url).query)
    assert query == {"country": ["UGA"], "currency": ["DKK"]}
    assert urlparse(dash_duo.driver.current_url).path == "/outreach"
    dash_duo.wait_for_contains_text(".chart-caption", "Uganda")


def test_an_invalid_parameter_shows_a_notice_not_an_error(dash_duo, app):
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + "/?country=XXX&as_of=junk&colour=red")
    dash_duo.wait_for_contains_text("#url-notice", "country='XXX'")
    notice = dash_duo.find_element("#url-notice").text
    assert "as_of='junk'" in notice and "'colour'" in notice
    dash_duo.wait_for_text_to_equal(MEMBERS, "125")  # the defaults apply
    assert dash_duo.get_logs() == []


def test_the_data_page_downloads_the_numbers_of_vsla_indicators(dash_duo, app, hand_pool_path):
    expected = rows_to_csv(
        engine_value(hand_pool_path, Filters(tag=("refugee",)), "country"), "country"
    )
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + "/data?table=country&tag=refugee")
    dash_duo.wait_for_contains_text(".chart-caption", "Source: pooled")
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#data-table .ag-row"))
    click(dash_duo, "#data-csv")
    folder = Path(dash_duo.download_path)
    files = wait_until(lambda: list(folder.glob("*.csv")), timeout=BROWSER_WAIT)
    assert files[0].name.startswith("indicators_by-country_")
    assert files[0].read_text(encoding="utf-8") == expected


def test_a_chart_downloads_as_a_slide_image(dash_duo, app):
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_text_to_equal(MEMBERS, "125")
    dash_duo.find_element("#ov-map-card .export-menu .dropdown-toggle").click()
    item = '[id*="\\"fmt\\":\\"slide\\""][id*="ov-map"]'
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
    dash_duo.find_element(item).click()
    folder = Path(dash_duo.download_path)
    files = wait_until(lambda: list(folder.glob("*.png")), timeout=BROWSER_WAIT)
    assert files[0].name == "members-by-country_2025-09-30.png"
    data = files[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1920
    assert dash_duo.get_logs() == []


def test_an_sdg_trend_downloads_from_the_export_menu_beside_it(dash_duo, app):
    """The SDG page's sparklines export like every other chart (issue 30): the menu beside
    Uganda's members gives the trend's numbers, named for what they are."""
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + "/sdg?country=UGA")
    dash_duo.wait_for_contains_text(".chart-caption", "Uganda")
    # the first row: goal 1, target 1.4, members
    toggle = dash_duo.find_element(".sdg-trend .export-menu .dropdown-toggle")
    dash_duo.driver.execute_script("arguments[0].click()", toggle)
    item = '[id*="\\"fmt\\":\\"csv\\""][id*="sdg-members"]'
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
    dash_duo.driver.execute_script("arguments[0].click()", dash_duo.find_element(item))
    path = Path(dash_duo.download_path) / "members_UGA_2025-09-30.csv"
    wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout=BROWSER_WAIT)
    time.sleep(0.3)  # let Chromium finish writing
    lines = path.read_text().splitlines()
    assert lines[0] == "# Members" and lines[-1] == "Members,2025-09-30,72"
    assert dash_duo.get_logs() == []


def test_every_download_button_gives_its_file(dash_duo, app):
    """Each item of a chart's export menu, both items of "Download page" and the report's
    PDF: a person clicks and the browser saves the file (named for what it holds)."""
    from io import BytesIO

    from openpyxl import load_workbook
    from pptx import Presentation
    from pypdf import PdfReader

    folder = Path(dash_duo.download_path)

    def downloaded(name: str) -> bytes:
        path = folder / name
        wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout=60)
        time.sleep(0.3)  # let Chromium finish writing
        return path.read_bytes()

    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + "/efficiency?country=UGA")
    dash_duo.wait_for_contains_text("#ef-project-caption", "Uganda")
    names = {
        "slide": "cost-per-member-by-project_UGA_2025-09-30.png",
        "print": "cost-per-member-by-project-print_UGA_2025-09-30.png",
        "svg": "cost-per-member-by-project_UGA_2025-09-30.svg",
        "csv": "cost-per-member-by-project_UGA_2025-09-30.csv",
        "xlsx": "cost-per-member-by-project_UGA_2025-09-30.xlsx",
    }
    for fmt, name in names.items():
        dash_duo.find_element("#ef-project-card .export-menu .dropdown-toggle").click()
        item = f'[id*="\\"fmt\\":\\"{fmt}\\""][id*="ef-project"]'
        wait_until(lambda item=item: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
        dash_duo.find_element(item).click()
        data = downloaded(name)
        if fmt == "svg":
            assert b"Cost per member by project" in data
        elif fmt == "csv":
            assert data.startswith(b"# Cost per member by project")
        elif fmt == "xlsx":
            assert load_workbook(BytesIO(data)).sheetnames[0] == "Cost per member by project"
        else:
            assert data[:8] == b"\x89PNG\r\n\x1a\n"

    # While a page's file is made (the menu busy), words say so beside the spinner
    status = dash_duo.find_element(".page-export-busy")
    assert not status.is_displayed()
    dash_duo.driver.execute_script(
        "document.getElementById('page-export').classList.add('is-busy')"
    )
    assert status.is_displayed() and "a deck takes 10 to 20 seconds" in status.text
    dash_duo.driver.execute_script(
        "document.getElementById('page-export').classList.remove('is-busy')"
    )
    for item, name in (
        ("#page-pptx", "efficiency_UGA_2025-09-30.pptx"),
        ("#page-xlsx", "efficiency_UGA_2025-09-30.xlsx"),
    ):
        dash_duo.find_element("#page-export .dropdown-toggle").click()
        wait_until(lambda item=item: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
        dash_duo.find_element(item).click()
        data = downloaded(name)
        if name.endswith(".pptx"):
            titles = [s.shapes.title.text for s in Presentation(BytesIO(data)).slides]
            assert titles[:2] == ["Efficiency", "Cost per member by project"]
            assert len(titles) == 1 + 7  # no KPI tiles on this page
        else:
            assert "Cost per member by project" in load_workbook(BytesIO(data)).sheetnames

    dash_duo.wait_for_page(dash_duo.server_url + "/projects?project=UGA-A-01")
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#pj-trainers .trainer-id"))
    for fmt in ("csv", "xlsx"):
        # Below the fold, under charts still settling: clicked where it is, by script.
        toggle = dash_duo.find_element("#pj-trainers-card .export-menu .dropdown-toggle")
        dash_duo.driver.execute_script("arguments[0].click()", toggle)
        item = f'[id*="\\"fmt\\":\\"{fmt}\\""][id*="pj-trainers"]'
        wait_until(lambda item=item: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
        dash_duo.driver.execute_script("arguments[0].click()", dash_duo.find_element(item))
        data = downloaded(f"trainers_UGA-A-01_2025-09-30.{fmt}")
        if fmt == "csv":
            assert data.startswith(b"# Trainers") and b"FO-1" in data
        else:
            assert load_workbook(BytesIO(data)).sheetnames[0] == "Trainers"

    dash_duo.wait_for_page(dash_duo.server_url + "/report?project=UGA-A-01")
    wait_until(lambda: "project=UGA-A-01" in (frame_src(dash_duo) or ""), timeout=BROWSER_WAIT)
    dash_duo.find_element("#rp-pdf").click()
    data = downloaded("performance-report_UGA-A-01_2025-09-30.pdf")
    assert "Alpha Uganda savings" in PdfReader(BytesIO(data)).pages[0].extract_text()
    assert dash_duo.get_logs() == []


def test_each_role_sees_what_it_may_in_the_browser(dash_duo, sharing_app):
    """Guest: shared projects only; a member: its own private project too, not another's;
    signing out ends that (the sharing pool of tests/conftest.py)."""

    def project_rows() -> str:
        dash_duo.wait_for_page(dash_duo.server_url + "/data?table=project")
        wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#data-table .ag-row"))
        time.sleep(0.5)
        return dash_duo.find_element("#data-table").text

    dash_duo.start_server(sharing_app)
    guest = project_rows()
    assert "NOR-UGA-01 savings" in guest and "SOU-UGA-01" not in guest
    assert "Guest" in dash_duo.find_element("#account").text

    sign_in(dash_duo, "south")
    south = project_rows()
    assert "SOU-UGA-01 savings" in south and "NOR-UGA-01 savings" in south

    dash_duo.find_element("#sign-out").click()
    dash_duo.wait_for_contains_text("#account", "Guest")
    assert "SOU-UGA-01" not in project_rows()

    sign_in(dash_duo, "north")
    assert "SOU-UGA-01" not in project_rows()
    assert dash_duo.get_logs() == []


def test_the_filters_work_from_the_keyboard_alone(dash_duo, app):
    """Each dropdown's button is its tab stop (not a hidden input), named by its label; Tab
    reaches it, Enter opens it, the arrow keys and Enter choose (assets/20_a11y.js)."""
    dash_duo.start_server(app)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_text_to_equal(MEMBERS, "125")
    driver = dash_duo.driver
    wait_until(lambda: driver.find_element(By.ID, "f-country").get_attribute("tabindex") == "0")
    assert html_lang(driver) == "en"
    hidden = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-focus-target")
    assert hidden and all(h.get_attribute("tabindex") == "-1" for h in hidden)
    named = driver.find_element(By.ID, "f-country").get_attribute("aria-labelledby").split()
    assert driver.find_element(By.ID, named[0]).text == "Country"

    # from the control before it (the as-of dropdown), Tab lands on the country dropdown
    driver.find_element(By.ID, "f-as_of").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "f-country"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: driver.find_element(By.ID, "f-country").get_attribute("aria-expanded"))
    search = wait_until(lambda: driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search"))
    search.send_keys("Uganda")
    search.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    wait_until(lambda: "country=UGA" in driver.current_url)
    dash_duo.wait_for_text_to_equal(MEMBERS, "72")
    # after leaving it, the dropdown keeps its tab stop on the button
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    driver.find_element(By.ID, "f-as_of").click()
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(
        lambda: all(
            h.get_attribute("tabindex") == "-1"
            for h in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-focus-target")
        )
    )


def html_lang(driver) -> str:
    return driver.execute_script("return document.documentElement.lang")


def test_clicking_a_project_s_bar_narrows_the_filters_to_it(dash_duo, app):
    """A click on a bar of the cost per member by project adds that project to the link
    (the browser passes the click on; the server checks it names a project of the pool)."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1366, 900)
    sign_in(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/efficiency?tag=refugee")
    dash_duo.wait_for_contains_text("#ef-project-caption", "Source")
    bars = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#ef-project-card .bars .point path")
    assert bars
    # as a person clicks: at the bar, where plotly.js's own layer takes the click
    ActionChains(dash_duo.driver).move_to_element(bars[-1]).click().perform()
    deadline = time.monotonic() + BROWSER_WAIT
    while "project=" not in dash_duo.driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    query = parse_qs(urlparse(dash_duo.driver.current_url).query)
    # the highest cost per member with refugee groups: 10,000 / 28 (KEN-A-01)
    assert query["tag"] == ["refugee"] and query["project"] == ["KEN-A-01"]
    dash_duo.wait_for_contains_text("#active-filters", "Alpha Kenya savings")
    assert dash_duo.get_logs() == []
