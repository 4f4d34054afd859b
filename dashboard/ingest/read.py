"""Read import sources into raw sheets: every cell as text, headers mapped to canonical columns.

Sources: .xlsx workbooks (a sheet per table), .csv files named after the tables, folders and
.zip files of them, and other pool files (.duckdb). Nothing is interpreted here beyond
turning each cell into text (Excel dates become YYYY-MM-DD); the validator does the rest.
Row numbers are the ones the user sees in Excel (header = row 1); empty rows are kept in the
frame so that numbering stays true, and dropped by the validator.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from dashboard.core.format import number as format_number
from dashboard.core.i18n import _, ngettext
from dashboard.ingest.model import (
    TABLES,
    Issue,
    header_lookup,
    normalise_name,
    table_for,
    tables,
)
from dashboard.pool.files import DATA_TABLES, PoolError, open_pool

Progress = Callable[[str], None]

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
POOL_SUFFIXES = {".duckdb", ".db"}
PROGRESS_EVERY = 100_000
CHUNK = 1 << 20  # bytes unpacked at a time
MAX_NAMED = 20  # a zip's badly named files listed by name


@dataclass(frozen=True)
class Limits:
    """How large zipped files may grow when unpacked (a .zip's files, an .xlsx's parts):
    a small file that unpacks to gigabytes (a "zip bomb") is refused as it is unpacked,
    chunk by chunk, never held whole. Besides, how many files an import may hold (a zip's
    files counted one by one: counted before anything is unpacked) and how many rows one
    file (a CSV file, a workbook's sheet) and the whole import may hold: a file with more is
    refused as soon as its rows pass the limit, never read whole. None: no limit."""

    member_bytes: int  # one file, unpacked
    total_bytes: int  # every file of the import, unpacked, together
    ratio: int  # how many times its packed size a file may grow (beyond the first MiB)
    files: int | None = None  # files of the import, a zip's files included
    rows: int | None = None  # rows of one CSV file or sheet (the header not counted)
    total_rows: int | None = None  # rows of every file of the import together


# The command line reads an administrator's own files: room for the largest pools.
TRUSTED = Limits(member_bytes=16 << 30, total_bytes=64 << 30, ratio=1000)
# An upload in the browser (20 MB at most): quarterly workbooks are a few MB unpacked, a
# partner's quarter a few thousand rows; a check at these limits (two files of 100,000 rows)
# held 390 MB in its process.
UPLOADED = Limits(
    member_bytes=100 << 20,
    total_bytes=150 << 20,
    ratio=100,
    files=100,
    rows=100_000,
    total_rows=200_000,
)
CSV_CHUNK_ROWS = 20_000  # a CSV file is parsed this many rows at a time
MAX_NAME = 255  # characters of a file's name (a zip's member: its whole path)


@dataclass
class RawSheet:
    """One table's rows from one sheet or CSV file, as text."""

    index: int  # position in the import, used as the row's source id (_src)
    file: str  # as shown to the user: "datasets.csv", "data.zip/2025/datasets.csv"
    sheet: str | None  # the worksheet (or pool table) name; None for a CSV file
    table: str
    frame: pd.DataFrame  # columns c0..cN (text or missing) and _row (the Excel row number)
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> frame column
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    rows: int = 0  # non-empty data rows, filled in by the validator

    def where(self, row: int | None = None) -> str:
        """The place in words: "datasets.csv, row 3", "data.xlsx, sheet groups"."""
        if self.sheet and row is not None:
            return _("{file}, sheet {sheet}, row {row}").format(
                file=self.file, sheet=self.sheet, row=row
            )
        if self.sheet:
            return _("{file}, sheet {sheet}").format(file=self.file, sheet=self.sheet)
        if row is not None:
            return _("{file}, row {row}").format(file=self.file, row=row)
        return self.file


@dataclass
class Reading:
    sheets: list[RawSheet] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # {name, sha256, bytes}
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def read_sources(
    paths: Iterable[Path],
    *,
    target: Path | None = None,
    progress: Progress | None = None,
    limits: Limits = TRUSTED,
) -> Reading:
    """Read every source; problems that stop a file from being read become issues. Zipped
    files are unpacked within `limits`."""
    paths = [Path(p) for p in paths]
    reader = _Reader(progress or (lambda _msg: None), target, limits)
    too_many = too_many_files(paths, limits)
    if too_many:  # (refused before anything is unpacked or parsed)
        reader.out.issues.extend(too_many)
        return reader.out
    with tempfile.TemporaryDirectory(prefix="vsla-unpacked-") as scratch:
        reader.scratch = Path(scratch)
        for path in paths:
            reader.read_path(Path(path))
    return reader.out


def zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """A zip's files (not its folders), each counted against `Limits.files`."""
    return [info for info in archive.infolist() if not info.is_dir()]


def count_files(paths: Iterable[Path]) -> dict[str, int]:
    """How many files each source brings to an import: a zip its files (read from its
    table of contents, nothing unpacked), a folder the files in it, any other file one."""
    counts: dict[str, int] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            counts[path.name] = sum(1 for p in path.rglob("*") if p.is_file())
        elif path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    counts[path.name] = len(zip_members(archive))
            except (zipfile.BadZipFile, OSError, ValueError):
                counts[path.name] = 1  # (the reader says what is wrong with it)
        else:
            counts[path.name] = 1
    return counts


def too_many_files(paths: Iterable[Path], limits: Limits) -> list[Issue]:
    """The import's files counted against `limits.files` (before anything is read): an
    issue naming each zip that alone holds too many, or all of them when only together."""
    if limits.files is None:
        return []
    counts = count_files(paths)
    total = sum(counts.values())
    if total <= limits.files:
        return []
    issues = [
        Issue.about_file(name, too_many_files_message(n, limits.files))
        for name, n in counts.items()
        if n > limits.files
    ]
    return issues or [
        Issue.about_file(", ".join(counts), too_many_files_message(total, limits.files))
    ]


def too_many_files_message(count: int, limit: int) -> str:
    """What is wrong with an upload of `count` files (said after the file's name)."""
    return _(
        "{count} files (a zip's files counted one by one), more than the {limit} one upload "
        "may hold; import them in several uploads of at most {limit} files each, or on the "
        "command line (vsla import)."
    ).format(count=format_number(count), limit=format_number(limit))


def member_name_problem(name: str) -> str | None:
    """What is wrong with a file's name inside a zip, or None: control characters (a NUL,
    a line break), a path that leaves the zip (absolute, a drive, ".."), a backslash, or a
    name longer than MAX_NAME characters."""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return _(
            "the name of this file in the .zip holds control characters (such as a NUL or a "
            "line break); rename the file and make the .zip again."
        )
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return _(
            "the name of this file in the .zip is a path that leaves the .zip (absolute, with a "
            "drive, a backslash or '..'); make the .zip again from the folder of the files."
        )
    if len(name) > MAX_NAME:
        return _(
            "the name of this file in the .zip is longer than {limit} characters; give it a "
            "shorter name."
        ).format(limit=MAX_NAME)
    return None


def shown_name(name: str) -> str:
    """A name as the messages show it: control characters written as escapes (\\x00)."""
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in ("Cc", "Cf") else c
        for c in name
    )[: MAX_NAME + 20]


def file_record(name: str, data: bytes | Path) -> dict[str, Any]:
    if isinstance(data, Path):
        with data.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        size = data.stat().st_size
    else:
        digest = hashlib.sha256(data).hexdigest()
        size = len(data)
    return {"name": name, "sha256": digest, "bytes": size}


class _Reader:
    def __init__(self, progress: Progress, target: Path | None, limits: Limits) -> None:
        self.progress = progress
        self.target = target.resolve() if target else None
        self.limits = limits
        self.unpacked = 0  # bytes unpacked so far, every file together
        self.rows = 0  # rows read so far, every file together
        self.scratch = Path(tempfile.gettempdir())  # (read_sources gives a folder of its own)
        self.out = Reading()

    # -- unpacking within the limits ----------------------------------------------------------
    def unpack(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, into: IO[bytes] | None
    ) -> bool:
        """Stream a zipped file into `into` (or nowhere: only measured), chunk by chunk,
        stopping with an issue when it would grow past the limits. True when it fits."""
        limit = min(
            self.limits.member_bytes,
            self.limits.total_bytes - self.unpacked,
            max(CHUNK, info.compress_size * self.limits.ratio),
        )
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        self.issue(shown, _too_large(self.limits))
                        return False
                    if into is not None:
                        into.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            self.issue(
                shown, _("this part of the .zip cannot be unpacked ({error}).").format(error=exc)
            )
            return False
        self.unpacked += size
        return True

    def workbook_fits(self, name: str, source: Path) -> bool:
        """An .xlsx is a zip of XML parts: each is measured as it unpacks (openpyxl would
        unpack them whole) before the workbook is opened."""
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            self.issue(
                name,
                _("this cannot be read as an Excel workbook (.xlsx): {error}.").format(error=exc),
            )
            return False
        with archive:
            start = self.unpacked
            fits = all(self.unpack(archive, info, name, None) for info in archive.infolist())
            self.unpacked = start  # (measured only: what openpyxl reads is counted below)
        return fits

    # -- dispatch ---------------------------------------------------------------------------
    def read_path(self, path: Path) -> None:
        name = path.name or str(path)
        if not path.exists():
            self.issue(name, _("there is no file or folder at {path}.").format(path=path))
            return
        if path.is_dir():
            self.read_folder(path)
            return
        suffix = path.suffix.lower()
        if suffix == ".zip":
            self.read_zip(path)
        elif suffix in EXCEL_SUFFIXES:
            self.out.files.append(file_record(name, path))
            self.read_workbook(name, path)
        elif suffix == ".csv":
            table = table_for(path.stem)
            if table is None:
                self.issue(name, _unknown_csv_message(path.name))
                return
            self.out.files.append(file_record(name, path))
            self.read_csv(name, path, table)
        elif suffix in POOL_SUFFIXES:
            self.read_pool(name, path)
        elif suffix == ".xls":
            self.issue(
                name,
                _(
                    "this is an old-style Excel file (.xls), which cannot be read; "
                    "open it in Excel and save it as an Excel Workbook (.xlsx)."
                ),
            )
        else:
            self.issue(
                name,
                _(
                    "this kind of file cannot be imported; import .xlsx workbooks, .csv files "
                    "named after the tables, a folder or .zip of them, or a pool file (.duckdb)."
                ),
            )

    def read_folder(self, folder: Path) -> None:
        used = 0
        for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
            name = f"{folder.name}/{path.name}"
            if path.name.startswith((".", "~$")):
                continue
            suffix = path.suffix.lower()
            if path.is_file() and suffix in EXCEL_SUFFIXES:
                used += 1
                self.out.files.append(file_record(name, path))
                self.read_workbook(name, path)
            elif path.is_file() and suffix == ".csv" and table_for(path.stem):
                used += 1
                self.out.files.append(file_record(name, path))
                self.read_csv(name, path, table_for(path.stem) or "")
            elif path.is_file() and suffix == ".csv":
                self.out.notes.append(
                    _("{file}: ignored (not named after a table).").format(file=name)
                )
            elif path.name.lower() not in {"readme.md", "readme.txt"}:
                self.out.notes.append(
                    _("{file}: ignored (only .csv and .xlsx files are read).").format(file=name)
                )
        if not used:
            self.issue(
                folder.name,
                _(
                    "the folder holds no .xlsx workbook and no .csv file named after a table "
                    "({files})."
                ).format(files=", ".join(f"{t}.csv" for t in TABLES)),
            )

    def read_zip(self, path: Path) -> None:
        name = path.name
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            self.issue(name, _("this is not a readable .zip file ({error}).").format(error=exc))
            return
        self.out.files.append(file_record(name, path))
        used = 0
        with archive:
            bad = [
                (info, problem)
                for info in archive.infolist()
                if (problem := member_name_problem(info.orig_filename)) is not None
            ]
            for info, problem in bad[:MAX_NAMED]:
                self.issue(f"{name}/{shown_name(info.orig_filename)}", problem)
            if bad:
                return
            for info in sorted(archive.infolist(), key=lambda i: i.filename.lower()):
                member = info.filename
                base = member.rsplit("/", 1)[-1]
                if info.is_dir() or member.startswith("__MACOSX/") or base.startswith((".", "~$")):
                    continue
                shown = f"{name}/{member}"
                suffix = Path(base).suffix.lower()
                table = table_for(Path(base).stem) if suffix == ".csv" else None
                if suffix not in EXCEL_SUFFIXES and table is None:
                    if suffix == ".csv":
                        note = _("{file}: ignored (not named after a table).")
                    else:
                        note = _("{file}: ignored (not .csv or .xlsx).")
                    self.out.notes.append(note.format(file=shown))
                    continue
                used += 1
                unpacked = self.scratch / f"{used}{suffix}"
                with unpacked.open("wb") as out:
                    fits = self.unpack(archive, info, shown, out)
                if fits and suffix in EXCEL_SUFFIXES:
                    self.read_workbook(shown, unpacked)
                elif fits:
                    self.read_csv(shown, unpacked, table or "")
                unpacked.unlink(missing_ok=True)
        if not used:
            self.issue(
                name,
                _("the .zip file holds no .xlsx workbook and no .csv file named after a table."),
            )

    # -- CSV --------------------------------------------------------------------------------
    def read_csv(self, name: str, source: Path | IO[bytes], table: str) -> None:
        self.progress(f"Reading {name}")
        head = _peek(source)
        delimiter = _sniff_delimiter(head)
        try:
            read = self.read_csv_chunks(name, source, delimiter)
        except pd.errors.EmptyDataError:
            self.out.notes.append(_("{file}: the file is empty.").format(file=name))
            return
        except UnicodeDecodeError:
            self.issue(
                name,
                _(
                    "the file is not UTF-8 text; in Excel use Save As > "
                    "'CSV UTF-8 (Comma delimited)'."
                ),
            )
            return
        except pd.errors.ParserError:
            # Rows with more cells than the header: read again, slowly, to report them all
            # and still check the rest of the file.
            read = self.read_ragged_csv(name, source, delimiter)
        if read is None:  # (too many rows: said)
            return
        headers, data = read
        self.add_sheet(name, None, table, headers, data)
        self.progress(f"{name}: {len(data):,} rows read")

    def read_csv_chunks(
        self, name: str, source: Path | IO[bytes], delimiter: str
    ) -> tuple[list[str], pd.DataFrame] | None:
        """The CSV's header and rows, parsed a chunk of rows at a time, so that a file with
        more rows than the limits allow is refused once it passes them (None), never read
        whole."""
        chunks: list[pd.DataFrame] = []
        count = 0
        with pd.read_csv(
            source,
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            engine="c",
            quotechar='"',
            chunksize=CSV_CHUNK_ROWS,
        ) as parts:
            for chunk in parts:
                chunks.append(chunk)
                count += len(chunk)
                if not self.rows_fit(name, None, count - 1):
                    return None
        if not chunks:
            raise pd.errors.EmptyDataError
        frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        width = max(len(c.columns) for c in chunks)
        frame = frame.reindex(columns=range(width))
        headers = ["" if not isinstance(h, str) else h for h in frame.iloc[0].tolist()]
        frame.columns = [f"c{i}" for i in range(frame.shape[1])]
        data = frame.iloc[1:]
        data = data.assign(_row=np.arange(2, len(data) + 2, dtype=np.int64))
        self.rows += len(data)
        return headers, data

    def rows_fit(self, name: str, sheet: str | None, rows: int) -> bool:
        """Whether `rows` more rows of one file (or sheet) fit the limits; if not, the issue
        that says which limit, and what to do."""
        limit = self.limits.rows
        if limit is not None and rows > limit:
            message = _(
                "more than {limit} rows, the most one file (or sheet) of an upload may hold; "
                "split it into files of at most {limit} rows, or import it on the command "
                "line (vsla import)."
            ).format(limit=format_number(limit))
            self.issue(name, message, sheet=sheet)
            return False
        total = self.limits.total_rows
        if total is not None and self.rows + rows > total:
            message = _(
                "with this file the upload holds more than {limit} rows, the most one upload "
                "may hold; import the files in several uploads, or on the command line "
                "(vsla import)."
            ).format(limit=format_number(total))
            self.issue(name, message, sheet=sheet)
            return False
        return True

    def read_ragged_csv(
        self, name: str, source: Path | IO[bytes], delimiter: str
    ) -> tuple[list[str], pd.DataFrame] | None:
        if isinstance(source, Path):
            handle: IO[bytes] = source.open("rb")
        else:
            source.seek(0)
            handle = source
        with io.TextIOWrapper(handle, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            headers = next(reader, [])
            width = len(headers)
            rows: list[list[str]] = []
            for number, cells in enumerate(reader, start=2):
                if len(cells) > width:
                    if any(cell.strip() for cell in cells[width:]):
                        message = _ragged_message(delimiter).format(cells=len(cells), width=width)
                        self.issue(name, message, row=number)
                    cells = cells[:width]
                rows.append(cells + [""] * (width - len(cells)))
                if len(rows) % CSV_CHUNK_ROWS == 0 and not self.rows_fit(name, None, len(rows)):
                    return None
        if not self.rows_fit(name, None, len(rows)):
            return None
        data = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)], dtype=object)
        data["_row"] = np.arange(2, len(rows) + 2, dtype=np.int64)
        self.rows += len(rows)
        return headers, data

    # -- Excel ------------------------------------------------------------------------------
    def read_workbook(self, name: str, source: Path | IO[bytes]) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.progress(f"Reading {name}")
        if isinstance(source, Path) and not self.workbook_fits(name, source):
            return
        try:
            book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            self.issue(
                name,
                _("this cannot be read as an Excel workbook (.xlsx): {error}.").format(error=exc),
            )
            return
        except Exception as exc:  # a damaged part (XML that does not parse, ...): the file's
            self.issue(name, _damaged(exc))
            return
        try:
            self._read_sheets(name, book)
        except Exception as exc:  # (read-only workbooks parse their sheets as they are read)
            self.issue(name, _damaged(exc))
        finally:
            book.close()

    def _read_sheets(self, name: str, book: Any) -> None:
        found = False
        for sheet in book.worksheets:
            table = table_for(sheet.title)
            if table is None:
                self.out.notes.append(
                    _("{file}, sheet {sheet}: ignored (not named after a table).").format(
                        file=name, sheet=sheet.title
                    )
                )
                continue
            found = True
            self.read_worksheet(name, sheet, table)
        if not found:
            self.issue(
                name,
                _(
                    "the workbook has no sheet named after a table; name the sheets {sheets}."
                ).format(sheets=", ".join(TABLES)),
            )

    def read_worksheet(self, name: str, sheet: Any, table: str) -> None:
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            self.out.notes.append(
                _("{file}, sheet {sheet}: the sheet is empty.").format(file=name, sheet=sheet.title)
            )
            return
        headers = [_cell_text(v) or "" for v in header_cells]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, cells in enumerate(rows, start=2):
            values = [_cell_text(v) for v in cells[:width]]
            if not any(values):
                continue  # an empty row: skipped, the numbering of the others stays true
            values.extend([None] * (width - len(values)))
            for column, value in zip(columns, values, strict=True):
                column.append(value)
            numbers.append(number)
            if len(numbers) % CSV_CHUNK_ROWS == 0 and not self.rows_fit(
                name, sheet.title, len(numbers)
            ):
                return
            if len(numbers) % PROGRESS_EVERY == 0:
                self.progress(f"{name}, sheet {sheet.title}: {len(numbers):,} rows read")
        if not self.rows_fit(name, sheet.title, len(numbers)):
            return
        self.rows += len(numbers)
        frame = pd.DataFrame(
            {f"c{i}": pd.Series(col, dtype=object) for i, col in enumerate(columns)}
        )
        frame["_row"] = np.asarray(numbers, dtype=np.int64)
        self.add_sheet(name, sheet.title, table, headers, frame)
        self.progress(f"{name}, sheet {sheet.title}: {len(numbers):,} rows read")

    # -- another pool -----------------------------------------------------------------------
    def read_pool(self, name: str, path: Path) -> None:
        if self.target is not None and path.resolve() == self.target:
            self.issue(
                name,
                _("this is the pool being imported into; a pool cannot be merged into itself."),
            )
            return
        self.progress(f"Reading {name}")
        try:
            con = open_pool(path, read_only=True)
        except PoolError as exc:
            self.issue(name, str(exc))
            return
        try:
            self.out.files.append(file_record(name, path))
            for table in DATA_TABLES:
                names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
                select = ", ".join(
                    f'CAST("{col}" AS VARCHAR) AS c{i}' for i, col in enumerate(names)
                )
                frame = con.execute(
                    f"SELECT {select}, CAST(rowid + 1 AS BIGINT) AS _row "
                    f"FROM {table} ORDER BY rowid"
                ).df()
                self.add_sheet(name, table, table, names, frame)
                self.progress(f"{name}, table {table}: {len(frame):,} rows read")
        finally:
            con.close()

    # -- shared -----------------------------------------------------------------------------
    def add_sheet(
        self, name: str, sheet: str | None, table: str, headers: list[str], frame: pd.DataFrame
    ) -> None:
        lookup = header_lookup(tables()[table])
        raw = RawSheet(len(self.out.sheets), name, sheet, table, frame)
        unknown: list[str] = []
        for i, header in enumerate(headers):
            text = header.strip()
            if not text:
                continue
            canonical = lookup.get(normalise_name(text))
            if canonical is None:
                unknown.append(text)
            elif canonical in raw.columns:
                self.issue(
                    name,
                    _(
                        "the columns '{first}' and '{second}' both give {column}; "
                        "keep only one of them."
                    ).format(first=raw.headers[canonical], second=text, column=canonical),
                    sheet=sheet,
                    row=1,
                    column=text,
                )
            else:
                raw.columns[canonical] = f"c{i}"
                raw.headers[canonical] = text
        if unknown:
            listed = ", ".join(f"'{u}'" for u in unknown)
            self.out.notes.append(
                ngettext(
                    "{where}: ignored the column {columns} (not a column of {table}).",
                    "{where}: ignored the columns {columns} (not columns of {table}).",
                    len(unknown),
                ).format(where=raw.where(), columns=listed, table=table)
            )
        self.out.sheets.append(raw)

    def issue(
        self,
        file: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.out.issues.append(Issue(file, sheet, row, column, None, message))


def _cell_text(value: Any) -> str | None:
    """An openpyxl cell value as the text the validator reads."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()  # an Excel date cell: its date
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _peek(source: Path | IO[bytes]) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as f:
            return f.read(65536)
    position = source.tell()
    head = source.read(65536)
    source.seek(position)
    return head


def _sniff_delimiter(head: bytes) -> str:
    """',' or ';' (or a tab): the one that occurs most in the header line, outside quotes."""
    line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_large(limits: Limits) -> str:
    return _(
        "unpacked, this file would be larger than {size} MB (or grow more than {ratio} times "
        "its packed size), more than an import may hold; split the data into smaller files "
        "or send them unzipped."
    ).format(size=limits.member_bytes >> 20, ratio=limits.ratio)


def _damaged(exc: Exception) -> str:
    return _(
        "this workbook is damaged and cannot be read ({error}); open it in Excel, save it "
        "again as an Excel Workbook (.xlsx) and import it again."
    ).format(error=f"{type(exc).__name__}: {exc}"[:200])


def _unknown_csv_message(filename: str) -> str:
    names = ", ".join(f"{t}.csv" for t in TABLES)
    return _(
        "the file name {file} does not say which table it holds; "
        "name the file after its table: {names}."
    ).format(file=filename, names=names)


def _ragged_message(delimiter: str) -> str:
    """The message about a row with more cells than the header ({cells}, {width}), in a
    sentence per delimiter so that translators can agree the words with it."""
    if delimiter == ";":
        return _(
            "this row has {cells} cells but the header has {width}; look for an extra semicolon "
            "or for text containing a semicolon that is not in quotes."
        )
    if delimiter == "\t":
        return _(
            "this row has {cells} cells but the header has {width}; look for an extra tab "
            "or for text containing a tab that is not in quotes."
        )
    return _(
        "this row has {cells} cells but the header has {width}; look for an extra comma "
        "or for text containing a comma that is not in quotes."
    )
