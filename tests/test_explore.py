"""The indicator explorer (/explore, issue 32) on the hand-computed pool: its link read as
hostile, each line the place's own figures within the theme filters (worked out by hand from
tests/fixtures/hand_pool), the finding in words, what a guest and a member may choose and
see, the table and its file, and the page's callbacks through the real Dash endpoint.

Savings per member as of 30 Sep 2025 (USD, each active group's latest dataset): G1 1,000 of
25 members (UGX 3.8M at 3,800), G2 500 of 15 (UGX 1.85M at 3,700 in 2024), G4 500 of 28
(KES 65,000 at 130), G5 400 of 20, G6 600 of 12, G7 1,000 of 25 (BIF 2.9M at 2,900); G3 is
inactive (its dataset exactly 365 days old). Alpha Aid (G1, G2, G4): 2,000 / 68 = 29.41;
Beta Relief (G5-G7): 2,000 / 57 = 35.09; Uganda (G1, G2, G5, G6): 2,500 / 72 = 34.72; the
network: 4,000 / 125 = 32. As of 30 Jun 2025 Alpha Aid had G1 (500 of 22), G2 and G3 (1,000
of 20): 2,000 / 57 = 35.09."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from pytest import approx

from dashboard.access.policy import ADMIN, GUEST, Viewer
from dashboard.access.viewer import acting_as
from dashboard.analytics import datasource
from dashboard.core.urlstate import DEFAULT_INDICATOR, parse_search
from dashboard.exports import tables
from dashboard.pool import db
from dashboard.views import explore
from dashboard.views.explore import NETWORK, Explore
from dashboard.views.view import read_view
from tests.conftest import login
from tests.dash_client import call, chart

BETA = Viewer("member", "Beta Relief", "beta")
THREE = "?organisation=Alpha%20Aid&organisation=Beta%20Relief&country=UGA"


@pytest.fixture
def hand(hand_pool_path, monkeypatch):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    datasource.clear_cache()
    yield
    db.reset()
    datasource.clear_cache()


def at(data: Explore, entity: str, day: date) -> float | None:
    rows = data.series[(data.series["entity"] == entity) & (data.series["as_of"] == day)]
    value = rows["value"].iloc[0] if not rows.empty else None
    return None if value is None or pd.isna(value) else float(value)


# --- The link -----------------------------------------------------------------------------


def test_the_link_holds_the_explorers_view_and_drops_what_it_cannot_use():
    state = parse_search("?indicator=COST_PER_MEMBER_USD&tab=map&show=change&network=off")
    assert (state.indicator, state.tab, state.show, state.network) == (
        "cost_per_member_usd",
        "map",
        "change",
        "off",
    )
    assert state.search() == "?indicator=cost_per_member_usd&tab=map&show=change&network=off"
    # the defaults are left out of a link, and a page's link keeps them out
    assert parse_search("").search() == ""
    assert parse_search(f"?indicator={DEFAULT_INDICATOR}&tab=chart").search() == ""
    hostile = parse_search(
        "?indicator=%3Cscript%3Ealert(1)%3C/script%3E&tab=evil&show=1&network=no"
    )
    said = " ".join(hostile.notices)
    assert "Ignored indicator='<script>alert(1)</script>': there is no such indicator" in said
    assert "Ignored tab='evil'" in said and "Ignored show='1'" in said
    assert "Ignored network='no'" in said
    assert (hostile.indicator, hostile.tab, hostile.show, hostile.network) == (
        DEFAULT_INDICATOR,
        "chart",
        "value",
        "on",
    )


def test_the_search_box_is_read_as_hostile():
    places, network = explore.parse_entities(
        [
            "organisation:Alpha Aid",
            "organisation:Alpha Aid",  # (twice: once)
            "country:UGA",
            "project:UGA-A-01",
            "network",
            "colour:red",  # no such kind
            "organisation:",  # no name
            "organisation:" + "x" * 300,  # too long
            17,
            None,
            {"kind": "country"},
        ]
    )
    assert places == {
        "organisation": ("Alpha Aid",),
        "project": ("UGA-A-01",),
        "country": ("UGA",),
    }
    assert network
    assert explore.parse_entities(["country:KEN"]) == (
        {"organisation": (), "project": (), "country": ("KEN",)},
        False,
    )


# --- The lines ------------------------------------------------------------------------------


def test_each_line_is_the_places_own_figure_and_the_network_the_pages(hand):
    with acting_as(ADMIN):
        data = Explore(read_view(THREE))
        data.series  # noqa: B018 (read)
        names = [(e.kind, e.name) for e in data.entities]
        assert names == [
            ("organisation", "Alpha Aid"),
            ("organisation", "Beta Relief"),
            ("country", "Uganda"),
            (NETWORK, "Network"),
        ]
        q3, q2 = date(2025, 9, 30), date(2025, 6, 30)
        assert at(data, "organisation:Alpha Aid", q3) == approx(2000 / 68)
        assert at(data, "organisation:Beta Relief", q3) == approx(2000 / 57)
        assert at(data, "country:UGA", q3) == approx(2500 / 72)
        assert at(data, NETWORK, q3) == approx(32)
        assert at(data, "organisation:Alpha Aid", q2) == approx(2000 / 57)
        # the explorer's network is the pages' network: the same figure as /performance's
        network = datasource.indicators(data.filters.network)
        assert network["savings_per_member_usd"].iloc[0] == approx(32)
        # each line is computed within the theme filters: rural groups alone (G1; G5, G6),
        # every point kept (points=all: one group is too few for a trend otherwise)
        rural = Explore(read_view(THREE + "&setting=rural&points=all"))
        assert at(rural, "organisation:Alpha Aid", q3) == approx(1000 / 25)
        assert at(rural, "organisation:Beta Relief", q3) == approx(1000 / 32)
        assert at(rural, NETWORK, q3) == approx(2000 / 57)


def test_the_change_since_the_first_quarter_and_the_network_line_removed(hand):
    with acting_as(ADMIN):
        data = Explore(read_view("?organisation=Alpha%20Aid&show=change&network=off"))
        assert [e.value for e in data.entities] == ["organisation:Alpha Aid"]
        changes = data.changes.set_index("as_of")["value"]
        # Alpha Aid's first point drawn is 31 Dec 2024 (G2 and G3: 1,500 / 35 = 42.86)
        first = 1500 / 35
        assert changes[date(2024, 12, 31)] == approx(0)
        assert changes[date(2025, 9, 30)] == approx((2000 / 68) / first - 1)
        shares = Explore(read_view("?organisation=Alpha%20Aid&indicator=pct_women&show=change"))
        # a share changes in points: G2 and G3 (25 women of 35), then G1, G2, G4 (49 of 68)
        alpha = shares.changes[shares.changes["entity"] == "organisation:Alpha Aid"]
        last = alpha.set_index("as_of")["value"][date(2025, 9, 30)]
        assert last == approx((49 / 68 - 25 / 35) * 100)  # (percentage points)


def test_the_finding_names_who_changed_most_in_the_good_direction():
    def series(lines: dict[str, tuple[float, float]]) -> pd.DataFrame:
        rows = []
        for entity, (before, after) in lines.items():
            name = "Network" if entity == NETWORK else entity
            for day, value in ((date(2024, 3, 31), before), (date(2025, 3, 31), after)):
                rows.append({"entity": entity, "name": name, "as_of": day, "value": value})
        return pd.DataFrame(rows)

    savings = series({"A": (10, 11.8), "B": (10, 10.5), NETWORK: (10, 11)})
    assert (
        explore.finding(savings, "Savings per member", "usd", 1, "USD")
        == "Savings per member rose fastest for A (+18%) since 2024Q1"
    )
    cost = series({"A": (20, 17.6), "B": (20, 19)})
    assert (
        explore.finding(cost, "Cost per member", "usd", -1, "USD")
        == "Cost per member fell fastest for A (-12%) since 2024Q1"
    )
    falling = series({"A": (10, 9.5), "B": (10, 8)})
    assert (
        explore.finding(falling, "Savings per member", "usd", 1, "USD")
        == "Savings per member fell least for A (-5.0%) since 2024Q1"
    )
    one = series({"A": (10, 11.8), NETWORK: (10, 11)})
    assert (
        explore.finding(one, "Savings per member", "usd", 1, "USD")
        == "Savings per member of A rose 18% since 2024Q1 to USD 11.80"
    )
    alone = series({NETWORK: (10, 9)})
    assert (
        explore.finding(alone, "Savings per member", "usd", 1, "USD")
        == "Savings per member of the network fell 10% since 2024Q1 to USD 9.00"
    )
    shares = series({"A": (0.70, 0.75), "B": (0.70, 0.71)})
    assert (
        explore.finding(shares, "Women (share)", "pct", 1, "USD")
        == "Women (share) rose fastest for A (+5.0 pp) since 2024Q1"
    )
    # a line that begins later: the change of each since the first quarter all of them have
    late = pd.concat(
        [
            savings[savings["entity"] != "B"],
            pd.DataFrame([{"entity": "B", "name": "B", "as_of": date(2025, 3, 31), "value": 9}]),
        ]
    )
    assert explore.finding(late, "Savings per member", "usd", 1, "USD") == "Savings per member"
    # the most moved within the pages' tolerance (2%): no news
    flat = series({"A": (10, 10.1), "B": (10, 10.05)})
    assert (
        explore.finding(flat, "Savings per member", "usd", 1, "USD")
        == "Savings per member changed little for every line since 2024Q1"
    )
    empty = savings.assign(value=None)
    assert explore.finding(empty, "Savings per member", "usd", 1, "USD") == "Savings per member"


def test_the_charts_words_state_the_finding_and_the_map_shows_every_country(hand):
    with acting_as(ADMIN):
        data = Explore(read_view("?organisation=Alpha%20Aid&indicator=savings_per_member_usd"))
        charts = {cid: spec.chart(data) for cid, spec in (("c", explore.CHART), ("m", explore.MAP))}
    line = charts["c"]
    # Alpha Aid from 31 Dec 2024 (42.86) to 30 Sep 2025 (29.41): -31%
    assert line.title == "Savings per member of Alpha Aid fell 31% since 2024Q4 to USD 29.41"
    assert line.subtitle == "Savings per member, USD, at each quarter end: Alpha Aid, Network"
    assert "Points resting on fewer than" in line.caption and "Source" in line.caption
    names = [t.name for t in line.figure.data]
    assert names == ["Alpha Aid", "Network"]
    ends = [a.text for a in line.figure.layout.annotations if (a.name or "").startswith("end")]
    assert "Alpha Aid<br>USD 29.41" in ends and "Network<br>USD 32.00" in ends
    world = charts["m"]
    assert world.title == "Savings per member by country"
    (choropleth,) = [t for t in world.figure.data if t.type == "choropleth"]
    by_country = dict(zip(choropleth.locations, choropleth.z, strict=True))
    # Burundi: G7 (1,000 of 25); Kenya: G4 (500 of 28); Uganda: 2,500 of 72
    assert by_country == approx({"BDI": 40.0, "KEN": 500 / 28, "UGA": 2500 / 72})
    assert "Points resting" not in world.caption  # (a map has no trend)


# --- Access -------------------------------------------------------------------------------


def test_a_guest_chooses_among_what_a_guest_may_see(hand):
    with acting_as(GUEST):
        view = read_view("?project=UGA-B-01&organisation=Alpha%20Aid")
        offered = [o["value"] for o in explore.every_entity(view)]
        # Beta Relief's Ugandan project is not shared: not offered, and a link naming it
        # draws nothing of it, saying so
        assert "project:UGA-B-01" not in offered
        assert {"network", "organisation:Alpha Aid", "project:BDI-B-01"} <= set(offered)
        assert any("project='UGA-B-01'" in n for n in view.notices)
        data = Explore(view)
        assert [e.name for e in data.entities] == ["Alpha Aid", "Network"]
        # Alpha Aid's three groups are too few for a guest: no line, said in the caption
        assert data.series["value"].isna().all()
        assert "No value to draw for Alpha Aid, Network" in data.caption
        assert data.finding == "Savings per member"


def test_a_member_is_offered_its_own_organisation_first(hand):
    with acting_as(BETA):
        offered = [o["value"] for o in explore.every_entity(read_view(""))]
        assert offered[:3] == ["network", "organisation:Beta Relief", "organisation:Alpha Aid"]
        data = Explore(read_view(THREE))
        # its own groups exact; another organisation's three too few to show
        assert at(data, "organisation:Beta Relief", date(2025, 9, 30)) == approx(2000 / 57)
        assert at(data, "organisation:Alpha Aid", date(2025, 9, 30)) is None


# --- The table, its file, and the page through the server ---------------------------------


def test_the_table_holds_the_lines_by_quarter_newest_first(hand):
    from dashboard.web.pages import explore as page

    with acting_as(ADMIN):
        entities, rows = explore.table_rows(Explore(read_view(THREE)))
        file = page.table_file(THREE)
    assert [e.name for e in entities] == ["Alpha Aid", "Beta Relief", "Uganda", "Network"]
    # (2024Q3: every line thin or without groups, no row)
    assert [r["quarter"] for r in rows] == ["2025Q3", "2025Q2", "2025Q1", "2024Q4"]
    newest = rows[0]
    assert newest["organisation:Alpha Aid"] == approx(2000 / 68)
    assert newest["country:UGA"] == approx(2500 / 72)
    assert rows[1]["organisation:Beta Relief"] is None  # (no group of Beta Relief yet)
    assert file.title == "Savings per member (USD)"
    assert [c[1] for c in file.columns] == [
        "Quarter",
        "Quarter end",
        "Alpha Aid",
        "Beta Relief",
        "Uganda",
        "Network",
    ]
    text = tables.table_csv(file).decode()
    assert "2025Q3,2025-09-30,29.41" in text.replace('"', "")
    book = openpyxl.load_workbook(io.BytesIO(tables.table_workbook(file, [])))
    sheet = book.worksheets[0]
    found = [[c.value for c in row] for row in sheet.iter_rows()]
    (newest_row,) = [row for row in found if row and row[0] == "2025Q3"]
    assert newest_row[1].date() == date(2025, 9, 30)
    assert newest_row[2:] == [29.41, 35.09, 34.72, 32]  # (rounded as the page shows them)


def test_the_page_draws_a_link_and_writes_the_search_box_into_it(hand_app):
    client = hand_app.server.test_client()
    assert login(client, "admin").status_code == 303
    search = THREE + "&indicator=savings_per_member_usd"
    result = call(client, hand_app, "ex-table.children", {"url.search": search})
    figure = chart(result, "ex-chart")
    names = {t["name"] for t in figure["data"]}
    assert names == {"Alpha Aid", "Beta Relief", "Uganda", "Network"}
    assert result["ex-entities.value"] == [
        "organisation:Alpha Aid",
        "organisation:Beta Relief",
        "country:UGA",
        "network",
    ]
    assert result["ex-panes.className"] == "ex-panes show-chart"
    assert (
        call(client, hand_app, "ex-table.children", {"url.search": "?tab=table"})[
            "ex-panes.className"
        ]
        == "ex-panes show-table"
    )
    # a country added and the network removed in the search box: the link says so
    written = call(
        client,
        hand_app,
        "url.search",
        {"ex-entities.value": ["organisation:Alpha Aid", "country:KEN"], "url.search": search},
        via="ex-entities.value",
    )
    assert written["url.search"] == (
        "?country=KEN&organisation=Alpha+Aid&network=off"  # (the default indicator unsaid)
    )
    # what is not a list of names is refused
    from tests.dash_client import request_body

    body = request_body(
        hand_app,
        "url.search",
        {"ex-entities.value": {"organisation": "x"}, "url.search": search},
        via="ex-entities.value",
    )
    assert client.post("/_dash-update-component", json=body).status_code == 400


def test_the_link_stays_as_it_is_when_the_page_sets_the_search_box(hand_app):
    """The page sets its search box from the link (its lines as drawn): that is no choice of
    the person's, and the link, with the notices of what it named that could not be drawn,
    stays as it is (a new link would also draw the page again)."""
    client = hand_app.server.test_client()
    assert login(client, "admin").status_code == 303
    search = "?organisation=Alpha%20Aid&project=NO-SUCH&bogus=1"
    written = call(
        client,
        hand_app,
        "url.search",
        {"ex-entities.value": ["organisation:Alpha Aid", "network"], "url.search": search},
        via="ex-entities.value",
    )
    assert "url.search" not in written


def test_leaving_the_explorer_its_lines_are_no_filter(hand_app):
    """On /explore the menu's links leave its lines behind (on the other pages the same
    parameters narrow every figure: Alpha Aid's groups in Burundi, none), and keep the
    theme filters, the date and the display options."""
    client = hand_app.server.test_client()
    search = "?country=BDI&organisation=Alpha+Aid&setting=rural&currency=DKK&tab=table"
    result = call(
        client,
        hand_app,
        "nav-overview.href",
        {"url.pathname": "/explore", "url.search": search},
    )
    assert result["nav-overview.href"] == "/?setting=rural&currency=DKK&tab=table"
    assert result["nav-explore.href"] == "/explore" + search
    # and from another page, its places open as lines
    result = call(
        client, hand_app, "nav-overview.href", {"url.pathname": "/", "url.search": search}
    )
    assert result["nav-explore.href"] == "/explore" + search


def test_each_line_is_its_page_for_that_place_alone(demo_pool_path, monkeypatch):
    """As a guest on the small demo pool, each organisation's and country's line holds what
    its page shows for that place alone, point for point: a breakdown of the network would
    blank some points to protect other places' small cells (complementary suppression)."""
    from dataclasses import replace

    from dashboard.views.figures.trends import steady

    monkeypatch.setenv("VSLA_DB", str(demo_pool_path))
    db.reset()
    datasource.clear_cache()
    try:
        with acting_as(GUEST):
            facts = datasource.facts()
            link = "&".join(
                [f"organisation={o}" for o in facts.organisations[:5]]
                + [f"country={c}" for c in facts.countries[:5]]
            )
            data = Explore(read_view("?" + link.replace(" ", "%20")))
            assert len(data.chosen) == 10
            compared = 0
            for entity in data.entities:
                page = datasource.indicators(
                    replace(data.base, **{entity.kind: (entity.key,)})
                    if entity.kind != NETWORK
                    else data.base,
                    over_time=True,
                )
                page, _need = steady(page, ["savings_per_member_usd"])
                line = data.series[data.series["entity"] == entity.value]
                expected = dict(zip(page["as_of"], page["savings_per_member_usd"], strict=True))
                for day, value in zip(line["as_of"], line["value"], strict=True):
                    want = expected.get(day)
                    if want is None or pd.isna(want):
                        assert pd.isna(value), (entity.name, day)
                    else:
                        assert value == approx(want), (entity.name, day)
                        compared += 1
            assert compared > 100
    finally:
        db.reset()
        datasource.clear_cache()
