"""Files a board and a donor take unchanged (issue 28).

A chart's or a page's workbook reads name, value and unit, headed in the page's language, with
the network's and the reference lines' values among its rows, columns as wide as what they
hold and values rounded as the screen writes them. The deck's KPI table is drawn as the charts
are, with the network's value of each KPI, and its notes define money in the deck's currency.
No file carries the address of the machine it was made on. Danish and French files are Danish
and French throughout: the data-quality rules, the month names of a chart's dates, table
headers whole, and a DKK file names its exchange rate.

Values are worked out by hand from tests/fixtures/hand_pool (its README and
tests/test_indicators.py): in Uganda, UGA-A-01 has cost 38,000,000 UGX at 3,800 UGX/USD in
2025 = USD 10,000 over G1 (25 members) and G2 (15) = USD 250 a member; UGA-B-01 USD 4,000 over
G5 (20) and G6 (12) = USD 125; KEN-A-01 1,300,000 KES at 130 = USD 10,000 over G4 (28);
BDI-B-01 has no project report. The network's pooled cost per member: (10,000 + 10,000 +
4,000) / (40 + 28 + 32) = USD 240. The SAVIX INGO average: USD 21.60 (INDICATORS.md). DKK:
6.50 a USD in 2025 (exchange_rates.csv).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.dates import format_date
from openpyxl import load_workbook
from pptx import Presentation

from dashboard.core import theme
from dashboard.core.format import format_value, shown_decimals
from dashboard.exports import tables
from dashboard.pool.quality import WARNING_NAMES
from dashboard.views.figures.bars import ranked_bars
from tests.test_deck import office_pdf, slide_texts
from tests.test_exports import export, export_payload, page_export, page_export_answer, table_export
from tests.test_i18n_exports import da, fr


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def rows_of(sheet, header_row: int = 5) -> list[tuple]:
    return list(sheet.iter_rows(min_row=header_row + 1, values_only=True))


def excel_text(value: float, number_format: str) -> str:
    """What Excel shows of a number in one of the workbooks' formats (#,##0, #,##0.0,
    #,##0.00, 0%, 0.0%): it rounds the number's decimal digits (15 significant) half away
    from zero, written here with English separators."""
    decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
    per_cent = number_format.endswith("%")
    exact = Decimal(f"{value:.15g}") * (100 if per_cent else 1)
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}" + ("%" if per_cent else "")


def assert_widths_fit(sheet, header_row: int = 5) -> None:
    """Every column at least as wide as its longest header word and as its longest cell (up
    to 60 characters: a longer text wraps), and its header wrapped between words."""
    for column in sheet.iter_cols(min_row=header_row):
        header, cells = column[0], column[1:]
        width = sheet.column_dimensions[header.column_letter].width
        longest_word = max(len(w) for w in str(header.value).split())
        assert width >= longest_word + 1, (sheet.title, header.value, width)
        assert header.alignment.wrap_text, (sheet.title, header.value)
        for cell in cells:
            if cell.value is None:
                continue
            if isinstance(cell.value, int | float):
                shown = len(excel_text(cell.value, cell.number_format))
            elif isinstance(cell.value, date):
                shown = 10
            else:
                shown = len(str(cell.value))
            assert width >= min(shown + 1, 60), (sheet.title, header.value, cell.value, width)
            if shown > width:
                assert cell.alignment.wrap_text, (sheet.title, cell.value)


# --- A chart's and a page's workbook ----------------------------------------------------------


def test_a_charts_workbook_reads_name_value_and_unit_with_its_reference_lines(client, hand_app):
    _name, data = export(client, hand_app, "ef-project", "xlsx", "?country=UGA")
    sheet = load_workbook(io.BytesIO(data))["Cost per member by project"]
    header = [c.value for c in sheet[5]]
    assert header == ["Name", "Series", "Value", "Unit", "Project id", "Organisation"]
    assert rows_of(sheet) == [
        ("Beta Uganda groups", "Cost per member", 125, "USD per member", "UGA-B-01", "Beta Relief"),
        ("Alpha Uganda savings", "Cost per member", 250, "USD per member", "UGA-A-01", "Alpha Aid"),
        # the lines drawn across the bars: the SAVIX average and the network's pooled value
        ("SAVIX INGO average", "Reference line", 21.6, "USD per member", None, None),
        ("Network (pooled)", "Reference line", 240, "USD per member", None, None),
    ]
    assert [sheet.cell(row=r, column=3).number_format for r in (6, 8, 9)] == ["#,##0.00"] * 3
    assert_widths_fit(sheet)


def test_a_charts_workbook_in_danish_and_dkk(client, hand_app):
    _name, data = export(
        client, hand_app, "ef-project", "xlsx", "?country=UGA&lang=da&currency=DKK"
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]  # (its name: the title cut to Excel's 31 characters)
    assert sheet["A1"].value == da("Cost per member by project")
    header = [c.value for c in sheet[5]]
    expected = [da(w) for w in ("Name", "Series", "Value", "Unit", "Project id", "Organisation")]
    assert header == expected
    assert header[:4] == ["Navn", "Serie", "Værdi", "Enhed"]  # (the catalogs' words)
    unit = da("USD per member").replace("USD", "DKK")
    assert unit == "DKK pr. medlem"
    line = da("Reference line")
    assert [r[:4] for r in rows_of(sheet)] == [
        # USD 125 and 250 at 6.50 DKK: 812.50 (two decimals under 1,000, as the screen) and
        # 1,625 (none from 1,000)
        ("Beta Uganda groups", da("Cost per member"), 812.5, unit),
        ("Alpha Uganda savings", da("Cost per member"), 1625, unit),
        (da("SAVIX INGO average"), line, 140.4, unit),  # 21.60 x 6.50
        (da("Network (pooled)"), line, 1560, unit),  # 240 x 6.50
    ]
    assert_widths_fit(sheet)
    # the Filters sheet names the rate the amounts were converted at
    filters = {r[0]: r[1] for r in book[da("Filters")].iter_rows(values_only=True)}
    rate = filters[da("Exchange rate")]
    assert rate.startswith("1\xa0USD = 6,50\xa0DKK") and "2025" in rate
    # and the definitions speak of the file's currency
    units = {r[0]: r[2] for r in book[da("Definitions")].iter_rows(min_row=2, values_only=True)}
    assert units["cost_per_member_usd"] == unit and units["savings_usd"] == "DKK"


def test_a_pages_workbook_has_every_sheet_in_name_value_unit_order(client, hand_app):
    _name, data = page_export(client, "page-xlsx", "?project=UGA-A-01&lang=fr", "/performance")
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets[:-2]:  # (the Filters and Definitions sheets after them)
        header = [c.value for c in sheet[5]]
        words = [h for h in header if h in {fr("Name"), fr("Value"), fr("Unit")}]
        assert words == [fr("Name"), fr("Value"), fr("Unit")], sheet.title
        assert header[0] == fr("Name") == "Nom"
        assert_widths_fit(sheet)
    # a box's quantiles and the pooled values, each a row, named in French
    first = rows_of(book.worksheets[0])
    series = {r[1] for r in first}
    assert fr("Median") in series and fr("Pooled (ratio of sums)") in series
    # the small multiples say which panel a value is of
    trend = rows_of(book.worksheets[-3])
    assert {r[1] for r in trend} >= {fr("Attendance")}


def test_values_are_rounded_as_the_screen_writes_them():
    """The bars' own labels are the screen's text (format_value); the file's cells show the
    same. Excel rounds halves away from zero, Python's formatting of a float to the nearest
    even: a value of 2,254.5 written raw would show 2,255 in Excel beside 2,254 on the screen
    (the issue's median). 0.145 is 14% on the screen (14.5 is a little less than 14.5 in
    binary), 15% in Excel; 1.005 reads USD 1.00 on the screen, 1.01 in Excel."""
    import pandas as pd

    theme.register()
    cases = [
        ("decimal", [2254.5, 3046.5, 12.25]),
        ("pct", [0.0845, 0.125, 0.145]),
        ("usd", [1.005, 999.995]),
    ]
    for kind, numbers in cases:
        frame = pd.DataFrame({"name": [f"P{i}" for i in range(len(numbers))], "v": numbers})
        fig = ranked_bars(frame, "name", "v", kind, series="Measure")
        fig.update_layout(meta={"title": "T", "subtitle": "", "caption": ""})
        screen = {n: t for n, t in zip(fig.data[0].y, fig.data[0].text, strict=True)}
        book = load_workbook(io.BytesIO(tables.workbook_bytes([fig.to_plotly_json()], [])))
        shown = {r[0].value: r[2] for r in book.worksheets[0].iter_rows(min_row=6)}
        assert set(shown) == set(screen)
        for name, raw in zip(frame["name"], numbers, strict=True):
            text = screen[name].replace("USD ", "")
            cell = shown[name]
            assert excel_text(cell.value, cell.number_format) == text, (kind, raw)
            assert text == format_value(raw, kind).replace("USD ", "")
    # the cases differ between the two roundings: the test would see raw values
    assert excel_text(2254.5, "#,##0") == "2,255" and format_value(2254.5, "decimal") == "2,254"
    assert excel_text(0.145, "0%") == "15%" and format_value(0.145, "pct") == "14%"
    assert excel_text(0.125, "0%") == "13%" and format_value(0.125, "pct") == "12%"
    assert excel_text(1.005, "#,##0.00") == "1.01" and format_value(1.005, "usd") == "USD 1.00"
    assert shown_decimals(12_345, "int") is None  # (written compact: 12.3k)


def test_the_benchmark_tables_workbook_rounds_as_its_page(client, hand_app):
    """The compare page writes its table with format_value: the peers' lower quartile of
    members (Uganda 72, Kenya 28, Burundi 25: 25 + (28 - 25) / 2 = 26.5) reads 26 there, and
    so in the file (raw, Excel would show 27)."""
    _name, data = table_export(client, "cmp-table", "xlsx", "?compare=country")
    sheet = load_workbook(io.BytesIO(data))["Benchmark table"]
    header = [c.value for c in sheet[5]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=6)}
    quartile = rows["Members"][header.index("Peers' lower quartile")]
    assert excel_text(quartile.value, quartile.number_format) == format_value(26.5, "int") == "26"
    assert excel_text(26.5, "#,##0") == "27"
    assert_widths_fit(sheet)


# --- The deck -----------------------------------------------------------------------------------


def kpi_table(data: bytes):
    slides = list(Presentation(io.BytesIO(data)).slides)
    return slides, next(s for s in slides[1].shapes if s.has_table).table


def test_the_decks_kpi_table_has_a_network_column_drawn_as_the_charts(client, hand_app):
    from pptx.oxml.ns import qn

    from dashboard.exports.deck import FONT, NO_STYLE

    _name, data = page_export(client, "page-pptx", "?country=UGA", "/")
    _slides, table = kpi_table(data)
    assert [table.cell(0, c).text for c in range(4)] == ["Indicator", "Value", "Network", "Change"]
    rows = {
        table.cell(r, 0).text: (table.cell(r, 1).text, table.cell(r, 2).text)
        for r in range(1, len(table.rows))
    }
    # Uganda: G1, G2, G5, G6 (72 members); the network: G1, G2, G4, G5, G6, G7 (125 members)
    assert rows["Groups"] == ("4", "6") and rows["Members"] == ("72", "125")
    assert rows["Cost per member"][1] == "USD 240.00"
    # the charts' type and colours: the network in its grey, the headers muted
    assert table._tbl.tblPr.find(qn("a:tableStyleId")).text == NO_STYLE
    colours = {
        "header": theme.MUTED,
        "value": theme.TEXT,
        "network": theme.NETWORK_GREY,
    }
    for r in range(len(table.rows)):
        for c in range(4):
            cell = table.cell(r, c)
            runs = [run for p in cell.text_frame.paragraphs for run in p.runs]
            assert runs and all(run.font.name == FONT == "Source Sans 3" for run in runs)
            want = colours["header"] if r == 0 else colours["network" if c == 2 else "value"]
            assert all(str(run.font.color.rgb) == want.lstrip("#") for run in runs), (r, c)
            properties = cell._tc.tcPr
            assert properties.find(qn("a:noFill")) is not None  # no fill: the slide's white
            rule = properties.find(qn("a:lnB")).find(qn("a:solidFill")).find(qn("a:srgbClr"))
            assert rule.get("val") == "D5DBE1"


def test_the_decks_notes_and_title_speak_of_its_currency(client, hand_app):
    _name, data = page_export(client, "page-pptx", "?country=UGA&currency=DKK", "/")
    slides, table = kpi_table(data)
    network = {table.cell(r, 0).text: table.cell(r, 2).text for r in range(1, len(table.rows))}
    # USD 240 and the network's savings (1,000 + 500 + 500 + 400 + 600 + 1,000 = USD 4,000)
    # at 6.50 DKK
    assert network["Cost per member"] == "DKK 1,560" and network["Savings"] == "DKK 26k"
    notes = [s.notes_slide.notes_text_frame.text for s in slides]
    assert "Cost per member (DKK per member)" in notes[1]
    assert all("USD per" not in n and "in USD" not in n for n in notes)
    rate = "USD 1 = DKK 6.50, the pool's average rate of 2025"
    assert rate in notes[0] and rate in notes[1]
    cover = "\n".join(slide_texts(slides[0]))
    assert "money in DKK" in cover and rate in cover


def test_no_file_carries_the_address_of_the_machine(client, hand_app, monkeypatch):
    """Without VSLA_BASE_URL (nor a trusted host), a file's links are paths on the site: the
    address a request came to (here 127.0.0.1:8050, the test client's localhost) is in none
    of the files of a page, a chart, a table or the report."""
    from pypdf import PdfReader

    for name in ("VSLA_BASE_URL", "VSLA_TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    host = {"Host": "127.0.0.1:8050"}
    search = "?country=UGA&currency=DKK"
    files: dict[str, bytes] = {}
    for trigger in ("page-pptx", "page-xlsx"):
        answer = page_export_answer(client, trigger, search, "/efficiency", host)
        files[trigger] = base64.b64decode(answer["page-download"]["data"]["content"])
    for fmt in ("csv", "xlsx"):
        response = client.post(
            "/_dash-update-component", json=export_payload("ef-project", fmt, search), headers=host
        )
        data = json.loads(response.data)["response"]['{"id":"ef-project","type":"download"}']
        content = data["data"]["content"]
        files[fmt] = base64.b64decode(content) if data["data"].get("base64") else content.encode()
    _name, files["table"] = table_export(client, "cmp-table", "xlsx", "?compare=country")
    files["report.html"] = client.get(f"/report/print{search}", headers=host).data
    pdf = client.get(f"/report/pdf{search}", headers=host).data
    files["report.pdf"] = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
    ).encode()
    for kind, data in files.items():
        parts = (
            [
                archive.read(n)
                for archive in [zipfile.ZipFile(io.BytesIO(data))]
                for n in archive.namelist()
            ]
            if data[:2] == b"PK"
            else [data]
        )
        for part in parts:
            assert b"127.0.0.1" not in part and b"localhost" not in part, kind
    cover = "\n".join(slide_texts(Presentation(io.BytesIO(files["page-pptx"])).slides[0]))
    assert "Open in the dashboard: /efficiency?country=UGA&currency=DKK" in cover
    assert b"dashboard view: /report?country=UGA" in files["report.html"]
    # with the site's address configured, the links are whole
    monkeypatch.setenv("VSLA_BASE_URL", "https://vsla.example.org")
    answer = page_export_answer(client, "page-pptx", "?country=UGA", "/efficiency", host)
    deck = base64.b64decode(answer["page-download"]["data"]["content"])
    cover = "\n".join(slide_texts(Presentation(io.BytesIO(deck)).slides[0]))
    assert "Open in the dashboard: https://vsla.example.org/efficiency?country=UGA" in cover


# --- Danish and French throughout ------------------------------------------------------------


ENGLISH_MONTHS = {
    format_date(date(2025, m, 1), f, locale="en") for m in range(1, 13) for f in ("MMM", "MMMM")
}


def svg_texts(document: str) -> list[str]:
    return [
        t
        for svg in re.findall(r"<svg.*?</svg>", document, re.S)
        for t in re.findall(r">([^<>]+)</text>", svg)
    ]


@pytest.mark.parametrize("lang", ["da", "fr"])
def test_the_report_speaks_the_language_throughout(client, lang):
    """UGA-A-01's two warnings of ageing data (the hand pool's only ones) are named in the
    catalogs' words; its trend's dates (a year of quarters: month ticks) are the language's;
    the rate of the DKK figures is named."""
    words = da if lang == "da" else fr
    page = client.get(f"/report/print?project=UGA-A-01&lang={lang}&currency=DKK").get_data(
        as_text=True
    )
    assert f"{words('ageing data')} (2)" in page
    for english in WARNING_NAMES.values():
        assert words(english) != english
        assert english not in page, english
    texts = svg_texts(page)
    assert texts and not {w for t in texts for w in t.replace(".", " ").split()} & ENGLISH_MONTHS
    # its month ticks (how many a half-column panel holds is the layout's matter, not this)
    months = {
        format_date(date(y, m, 1), "MMM y", locale=lang) for y in (2024, 2025) for m in range(1, 13)
    }
    assert months & set(texts)  # e.g. "jan. 2025"
    assert "6,50\xa0DKK" in page and "2025" in page  # the rate


def test_a_charts_image_names_its_months_in_the_language(client, hand_app):
    _name, svg = export(client, hand_app, "pj-savings", "svg", "?project=UGA-A-01&lang=da")
    texts = svg_texts(svg.decode() if isinstance(svg, bytes) else svg)
    assert not {w for t in texts for w in t.replace(".", " ").split()} & ENGLISH_MONTHS
    assert format_date(date(2025, 3, 1), "MMM y", locale="da") in texts  # "mar. 2025"


def test_the_data_quality_table_names_its_rules_in_the_language(client, hand_app):
    _name, data = table_export(client, "data-quality", "csv", "?lang=fr")
    assert f"{fr('ageing data')} (2)" in data.decode() and "ageing data" not in data.decode()


def whole_words(texts, pdf_text: str) -> list[str]:
    """The words of `texts` (of 4 characters and more) not found whole in a PDF's text."""

    def words(text: str) -> list[str]:
        return [w.strip(".,") for w in re.findall(r"[\w.,'’%-]+", text)]

    found = set(words(pdf_text))
    return [w for t in texts for w in words(t) if len(w) >= 4 and w not in found]


@pytest.mark.parametrize("lang", ["da", "fr"])
def test_table_headers_keep_their_words_whole(client, hand_app, lang, tmp_path):
    """The report's tables as Chromium prints them and the deck's KPI table as an office suite
    lays it out: every word of a header (and of a KPI's value) whole on one line."""
    from pypdf import PdfReader

    search = f"?project=UGA-A-01&lang={lang}&currency=DKK"
    page = client.get(f"/report/print{search}").get_data(as_text=True)
    headers = [
        html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)
    ]
    assert headers
    pdf = client.get(f"/report/pdf{search}").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert whole_words(headers, text) == []

    _name, data = page_export(client, "page-pptx", search, "/")
    _slides, table = kpi_table(data)
    cells = [table.cell(r, c).text for r in range(len(table.rows)) for c in range(3)]
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(data)
    printed = PdfReader(io.BytesIO(office_pdf(deck, tmp_path))).pages[1].extract_text()
    assert whole_words(cells, printed) == []
