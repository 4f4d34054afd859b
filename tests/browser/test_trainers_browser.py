"""The trainer report in real headless Chromium (issue 29): signed in as a member of the
demo (Nordlys Aid, its public account) at 1366 px, /projects lists its trainers with their
ids whole, a flag and its reason in sight, a trainer's groups one click away; at 390 px one
card per trainer in the same order."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import click
from tests.conftest import _serving_demo_accounts

MEMBER = ("nordlys-aid", "demo-nordlys-aid")


@pytest.fixture
def demo_member_app(demo_pool_path, tmp_path, monkeypatch):
    yield from _serving_demo_accounts(demo_pool_path, tmp_path, monkeypatch)


def sign_in(dash_duo) -> None:
    dash_duo.driver.get(dash_duo.server_url + "/login")
    dash_duo.find_element("#username").send_keys(MEMBER[0])
    dash_duo.find_element("#password").send_keys(MEMBER[1])
    dash_duo.find_element(".login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text("#account", MEMBER[0])


# Each trainer id shown: its text, whether it is cut (wider than its box), whether its box
# lies inside the window; the first reason line and the first flag, and where they end.
MEASURE = """
const shown = e => e.offsetParent !== null;
const ids = [...document.querySelectorAll('.trainer-id')].filter(shown).map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, cut: e.scrollWidth > e.clientWidth + 1,
          inside: r.left >= 0 && r.right <= window.innerWidth};
});
const reason = [...document.querySelectorAll('.trainer-reasons')].find(shown);
const flag = [...document.querySelectorAll('.trainer-flag')].find(shown);
const box = e => e && e.getBoundingClientRect();
return {ids, width: window.innerWidth, page: document.documentElement.scrollWidth,
        reason: reason && reason.textContent, reasonRight: reason && box(reason).right,
        flag: flag && flag.textContent, flagRight: flag && box(flag).right,
        cards: [...document.querySelectorAll('.trainer-card')].filter(shown).length};
"""


def test_a_member_sees_its_trainers_whole_with_a_flag_and_its_reason(dash_duo, demo_member_app):
    from dashboard.access.policy import Viewer
    from dashboard.access.viewer import acting_as
    from dashboard.analytics import trainers
    from dashboard.views.view import read_view

    with acting_as(Viewer("member", "Nordlys Aid")):
        expected = trainers.report(read_view("")).rows
    assert any(r["flags"] for r in expected)  # the demo's trainers who need support

    dash_duo.start_server(demo_member_app)
    dash_duo.driver.set_window_size(1366, 900)
    sign_in(dash_duo)
    dash_duo.wait_for_page(dash_duo.server_url + "/projects")
    dash_duo.wait_for_element(".trainer-wide .trainer-id")
    seen = dash_duo.driver.execute_script(MEASURE)
    # every trainer of the organisation, whole, in the ranked order, nothing off the side
    assert [i["text"] for i in seen["ids"]] == [r["trainer_id"] for r in expected]
    assert not any(i["cut"] for i in seen["ids"]) and all(i["inside"] for i in seen["ids"])
    assert seen["page"] <= seen["width"]
    first = expected[0]
    assert seen["flag"] == first["flags"][0].label and seen["flagRight"] <= seen["width"]
    assert seen["reason"] == "Why: " + first["reasons"]
    assert seen["reasonRight"] <= seen["width"]
    assert seen["cards"] == 0  # (the cards are the phone's)

    # the first trainer's groups, one click away (below the charts: scrolled to first)
    click(dash_duo, ".trainer-wide .trainer-id")
    dash_duo.wait_for_contains_text(
        "#pj-trainer-groups-title", f"Groups of {first['trainer_id']}: {first['groups']}"
    )
    rows = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#pj-trainer-groups-body tbody tr")
    assert len(rows) == first["groups"]

    # a phone: one card per trainer, in the same order, the table hidden
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_page(dash_duo.server_url + "/projects")
    dash_duo.wait_for_element(".trainer-card .trainer-id")
    phone = dash_duo.driver.execute_script(MEASURE)
    assert phone["cards"] == len(expected)
    assert [i["text"] for i in phone["ids"]] == [r["trainer_id"] for r in expected]
    assert not any(i["cut"] for i in phone["ids"])
    assert phone["reason"] == first["reasons"]
    assert dash_duo.get_logs() == []
