"""The trainer report (dashboard/trainers.py): its flag rules worked out by hand on small
frames, then the report on the hand-computed pool (tests/fixtures/hand_pool), its access
rules, its files and its page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pytest import approx

from dashboard import trainers
from dashboard.trainers import Flag, flags_of, in_bad_quarter, quartiles, ranked

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
