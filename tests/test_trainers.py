"""The trainer report (dashboard/analytics/trainers.py): its flag rules worked out by hand on small
frames, then the report on the hand-computed pool (tests/fixtures/hand_pool), its access
rules, its files and its page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pytest import approx

from dashboard.analytics import trainers
from dashboard.analytics.trainers import Flag, flags_of, in_bad_quarter, quartiles, ranked

# --- The rules, by hand --------------------------------------------------------------------

# An organisation of ten groups: trainer A's five, trainer B's five.
ATTENDANCE = {"A": [0.5, 0.6, 0.7, 0.9, 0.95], "B": [0.8, 0.85, 0.9, 0.92, 1.0]}
DROPOUT = {"A": [0.0, 0.0, 0.02, 0.2, 0.3], "B": [0.25, 0.22, 0.21, 0.0, 0.01]}


def organisation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trainer": ["A"] * 5 + ["B"] * 5,
            "attendance_rate": ATTENDANCE["A"] + ATTENDANCE["B"],
            "dropout_rate": DROPOUT["A"] + DROPOUT["B"],
        }
    )


def test_quartiles_of_the_organisations_groups():
    # attendance sorted: .5 .6 .7 .8 .85 .9 .9 .92 .95 1.0; q1 at rank 0.25 * 9 = 2.25:
    # .7 + .25 * (.8 - .7) = .725; q3 at rank 6.75: .9 + .75 * (.92 - .9) = .915
    # dropout sorted: 0 0 0 .01 .02 .2 .21 .22 .25 .3; q1 at 2.25: 0 + .25 * .01 = .0025;
    # q3 at 6.75:
    # .21 + .75 * (.22 - .21) = .2175
    bounds = quartiles(organisation())
    assert bounds["attendance_rate"] == approx((0.725, 0.915))
    assert bounds["dropout_rate"] == approx((0.0025, 0.2175))
    assert "portfolio_at_risk" not in bounds  # (no column)
    assert quartiles(organisation(), least=11) == {}  # too few groups: no quartiles


def test_groups_in_the_bad_quarter_per_trainer():
    counts = in_bad_quarter(organisation(), quartiles(organisation()))
    # attendance below .725: A's .5 .6 .7 (3 of 5), none of B's
    assert counts["A"]["attendance_rate"] == (3, 5)
    assert counts["B"]["attendance_rate"] == (0, 5)
    # dropout above .2175: A's .3 (1 of 5); B's .25 and .22 (2 of 5)
    assert counts["A"]["dropout_rate"] == (1, 5)
    assert counts["B"]["dropout_rate"] == (2, 5)


def test_half_of_the_groups_in_the_bad_quarter_flags_the_trainer():
    bounds = quartiles(organisation())
    counts = in_bad_quarter(organisation(), bounds)
    a = {"attendance_rate": 0.73, "dropout_rate": 0.104}
    b = {"attendance_rate": 0.894, "dropout_rate": 0.138}
    # without the reference values: A has 3 of 5 groups below q1 on attendance; B 2 of 5
    # above q3 on dropout (under half)
    flags = flags_of(a, bounds, counts["A"], references={})
    assert flags == [Flag("quartile", "attendance_rate", 0.73, approx(0.725), 3, 5)]
    assert flags[0].reason == (
        "attendance 73.0%: 3 of 5 groups in the organisation's bottom quarter (below 72.5%)"
    )
    assert flags[0].label == "Low attendance"
    assert flags_of(b, bounds, counts["B"], references={}) == []
    # five groups with a value are needed
    assert flags_of(a, bounds, counts["A"], references={}, least=6) == []


def test_reference_values_come_first_and_once_per_figure():
    bounds = quartiles(organisation())
    counts = in_bad_quarter(organisation(), bounds)
    # A's attendance 73% is under the reference of 80%: that flag replaces the quartile's;
    # B's dropout 13.8% is over the reference of 10%
    a = flags_of({"attendance_rate": 0.73}, bounds, counts["A"])
    assert a == [Flag("reference", "attendance_rate", 0.73, 0.80)]
    assert a[0].reason == "attendance 73.0%, below the reference of 80.0%"
    b = flags_of({"dropout_rate": 0.138, "portfolio_at_risk": 0.1}, bounds, counts["B"])
    assert [f.reason for f in b] == ["dropout 13.8%, above the reference of 10.0%"]
    # (a PAR of exactly 10% is not over the reference)
    idle = flags_of({"loan_fund_utilisation": 0.0}, {}, {})
    assert [f.reason for f in idle] == ["loan fund utilisation 0.0%, below the reference of 50.0%"]
    assert idle[0].label == "Idle loan fund"


def test_old_data_is_flagged_past_two_quarters():
    assert flags_of({"newest_data_days": 183}, {}, {}) == []
    old = flags_of({"newest_data_days": 184}, {}, {})
    assert old == [Flag("stale", "data_age_days", 184, 183)]
    assert old[0].reason == "newest data 184 days old, older than two quarters (183 days)"
    assert old[0].label == "Old data"


def test_growth_is_written_with_its_sign():
    groups = pd.DataFrame(
        {
            "trainer": ["A"] * 5 + ["B"] * 5,
            "savings_per_member_growth": [-0.4, -0.3, -0.2, -0.25, 0.1, 0.1, 0.2, 0.05, 0.0, 0.3],
        }
    )
    bounds = quartiles(groups)
    # sorted: -.4 -.3 -.25 -.2 0 .05 .1 .1 .2 .3; q1 at 2.25: -.25 + .25 * .05 = -.2375;
    # A's -.4 -.3 -.25 below it (3 of 5)
    assert bounds["savings_per_member_growth"][0] == approx(-0.2375)
    counts = in_bad_quarter(groups, bounds)
    flags = flags_of({"savings_per_member_growth": -0.21}, bounds, counts["A"])
    assert flags[0].reason == (
        "savings per member -21.0% on a year earlier: 3 of 5 groups in the organisation's "
        "bottom quarter (below -23.8%)"
    )


def test_ranked_by_need_then_size():
    rows = [
        {"trainer_id": "small-ok", "flags": [], "groups": 3, "members": 60},
        {"trainer_id": "big-ok", "flags": [], "groups": 9, "members": 200},
        {"trainer_id": "one-flag", "flags": [1], "groups": 2, "members": 40},
        {"trainer_id": "two-flags", "flags": [1, 2], "groups": 1, "members": 20},
        {"trainer_id": "one-flag-big", "flags": [1], "groups": 2, "members": 50},
    ]
    assert [r["trainer_id"] for r in ranked(rows)] == [
        "two-flags",
        "one-flag-big",
        "one-flag",
        "big-ok",
        "small-ok",
    ]


def test_last_four_quarters():
    assert trainers.last_quarters(date(2025, 9, 30)) == (
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
    )
    assert trainers.last_quarters(date(2025, 8, 15)) == (
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 8, 15),
    )


def test_sparkline_is_an_svg_of_the_values():
    uri = trainers.sparkline([1.0, None, 3.0, 2.0])
    assert uri.startswith("data:image/svg+xml;utf8,")
    assert "polyline" in uri
    assert trainers.sparkline([None, None]) == ""
    with pytest.raises(TypeError):
        trainers.sparkline(["x"])  # type: ignore[list-item]


# --- The report on the hand pool (tests/fixtures/hand_pool), by hand -----------------------
#
# As of 2025-09-30 (money in USD at each report's year: UGX 3,700 in 2024, 3,800 in 2025):
#   UGA-A-01/FO-1: G1 (2025-09-10: 25 members, 20 attending, 1 dropout of 20 at start,
#     savings USD 1,000, loans 600, late 60, loan fund cash 500) and G2 (2024-12-15: 15, 12,
#     0 of 15, savings 500, loans 300, late 0, cash 250); neither graduated.
#   KEN-A-01/VA-1: G4 (28 members, all attending, 2 dropouts of 30, loans KES 52,000 of which
#     13,000 late, cash 26,000): portfolio at risk 25%, over the reference of 10%.
#   UGA-B-01/FO-9: G5 and G6 (graduated); BDI-B-01/FO-5: G7 (graduated, no loan: its loan fund
#     all cash, utilisation 0%, under the reference of 50%).
# No organisation has the 8 groups that quartiles need: only the reference values and the age
# of the data flag here (the quartiles are worked out above, and on the pool below).


@pytest.fixture
def hand(hand_app):
    """Code acting as someone on the hand pool (the web app's pool, its caches)."""
    from dashboard.access.policy import Viewer
    from dashboard.access.viewer import acting_as

    def run(who: Viewer, search: str = "") -> trainers.Report:
        from dashboard.views.view import read_view

        with acting_as(who):
            return trainers.report(read_view(search))

    return run


def viewer(role: str, organisation: str | None = None):
    from dashboard.access.policy import ADMIN, Viewer

    return ADMIN if role == "admin" else Viewer(role, organisation)


def test_the_hand_pool_by_hand(hand):
    rows = hand(viewer("admin"), "?organisation=Alpha+Aid").rows
    assert [r["trainer_id"] for r in rows] == ["VA-1", "FO-1"]  # the flagged one first
    va1, fo1 = rows
    assert va1["reasons"] == "portfolio at risk 25.0%, above the reference of 10.0%"
    assert va1["flag_labels"] == "Loans at risk"
    assert (fo1["groups"], fo1["members"]) == (2, 40)
    assert fo1["savings_per_member"] == approx(1500 / 40)
    assert fo1["pct_women"] == approx(35 / 40)
    assert fo1["attendance_rate"] == approx(32 / 40)
    assert fo1["dropout_rate"] == approx(1 / 35)
    assert fo1["loan_fund_utilisation"] == approx(900 / 1650)
    assert fo1["portfolio_at_risk"] == approx(60 / 900)
    assert fo1["pct_graduated"] == 0
    assert fo1["newest_data_days"] == 20  # G1, 2025-09-10
    assert fo1["flags"] == []  # PAR 6.7% and utilisation 55% pass; no quartiles of 3 groups

    beta = {r["trainer_id"]: r for r in hand(viewer("admin"), "?organisation=Beta+Relief").rows}
    assert beta["FO-5"]["reasons"] == "loan fund utilisation 0.0%, below the reference of 50.0%"
    assert beta["FO-5"]["pct_graduated"] == 1
    assert beta["FO-9"]["pct_graduated"] == 0.5  # G6 of G5 and G6
    assert beta["FO-9"]["newest_data_days"] == 5  # G6, 2025-09-25
    assert beta["FO-9"]["flags"] == []


def test_old_data_on_the_hand_pool(hand):
    # as of 2025-06-30 FO-2's only group, G3, last reported on 2024-09-30: 273 days
    rows = hand(viewer("admin"), "?project=UGA-A-01&as_of=2025-06-30").rows
    fo2 = next(r for r in rows if r["trainer_id"] == "FO-2")
    assert fo2["newest_data_days"] == 273
    assert fo2["reasons"] == "newest data 273 days old, older than two quarters (183 days)"
    assert rows[0] is fo2
    fo1 = next(r for r in rows if r["trainer_id"] == "FO-1")
    assert fo1["newest_data_days"] == 15 and fo1["flags"] == []  # G1, 2025-06-15


def test_a_member_sees_its_own_organisation_without_choosing(hand):
    mine = hand(viewer("member", "Alpha Aid"))
    assert mine.listed and mine.organisations == ("Alpha Aid",)
    assert {r["trainer"] for r in mine.rows} == {"UGA-A-01/FO-1", "KEN-A-01/VA-1"}
    beta = hand(viewer("member", "Beta Relief"))
    assert {r["trainer"] for r in beta.rows} == {"UGA-B-01/FO-9", "BDI-B-01/FO-5"}


@pytest.mark.parametrize(
    "search",
    [
        "?organisation=Beta+Relief",
        "?project=BDI-B-01",  # Beta's shared project
        "?project=UGA-B-01",  # Beta's private project
        "?project=BDI-B-01&organisation=Beta+Relief&country=BDI",
        "?project=UGA-A-01&project=BDI-B-01",
    ],
)
def test_another_organisations_trainers_are_never_listed(hand, search):
    rows = hand(viewer("member", "Alpha Aid"), search).rows
    assert all(r["organisation"] == "Alpha Aid" for r in rows)
    assert not any(r["project_id"].startswith(("UGA-B", "BDI-B")) for r in rows)


@pytest.mark.parametrize("search", ["", "?project=UGA-A-01", "?organisation=Alpha+Aid"])
def test_a_guest_sees_no_trainer(hand, search):
    assert hand(viewer("guest"), search).rows == []


def test_a_guests_caption_counts_nothing(hand_app):
    """A guest's empty report is captioned by the rule, not by a count of someone's trainers
    ("your organisation: 0 trainers" read as if the guest had one)."""
    from dashboard.access.viewer import acting_as
    from dashboard.views.view import read_view
    from dashboard.web.pages import projects

    with acting_as(viewer("guest")):
        view = read_view("?organisation=Alpha+Aid")
        caption = projects.trainer_caption(view, trainers.report(view))
    assert caption == "Trainers are shown to their own organisation only."


def test_a_trainers_groups_are_for_its_own_organisation(hand_app):
    from dashboard.access.viewer import acting_as
    from dashboard.views.view import read_view

    with acting_as(viewer("member", "Alpha Aid")):
        view = read_view("")
        groups = trainers.trainer_group_rows(view, "UGA-A-01/FO-1")
        assert [g["group_id"] for g in groups] == ["G1", "G2"]  # newest data first
        assert groups[0]["attendance_rate"] == approx(20 / 25)
        assert trainers.trainer_group_rows(view, "BDI-B-01/FO-5") == []
        assert trainers.trainer_group_rows(read_view("?project=UGA-B-01"), "UGA-B-01/FO-9") == []
    with acting_as(viewer("guest")):
        assert trainers.trainer_group_rows(read_view(""), "UGA-A-01/FO-1") == []


def open_groups(client, trainer: str, search: str = "") -> dict:
    """A trainer's button clicked, as the browser posts it."""
    import json

    key = {"index": trainer, "type": "pj-trainer-open"}
    payload = {
        "output": "..pj-trainer-groups.is_open...pj-trainer-groups-title.children..."
        "pj-trainer-groups-body.children..",
        "outputs": [
            {"id": "pj-trainer-groups", "property": "is_open"},
            {"id": "pj-trainer-groups-title", "property": "children"},
            {"id": "pj-trainer-groups-body", "property": "children"},
        ],
        "inputs": [[{"id": key, "property": "n_clicks", "value": 1}]],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": [json.dumps(key, separators=(",", ":")) + ".n_clicks"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def test_a_trainers_groups_open_in_one_click_for_its_own_organisation(hand_app):
    import json

    from tests.conftest import login

    alpha = hand_app.server.test_client()
    assert login(alpha, "alpha").status_code == 303
    mine = open_groups(alpha, "UGA-A-01/FO-1")
    assert mine["pj-trainer-groups-title"]["children"] == "Groups of FO-1: 2"
    body = json.dumps(mine["pj-trainer-groups-body"]["children"])
    assert "Group One" in body and "Group Two" in body
    # another organisation's trainer, named in the click: nothing of it
    theirs = open_groups(alpha, "UGA-B-01/FO-9", "?project=UGA-B-01")
    assert theirs["pj-trainer-groups-title"]["children"] == "Groups of FO-9: 0"
    assert "Group Five" not in json.dumps(theirs)
    guest = open_groups(hand_app.server.test_client(), "UGA-A-01/FO-1")
    assert "Group One" not in json.dumps(guest)


# --- The files ---------------------------------------------------------------------------


def test_the_files_carry_the_flags_and_their_reasons(admin_client):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.test_exports import table_export

    _name, data = table_export(admin_client, "pj-trainers", "csv", "?organisation=Alpha+Aid")
    lines = data.decode().splitlines()
    assert lines[0] == "# Trainers"
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert [r["Trainer"] for r in rows] == ["VA-1", "FO-1"]
    assert rows[0]["Needs a look"] == "Loans at risk"
    assert rows[0]["Why"] == "portfolio at risk 25.0%, above the reference of 10.0%"
    assert rows[1]["Needs a look"] == "" and rows[1]["Groups"] == "2"
    assert rows[1]["Newest data (days old)"] == "20"

    _name, data = table_export(admin_client, "pj-trainers", "xlsx", "?organisation=Beta+Relief")
    sheet = load_workbook(io.BytesIO(data))["Trainers"]
    header = [c.value for c in sheet[5]]
    assert header[:4] == ["Trainer", "Project", "Needs a look", "Why"]
    first = [c.value for c in sheet[6]]
    assert first[0] == "FO-5"
    assert first[3] == "loan fund utilisation 0.0%, below the reference of 50.0%"


@pytest.mark.parametrize(
    ("lang", "header", "reason"),
    [
        ("da", "Hvorfor", "risikoporteføljen 25,0\xa0%, over referenceværdien på 10,0\xa0%"),
        ("fr", "Pourquoi", "portefeuille à risque 25,0\xa0%, au-dessus de la valeur de référence"),
    ],
)
def test_the_files_speak_the_links_language(admin_client, lang, header, reason):
    from tests.test_exports import table_export

    _name, data = table_export(
        admin_client, "pj-trainers", "csv", f"?organisation=Alpha+Aid&lang={lang}"
    )
    text = data.decode()
    assert header in text and reason in text


# --- The annex of the performance report ---------------------------------------------------


def test_the_report_has_the_trainers_annex_for_the_organisations_own(hand_app):
    from tests.conftest import login

    alpha = hand_app.server.test_client()
    assert login(alpha, "alpha").status_code == 303
    page = alpha.get("/report/print").get_data(as_text=True)
    annex = page[page.index("Annex: trainers of Alpha Aid") :]
    assert annex.index("VA-1") < annex.index("FO-1")  # ranked by need
    assert "portfolio at risk 25.0%, above the reference of 10.0%" in annex
    # another organisation's project named in the link: its report, no trainer of it
    theirs = alpha.get("/report/print?project=BDI-B-01").get_data(as_text=True)
    assert "Annex" not in theirs and "FO-5" not in theirs
    guest = hand_app.server.test_client().get("/report/print?project=UGA-A-01")
    assert "Annex" not in guest.get_data(as_text=True)
    danish = alpha.get("/report/print?lang=da").get_data(as_text=True)
    assert "Bilag: trænere hos Alpha Aid" in danish
    assert "risikoporteføljen 25,0\xa0%, over referenceværdien på 10,0\xa0%" in danish
