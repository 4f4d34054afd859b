"""One network, one verdict (issue 28): every page, tile, report and file that says "network"
means the pooled value of every group the viewer may see (the view's theme filters and date,
its place filters dropped), and one tolerance rule (page_model.verdict) says better or worse
everywhere. Values by hand from tests/fixtures/hand_pool.

As of 2025-09-30 the active groups are G1 (UGA-A-01, 3,800,000 UGX / 3,800 = USD 1,000, 25
members), G2 (UGA-A-01, 1,850,000 UGX / 3,700 = USD 500, 15), G4 (KEN-A-01, 65,000 KES / 130 =
USD 500, 28), G5 (UGA-B-01, USD 400, 20), G6 (UGA-B-01, USD 600, 12) and G7 (BDI-B-01,
2,900,000 BIF / 2,900 = USD 1,000, 25); G3 is not (its data are 365 days old). Savings per
member, pooled (a ratio of sums):
- the network: 4,000 / 125 = USD 32.00;
- Alpha Aid (G1, G2, G4): 2,000 / 68 = USD 29.41; Beta Relief (G5, G6, G7): 2,000 / 57 = 35.09;
  the organisations' median: (29.41 + 35.09) / 2 = USD 32.25 (the peers' median, not the
  network);
- rural groups (G1, G5, G6): 2,000 / 57 = USD 35.09, the network under ?setting=rural; Alpha
  Aid's rural group G1 alone: 1,000 / 25 = USD 40.00.
"""

from __future__ import annotations

import html
import re

import pytest

from dashboard.exports.report import data as report
from dashboard.views.page_model import change_tone, in_line, verdict
from dashboard.web.pages import compare
from tests.conftest import login
from tests.dash_client import call, chart

ALPHA = "?organisation=Alpha%20Aid"
ALPHA_RURAL = "?organisation=Alpha%20Aid&setting=rural"


# --- The one rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reference", "kind", "direction", "expected"),
    [
        # shares: within 2 percentage points, in line, whatever the direction
        (0.88, 0.89, "pct", 1, 0),  # 1 pp below an attendance rate: in line, not worse
        (0.89, 0.88, "pct", -1, 0),  # 1 pp above a portfolio at risk: in line
        (0.86, 0.89, "pct", 1, -1),  # 3 pp below, higher is better: worse
        (0.86, 0.89, "pct", -1, 1),  # 3 pp below, lower is better (dropout): better
        (0.92, 0.89, "pct", 1, 1),
        (0.92, 0.89, "pct", -1, -1),
        (0.1095, 0.09, "pct", -1, 0),  # 1.95 pp: still in line
        # everything else: within 2% of the reference
        (30.0, 30.4, "usd", 1, 0),  # 1.3% below: in line
        (29.0, 30.0, "usd", 1, -1),  # 3.3% below savings per member: worse
        (29.0, 30.0, "usd", -1, 1),  # 3.3% below a cost per member: better
        (31.0, 30.0, "usd", -1, -1),
        (103.0, 100.0, "decimal", 1, 1),
        (101.0, 100.0, "decimal", 1, 0),
        (5.0, 0.0, "usd", 1, 0),  # no relative gap to a zero
        # no direction, or nothing to compare: no verdict
        (50.0, 10.0, "usd", 0, 0),
        (None, 10.0, "usd", 1, 0),
        (10.0, float("nan"), "usd", 1, 0),
    ],
)
def test_one_rule_judges_a_gap_by_the_tolerance_and_the_direction(
    value, reference, kind, direction, expected
):
    assert verdict(value, reference, kind, direction) == expected


def test_the_tiles_changes_follow_the_same_rule():
    assert in_line(0.88, 0.89, "pct") and not in_line(0.86, 0.89, "pct")
    assert change_tone(0.88, 0.89, "pct", -1, 1) == "flat"
    assert change_tone(0.86, 0.89, "pct", -1, 1) == "bad"
    assert change_tone(0.86, 0.89, "pct", -1, -1) == "good"
    assert change_tone(29.0, 30.0, "usd", -1, 1) == "bad"
    assert change_tone(30.0, 30.4, "usd", -1, 1) == "flat"


@pytest.mark.parametrize(
    ("value", "q1", "median", "q3", "direction", "kind", "expected"),
    [
        # a share 1 pp below the median: in line (the report said "worse than the median")
        (0.88, 0.80, 0.89, 0.95, 1, "pct", "in line with the median"),
        # 1 pp beyond tight quartiles is still in line: no "best quarter" for a point
        (0.90, 0.885, 0.89, 0.895, 1, "pct", "in line with the median"),
        # 3 pp below, inside the middle half: worse; for a lower-is-better share, better
        (0.86, 0.80, 0.89, 0.95, 1, "pct", "worse than the median"),
        (0.86, 0.80, 0.89, 0.95, -1, "pct", "better than the median"),
        # beyond the tolerance and outside the middle half: the quarter
        (0.70, 0.80, 0.89, 0.95, 1, "pct", "weakest quarter"),
        (0.70, 0.80, 0.89, 0.95, -1, "pct", "best quarter"),
        # relative: 1% from the median in line, 5% worse, 20% beyond the quartile
        (29.7, 25.0, 30.0, 35.0, 1, "usd", "in line with the median"),
        (28.5, 25.0, 30.0, 35.0, 1, "usd", "worse than the median"),
        (24.0, 25.0, 30.0, 35.0, -1, "usd", "best quarter"),
        (30.0, 25.0, 30.0, 35.0, 1, "usd", "at the median"),
    ],
)
def test_the_reports_verdict_follows_the_rule(value, q1, median, q3, direction, kind, expected):
    assert report._standing(value, q1, median, q3, direction, kind) == expected


def test_compares_marks_follow_the_rule():
    """A cell outside the peers' middle half is marked only beyond the tolerance of their
    median: a 1-point gap on a share is no mark, a 3-point one is."""
    assert compare.standing(0.90, 0.885, 0.895, 1, median=0.89, kind="pct") == ""
    assert compare.standing(0.92, 0.885, 0.895, 1, median=0.89, kind="pct") == "cell-better"
    assert compare.standing(0.92, 0.885, 0.895, -1, median=0.89, kind="pct") == "cell-worse"


# --- One network -------------------------------------------------------------------------------


def _tile(client, app, search: str) -> tuple[str, str]:
    """/performance's savings-per-member tile: its value and its network line."""
    result = call(client, app, "pf-savings_per_member_usd-value.children", {"url.search": search})
    return (
        result["pf-savings_per_member_usd-value.children"],
        result["pf-savings_per_member_usd-network.children"],
    )


def _performance_network(client, app, search: str) -> float:
    """The network's diamond on /performance's savings-per-member chart."""
    result = call(client, app, "pf-savings_per_member_usd-value.children", {"url.search": search})
    figure = chart(result, "pf-savings_per_member_usd")
    for trace in figure["data"]:
        if trace.get("type") == "scatter" and "Network" in list(trace.get("y") or []):
            return float(trace["x"][list(trace["y"]).index("Network")])
    raise AssertionError("no network diamond")


def _text(node) -> str:
    """The text of a component as JSON (its children's, joined)."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    return ""


def _rows(node) -> list[list[str]]:
    """The rows of a table as JSON: each row's cells (Th and Td) as text."""
    if isinstance(node, list):
        return [r for n in node for r in _rows(n)]
    if not isinstance(node, dict):
        return []
    children = node.get("props", {}).get("children")
    if node.get("type") == "Tr":
        cells = children if isinstance(children, list) else [children]
        return [[_text(c) for c in cells]]
    return _rows(children)


def _compare_network(client, app, search: str) -> tuple[str, str]:
    """/compare's benchmark table: the savings-per-member row's network and peers' median."""
    result = call(client, app, "cmp-table.children", {"url.search": search})
    head, *body = _rows(result["cmp-table.children"])
    row = dict(zip(head, next(r for r in body if r[0] == "Savings per member"), strict=True))
    return row["Network"], row["Peers' median"]


@pytest.mark.parametrize(
    ("search", "selection", "network", "peers"),
    [
        (ALPHA, "USD 29.41", "USD 32.00", "USD 32.25"),
        (ALPHA_RURAL, "USD 40.00", "USD 35.09", None),
    ],
)
def test_performance_compare_and_the_report_give_one_network_value(
    admin_client, hand_app, search, selection, network, peers
):
    """The same network value, the hand-computed pooled one, on /performance (the tile's
    network line and the network's diamond), /compare (its table's network column) and the
    report (its network column); the peers' median on /compare is another figure, named so."""
    value, line = _tile(admin_client, hand_app, search)
    assert (value, line) == (selection, f"Network: {network}")
    assert f"USD {_performance_network(admin_client, hand_app, search):.2f}" == network
    shown, median = _compare_network(admin_client, hand_app, search)
    assert shown == network
    if peers:
        assert median == peers  # (29.41 + 35.09) / 2: the organisations', not the network's
    page = admin_client.get(f"/report/print{search}").get_data(as_text=True)
    with_network = re.search(r"<td>Savings per member</td>(.*?)</tr>", page).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", with_network)
    assert cells[:2] == [selection, network]  # this report, the network
    words = html.unescape(page)  # (however the apostrophe is escaped)
    assert "Median of projects" in words and "Peers' median" not in words


def test_the_network_itself_has_no_network_line(admin_client, hand_app):
    """The view of the network shows no second value of itself; a theme filter alone is still
    the network (of those groups)."""
    assert _tile(admin_client, hand_app, "") == ("USD 32.00", "")
    assert _tile(admin_client, hand_app, "?setting=rural") == ("USD 35.09", "")


def test_the_network_file_column_is_the_tiles_value(hand_app, as_admin):
    """The deck's KPI table and the tiles read one computation (view.network_values)."""
    from dashboard.exports import deck

    assert deck.network_values(ALPHA, ["savings_per_member_usd"]) == {
        "savings_per_member_usd": "USD 32.00"
    }
    rep = report.build_report(ALPHA)
    row = next(s for s in rep.ratios if s.indicator == "savings_per_member_usd")
    assert (row.value, row.network) == ("USD 29.41", "USD 32.00")
    # project medians: UGA-A-01 1,500 / 40 = 37.50, KEN-A-01 500 / 28 = 17.86, UGA-B-01
    # 1,000 / 32 = 31.25, BDI-B-01 1,000 / 25 = 40.00: median (31.25 + 37.50) / 2 = 34.38
    assert row.median == "USD 34.38"
    assert row.standing == "worse than the median"  # 14% below, inside the middle half


def test_the_reports_trends_carry_the_network_line_for_a_selection(hand_app, as_admin):
    """As /performance's "Performance over time": the selection in colour, the network in
    grey; the network's own report draws its trend alone."""
    from dashboard.core import theme

    rep = report.build_report(ALPHA)
    savings, women, costs = rep.charts[1], rep.charts[2], rep.charts[3]
    for figure in (savings, women, costs):
        names = [t.name for t in figure.data if t.mode == "lines"]
        assert "Network" in names and "Alpha Aid" in names, names
        grey = next(t for t in figure.data if t.name == "Network")
        assert grey.line.color == theme.NETWORK_GREY
        assert "network in grey" in figure.layout.meta["subtitle"]
    network_savings = next(t for t in savings.data if t.name == "Network")
    assert round(float(network_savings.y[-1]), 2) == 32.00  # the network's pooled value
    alone = report.build_report("")
    assert all(t.name != "Network" for fig in alone.charts for t in fig.data)


def test_the_tiles_reserve_the_network_line(hand_app):
    """The network's line is in every tile from the start (empty for the network itself), at
    the height of one line: nothing moves when a filter brings it."""
    from dashboard.web.components.cards import kpi_tile

    tile = kpi_tile("savings_per_member_usd", prefix="pf")
    found = [
        c for c in tile._traverse() if getattr(c, "id", None) == "pf-savings_per_member_usd-network"
    ]
    assert len(found) == 1 and found[0].style == {"minHeight": "1.5em"}


def _report_network(client, search: str) -> str:
    """The report's network column on the savings-per-member row."""
    page = client.get(f"/report/print{search}").get_data(as_text=True)
    row = re.search(r"<td>Savings per member</td>(.*?)</tr>", page).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)[1]


@pytest.mark.parametrize("member", ["north", "south"])
def test_a_members_network_is_one_value_on_every_page(sharing_app, member):
    """A member's network is every group they may see (their own exact, others' shared groups
    as a guest sees them): the tile under their organisation, /compare and the report show
    the same figure of it, the figure of the member's own view of the network itself."""
    client = sharing_app.server.test_client()
    assert login(client, member).status_code == 303
    search = "?organisation=" + {"north": "North%20Aid", "south": "South%20Relief"}[member]
    whole, nothing = _tile(client, sharing_app, "")
    assert nothing == "" and whole.startswith("USD ")
    assert _tile(client, sharing_app, search)[1] == f"Network: {whole}"
    assert _compare_network(client, sharing_app, search)[0] == whole
    assert _report_network(client, search) == whole


def test_a_network_too_small_to_show_is_not_shown_beside_a_selection(hand_app):
    """Alpha Aid's member sees one group of another organisation's (G7): the network holds
    fewer than 5 of them and is not shown, on the tile, on /compare or in the report."""
    client = hand_app.server.test_client()
    assert login(client, "alpha").status_code == 303
    assert _tile(client, hand_app, ALPHA) == ("USD 29.41", "")  # (their own: exact)
    assert _compare_network(client, hand_app, ALPHA)[0] == "n/a"
    assert _report_network(client, ALPHA) == "n/a"
