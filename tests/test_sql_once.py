"""Rules of the queries said once (issue 30): the visibility rule ("not restricted, or the
project is one the viewer may see") is queries/visible.sql, included where a query keeps to
the projects a viewer may see, its parameters built by filters.visibility_params alone; the
summed measures are dashboard.core.measures.SUMMED, from which every SQL list of them is
generated. A query that writes either by hand again fails here.

Values by hand from tests/fixtures/hand_pool/groups.csv: G1 (UGA-A-01) is tagged refugee,
G4 (KEN-A-01) climate and refugee, no other group has a tag.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from dashboard.analytics import disclosure
from dashboard.core.filters import Filters, visibility_params
from dashboard.core.measures import FRAGMENTS, NOISY, SUMMED, measure_sums
from dashboard.pool import sqlfiles
from dashboard.pool.sqlfiles import QUERY_DIR, sql

ROOT = Path(__file__).resolve().parent.parent
RULE = "(NOT $restricted::BOOLEAN OR list_contains($visible::VARCHAR[], project_id))"
# the queries that keep to the projects a viewer may see
VISIBLE_IN = ("scope_projects", "project_quality", "tags")


def _code(path: Path) -> str:
    """A query file's text without its comments."""
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def _queries() -> list[Path]:
    return sorted(QUERY_DIR.glob("*.sql"))


# --- The visibility rule -------------------------------------------------------------------


def test_the_visibility_rule_is_one_file() -> None:
    assert _code(QUERY_DIR / "visible.sql").strip() == RULE
    by_hand = [
        p.name
        for p in _queries()
        if p.stem != "visible" and re.search(r"\$(restricted|visible)\b", _code(p))
    ]
    assert by_hand == []


@pytest.mark.parametrize("name", VISIBLE_IN)
def test_the_queries_that_keep_to_a_viewers_projects_include_it(name: str) -> None:
    assert "--@include visible" in (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert RULE in sql(name)


def test_every_indicator_query_keeps_to_a_viewers_projects() -> None:
    for name in ("indicators", "indicators_cube", "network_indicators", "trainer_groups"):
        assert sql(name).count(RULE) == 1, name


def test_its_parameters_are_built_in_one_place() -> None:
    """No module but dashboard/core/filters.py names the rule's parameters."""
    builders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == "restricted":
                builders.append(path.relative_to(ROOT).as_posix())
    assert builders == ["dashboard/core/filters.py"]


def test_its_parameters() -> None:
    assert visibility_params(None) == {"restricted": False, "visible": []}
    assert visibility_params(()) == {"restricted": True, "visible": []}
    assert visibility_params(("B", "A")) == {"restricted": True, "visible": ["B", "A"]}
    params = Filters(visible=("UGA-A-01",)).sql_params()
    assert (params["restricted"], params["visible"]) == (True, ["UGA-A-01"])
    assert Filters().sql_params()["restricted"] is False


@pytest.mark.parametrize(
    ("visible", "tags"),
    [
        (None, [("refugee", 2), ("climate", 1)]),  # no restriction: G1 and G4
        (("UGA-A-01",), [("refugee", 1)]),  # G1
        (("KEN-A-01", "BDI-B-01"), [("climate", 1), ("refugee", 1)]),  # G4 (G7 has none)
        ((), []),  # restricted to no project: nothing
    ],
)
def test_the_rule_on_the_hand_pool(
    hand_con: duckdb.DuckDBPyConnection, visible: tuple[str, ...] | None, tags: list
) -> None:
    assert hand_con.execute(sql("tags"), visibility_params(visible)).fetchall() == tags


# --- The summed measures -------------------------------------------------------------------

# The sums a query may write itself: a project's members and their permanent noise, for the
# cost indicators (project_groups in indicators.sql and indicators_cube.sql).
OWN_SUMS = {"members", "members_eta"}


def test_no_query_lists_the_summed_measures_by_hand() -> None:
    names = {m.name for m in SUMMED} | {f"{n}_eta" for n in NOISY}
    forms = (r"\bsum\(\s*(\w+)\s*\)", r"\b(\w+)\s*:\s*\w+", r"\bnoise\.(\w+)")
    by_hand = {}
    for path in _queries():
        code = _code(path)
        found = {h for form in forms for h in re.findall(form, code) if h in names}
        if found - OWN_SUMS:
            by_hand[path.name] = sorted(found - OWN_SUMS)
    assert by_hand == {}
    assert not any((QUERY_DIR / f"{name}.sql").exists() for name in FRAGMENTS)


def test_the_generated_lists_are_included() -> None:
    tail = sql("indicator_tail")
    for name in FRAGMENTS:
        assert f"-- (generated: dashboard.core.measures.{name})" in tail
    for name in ("rollup_cube", "rollup_lean"):
        assert FRAGMENTS["measure_sums"]() in sql(name)
        assert FRAGMENTS["measure_etas"]() in sql(name)
    plain = sql("indicators", *disclosure.PLAIN)
    assert "_eta) AS" not in plain.split("agg AS")[1].split("project_report AS")[0]
    assert "vsla_perturb" not in plain


def test_a_count_sums_as_bigint_and_money_as_double() -> None:
    lines = measure_sums().splitlines()
    assert lines[0] == "    sum(groups)::BIGINT AS groups,"
    assert "    sum(members)::BIGINT AS members," in lines
    assert "    sum(savings_usd) AS savings_usd," in lines
    assert "    sum(profit_usd) AS profit_usd," in lines
    assert lines[-1] == "    sum(cell_key)::BIGINT AS cell_key"
    assert len(lines) == len(SUMMED) + 2


def test_grouped_has_every_measure_and_its_noise() -> None:
    code = _code(QUERY_DIR / "grouped.sql")
    for m in SUMMED:
        assert re.search(rf"\b{m.name}\b", code), m.name
        assert bool(re.search(rf"\b{m.name}_eta\b", code)) == m.permanent, m.name


def test_disclosure_perturbs_the_same_measures_in_the_same_order() -> None:
    assert [name for name, *_ in disclosure.MEASURES] == [m.name for m in SUMMED]
    assert disclosure.NOISY == NOISY == tuple(m.name for m in SUMMED if m.permanent)
    struct = re.findall(r"(\w+) DOUBLE", disclosure._SUMS)
    assert struct == [m.name for m in SUMMED]


def test_an_include_may_be_indented_and_must_exist(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "q.sql").write_text("SELECT 1\n    WHERE\n    --@include c\n", encoding="utf-8")
    (tmp_path / "c.sql").write_text("true\n", encoding="utf-8")
    (tmp_path / "bad.sql").write_text("--@include missing\n", encoding="utf-8")
    monkeypatch.setattr(sqlfiles, "QUERY_DIR", tmp_path)
    sql.cache_clear()
    try:
        assert sql("q") == "SELECT 1\n    WHERE\ntrue\n"
        with pytest.raises(KeyError, match="missing"):
            sql("bad")
    finally:
        sql.cache_clear()
