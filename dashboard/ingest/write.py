"""Import files into a pool, all or nothing.

1. Read every source (dashboard.ingest.read) and validate it against itself and the existing
   pool, opened read-only (dashboard.ingest.validate). Any error: ImportRejected, and the pool
   file is not touched.
2. Build the new version in a copy next to the pool (`<pool>.importing-<pid>`): in one
   transaction delete the pool's rows whose key is imported (counted as replaced), insert
   the imported rows, recompute the warnings and record the import.
3. Checkpoint, close and fsync the copy, then os.replace it onto the pool: readers see the
   old pool or the new one, never a half-written one. On any failure the copy is removed.

A lock on the pool's folder keeps two imports into it from running at once.

The demo pool (pool_meta kind "demo": fictional data, public accounts and a public
secret) takes no data unless asked: `demo="add"` adds test data to it (it stays a demo),
`demo="replace"` replaces it with the import (a new pool: real, with a fresh secret, and
the public demo accounts are removed from the user store beside it). A new pool is real too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb
from babel.numbers import format_decimal

from dashboard.access.demo_accounts import remove_public_demo_accounts
from dashboard.access.users import UserStore, users_path
from dashboard.analytics import rollups
from dashboard.core import i18n
from dashboard.core.format import number
from dashboard.core.i18n import _, ngettext
from dashboard.ingest.model import Issue, tables
from dashboard.ingest.read import TRUSTED, Limits, RawSheet, Reading, read_sources
from dashboard.ingest.validate import MAX_ISSUES, Validation, attach_pool, validate
from dashboard.pool.files import (
    DATA_TABLES,
    KEYS,
    PoolError,
    connect,
    create_pool,
    meta,
    open_pool,
)
from dashboard.pool.quality import WARNING_RULES, next_import_id, record_import, refresh_warnings
from dashboard.pool.sqlfiles import sql

try:  # POSIX; elsewhere imports are not guarded against running twice at once
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

SQL_TYPES = {
    "text": "VARCHAR",
    "date": "DATE",
    "int": "INTEGER",
    "money": "DOUBLE",
    "number": "DOUBLE",
    "bool": "BOOLEAN",
    "enum": "VARCHAR",
    "country": "VARCHAR",
    "currency": "VARCHAR",
    "tags": "VARCHAR",
}

# What an import may do to the demo pool: refuse (the default), add test data to it (it stays
# a demo), or replace it with the import (a real pool).
DemoChoice = Literal["refuse", "add", "replace"]
DEMO_KIND = "demo"

# How a column is written when the import leaves it empty (DATA.md defaults).
DERIVED = {
    ("datasets", "men"): "coalesce(men, members - women)",
    ("projects", "shared"): "coalesce(shared, false)",
}


class ImportRejected(Exception):
    """The import was refused; `issues` says why (the first ones), `total` how many in all."""

    def __init__(self, issues: Sequence[Issue], total: int | None = None) -> None:
        self.issues: list[Issue] = list(issues)
        self.total: int = max(total if total is not None else 0, len(self.issues))
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        count = f"{self.total:,} error{'s' if self.total != 1 else ''}"
        lines = [f"The import was rejected ({count}); fix the files and import them again:"]
        lines += [str(issue) for issue in self.issues[:limit]]
        more = self.total - min(limit, len(self.issues))
        if more > 0:
            lines.append(f"... and {more:,} more error{'s' if more != 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


@dataclass
class ImportResult:
    import_id: int
    files: list[dict[str, Any]]
    rows_added: dict[str, int]
    rows_replaced: dict[str, int]
    warnings: dict[str, int]  # rule -> count of flags new with this import
    notes: list[str]
    seconds: float
    warning_examples: dict[str, list[str]] = field(default_factory=dict)
    db: Path | None = None
    dry_run: bool = False  # a check: nothing was written, the summary says "Would import"
    moves: list[dict[str, str]] = field(default_factory=list)  # projects given to another org

    def summary(self) -> str:
        rows = sum(self.rows_added.values()) + sum(self.rows_replaced.values())
        lines = [self._headline(rows)]
        width = max((len(t) for t in self.rows_added), default=0)
        for table in DATA_TABLES:
            if table in self.rows_added:
                counts = _("{added} added, {replaced} replaced").format(
                    added=number(self.rows_added[table]).rjust(9),
                    replaced=number(self.rows_replaced.get(table, 0)),
                )
                lines.append(f"  {table:<{width}}  {counts}")
        if rows >= 10_000 and self.seconds > 0:
            rate = _("({rate} rows per second)").format(rate=number(rows / self.seconds))
            lines.append(f"  {rate}")
        for move in self.moves:
            lines.append(
                _("Project {project} moves from {old} to {new}.").format(
                    project=move["project_id"], old=move["from"], new=move["to"]
                )
            )
        total = sum(self.warnings.values())
        if total:
            lines.append(
                _(
                    "Warnings new with this import: {total} (the rows are imported and flagged "
                    "as questionable; check them):"
                ).format(total=number(total))
            )
            for rule, count in sorted(self.warnings.items()):
                meaning = _(WARNING_RULES[rule]) if rule in WARNING_RULES else rule
                lines.append(f"  {rule} ({meaning}): {number(count)}")
                lines += [
                    "    " + _("e.g. {example}").format(example=example)
                    for example in self.warning_examples.get(rule, [])
                ]
        else:
            lines.append(_("No new data-quality warnings."))
        if self.notes:
            lines.append(_("Notes:"))
            lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)

    def _headline(self, rows: int) -> str:
        """The summary's first line: how many rows from how many files, into which pool."""
        files = len(self.files)
        if self.dry_run and self.db:
            text = ngettext(
                "Would import {rows} rows from {files} file into {pool} (import {id}) "
                "in {seconds} s.",
                "Would import {rows} rows from {files} files into {pool} (import {id}) "
                "in {seconds} s.",
                files,
            )
        elif self.dry_run:
            text = ngettext(
                "Would import {rows} rows from {files} file (import {id}) in {seconds} s.",
                "Would import {rows} rows from {files} files (import {id}) in {seconds} s.",
                files,
            )
        elif self.db:
            text = ngettext(
                "Imported {rows} rows from {files} file into {pool} (import {id}) in {seconds} s.",
                "Imported {rows} rows from {files} files into {pool} (import {id}) in {seconds} s.",
                files,
            )
        else:
            text = ngettext(
                "Imported {rows} rows from {files} file (import {id}) in {seconds} s.",
                "Imported {rows} rows from {files} files (import {id}) in {seconds} s.",
                files,
            )
        return text.format(
            rows=number(rows),
            files=files,
            pool=self.db,
            id=self.import_id,
            seconds=_seconds(self.seconds),
        )


def import_files(
    paths: Sequence[Path],
    db: Path,
    *,
    progress: Callable[[str], None] | None = None,
    organisation: str | None = None,
    dry_run: bool = False,
    by: str | None = None,
    limits: Limits = TRUSTED,
    demo: DemoChoice = "refuse",
    scratch: Path | None = None,
    lock_wait: float = 0.0,
) -> ImportResult:
    """Validate `paths` and merge them into the pool at `db` (created if missing), atomically.

    With `organisation`, only that organisation's projects may be imported (an upload by one
    of its members): rows about a project that the pool gives to another organisation are
    errors. Without it (an administrator), a projects row may move a project to another
    organisation; the import record keeps each move. `by` names who imports (the record).
    Zipped files are unpacked within `limits` (uploads: read.UPLOADED).
    With `dry_run`, everything is done on a copy that is then thrown away (in `scratch`, a
    folder, when given; else beside the pool): the result says what the import would add and
    warn about. A dry run reads the pool only, so it does not take the import lock: checks
    run while another import does (each on the pool as it was when it began). An import
    finding another one running waits up to `lock_wait` seconds for it (saying so), then is
    refused.
    `demo`: into the demo pool, "refuse" (the default), "add" test data (it stays a demo) or
    "replace" it (the import makes a new, real pool in its place); "add" and "replace" are
    refused for any other pool. The first real import (a new pool, or the demo replaced)
    removes the public demo accounts from the pool's user store.

    Raises ImportRejected, leaving the pool byte-for-byte unchanged, on any error."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    db = Path(db)
    sources = [Path(p) for p in paths]
    if not sources:
        raise ImportRejected([Issue.about_file(_("(no files)"), _("no files were given."))])
    db.parent.mkdir(parents=True, exist_ok=True)
    with nullcontext() if dry_run else _import_lock(db, lock_wait, say):
        existed = db.exists()
        replacing = _demo_choice(db, demo)
        con = connect(":memory:", read_only=False)
        try:
            reading = read_sources(sources, target=db, progress=say, limits=limits)
            try:
                attach_pool(con, None if replacing else db)
            except PoolError as exc:
                issue = Issue.about_file(db.name, str(exc))
                raise ImportRejected([*reading.issues, issue]) from None
            checked = validate(con, reading.sheets, today=date.today(), progress=say)
            foreign, counted = (
                _other_organisations(con, reading.sheets, organisation) if organisation else ([], 0)
            )
            issues = reading.issues + foreign + checked.issues
            total = len(reading.issues) + counted + checked.total
            if not total and not any(checked.rows.values()):
                names = ", ".join(p.name for p in sources)
                issues = [
                    Issue.about_file(
                        names,
                        _(
                            "the files contain no data rows; fill in at least one row below "
                            "the header row of a table's sheet."
                        ),
                    )
                ]
                total = 1
            if total:
                raise ImportRejected(issues, total)
            moves = [] if replacing else _moves(con)
            result = _apply(
                con,
                db,
                reading,
                checked,
                started,
                say,
                dry_run,
                moves,
                by,
                fresh=replacing,
                scratch=scratch,
            )
        finally:
            con.close()
        if not dry_run and (replacing or not existed):
            result.notes += _real_pool_notes(db, replacing)
    result.seconds = time.perf_counter() - started
    say(f"Done in {result.seconds:.2f} s")
    return result


def _apply(
    con: duckdb.DuckDBPyConnection,
    db: Path,
    reading: Reading,
    checked: Validation,
    started: float,
    say: Callable[[str], None],
    dry_run: bool = False,
    moves: Sequence[dict[str, str]] = (),
    by: str | None = None,
    *,
    fresh: bool = False,
    scratch: Path | None = None,
) -> ImportResult:
    """Write the checked import into a copy of the pool at `db` (`fresh`: into a new, empty
    pool, which then replaces it) and swap it in; a dry run's copy (in `scratch` when given)
    has a name of its own, as dry runs may run side by side."""
    if dry_run:
        folder = scratch if scratch is not None else db.parent
        temp = folder / f"{db.name}.checking-{os.getpid()}-{secrets.token_hex(4)}"
    else:
        temp = db.with_name(f"{db.name}.importing-{os.getpid()}")
    _remove(temp)
    attached = False
    in_transaction = False
    try:
        if db.exists() and not fresh:
            shutil.copyfile(db, temp)
        else:
            create_pool(temp)  # (a real pool: kind "pool", a secret of its own)
        con.execute("DETACH pool")
        con.execute(f"ATTACH {_literal(str(temp))} AS target")
        attached = True
        con.execute("USE target")
        con.begin()
        in_transaction = True
        import_id = next_import_id(con)
        added: dict[str, int] = {}
        replaced: dict[str, int] = {}
        for table in DATA_TABLES:
            count = checked.rows[table]
            if not count:
                continue
            say(f"Writing {count:,} {table} rows")
            replaced[table] = _merge(con, table)
            added[table] = count - replaced[table]
        say("Computing data-quality warnings")
        new = refresh_warnings(con, import_id)
        examples = _warning_examples(con, import_id, reading.sheets)
        if not dry_run:  # derived tables: a check need not build them
            rollups.build(con, say)
        record_import(
            con,
            import_id,
            files=reading.files,
            rows_added=added,
            rows_replaced=replaced,
            warnings=sum(new.values()),
            seconds=round(time.perf_counter() - started, 3),
            moves=moves,
            by=by,
        )
        con.commit()
        in_transaction = False
        con.execute("USE memory")
        con.execute("CHECKPOINT target")
        con.execute("DETACH target")
        attached = False
        if dry_run:
            _remove(temp)
        else:
            _fsync(temp)
            os.replace(temp, db)
            _fsync(db.parent)
    except BaseException as exc:
        if in_transaction:
            with suppress(duckdb.Error):
                con.rollback()
        if attached:
            with suppress(duckdb.Error):
                con.execute("USE memory")
                con.execute("DETACH target")
        _remove(temp)
        if isinstance(exc, OSError | duckdb.IOException):
            raise ImportRejected(
                [
                    Issue.about_file(
                        db.name,
                        _(
                            "the new version of the pool could not be written ({error}); "
                            "the pool is unchanged."
                        ).format(error=exc),
                    )
                ]
            ) from exc
        raise
    return ImportResult(
        import_id=import_id,
        files=reading.files,
        rows_added=added,
        rows_replaced=replaced,
        warnings=new,
        notes=reading.notes + checked.notes,
        seconds=time.perf_counter() - started,
        warning_examples=examples,
        db=db,
        dry_run=dry_run,
        moves=list(moves),
    )


def pool_kind(db: Path) -> str | None:
    """The kind pool_meta gives the pool at `db` ("demo" for the demo pool, "pool" for
    real data), or None when there is no pool there (or no usable one: the import says so)."""
    if not Path(db).is_file():
        return None
    try:
        con = open_pool(db, read_only=True)
    except PoolError:
        return None
    try:
        return meta(con).get("kind")
    finally:
        con.close()


def demo_refusal(db: Path) -> str:
    """Why an import into the demo pool at `db` is refused, and the ways forward."""
    return _(
        "{pool} is the demo pool: its data are fictional, and its accounts (admin / "
        "demo-admin, ...) and the secret that protects its figures are public, so anything "
        "imported into it can be seen by anyone. Nothing was imported. For real data, import "
        "into a pool of its own: vsla import FILES --db data/network.duckdb, then serve it "
        "with make run DB=data/network.duckdb; or replace the demo with your data: vsla "
        "import FILES --replace-demo (the demo's data and accounts are removed and a new "
        "secret is drawn). To add test data to the demo, which stays a public demo: vsla "
        "import FILES --add-to-demo."
    ).format(pool=db.name)


def _demo_choice(db: Path, demo: DemoChoice) -> bool:
    """Whether the import replaces the demo pool at `db`; ImportRejected when it may not
    go there as asked (into the demo pool without being asked; "add" or "replace" for a
    pool that is not the demo)."""
    kind = pool_kind(db)
    if kind == DEMO_KIND:
        if demo == "refuse":
            raise ImportRejected([Issue.about_file(db.name, demo_refusal(db))])
        return demo == "replace"
    if kind is None and demo != "refuse":
        message = _(
            "there is no demo pool at {pool}; import without --add-to-demo or --replace-demo "
            "to make a new pool there."
        )
    elif demo == "add":
        message = _(
            "{pool} is not the demo pool, so there is no demo to add test data to; import "
            "without --add-to-demo to import into it."
        )
    elif demo == "replace":
        message = _(
            "{pool} is not the demo pool, and only the demo pool is replaced by an import "
            "(a pool of real data never is); import without --replace-demo to add to it."
        )
    else:
        return False
    raise ImportRejected([Issue.about_file(db.name, message.format(pool=db.name))])


def _real_pool_notes(db: Path, replaced: bool) -> list[str]:
    """The first real import into `db` (a new pool, or the demo replaced): the public demo
    accounts leave the pool's user store; what the summary says of it."""
    notes: list[str] = []
    if replaced:
        notes.append(
            _(
                "The demo pool was replaced: its fictional data are gone, the pool is marked "
                "as real data and has a new secret of its own."
            )
        )
    store = UserStore(users_path(db))
    removed = remove_public_demo_accounts(store)
    if removed:
        notes.append(
            _(
                "Removed the demo accounts, whose passwords are public, from the user store: "
                "{users}. Add your users with vsla user add."
            ).format(users=", ".join(removed))
        )
    return notes


def _pool_owners(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each project of the existing pool and the organisation that owns it."""
    try:
        return dict(con.execute("SELECT project_id, organisation FROM pool.projects").fetchall())
    except duckdb.Error:  # no pool yet
        return {}


def _other_organisations(
    con: duckdb.DuckDBPyConnection, sheets: Sequence[RawSheet], organisation: str
) -> tuple[list[Issue], int]:
    """Rows about another organisation's projects, in an upload limited to `organisation`:
    the first ones as issues, and how many in all.

    A project is the organisation's own if the pool says so, or if it is new to the pool and
    this upload's projects sheet gives it to the organisation. Whatever a row claims, a
    project that the pool gives to another organisation stays theirs: a projects row naming
    it (even with `organisation` set to one's own, which would move it) and every row of
    another table keyed to it are errors. Ids and names are compared as the validator
    stores them (the typed import tables: trimmed, NFKC; dashboard.ingest.text), so what is
    checked is what would be written."""
    owners = _pool_owners(con)
    own = {pid for pid, org in owners.items() if org == organisation}
    by_index = {s.index: s for s in sheets}

    def issue(src: int, row: int, column: str, value: str | None, message: str) -> Issue:
        sheet = by_index[src]
        return Issue(
            sheet.file, sheet.sheet, int(row), sheet.headers.get(column, column), value, message
        )

    def taken(pid: str) -> str:
        return _(
            "project {project} belongs to another organisation; you may import {organisation}'s "
            "projects only (only the network's administrator may move a project between "
            "organisations)."
        ).format(project=pid, organisation=organisation)

    issues: list[Issue] = []
    for sheet in sheets:
        if sheet.table == "exchange_rates" and sheet.rows:  # (counted by the validator)
            # The network's reference data: one organisation's upload must not change the
            # USD figures of all the others.
            message = _(
                "exchange rates are the network's and are imported by its administrator; "
                "leave this sheet empty or remove it."
            )
            first = int(sheet.frame["_row"].iloc[0])
            issues.append(Issue(sheet.file, sheet.sheet, first, None, None, message))
    projects = con.execute(
        "SELECT _src, _row, project_id, project_id__raw, organisation, organisation__raw "
        "FROM t_projects ORDER BY _src, _row"
    ).fetchall()
    for src, row, pid, pid_raw, org, org_raw in projects:
        if pid and owners.get(pid, organisation) != organisation:
            issues.append(issue(src, row, "project_id", pid_raw, taken(pid)))
        elif org and org != organisation:
            message = _(
                "you may import {organisation}'s projects only; ask the network's "
                "administrator to import other organisations' data."
            ).format(organisation=organisation)
            issues.append(issue(src, row, "organisation", org_raw, message))
        elif pid and org:
            own.add(pid)  # the organisation's new project (or its own, updated)
    total = len(issues)  # (every one listed so far)
    con.execute("CREATE OR REPLACE TEMP TABLE own_projects (project_id VARCHAR)")
    if own:
        con.executemany("INSERT INTO own_projects VALUES (?)", [[pid] for pid in sorted(own)])
    for table in ("project_reports", "groups", "datasets"):
        others = f"FROM t_{table} WHERE project_id IS NOT NULL AND project_id NOT IN " + (
            "(SELECT project_id FROM own_projects)"
        )
        found = con.execute(f"SELECT count(*) {others}").fetchone()
        total += int(found[0]) if found else 0
        rows = con.execute(
            f"SELECT _src, _row, project_id, project_id__raw {others} "
            f"ORDER BY _src, _row LIMIT {MAX_ISSUES}"
        ).fetchall()
        for src, row, pid, pid_raw in rows:
            if owners.get(pid, organisation) != organisation:
                message = taken(pid)
            else:
                message = _(
                    "this is not a project of {organisation}; you may import your own "
                    "organisation's projects only."
                ).format(organisation=organisation)
            issues.append(issue(src, row, "project_id", pid_raw, message))
    return issues, total


def _moves(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    """Projects of the pool that the import gives to another organisation (an
    administrator's import may; the import record keeps each move)."""
    try:
        rows = con.execute(
            "SELECT i.project_id, p.organisation, i.organisation"
            " FROM t_projects i JOIN pool.projects p USING (project_id)"
            " WHERE i.organisation IS DISTINCT FROM p.organisation ORDER BY i.project_id"
        ).fetchall()
    except duckdb.Error:  # no projects in the import, or no pool yet
        return []
    return [{"project_id": pid, "from": old, "to": new} for pid, old, new in rows]


def _merge(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Replace the pool's rows whose key is imported, insert the import; return replaced."""
    match = " AND ".join(f'p."{k}" = i."{k}"' for k in KEYS[table])
    deleted = con.execute(
        f"DELETE FROM target.main.{table} AS p USING memory.main.t_{table} AS i WHERE {match}"
    ).fetchone()
    columns = tables()[table].columns
    for c in columns:  # the network's own fields: columns the pool gains as they are declared
        if c.network:
            con.execute(
                f'ALTER TABLE target.main.{table} ADD COLUMN IF NOT EXISTS "{c.name}" '
                f"{SQL_TYPES[c.kind]}"
            )
    names = ", ".join(f'"{c.name}"' for c in columns)
    values = ", ".join(
        f"CAST({DERIVED.get((table, c.name), _quoted(c.name))} AS {SQL_TYPES[c.kind]})"
        for c in columns
    )
    con.execute(
        f"INSERT INTO target.main.{table} ({names}) "
        f"SELECT {values} FROM memory.main.t_{table} ORDER BY _src, _row"
    )
    return int(deleted[0]) if deleted else 0


def _warning_examples(
    con: duckdb.DuckDBPyConnection, import_id: int, sheets: Sequence[RawSheet]
) -> dict[str, list[str]]:
    by_index = {s.index: s for s in sheets}
    out: dict[str, list[str]] = {}
    rows = con.execute(sql("ingest_warning_examples"), {"import_id": import_id}).fetchall()
    for rule, message, project_id, group_id, report_date, src, row in rows:
        if src is not None and src in by_index:
            where = by_index[src].where(int(row))
        else:
            where = _pool_place(project_id, group_id, report_date)
        out.setdefault(rule, []).append(f"{where}: {message}")
    return out


def _pool_place(project_id: Any, group_id: Any, report_date: Any) -> str:
    """Where a flagged row of the pool is: "project P1, group G1, 2024-06-30"."""
    if group_id and report_date:
        text = _("project {project}, group {group}, {date}")
    elif group_id:
        text = _("project {project}, group {group}")
    elif report_date:
        text = _("project {project}, {date}")
    else:
        text = _("project {project}")
    return text.format(project=project_id, group=group_id, date=report_date)


def rebuild_rollups(db: Path, say: Callable[[str], None] = lambda _m: None) -> int:
    """Rebuild the rollups of the pool at `db` (one written by an older version) on a copy
    swapped in atomically, as an import does, so a serving dashboard picks it up; returns
    the number of cube rows."""
    db = Path(db)
    with _import_lock(db):
        temp = db.with_name(f"{db.name}.rollups-{os.getpid()}")
        _remove(temp)
        try:
            shutil.copyfile(db, temp)
            con = open_pool(temp, read_only=False)
            try:
                rows = rollups.build(con, say)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync(temp)
            os.replace(temp, db)
            _fsync(db.parent)
        except BaseException:
            _remove(temp)
            raise
    return rows


@contextmanager
def _import_lock(
    db: Path, wait: float = 0.0, say: Callable[[str], None] = lambda _m: None
) -> Iterator[None]:
    """One import at a time into the pools of a folder: a lock on the folder itself (where
    the new copy is written too), so that nothing is left behind when it is released. Taken
    at once, or within `wait` seconds (saying that it waits)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    handle = os.open(db.parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        said = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ImportRejected(
                        [
                            Issue.about_file(
                                db.name,
                                _(
                                    "another import into this pool is running; wait for it to "
                                    "finish and import again."
                                ),
                            )
                        ]
                    ) from None
            if not said:
                say("Waiting for another import to finish")
                said = True
            time.sleep(0.25)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:  # pragma: no cover - e.g. directories on some platforms
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _remove(temp: Path) -> None:
    for path in (temp, temp.with_name(temp.name + ".wal")):
        with suppress(FileNotFoundError):
            path.unlink()


def _seconds(seconds: float) -> str:
    """A duration with two decimals and the language's decimal sign, never grouped: 12.34."""
    return format_decimal(Decimal(f"{seconds:.2f}"), format="0.00", locale=i18n.babel_locale())


def _quoted(name: str) -> str:
    return f'"{name}"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
