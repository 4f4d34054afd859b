"""A board pack (dashboard/exports/pack.py): its link read as hostile, its charts resolved to
their pages and drawn for the viewer, the finding in words, and its three files opened with
python-pptx, openpyxl and pypdf, on the hand-computed pool."""

from __future__ import annotations

import io
import struct
from datetime import date
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from dashboard.access.policy import GUEST, Viewer
from dashboard.access.viewer import acting_as
from dashboard.analytics.summaries import finding
from dashboard.core import i18n, theme
from dashboard.core.indicators import BY_ID
from dashboard.exports import pack
from dashboard.views.page_model import ChartSpec, PageSpec

ALPHA = Viewer("member", "Alpha Aid", "alpha")
KNOWN = ("ef-trend", "ov-trend", "ov-countries", "or-shares")
# Three charts from three pages, two with filters; the second with an edited title.
THREE = (
    "?title=June%20board&kpis=1"
    "&item=ef-trend:%3Forganisation%3DAlpha%2520Aid"
    "&item=ov-trend:%3Forganisation%3DAlpha%2520Aid:Our%20members%3A%20up"
    "&item=or-members:"
)


def pages():
    from dashboard.web.server import PAGES

    return PAGES


# --- The link ---------------------------------------------------------------------------------


def test_a_link_is_read_in_order_and_written_back_the_same():
    read = pack.parse(THREE, (*KNOWN, "or-members"))
    assert [i.chart for i in read.items] == ["ef-trend", "ov-trend", "or-members"]
    assert read.items[0].search == "?organisation=Alpha+Aid"
    assert read.items[1].title == "Our members: up"  # (its colon encoded: one title)
    assert read.items[2] == pack.Item("or-members", "", "")
    assert (read.title, read.kpis, read.lang, read.notices) == ("June board", True, None, ())
    again = pack.parse(pack.link(read), (*KNOWN, "or-members"))
    assert again == read
    # a mail client that encoded the separators once more: read one level down
    assert pack.parse("?item=ov-trend%3A%253Fcountry%253DUGA", KNOWN).items == (
        pack.Item("ov-trend", "?country=UGA"),
    )


def test_what_a_link_cannot_use_is_left_out_with_a_reason():
    many = "".join("&item=ov-trend:" for _ in range(pack.MAX_ITEMS + 2))
    hostile = (
        "?item=nosuch:&item=ov-trend:a:b:c&item=%3Cscript%3E:"
        "&item=ov-countries:%3Fcountry%3DUGA%26colour%3Dred"
        "&item=ef-trend::" + "x" * 300 + "&title=Board%07%0Ameeting"
        "&lang=xx&kpis=yes&evil=1" + many
    )
    read = pack.parse(hostile, KNOWN)
    said = "\n".join(read.notices)
    assert "Left out item 1: there is no chart 'nosuch'." in said
    assert "Left out item 2: not a chart and its view." in said  # (four parts)
    assert "Left out item 3: not a chart and its view." in said  # (no chart id)
    assert "Item 4: Ignored the unknown parameter 'colour'." in said  # the pages' parser
    assert f"Shortened the title of item 5 to {pack.MAX_TITLE} characters." in said
    assert "Removed control characters from the pack's title." in said
    assert "Ignored lang='xx'" in said and "Ignored kpis='yes'" in said
    assert "Ignored the unknown parameter 'evil'." in said
    assert f"A pack holds at most {pack.MAX_ITEMS} charts" in said
    assert len(read.items) == pack.MAX_ITEMS
    assert read.items[0] == pack.Item("ov-countries", "?country=UGA")
    assert read.items[1].title == "x" * pack.MAX_TITLE
    assert read.title == "Board meeting" and read.lang is None and not read.kpis
    # an item's own language is dropped: the pack's is the pack's
    assert pack.parse("?item=ov-trend:%3Flang%3Dda", KNOWN).items[0].search == ""


def _spec(*ids: str) -> PageSpec:
    return PageSpec(charts=tuple(ChartSpec(i, "", "", draw=lambda data: go.Figure()) for i in ids))


def test_a_chart_is_its_first_pages_never_the_presentations():
    present = SimpleNamespace(PATH="/present", PAGE=_spec("shared", "only-here"))
    first = SimpleNamespace(PATH="/a", PAGE=_spec("shared", "a-own"))
    second = SimpleNamespace(PATH="/b", CHARTS=_spec("shared", "b-own"))
    found = pack.index([present, first, second])
    assert found == {"shared": first, "a-own": first, "b-own": second}


# --- The finding --------------------------------------------------------------------------------


def _trend(own: list[tuple[str, float]], network: list[tuple[str, float]]) -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[d for d, _ in own], y=[v for _, v in own], name="Alpha Aid"),
            go.Scatter(
                x=[d for d, _ in network],
                y=[v for _, v in network],
                name="Network",
                line={"color": theme.NETWORK_GREY},
            ),
        ]
    )
    fig.update_layout(yaxis={"tickprefix": "USD ", "tickformat": ",.0f"})
    return fig


def test_the_finding_of_a_line_over_time_states_its_change_and_the_network():
    # 25 a year before, 22 now: -12%; the network's 25 on the same day
    fig = _trend(
        [("2024-06-30", 25.0), ("2024-12-31", 24.0), ("2025-06-30", 22.0)],
        [("2024-06-30", 26.0), ("2025-06-30", 25.0)],
    )
    assert finding(fig, "Cost per member") == (
        "Alpha Aid: cost per member fell 12% in a year to USD 22, below the network's USD 25"
    )
    # shorter than a year: since its first point; no network value that day: none said
    fig = _trend([("2024-12-31", 20.0), ("2025-06-30", 30.0)], [("2025-03-31", 25.0)])
    assert finding(fig, "Cost per member") == (
        "Alpha Aid: cost per member rose 50% since 31 Dec 2024 to USD 30"
    )
    with i18n.using("da"):
        said = finding(fig, "Omkostning pr. medlem")
    assert said == "Alpha Aid: omkostning pr. medlem steg 50\xa0% siden 31.12.2024 til USD 30"


# --- The charts for a viewer --------------------------------------------------------------------


def test_three_charts_from_three_pages_are_drawn_for_their_views(hand_app):
    read = pack.parse(THREE, pack.index(pages()))
    with acting_as(ALPHA):
        items = pack.resolve(read, pages())
    assert [r.page.PATH for r in items] == ["/efficiency", "/", "/outreach"]
    assert [r.item.chart for r in items] == ["ef-trend", "ov-trend", "or-members"]
    # Alpha Aid's cost per member by hand: 31 Dec 2024, UGX 18.5M / 3,700 = USD 5,000 over
    # G2 and G3's 35 members = USD 142.86; 30 Sep 2025, (UGX 38M / 3,800 + KES 1.3M / 130)
    # = USD 20,000 over 68 members = USD 294.12: +106% (no point a year before: since)
    assert items[0].title == "Alpha Aid: cost per member rose 106% since 31 Dec 2024 to USD 294"
    assert items[1].title == "Our members: up"  # as edited
    assert "Alpha Aid" in items[0].meta["caption"] and "Alpha Aid" in items[1].meta["caption"]
    # Members, Alpha Aid alone: 20 on 30 Sep 2024 (G3), 68 on 30 Sep 2025 (G1 25, G2 15, G4
    # 28; G3 inactive): +240% in a year
    assert pack.finding_title(items[1].chart) == "Members rose 240% in a year to 68"


def test_a_members_pack_opened_by_a_guest_shows_what_a_guest_may(hand_app):
    read = pack.parse("?item=ov-trend:%3Forganisation%3DAlpha%2520Aid", pack.index(pages()))
    with acting_as(ALPHA):
        (member,) = pack.resolve(read, pages())
    with acting_as(GUEST):
        (guest,) = pack.resolve(read, pages())
    assert [list(t.y) for t in member.figure.data] == [[20, 35, 35, 57, 68]]
    # a guest: Alpha Aid's three groups are fewer than five of another organisation's,
    # not drawn; the title says no number
    drawn = [v for t in guest.figure.data if t.y is not None for v in t.y if v is not None]
    assert drawn == [] and guest.title == "Members over time"
    assert "fewer than 5 active groups" in guest.meta["caption"]


# --- The files ----------------------------------------------------------------------------------


def test_the_deck_has_a_title_slide_the_items_in_order_and_notes(hand_app):
    from pptx import Presentation

    read = pack.parse(THREE, pack.index(pages()))
    with acting_as(ALPHA):
        data = pack.pptx_bytes(read, pages(), made=date(2025, 10, 1))
    slides = list(Presentation(io.BytesIO(data)).slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles == [
        "June board",
        "Headline figures",  # (kpis=1: the first item's page, the efficiency page)
        "Alpha Aid: cost per member rose 106% since 31 Dec 2024 to USD 294",
        "Our members: up",
        titles[4],
        "Definitions",
    ]
    cover = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Alpha Aid" in cover and "Made on 1 Oct 2025 · data as of 30 Sep 2025" in cover
    table = next(s for s in slides[1].shapes if s.has_table).table
    assert table.cell(0, 2).text == "Network"
    for slide in slides[2:5]:
        picture = next(s for s in slide.shapes if s.shape_type == 13)
        assert struct.unpack(">II", picture.image.blob[16:24]) == (1920, 828)
        assert picture._element.nvPicPr.cNvPr.get("descr")
        notes = slide.notes_slide.notes_text_frame.text
        assert "Filters:" in notes and "Definitions:" in notes
    texts = [s.text_frame.text for s in slides[3].shapes if s.has_text_frame]
    assert any(t.startswith("Members over time") for t in texts)  # the chart's own title
    notes = slides[2].notes_slide.notes_text_frame.text
    assert "Filters: Alpha Aid." in notes and BY_ID["cost_per_member_usd"].definition in notes
    closing = slides[5].notes_slide.notes_text_frame.text
    assert BY_ID["members"].definition in closing and "Data as of 30 Sep 2025" in closing


def test_the_workbook_has_a_sheet_per_item_and_the_definitions(hand_app):
    from openpyxl import load_workbook

    read = pack.parse(THREE, pack.index(pages()))
    with acting_as(ALPHA):
        book = load_workbook(io.BytesIO(pack.xlsx_bytes(read, pages())))
    assert book.sheetnames == [
        "Cost per member over time",
        "Members over time",
        "Members by organisation",
        "Filters",
        "Definitions",
    ]
    assert book["Members over time"]["A1"].value == "Our members: up"
    assert book["Members over time"]["A2"].value.startswith("Members over time · ")
    filters = {row[0]: row[1] for row in book["Filters"].iter_rows(values_only=True)}
    assert filters["Link"] == "/pack" + pack.link(read)
    assert "2. Members over time: Alpha Aid" in filters["Filters"]


def test_the_pdf_has_an_item_per_a4_landscape_page(hand_app):
    from pypdf import PdfReader

    read = pack.parse(THREE + "&title=%3Cb%3EBold%3C%2Fb%3E", pack.index(pages()))
    with acting_as(ALPHA):
        document = pack.html_document(read, pages())
        data = pack.pdf_bytes(read, pages())
    assert "&lt;b&gt;Bold&lt;/b&gt;" in document and "<b>Bold" not in document
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert round(width) == 842 and round(height) == 595  # A4 across, in points
    assert "Our members: up" in reader.pages[1].extract_text()


@pytest.mark.parametrize("lang", ["da", "fr"])
def test_the_pack_is_made_in_its_language(hand_app, lang):
    read = pack.parse(
        "?lang=" + lang + "&item=ov-trend:%3Forganisation%3DAlpha%2520Aid", ["ov-trend"]
    )
    with acting_as(ALPHA), i18n.using(read.lang):
        (item,) = pack.resolve(read, pages())
        assert pack.pack_title(read) != "Board pack"
    assert "240" in item.title and "Members" not in item.title
