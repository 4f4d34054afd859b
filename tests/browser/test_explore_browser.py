"""The indicator explorer in real headless Chromium (issue 32), as a person uses it: signed in as
the network admin (exact values), /explore opened on savings per member for Alpha Aid and
Beta Relief draws their lines and the network's with different values; the map and the table
are shown and then the chart again, the link following each tab; Uganda is added from the
search box and gets its line; the chart is downloaded as a PNG; the link reopened shows the
same view; and the table's values are those of `vsla indicators` for the same filters."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.core.format import format_value
from tests.browser.conftest import BROWSER_WAIT, click, sign_in, wait_until

INDICATOR = "savings_per_member_usd"
START = (
    "/explore?indicator=savings_per_member_usd&organisation=Alpha%20Aid&organisation=Beta%20Relief"
)
QUARTERS = {  # the hand pool's quarters, newest first (the table's order)
    "2025Q3": "2025-09-30",
    "2025Q2": "2025-06-30",
    "2025Q1": "2025-03-31",
    "2024Q4": "2024-12-31",
    "2024Q3": "2024-09-30",
}
# Each line, its `vsla indicators` filters, and its active groups at each quarter end,
# newest first (tests/fixtures/hand_pool: G3 reports in 2024Q3 and is inactive a year on,
# G2 first reports in 2024Q4, G1 in 2025Q2, G4 and Beta Relief's G5-G7 in 2025Q3).
LINES = {
    "Alpha Aid": (["--organisation", "Alpha Aid"], [3, 3, 2, 2, 1]),
    "Beta Relief": (["--organisation", "Beta Relief"], [3, 0, 0, 0, 0]),
    "Uganda": (["--country", "UGA"], [4, 3, 2, 2, 1]),
    "Network": ([], [6, 3, 2, 2, 1]),
}
# The points the explorer leaves out though `vsla indicators` has a value: a ratio's point
# resting on fewer active groups than half the most its line ever had, and at least 2
# (figures.trends.thin_threshold): Alpha Aid's, Uganda's and Beta Relief's need 2, the
# network's 3.
THIN = {
    ("Alpha Aid", "2024Q3"),
    ("Uganda", "2024Q3"),
    ("Network", "2024Q3"),
    ("Network", "2024Q4"),
    ("Network", "2025Q1"),
}

CHART_TRACES = """
const graph = document.querySelector('#ex-chart-card .js-plotly-plot');
return graph && graph.data ? graph.data.map((t) => t.name) : null;
"""
END_LABELS = """
const graph = document.querySelector('#ex-chart-card .js-plotly-plot');
return graph && graph.layout ? (graph.layout.annotations || []).map((a) => a.text) : [];
"""
MAP_TRACES = """
const graph = document.querySelector('#ex-map-card .js-plotly-plot');
return graph && graph.data ? graph.data.map((t) => t.type) : null;
"""
TABLE = """
const grid = document.getElementById('ex-table-grid');
if (!grid) return null;
const head = [...grid.tHead.rows[0].cells].map((c) => c.textContent.trim());
const rows = [...grid.tBodies[0].rows].map((r) => [...r.cells].map((c) => ({
  text: c.textContent.trim(), sort: c.getAttribute('data-sort')})));
return {head: head, rows: rows};
"""
PNG = b"\x89PNG\r\n\x1a\n"


def cli_values(pool: Path) -> dict[tuple[str, str], float | None]:
    """`vsla indicators`' savings per member of each line at each quarter end (the commands
    run side by side: each is a process of its own)."""
    runs = {}
    for name, (flags, _groups) in LINES.items():
        for quarter, day in QUARTERS.items():
            command = [sys.executable, "-m", "dashboard.cli", "indicators", "--db", str(pool)]
            command += ["--as-of", day, "--format", "json", *flags]
            runs[name, quarter] = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
    values = {}
    for key, run in runs.items():
        out, _err = run.communicate(timeout=BROWSER_WAIT)
        assert run.returncode == 0, key
        values[key] = json.loads(out)
    for name, (_flags, groups) in LINES.items():
        assert [values[name, quarter]["groups"] for quarter in QUARTERS] == groups, name
    return {key: found[INDICATOR] for key, found in values.items()}


def traces(dash_duo) -> list[str]:
    """The chart's lines by name, the network's (drawn last, over the others) last."""
    names = dash_duo.driver.execute_script(CHART_TRACES) or []
    return sorted(names[:-1]) + names[-1:]


def query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def shown_pane(dash_duo) -> list[str]:
    """The panes a person sees (the others are hidden by the panes' class)."""
    panes = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#ex-panes > .ex-pane")
    return [p.get_attribute("class").split()[-1] for p in panes if p.is_displayed()]


def choose_tab(dash_duo, tab: str) -> None:
    click(dash_duo, f'label[for="_dbcprivate_radioitems_ex-tab_input_{tab}"]')
    wait_until(lambda: shown_pane(dash_duo) == [f"ex-pane-{tab}"])
    # (the default tab is left out of the link)
    wait_until(lambda: query(dash_duo).get("tab", ["chart"]) == [tab])


def table(dash_duo) -> dict:
    return wait_until(lambda: dash_duo.driver.execute_script(TABLE))


def check_table(grid: dict, lines: list[str], expected: dict) -> int:
    """The table's head and quarters, and each cell against `vsla indicators` for the same
    line and quarter end: its text formatted as the pages format it, its sort key the
    number; blank where the CLI has none (no group then) or where the point rests on too
    few groups. Returns how many cells held a value."""
    assert grid["head"] == ["Quarter", *lines]
    # the quarters the chart draws (a quarter where every line is blank has no row)
    drawn = [
        q for q in QUARTERS if any(expected[n, q] is not None and (n, q) not in THIN for n in lines)
    ]
    assert [row[0]["text"] for row in grid["rows"]] == drawn
    assert [row[0]["sort"] for row in grid["rows"]] == [QUARTERS[q] for q in drawn]
    compared = 0
    for row in grid["rows"]:
        quarter = row[0]["text"]
        for name, cell in zip(lines, row[1:], strict=True):
            value = expected[name, quarter]
            if value is None or (name, quarter) in THIN:
                assert (cell["text"], cell["sort"]) == ("n/a", ""), (name, quarter)
                continue
            assert cell["text"] == format_value(value, "usd", "USD"), (name, quarter)
            assert abs(float(cell["sort"]) - value) <= 1e-9 * abs(value), (name, quarter)
            compared += 1
    return compared


def test_the_explorer_draws_switches_adds_downloads_and_reopens(dash_duo, hand_app, hand_pool_path):
    expected = cli_values(hand_pool_path)
    dash_duo.start_server(hand_app)
    dash_duo.driver.set_window_size(1366, 900)
    sign_in(dash_duo, "admin")
    dash_duo.wait_for_page(dash_duo.server_url + START)

    # a line for each organisation and the network's, each ending with its latest value,
    # the three different
    lines = ["Alpha Aid", "Beta Relief", "Network"]
    wait_until(lambda: traces(dash_duo) == lines)
    assert sorted(dash_duo.driver.execute_script(END_LABELS)) == [
        "Alpha Aid<br>USD 29.41",
        "Beta Relief<br>USD 35.09",
        "Network<br>USD 32.00",
    ]
    assert dash_duo.find_elements("#ex-chart-card .chart-graph .main-svg")
    assert shown_pane(dash_duo) == ["ex-pane-chart"]

    # the map: a choropleth by country
    choose_tab(dash_duo, "map")
    wait_until(lambda: (dash_duo.driver.execute_script(MAP_TRACES) or [])[:1] == ["choropleth"])
    assert dash_duo.find_element(".ex-pane-map .main-svg").is_displayed()

    # the table: a row per quarter, newest first, a column per line, its values the CLI's
    choose_tab(dash_duo, "table")
    # (each line's latest quarter; Alpha Aid's three before, the network's one)
    assert check_table(table(dash_duo), lines, expected) == 3 + 3 + 1
    assert [q for q in QUARTERS if expected["Beta Relief", q] is not None] == ["2025Q3"]

    choose_tab(dash_duo, "chart")
    wait_until(lambda: traces(dash_duo) == lines)

    # Uganda added from the search box: typed, then its option chosen
    click(dash_duo, "#ex-entities")
    search = wait_until(
        lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search")
    )[0]
    search.send_keys("Uganda")
    option = '//*[contains(@class, "dash-dropdown-option")][normalize-space()="Uganda (country)"]'
    wait_until(lambda: dash_duo.driver.find_elements(By.XPATH, option))
    dash_duo.driver.find_element(By.XPATH, option).click()
    wait_until(lambda: query(dash_duo).get("country") == ["UGA"])
    lines = ["Alpha Aid", "Beta Relief", "Uganda", "Network"]
    wait_until(lambda: traces(dash_duo) == lines)
    assert "Uganda<br>USD 34.72" in dash_duo.driver.execute_script(END_LABELS)
    assert query(dash_duo)["organisation"] == ["Alpha Aid", "Beta Relief"]
    # (the search box closed, as a person does, with Esc)
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(lambda: not dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content"))

    # the chart as a PNG, from its Export menu
    click(dash_duo, "#ex-chart-card .export-menu .dropdown-toggle")
    item = '[id*="\\"fmt\\":\\"slide\\""][id*="ex-chart"]'
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, item))
    click(dash_duo, item)
    folder = Path(dash_duo.download_path)
    png = wait_until(lambda: [p for p in folder.glob("*.png") if p.stat().st_size > 0])[0]
    time.sleep(0.3)  # (Chromium renames the file once whole: read it whole)
    assert png.read_bytes()[:8] == PNG

    # the link reopened afresh, on the table: the same indicator, lines, values and tab
    choose_tab(dash_duo, "table")
    before = table(dash_duo)
    # (Uganda's latest quarter and three before)
    assert check_table(before, lines, expected) == 7 + 4
    link = dash_duo.driver.current_url
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(link)
    wait_until(lambda: shown_pane(dash_duo) == ["ex-pane-table"])
    assert dash_duo.find_element("#_dbcprivate_radioitems_ex-tab_input_table").is_selected()
    wait_until(lambda: table(dash_duo) == before)
    # (the default indicator is left out of the link)
    assert query(dash_duo).get("indicator", [INDICATOR]) == [INDICATOR]
    assert dash_duo.find_element("#ex-indicator").text == "Savings and loans: Savings per member"
    # (a hidden chart is drawn when it is shown: assets/07_plotly_lazy.js)
    choose_tab(dash_duo, "chart")
    wait_until(lambda: traces(dash_duo) == lines)
    dash_duo.wait_for_text_to_equal(
        "#ex-chart-subtitle",
        "Savings per member, USD, at each quarter end: Alpha Aid, Beta Relief, Uganda, Network",
    )

    assert dash_duo.get_logs() == []
