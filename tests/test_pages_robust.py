"""No link breaks a page: any mix of valid, invalid and junk parameters gets an answer (with
notices), never a server error."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.analytics import datasource
from dashboard.pool import db
from dashboard.web.server import model_paths
from tests.dash_client import request_body

# Each page's main callback, by one of its outputs.
PAGE_OUTPUTS = (
    "ov-lead.children",
    '"or-members"',
    "ef-note.color",
    '"ef-project"',
    "pf-savings_per_member_usd-value.children",
    '"th-chart"',
    "cmp-table.children",
    "pj-trainers.children",
    "data-table.rowData",
    "f-country.value",
    "nav-overview.href",
)
VALUES = {
    "country": ["UGA", "KEN", "BDI", "XXX", "uganda", "", "FRA"],
    "organisation": ["Alpha Aid", "Beta Relief", "Nobody"],
    "project": ["UGA-A-01", "KEN-A-01", "BDI-B-01", "NOPE"],
    "as_of": ["2025-09-30", "2025-03-31", "2024-01-01", "2030-12-31", "junk", "2025-02-30"],
    "tag": ["refugee", "climate", "unknown"],
    "trained_by": ["replicated", "field_officer", "aliens"],
    "setting": ["rural", "urban", "space"],
    "cycle": ["first", "later", "third"],
    "status": ["graduated", "supervised", "x"],
    "min_pct_women": ["0", "0.75", "1", "2", "abc"],
    "max_pct_women": ["0.5", "0.749", "-1"],
    "youth_recorded": ["yes", "no", "maybe"],
    "currency": ["USD", "DKK", "EUR", "GBP"],
    "by": ["organisation", "country", "region"],
    "compare": ["organisation", "project", "country", "x"],
    "pick": ["Alpha Aid", "UGA", "UGA-A-01", "zzz"],
    "table": ["organisation", "quarter", "setting", "trained_by", "nope"],
    "theme": ["women_band", "tag:refugee", "yes:nothing", "cycle", "<x>"],
    "junk": ["1", "<script>"],
}
queries = st.lists(
    st.sampled_from(list(VALUES)).flatmap(
        lambda key: st.tuples(st.just(key), st.sampled_from(VALUES[key]))
    ),
    max_size=6,
).map(lambda pairs: "?" + urlencode(pairs) if pairs else "")


@pytest.fixture(scope="module")
def app(hand_pool_path, hand_users_path):
    from tests.conftest import SECRET

    mp = pytest.MonkeyPatch()
    mp.setenv("VSLA_DB", str(hand_pool_path))
    mp.setenv("VSLA_SECRET_KEY", SECRET)  # (module scope: before the autouse fixture)
    mp.setenv("VSLA_USERS", str(hand_users_path))
    db.reset()
    datasource.clear_cache()
    from dashboard.web.server import create_app

    yield create_app()
    db.reset()
    mp.undo()


@pytest.fixture(scope="module", params=[None, "alpha", "admin"])
def client(app, request):
    """A guest (every figure of the hand pool suppressed), a member (some suppressed) and
    the admin (none)."""
    from tests.conftest import login

    client = app.server.test_client()
    if request.param:
        assert login(client, request.param).status_code == 303
    return client


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=queries, output=st.sampled_from(PAGE_OUTPUTS))
def test_any_link_gets_an_answer(app, client, search, output):
    values = {"url.search": search, "url.pathname": "/"}
    response = client.post("/_dash-update-component", json=request_body(app, output, values))
    assert response.status_code in (200, 204), (search, output, response.data[:300])


PATHS = sorted(model_paths())  # (the set itself: tests/test_deck.py)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=queries, path=st.sampled_from(PATHS))
def test_any_link_opens_its_page_drawn(app, client, search, path):
    """A page opened from any link comes drawn (its layout filled with the view, issue 20):
    never a server error, nor the page's own "could not be drawn" (which a fault would say)."""
    values = {"url.pathname": path, "url.search": search}
    body = request_body(app, "page-content.children", values, changed=["url.pathname"])
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, (search, path, response.data[:300])
    assert b"could not be drawn" not in response.data, (search, path)
