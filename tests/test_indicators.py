"""Every indicator on the hand-computed pool (tests/fixtures/hand_pool).

The expected values are worked out on paper from the CSV files; the arithmetic is in the
comments. Money converts at the year of the report date: UGX 3,700/USD (2024), 3,800 (2025),
KES 130, BIF 2,900; UGA-B-01 reports in USD.

Per group, the dataset that counts as of D = 2025-09-30 (the pool's latest report date):
  G1 UGA-A-01 2025-09-10 fo  rural   refugee  m25 w20 y10 att20 drop1 start20  days 180
     savings 1000, loans 600 (10), late 60, cash 500, other 100, profit 100, assets 1200
  G2 UGA-A-01 2024-12-15 rep urban            m15 w15 y-  att12 drop0 start15  days 318
     savings 500, loans 300 (5), write-off 10, cash 250, property 50, profit 100, assets 600
  G3 UGA-A-01 2024-09-30: exactly 365 days before D, so G3 is not active as of D.
  G4 KEN-A-01 2025-09-30 va  peri    clim;ref m28 w14 y20 att28 drop2 start30  days 91
     savings 500, loans 400 (14), late 100, cash 200, other 100, debts 50, profit 50, assets 700
  G5 UGA-B-01 2025-09-20 fo  rural            m20 w16 y-  att19 drop0 start20  days 81 (<90)
     savings 400, loans 300 (8), late 30, cash 150, other 50, profit 50, assets 500
  G6 UGA-B-01 2025-09-25 rep rural            m12 w12 y12 att10 drop0 start10  days 236
     savings 600, loans 500 (6), cash 200, property 20 -> 30, profit 110, assets 730
  G7 BDI-B-01 2025-08-31 fo  urban            m25 w20 y-  att25 drop0 start25  days 242
     savings 1000, no loans, cash 1000, profit 0, assets 1000
Project reports as of D: UGA-A-01 2025-06-30 38,000,000 UGX = 10,000 USD, FO 2 VA 1;
KEN-A-01 1,300,000 KES = 10,000 USD, FO 1 VA 2; UGA-B-01 4,000 USD, FO 1 VA 0; BDI-B-01 none.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.analytics.engine import compute
from dashboard.core.filters import FilterError, Filters
from dashboard.core.indicators import IDS, INDICATORS, quarter_end, trend_dates

approx = pytest.approx

# Annualised profit, groups at least 90 days into the cycle (G5 excluded):
ANNUAL_PROFIT = 100 * 365 / 180 + 100 * 365 / 318 + 50 * 365 / 91 + 110 * 365 / 236 + 0


def one(con, **kwargs):
    rows = compute(con, Filters(**kwargs))
    assert len(rows) == 1
    return rows[0]


def by(con, dimension, **kwargs):
    return {row[dimension]: row for row in compute(con, Filters(**kwargs), dimension)}


def test_registry_matches_the_contract():
    # Every id of INDICATORS.md, once, in the order of the document.
    assert IDS == (
        "organisations", "countries", "projects", "groups", "groups_replicated",
        "replication_rate", "members", "women", "men", "pct_women", "pct_youth",
        "avg_group_size", "attendance_rate", "dropout_rate", "membership_growth",
        "savings_usd", "savings_per_member_usd", "loans_outstanding_usd", "avg_loan_usd",
        "pct_members_with_loans", "loan_fund_utilisation", "portfolio_at_risk",
        "write_off_ratio", "assets_usd", "profit_usd", "return_on_savings",
        "return_on_assets", "annualised_return_on_savings", "annualised_return_on_assets",
        "cost_to_date_usd", "cost_per_member_usd", "cost_per_group_usd",
        "members_per_field_officer", "groups_per_trainer",
    )  # fmt: skip
    for ind in INDICATORS:
        assert ind.label and ind.unit and ind.definition
        assert ind.direction in (-1, 0, 1)


def test_whole_pool_as_of_latest_report_date(hand_con):
    r = one(hand_con)
    # Outreach: G1 G2 G4 G5 G6 G7 active (G3 is 365 days old); 2 organisations, 3 countries.
    assert r["organisations"] == 2
    assert r["countries"] == 3
    assert r["projects"] == 4
    assert r["groups"] == 6
    assert r["groups_replicated"] == 2  # G2, G6
    assert r["replication_rate"] == approx(2 / 4)
    assert r["members"] == 125  # 25+15+28+20+12+25
    assert r["women"] == 97  # 20+15+14+16+12+20
    assert r["men"] == 28
    assert r["pct_women"] == approx(97 / 125)  # 0.776
    assert r["pct_youth"] == approx(42 / 65)  # youth recorded in G1, G4, G6: (10+20+12)/(25+28+12)
    assert r["avg_group_size"] == approx(125 / 6)
    # Participation
    assert r["attendance_rate"] == approx(114 / 125)  # 20+12+28+19+10+25
    assert r["dropout_rate"] == approx(3 / 120)  # 1+2 over 20+15+30+20+10+25
    assert r["membership_growth"] == approx((125 - 120) / 120)
    # Savings and loans, USD
    assert r["savings_usd"] == approx(4000)  # 1000+500+500+400+600+1000
    assert r["savings_per_member_usd"] == approx(32)
    assert r["loans_outstanding_usd"] == approx(2100)  # 600+300+400+300+500
    assert r["avg_loan_usd"] == approx(2100 / 43)  # 10+5+14+8+6 loans
    assert r["pct_members_with_loans"] == approx(43 / 125)
    assert r["loan_fund_utilisation"] == approx(
        2100 / (2100 + 2300)
    )  # cash 500+250+200+150+200+1000
    assert r["portfolio_at_risk"] == approx(190 / 2100)  # late 60+100+30
    assert r["write_off_ratio"] == approx(10 / 2100)
    # Financial performance
    assert r["assets_usd"] == approx(4730)  # 1200+600+700+500+730+1000
    assert r["profit_usd"] == approx(410)  # 100+100+50+50+110+0
    assert r["return_on_savings"] == approx(410 / 4000)
    assert r["return_on_assets"] == approx(410 / 4730)
    # Annualised: G5 (81 days) is left out of numerator and denominator.
    assert r["annualised_return_on_savings"] == approx(ANNUAL_PROFIT / (4000 - 400))
    assert r["annualised_return_on_assets"] == approx(ANNUAL_PROFIT / (4730 - 500))
    # Cost: BDI-B-01 has no report and is left out, numerator and denominator alike.
    # 10,000 + 10,000 + 4,000 USD over UGA-A-01 (G1+G2: 40 members), KEN (28), UGA-B-01 (32).
    assert r["cost_to_date_usd"] == approx(24000)
    assert r["cost_per_member_usd"] == approx(24000 / 100)
    assert r["cost_per_group_usd"] == approx(24000 / 5)
    assert r["members_per_field_officer"] == approx(100 / (2 + 1 + 1))
    assert r["groups_per_trainer"] == approx(5 / (3 + 3 + 1))


def test_as_of_uses_each_groups_latest_dataset_up_to_that_date(hand_con):
    # As of 2025-06-30: G1's 2025-06-15 visit (m22 w18, savings 1,900,000 UGX = 500 USD),
    # G2 (2024-12-15, 500 USD at the 2024 rate), G3 (2024-09-30 is within 365 days:
    # 3,700,000 UGX at 3,700 = 1000 USD). The others had no visit yet.
    r = one(hand_con, as_of=date(2025, 6, 30))
    assert r["groups"] == 3
    assert r["members"] == 22 + 15 + 20
    assert r["women"] == 18 + 15 + 10
    assert r["savings_usd"] == approx(500 + 500 + 1000)
    # UGA-A-01's report of 2025-06-30: 10,000 USD over its three active groups.
    assert r["cost_per_member_usd"] == approx(10000 / 57)
    assert r["members_per_field_officer"] == approx(57 / 2)
    assert r["groups_per_trainer"] == approx(3 / 3)


def test_project_cost_converts_at_the_year_of_its_period_end(hand_con):
    # As of 2025-03-31 UGA-A-01's latest report is 2024-12-31: 18,500,000 UGX at the
    # 2024 rate (3,700) = 5,000 USD, over G2 + G3 = 35 members.
    r = one(hand_con, as_of=date(2025, 3, 31))
    assert r["groups"] == 2
    assert r["cost_to_date_usd"] == approx(5000)
    assert r["cost_per_member_usd"] == approx(5000 / 35)


def test_inactive_boundary_is_exclusive(hand_con):
    # G3's only visit is 2024-09-30: active as of 2025-09-29 (364 days), not as of 2025-09-30.
    assert by(hand_con, "project", as_of=date(2025, 9, 29))["UGA-A-01"]["groups"] == 3
    assert by(hand_con, "project")["UGA-A-01"]["groups"] == 2


def test_nothing_active_gives_zero_counts_and_null_ratios(hand_con):
    r = one(hand_con, as_of=date(2024, 1, 1))
    assert r["groups"] == 0 and r["members"] == 0 and r["savings_usd"] == 0
    for ratio in (
        "pct_women",
        "savings_per_member_usd",
        "cost_per_member_usd",
        "portfolio_at_risk",
    ):
        assert r[ratio] is None


def test_null_when_denominator_is_zero(hand_con):
    # BDI-B-01: no loans (avg loan, PAR, write-off ratio undefined), no youth recorded,
    # no project report (every cost indicator undefined), no replicated or trained split.
    r = one(hand_con, project=("BDI-B-01",))
    assert r["groups"] == 1
    assert r["avg_loan_usd"] is None
    assert r["portfolio_at_risk"] is None
    assert r["write_off_ratio"] is None
    assert r["pct_youth"] is None
    assert r["loan_fund_utilisation"] == approx(0.0)  # 0 / (0 + 1000): defined, zero
    for cost in ("cost_to_date_usd", "cost_per_member_usd", "cost_per_group_usd"):
        assert r[cost] is None
    # Replicated groups only: no trained group, so the replication rate is undefined.
    assert one(hand_con, trained_by=("replicated",))["replication_rate"] is None


def test_group_level_filter_keeps_whole_project_costs(hand_con):
    # tag=refugee: G1 (UGA-A-01) and G4 (KEN-A-01). Group figures use those two groups...
    r = one(hand_con, tag=("refugee",))
    assert r["groups"] == 2
    assert r["members"] == 25 + 28
    assert r["pct_women"] == approx((20 + 14) / 53)
    # ...but the cost indicators use every active group of the two projects in scope:
    # 10,000 + 10,000 USD over UGA-A-01's 40 members (G1+G2) and KEN-A-01's 28.
    assert r["cost_to_date_usd"] == approx(20000)
    assert r["cost_per_member_usd"] == approx(20000 / 68)
    assert r["cost_per_group_usd"] == approx(20000 / 3)
    assert r["members_per_field_officer"] == approx(68 / 3)


def test_values_in_one_dimension_are_or_and_dimensions_are_and(hand_con):
    # UGA or KEN: G1 G2 G5 G6 G4 -> 5 groups; AND rural: G1 G5 G6.
    assert one(hand_con, country=("UGA", "KEN"))["groups"] == 5
    r = one(hand_con, country=("UGA", "KEN"), setting=("rural",))
    assert r["groups"] == 3
    assert r["members"] == 25 + 20 + 12


def test_share_of_women_status_cycle_and_youth_filters(hand_con):
    # Women shares: G1 .80, G2 1.0, G4 .50, G5 .80, G6 1.0, G7 .80 (inclusive bounds).
    assert one(hand_con, min_pct_women=1.0)["groups"] == 2  # women-only: G2, G6
    assert one(hand_con, min_pct_women=0.75)["groups"] == 5
    assert one(hand_con, max_pct_women=0.5)["groups"] == 1  # G4
    assert one(hand_con, min_pct_women=0.8, max_pct_women=0.8)["members"] == 25 + 20 + 25
    assert one(hand_con, status=("graduated",))["groups"] == 2  # G6, G7
    assert one(hand_con, cycle=("later",))["groups"] == 2  # G1 (cycle 2), G7 (cycle 3)
    assert one(hand_con, cycle=("first",))["groups"] == 4
    assert one(hand_con, youth_recorded=True)["members"] == 25 + 28 + 12
    assert one(hand_con, youth_recorded=False)["groups"] == 3


def test_by_country(hand_con):
    rows = by(hand_con, "country")
    assert set(rows) == {"UGA", "KEN", "BDI"}
    uga = rows["UGA"]
    assert uga["groups"] == 4 and uga["members"] == 25 + 15 + 20 + 12
    assert uga["countries"] == 1 and uga["organisations"] == 2
    # UGA-A-01 (10,000) + UGA-B-01 (4,000) over 40 + 32 members.
    assert uga["cost_per_member_usd"] == approx(14000 / 72)
    assert rows["KEN"]["cost_per_member_usd"] == approx(10000 / 28)
    assert rows["BDI"]["cost_per_member_usd"] is None


def test_by_organisation_and_project(hand_con):
    orgs = by(hand_con, "organisation")
    assert orgs["Alpha Aid"]["groups"] == 3  # G1 G2 G4
    assert orgs["Alpha Aid"]["cost_per_member_usd"] == approx(20000 / 68)
    assert orgs["Beta Relief"]["cost_per_member_usd"] == approx(4000 / 32)  # BDI left out
    projects = by(hand_con, "project")
    assert set(projects) == {"UGA-A-01", "KEN-A-01", "UGA-B-01", "BDI-B-01"}
    assert projects["UGA-A-01"]["cost_per_member_usd"] == approx(10000 / 40)
    assert projects["UGA-B-01"]["replication_rate"] == approx(1 / 1)  # G6 per G5


def test_group_level_breakdowns_have_no_cost(hand_con):
    rows = by(hand_con, "trained_by")
    assert {k: v["groups"] for k, v in rows.items()} == {
        "field_officer": 3,  # G1 G5 G7
        "village_agent": 1,  # G4
        "replicated": 2,  # G2 G6
    }
    assert rows["field_officer"]["members"] == 25 + 20 + 25
    assert all(v["cost_per_member_usd"] is None for v in rows.values())
    settings = by(hand_con, "setting")
    assert {k: v["groups"] for k, v in settings.items()} == {
        "rural": 3,
        "urban": 2,
        "peri-urban": 1,
    }
    assert settings["urban"]["savings_usd"] == approx(500 + 1000)  # G2, G7
    assert all(v["cost_to_date_usd"] is None for v in settings.values())


def test_by_quarter_is_the_indicators_as_of_each_quarter_end(hand_con):
    rows = by(hand_con, "quarter")
    # From the quarter of the earliest report (2024-09-30) to D.
    assert list(rows) == ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert [r["groups"] for r in rows.values()] == [1, 2, 2, 3, 6]
    assert rows["2024Q3"]["cost_per_member_usd"] is None  # no project report yet
    assert rows["2024Q4"]["cost_per_member_usd"] == approx(5000 / 35)
    assert rows["2025Q2"]["cost_per_member_usd"] == approx(10000 / 57)
    latest = rows["2025Q3"]
    assert latest["as_of"] == date(2025, 9, 30)
    assert {k: v for k, v in latest.items() if k != "as_of"} == {
        "quarter": "2025Q3",
        **one(hand_con),
    }


def test_breakdown_values_without_active_groups_are_omitted(hand_con):
    # As of 2025-06-30 only UGA-A-01 has active groups.
    assert set(by(hand_con, "project", as_of=date(2025, 6, 30))) == {"UGA-A-01"}


def test_unknown_breakdown_and_bad_filters_are_refused(hand_con):
    with pytest.raises(FilterError, match="break down"):
        compute(hand_con, Filters(), "region")
    with pytest.raises(FilterError, match="trained_by"):
        Filters(trained_by=("ngo",))
    with pytest.raises(FilterError, match="between 0 and 1"):
        Filters(min_pct_women=75)


def test_trend_dates():
    assert quarter_end(date(2025, 2, 1)) == date(2025, 3, 31)
    assert quarter_end(date(2025, 12, 31)) == date(2025, 12, 31)
    assert trend_dates(date(2025, 2, 1), date(2025, 9, 30)) == [
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
    ]
    # An as-of date inside a quarter ends the trend at that date (the quarter so far).
    assert trend_dates(date(2025, 2, 1), date(2025, 5, 15))[-1] == date(2025, 5, 15)


def test_filters_from_query_fall_back_with_notices():
    f = Filters.from_query(
        {"country": ["uga"], "trained_by": ["ngo", "replicated"], "as_of": ["junk"],
         "min_pct_women": ["0.75"], "max_pct_women": ["2"]}
    )  # fmt: skip
    assert f.country == ("UGA",)
    assert f.trained_by == ("replicated",)
    assert f.as_of is None
    assert f.min_pct_women == 0.75 and f.max_pct_women is None
    assert len(f.notices) == 3
    assert Filters.from_query(f.as_query()) == f


def test_theme_breakdowns_split_the_groups_by_hand(hand_con):
    women = by(hand_con, "women_band")
    # G2 15/15, G6 12/12 | G1 20/25, G5 16/20, G7 20/25 | G4 14/28
    assert {k: v["groups"] for k, v in women.items()} == {
        "women_only": 2,
        "mostly_women": 3,
        "mixed": 1,
    }
    assert women["mixed"]["members"] == 28
    youth = by(hand_con, "youth_band")
    # Youth recorded in G1 10/25, G4 20/28, G6 12/12.
    assert {k: v["groups"] for k, v in youth.items()} == {
        "youth_majority": 2,
        "youth_minority": 1,
        "not_recorded": 3,
    }
    cycle = by(hand_con, "cycle")
    assert {k: v["groups"] for k, v in cycle.items()} == {"first": 4, "later": 2}
    refugee = by(hand_con, "tag:refugee")
    assert {k: v["members"] for k, v in refugee.items()} == {"yes": 25 + 28, "no": 125 - 53}
    assert all(v["cost_per_member_usd"] is None for v in refugee.values())


def test_trainer_breakdown_is_per_project_and_trainer(hand_con):
    trainers = by(hand_con, "trainer")
    assert set(trainers) == {"UGA-A-01/FO-1", "KEN-A-01/VA-1", "UGA-B-01/FO-9", "BDI-B-01/FO-5"}
    fo1 = trainers["UGA-A-01/FO-1"]
    assert fo1["groups"] == 2 and fo1["members"] == 40
    # Days since the latest dataset: G1 2025-09-10 (20), G2 2024-12-15 (289).
    assert fo1["data_age_days"] == approx((20 + 289) / 2)


def test_explicit_dates_give_one_row_per_date_with_groups(hand_con):
    rows = compute(hand_con, Filters(), dates=[date(2024, 9, 30), date(2025, 9, 30)])
    assert [(r["as_of"], r["groups"]) for r in rows] == [
        (date(2024, 9, 30), 1),
        (date(2025, 9, 30), 6),
    ]
    by_org = compute(hand_con, Filters(), "organisation", over_time=True)
    assert {(r["quarter"], r["organisation"]) for r in by_org} >= {
        ("2025Q3", "Alpha Aid"),
        ("2025Q3", "Beta Relief"),
    }


def test_an_unknown_breakdown_is_refused(hand_con):
    with pytest.raises(FilterError, match="tag:<name>"):
        compute(hand_con, Filters(), "region")
