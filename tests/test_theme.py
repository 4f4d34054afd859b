"""One template for every figure and a stable colour per organisation (STYLE.md)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.core.theme import (
    NETWORK_GREY,
    OKABE_ITO,
    TEMPLATE_NAME,
    organisation_colours,
    register,
)


def test_register_makes_the_template_the_default():
    assert register() == TEMPLATE_NAME
    assert pio.templates.default == TEMPLATE_NAME
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    layout = fig.layout.template.layout
    assert list(layout.colorway) == list(OKABE_ITO)
    assert layout.yaxis.showgrid is True and layout.xaxis.showgrid is False
    assert layout.plot_bgcolor == "white"


def test_organisation_colours_are_stable_and_distinct():
    orgs = ["Nordlys Aid", "Fjord Partners", "Havn Relief"]
    first = organisation_colours(orgs)
    # The order in which a page lists them never changes a colour.
    assert organisation_colours(reversed(orgs)) == first
    assert first == {
        "Fjord Partners": OKABE_ITO[0],
        "Havn Relief": OKABE_ITO[1],
        "Nordlys Aid": OKABE_ITO[2],
    }
    eight = organisation_colours(f"Org {i}" for i in range(8))
    assert len(set(eight.values())) == 8  # the default demo's 8 organisations all differ
    assert NETWORK_GREY not in eight.values()
    many = organisation_colours(f"Org {i}" for i in range(12))
    assert set(many.values()) <= set(OKABE_ITO)
