"""Downloads speak the link's language (issue 7): the PowerPoint deck, the Excel workbook and the
printable report (whose PDF Chromium prints from the same page)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from dashboard.core import i18n
from dashboard.core.format import format_value
from tests.test_deck import slide_texts
from tests.test_exports import page_export


def da(text: str) -> str:
    with i18n.using("da"):
        return i18n.gettext(text)


def fr(text: str) -> str:
    with i18n.using("fr"):
        return i18n.gettext(text)


@pytest.fixture
def client(admin_client):
    return admin_client


def test_the_deck_is_in_danish_with_danish_numbers_and_dates(client, hand_app):
    name, data = page_export(client, "page-pptx", "?country=UGA&lang=da", "/")
    assert name.endswith("_UGA_2025-09-30.pptx")  # file names keep ISO dates
    slides = list(Presentation(io.BytesIO(data)).slides)
    titles = [s.shapes.title.text for s in slides]
    expected = [da("Overview"), da("Headline figures"), da("Members by country")]
    assert titles[0].startswith(expected[0] + ":")  # (and the selection's name)
    assert titles[1:3] == expected[1:]
    assert expected[0] != "Overview"
    cover = "\n".join(slide_texts(slides[0]))
    assert "30.09.2025" in cover  # Danish dates
    table = next(s for s in slides[1].shapes if s.has_table).table
    rows = {table.cell(r, 0).text: table.cell(r, 1).text for r in range(1, len(table.rows))}
    # Uganda by hand: G1 (25 members, 20 women), G2 (15, 15), G5 (20, 16), G6 (12, 12)
    assert rows[da("Members")] == "72"
    with i18n.using("da"):
        women = format_value(63 / 72, "pct")
    assert women == "88\xa0%"  # 87.5 % rounded, with Danish spacing
    assert rows[da("Women")] == women


def test_the_workbook_is_in_french(client, hand_app):
    _name, content = page_export(client, "page-xlsx", "?lang=fr", "/")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        fr("Members by country"),
        fr("Members over time"),
        fr("Filters"),
        fr("Definitions"),
    ]
    assert book.sheetnames[0] != "Members by country"
    # numbers stay numbers: Excel shows them in the reader's own conventions
    rows = list(book[fr("Members by country")].iter_rows(min_row=6, values_only=True))
    assert {r[0]: r[2] for r in rows} == {"Burundi": 25, "Kenya": 28, "Ouganda": 72}


def test_the_printable_report_is_in_the_links_language(client):
    page = client.get("/report/print?project=UGA-A-01&lang=da").get_data(as_text=True)
    assert '<html lang="da"' in page
    assert da("Outreach") in page
    assert "30.09.2025" in page
    english = client.get("/report/print?project=UGA-A-01").get_data(as_text=True)
    assert '<html lang="en"' in english
    assert "30 Sep 2025" in english
