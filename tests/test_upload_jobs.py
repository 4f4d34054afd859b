"""The Import page's attacks (issue 27), through the real Dash endpoint: uploads that used to
hold a worker past its timeout, or answer 500, get a message; checks and imports run in a
process of their own, followed by polling, and a job answers only the user who started it."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import time
import zipfile

import pytest

from dashboard.ingest import ImportRejected, import_files, jobs
from dashboard.ingest.read import UPLOADED
from tests.dash_client import call
from tests.test_upload import (
    DATASETS_HEADER,
    digest,
    new_group,
    poll,
    press_only,
    signed,
    upload,
    wait_for,
    zipped,
)


@pytest.fixture
def pool_copy(sharing_pool_path, tmp_path):
    import shutil

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


def text_of(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False)


def many_files_zip(count: int) -> tuple[str, str]:
    """A zip of `count` small CSV files (the attack: 5,000 of them in about 1 MB)."""
    line = DATASETS_HEADER + "\nNOR-UGA-01,G,2025-09-30,1,2025-02-01,20,20,15,5,,18,0,400,8,"
    members = {
        f"{i}/datasets.csv": (line + f"{i},0,0,150,0,0,0,0,s\n").encode() for i in range(count)
    }
    return zipped("many.zip", members)


# --- Caps: files per upload, rows per file -----------------------------------------------------


def test_a_zip_of_5000_csv_files_is_refused_at_once_with_a_message(app, pool_copy):
    """The attack: a 1 MB zip of 5,000 CSVs ran past the worker's 30 s and was killed. Now
    the request counts the zip's files from its table of contents and answers at once,
    naming the zip and the limit, and starts nothing."""
    files = [many_files_zip(5000)]
    assert len(base64.b64decode(files[0][0].split(",", 1)[1])) < 2_000_000
    before = digest(pool_copy)
    client = signed(app, "north")
    started = time.monotonic()
    answer = press_only(client, app, "up-check", [files[0][0]], [files[0][1]])
    waited = time.monotonic() - started
    text = text_of(answer["up-result.children"])
    assert "many.zip" in text and "5,000 files" in text and "100" in text
    assert "several uploads" in text
    assert "up-job.data" not in answer  # no job was started
    assert waited < 10  # the issue's bound ("in seconds"), with room for a busy machine
    assert digest(pool_copy) == before
    assert not any(jobs.jobs_dir(pool_copy).glob("*/job.json"))


def test_the_importer_itself_refuses_too_many_files_before_unpacking(tmp_path, pool_copy):
    """The same limit in the importer (the job's process, and any other caller)."""
    content, name = many_files_zip(5000)
    path = tmp_path / name
    path.write_bytes(base64.b64decode(content.split(",", 1)[1]))
    started = time.monotonic()
    with pytest.raises(ImportRejected) as caught:
        import_files([path], pool_copy, dry_run=True, limits=UPLOADED)
    assert time.monotonic() - started < 10
    assert caught.value.total == 1
    issue = caught.value.issues[0]
    assert issue.file == "many.zip" and "5,000 files" in issue.message


def big_datasets(rows: int) -> bytes:
    out = io.StringIO()
    out.write(DATASETS_HEADER + "\n")
    for i in range(rows):
        m = 15 + i % 16
        out.write(
            f"NOR-UGA-01,NOR-UGA-01-G{i},2025-09-30,1,2025-02-01,{m},{m},{m - 3},3,,{m - 1},0,"
            f"{(i * 37) % 4000},{i % m},{(i * 13) % 3000},0,0,{(i * 7) % 900},0,0,0,0,supervised\n"
        )
    return out.getvalue().encode()


def test_a_95_mb_csv_is_refused_by_its_rows_without_the_memory_it_took(app, pool_copy):
    """The attack: a 15 MB zip of a 95 MB CSV (within the size limits) was read whole: the
    worker was killed at 819 MB. Now the check (in its own process) reads it a chunk at a
    time and stops once it passes the rows one file may hold, saying so; its process held
    about 190 MB (1,243 MB before, measured on the same file)."""
    data = big_datasets(925_000)
    assert 94 << 20 < len(data) < UPLOADED.member_bytes  # (within the size limits)
    files = [zipped("q3.zip", {"datasets.csv": data})]
    assert len(base64.b64decode(files[0][0].split(",", 1)[1])) < 20 << 20
    before = digest(pool_copy)
    client = signed(app, "north")
    answer = press_only(client, app, "up-check", [files[0][0]], [files[0][1]])
    job = answer["up-job.data"]
    assert answer["up-result.children"] is None  # the request only started the check
    result, _seen = wait_for(client, app, job)
    text = text_of(result["up-result.children"])
    assert "q3.zip/datasets.csv" in text
    assert "more than 100,000 rows" in text and "split it into files" in text
    # (the job's process writes its peak memory last, after its outcome: waited for)
    deadline = time.monotonic() + 60
    state = jobs.status(pool_copy, job["id"], "north")
    while "peak_rss_mb" not in state and time.monotonic() < deadline:
        time.sleep(0.1)
        state = jobs.status(pool_copy, job["id"], "north")
    assert state["state"] == "done" and state["outcome"] == "rejected"
    assert state["peak_rss_mb"] < 300  # (the job's process; 189 MB measured)
    assert digest(pool_copy) == before


def test_rows_of_all_the_files_together_are_capped_too(tmp_path, pool_copy):
    """Two files under the per-file limit but over the upload's: the second is named."""
    from dataclasses import replace

    limits = replace(UPLOADED, rows=30, total_rows=50)
    for name in ("groups", "datasets"):
        folder = tmp_path / name
        folder.mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "datasets.csv").write_bytes(big_datasets(30))
    (tmp_path / "b" / "datasets.csv").write_bytes(big_datasets(30))
    with pytest.raises(ImportRejected) as caught:
        import_files(
            [tmp_path / "a" / "datasets.csv", tmp_path / "b" / "datasets.csv"],
            pool_copy,
            dry_run=True,
            limits=limits,
        )
    messages = [(i.file, i.message) for i in caught.value.issues]
    assert any("more than 50 rows, the most one upload may hold" in m for _f, m in messages)
    (tmp_path / "c.csv").write_bytes(big_datasets(31))
    with pytest.raises(ImportRejected) as caught:
        import_files(
            [tmp_path / "a" / "datasets.csv"],
            pool_copy,
            dry_run=True,
            limits=replace(limits, rows=29),
        )
    assert "more than 29 rows, the most one file (or sheet)" in caught.value.issues[0].message


def test_a_workbook_sheet_is_capped_by_rows(tmp_path, pool_copy):
    from dataclasses import replace

    from tests.ingest_helpers import base_tables, write_xlsx

    tables = base_tables()
    path = write_xlsx(tmp_path / "book.xlsx", {"datasets": tables["datasets"]})
    rows = len(tables["datasets"])
    assert rows == 2
    with pytest.raises(ImportRejected) as caught:
        import_files([path], pool_copy, dry_run=True, limits=replace(UPLOADED, rows=rows - 1))
    issue = caught.value.issues[0]
    assert issue.file == "book.xlsx" and issue.sheet == "datasets"
    assert "rows, the most one file (or sheet) of an upload may hold" in issue.message


# --- Malformed lists and names: a message, never a 500 -----------------------------------------


CSV = upload("datasets.csv", DATASETS_HEADER + "\n")[0]


@pytest.mark.parametrize(
    ("contents", "names", "message"),
    [
        ([CSV, CSV], ["datasets.csv", "datasets.csv"], "Two of the files are called datasets.csv"),
        ([CSV, CSV], ["groups.csv", "GROUPS.csv"], "Two of the files are called GROUPS.csv"),
        ([CSV], ["data\x00sets.csv"], "data\\\\x00sets.csv: the file's name holds control"),
        ([CSV], ["data\nsets.csv"], "control characters"),
        ([CSV], ["evil\u202ecsv.zip"], "control characters"),
        ([CSV], ["../../etc/datasets.csv"], "may not hold / or \\\\"),
        ([CSV], ["..\\datasets.csv"], "may not hold / or \\\\"),
        ([CSV], ["d" * 300 + ".csv"], "longer than 120 characters"),
        ([CSV], ["  "], "A file has no name"),
        ([CSV, CSV], ["datasets.csv"], "2 files for 1 names"),
        ([CSV], ["datasets.csv", "groups.csv"], "1 files for 2 names"),
        (["not a data url"], ["datasets.csv"], "datasets.csv: the upload arrived damaged"),
        (["data:text/csv,plain"], ["datasets.csv"], "the upload arrived damaged"),
        (["data:text/csv;base64,@@@"], ["datasets.csv"], "the upload arrived damaged"),
        ([CSV] * 101, [f"f{i}.csv" for i in range(101)], "101 files"),
        (CSV, "datasets.csv\x00", "control characters"),
    ],
    ids=[
        "duplicate",
        "duplicate-other-case",
        "nul",
        "newline",
        "direction-override",
        "traversal",
        "backslash",
        "too-long",
        "blank",
        "more-contents",
        "more-names",
        "not-a-data-url",
        "not-base64",
        "bad-base64",
        "too-many-files",
        "strings-not-lists",
    ],
)
def test_malformed_upload_lists_and_names_get_a_message(app, pool_copy, contents, names, message):
    before = digest(pool_copy)
    answer = press_only(signed(app, "north"), app, "up-check", contents, names)
    text = text_of(answer["up-result.children"])
    assert message in text
    assert "up-job.data" not in answer
    assert digest(pool_copy) == before


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../../etc/datasets.csv", "a path that leaves the .zip"),
        ("/etc/datasets.csv", "a path that leaves the .zip"),
        ("C:/x/datasets.csv", "a path that leaves the .zip"),
        ("q3\\..\\datasets.csv", "a path that leaves the .zip"),
        ("data\x01sets.csv", "control characters"),
        ("q/" * 130 + "datasets.csv", "longer than 255 characters"),
    ],
    ids=["traversal", "absolute", "drive", "backslash", "control", "too-long"],
)
def test_badly_named_files_in_a_zip_get_a_message(app, pool_copy, member, message):
    before = digest(pool_copy)
    content, name = zipped("q3.zip", {member: (DATASETS_HEADER + "\n").encode()})
    answer = press_only(signed(app, "north"), app, "up-check", [content], [name])
    text = text_of(answer["up-result.children"])
    assert "q3.zip/" in text and message in text
    assert "up-job.data" not in answer
    assert digest(pool_copy) == before


def test_the_importer_refuses_badly_named_zip_files_too(tmp_path, pool_copy):
    path = tmp_path / "q3.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../datasets.csv", DATASETS_HEADER + "\n")
        archive.writestr("ok/datasets.csv", DATASETS_HEADER + "\n")
    with pytest.raises(ImportRejected) as caught:
        import_files([path], pool_copy, dry_run=True, limits=UPLOADED)
    assert [i.file for i in caught.value.issues] == ["q3.zip/../datasets.csv"]


# --- Jobs: in the background, for their owner only ---------------------------------------------


def test_a_check_shows_its_progress_in_words_then_its_result(app, pool_copy):
    client = signed(app, "north")
    files = new_group("NOR-UGA-01")
    answer = press_only(client, app, "up-check", [c for c, _ in files], [n for _, n in files])
    assert answer["up-progress.children"] == "Checking: starting…"
    job = answer["up-job.data"]
    result, _seen = wait_for(client, app, job)
    assert "Would import 2 rows" in text_of(result["up-result.children"])
    assert result["up-import.disabled"] is False
    # the progress said what the check was doing on the way (at least once, each poll
    # shows the latest), and nothing once done
    assert result["up-progress.children"] == ""
    state = jobs.status(pool_copy, job["id"], "north")
    assert state["words"].startswith(("Checking", "Starting"))


def test_a_job_answers_only_the_user_who_started_it(app, pool_copy):
    north = signed(app, "north")
    files = new_group("NOR-UGA-01")
    job = press_only(north, app, "up-check", [c for c, _ in files], [n for _, n in files])[
        "up-job.data"
    ]
    for other in (signed(app, "south"), signed(app, "admin"), signed(app, None)):
        answer = poll(other, app, job)
        text = text_of(answer)
        assert "no longer known to the server" in text
        assert "Would import" not in text and "Checking" not in text
        # nor can they cancel it
        call_cancel(other, app, job)
        # and a page opened with the job's id in the tab (another user signed in there)
        # shows nothing of it
        opened = call(
            other,
            app,
            "up-poll.disabled",
            {"up-poll.n_intervals": None, "up-job.data": job},
            changed=["up-job.data"],
        )
        assert opened["up-result.children"] is None and opened["up-poll.disabled"] is True
    result, _seen = wait_for(north, app, job)  # the owner's job ran to its end
    assert "Would import 2 rows" in text_of(result["up-result.children"])
    assert jobs.status(pool_copy, job["id"], "south") is None
    assert jobs.cancel(pool_copy, job["id"], "south") is False


@pytest.mark.parametrize("job", [{"id": "../../etc/passwd"}, {"id": 5}, {"id": "x" * 500}, {}])
def test_a_made_up_job_id_is_no_job(app, pool_copy, job):
    answer = poll(signed(app, "north"), app, job)
    assert answer.get("up-poll.disabled", True) is True
    assert "Would import" not in text_of(answer)


def call_cancel(client, app, job) -> dict:
    return call(
        client,
        app,
        "up-progress.children",
        {"up-cancel.n_clicks": 1, "up-job.data": job},
        changed=["up-cancel.n_clicks"],
        via="up-cancel.n_clicks",
    )


def hold_check_slots(pool):
    """Take every check slot of the host (as running checks would): a check then waits."""
    import fcntl

    root = jobs.jobs_dir(pool)
    root.mkdir(exist_ok=True)
    handles = []
    for i in range(jobs.CHECK_SLOTS):
        handle = os.open(root / f".slot-check-{i}", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        handles.append(handle)
    return handles


def wait_until(condition, limit: float = 120):
    deadline = time.monotonic() + limit
    while not (value := condition()):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return value


def test_checks_wait_their_turn_saying_so_and_the_owner_may_cancel(app, pool_copy):
    north = signed(app, "north")
    files = new_group("NOR-UGA-01")
    handles = hold_check_slots(pool_copy)
    try:
        job = press_only(north, app, "up-check", [c for c, _ in files], [n for _, n in files])[
            "up-job.data"
        ]
        waiting = wait_until(
            lambda: (
                "Waiting: the server is checking other uploads"
                in text_of(poll(north, app, job).get("up-progress.children"))
            )
        )
        assert waiting
        # the same user cannot start a second job meanwhile
        again = press_only(north, app, "up-check", [c for c, _ in files], [n for _, n in files])
        assert "still running" in text_of(again["up-result.children"])
        assert "Cancelling" in text_of(call_cancel(north, app, job))
        result, _seen = wait_for(north, app, job)
        assert "The check was cancelled." in text_of(result["up-result.children"])
    finally:
        for handle in handles:
            os.close(handle)


def test_a_job_whose_process_dies_says_so_and_the_pool_is_unchanged(app, pool_copy):
    """An import killed halfway (as the out-of-memory killer would): the page says that it
    stopped and that nothing was imported; the pool is byte for byte as it was."""
    import fcntl

    admin = signed(app, "admin")
    before = digest(pool_copy)
    files = new_group("NOR-UGA-01")
    root = jobs.jobs_dir(pool_copy)
    root.mkdir(exist_ok=True)
    held = os.open(root / ".slot-import", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)  # (the import waits for its turn: it is still running)
    try:
        job = press_only(admin, app, "up-import", [c for c, _ in files], [n for _, n in files])[
            "up-job.data"
        ]
        wait_until(lambda: "Waiting: another import" in text_of(poll(admin, app, job)))
        pid = jobs.status(pool_copy, job["id"], "admin")["pid"]
        os.kill(pid, signal.SIGKILL)
        result, _seen = wait_for(admin, app, job)
    finally:
        os.close(held)
    text = text_of(result["up-result.children"])
    assert "The import stopped before it finished" in text and "Nothing was imported" in text
    assert digest(pool_copy) == before
    assert not (jobs.jobs_dir(pool_copy) / job["id"] / "files").exists()  # cleaned up


def test_a_check_does_not_take_the_import_lock(app, pool_copy):
    """While an import holds the pool's lock (one from the command line here), members'
    checks run and answer; a member's import waits for it, saying so, then imports."""
    from dashboard.ingest.write import _import_lock

    north, south = signed(app, "north"), signed(app, "south")
    with _import_lock(pool_copy):
        jobs_started = [
            (c, press_only(c, app, "up-check", [x for x, _ in f], [n for _, n in f])["up-job.data"])
            for c, f in ((north, new_group("NOR-UGA-01")), (south, new_group("SOU-UGA-01")))
        ]
        east = signed(app, "east")
        files = new_group("EAS-UGA-01")
        imp = press_only(east, app, "up-import", [x for x, _ in files], [n for _, n in files])[
            "up-job.data"
        ]
        for client, job in jobs_started:
            result, _seen = wait_for(client, app, job)
            assert "Would import 2 rows" in text_of(result["up-result.children"])
        wait_until(lambda: "Waiting: another import" in text_of(poll(east, app, imp)))
        assert jobs.status(pool_copy, imp["id"], "east")["state"] not in jobs.FINAL
    result, _seen = wait_for(east, app, imp)
    assert "Imported (import 2)" in text_of(result["up-result.children"])


def test_the_host_runs_a_bounded_number_of_jobs(app, pool_copy, monkeypatch):
    """Beyond MAX_UNFINISHED jobs waiting or running on the host, a new one is refused with
    a message (and the one waiting still gets its answer)."""
    monkeypatch.setattr(jobs, "MAX_UNFINISHED", 1)
    north, south = signed(app, "north"), signed(app, "south")
    handles = hold_check_slots(pool_copy)
    try:
        files = new_group("NOR-UGA-01")
        job = press_only(north, app, "up-check", [c for c, _ in files], [n for _, n in files])[
            "up-job.data"
        ]
        other = new_group("SOU-UGA-01")
        refused = press_only(south, app, "up-check", [c for c, _ in other], [n for _, n in other])
        assert "The server is checking or importing 1 other uploads" in text_of(
            refused["up-result.children"]
        )
        assert "up-job.data" not in refused
    finally:
        for handle in handles:
            os.close(handle)
    result, _seen = wait_for(north, app, job)
    assert "Would import 2 rows" in text_of(result["up-result.children"])


def test_a_host_serving_a_copy_sends_imports_to_the_import_host(app, pool_copy, monkeypatch):
    """With VSLA_IMPORT_URL set (a host serving a copy of the pool), the Import page links
    to the import host and starts no job: an import into a copy would be overwritten by the
    next copy (README: Beyond one host)."""
    monkeypatch.setenv("VSLA_IMPORT_URL", "https://import.vsla.example.org/import")
    client = signed(app, "north")
    files = new_group("NOR-UGA-01")
    before = digest(pool_copy)
    for button in ("up-check", "up-import"):
        answer = press_only(client, app, button, [c for c, _ in files], [n for _, n in files])
        text = text_of(answer)
        assert "Imports are made on the import host" in text
        assert "https://import.vsla.example.org/import" in text
        assert "up-job.data" not in answer or answer["up-job.data"] is None
    assert not (pool_copy.parent / f"{pool_copy.name}.jobs").exists() or not any(
        (pool_copy.parent / f"{pool_copy.name}.jobs").iterdir()
    )
    assert digest(pool_copy) == before
    from dashboard.web.pages import upload as upload_page

    with app.server.test_request_context("/import"):
        assert "up-elsewhere" in str(upload_page.layout().to_plotly_json())
    monkeypatch.setenv("VSLA_IMPORT_URL", "javascript:alert(1)")
    with pytest.raises(ValueError, match="VSLA_IMPORT_URL"):
        upload_page.elsewhere()
