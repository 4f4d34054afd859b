"""Pure figure functions: DataFrame in, figure out, in the one template."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.io as pio
from pytest import approx

from dashboard.core import theme
from dashboard.views.figures.bars import ranked_bars
from dashboard.views.figures.labels import _short_labels
from dashboard.views.figures.lines import lines
from dashboard.views.figures.maps import members_map
from dashboard.views.figures.references import Reference
from dashboard.views.figures.spread import boxes


def trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "as_of": [date(2025, 3, 31), date(2025, 6, 30)] * 2,
            "organisation": ["A", "A", "B", "B"],
            "members": [10, 20, 5, 8],
        }
    )


def test_the_one_template_is_the_default():
    assert pio.templates.default == theme.TEMPLATE_NAME


def test_lines_label_each_series_at_its_end_and_keep_the_time_axis():
    fig = lines(
        trend(), "members", "int", series="organisation", colours={"A": "#111111", "B": "#222222"}
    )
    assert [t.name for t in fig.data] == ["A", "B"]
    assert fig.data[0].line.color == "#111111"
    labels = {a.text: a.y for a in fig.layout.annotations}
    assert labels["A"] == 20 and labels["B"] == 8
    assert not fig.layout.showlegend
    # The end labels sit in the margin; the axis ends with the data.
    assert pd.Timestamp(fig.layout.xaxis.range[1]) == pd.Timestamp("2025-06-30")


def test_direct_labels_do_not_overlap():
    frame = trend().assign(members=[10, 20, 10, 19.9])
    fig = lines(frame, "members", "int", series="organisation")
    ys = sorted(a.y for a in fig.layout.annotations)
    assert ys[1] - ys[0] >= 0.05 * 20


def test_ranked_bars_put_the_largest_on_top_from_zero_with_a_reference():
    frame = pd.DataFrame({"name": ["x", "y", "z"], "value": [5.0, 30.0, 12.0], "key": list("XYZ")})
    fig = ranked_bars(
        frame,
        "name",
        "value",
        "usd",
        reference=Reference(21.6, "SAVIX"),
        drill="project",
        key="key",
    )
    bar = fig.data[0]
    assert list(bar.x) == [5.0, 12.0, 30.0]  # plotly draws the last category at the top
    assert list(bar.y) == ["x", "z", "y"]
    assert fig.layout.xaxis.range[0] == 0
    assert [c[0] for c in bar.customdata] == ["project=X", "project=Z", "project=Y"]
    assert fig.layout.shapes[0].x0 == approx(21.6)
    # named in the legend above the plot (not under the chart's toolbar), dotted: a benchmark
    key = fig.data[1]
    assert key.name == "SAVIX: USD 21.60" and key.line.dash == "dot" and fig.layout.showlegend
    assert not bar.showlegend
    assert list(bar.text) == ["USD 5.00", "USD 12.00", "USD 30.00"]


def test_boxes_show_the_quantiles_and_the_pooled_diamond():
    dist = pd.DataFrame(
        {
            "by_value": ["All", "A"],
            "groups": [10, 4],
            "p05": [1, 2],
            "q1": [2, 3],
            "median": [3, 4],
            "q3": [4, 5],
            "p95": [5, 6],
        }
    )
    fig = boxes(dist, {"All": 3.5, "A": 4.2}, "pct", network_label="All")
    box, pooled = fig.data
    assert list(box.median) == [3, 4] and list(box.lowerfence) == [1, 2]
    assert list(pooled.x) == [3.5, 4.2]
    assert pooled.marker.color[0] == theme.NETWORK_GREY


def test_empty_data_gives_a_friendly_message():
    fig = lines(trend().iloc[0:0], "members", "int")
    assert "No active group matches" in fig.layout.annotations[0].text
    assert ranked_bars(pd.DataFrame({"n": [], "v": []}), "n", "v", "int").layout.annotations


def test_long_bar_labels_are_shortened_without_becoming_alike():

    names = [
        "Women's Economic Empowerment (Ethiopia)",
        "Women's Economic Empowerment (Burundi)",
        "Savings and Food Security (Rwanda) · RWA-FJO-01",
        "Savings and Food Security (Rwanda) · RWA-SOL-01",
        "Village Finance (Uganda)",
    ]
    short = _short_labels(names)
    assert short == [
        "Women's Economic E… (Ethiopia)",
        "Women's Economic Em… (Burundi)",
        "Savings and Food… · RWA-FJO-01",
        "Savings and Food… · RWA-SOL-01",
        "Village Finance (Uganda)",
    ]
    assert all(len(s) <= 30 for s in short)


def test_the_map_names_its_countries_largest_first_without_overlap():
    """Rwanda and Burundi lie 1.4 degrees apart: on a map that also spans Bangladesh their
    names would overlap, so the larger is written and the other keeps its hover; each
    label is the country's name and its members, at the country's centroid."""
    frame = pd.DataFrame(
        {
            "country": ["RWA", "BDI", "BGD"],
            "members": [50_000, 40_000, 30_000],
            "groups": [2000, 1600, 1200],
            "pct_women": [0.8, 0.7, 0.9],
        }
    )
    names = {"RWA": "Rwanda", "BDI": "Burundi", "BGD": "Bangladesh"}
    fig = members_map(frame, names)
    choropleth, labels = fig.data
    assert list(choropleth.locations) == ["RWA", "BDI", "BGD"]  # every country is shaded
    assert labels.type == "scattergeo" and labels.mode == "text"
    assert list(labels.text) == ["<b>Rwanda</b><br>50k", "<b>Bangladesh</b><br>30k"]
    # at the vendored geometry's label points
    assert (labels.lon[0], labels.lat[0]) == (29.92, -2.01)
    assert (labels.lon[1], labels.lat[1]) == (90.27, 23.84)
    # the files of the chart keep the numbers of the shading alone
    from dashboard.exports.tables import figure_table

    assert list(figure_table(fig)["z"]) == [50_000, 40_000, 30_000]


def test_countries_far_enough_apart_are_all_named():
    frame = pd.DataFrame(
        {
            "country": ["UGA", "KEN", "BDI"],
            "members": [72, 28, 25],
            "groups": [3, 1, 1],
            "pct_women": [0.8, 0.7, 0.9],
        }
    )
    fig = members_map(frame, {"UGA": "Uganda", "KEN": "Kenya", "BDI": "Burundi"})
    assert list(fig.data[1].text) == [
        "<b>Uganda</b><br>72",
        "<b>Kenya</b><br>28",
        "<b>Burundi</b><br>25",
    ]


def test_a_reference_lines_label_sits_where_no_line_runs():
    """The network's cost starting just above SAVIX's USD 21.60 ran through the label
    written above the reference at its left end: it goes below the line there instead;
    with the data far above, it stays above."""
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2020-03-31", "2021-03-31", "2022-03-31", "2023-03-31"]),
            "cost_per_member_usd": [22.0, 23.0, 30.0, 40.0],
        }
    )
    savix = Reference(21.6, "SAVIX INGO average")
    near = lines(frame, "cost_per_member_usd", "usd", reference=savix)
    (label,) = [a for a in near.layout.annotations if a.text.startswith("SAVIX")]
    assert (label.xanchor, label.yanchor) == ("left", "top")  # below the line, at its left
    far = lines(
        frame.assign(cost_per_member_usd=[60.0, 62.0, 65.0, 70.0]),
        "cost_per_member_usd",
        "usd",
        reference=savix,
    )
    (label,) = [a for a in far.layout.annotations if a.text.startswith("SAVIX")]
    assert (label.xanchor, label.yanchor) == ("left", "bottom")  # above it, as by default


def test_a_small_count_steps_by_whole_numbers_never_by_a_half():
    """A count axis ("~s": 1.5k, 2M) whose values top out under 6 steps by one: plotly's own
    step of a half would be written "500m" (half a group). Larger counts keep plotly's own
    steps, and other kinds are untouched."""
    from dashboard.views.figures.bars import size_histogram
    from dashboard.views.figures.grids import small_multiple_lines
    from dashboard.views.figures.lines import lines, stacked_area

    dates = pd.to_datetime(["2024-03-31", "2024-06-30"])
    few = pd.DataFrame({"as_of": dates, "groups": [1, 2], "pct_women": [0.5, 0.75]})
    axis = lines(few, "groups", "int").layout.yaxis
    assert (axis.tickformat, axis.tick0, axis.dtick) == ("~s", 0, 1)
    many = few.assign(groups=[1200, 2400])
    axis = lines(many, "groups", "int").layout.yaxis
    assert (axis.tickformat, axis.dtick) == ("~s", None)
    assert lines(few, "pct_women", "pct").layout.yaxis.dtick is None

    # a stack of 2 + 3 groups tops out at 5: whole steps; 4 + 3 at 7: plotly's own
    bands = pd.DataFrame(
        {
            "as_of": [dates[0], dates[0], dates[1], dates[1]],
            "trained_by": ["field_officer", "village_agent"] * 2,
            "groups": [2, 3, 4, 3],
        }
    )
    order, names = ["field_officer", "village_agent"], {}
    first = bands[bands["as_of"] == dates[0]]
    small = stacked_area(first, "trained_by", "groups", order, names, "")
    assert (small.layout.yaxis.tickformat, small.layout.yaxis.dtick) == ("~s", 1)
    assert stacked_area(bands, "trained_by", "groups", order, names, "").layout.yaxis.dtick is None

    sizes = pd.DataFrame({"members": [15, 20], "groups": [1, 3]})
    assert size_histogram(sizes).layout.yaxis.dtick == 1

    grid = small_multiple_lines(few, [("groups", "Groups", "int"), ("pct_women", "Women", "pct")])
    assert (grid.layout.yaxis.dtick, grid.layout.yaxis2.dtick) == (1, None)
