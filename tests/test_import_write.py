"""Writing the pool: all or nothing, byte for byte; replacing re-imported keys; the record of
each import; warnings stored and summarised; the error listing and its cap; the lock."""

from __future__ import annotations

import fcntl
import json
import re
from pathlib import Path

import pytest
from ingest_helpers import base_tables, count, dataset, sha256, write_csv, write_csvs

from dashboard.ingest import ImportRejected, ImportResult, Issue, import_files
from dashboard.ingest import write as write_module
from dashboard.pool.files import open_pool


@pytest.fixture
def pool(tmp_path: Path) -> Path:
    db = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "base", base_tables()), db)
    return db


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".importing-" in p.name)


def test_a_rejected_import_leaves_the_pool_byte_for_byte(pool: Path, tmp_path: Path) -> None:
    before = sha256(pool)
    bad = write_csv(
        tmp_path / "bad" / "datasets.csv", [dataset(report_date="2024-09-30", women=99)]
    )
    with pytest.raises(ImportRejected):
        import_files([bad], pool)
    assert sha256(pool) == before
    assert _leftovers(tmp_path) == []


def test_a_failure_while_writing_leaves_the_pool_byte_for_byte(
    pool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sha256(pool)

    def broken(*_args: object, **_kwargs: object) -> dict[str, int]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(write_module, "refresh_warnings", broken)
    good = write_csv(tmp_path / "good" / "datasets.csv", [dataset(report_date="2024-09-30")])
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_files([good], pool)
    assert sha256(pool) == before
    assert _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert import_files([good], pool).rows_added == {"datasets": 1}
    assert sha256(pool) != before


def test_reimport_replaces_never_duplicates(pool: Path, tmp_path: Path) -> None:
    corrected = write_csv(
        tmp_path / "fix" / "datasets.csv",
        [dataset(savings=2000000), dataset(report_date="2024-09-30")],
    )
    result = import_files([corrected], pool)
    assert result.rows_added == {"datasets": 1}
    assert result.rows_replaced == {"datasets": 1}
    again = import_files([corrected], pool)
    assert again.rows_added == {"datasets": 0}
    assert again.rows_replaced == {"datasets": 2}
    con = open_pool(pool)
    assert count(con, "datasets") == 3
    assert con.execute(
        "SELECT CAST(report_date AS VARCHAR), savings FROM datasets ORDER BY report_date"
    ).fetchall() == [
        ("2024-03-31", 1000000.0),
        ("2024-06-30", 2000000.0),
        ("2024-09-30", 1000000.0),
    ]
    con.close()


def test_imports_table_records_files_and_counts(pool: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "fix" / "datasets.csv", [dataset(savings=5), dataset(report_date="2024-09-30")]
    )
    result = import_files([path], pool)
    assert result.import_id == 2
    assert result.files == [
        {"name": "datasets.csv", "sha256": sha256(path), "bytes": path.stat().st_size}
    ]
    con = open_pool(pool)
    rows = con.execute(
        "SELECT import_id, files, rows_added, rows_replaced, warnings, seconds > 0 "
        "FROM imports ORDER BY import_id"
    ).fetchall()
    con.close()
    assert [r[0] for r in rows] == [1, 2]
    first_files = {f["name"] for f in json.loads(rows[0][1])}
    assert first_files == {f"{t}.csv" for t in base_tables()}
    assert json.loads(rows[0][2]) == {
        "exchange_rates": 1,
        "projects": 1,
        "project_reports": 1,
        "groups": 1,
        "datasets": 2,
    }
    _, files, added, replaced, warnings, timed = rows[1]
    assert json.loads(files) == result.files
    assert json.loads(added) == {"datasets": 1}
    assert json.loads(replaced) == {"datasets": 1}
    assert warnings == 0
    assert timed is True


def test_warnings_are_stored_and_summarised(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [
        dataset(report_date="2024-03-31"),
        dataset(members=25, women=20, men=5, members_at_start=25, youth="", members_attending=5),
    ]
    db = tmp_path / "pool.duckdb"
    result = import_files(write_csvs(tmp_path, tables), db)
    assert result.warnings == {"low_attendance": 1}
    con = open_pool(db)
    assert con.execute(
        "SELECT rule, group_id, CAST(report_date AS VARCHAR), value, import_id FROM warnings"
    ).fetchall() == [("low_attendance", "G1", "2024-06-30", 0.2, 1)]
    assert con.execute("SELECT warnings FROM imports").fetchall() == [(1,)]
    con.close()
    summary = result.summary()
    assert "Warnings new with this import: 1" in summary
    assert "low_attendance (attendance below 30%): 1" in summary
    assert "e.g. datasets.csv, row 3: Only 5 of 25 members attended (20%, below 30%)" in summary


def test_summary_lists_rows_and_notes(tmp_path: Path) -> None:
    tables = base_tables()
    tables["projects"] = [r | {"funding": "x"} for r in tables["projects"]]
    result = import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    lines = result.summary().splitlines()
    assert lines[0].startswith("Imported 6 rows from 5 files into ")
    assert any(re.fullmatch(r"  datasets +2 added, 0 replaced", line) for line in lines)
    assert "No new data-quality warnings." in lines
    assert "  - projects.csv: ignored the column 'funding' (not a column of projects)." in lines
    assert isinstance(result, ImportResult)
    assert result.seconds > 0


def test_all_errors_reported_and_the_listing_capped(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [
        dataset(report_date=f"2024-{7 + i // 28:02d}-{1 + i % 28:02d}", women=99, status="x")
        for i in range(30)
    ]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    exc = caught.value
    assert exc.total == 60
    assert len(exc.issues) == 60
    lines = exc.report().splitlines()
    assert lines[0] == "The import was rejected (60 errors); fix the files and import them again:"
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "... and 10 more errors"
    assert str(exc) == exc.report()
    assert exc.report(limit=5).splitlines()[-1] == "... and 55 more errors"
    # in row order, each row's columns in table order
    assert [(i.row, i.column) for i in exc.issues[:4]] == [
        (2, "women"),
        (2, "status"),
        (3, "women"),
        (3, "status"),
    ]


def test_only_the_first_thousand_errors_are_kept(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [dataset(report_date="someday") for _ in range(1200)]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert caught.value.total == 1200
    assert len(caught.value.issues) == 1000
    assert caught.value.report().splitlines()[-1] == "... and 1,150 more errors"


def test_report_of_issues() -> None:
    exc = ImportRejected([Issue("a.xlsx", "datasets", 3, "women", "31", "too many.")])
    assert exc.report() == (
        "The import was rejected (1 error); fix the files and import them again:\n"
        "a.xlsx, sheet datasets, row 3, column women: too many."
    )


def test_a_second_import_at_the_same_time_is_refused(pool: Path, tmp_path: Path) -> None:
    import os

    path = write_csv(tmp_path / "x" / "datasets.csv", [dataset(report_date="2024-09-30")])
    held = os.open(pool.parent, os.O_RDONLY)  # (as a running import holds the folder)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ImportRejected, match="another import into this pool is running"):
            import_files([path], pool)
        fcntl.flock(held, fcntl.LOCK_UN)
    finally:
        os.close(held)
    assert import_files([path], pool).rows_added == {"datasets": 1}
    # and nothing is left beside the pool but the pool
    assert sorted(p.name for p in pool.parent.iterdir() if p.name.startswith(pool.name)) == [
        pool.name
    ]


def test_a_file_that_is_not_a_pool(tmp_path: Path) -> None:
    db = tmp_path / "pool.duckdb"
    db.write_text("hello")
    with pytest.raises(ImportRejected, match="is not a pool file"):
        import_files(write_csvs(tmp_path / "in", base_tables()), db)
    assert db.read_text() == "hello"


def test_progress_reports_reading_and_validating(tmp_path: Path) -> None:
    messages: list[str] = []
    import_files(
        write_csvs(tmp_path, base_tables()), tmp_path / "pool.duckdb", progress=messages.append
    )
    assert "Reading datasets.csv" in messages
    assert "datasets.csv: 2 rows read" in messages
    assert "Validating 2 datasets rows" in messages
    assert "Writing 2 datasets rows" in messages
    assert messages[-1].startswith("Done in ")


def test_no_files(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected, match="no files were given"):
        import_files([], tmp_path / "pool.duckdb")
