"""Disclosure control (issues 16.2 and 26), attacked as the issues did, against the served
dashboard (the real Dash server, through its callbacks and routes).

A demo pool of 3,000 groups (seed 11) is served. A guest, and a member of Nordlys Aid,
look at Fjord Partners' shared project BDI-FJO-02 (170 groups) and the other shared
projects as a patient analyst would: sweeps of the share-of-women bounds, views that differ
by one group, averages of many such pairs, the spreads of the performance page, the counts
of the data-quality table, the report and the profile. The true figures (the administrator's)
are computed directly from the pool file. The noise's size comes from the method
(dashboard.analytics.disclosure): each group's measure moves by 10.6 to 19.4 % (its permanent
noise),
and a cell's sum further by at most 0.2 of its mean per group (at least 3 units) plus 2.5
units (the cell key)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from dashboard.core.filters import Filters
from dashboard.exports.tables import values as arr
from tests.conftest import _serving_demo_accounts, login
from tests.dash_client import call, chart

PROJECT = "BDI-FJO-02"  # Fjord Partners, shared, 170 groups in this pool
MEMBER = ("nordlys-aid", "demo-nordlys-aid")  # another organisation
OWNER = ("fjord-partners", "demo-fjord-partners")
ADMIN = ("admin", "demo-admin")
GRID = [round(i * 0.05, 2) for i in range(21)]  # the bounds a guest's view may have
PERMANENT = (0.10625, 0.19375)  # a group's permanent noise, the least and the most (a share)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dashboard.demo.build import build_demo

    return build_demo(
        tmp_path_factory.mktemp("disclosure") / "pool.duckdb", seed=11, groups=3000
    ).path


@pytest.fixture
def app(pool, tmp_path, monkeypatch):
    yield from _serving_demo_accounts(pool, tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def groups(pool: Path) -> list[dict[str, Any]]:
    """Every active group at the pool's latest date, read straight from the pool file."""
    import duckdb

    con = duckdb.connect(str(pool), read_only=True)
    try:
        cursor = con.execute(
            "SELECT g.*, p.organisation, p.shared FROM rollup_groups g "
            "JOIN projects p USING (project_id) "
            "WHERE g.as_of = (SELECT max(report_date) FROM datasets)"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def client_as(app, who: tuple[str, str] | None):
    client = app.server.test_client()
    if who:
        assert login(client, *who).status_code == 303
    return client


def csv_rows(client, app, search: str) -> list[dict[str, str]]:
    """The data page's CSV download (the issue's attack): its rows."""
    values = {"data-csv.n_clicks": 1, "data-xlsx.n_clicks": None, "url.search": search}
    data = call(client, app, "data-download.data", values, changed=["data-csv.n_clicks"])
    return list(csv.DictReader(io.StringIO(data["data-download.data"]["content"])))


def csv_row(client, app, search: str) -> dict[str, str] | None:
    """The one row of a CSV download by organisation (None: none, or not shown)."""
    rows = csv_rows(client, app, search)
    assert len(rows) <= 1, rows
    return rows[0] if rows and rows[0]["members"] else None


def truth(filters: Filters, by: str | None = None) -> list[dict]:
    """The exact figures, as the administrator (and the command line) computes them."""
    from dashboard.analytics.engine import compute
    from dashboard.pool import db

    with db.cursor() as con:  # (the served pool's connection: one configuration per file)
        return compute(con, filters, by)


def share(group: dict[str, Any]) -> Fraction:
    return Fraction(int(group["women"]), int(group["members"]))


# --- Differencing: views nested one in another --------------------------------------------

# A shared project of Havn Relief's with eleven pairs of nested views one group apart in this pool
# (the attack needs such pairs: a project whose theme filters never split off a single group
# has nothing to single out).
NESTED_PROJECT = "NER-HAV-01"

THEMES = {
    "trained_by": ("field_officer", "village_agent", "replicated"),
    "setting": ("rural", "peri-urban", "urban"),
    "cycle": ("first", "later"),
    "min_pct_women": (0.8,),
}


def nested_views() -> list[dict[str, str]]:
    """Every view of the project with at most one value of each theme filter: a view and
    the same view with one more filter are nested (the second's groups are some of the
    first's)."""
    choices = [[None, *values] for values in THEMES.values()]
    return [
        {k: v for k, v in zip(THEMES, combo, strict=True) if v is not None}
        for combo in itertools.product(*choices)
    ]


def view_search(view: dict[str, Any]) -> str:
    return f"?project={NESTED_PROJECT}" + "".join(f"&{k}={v}" for k, v in view.items())


def view_filters(view: dict[str, Any]) -> Filters:
    return Filters(
        project=(NESTED_PROJECT,),
        **{k: v if k == "min_pct_women" else (v,) for k, v in view.items()},
    )


@pytest.fixture(scope="module")
def true_views(pool: Path) -> list[dict]:
    """The exact figures of every nested view (read straight from the pool file)."""
    from dashboard.analytics.engine import compute
    from dashboard.pool import db
    from dashboard.pool.files import open_pool

    db.reset()  # (the served pool's connection: one configuration per file in a process)
    con = open_pool(pool)
    try:
        return [compute(con, view_filters(view))[0] for view in nested_views()]
    finally:
        con.close()


def test_two_views_that_differ_by_one_group_never_give_it(true_views, app):
    """Two views, one nested in the other, that differ by exactly one group never differ by
    its members, women or savings: the cell key's parity keeps them a class modulo 3 units
    apart, whatever the groups' permanent noise (a guest's; another organisation's member
    sees the same cells the same way: test_the_same_sum_is_one_draw_wherever_it_is_shown)."""
    client = client_as(app, None)
    views = nested_views()
    shown = {i: csv_row(client, app, view_search(view)) for i, view in enumerate(views)}
    single = 0
    for (i, wide), (j, narrow) in itertools.permutations(enumerate(views), 2):
        if not (wide.items() < narrow.items() and len(narrow) == len(wide) + 1):
            continue
        if true_views[i]["groups"] - true_views[j]["groups"] != 1:
            continue  # not one group apart: nothing to single out
        before, after = shown[i], shown[j]
        if before is None or after is None:
            continue
        single += 1
        for column in ("members", "women"):
            true_group = true_views[i][column] - true_views[j][column]
            difference = float(before[column]) - float(after[column])
            assert difference != true_group, (column, wide, narrow)
        true_savings = true_views[i]["savings_usd"] - true_views[j]["savings_usd"]
        savings = float(before["savings_usd"]) - float(after["savings_usd"])
        assert abs(savings - true_savings) >= 0.015  # misses by 2 cents at least
    assert single >= 3  # the views did single out groups: they attacked something


# --- Item 1: the share-of-women filter is no oracle ------------------------------------------


@pytest.mark.parametrize("who", [None, MEMBER], ids=["guest", "member-of-another-organisation"])
def test_a_sweep_of_the_share_of_women_finds_no_group_s_share(app, groups, who):
    """The issue's attack: the bound swept over every fraction w/m (m <= 40) between 60 and
    90 % changed the answer exactly at each group's share. Now every bound a guest or
    another organisation sends is rounded to the grid of 5 percentage points: the answer to
    any bound is the answer to its grid point, so no sweep finds a share finer than that."""
    client = client_as(app, who)
    fractions = sorted({Fraction(w, m) for m in range(1, 41) for w in range(m + 1)})
    sweep = [f for f in fractions if Fraction(3, 5) <= f <= Fraction(9, 10)]
    shares = {share(g) for g in groups if g["project_id"] == PROJECT}
    assert len(shares & set(sweep)) >= 10  # the project's groups' shares are in the sweep
    answers: dict[float, list[dict[str, str]]] = {}
    for bound in sweep:
        rows = csv_rows(client, app, f"?project={PROJECT}&min_pct_women={float(bound)!r}")
        grid = round(round(float(bound) / 0.05) * 0.05, 2)  # the nearest multiple of 5 %
        answers.setdefault(grid, rows)
        assert rows == answers[grid], bound  # the grid point's answer, whatever the bound
    assert len(answers) <= 7  # 60, 65, ..., 90 %: all a sweep can tell apart
    # the page says so
    result = call(client, app, "notices.children", {"url.search": "?min_pct_women=0.733"})
    text = json.dumps(result["notices.children"])
    assert "steps of 5 percentage points" in text and "73.3%" in text and "75%" in text


def test_the_owner_and_the_admin_keep_their_exact_bounds(app):
    """Rounding is for views holding others' groups: the administrator, and an organisation
    that sees no one else's data, keep the bound they asked for."""
    search = f"?project={PROJECT}&min_pct_women=0.733"
    admin = csv_rows(client_as(app, ADMIN), app, search)
    true = truth(Filters(project=(PROJECT,), min_pct_women=0.733), "organisation")
    assert int(admin[0]["members"]) == true[0]["members"]
    notices = call(client_as(app, ADMIN), app, "notices.children", {"url.search": search})
    assert "percentage points" not in json.dumps(notices["notices.children"])


def test_no_group_reads_the_same_as_a_few(app, groups):
    """min = max = c was cheaper still: "fewer than 5 groups" against "0 groups" told
    whether some group had share c. A grid point where the project has no group and one
    where it has one to four now read the same, as of the date: the overview's lead and
    tiles, the performance page's tiles and boxes, and the data page's tables. (A trend
    may differ: earlier quarters with 5 or more groups are shown, as they should be.)"""
    counts = {c: 0 for c in GRID}
    for g in groups:
        if g["project_id"] == PROJECT and float(share(g)) in counts:
            counts[float(share(g))] += 1
    inner = [c for c in GRID if c not in (0.0, 0.5, 1.0)]  # (as text, these are everywhere)
    none = next(c for c in inner if counts[c] == 0)
    few = next(c for c in inner if 1 <= counts[c] <= 4)
    client = client_as(app, None)

    def seen(c: float) -> str:
        search = f"?project={PROJECT}&min_pct_women={c}&max_pct_women={c}"
        answers: list[Any] = []
        for output in ("ov-lead.children", '"pf-savings_per_member_usd"'):
            result = call(client, app, output, {"url.search": search})
            answers.append({k: v for k, v in result.items() if "kpi" in k or "lead" in k})
        answers.append(chart(result, "pf-savings_per_member_usd")["data"])
        answers.append(csv_rows(client, app, search))
        answers.append(csv_rows(client, app, search + "&table=setting"))
        text = json.dumps(answers, sort_keys=True)
        return text.replace(str(c), "c").replace(f"{round(c * 100)}%", "c")

    assert seen(none) == seen(few)
    assert "fewer than 5 groups" in seen(none)
    by_org = csv_rows(client, app, f"?project={PROJECT}&min_pct_women={none}&max_pct_women={none}")
    assert by_org == [dict.fromkeys(by_org[0], "") | {"organisation": "Fjord Partners"}]


# --- Item 2: spreads rest on many groups, moved ------------------------------------------------


def test_a_box_rests_on_many_of_others_groups_each_moved(app, groups):
    """The boxes were exact quantiles once a box held 5 of others' groups: with 5, three
    groups' savings per member were q1, median and q3. Now a box with others' groups is
    drawn over 30 or more of them, from each one's value moved by 10 to 20 %: with 33
    groups (q1, median and q3 then fall on single groups), none of the five figures is any
    group's own value to the cent, and a project of 12 groups draws no box at all."""

    def spm(g: dict[str, Any]) -> float:
        return g["savings"] / g["per_usd"] / g["members"]

    # a view of one project with 4k + 1 >= 33 groups: the quartiles are single groups'
    combos = [
        (p, setting)
        for p in sorted({g["project_id"] for g in groups if g["shared"]})
        for setting in ("rural", "peri-urban", "urban")
    ]
    found = None
    for pid, setting in combos:
        chosen = [g for g in groups if g["project_id"] == pid and g["setting"] == setting]
        if len(chosen) >= 33 and len(chosen) % 4 == 1 and pid != PROJECT:
            found = pid, setting, chosen
            break
    assert found, "the pool has such a view"
    pid, setting, chosen = found
    exact = {round(spm(g), 2) for g in chosen}
    client = client_as(app, None)
    search = f"?project={pid}&setting={setting}&by=organisation"
    figure = chart(
        call(client, app, '"pf-savings_per_member_usd"', {"url.search": search}),
        "pf-savings_per_member_usd",
    )
    box = figure["data"][0]
    row = list(box["y"]).index(chosen[0]["organisation"])  # (the network's row first)
    drawn = [float(arr(box[k])[row]) for k in ("lowerfence", "q1", "median", "q3", "upperfence")]
    assert all(d is not None for d in drawn)
    assert not {round(d, 2) for d in drawn} & exact
    # each drawn figure is some group's value moved by 10.6 to 19.4 %, and in order
    values = sorted(spm(g) for g in chosen)
    assert drawn == sorted(drawn)
    assert values[0] * (1 - PERMANENT[1]) <= drawn[0] and drawn[-1] <= values[-1] * 1.2
    # the owner sees the exact quartiles (the 9th, 17th and 25th of 33 groups)
    from dashboard.access.demo_accounts import demo_username

    name = demo_username(chosen[0]["organisation"])
    mine = chart(
        call(
            client_as(app, (name, f"demo-{name}")),
            app,
            '"pf-savings_per_member_usd"',
            {"url.search": search},
        ),
        "pf-savings_per_member_usd",
    )["data"][0]
    row = list(mine["y"]).index(chosen[0]["organisation"])
    n = len(values)
    assert arr(mine["median"])[row] == pytest.approx(values[(n - 1) // 2])
    assert arr(mine["q1"])[row] == pytest.approx(values[(n - 1) // 4])
    # a project of 12 groups (others'): no box, and the caption says why
    small = call(client, app, '"pf-savings_per_member_usd"', {"url.search": "?project=RWA-FJO-01"})
    figure = chart(small, "pf-savings_per_member_usd")
    boxes = [t for t in figure.get("data", []) if t.get("type") == "box"]
    assert all("Fjord Partners" not in t["y"] for t in boxes)  # (the network's box only)
    caption = json.dumps(small)
    assert "30 or more of them" in caption


# --- Item 3: one draw per sum, and no average of many pairs ----------------------------------


@pytest.mark.parametrize("who", [None, MEMBER], ids=["guest", "member-of-another-organisation"])
def test_the_same_sum_is_one_draw_wherever_it_is_shown(app, who):
    """2,421 members in the table and 2,442 behind cost per member (true 2,432) halved the
    noise for free. Now the members and groups of the same groups are one draw: the table's
    members are the members that cost per member divides by, project by project, and the
    box's count of groups is the table's."""
    client = client_as(app, who)
    rows = csv_rows(client, app, "?table=project")
    checked = 0
    for row in rows:
        if not row["members"] or not row["cost_per_member_usd"]:
            continue
        cost = float(row["cost_to_date_usd"])
        assert round(cost / float(row["cost_per_member_usd"])) == int(row["members"]), row
        assert round(cost / float(row["cost_per_group_usd"])) == int(row["groups"]), row
        checked += 1
    assert checked >= 30
    result = call(client, app, '"pf-savings_per_member_usd"', {"url.search": "?by=organisation"})
    figure = chart(result, "pf-savings_per_member_usd")
    shown = {row["organisation"]: int(row["groups"]) for row in csv_rows(client, app, "")}
    marks = figure["data"][1]
    for name, custom in zip(marks["y"], marks["customdata"], strict=True):
        if name in shown:
            assert custom[1] == shown[name], name


def test_averaging_many_pairs_that_differ_by_one_group_misses_it(app, groups):
    """143 pairs of views that differ by one group averaged to that group's members within
    5 %. The attack, performed: one group of BDI-FJO-02 is the only one of its project with
    its trainer kind, setting, status and cycle; a view of those attributes over a set of
    other shared projects, with and without BDI-FJO-02, differs by that group alone. Over
    150 such sets, the average difference converges on the group's members moved by its
    permanent noise (10.6 to 19.4 %): never within 5 % of them."""
    keys = ("trained_by", "setting", "status", "cycle")

    def attributes(g: dict[str, Any]) -> tuple[str, ...]:
        cycle = "first" if g["cycle_number"] == 1 else "later"
        return (g["trained_by"], g["setting"], g["status"], cycle)

    mine = [g for g in groups if g["project_id"] == PROJECT]
    alone = [g for g in mine if sum(attributes(h) == attributes(g) for h in mine) == 1]
    assert alone, "a group alone with its attributes in its project"
    # the one whose attributes the most other shared projects have
    others = sorted({g["project_id"] for g in groups if g["shared"] and g["project_id"] != PROJECT})

    def holding(target: dict[str, Any]) -> dict[str, int]:
        out: dict[str, int] = {}
        for g in groups:
            if g["project_id"] in others and attributes(g) == attributes(target):
                out[g["project_id"]] = out.get(g["project_id"], 0) + 1
        return out

    target = max(alone, key=lambda g: len(holding(g)))
    counts = holding(target)
    assert len(counts) >= 12
    theme = "&".join(f"{k}={v}" for k, v in zip(keys, attributes(target), strict=True))
    rng = random.Random(26)
    sets: set[tuple[str, ...]] = set()
    while len(sets) < 150:
        chosen = tuple(sorted(rng.sample(sorted(counts), rng.randint(3, len(counts) - 1))))
        if sum(counts[p] for p in chosen) >= 5:
            sets.add(chosen)
    client = client_as(app, None)
    differences = {"members": [], "savings_usd": []}
    for chosen in sorted(sets):
        without = "&".join(f"project={p}" for p in chosen)
        # one row: the table broken down by the one trainer kind chosen
        search = f"?{without}&{theme}&table=trained_by"
        a = csv_rows(client, app, search + f"&project={PROJECT}")
        b = csv_rows(client, app, search)
        assert len(a) == len(b) == 1 and a[0]["members"] and b[0]["members"]
        for column in differences:
            differences[column].append(float(a[0][column]) - float(b[0][column]))
    members = int(target["members"])
    # no single pair gives the group's figure either (the cell key's parity)
    assert members not in differences["members"]
    estimate = sum(differences["members"]) / len(differences["members"])
    assert abs(estimate - members) > 0.05 * members, (estimate, members)
    assert abs(estimate - members) < 0.3 * members  # (it is an estimate: of the moved value)
    savings = target["savings"] / target["per_usd"]
    estimate = sum(differences["savings_usd"]) / len(differences["savings_usd"])
    assert abs(estimate - savings) > 0.05 * savings, (estimate, savings)


# --- Item 4: counts of groups are perturbed like every other count --------------------------


def test_data_quality_counts_are_perturbed_for_others(app, pool):
    """The data-quality table, its downloads and the report's data-quality section gave
    other organisations' numbers of groups reporting exactly. Now a guest's move by one or
    two groups, the warnings' counts move too, the owner's are exact; a project with fewer
    than 5 groups reporting, or none, shows its name only."""
    from dashboard.analytics import datasource
    from dashboard.pool import db

    with db.cursor() as con:  # (the served pool's connection: one configuration per file)
        true = dict(
            con.execute(
                "SELECT project_id, count(DISTINCT group_id) FROM datasets GROUP BY project_id"
            ).fetchall()
        )
        warnings = dict(
            con.execute("SELECT project_id, count(*) FROM warnings GROUP BY project_id").fetchall()
        )
        early = (
            con.execute("SELECT min(report_date) + INTERVAL 100 DAY FROM datasets")
            .fetchone()[0]
            .date()
        )

    from dashboard.access.policy import GUEST, Viewer
    from dashboard.access.viewer import acting_as

    def quality(who, search=""):
        """The table's rows by project id (the rows name projects as the viewer knows them)."""
        viewer = Viewer("member", "Fjord Partners", who[0]) if who else GUEST
        with acting_as(viewer):
            labels = datasource.facts().project_labels
        by_label = {label: pid for pid, label in labels.items()}
        rows = call(client_as(app, who), app, "data-quality.rowData", {"url.search": search})
        return {by_label[r["project"]]: r for r in rows["data-quality.rowData"]}

    guest = quality(None)
    moved = 0
    for pid, row in guest.items():
        assert (
            row["groups_reporting"] != true[pid] and abs(row["groups_reporting"] - true[pid]) <= 2
        )
        moved += row["warnings"] != warnings.get(pid, 0)
    assert moved >= 10
    assert quality(None) == guest  # the same draw every time
    owner = quality(OWNER)
    fjord = [p for p in owner if p.split("-")[1] == "FJO"]
    assert fjord and all(owner[p]["groups_reporting"] == true[p] for p in fjord)
    # early on, projects with fewer than 5 groups reporting and those with none read alike
    start = quality(None, f"?as_of={early.isoformat()}")
    hidden = [r for r in start.values() if r["groups_reporting"] is None]
    assert hidden and all(r["warning_rules"] == "fewer than 5 groups" for r in hidden)
    # the report's data-quality section of the project, as printed
    page = client_as(app, None).get(f"/report/print?project={PROJECT}").get_data(as_text=True)
    owner_page = (
        client_as(app, OWNER).get(f"/report/print?project={PROJECT}").get_data(as_text=True)
    )
    assert f">{true[PROJECT]}<" in owner_page.replace(",", "")
    assert f">{true[PROJECT]}<" not in page.replace(",", "")


def test_groups_registered_are_perturbed_for_others(app, pool):
    from dashboard.pool import db

    with db.cursor() as con:  # (the served pool's connection: one configuration per file)
        (registered,) = con.execute(
            "SELECT count(*) FROM groups WHERE project_id = ?", [PROJECT]
        ).fetchone()

    def profile(who) -> str:
        result = call(
            client_as(app, who), app, "pj-profile.children", {"url.search": f"?project={PROJECT}"}
        )
        return json.dumps(result["pj-profile.children"])

    assert f'"{registered}"' in profile(OWNER)
    guest = profile(None)
    assert f'"{registered}"' not in guest
    assert any(f'"{registered + d}"' in guest for d in (-2, -1, 1, 2))
    assert profile(None) == guest


# --- Size and stability -----------------------------------------------------------------------


def test_perturbed_figures_are_close_to_the_truth_and_never_it(app, pool, groups):
    """Every figure with others' groups moves, within what the method allows: its groups'
    permanent noise (at most 19.4 % of each) plus the cell key's; cells of 100 groups or more
    stay within 4 standard deviations of the permanent noise (about 15 % of the root of the
    sum of squares of the groups' values) plus the cell key's, which for 100 groups of one
    size is about 6 %, and the median cell within 2 %."""
    from dashboard.analytics import datasource

    exact = {r["project"]: r for r in truth(Filters(), "project")}
    shown = {r["project"]: r for r in datasource.indicator_rows(Filters(), "project")}  # a guest
    per_usd = {g["project_id"]: g["per_usd"] for g in groups}
    sizes: dict[tuple[str, str], list[float]] = {}
    for g in groups:
        sizes.setdefault((g["project_id"], "members"), []).append(g["members"])
        sizes.setdefault((g["project_id"], "women"), []).append(g["women"])
        sizes.setdefault((g["project_id"], "savings_usd"), []).append(
            g["savings"] / per_usd[g["project_id"]]
        )
    errors = []
    for pid, row in shown.items():
        if row.get("suppressed"):
            continue
        true = exact[pid]
        n = true["groups"]
        assert row["groups"] != n and abs(row["groups"] - n) <= 2
        for column, unit in (("members", 1), ("women", 1), ("savings_usd", 0.02)):
            keyed = 0.2 * max(true[column] / n, 3 * unit) + 2.5 * unit
            assert row[column] != true[column]
            error = abs(row[column] - true[column])
            assert error <= PERMANENT[1] * true[column] + keyed + 1e-6, (pid, column)
            spread = 0.16 * sum(x * x for x in sizes[(pid, column)]) ** 0.5
            assert error <= 4 * spread + keyed, (pid, column, error, spread)
            errors.append(error / true[column])
        assert 0 <= row["pct_women"] <= 1
    errors.sort()
    assert errors[len(errors) // 2] < 0.02


def test_the_same_link_shows_the_same_figures_in_every_process(app, pool):
    """Stable across requests, workers and restarts: the noise comes from the groups' keys
    and seeds, which come from the pool's own secret."""
    search = f"?project={PROJECT}&min_pct_women=0.9"
    first = csv_row(client_as(app, None), app, search)
    again = csv_row(client_as(app, None), app, search)
    assert first == again
    script = (
        "import json, sys; from dashboard.analytics import datasource;"
        " from dashboard.core.filters import Filters;"
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
    true = truth(Filters(project=(PROJECT,), min_pct_women=0.9))[0]
    search = f"?project={PROJECT}&min_pct_women=0.9"
    for who in (OWNER, ADMIN):
        row = csv_row(client_as(app, who), app, search)
        assert int(row["members"]) == true["members"] and int(row["women"]) == true["women"]
        assert float(row["savings_usd"]) == pytest.approx(true["savings_usd"])
    guest = csv_row(client_as(app, None), app, search)
    assert int(float(guest["members"])) != true["members"]


def test_shares_of_none_and_all_stay_exact(app):
    """Zero stays zero and a part equal to its whole stays equal: women-only groups are 100 %
    women for a guest too."""
    from dashboard.analytics import datasource

    rows = datasource.indicator_rows(Filters(min_pct_women=1.0), "project")
    shown = [r for r in rows if not r.get("suppressed")]
    assert shown and all(r["pct_women"] == 1.0 and r["women"] == r["members"] for r in shown)
    assert all(r["men"] == 0 for r in shown)


def test_the_caption_says_so_where_it_applies(app):
    from dashboard.analytics.disclosure import NOTE

    def caption(who, search=""):
        result = call(
            client_as(app, who), app, "data-table-caption.children", {"url.search": search}
        )
        return json.dumps(result["data-table-caption.children"])

    note = NOTE
    assert note in caption(None)
    assert note in caption(MEMBER)  # the network's total holds others' groups
    assert note not in caption(MEMBER, "?organisation=Nordlys+Aid")  # its own only
    assert note not in caption(ADMIN)


def test_the_network_s_own_indicators_are_perturbed_for_outsiders_only(app):
    """The network's own indicators are ratios of sums too: perturbed where a cell holds
    others' groups (shares stay shares), exact for the administrator."""
    from dashboard.analytics import datasource

    exact = {r["project"]: r for r in truth(Filters(), "project")}
    from dashboard.analytics.engine import compute
    from dashboard.pool import db

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
