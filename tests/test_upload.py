"""Import in the browser: the same checks as `vsla import`, errors by file, sheet, row and
column, nothing imported on any error, a member limited to its own organisation's
projects, and the new data served at once. Runs on a copy of the sharing pool."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil

import pytest

from tests.conftest import login
from tests.dash_client import call

DATASETS_HEADER = (
    "project_id,group_id,report_date,cycle_number,cycle_start_date,members_at_start,members,"
    "women,men,youth,members_attending,dropouts,savings,loans_outstanding_count,"
    "loans_outstanding_value,late_loans_balance,write_offs,loan_fund_cash,other_funds_cash,"
    "property_at_start,property_now,debts,status"
)
GROUPS_HEADER = (
    "project_id,group_id,group_name,formation_date,trained_by,trainer_id,region,setting,tags,"
    "latitude,longitude"
)


def upload(name: str, text: str) -> tuple[str, str]:
    encoded = base64.b64encode(text.encode()).decode()
    return f"data:text/csv;base64,{encoded}", name


def new_group(project: str, members: int = 20, date: str = "2025-09-30") -> list[tuple[str, str]]:
    gid = f"{project}-NEW"
    return [
        upload(
            "groups.csv",
            f"{GROUPS_HEADER}\n"
            f"{project},{gid},New group,2025-01-01,field_officer,FO-X,R,rural,,,\n",
        ),
        upload(
            "datasets.csv",
            f"{DATASETS_HEADER}\n{project},{gid},{date},1,2025-02-01,{members},{members},15,"
            f"{members - 15},,18,0,400,8,300,0,0,150,0,0,0,0,supervised\n",
        ),
    ]


@pytest.fixture
def pool_copy(sharing_pool_path, tmp_path, monkeypatch):
    path = tmp_path / "pool.duckdb"
    shutil.copyfile(sharing_pool_path, path)
    return path


@pytest.fixture
def app(sharing_app, pool_copy, monkeypatch):
    from dashboard.analytics import datasource
    from dashboard.pool import db

    monkeypatch.setenv("VSLA_DB", str(pool_copy))
    db.reset()
    datasource.clear_cache()
    return sharing_app


def press_only(client, app, button: str, contents, names) -> dict:
    """Press Check or Import with the upload's lists as the browser sends them: the answer
    of that request alone (the job it started, or the message refusing the upload)."""
    return call(
        client,
        app,
        "up-result.children",
        {
            f"{button}.n_clicks": 1,
            "up-files.contents": contents,
            "up-files.filename": names,
        },
        changed=[f"{button}.n_clicks"],
    )


def poll(client, app, job) -> dict:
    """One poll of the page for the job's state (what the dcc.Interval sends)."""
    return call(
        client,
        app,
        "up-poll.disabled",
        {"up-poll.n_intervals": 1, "up-job.data": job},
        changed=["up-poll.n_intervals"],
    )


def wait_for(client, app, job, limit: float = 300) -> tuple[dict, list[str]]:
    """Poll the job until it has its result (as the page does); (the last answer, the
    progress shown on the way). `limit` only ends a test whose job never finishes."""
    import time

    deadline = time.monotonic() + limit
    seen: list[str] = []
    while True:
        answer = poll(client, app, job)
        seen.append(json.dumps(answer.get("up-progress.children"), ensure_ascii=False))
        if answer["up-poll.disabled"] is True:
            return answer, seen
        assert time.monotonic() < deadline, seen[-3:]
        time.sleep(0.1)


def press(client, app, button: str, files: list[tuple[str, str]]) -> dict:
    """Press Check or Import and follow the job to its result, as the page does."""
    started = press_only(client, app, button, [c for c, _ in files], [n for _, n in files])
    job = started.get("up-job.data")
    if not job:
        return started  # refused at once, with a message
    answer, _seen = wait_for(client, app, job)
    return answer


def signed(app, who):
    client = app.server.test_client()
    if who:
        assert login(client, who).status_code == 303
    return client


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def total_members(client, app) -> str:
    return call(client, app, "ov-lead.children", {"url.search": ""})["kpi-members-value.children"]


def test_a_member_checks_then_imports_its_own_project(app, pool_copy):
    client = signed(app, "north")
    before = digest(pool_copy)
    checked = press(client, app, "up-check", new_group("NOR-UGA-01", members=20))
    assert "Would import 2 rows" in json.dumps(checked["up-result.children"])
    assert checked["up-import.disabled"] is False
    assert digest(pool_copy) == before  # a check changes nothing
    done = press(client, app, "up-import", new_group("NOR-UGA-01", members=20))
    assert "Imported (import 2)" in json.dumps(done["up-result.children"])
    admin = signed(app, "admin")
    assert total_members(admin, app) == "620"  # 600 + the new group's 20, served at once


def test_a_member_cannot_import_another_organisations_rows(app, pool_copy):
    client = signed(app, "north")
    before = digest(pool_copy)
    result = press(client, app, "up-check", new_group("SOU-UGA-01"))
    text = json.dumps(result["up-result.children"])
    assert "Nothing was imported" in text
    assert "groups.csv" in text and "datasets.csv" in text and "project_id" in text
    assert "project SOU-UGA-01 belongs to another organisation" in text
    assert press(client, app, "up-import", new_group("SOU-UGA-01"))["up-import.disabled"] is True
    assert digest(pool_copy) == before  # even pressing Import directly imports nothing


def test_errors_are_listed_by_file_row_and_column_and_nothing_is_imported(app, pool_copy):
    client = signed(app, "admin")
    before = digest(pool_copy)
    bad = new_group("NOR-UGA-01", date="2025-13-45")
    result = press(client, app, "up-import", bad)
    text = json.dumps(result["up-result.children"])
    assert "Nothing was imported" in text and "datasets.csv" in text and "report_date" in text
    assert '"2"' in text  # the row, as Excel numbers it (header = row 1)
    assert digest(pool_copy) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.sh", "data:text/plain;base64,ZWNobyBoaQ==", "only .xlsx, .csv or .zip"),
        ("datasets.csv", "data:text/csv;base64,@@@", "arrived damaged"),
    ],
)
def test_unusable_files_are_refused(app, name, content, message):
    result = press(signed(app, "admin"), app, "up-check", [(content, name)])
    assert message in json.dumps(result["up-result.children"])


def test_a_guest_cannot_import(app, pool_copy):
    before = digest(pool_copy)
    result = press(signed(app, None), app, "up-import", new_group("NOR-UGA-01"))
    assert "Sign in as an administrator" in json.dumps(result["up-result.children"])
    assert digest(pool_copy) == before


def test_a_member_cannot_change_the_networks_exchange_rates(app, pool_copy):
    before = digest(pool_copy)
    rates = upload("exchange_rates.csv", "currency,year,per_usd\nDKK,2025,1.0\n")
    result = press(signed(app, "north"), app, "up-import", [rates])
    text = json.dumps(result["up-result.children"])
    assert "exchange_rates.csv" in text and "imported by its administrator" in text
    assert digest(pool_copy) == before


# --- Ownership: a member changes its own organisation's projects only ----------------------

REPORTS_HEADER = "project_id,period_end,cost_to_date,field_officers,village_agents"
PROJECTS_HEADER = (
    "project_id,project_name,organisation,partner,country,currency,start_date,end_date,donor,shared"
)


def project_row(pid: str, organisation: str, name: str = "Taken over") -> tuple[str, str]:
    return upload(
        "projects.csv",
        f"{PROJECTS_HEADER}\n{pid},{name},{organisation},,UGA,USD,2024-01-01,,,yes\n",
    )


def owner(path, pid: str) -> str:
    import duckdb

    from dashboard.pool import db

    db.reset()  # (the app's own connection: DuckDB opens a file one way per process)
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT organisation FROM projects WHERE project_id = ?", [pid]
        ).fetchone()[0]
    finally:
        con.close()


def test_a_member_cannot_take_over_another_organisations_project(app, pool_copy):
    """The attack of issue 16: North Aid uploads a projects row with South Relief's private
    project id and organisation = North Aid (which the old check took for North's own)."""
    client = signed(app, "north")
    before = digest(pool_copy)
    for button in ("up-check", "up-import"):
        result = press(client, app, button, [project_row("SOU-UGA-01", "North Aid")])
        text = json.dumps(result["up-result.children"])
        assert "Nothing was imported" in text
        assert "projects.csv" in text and '"project_id"' in text and '"2"' in text
        assert "project SOU-UGA-01 belongs to another organisation" in text
        assert result["up-import.disabled"] is True
    assert digest(pool_copy) == before  # byte for byte
    assert owner(pool_copy, "SOU-UGA-01") == "South Relief"


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(new_group("SOU-UGA-01"), id="groups-and-datasets"),
        pytest.param(
            [upload("project_reports.csv", f"{REPORTS_HEADER}\nSOU-UGA-01,2025-12-31,1,1,0\n")],
            id="project-reports",
        ),
        pytest.param(
            [project_row("SOU-UGA-01", "North Aid"), *new_group("SOU-UGA-01")],
            id="claimed-project-with-its-groups",
        ),
        pytest.param(
            [
                upload(
                    "groups.csv",
                    f"{GROUPS_HEADER},ndf_peacebuilding\n"
                    "SOU-UGA-01,SOU-UGA-01-G1,Renamed,2024-10-01,field_officer,FO,R,rural,,,,yes\n",
                )
            ],
            id="network-column-of-an-existing-group",
        ),
    ],
)
def test_rows_keyed_to_another_organisations_project_are_errors(app, pool_copy, files):
    client = signed(app, "north")
    before = digest(pool_copy)
    result = press(client, app, "up-import", files)
    text = json.dumps(result["up-result.children"])
    assert "Nothing was imported" in text
    assert "project SOU-UGA-01 belongs to another organisation" in text
    for name in {n for _c, n in files} - {"projects.csv"}:
        assert name in text  # every file with such rows is named
    assert digest(pool_copy) == before


def test_a_member_still_adds_and_updates_its_own_projects(app, pool_copy):
    client = signed(app, "north")
    result = press(client, app, "up-import", [project_row("NOR-NEW-01", "North Aid")])
    assert "Imported" in json.dumps(result["up-result.children"])
    result = press(client, app, "up-import", [project_row("NOR-UGA-01", "North Aid", "Renamed")])
    assert "Imported" in json.dumps(result["up-result.children"])
    assert owner(pool_copy, "NOR-NEW-01") == "North Aid"


def test_only_an_administrator_moves_a_project_and_the_record_says_so(app, pool_copy, capsys):
    import duckdb

    from dashboard.cli import main

    admin = signed(app, "admin")
    result = press(admin, app, "up-import", [project_row("SOU-UGA-01", "North Aid")])
    text = json.dumps(result["up-result.children"])
    assert "Project SOU-UGA-01 moves from South Relief to North Aid." in text
    assert owner(pool_copy, "SOU-UGA-01") == "North Aid"
    from dashboard.pool import db

    db.reset()  # (the app's own connection: DuckDB opens a file one way per process)
    con = duckdb.connect(str(pool_copy), read_only=True)
    try:
        by, moves = con.execute(
            "SELECT imported_by, moves FROM imports ORDER BY import_id DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert by == "admin"
    assert json.loads(moves) == [
        {"project_id": "SOU-UGA-01", "from": "South Relief", "to": "North Aid"}
    ]
    # the data page's import record (admins) shows the move
    imports = call(admin, app, "data-imports.rowData", {"url.search": ""})
    assert "SOU-UGA-01: South Relief to North Aid" in json.dumps(imports)
    # and `vsla info`
    from dashboard.pool import db

    db.reset()
    capsys.readouterr()
    assert main(["info", "--db", str(pool_copy)]) == 0
    out = capsys.readouterr().out
    assert "import 2 at " in out and " by admin: " in out
    assert "moved SOU-UGA-01 from South Relief to North Aid" in out


# --- Uploads that cannot take the server down ------------------------------------------------


def zipped(name: str, members: dict[str, bytes]) -> tuple[str, str]:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return f"data:application/zip;base64,{base64.b64encode(buffer.getvalue()).decode()}", name


def bomb(megabytes: int) -> bytes:
    """A CSV that is mostly one repeated line: megabytes of it pack into a few hundred KB."""
    line = b"NOR-UGA-01,G,2025-09-30,1,2025-02-01,20,20,15,5,,18,0,400,8,300,0,0,150,0,0,0,0,s\n"
    return DATASETS_HEADER.encode() + b"\n" + line * (megabytes * (1 << 20) // len(line))


def upload_memory(client, app, files) -> tuple[str, int]:
    """The upload's answer and the most memory Python held while it was checked."""
    import tracemalloc

    tracemalloc.start()
    try:
        text = json.dumps(press(client, app, "up-check", files)["up-result.children"])
        return text, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_as_it_unpacks(app, pool_copy):
    """A 300 MB CSV packed into a few hundred KB: refused by name, never held in memory
    (the old code read it whole: 1.65 GB for a 510 KB zip)."""
    client = signed(app, "north")
    before = digest(pool_copy)
    files = [zipped("q3.zip", {"datasets.csv": bomb(300)})]
    assert len(files[0][0]) < 2_000_000
    text, peak = upload_memory(client, app, files)
    assert "q3.zip/datasets.csv" in text and "larger than 100 MB" in text
    assert peak < 64 << 20  # bytes: the file was measured as it unpacked, never held
    assert digest(pool_copy) == before


def test_a_workbook_that_unpacks_to_gigabytes_is_refused(app, pool_copy):
    import io
    import zipfile

    from tests.ingest_helpers import base_tables, write_xlsx

    path = write_xlsx(pool_copy.with_name("book.xlsx"), {"projects": base_tables()["projects"]})
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("sheet1.xml"):  # 200 MB of blanks before the sheet
                data = b" " * (200 << 20) + data.lstrip()
            out.writestr(info.filename, data)
    content = "data:application/vnd.ms-excel;base64," + base64.b64encode(packed.getvalue()).decode()
    text, peak = upload_memory(signed(app, "admin"), app, [(content, "book.xlsx")])
    assert "book.xlsx" in text and "larger than 100 MB" in text
    assert peak < 64 << 20


def test_a_damaged_workbook_is_an_import_error_naming_it(app, tmp_path):
    import io
    import zipfile

    from tests.ingest_helpers import base_tables, write_xlsx

    path = write_xlsx(tmp_path / "book.xlsx", {"projects": base_tables()["projects"]})
    damaged = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]  # XML cut off in the middle
            out.writestr(info.filename, data)
    content = (
        "data:application/vnd.ms-excel;base64," + base64.b64encode(damaged.getvalue()).decode()
    )
    text = json.dumps(press(signed(app, "admin"), app, "up-check", [(content, "book.xlsx")]))
    assert "Nothing was imported" in text and "book.xlsx" in text
    assert "this workbook is damaged and cannot be read" in text


def test_a_member_s_check_does_not_show_the_server_s_paths(app, pool_copy):
    result = press(signed(app, "north"), app, "up-check", new_group("NOR-UGA-01"))
    text = json.dumps(result["up-result.children"])
    assert "Would import 2 rows from 2 files" in text
    assert str(pool_copy) not in text and str(pool_copy.parent) not in text


def test_the_import_page_offers_the_partner_workbook(app):
    """The empty workbook of `vsla template` is one click away on the Import page, for
    anyone: its five data sheets and the Columns sheet with each column's rule."""
    import io

    from openpyxl import load_workbook

    from dashboard.web.pages import upload

    with app.server.test_request_context("/import"):
        layout = upload.layout()
    link = next(c for c in _walk(layout) if getattr(c, "id", None) == "up-template")
    assert link.href == "/import/template.xlsx"
    response = app.server.test_client().get(link.href)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == [
        "projects",
        "groups",
        "datasets",
        "project_reports",
        "exchange_rates",
        "Columns",
    ]


def _walk(node):
    if isinstance(node, list | tuple):
        for child in node:
            yield from _walk(child)
    elif node is not None and not isinstance(node, str | int | float):
        yield node
        yield from _walk(getattr(node, "children", None))


# --- Integrity against a careless import (issue 26, items 5 and 6) -----------------------------


def test_absurd_values_of_a_members_own_project_are_refused_by_the_page(app, pool_copy):
    """North Aid's new project with 2,000,000,000 members and savings of 1e300: the check
    said "the files are fine" and the import took every page down. Now both buttons refuse
    it, naming the file, row, column and limit, and the pool stays as it was."""
    client = signed(app, "north")
    before = digest(pool_copy)
    files = [
        project_row("NOR-BIG-01", "North Aid"),
        upload(
            "groups.csv",
            f"{GROUPS_HEADER}\nNOR-BIG-01,G1,Big,2025-01-01,field_officer,FO,R,rural,,,\n",
        ),
        upload(
            "datasets.csv",
            f"{DATASETS_HEADER}\nNOR-BIG-01,G1,2025-09-30,1,2025-02-01,20,2000000000,15,,,18,"
            "0,1e300,8,300,0,0,150,0,0,0,0,supervised\n",
        ),
    ]
    for button in ("up-check", "up-import"):
        result = press(client, app, button, files)
        text = json.dumps(result["up-result.children"])
        assert "Nothing was imported" in text
        assert "The files are fine" not in text
        assert '"datasets.csv"' in text and '"2"' in text and '"members"' in text
        assert "2000000000 is more than 100, the limit of members" in text
        assert '"savings"' in text and "more than USD 1,000,000" in text
        assert result["up-import.disabled"] is True
    assert digest(pool_copy) == before


@pytest.mark.parametrize(
    "pid",
    [
        "sou-uga-01",
        "SOU-UGA\u200b-01",
        "SOU-UG\u0410-01",  # a Cyrillic А
        "\uff33\uff2f\uff35\uff0d\uff35\uff27\uff21\uff0d\uff10\uff11",  # full width
    ],
    ids=["lower-case", "zero-width-space", "cyrillic-a", "full-width"],
)
def test_a_look_alike_of_another_organisations_private_project_is_refused(app, pool_copy, pid):
    """North Aid cannot put a project looking like South Relief's private SOU-UGA-01 beside
    it: each variant is refused naming SOU-UGA-01 (the full-width one is SOU-UGA-01 itself,
    once in the form the pool stores, and so South Relief's)."""
    client = signed(app, "north")
    before = digest(pool_copy)
    result = press(client, app, "up-import", [project_row(pid, "North Aid")])
    text = json.dumps(result["up-result.children"], ensure_ascii=False)
    assert "Nothing was imported" in text and '"projects.csv"' in text
    assert (
        "looks like the project SOU-UGA-01 already in the pool" in text
        or "project SOU-UGA-01 belongs to another organisation" in text
    )
    assert digest(pool_copy) == before


def test_an_organisation_name_with_an_em_space_is_the_organisation(app, pool_copy):
    import duckdb

    client = signed(app, "north")
    result = press(client, app, "up-import", [project_row("NOR-EM-01", "North Aid\u2003")])
    assert "Imported" in json.dumps(result["up-result.children"])
    from dashboard.pool import db

    db.reset()  # (the app's own connection: DuckDB opens a file one way per process)
    con = duckdb.connect(str(pool_copy), read_only=True)
    try:
        orgs = con.execute("SELECT DISTINCT organisation FROM projects ORDER BY 1").fetchall()
    finally:
        con.close()
    assert orgs == [("East Fund",), ("North Aid",), ("South Relief",)]  # no fourth
