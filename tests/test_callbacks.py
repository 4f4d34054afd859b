"""The pages' callbacks, called over the real Dash endpoint on the hand-computed pool.

Values are worked out by hand from tests/fixtures/hand_pool (see test_indicators.py for the
derivations): as of 2025-09-30 six active groups (G1, G2, G4, G5, G6, G7), 125 members, 97
women, savings USD 4,000, cost per member USD 240; G3 alone was active as of 2024-09-30.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from pytest import approx

from dashboard.analytics.engine import compute, rows_to_csv
from dashboard.core.filters import Filters
from dashboard.core.format import format_value
from dashboard.core.indicators import BY_ID
from dashboard.exports.tables import values as arr
from dashboard.pool import db
from tests.dash_client import call, chart, request_body


@pytest.fixture
def app(hand_app):
    return hand_app


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


@pytest.fixture
def engine(app):
    """The web process's own read-only connection (a second, read-write one would clash)."""
    return db.connection()


def overview(client, app, search):
    return call(client, app, "ov-lead.children", {"url.search": search})


def tiles(result):
    return {
        k.removeprefix("kpi-").removesuffix("-value.children"): v
        for k, v in result.items()
        if k.startswith("kpi-") and k.endswith("-value.children")
    }


# --- Overview ---------------------------------------------------------------------------------


def test_overview_tiles_show_the_hand_computed_values(client, app):
    values = tiles(overview(client, app, ""))
    assert values["groups"] == "6"
    assert values["members"] == "125"
    assert values["pct_women"] == "78%"  # 97 / 125
    assert values["savings_usd"] == "USD 4,000"
    assert values["cost_per_member_usd"] == "USD 240.00"  # 24,000 / 100
    assert values["countries"] == "3"
    assert values["organisations"] == "2"


def test_overview_tiles_equal_the_engine_for_the_same_filters(client, app, engine):
    for search, filters in (
        ("?country=UGA", Filters(country=("UGA",))),
        ("?tag=refugee", Filters(tag=("refugee",))),
        (
            "?organisation=Beta%20Relief&cycle=first",
            Filters(organisation=("Beta Relief",), cycle=("first",)),
        ),
    ):
        values = tiles(overview(client, app, search))
        row = compute(engine, filters)[0]
        for ind_id, text in values.items():
            assert text == format_value(row[ind_id], BY_ID[ind_id].format), (search, ind_id)
    # Uganda by hand: G1 25 + G2 15 + G5 20 + G6 12 members.
    assert tiles(overview(client, app, "?country=UGA"))["members"] == "72"


def test_kpi_change_is_against_the_same_quarter_a_year_earlier(client, app):
    result = overview(client, app, "")
    # As of 2024-09-30 only G3 (20 members, 10 women) was active.
    groups = json.dumps(result["kpi-groups-change.children"])
    assert "+500%" in groups and "30 Sep 2024" in groups and "kpi-good" in groups
    assert "+27.6 pp" in json.dumps(result["kpi-pct_women-change.children"])  # 77.6% - 50%
    # No project report existed by 2024-09-30: no comparison for the cost.
    assert "no comparison" in json.dumps(result["kpi-cost_per_member_usd-change.children"])


def test_display_currency_converts_money_at_the_pools_rate(client, app):
    values = tiles(overview(client, app, "?currency=DKK"))
    assert values["savings_usd"] == "DKK 26k"  # 4,000 USD x 6.5 DKK per USD (2025)
    assert values["cost_per_member_usd"] == "DKK 1,560"  # 240 x 6.5
    assert values["members"] == "125"  # counts are not money


def test_a_currency_without_rates_falls_back_to_usd_with_a_notice(client, app):
    values = tiles(overview(client, app, "?currency=EUR"))
    assert values["savings_usd"] == "USD 4,000"
    notices = sync(client, app, "?currency=EUR")["notices.children"]
    assert "no EUR exchange rate" in json.dumps(notices)


def test_map_shows_members_by_country_and_drills_down(client, app):
    figure = chart(overview(client, app, ""), "ov-map")
    trace = figure["data"][0]
    members = dict(zip(trace["locations"], arr(trace["z"]), strict=True))
    assert members == {"BDI": 25, "KEN": 28, "UGA": 72}
    assert trace["locationmode"] == "ISO-3"
    assert [c[0] for c in trace["customdata"]] == [f"country={c}" for c in trace["locations"]]


def test_an_empty_scope_shows_a_friendly_empty_state(client, app):
    result = overview(client, app, "?tag=nonexistent")
    assert tiles(result)["groups"] == "0"
    assert tiles(result)["pct_women"] == "n/a"
    figure = chart(result, "ov-map")
    assert "No active group matches" in json.dumps(figure["layout"]["annotations"])


# --- URL state and the shell ------------------------------------------------------------------


def sync(client, app, search):
    """The shell's URL <-> controls callback, as on loading `search`."""
    return call(client, app, "f-country.value", {"url.search": search}, changed=["url.search"])


def test_the_url_sets_the_controls(client, app):
    result = sync(client, app, "?country=UGA&tag=refugee&min_pct_women=0.75&as_of=2025-06-30")
    assert result["f-country.value"] == ["UGA"]
    assert result["f-tag.value"] == ["refugee"]
    assert result["f-women-preset.value"] == "mostly_women"
    assert result["f-women-min.value"] == 75.0
    assert result["f-as_of.value"] == "2025-06-30"
    # The organisations offered are those with projects in Uganda.
    assert {o["value"] for o in result["f-organisation.options"]} == {"Alpha Aid", "Beta Relief"}
    assert "url.search" not in result  # reading the URL never rewrites it (history stays)


def test_invalid_parameters_fall_back_with_a_visible_notice(client, app):
    result = sync(client, app, "?country=XXX&as_of=junk&foo=1&min_pct_women=2")
    text = json.dumps(result["notices.children"])
    assert "country='XXX'" in text
    assert "as_of='junk'" in text
    assert "unknown parameter 'foo'" in text
    assert "min_pct_women" in text
    assert result["f-country.value"] == []
    assert tiles(overview(client, app, "?country=XXX&as_of=junk"))["members"] == "125"


def control(client, app, search, trigger, **values):
    """The shell's callback as when the person changes control `trigger`."""
    given = {"url.search": search, **{f"{k}.value": v for k, v in values.items()}}
    return call(client, app, "f-country.value", given, changed=[f"{trigger}.value"])


def test_a_control_change_writes_the_url(client, app):
    result = control(client, app, "", "f-country", **{"f-country": ["UGA"]})
    assert result["url.search"] == "?country=UGA"
    result = control(client, app, "?country=UGA", "f-currency", **{"f-currency": "DKK"})
    assert result["url.search"] == "?country=UGA&currency=DKK"
    # The latest date is the default, so choosing it leaves the link without as_of.
    result = control(client, app, "?as_of=2025-06-30", "f-as_of", **{"f-as_of": "2025-09-30"})
    assert result["url.search"] == "?"


def test_a_change_keeps_the_other_values_of_the_link_exactly(client, app):
    result = control(client, app, "?min_pct_women=0.12345", "f-currency", **{"f-currency": "DKK"})
    assert result["url.search"] == "?min_pct_women=0.12345&currency=DKK"


def test_women_presets_and_the_percent_inputs_agree(client, app):
    result = control(client, app, "", "f-women-preset", **{"f-women-preset": "mixed"})
    assert result["url.search"] == "?max_pct_women=0.749"
    assert result["f-women-max.value"] == 74.9
    typed = control(client, app, "", "f-women-max", **{"f-women-max": 74.9})
    assert typed["url.search"] == "?max_pct_women=0.749"
    assert typed["f-women-preset.value"] == "mixed"
    custom = control(client, app, "", "f-women-preset", **{"f-women-preset": "custom"})
    assert custom["f-women-preset.value"] == "custom"  # waits for a range to be typed


def test_reset_clears_the_filters_but_keeps_the_display_settings(client, app):
    values = {
        "url.search": "?country=UGA&tag=refugee&currency=DKK&by=country",
        "f-reset.n_clicks": 1,
    }
    result = call(client, app, "f-country.value", values, changed=["f-reset.n_clicks"])
    assert result["url.search"] == "?currency=DKK&by=country"
    assert result["f-country.value"] == []
    # Nothing to reset: the link (and the history) stay as they are.
    result = call(
        client,
        app,
        "f-country.value",
        {"url.search": "", "f-reset.n_clicks": 2},
        changed=["f-reset.n_clicks"],
    )
    assert "url.search" not in result


def test_page_links_keep_the_filters_and_a_breadcrumb_leads_back(client, app):
    values = {"url.pathname": "/outreach", "url.search": "?country=UGA&organisation=Alpha%20Aid"}
    result = call(client, app, "nav-overview.href", values)
    assert result["nav-efficiency.href"] == "/efficiency?country=UGA&organisation=Alpha+Aid"
    assert result["nav-outreach.active"] is True and result["nav-overview.active"] is False
    crumbs = json.dumps(result["breadcrumb.children"])
    assert "Whole network" in crumbs and "/outreach?country=UGA" in crumbs and "Uganda" in crumbs


def test_clicking_a_country_narrows_the_filters(client, app):
    """The browser passes a chart's click on (drill-click: a clientside callback, so that
    opening a page asks the server nothing for its charts' clicks); the server narrows."""
    click = {"points": [{"customdata": ["country=KEN", "Kenya", 1, 0.5]}]}
    values = {"drill-click.data": click, "url.search": "?tag=refugee"}
    result = call(client, app, "url.search", values, changed=["drill-click.data"],
                  via="drill-click.data")  # fmt: skip
    assert result["url.search"] == "?country=KEN&tag=refugee"


@pytest.mark.parametrize(
    "click",
    [
        {"points": {"0": 1}},
        {"points": "country=KEN"},
        {"points": [["country=KEN"]]},
        {"points": [{"customdata": {"a": 1}}]},
        {"points": [{"customdata": ["country=XXX"]}]},  # not a country of the pool
        {"points": [{"customdata": ["secret=1"]}]},
        {"points": []},
    ],
)
def test_a_forged_click_changes_nothing(client, app, click):
    values = {"drill-click.data": click, "url.search": "?tag=refugee"}
    body = request_body(app, "url.search", values, changed=["drill-click.data"],
                        via="drill-click.data")  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.data[:300]
    if response.status_code == 200:  # (no_update: no property sent back)
        assert json.loads(response.data)["response"] == {}


def test_a_click_that_is_not_an_object_is_refused(client, app):
    values = {"drill-click.data": ["country=KEN"], "url.search": ""}
    body = request_body(app, "url.search", values, changed=["drill-click.data"],
                        via="drill-click.data")  # fmt: skip
    assert client.post("/_dash-update-component", json=body).status_code == 400


# --- Other pages ------------------------------------------------------------------------------


def test_cost_per_member_by_project_is_ranked_with_the_savix_reference(client, app):
    result = call(client, app, "ef-note.color", {"url.search": ""})
    assert result["ef-note.color"] == "info"
    result = call(client, app, '"ef-project"', {"url.search": ""})
    figure = chart(result, "ef-project")
    bar = figure["data"][0]
    # 4,000/32 (UGA-B-01), 10,000/40 (UGA-A-01), 10,000/28 (KEN-A-01); BDI-B-01 has no report.
    assert arr(bar["x"]) == approx([125.0, 250.0, 10000 / 28])
    assert [c[0] for c in bar["customdata"]] == [
        "project=UGA-B-01",
        "project=UGA-A-01",
        "project=KEN-A-01",
    ]
    assert figure["layout"]["shapes"][0]["x0"] == approx(21.6)
    # the references are named in the legend: SAVIX's and the network's pooled value
    # (the whole hand pool as a guest sees it)
    names = [t.get("name", "") for t in figure["data"][1:]]
    assert any(n.startswith("SAVIX INGO average: USD 21.60") for n in names), names
    assert any(n.startswith("Network (pooled): USD") for n in names), names
    # With a theme filter on, the whole-projects note turns amber.
    themed = call(client, app, "ef-note.color", {"url.search": "?tag=refugee"})
    assert themed["ef-note.color"] == "warning"


def test_performance_shows_the_spread_across_groups(client, app):
    result = call(client, app, "pf-savings_per_member_usd-value.children", {"url.search": ""})
    assert result["pf-savings_per_member_usd-value.children"] == "USD 32.00"  # 4,000 / 125
    figure = chart(result, "pf-savings_per_member_usd")
    box = figure["data"][0]
    # Per group: 40, 33.33, 17.86, 20, 50, 40 USD per member.
    assert box["y"][0] == "Network"
    assert arr(box["median"])[0] == approx((100 / 3 + 40) / 2)
    assert arr(box["q1"])[0] == approx(20 + 0.25 * (100 / 3 - 20))
    assert arr(box["q3"])[0] == approx(40.0)
    pooled = figure["data"][1]
    assert arr(pooled["x"])[0] == approx(32.0)


def test_themes_compare_bands_side_by_side_one_theme_at_a_time(client, app):
    """The link's theme (women's membership by default) is the page's one chart, with a
    sentence on what differs most; the chooser offers every theme."""
    result = call(client, app, '"th-chart"', {"url.search": ""})
    groups = chart(result, "th-chart")["data"][0]
    assert list(groups["y"]) == ["Women only", "Mostly women (75-99%)", "Mixed (under 75% women)"]
    assert arr(groups["x"]) == [2, 3, 1]  # G2, G6 | G1, G5, G7 | G4
    assert result["th-chart-title.children"] == "Women's membership"
    assert "differs most" in result["th-sentence.children"]
    # not the share of women, which the bands are made of
    assert not result["th-sentence.children"].startswith("Women differs")
    options = [o["value"] for o in result["th-theme.options"]]
    assert options[:2] == ["women_band", "youth_band"] and "tag:refugee" in options
    refugee = call(client, app, '"th-chart"', {"url.search": "?theme=tag:refugee"})
    assert arr(chart(refugee, "th-chart")["data"][0]["x"]) == [2, 4]  # G1, G4 against the rest
    cycle = call(client, app, '"th-chart"', {"url.search": "?theme=cycle"})
    assert arr(chart(cycle, "th-chart")["data"][0]["x"]) == [4, 2]  # first: G2, G4, G5, G6
    # an unknown theme falls back to the default
    junk = call(client, app, '"th-chart"', {"url.search": "?theme=nonsense"})
    assert junk["th-chart-title.children"] == "Women's membership"


def test_trainer_view_of_one_project(client, app):
    result = call(client, app, "pj-trainers.children", {"url.search": "?project=UGA-A-01"})
    assert result["pj-title.children"] == "Alpha Uganda savings"
    table = json.dumps(result["pj-trainers.children"])
    # FO-2's only group (G3) is no longer active: FO-1 alone, its id whole, with its groups
    # one click away; none of its figures passes a rule (tests/test_trainers.py)
    assert re.findall(r'"index": "([^"]+)"', table) == ["UGA-A-01/FO-1"] * 2  # (table, card)
    assert '"children": "FO-1"' in table
    assert "Why:" not in table
    assert "Alpha Aid: 1 trainer, 0 flagged" in result["pj-trainers-caption.children"]
    assert "Partner One" in json.dumps(result["pj-profile.children"])


def test_compare_ranks_against_peers(client, app):
    result = call(
        client, app, "cmp-table.children", {"url.search": "?compare=organisation&pick=Alpha%20Aid"}
    )
    assert result["cmp-pick.value"] == ["Alpha Aid"]
    table = json.dumps(result["cmp-table.children"])
    assert "Peers' median" in table and "Alpha Aid" in table


def test_data_table_and_csv_equal_vsla_indicators(client, app, hand_pool_path, engine):
    result = call(client, app, "data-table.rowData", {"url.search": "?table=country"})
    rows = {r["name"]: r for r in result["data-table.rowData"]}
    assert rows["Uganda"]["members"] == 72
    download = call(
        client,
        app,
        "data-download.data",
        {"data-csv.n_clicks": 1, "url.search": "?table=country&tag=refugee"},
        changed=["data-csv.n_clicks"],
    )["data-download.data"]
    assert download["filename"].startswith("indicators_by-country_")
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard.cli",
            "indicators",
            "--db",
            str(hand_pool_path),
            "--by",
            "country",
            "--tag",
            "refugee",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert download["content"] == cli.stdout
    expected = compute(engine, Filters(tag=("refugee",)), "country")
    assert download["content"] == rows_to_csv(expected, "country")


def test_lines_and_boxes_by_country_name_countries_and_drill_by_code(client, app):
    result = call(client, app, '"or-members"', {"url.search": "?by=country"})
    traces = chart(result, "or-members")["data"]
    assert {t["name"] for t in traces} == {"Burundi", "Kenya", "Uganda"}
    uganda = next(t for t in traces if t["name"] == "Uganda")
    assert uganda["customdata"][0] == ["country=UGA"]
    result = call(
        client, app, "pf-savings_per_member_usd-value.children", {"url.search": "?by=country"}
    )
    pooled = chart(result, "pf-savings_per_member_usd")["data"][1]
    assert pooled["y"][0] == "Network" and pooled["customdata"][0][0] == ""
    drills = dict(zip(pooled["y"], (c[0] for c in pooled["customdata"]), strict=True))
    assert drills["Kenya"] == "country=KEN"


def test_a_future_as_of_falls_back_to_the_latest_data(client, app):
    notices = json.dumps(sync(client, app, "?as_of=9999-12-31")["notices.children"])
    assert "as_of=9999-12-31" in notices and "2025-09-30" in notices
    assert tiles(overview(client, app, "?as_of=9999-12-31"))["members"] == "125"


def test_a_project_in_the_link_stays_chosen_whatever_the_country(client, app):
    result = call(
        client, app, "pj-trainers.children", {"url.search": "?country=UGA&project=KEN-A-01"}
    )
    assert result["pj-choose.value"] == "KEN-A-01"
    assert "KEN-A-01" in {o["value"] for o in result["pj-choose.options"]}


def test_overview_trend_bands_are_labelled_and_drill_to_their_organisation(client, app):
    figure = chart(overview(client, app, ""), "ov-trend")
    assert figure["layout"]["hovermode"] == "closest"  # a click picks the band under it
    assert {a["text"] for a in figure["layout"]["annotations"]} == {"Alpha Aid", "Beta Relief"}
    drills = {t["name"]: t["customdata"][0][0] for t in figure["data"]}
    assert drills == {
        "Alpha Aid": "organisation=Alpha Aid",
        "Beta Relief": "organisation=Beta Relief",
    }


def test_compare_says_what_it_left_out_and_ranks_only_directed_indicators(client, app):
    result = call(
        client,
        app,
        "cmp-table.children",
        {"url.search": "?compare=organisation&pick=Alpha%20Aid&pick=Nobody"},
    )
    assert "Not among the peers in scope: Nobody" in result["cmp-dots-subtitle.children"]
    labels = set(arr(chart(result, "cmp-dots")["data"][0]["y"]))
    assert "Members" in labels and "Men" not in labels  # men: no better direction
    assert "Men" in json.dumps(result["cmp-table.children"])


def test_a_phone_gets_the_countries_ranked_where_the_map_is_too_small(client, app):
    """The map's card shows on wider screens, the ranked bars on a phone: the same
    members, the same click to narrow to a country; a deck or workbook has the map alone."""
    from dashboard.exports import deck
    from dashboard.web.pages import overview as page

    result = overview(client, app, "")
    bars = chart(result, "ov-countries")["data"][0]
    members = dict(zip(bars["y"], arr(bars["x"]), strict=True))
    assert members == {"Burundi": 25, "Kenya": 28, "Uganda": 72}
    assert sorted(c[0] for c in bars["customdata"]) == [
        "country=BDI",
        "country=KEN",
        "country=UGA",
    ]
    cards = {c.id: c for c in page.PAGE.charts}
    assert cards["ov-map"].only == "wide" and cards["ov-countries"].only == "phone"
    layout = repr(page.layout())  # (Bootstrap's classes: hidden from md up, shown from md up)
    assert "className='mb-4 d-md-none'" in layout
    assert "className='mb-4 d-none d-md-block'" in layout
    assert list(deck.file_content(page, "").charts) == ["ov-map", "ov-trend"]


def test_the_themes_sentence_skips_the_indicator_the_bands_are_made_of():
    """Women only 100% against mixed 56% is what the women's bands are: the sentence names
    what else differs most (attendance 0.95 against 0.80: 17% of their mean)."""
    from dashboard.views.figures.grids import Panel
    from dashboard.web.pages import themes

    values = {
        "groups": [10, 20],
        "pct_women": [1.0, 0.56],
        "savings_per_member_usd": [30.0, 31.0],
        "annualised_return_on_assets": [0.29, 0.29],
        "attendance_rate": [0.95, 0.80],
        "dropout_rate": [0.036, 0.036],
        "portfolio_at_risk": [0.037, 0.038],
    }
    panels = [Panel(p, "pct", values[p]) for p in themes.PANELS]
    names = list(themes.PANELS)
    labels = ["Women only", "Mixed"]
    assert themes.difference(labels, panels, names, "USD").startswith("pct_women differs most")
    sentence = themes.difference(labels, panels, names, "USD", themes.DEFINED_BY["women_band"])
    assert sentence == ("attendance_rate differs most: Women only 95%, against 80% for Mixed.")
