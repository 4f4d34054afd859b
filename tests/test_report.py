"""The performance report: its figures against hand calculation on the hand pool, the
printable HTML (self-contained, print CSS) and the server's PDF (pages, numbers, source)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from dashboard import report_document as report
from tests.dash_client import call


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def test_a_project_report_holds_its_profile_outreach_and_standing(hand_app, as_admin):
    rep = report.build_report("?project=UGA-A-01")
    assert rep.kind == "project" and rep.title == "Alpha Uganda savings"
    profile = dict(rep.profile)
    assert profile["Organisation"] == "Alpha Aid" and profile["Donor"] == "Donor X"
    assert profile["Staff"].startswith("2 field officers, 1 village agents")
    # As of 2025-09-30: G1 (25 members) and G2 (15) are active, G3 is not (365 days old).
    # A year earlier (2024-09-30) only G3 (20 members) had reported.
    headline = {line.label: line for line in rep.headline}
    assert (headline["Members"].now, headline["Members"].then) == ("40", "20")
    assert headline["Members"].change == "+100%" and headline["Members"].tone == "good"
    assert (headline["Groups"].now, headline["Groups"].then) == ("2", "1")
    outreach = {label: value for label, value, _ in rep.outreach}
    assert outreach == {"All": "40", "Women": "35", "Men": "5", "Youth": "40%"}
    # Cost per member by project: UGA-A-01 38,000,000 UGX / 3,800 / 40 = 250;
    # UGA-B-01 4,000 / 32 = 125; KEN-A-01 1,300,000 KES / 130 / 28 = 357.14; BDI-B-01 has
    # no project report. Quartiles of (125, 250, 357.14): 187.50, 250, 303.57.
    cost = next(s for s in rep.costs if s.indicator == "cost_per_member_usd")
    assert (cost.value, cost.q1, cost.median, cost.q3) == (
        "USD 250.00",
        "USD 187.50",
        "USD 250.00",
        "USD 303.57",
    )
    assert cost.standing == "at the median"
    other = report.build_report("?project=UGA-B-01")
    cost = next(s for s in other.costs if s.indicator == "cost_per_member_usd")
    assert cost.standing == "best quarter" and cost.tone == "good"  # lower cost is better
    assert "4 projects of the pool" in rep.network


def test_standing_reads_the_direction_of_an_indicator():
    assert report._standing(5, 1, 2, 3, direction=1) == "best quarter"
    assert report._standing(5, 1, 2, 3, direction=-1) == "weakest quarter"
    assert report._standing(1.5, 1, 2, 3, direction=-1) == "better than the median"
    assert report._standing(2.5, 1, 2, 3, direction=0) == "above the median"
    assert report._standing(0.5, 1, 2, 3, direction=0) == "below the lower quartile"
    assert report._standing(None, 1, 2, 3, direction=1) == "no value"


def test_the_comparison_date_comes_from_the_link(hand_app, as_admin):
    rep = report.build_report("?project=UGA-A-01&vs=2025-06-30")
    assert rep.vs.isoformat() == "2025-06-30"
    members = next(line for line in rep.headline if line.label == "Members")
    # 30 Jun 2025: G1 (22 members, reported 15 Jun), G2 (15) and G3 (20, reported 273 days
    # earlier) are active.
    assert members.then == "57"


def test_the_printable_report_is_one_self_contained_page(client):
    response = client.get("/report/print?project=UGA-A-01")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Alpha Uganda savings</h1>" in page
    assert "@page" in page and "counter(pages)" in page  # page numbers when printed
    assert page.count("<svg") == 4  # the trend charts, inline
    # Nothing is fetched: no external source, stylesheet or font.
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert not re.search(r"url\((['\"])?https?:", page)
    assert "font/woff2;base64," in page


def test_the_report_prints_to_pdf_on_the_server(client):
    response = client.get("/report/pdf?project=UGA-A-01&vs=2025-06-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="performance-report_UGA-A-01_2025-09-30.pdf"'
    pdf = PdfReader(io.BytesIO(response.data))
    assert 1 <= len(pdf.pages) <= 2
    first = pdf.pages[0].extract_text()
    assert "Alpha Uganda savings" in first
    assert "30 Jun 2025" in first  # the comparison column
    assert f"Page 1 of {len(pdf.pages)}" in first
    assert "Source: pooled savings-group data of the network" in first
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Performance against the network" in text and "Data quality" in text


def test_the_report_page_links_the_same_view(client, hand_app):
    result = call(client, hand_app, "rp-pdf.href", {"url.search": "?project=UGA-A-01"})
    assert result["rp-pdf.href"] == "/report/pdf?project=UGA-A-01&vs=2024-09-30"
    assert result["rp-preview.src"] == "/report/print?project=UGA-A-01&vs=2024-09-30"
    options = {o["value"]: o["label"] for o in result["rp-vs.options"]}
    assert options["2024-09-30"] == "30 Sep 2024 (a year earlier)"
    assert "2025-09-30" not in options  # not before the as-of date
    assert result["rp-vs.value"] == "2024-09-30"


def test_choosing_a_comparison_date_writes_the_link(client, hand_app):
    chosen = call(
        client,
        hand_app,
        "url.search",
        {"rp-vs.value": "2025-06-30", "url.search": "?project=UGA-A-01"},
        changed=["rp-vs.value"],
        via="rp-vs.value",
    )
    assert list(chosen.values()) == ["?project=UGA-A-01&vs=2025-06-30"]
    back = call(
        client,
        hand_app,
        "url.search",
        {"rp-vs.value": "2024-09-30", "url.search": "?project=UGA-A-01&vs=2025-06-30"},
        changed=["rp-vs.value"],
        via="rp-vs.value",
    )
    assert list(back.values()) == ["?project=UGA-A-01"]  # the default needs no parameter


def test_words_in_the_page_margins_cannot_end_the_stylesheet():
    text = report._css_string('Alpha "A" </style><script>x</script>\nB\\')
    assert "<" not in text and ">" not in text and "\n" not in text
    assert text.startswith('"Alpha \\22 A\\22  \\3C /style\\3E \\3C script\\3E x')
    assert text.endswith('\\A B\\5C "')
