"""Charts in words (dashboard.analytics.summaries): the sentence a screen reader reads with a chart
and
the slide's alt text holds, from the numbers drawn."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.analytics.summaries import describe
from tests.dash_client import call


def test_a_trend_says_where_it_started_and_ended():
    fig = go.Figure(
        go.Scatter(
            name="Members",
            x=[date(2019, 3, 31), date(2022, 6, 30), date(2025, 9, 30)],
            y=[120_000, 200_000, 310_000],
        )
    )
    assert describe(fig) == "120k in 2019 to 310k in 2025."


def test_several_lines_are_described_largest_last_value_first_with_their_units():
    fig = go.Figure(
        [
            go.Scatter(name="Small", x=["2020-03-31", "2025-09-30"], y=[0.5, 0.25]),
            go.Scatter(name="Large", x=["2019-12-31", "2025-09-30"], y=[0.6, 0.75]),
        ]
    )
    fig.update_yaxes(tickformat=".0%")
    assert describe(fig) == "Large: 60% in 2019 to 75% in 2025. Small: 50% in 2020 to 25% in 2025."


def test_bars_name_their_highest_and_lowest_in_the_units_of_the_axis():
    fig = go.Figure(go.Bar(orientation="h", y=["A", "B", "C"], x=[21.6, 34.5, 18.25]))
    fig.update_xaxes(tickprefix="USD ")
    assert describe(fig) == "Highest B (USD 34.50), lowest C (USD 18.25), 3 values in all."


def test_small_multiples_are_described_panel_by_panel_as_written_on_them():
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Bar(name="Groups", x=["Rural", "Urban"], y=[12, 3], text=["12", "3"]), 1, 1)
    fig.add_trace(
        go.Bar(name="Women", x=["Rural", "Urban"], y=[0.8, 0.9], text=["80%", "90%"]), 1, 2
    )
    assert describe(fig) == (
        "Groups: highest Rural (12), lowest Urban (3), 2 values in all. "
        "Women: highest Urban (90%), lowest Rural (80%), 2 values in all."
    )


def test_standings_among_peers_name_each_ones_strongest_and_weakest():
    """The compare page's dot chart: percentile ranks, one trace per organisation."""
    import pandas as pd

    from dashboard.views.figures.spread import benchmark_dots

    frame = pd.DataFrame(
        {
            "entity": ["Alpha Aid"] * 3 + ["Beta Relief"] * 3,
            "label": ["Members", "Savings per member", "Dropout rate"] * 2,
            "percentile": [90.0, 40.0, 10.0, 50.0, 50.0, 50.0],
            "value_text": ["x"] * 6,
            "median_text": ["y"] * 6,
        }
    )
    fig = benchmark_dots(frame, {})
    assert describe(fig) == (
        "Alpha Aid: strongest on Members (better than 90% of peers), weakest on Dropout rate "
        "(better than 10%). Beta Relief: better than 50% of peers on each indicator."
    )


def test_a_chart_without_data_has_no_sentence():
    assert describe(go.Figure()) == ""


def test_each_chart_card_carries_its_sentence(admin_client, hand_app):
    result = call(admin_client, hand_app, "ov-lead.children", {"url.search": ""})
    # members by country of the hand pool: Uganda 72, Kenya 28, Burundi 25 (by hand)
    assert result["ov-map-summary.children"] == (
        "Highest Uganda (72), lowest Burundi (25), 3 values in all."
    )
    assert result["ov-trend-summary.children"]  # members over time, by organisation
