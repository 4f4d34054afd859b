"""The view state in the URL: same names as `vsla indicators`, round trips, lenient parsing."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dashboard.core.facts import PoolFacts, Project
from dashboard.core.filters import CYCLES, SETTINGS, TRAINED_BY, Filters
from dashboard.core.urlstate import ViewState, parse_search

FACTS = PoolFacts(
    projects=(
        Project(
            "UGA-A-01",
            "Alpha Uganda",
            "Alpha Aid",
            "UGA",
            None,
            None,
            "UGX",
            date(2023, 1, 1),
            None,
            True,
            3,
        ),
        Project(
            "KEN-A-01",
            "Alpha Kenya",
            "Alpha Aid",
            "KEN",
            None,
            None,
            "KES",
            date(2024, 1, 1),
            None,
            True,
            1,
        ),
    ),
    tags=("refugee",),
    first_date=date(2024, 9, 30),
    latest_date=date(2025, 9, 30),
    kind="",
)


def test_the_example_link_of_the_issue_parses():
    state = parse_search(
        "?country=UGA&country=KEN&organisation=Alpha%20Aid&as_of=2025-06-30&tag=refugee"
        "&min_pct_women=0.75&currency=DKK",
        FACTS,
    )
    assert state.notices == ()
    assert state.filters == Filters(
        country=("UGA", "KEN"),
        organisation=("Alpha Aid",),
        as_of=date(2025, 6, 30),
        tag=("refugee",),
        min_pct_women=0.75,
    )
    assert state.currency == "DKK"


def test_defaults_are_left_out_of_the_link():
    assert ViewState(Filters()).search() == ""
    assert ViewState(Filters(country=("UGA",)), currency="USD").search() == "?country=UGA"


def test_names_and_case_are_forgiven():
    state = parse_search("?country=uganda&organisation=alpha%20aid&project=uga-a-01", FACTS)
    assert state.filters.country == ("UGA",)
    assert state.filters.organisation == ("Alpha Aid",)
    assert state.filters.project == ("UGA-A-01",)


def test_what_cannot_be_used_is_dropped_with_a_notice():
    state = parse_search(
        "?country=XXX&country=FRA&organisation=Nobody&as_of=2019-01-01&currency=GBP"
        "&by=region&youth_recorded=maybe&zzz=1&trained_by=aliens",
        FACTS,
    )
    assert state.filters == Filters()
    assert state.currency == "USD" and state.by == "organisation"
    text = " ".join(state.notices)
    for fragment in (
        "'XXX'",
        "France",
        "'Nobody'",
        "begin on 2024-09-30",
        "'GBP'",
        "by='region'",
        "youth_recorded",
        "'zzz'",
        "trained_by='aliens'",
    ):
        assert fragment in text


def test_junk_never_raises():
    for junk in ("?%%%", "?&&&=", "?as_of=", "??", "?min_pct_women=abc", "?" + "a=1&" * 600):
        parse_search(junk, FACTS)


states = st.builds(
    ViewState,
    filters=st.builds(
        Filters,
        country=st.lists(st.sampled_from(["UGA", "KEN"]), unique=True).map(tuple),
        trained_by=st.lists(st.sampled_from(TRAINED_BY), unique=True).map(tuple),
        setting=st.lists(st.sampled_from(SETTINGS), unique=True).map(tuple),
        cycle=st.lists(st.sampled_from(CYCLES), unique=True).map(tuple),
        tag=st.lists(st.sampled_from(["refugee", "climate"]), unique=True).map(tuple),
        min_pct_women=st.sampled_from([None, 0.5, 0.75, 1.0]),
        youth_recorded=st.sampled_from([None, True, False]),
        as_of=st.sampled_from([None, date(2025, 6, 30)]),
    ),
    currency=st.sampled_from(["USD", "DKK", "EUR"]),
    by=st.sampled_from(["organisation", "country"]),
)


@given(states)
def test_every_state_survives_a_round_trip_through_its_link(state):
    again = parse_search(state.search())
    assert again.notices == ()
    assert again == state


def test_projects_sharing_a_name_are_told_apart_by_their_id():
    twin = Project(
        "UGA-A-02",
        "Alpha Uganda",
        "Alpha Aid",
        "UGA",
        None,
        None,
        "UGX",
        date(2024, 1, 1),
        None,
        True,
        2,
    )
    facts = PoolFacts((*FACTS.projects, twin), (), None, None, "")
    assert facts.project_labels == {
        "UGA-A-01": "Alpha Uganda · UGA-A-01",
        "KEN-A-01": "Alpha Kenya",
        "UGA-A-02": "Alpha Uganda · UGA-A-02",
    }


def test_the_report_comparison_date_is_kept_or_dropped_with_a_notice():
    state = parse_search("?as_of=2025-09-30&vs=2024-06-30")
    assert state.vs == date(2024, 6, 30) and state.notices == ()
    assert state.search() == "?as_of=2025-09-30&vs=2024-06-30"
    later = parse_search("?as_of=2025-09-30&vs=2025-12-31")
    assert later.vs is None and "before the as-of date" in later.notices[0]
    junk = parse_search("?vs=last-year")
    assert junk.vs is None and "expected a date" in junk.notices[0]
