"""Issue 26, item 6: look-alikes. One normalisation (dashboard/ingest/text.py) for the
ownership check and for what is written; an id or organisation name that looks like another
one of the pool (or of an earlier row of the import) but is not the same text is an error
naming it; ids hold no invisible characters, project ids only safe ASCII characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import base_tables, dataset, group, project, report, sha256, write_csvs

from dashboard.ingest import ImportRejected, import_files
from dashboard.ingest.text import normalise_name, normalise_text, skeleton
from dashboard.pool.files import open_pool

# Nordlys Aid's private project and Fjord Partners' shared one, as in the demo's names.
PRIVATE = "UGA-NOR-01"
VARIANTS = {
    "lower-case": "uga-nor-01",
    "zero-width-space": "UGA-NOR\u200b-01",
    "cyrillic-a": "UG\u0410-NOR-01",  # CYRILLIC CAPITAL LETTER A
    "full-width": "\uff35\uff27\uff21\uff0d\uff2e\uff2f\uff32\uff0d\uff10\uff11",
}


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = open_pool(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def base_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("lookalikes")
    tables = base_tables()
    tables["projects"] = [
        project(project_id=PRIVATE, organisation="Nordlys Aid", shared="no"),
        project(project_id="BDI-FJO-01", organisation="Fjord Partners", shared="yes"),
        project(project_id="DK-FOLK-01", organisation="Dansk Folkehjælp", shared="yes"),
    ]
    tables["project_reports"] = [report(project_id=PRIVATE)]
    tables["groups"] = [group(project_id=PRIVATE), group(project_id="BDI-FJO-01")]
    tables["datasets"] = [dataset(project_id=PRIVATE), dataset(project_id="BDI-FJO-01")]
    path = tmp / "pool.duckdb"
    import_files(write_csvs(tmp / "in", tables), path)
    return path


@pytest.fixture
def pool(base_pool: Path, tmp_path: Path) -> Path:
    path = tmp_path / "pool.duckdb"
    path.write_bytes(base_pool.read_bytes())
    return path


def _refused(pool: Path, folder: Path, tables: dict, organisation: str | None) -> ImportRejected:
    before = sha256(pool)
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(folder, tables), pool, organisation=organisation)
    assert sha256(pool) == before  # byte for byte
    return caught.value


def test_the_normalisation():
    assert normalise_name("Fjord Partners\u2003") == "Fjord Partners"
    assert normalise_name("\u00a0Fjord \t Partners ") == "Fjord Partners"
    assert normalise_text(VARIANTS["full-width"]) == PRIVATE
    assert normalise_name("Dansk Folkehjælp") == "Dansk Folkehjælp"
    assert {skeleton(v) for v in VARIANTS.values()} == {skeleton(PRIVATE)} == {"uga-nor-01"}
    assert skeleton("Fjord P\u0430rtners") == skeleton("fjord partners")  # Cyrillic а
    assert skeleton("Dansk Folkehjælp") != skeleton("Dansk Folkehjaelp")


@pytest.mark.parametrize("who", ["Fjord Partners", None], ids=["member", "admin"])
@pytest.mark.parametrize("variant", ["lower-case", "zero-width-space", "cyrillic-a"])
def test_a_look_alike_of_another_organisations_project_id_is_refused(pool, tmp_path, who, variant):
    """A member of Fjord Partners (or the administrator) cannot put a project that looks
    like Nordlys Aid's private UGA-NOR-01 beside it."""
    value = VARIANTS[variant]
    tables = {"projects": [project(project_id=value, organisation="Fjord Partners")]}
    exc = _refused(pool, tmp_path / "in", tables, who)
    (issue,) = [i for i in exc.issues if "looks like the project" in i.message]
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "projects.csv",
        2,
        "project_id",
        value,
    )
    assert f"looks like the project {PRIVATE} already in the pool" in issue.message
    assert _query(pool, "SELECT count(*) FROM projects")[0][0] == 3


def test_invisible_and_foreign_characters_are_named(pool, tmp_path):
    tables = {
        "projects": [
            project(project_id=VARIANTS["zero-width-space"], organisation="Fjord Partners"),
            project(project_id=VARIANTS["cyrillic-a"], organisation="Fjord Partners"),
        ]
    }
    exc = _refused(pool, tmp_path / "in", tables, None)
    messages = {(i.row, i.message.split(";")[0]) for i in exc.issues}
    assert (2, "project_id holds the character U+200B ZERO WIDTH SPACE, which is invisible or "
            "looks like a space") in messages  # fmt: skip
    assert (3, "project_id holds the character U+0410 CYRILLIC CAPITAL LETTER A") in messages
    zero_width = [i for i in exc.issues if i.row == 2 and "looks like the" in i.message]
    assert "(it holds U+200B ZERO WIDTH SPACE)" in zero_width[0].message


def test_a_full_width_id_is_the_same_id_and_stays_its_owners(pool, tmp_path):
    """Full-width letters are the same id once in NFKC form: the ownership check sees
    UGA-NOR-01 (Nordlys Aid's), as the writer would write it."""
    tables = {
        "projects": [project(project_id=VARIANTS["full-width"], organisation="Fjord Partners")]
    }
    exc = _refused(pool, tmp_path / "in", tables, "Fjord Partners")
    (issue,) = exc.issues
    assert issue.value == VARIANTS["full-width"]
    assert f"project {PRIVATE} belongs to another organisation" in issue.message
    # the administrator's full-width row is UGA-NOR-01 itself: no second project appears
    groups = {"groups": [group(project_id=VARIANTS["full-width"], group_id="G7")]}
    import_files(write_csvs(tmp_path / "admin", groups), pool)
    assert _query(pool, "SELECT project_id FROM groups WHERE group_id = 'G7'") == [(PRIVATE,)]
    assert _query(pool, "SELECT count(*) FROM projects")[0][0] == 3


def test_an_em_space_does_not_make_a_ninth_organisation(pool, tmp_path):
    """ "Fjord Partners" followed by an em space passed the ownership check (which stripped
    it) and was stored with it, as a new organisation that looks the same. Now the check and
    the write see the same name: Fjord Partners, exactly."""
    tables = {
        "projects": [project(project_id="RWA-FJO-02", organisation="Fjord Partners\u2003")],
        "groups": [group(project_id="RWA-FJO-02")],
    }
    import_files(write_csvs(tmp_path / "in", tables), pool, organisation="Fjord Partners")
    orgs = _query(pool, "SELECT DISTINCT organisation FROM projects ORDER BY 1")
    assert orgs == [("Dansk Folkehjælp",), ("Fjord Partners",), ("Nordlys Aid",)]
    # another organisation's member cannot use the name to add a project to Fjord Partners
    tables = {"projects": [project(project_id="RWA-FJO-03", organisation="Fjord Partners\u2003")]}
    exc = _refused(pool, tmp_path / "other", tables, "Nordlys Aid")
    assert "you may import Nordlys Aid's projects only" in exc.issues[0].message


@pytest.mark.parametrize(
    ("name", "difference"),
    [
        ("fjord partners", "they differ only in upper and lower case"),
        ("Fjord P\u0430rtners", "it holds U+0430 CYRILLIC SMALL LETTER A"),
        ("FJORD PARTNERS", "they differ only in upper and lower case"),
    ],
)
def test_a_look_alike_organisation_name_is_refused_naming_the_existing_one(
    pool, tmp_path, name, difference
):
    tables = {"projects": [project(project_id="RWA-NEW-01", organisation=name)]}
    exc = _refused(pool, tmp_path / "in", tables, None)  # (even the administrator's)
    (issue,) = exc.issues
    assert (issue.row, issue.column, issue.value) == (2, "organisation", name)
    assert (
        f"the organisation {name} looks like the organisation Fjord Partners already in the "
        f"pool but is not the same name ({difference})"
    ) in issue.message


def test_an_invisible_character_in_an_organisation_name_is_refused(pool, tmp_path):
    tables = {"projects": [project(project_id="RWA-NEW-01", organisation="Fjord\u200bPartners")]}
    exc = _refused(pool, tmp_path / "in", tables, None)
    assert any("U+200B ZERO WIDTH SPACE" in i.message for i in exc.issues)


def test_names_and_group_ids_in_other_scripts_are_welcome(pool, tmp_path):
    """Organisation names and group ids may hold any letters (Dansk Folkehjælp, a group
    called Espérance), one script at a time."""
    tables = {
        "projects": [project(project_id="DK-FOLK-02", organisation="Dansk Folkehjælp")],
        "groups": [group(project_id="DK-FOLK-02", group_id="Espérance 3")],
    }
    import_files(write_csvs(tmp_path / "in", tables), pool, organisation="Dansk Folkehjælp")
    assert _query(pool, "SELECT group_id FROM groups WHERE project_id = 'DK-FOLK-02'") == [
        ("Espérance 3",)
    ]
    mixed = {"groups": [group(project_id="DK-FOLK-02", group_id="Esp\u0435rance 4")]}
    exc = _refused(pool, tmp_path / "mixed", mixed, None)
    assert "group_id mixes the letters of several scripts: Latin" in exc.issues[0].message
    assert "Cyrillic (U+0435 CYRILLIC SMALL LETTER IE)" in exc.issues[0].message


def test_a_group_id_that_looks_like_another_of_its_project_is_refused(pool, tmp_path):
    tables = {"groups": [group(project_id=PRIVATE, group_id="g1"), group(project_id="BDI-FJO-01",
              group_id="G2"), group(project_id="BDI-FJO-01", group_id="g2")]}  # fmt: skip
    exc = _refused(pool, tmp_path / "in", tables, None)
    found = {(i.row, i.column): i.message for i in exc.issues}
    assert set(found) == {(2, "group_id"), (4, "group_id")}
    assert (
        "the group id g1 looks like the group G1 of the same project already in the pool"
        in (found[(2, "group_id")])
    )
    assert (
        "looks like the group G2 of the same project on groups.csv, row 3"
        in (found[(4, "group_id")])
    )


def test_two_look_alike_new_projects_in_one_upload(pool, tmp_path):
    tables = {
        "projects": [
            project(project_id="KEN-FJO-01", organisation="Fjord Partners"),
            project(project_id="ken-fjo-01", organisation="Fjord Partners"),
        ]
    }
    exc = _refused(pool, tmp_path / "in", tables, "Fjord Partners")
    (issue,) = exc.issues
    assert issue.row == 3
    assert "looks like the project KEN-FJO-01 on projects.csv, row 2" in issue.message


def test_project_ids_hold_safe_ascii_characters_only(pool, tmp_path):
    tables = {"projects": [project(project_id="UGA#NOR", organisation="Fjord Partners")]}
    exc = _refused(pool, tmp_path / "in", tables, None)
    (issue,) = exc.issues
    assert "project_id holds the character U+0023 NUMBER SIGN" in issue.message


def test_an_existing_id_is_updated_as_before(pool, tmp_path):
    """Re-importing a project or group the pool has exactly is no look-alike of anything."""
    tables = {
        "projects": [project(project_id=PRIVATE, organisation="Nordlys Aid", project_name="X")],
        "groups": [group(project_id=PRIVATE, group_name="Renamed")],
    }
    result = import_files(write_csvs(tmp_path / "in", tables), pool, organisation="Nordlys Aid")
    assert result.rows_replaced == {"projects": 1, "groups": 1}
