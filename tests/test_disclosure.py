"""Disclosure control by the cell-key method (issue 16.2), attacked as the issue did.

A demo pool of 3,000 groups (seed 11) is served by the real dashboard. A guest, and a member
of Nordlys Aid looking at Fjord Partners' shared project BDI-FJO-02 (170 groups), download
the data page's CSV for the project at every threshold of the share-of-women filters in
steps of 0.01, and for every other group-level filter's values, and take consecutive
differences. Wherever the true figures (the administrator's, computed directly) of two
consecutive views differ by exactly one group, the difference the attacker sees must not be
that group's members, women or savings. The noise's size comes from the method
(dashboard.disclosure): a sum moves by at most 0.7 of its cell's mean per group (at least 3
units) plus 2.5 units."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.filters import Filters
from tests.conftest import _serving, login
from tests.dash_client import call

PROJECT = "BDI-FJO-02"  # Fjord Partners, shared, 170 groups in this pool
MEMBER = ("nordlys-aid", "demo-nordlys-aid")  # another organisation
OWNER = ("fjord-partners", "demo-fjord-partners")
# the share-of-women thresholds swept: every 0.01 where this project's groups are (all but a
# few have 50 % women or more; below, a step leaves out no group)
STEPS = [round(0.5 + i / 100, 2) for i in range(51)]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dashboard.demo import build_demo

    return build_demo(
        tmp_path_factory.mktemp("disclosure") / "pool.duckdb", seed=11, groups=3000
    ).path


@pytest.fixture
def app(pool, tmp_path, monkeypatch):
    monkeypatch.setenv("VSLA_USERS", str(tmp_path / "users.sqlite"))  # the demo accounts
    served = _serving(pool, monkeypatch)
    yield next(served)
    next(served, None)


def client_as(app, who: tuple[str, str] | None):
    client = app.server.test_client()
    if who:
        assert login(client, *who).status_code == 303
    return client


def csv_row(client, app, search: str) -> dict[str, str] | None:
    """The data page's CSV download (the issue's attack), its one row (by organisation)."""
    values = {"data-csv.n_clicks": 1, "data-xlsx.n_clicks": None, "url.search": search}
    data = call(client, app, "data-download.data", values, changed=["data-csv.n_clicks"])
    rows = list(csv.DictReader(io.StringIO(data["data-download.data"]["content"])))
    assert len(rows) <= 1, rows
    return rows[0] if rows and rows[0]["members"] else None  # (none, or suppressed: blank)


def truth(pool: Path, filters: Filters) -> dict:
    """The exact figures, as the administrator (and the command line) computes them."""
    from dashboard import db
    from dashboard.engine import compute

    with db.cursor() as con:  # (the served pool's connection: one configuration per file)
        return compute(con, filters)[0]


def sweep_searches() -> list[tuple[str, Filters]]:
    """Every view of the sweep, in order: each threshold of each share-of-women bound, then
    the project with each value of every other group-level filter."""
    views = []
    for name in ("min_pct_women", "max_pct_women"):
        for step in STEPS:
            views.append(
                (f"?project={PROJECT}&{name}={step}", Filters(project=(PROJECT,), **{name: step}))
            )
    others = {
        "setting": ("rural", "peri-urban", "urban"),
        "trained_by": ("field_officer", "village_agent", "replicated"),
        "cycle": ("first", "later"),
        "status": ("supervised", "graduated"),
        "tag": ("refugee", "climate", "humanitarian"),
    }
    for name, choices in others.items():
        views.append((f"?project={PROJECT}", Filters(project=(PROJECT,))))
        for choice in choices:
            views.append(
                (
                    f"?project={PROJECT}&{name}={choice}",
                    Filters(project=(PROJECT,), **{name: (choice,)}),
                )
            )
    return views


@pytest.fixture(scope="module")
def true_sweep(pool: Path) -> list[dict]:
    """The exact figures of every view of the sweep (read straight from the pool file)."""
    from dashboard import db
    from dashboard.engine import compute
    from dashboard.pool import open_pool

    db.reset()  # (the served pool's connection: one configuration per file in a process)
    con = open_pool(pool)
    try:
        return [compute(con, filters)[0] for _search, filters in sweep_searches()]
    finally:
        con.close()


@pytest.mark.parametrize("who", [None, MEMBER], ids=["guest", "member-of-another-organisation"])
def test_a_sweep_of_the_filters_recovers_no_group(true_sweep, app, who):
    client = client_as(app, who)
    shown = [csv_row(client, app, search) for search, _filters in sweep_searches()]
    seen = list(zip(shown, true_sweep, strict=True))
    single = 0
    for (before, true_before), (after, true_after) in itertools.pairwise(seen):
        if before is None or after is None:
            continue
        if abs(true_before["groups"] - true_after["groups"]) != 1:
            continue  # not one group apart: nothing to single out
        single += 1
        for column in ("members", "women"):
            true_group = abs(true_before[column] - true_after[column])
            difference = abs(float(before[column]) - float(after[column]))
            assert difference != true_group, (column, before, after)
        true_savings = abs(true_before["savings_usd"] - true_after["savings_usd"])
        savings = abs(float(before["savings_usd"]) - float(after["savings_usd"]))
        assert abs(savings - true_savings) >= 0.015  # misses by 2 cents at least
    assert single >= 10  # the sweep did single out groups (15 here): it attacked something


def test_perturbed_figures_are_close_to_the_truth_and_never_it(app, pool):
    """Every figure with others' groups moves, by no more than the method allows; cells of
    100 groups or more stay within 1 % for members, women and savings."""
    from dashboard import datasource, db
    from dashboard.engine import compute

    with db.cursor() as con:
        exact = {r["project"]: r for r in compute(con, Filters(), "project")}
    shown = {r["project"]: r for r in datasource.indicator_rows(Filters(), "project")}  # a guest
    checked = 0
    for pid, row in shown.items():
        if row.get("suppressed"):
            continue
        true = exact[pid]
        n = true["groups"]
        assert row["groups"] != n and abs(row["groups"] - n) <= 2
        for column, unit in (("members", 1), ("women", 1), ("savings_usd", 0.02)):
            mean = true[column] / n
            bound = 0.7 * max(mean, 3 * unit) + 2.5 * unit
            assert row[column] != true[column]
            assert abs(row[column] - true[column]) <= bound + 1e-6, (pid, column)
            if n >= 100 and mean >= 10 * unit:
                assert abs(row[column] - true[column]) <= 0.01 * true[column], (pid, column)
                checked += 1
        assert 0 <= row["pct_women"] <= 1
    assert checked >= 6


def test_the_same_link_shows_the_same_figures_in_every_process(app, pool):
    """Stable across requests, workers and restarts: the noise comes from the groups' keys,
    which come from the pool's own secret."""
    search = f"?project={PROJECT}&min_pct_women=0.9"
    first = csv_row(client_as(app, None), app, search)
    again = csv_row(client_as(app, None), app, search)
    assert first == again
    script = (
        "import json, sys; from dashboard import datasource; from dashboard.filters import Filters;"
        f"rows = datasource.indicator_rows(Filters(project=({PROJECT!r},), min_pct_women=0.9), "
        "'organisation'); print(json.dumps(rows[0], default=str))"
    )
    env = {**os.environ, "VSLA_DB": str(pool)}
    outputs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert int(outputs[0]["members"]) == int(float(first["members"]))


def test_an_organisation_and_the_admin_see_exact_figures(app, pool):
    true = truth(pool, Filters(project=(PROJECT,), min_pct_women=0.9))
    search = f"?project={PROJECT}&min_pct_women=0.9"
    for who in (OWNER, ("admin", "demo-admin")):
        row = csv_row(client_as(app, who), app, search)
        assert int(row["members"]) == true["members"] and int(row["women"]) == true["women"]
        assert float(row["savings_usd"]) == pytest.approx(true["savings_usd"])
    guest = csv_row(client_as(app, None), app, search)
    assert int(float(guest["members"])) != true["members"]


def test_shares_of_none_and_all_stay_exact(app):
    """Zero stays zero and a part equal to its whole stays equal: women-only groups are 100 %
    women for a guest too."""
    from dashboard import datasource

    rows = datasource.indicator_rows(Filters(min_pct_women=1.0), "project")
    shown = [r for r in rows if not r.get("suppressed")]
    assert shown and all(r["pct_women"] == 1.0 and r["women"] == r["members"] for r in shown)
    assert all(r["men"] == 0 for r in shown)


def test_the_caption_says_so_where_it_applies(app):
    from dashboard.disclosure import NOTE

    def caption(who, search=""):
        result = call(
            client_as(app, who), app, "data-table-caption.children", {"url.search": search}
        )
        return json.dumps(result["data-table-caption.children"])

    note = NOTE
    assert note in caption(None)
    assert note in caption(MEMBER)  # the network's total holds others' groups
    assert note not in caption(MEMBER, "?organisation=Nordlys+Aid")  # its own only
    assert note not in caption(("admin", "demo-admin"))


def test_the_network_s_own_indicators_are_perturbed_for_outsiders_only(app):
    """The network's own indicators are ratios of sums too: perturbed where a cell holds
    others' groups (shares stay shares), exact for the administrator."""
    from dashboard import datasource, db
    from dashboard.engine import compute

    with db.cursor() as con:
        exact = {r["project"]: r for r in compute(con, Filters(), "project", network=True)}
    shown = datasource.indicator_rows(Filters(), "project", network=True)  # a guest
    moved = 0
    for row in shown:
        if row.get("suppressed"):
            continue
        for name in ("ndf_formal_account", "ndf_peacebuilding", "ndf_bank_linked"):
            value, true = row[name], exact[row["project"]][name]
            assert (value is None) == (true is None)
            if value is not None:
                assert 0 <= value <= 1
                moved += value != true
    assert moved > 10
