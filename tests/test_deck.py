"""A page as a PowerPoint deck: built on the server from the link, opened here with
python-pptx and checked slide by slide against the hand-computed pool."""

from __future__ import annotations

import io
import struct

import pytest
from pptx import Presentation

from dashboard.core.indicators import BY_ID
from dashboard.exports import deck
from dashboard.web.server import PAGES
from tests.dash_client import call
from tests.test_exports import page_export


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_the_overview_deck_has_a_title_slide_kpis_and_a_slide_per_chart(client, hand_app):
    name, data = page_export(client, "page-pptx", "?country=UGA", "/")
    assert name == "overview_UGA_2025-09-30.pptx"
    slides = list(Presentation(io.BytesIO(data)).slides)
    titles = [s.shapes.title.text for s in slides]
    # (the cover names the selection, as the overview's heading does)
    assert titles == [
        "Overview: Uganda",
        "Headline figures",
        "Members by country",
        "Members over time",
    ]

    cover = "\n".join(slide_texts(slides[0]))
    assert "Filters: Uganda" in cover
    assert "As of 30 Sep 2025 · money in USD" in cover
    # the link back to the same view: a path on the site (the Host header as sent is no
    # address for a file: VSLA_BASE_URL, tests/test_heavy.py)
    assert "Open in the dashboard: /?country=UGA" in cover

    table = next(s for s in slides[1].shapes if s.has_table).table
    rows = {table.cell(r, 0).text: table.cell(r, 1).text for r in range(1, len(table.rows))}
    # Uganda by hand: groups G1, G2, G5, G6 with 72 members; savings 4,000 + 10,000 USD.
    assert rows["Members"] == "72" and rows["Groups"] == "4"
    headers = ["Indicator", "Value", "Network", "Change"]
    assert [table.cell(0, c).text for c in range(4)] == headers
    notes = slides[1].notes_slide.notes_text_frame.text
    assert BY_ID["members"].definition in notes and BY_ID["pct_women"].definition in notes

    chart_slide = slides[2]
    texts = slide_texts(chart_slide)
    assert any(t.startswith("Members of active groups") for t in texts)  # the subtitle
    assert any("Uganda. 4 active groups" in t and "Source:" in t for t in texts)  # caption
    picture = next(s for s in chart_slide.shapes if s.shape_type == 13)  # a picture
    blob = picture.image.blob
    assert struct.unpack(">II", blob[16:24]) == (1920, 828)
    assert picture._element.nvPicPr.cNvPr.get("descr").startswith("Members by country")
    notes = chart_slide.notes_slide.notes_text_frame.text
    assert "Definitions:" in notes and BY_ID["members"].definition in notes


def test_a_page_without_comparisons_labels_its_kpi_notes(client, hand_app):
    _name, data = page_export(client, "page-pptx", "", "/projects")
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert len(slides) == 2 + 2  # title, KPIs, the two trends
    table = next(s for s in slides[1].shapes if s.has_table).table
    assert table.cell(0, 3).text == "Note"
    # the performance page's tiles carry their change over the year, as the overview's
    _name, data = page_export(client, "page-pptx", "", "/performance")
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert len(slides) == 2 + 8  # title, KPIs, seven spreads and the trend
    table = next(s for s in slides[1].shapes if s.has_table).table
    assert table.cell(0, 3).text == "Change"
    assert slides[2].shapes.title.text == "Savings per member"


def test_every_page_with_charts_yields_its_content_for_a_deck(hand_app):
    exportable = [m for m in PAGES if deck.has_content(m)]
    assert {m.PATH for m in exportable} == {
        "/",
        "/outreach",
        "/efficiency",
        "/performance",
        "/themes",
        "/compare",
        "/explore",
        "/projects",
    }
    for module in exportable:
        content = deck.page_content(module, "?country=UGA")
        assert list(content.charts) == list(module.PAGE.chart_ids), module.NAME
        for figure in content.figures.values():
            meta = figure.layout.meta
            assert meta["title"] and "Source" in meta["caption"], module.NAME
            if module.PATH != "/explore":
                assert "Uganda" in meta["caption"], module.NAME
        if module.PATH == "/explore":  # (a place is a line there, named by the chart)
            assert "Uganda" in content.charts["ex-chart"].subtitle


def test_the_download_menu_is_hidden_where_the_page_has_its_own(client, hand_app):
    shown = call(client, hand_app, "page-export.style", {"url.pathname": "/efficiency"})
    hidden = call(client, hand_app, "page-export.style", {"url.pathname": "/data"})
    assert shown["page-export.style"] == {}
    assert hidden["page-export.style"] == {"display": "none"}


def test_kpi_words_leave_out_decorative_arrows(client, hand_app):
    """The deck's KPI table holds the page's words for each change (read from the page's
    content, not from its Dash components): no arrow, which is decoration on the screen."""
    _name, data = page_export(client, "page-pptx", "", "/")
    table = next(s for s in Presentation(io.BytesIO(data)).slides[1].shapes if s.has_table).table
    assert table.cell(0, 3).text == "Change"
    changes = [table.cell(row, 3).text for row in range(1, len(table.rows))]
    assert changes and all("▲" not in c and "▼" not in c for c in changes)
    assert any(c.endswith("since 30 Sep 2024") for c in changes), changes


def office_pdf(path, tmp_path) -> bytes:
    """Open a file in LibreOffice (headless) and print it to PDF, as the issue checks."""
    import shutil
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office, "LibreOffice is installed by scripts/ensure-system.sh"
    profile = (tmp_path / "lo-profile").as_uri()
    command = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / (path.stem + ".pdf")).read_bytes()


def test_the_deck_and_the_workbook_open_in_an_office_suite(client, hand_app, tmp_path):
    from pypdf import PdfReader

    _name, data = page_export(client, "page-pptx", "?country=UGA", "/")
    deck_file = tmp_path / "overview.pptx"
    deck_file.write_bytes(data)
    pages = PdfReader(io.BytesIO(office_pdf(deck_file, tmp_path))).pages
    assert len(pages) == 4  # one page per slide
    assert "Headline figures" in pages[1].extract_text()
    assert "72" in pages[1].extract_text()  # Uganda's members in the KPI table

    _name, data = page_export(client, "page-xlsx", "", "/")
    book = tmp_path / "overview.xlsx"
    book.write_bytes(data)
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(office_pdf(book, tmp_path))).pages
    )
    assert "Members by country" in text
    assert "cost_per_member_usd" in text  # the definitions sheet printed too
