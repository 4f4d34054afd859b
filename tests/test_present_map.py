"""The presentation's map read from the back of a hall (issue 28): the five largest countries
by the value mapped are named on it, each with its value, in type of at least 18 px, placed
clear of each other; the colour bar's words are as large."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core.format import compact
from dashboard.views.figures.maps import centroids, members_map
from dashboard.web.pages import present

# members by country (hand-made): the five largest are Bangladesh 62,600, Kenya 37,800,
# Nepal 36,000, Rwanda 33,500 and Uganda 31,600; Tanzania and Ghana are left unnamed
MEMBERS = {
    "BGD": 62_600,
    "KEN": 37_800,
    "NPL": 36_000,
    "RWA": 33_500,
    "UGA": 31_600,
    "TZA": 26_800,
    "GHA": 20_400,
}
NAMES = {
    "BGD": "Bangladesh",
    "KEN": "Kenya",
    "NPL": "Nepal",
    "RWA": "Rwanda",
    "UGA": "Uganda",
    "TZA": "Tanzania",
    "GHA": "Ghana",
}


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": list(MEMBERS),
            "members": list(MEMBERS.values()),
            "groups": [v // 20 for v in MEMBERS.values()],
            "pct_women": [0.8] * len(MEMBERS),
        }
    )


def test_the_slide_map_names_the_five_largest_countries_in_large_type(frame):
    fig = present.projector_map(members_map(frame, NAMES), frame, NAMES)
    texts = [t for t in fig.data if t.type == "scattergeo" and "text" in (t.mode or "")]
    assert len(texts) == 1  # the card's own names (11 px) are gone
    labels = texts[0]
    assert list(labels.text) == [
        "<b>Bangladesh</b><br>62.6k",
        "<b>Kenya</b><br>37.8k",
        "<b>Nepal</b><br>36k",
        "<b>Rwanda</b><br>33.5k",
        "<b>Uganda</b><br>31.6k",
    ]
    assert labels.textfont.size >= 18
    bar = next(t for t in fig.data if t.type == "choropleth").colorbar
    assert bar.tickfont.size >= 18 and bar.title.font.size >= 18
    # the whole slide as drawn (the page's styling) keeps them
    styled = present._styled(fig)
    names = next(t for t in styled.data if t.type == "scattergeo" and t.mode == "text")
    assert names.textfont.size >= 18
    assert styled.layout.font.size >= 18


def test_neighbours_names_are_placed_apart():
    """Uganda, Kenya and Rwanda are next to each other: written each on its point, Uganda's
    name covered Kenya's (a slide at 1920 px); it is moved to the first spot clear of those
    placed."""
    points = centroids()
    labels = [(NAMES[c], compact(MEMBERS[c]), points[c]) for c in ("KEN", "RWA", "UGA")]
    spots = present.label_positions(labels, [points[c] for c in MEMBERS])
    assert spots[0] == ("middle center", *points["KEN"])  # the largest on its own point
    assert spots[2][0] != "middle center"  # Uganda beside its point, clear of Kenya's name
