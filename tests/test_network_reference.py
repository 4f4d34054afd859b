"""Issue 19, "us against the network": with an organisation chosen, the charts that compare
set it against the network (every group the viewer may see, with the same theme filters and
date), drawn in grey. Values from the hand-computed pool (tests/test_indicators.py): the
network's cost per member is 24,000 / 100 = USD 240, Alpha Aid's 20,000 / 68, Beta
Relief's 4,000 / 32; the network's women 97 / 125."""

from __future__ import annotations

import pytest
from pytest import approx

from dashboard.core import theme
from dashboard.views.figures.bars import ranked_bars
from dashboard.views.figures.lines import lines, stacked_area
from dashboard.views.figures.trends import MIN_TREND_GROUPS, steady
from dashboard.web.pages import efficiency, outreach, performance
from tests.test_indicators import ANNUAL_PROFIT

ALPHA = "?organisation=Alpha+Aid"


@pytest.fixture
def build(hand_app, as_admin):
    """A page's content for a link, as the administrator (who sees every group)."""

    def run(module, search):
        return module.build(search)

    return run


def traces(figure, name):
    return [t for t in figure.data if t.name == name]


def last(trace) -> float:
    ys = [y for y in trace.y if y is not None]
    return float(ys[-1])


def test_the_cost_trend_draws_the_network_apart_from_the_organisation(build):
    chart = build(efficiency, ALPHA).charts["ef-trend"]
    (network,) = traces(chart.figure, "Network")
    (alpha,) = traces(chart.figure, "Alpha Aid")
    assert network.line.color == theme.NETWORK_GREY
    assert last(network) == approx(24000 / 100)
    assert last(alpha) == approx(20000 / 68)
    # without a choice, the network is the scope itself
    whole = build(efficiency, "").charts["ef-trend"]
    assert last(traces(whole.figure, "Network")[0]) == approx(240)


def test_an_organisation_chosen_is_shown_among_every_organisation(build):
    figure = build(efficiency, ALPHA).charts["ef-org"].figure
    bars = figure.data[0]
    by_name = dict(zip(bars.y, zip(bars.x, bars.marker.opacity, strict=True), strict=True))
    assert by_name["Alpha Aid"] == (approx(20000 / 68), 1.0)
    assert by_name["Beta Relief"] == (approx(4000 / 32), theme.MUTED_OPACITY)
    # the network's pooled value and SAVIX's are named in the legend, each its own style
    legend = {t.name: t.line for t in figure.data[1:]}
    assert legend["Network (pooled): USD 240.00"].color == theme.NETWORK_GREY
    assert legend["SAVIX INGO average: USD 21.60"].dash == "dot"
    assert legend["SAVIX INGO average: USD 21.60"].color != theme.NETWORK_GREY


def test_every_ranked_bar_chart_of_projects_carries_the_network_value(build):
    content = build(efficiency, ALPHA)
    expected = {
        "ef-project": "Network (pooled): USD 240.00",
        "ef-group": "Network (pooled): USD 4,800",  # 24,000 / 5 groups
        "ef-fo": "Network (pooled): 25.0",  # 100 members / 4 field officers
        "ef-trainer": f"Network (pooled): {5 / 7:.1f}",
    }
    for cid, name in expected.items():
        names = [t.name for t in content.charts[cid].figure.data if t.type == "scatter"]
        assert name in names, (cid, names)


def test_the_shares_follow_the_breakdown_and_carry_the_network(build):
    content = build(outreach, ALPHA + "&by=organisation")
    women = content.charts["or-shares"].figure
    assert last(traces(women, "Network")[0]) == approx(97 / 125)
    assert traces(women, "Alpha Aid")
    assert "or-youth" in content.charts
    assert "Points resting on fewer than" in content.charts["or-shares"].caption


def test_the_performance_spreads_compare_with_the_network(build):
    content = build(performance, ALPHA)
    figure = content.charts["pf-annualised_return_on_assets"].figure
    pooled = next(t for t in figure.data if t.type == "scatter")
    values = dict(zip(pooled.y, pooled.x, strict=True))
    assert values["Network"] == approx(ANNUAL_PROFIT / (4730 - 500))
    assert "Alpha Aid" in values and values["Alpha Aid"] != values["Network"]
    trend = content.charts["pf-trend"].figure
    assert {t.name for t in trend.data} == {"Alpha Aid", "Network"}


def test_points_resting_on_few_groups_are_left_out():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31"]),
            "groups": [3, 12, 40, 400],
            "pct_women": [1.0, 0.9, 0.8, 0.78],
        }
    )
    kept, need = steady(frame, ["pct_women"])
    assert need == MIN_TREND_GROUPS == 30
    assert kept["pct_women"].isna().tolist() == [True, True, False, False]
    # a project of 20 groups keeps its own trend (half its peak: 10)
    small = frame.assign(groups=[3, 12, 18, 20])
    kept, need = steady(small, ["pct_women"])
    assert need == 10 and kept["pct_women"].isna().tolist() == [True, False, False, False]


def test_a_members_own_organisation_is_the_one_highlighted(hand_app):
    """Without an organisation chosen, a signed-in member's own stands out; a guest's and an
    administrator's pages highlight none; a choice in the filters wins."""
    from dashboard.access.policy import ADMIN, Viewer
    from dashboard.access.viewer import acting_as
    from dashboard.views.view import highlighted, read_view

    alpha = Viewer("member", "Alpha Aid", "alpha")
    with acting_as(alpha):
        assert highlighted(read_view("")) == ("Alpha Aid",)
        assert highlighted(read_view("?organisation=Beta+Relief")) == ("Beta Relief",)
        content = efficiency.build("")
    with acting_as(ADMIN):
        assert highlighted(read_view("")) == ()
    assert highlighted(read_view("")) == ()  # a guest
    # (the hand pool shows a member too few of Beta Relief's groups to draw them)
    bars = content.charts["ef-org"].figure.data[0]
    assert dict(zip(bars.y, bars.marker.opacity, strict=True)) == {"Alpha Aid": 1.0}
    lines = {t.name: t.opacity for t in content.charts["ef-trend"].figure.data}
    assert lines["Alpha Aid"] == 1.0


def test_highlighted_series_stand_out_and_the_rest_are_muted():
    import pandas as pd

    frame = pd.DataFrame({"label": ["A", "B", "C"], "org": ["A", "B", "C"], "v": [3.0, 2.0, 1.0]})
    bars = ranked_bars(frame, "label", "v", "decimal", key="org", highlight=["B"])
    assert dict(zip(bars.data[0].y, bars.data[0].marker.opacity, strict=True)) == {
        "A": theme.MUTED_OPACITY,
        "B": 1.0,
        "C": theme.MUTED_OPACITY,
    }
    trend = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2025-03-31", "2025-06-30"] * 2),
            "org": ["A", "A", "B", "B"],
            "v": [1.0, 2.0, 3.0, 4.0],
        }
    )
    drawn = lines(trend, "v", "decimal", series="org", highlight=["A"])
    opacity = {t.name: t.opacity for t in drawn.data}
    assert opacity["A"] == 1.0 and opacity["B"] < 1.0
    plain = lines(trend, "v", "decimal", series="org")
    assert {t.opacity for t in plain.data} == {1.0}


def test_better_and_worse_are_marked_only_outside_the_peers_middle_half():
    from dashboard.core.format import format_value
    from dashboard.web.pages.compare import standing

    # peers' middle half 0.80 to 0.90 (attendance: higher is better)
    assert standing(0.95, 0.80, 0.90, 1) == "cell-better"
    assert standing(0.70, 0.80, 0.90, 1) == "cell-worse"
    assert standing(0.85, 0.80, 0.90, 1) == ""  # 88% against 89%: no mark
    # dropout: lower is better
    assert standing(0.01, 0.03, 0.05, -1) == "cell-better"
    assert standing(0.09, 0.03, 0.05, -1) == "cell-worse"
    # 0.0% against 0.0%, no direction, nothing to compare: no mark
    assert standing(0.0, 0.0, 0.0, 1) == ""
    # a write-off ratio of 0.001% against peers' 0.02% to 0.04%: all 0.0% as the table
    # writes them (one decimal under 10%), so no mark
    as_shown = lambda v: format_value(v, "pct")  # noqa: E731
    assert as_shown(0.00001) == as_shown(0.0002) == "0.0%"
    assert standing(0.00001, 0.0002, 0.0004, -1, as_shown) == ""
    assert standing(0.00001, 0.002, 0.004, -1, as_shown) == "cell-better"  # 0.0% vs 0.2%
    assert standing(5.0, 1.0, 2.0, 0) == ""
    assert standing(None, 1.0, 2.0, 1) == ""


def test_every_ranked_bar_of_an_exported_chart_carries_its_name():
    """A slide of 40 projects named every other one: in a file, the bars that fit at its
    type size are kept, the highest and the lowest, each named, with a sentence saying so
    (a chart that fits keeps all, each named)."""
    import re

    import pandas as pd

    from dashboard.exports import framing, renderer

    names = [f"Project {i:02d}" for i in range(40)]
    frame = pd.DataFrame({"name": names, "v": [float(i + 1) for i in range(40)]})
    fig = ranked_bars(frame, "name", "v", "decimal")
    fig.update_layout(meta={"title": "Cost", "subtitle": "USD", "caption": "All groups."})
    size = renderer.SIZES["svg"]
    out = framing.framed(fig, size)
    bar = out.data[0]
    assert 4 < len(bar.y) < 40
    assert list(out.layout.yaxis.tickvals) == list(bar.y)  # every bar drawn is named
    assert "Project 39" in bar.y and "Project 00" in bar.y  # the highest and the lowest
    assert framing.GAP in bar.y  # a row apart between the lowest and the highest
    drawn = [n for n in bar.y if n != framing.GAP]
    notes = [a.text for a in out.layout.annotations]
    assert any(re.search(r"highest and \d+ lowest of 40 shown", n) for n in notes), notes
    svg = renderer.render(out, "svg", size).decode()
    for name in drawn:
        assert f">{name}<" in svg, name
    few = ranked_bars(frame.head(8), "name", "v", "decimal")
    framed = framing.framed(few, size)
    assert len(framed.data[0].y) == 8 and list(framed.layout.yaxis.tickvals) == list(
        framed.data[0].y
    )


def test_a_small_change_is_told_but_not_judged():
    """88% against 89% is no news: the arrow and the figure, in grey; beyond the tolerance
    (2 points for a share, 2% of the earlier value otherwise) green or orange."""
    from datetime import date

    from dashboard.views.page_model import change

    prior = date(2025, 9, 30)
    small = change(0.89, 0.88, "pct", 1, prior)
    assert small is not None and (small.sign, small.tone) == (1, "flat")
    assert small.text.startswith("+1.0 pp")
    assert change(0.91, 0.88, "pct", 1, prior).tone == "good"
    assert change(101.0, 100.0, "usd", -1, prior).tone == "flat"  # a 1% rise in cost
    assert change(110.0, 100.0, "usd", -1, prior).tone == "bad"
    assert change(0.0, 0.0, "pct", 1, prior).text.startswith("no change")


def test_the_whole_networks_report_does_not_judge_the_network_against_itself(hand_app, as_admin):
    from dashboard.exports.report import data as report_data

    whole = report_data.build_report("")
    assert whole.ratios and all(s.tone == "" for s in whole.ratios + whole.costs)
    alpha = report_data.build_report(ALPHA)
    assert all(s.standing != "the network's pooled value" for s in alpha.ratios)


def test_under_a_theme_filter_the_cost_tile_says_it_is_of_whole_projects(hand_app, as_admin):
    from dashboard.web.pages import overview

    themed = {k.indicator: k for k in overview.build("?tag=refugee").kpis}
    assert themed["cost_per_member_usd"].note.startswith("of whole projects")
    assert themed["members"].note == ""
    plain = {k.indicator: k for k in overview.build("").kpis}
    assert plain["cost_per_member_usd"].note == ""


def test_a_stacked_quarter_with_a_band_not_shown_is_left_out_for_every_band():
    """Groups by who trained them, stacked: a quarter where one band is a small cell of
    other organisations (not shown) would let the others fall to zero; it is left out."""
    import pandas as pd

    dates = pd.to_datetime(["2019-03-31", "2019-06-30", "2019-09-30"])
    frame = pd.DataFrame(
        {
            "as_of": list(dates) * 2,
            "trained_by": ["field_officer"] * 3 + ["replicated"] * 3,
            "groups": [100.0, 110.0, 120.0, 6.0, None, 9.0],
        }
    )
    fig = stacked_area(frame, "trained_by", "groups", ["field_officer", "replicated"], {}, "Groups")
    for trace in fig.data:
        assert pd.Timestamp("2019-06-30") not in set(pd.to_datetime(list(trace.x)))
        assert None not in list(trace.y)


def test_the_sdg_sparklines_leave_out_quarters_resting_on_few_groups(hand_app, as_admin):
    import pandas as pd

    from dashboard.web.pages import sdg

    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2018-03-31", "2018-06-30", "2018-09-30"]),
            "groups": [2, 40, 60],
            "pct_women": [1.0, 0.8, 0.78],
            "members": [30, 900, 1300],
        }
    )
    ratio = sdg.trend_figure(frame, "pct_women", "pct", "Women")
    assert len(ratio.data[0].x) == 2  # the quarter of 2 groups is left out
    count = sdg.trend_figure(frame, "members", "int", "Members")
    assert len(count.data[0].x) == 3  # a count is a count, however few
    page = sdg.build("")
    text = str(page[-1].children)
    assert "Points resting on fewer than" in text


def test_every_quarter_is_drawn_when_the_link_asks_for_it(build):
    """The panel's "Every quarter" (points=all) keeps the quarters steady() leaves out, on
    every trend, and the caption says so; a junk value falls back with a notice."""
    from dashboard.core.urlstate import parse_search

    steady = build(performance, ALPHA).charts["pf-trend"]
    every = build(performance, ALPHA + "&points=all").charts["pf-trend"]

    def drawn(chart):
        return sum(
            1 for t in chart.figure.data if t.y is not None for y in t.y if y is not None and y == y
        )

    assert drawn(every) > drawn(steady)
    assert "Points resting on fewer than" in steady.caption
    assert "Every quarter is shown" in every.caption
    assert parse_search("?points=all").points == "all"
    assert parse_search("?points=all").search() == "?points=all"
    junk = parse_search("?points=<script>")
    assert junk.points == "steady" and junk.notices
