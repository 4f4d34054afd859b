"""/import: upload a workbook or CSV files in the browser (admins; members for their own
organisation's projects), checked exactly as `vsla import` checks them.

Two steps: "Check" runs the whole import on a throw-away copy of the pool and lists every
error (file, sheet, row, column) or, if there is none, what would be added and the warnings;
"Import" then does it for real. Both run in the background (dashboard.ingest.jobs: a process of
their own, never inside the request): the request checks the upload's list and names,
counts its files (a zip's too, from its table of contents) and starts the job; the page then
polls the job's state ("Checking file 3 of 12…") until its result. The job's id is kept in
the browser tab (so a reload finds it) and answers only the user who started it.

Uploaded files exist only in the job's folder while they are checked or imported (the pool's
import record keeps their names, sizes and SHA-256).

On the demo pool, whose accounts and secret are public, the page says so and imports only
when the box stating it is ticked (test data; real data go into a pool of their own).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard.access.viewer import current_viewer
from dashboard.analytics import datasource
from dashboard.core import i18n
from dashboard.core.config import import_url, pool_path
from dashboard.core.format import number
from dashboard.core.i18n import N_, _, ngettext
from dashboard.ingest import jobs, write_template
from dashboard.ingest.read import (
    UPLOADED,
    member_name_problem,
    shown_name,
    table_for,
    too_many_files_message,
    zip_members,
)
from dashboard.pool.files import PoolError
from dashboard.web.login import LOGIN_PATH

PATH = "/import"
NAME = N_("Import")
ORDER = 10
MAX_BYTES = 20 * 1024 * 1024  # per upload, all files together
MAX_FILES = UPLOADED.files or 100  # per upload, a zip's files included
MAX_NAME = 120  # characters of an uploaded file's name
ALLOWED = (".xlsx", ".csv", ".zip")
POLL_MS = 700  # how often the page asks for the job's progress
DATA_URL = re.compile(r"^data:[^,;]*(;[^,;]*)*;base64,")


def elsewhere() -> dbc.Alert | None:
    """On a host that serves a copy of the pool ($VSLA_IMPORT_URL set): where to import."""
    url = import_url()
    if url is None:
        return None
    return dbc.Alert(
        [
            _("Imports are made on the import host; this one serves a copy of the pool. "),
            html.A(_("Import there"), href=url, className="alert-link"),
        ],
        color="info",
        id="up-elsewhere",
    )


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Import data"), className="page-title"),
            elsewhere(),
            html.P(
                _(
                    "Upload the quarterly workbook (the template of `vsla template`) or CSV "
                    "files, or a zip of them. They are checked as `vsla import` checks them: "
                    "nothing is imported if anything is wrong, and every problem is listed with "
                    "its file, sheet, row and column."
                ),
                className="page-lead",
            ),
            html.P(
                _(
                    "An upload holds at most {files} files (a zip's files counted one by one) "
                    "and {size} MB; a file (or sheet) at most {rows} rows, the upload {total} "
                    "rows. Larger imports: vsla import on the command line."
                ).format(
                    files=number(MAX_FILES),
                    size=MAX_BYTES // (1024 * 1024),
                    rows=number(UPLOADED.rows or 0),
                    total=number(UPLOADED.total_rows or 0),
                ),
                className="small text-secondary",
                id="up-limits",
            ),
            html.P(
                html.A(
                    _("Download the import workbook (empty, with the rules of every column)"),
                    href=TEMPLATE_PATH,
                    download=TEMPLATE_FILE,
                    id="up-template",
                ),
                className="mb-3",
            ),
            html.Div(id="up-who", className="mb-3"),
            _demo_notice(),
            html.Div(  # (its data-label names the file input: assets/20_a11y.js)
                dcc.Upload(
                    html.Div([_("Drop files here or "), html.A(_("choose files"), href="#")]),
                    id="up-files",
                    multiple=True,
                    max_size=MAX_BYTES,
                    accept=",".join(ALLOWED),
                    className="upload-zone",
                ),
                **{"data-label": _("Workbooks, CSV files or zips to import")},
            ),
            html.Div(id="up-chosen", className="small text-secondary mt-2"),
            html.Div(
                [
                    dbc.Button(_("Check"), id="up-check", color="secondary", className="me-2"),
                    dbc.Button(_("Import"), id="up-import", color="primary", disabled=True),
                ],
                className="my-3",
            ),
            html.Div(
                [
                    html.Span(id="up-progress", className="me-3"),
                    html.Span(
                        dbc.Button(
                            _("Cancel"),
                            id="up-cancel",
                            color="link",
                            size="sm",
                            className="p-0 align-baseline",
                        ),
                        id="up-cancel-wrap",
                        hidden=True,
                    ),
                ],
                role="status",
                **{"aria-live": "polite"},
                className="mb-2",
            ),
            html.Div(id="up-result"),
            dcc.Store(id="up-job", storage_type="session"),  # {"id": the job's id}
            dcc.Interval(id="up-poll", interval=POLL_MS, disabled=True),
        ]
    )


DEMO_OK = "demo"  # the value of the demo notice's box when it is ticked


def _demo_pool() -> bool:
    """Whether the pool served is the demo pool (its accounts and secret are public)."""
    try:
        return datasource.all_facts().kind == "demo"
    except PoolError:
        return False


def _demo_notice() -> html.Div:
    """On the demo pool: what it means to import into it, and the box that says one knows
    (hidden on any other pool; the box is always there for the callback to read)."""
    demo = _demo_pool()
    return html.Div(
        dbc.Alert(
            [
                html.P(
                    [
                        html.Strong(_("This is the public demo pool.")),
                        " ",
                        _(
                            "Its data are fictional, and its accounts (admin / demo-admin, and "
                            "one per organisation) and the secret that protects its figures "
                            "are public: anything imported here can be seen by anyone. Import "
                            "test data only. Real data go into a pool of their own, on the "
                            "command line: vsla import FILES --db data/network.duckdb (or "
                            "vsla import FILES --replace-demo to replace the demo)."
                        ),
                    ]
                ),
                dbc.Checklist(
                    id="up-demo-ok",
                    options=[
                        {
                            "label": _(
                                "I understand: this is the public demo pool, and what I import "
                                "here is test data."
                            ),
                            "value": DEMO_OK,
                        }
                    ],
                    value=[],
                    className="mb-0",
                ),
            ],
            color="warning",
            className="mb-3",
        ),
        id="up-demo",
        hidden=not demo,
    )


def _who() -> tuple[bool, str | None, str]:
    """(may import, organisation limit, sentence)."""
    viewer = current_viewer()
    if viewer.is_admin:
        return (
            True,
            None,
            _("You are an administrator: you may import any organisation's data."),
        )
    if viewer.role == "member":
        return (
            True,
            viewer.organisation,
            _(
                "You may import {organisation}'s projects (their groups, datasets and reports)."
            ).format(organisation=viewer.organisation),
        )
    return (
        False,
        None,
        _("Sign in as an administrator or an organisation member to import data."),
    )


def _damaged(name: str) -> str:
    return _("{file}: the upload arrived damaged; please choose the file again.").format(file=name)


def name_problem(name: str) -> str | None:
    """What is wrong with an uploaded file's name (the browser sends the name alone), or
    None."""
    if not name.strip():
        return _("A file has no name; please choose the files again.")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return _(
            "{file}: the file's name holds control characters (such as a NUL or a line "
            "break); rename the file and choose it again."
        ).format(file=shown_name(name))
    if "/" in name or "\\" in name or name in (".", ".."):
        return _(
            "{file}: a file's name may not hold / or \\ (the browser sends names without "
            "their folders); rename the file and choose it again."
        ).format(file=shown_name(name))
    if len(name) > MAX_NAME:
        return _(
            "{file}: the file's name is longer than {limit} characters; give it a shorter "
            "name and choose it again."
        ).format(file=shown_name(name[:40]) + "…", limit=MAX_NAME)
    if not name.lower().endswith(ALLOWED):
        return _("{file}: only .xlsx, .csv or .zip files can be imported.").format(
            file=shown_name(name)
        )
    return None


def _zip_problem(name: str, data: bytes) -> tuple[int, int, str | None]:
    """A zip's files (read from its table of contents, nothing unpacked): how many, how many
    the import reads, and what is wrong with their names if anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = zip_members(archive)
            for info in members:
                problem = member_name_problem(info.orig_filename)
                if problem:
                    return len(members), 0, f"{name}/{shown_name(info.orig_filename)}: {problem}"
            readable = sum(1 for info in members if _readable(info.filename))
            return len(members), readable, None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return 1, 1, None  # (the check says what is wrong with it, naming it)


def _readable(member: str) -> bool:
    """Whether the import reads a zip's file (a workbook, or a CSV named after a table)."""
    base = member.rsplit("/", 1)[-1]
    if member.startswith("__MACOSX/") or base.startswith((".", "~$")):
        return False
    stem, _dot, suffix = base.rpartition(".")
    suffix = suffix.lower()
    return suffix in ("xlsx", "xlsm") or (suffix == "csv" and table_for(stem) is not None)


def checked_upload(contents: Any, names: Any) -> tuple[list[tuple[str, bytes]], int] | str:
    """The upload as (name, bytes) pairs and how many files the import will read, or what is
    wrong with it, in a sentence naming the file and the limit: lists that do not match,
    names that are empty, repeated, too long or hold control characters or folders, contents
    that are not a data: URL of base64, too many files (a zip's counted one by one) or too
    many bytes."""
    if isinstance(contents, str):
        contents = [contents]
    if isinstance(names, str):
        names = [names]
    if not isinstance(contents, list) or not isinstance(names, list):
        return _("The upload arrived damaged; please choose the files again.")
    if len(contents) != len(names):
        return _(
            "The upload arrived damaged ({contents} files for {names} names); please choose "
            "the files again."
        ).format(contents=len(contents), names=len(names))
    if len(names) > MAX_FILES:
        return _too_many(len(names))
    seen: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            return _("The upload arrived damaged; please choose the files again.")
        problem = name_problem(name)
        if problem:
            return problem
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            return _(
                "Two of the files are called {file}; rename one of them, or choose only one."
            ).format(file=shown_name(name))
        seen[key] = name
    files: list[tuple[str, bytes]] = []
    size = counted = readable = 0
    for content, name in zip(contents, names, strict=True):
        if not isinstance(content, str) or not DATA_URL.match(content[:200]):
            return _damaged(shown_name(name))
        try:
            data = base64.b64decode(content.split(",", 1)[1], validate=True)
        except (IndexError, ValueError, binascii.Error):
            return _damaged(shown_name(name))
        size += len(data)
        if size > MAX_BYTES:
            return _("The files are larger than {size} MB together.").format(
                size=MAX_BYTES // (1024 * 1024)
            )
        if name.lower().endswith(".zip"):
            members, read, problem = _zip_problem(name, data)
            if problem:
                return problem
            counted += members
            readable += read
            if members > MAX_FILES:
                return _too_many(members, name)
        else:
            counted += 1
            stem = name.rsplit(".", 1)[0]
            readable += int(not name.lower().endswith(".csv") or table_for(stem) is not None)
        if counted > MAX_FILES:
            return _too_many(counted)
        files.append((name, data))
    return files, readable


def _too_many(count: int, name: str | None = None) -> str:
    return _("{file}: {problem}").format(
        file=name or _("The upload"), problem=too_many_files_message(count, MAX_FILES)
    )


def _private(text: str | None) -> str:
    """A message as a browser may see it: the server's own paths (the pool's, the upload's
    temporary folder) named for what they are."""
    if not text:
        return ""
    pool = pool_path()
    for path, words in (
        (str(pool.resolve()), _("the pool")),
        (str(pool), _("the pool")),
        (str(pool.resolve().parent), _("the server")),
        (tempfile.gettempdir(), _("the server")),
    ):
        text = text.replace(path, words)
    return text


def _issues(issues: list[list[str]], total: int) -> html.Div:
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (_("File"), _("Sheet"), _("Row"), _("Column"), _("Value"), _("Problem"))
            ]
        )
    )
    rows = [
        html.Tr([html.Td(_private(str(cell))) for cell in issue[:6]])
        for issue in issues[: jobs.MAX_ISSUES_SHOWN]
    ]
    more = total - min(jobs.MAX_ISSUES_SHOWN, len(issues))
    return html.Div(
        [
            dbc.Alert(
                ngettext(
                    "Nothing was imported: {n} problem to fix in the files, then check them again.",
                    "Nothing was imported: {n} problems to fix in the files, then check them "
                    "again.",
                    total,
                ).format(n=number(total)),
                color="danger",
            ),
            dbc.Table([head, html.Tbody(rows)], size="sm", className="import-issues"),
            html.P(_("... and {n} more.").format(n=number(more))) if more > 0 else None,
        ]
    )


def start(
    contents: Any,
    names: Any,
    confirm: bool,
    acknowledged: bool = False,
) -> tuple[Any, str | None]:
    """Check the upload and start its check (or import) in the background: (what to show
    now, the job's id or None when nothing was started).
    `acknowledged`: the demo notice's box is ticked (needed to import into the demo pool)."""
    allowed, organisation, sentence = _who()
    if not allowed:
        return dbc.Alert(sentence, color="warning"), None
    if (there := elsewhere()) is not None:
        return there, None
    if not contents:
        return dbc.Alert(_("Choose one or more files first."), color="secondary"), None
    demo = _demo_pool()
    if demo and confirm and not acknowledged:
        return dbc.Alert(
            _(
                "Nothing was imported: this is the public demo pool. Tick the box above to "
                "import test data into it; real data go into a pool of their own."
            ),
            color="warning",
        ), None
    upload = checked_upload(contents, names)
    if isinstance(upload, str):
        return dbc.Alert(upload, color="danger"), None
    files, readable = upload
    viewer = current_viewer()
    spec = jobs.Spec(
        kind="import" if confirm else "check",
        owner=str(viewer.username),
        organisation=organisation,
        pool=str(pool_path()),
        lang=i18n.current(),
        demo="add" if demo else "refuse",  # (the demo stays a demo)
        total_files=readable,
    )
    try:
        job = jobs.start(spec, files)
    except jobs.Refused as exc:
        return dbc.Alert(str(exc), color="warning"), None
    return None, job


def shown(state: dict[str, Any] | None) -> dict[str, Any]:
    """A job's state on the page: the outputs of the polling callback."""
    out: dict[str, Any] = {
        "result": no_update,
        "import_disabled": no_update,
        "poll_disabled": True,
        "progress": "",
        "cancel_hidden": True,
    }
    if state is None:
        out["result"] = dbc.Alert(
            _("This check is no longer known to the server; choose the files and check again."),
            color="secondary",
        )
        return out
    if state.get("state") not in jobs.FINAL:
        out.update(
            poll_disabled=False,
            progress=[dbc.Spinner(size="sm", spinner_class_name="me-2"), state.get("words", "")],
            cancel_hidden=not state.get("cancellable", True),
            result=None,
            import_disabled=True,
        )
        return out
    outcome = state.get("outcome")
    out["import_disabled"] = outcome != "checked"
    if outcome == "rejected":
        out["result"] = _issues(state.get("issues") or [], int(state.get("total") or 0))
    elif outcome == "checked":
        head = dbc.Alert(
            _(
                "The files are fine. Check the warnings below (those rows are imported and "
                "flagged), then press Import."
            ),
            color="info",
        )
        summary = "\n".join(state.get("summary") or [])
        out["result"] = html.Div([head, html.Pre(summary, className="import-summary")])
    elif outcome == "imported":  # (every worker serves the new pool: its version changed)
        head = dbc.Alert(
            _("Imported (import {id}). Every page now shows the new data.").format(
                id=state.get("import_id")
            ),
            color="success",
        )
        summary = "\n".join((state.get("summary") or [])[1:])
        out["result"] = html.Div([head, html.Pre(summary, className="import-summary")])
    elif outcome == "cancelled":
        out["result"] = dbc.Alert(state.get("message") or "", color="secondary")
    else:
        out["result"] = dbc.Alert(_private(state.get("message")), color="danger")
    return out


TEMPLATE_PATH = "/import/template.xlsx"
TEMPLATE_FILE = "vsla-import-template.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@functools.cache
def template_bytes() -> bytes:
    """The workbook partners fill in (`vsla template`): its sheets and the Columns sheet with
    every column's meaning and rule; made once per process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / TEMPLATE_FILE
        write_template(path)
        return path.read_bytes()


def register_callbacks(app: Dash) -> None:
    @app.server.route(TEMPLATE_PATH)
    def import_template() -> flask.Response:
        """The empty import workbook, for anyone (the format is no secret)."""
        return flask.Response(
            template_bytes(),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_FILE}"'},
        )

    @app.callback(Output("up-who", "children"), Input("url", "pathname"))
    def who(_pathname: str | None) -> Any:
        allowed, _org, sentence = _who()
        if allowed:
            return html.P(sentence, className="mb-0")
        return dbc.Alert(
            [sentence, " ", html.A(_("Sign in"), href=f"{LOGIN_PATH}?next={PATH}")],
            color="warning",
        )

    @app.callback(
        Output("up-chosen", "children"),
        Output("up-import", "disabled", allow_duplicate=True),
        Input("up-files", "filename"),
        prevent_initial_call=True,
    )
    def chosen(names: Any) -> Any:
        if isinstance(names, str):
            names = [names]
        if not names or not isinstance(names, list):
            return "", True
        listed = ", ".join(shown_name(str(n))[:MAX_NAME] for n in names[:MAX_FILES])
        return _("Chosen: {files}").format(files=listed), True

    @app.callback(
        Output("up-result", "children"),
        Output("up-import", "disabled"),
        Output("up-job", "data"),
        Output("up-progress", "children"),
        Input("up-check", "n_clicks"),
        Input("up-import", "n_clicks"),
        State("up-files", "contents"),
        State("up-files", "filename"),
        State("up-demo-ok", "value"),
        prevent_initial_call=True,
    )
    def check_or_import(
        _check: int | None, _import: int | None, contents: Any, names: Any, demo_ok: Any
    ) -> Any:
        """Start the check (or the import) in the background; the poll shows it."""
        if ctx.triggered_id not in ("up-check", "up-import"):
            return no_update, no_update, no_update, no_update
        acknowledged = isinstance(demo_ok, list) and DEMO_OK in demo_ok
        confirm = ctx.triggered_id == "up-import"
        message, job = start(contents, names, confirm=confirm, acknowledged=acknowledged)
        if job is None:
            return message, True, no_update, ""
        words = _("Importing: starting…") if confirm else _("Checking: starting…")
        return None, True, {"id": job}, words

    @app.callback(
        Output("up-result", "children", allow_duplicate=True),
        Output("up-import", "disabled", allow_duplicate=True),
        Output("up-poll", "disabled"),
        Output("up-progress", "children", allow_duplicate=True),
        Output("up-cancel-wrap", "hidden"),
        Input("up-poll", "n_intervals"),
        Input("up-job", "data"),
        prevent_initial_call="initial_duplicate",
    )
    def poll(_n: int | None, job: Any) -> Any:
        """The job's progress in words, then its result (for the user who started it)."""
        job_id = job.get("id") if isinstance(job, dict) else None
        if not job_id:
            return no_update, no_update, True, no_update, True
        state = jobs.status(pool_path(), job_id, current_viewer().username)
        if state is None and ctx.triggered_id == "up-job":
            return None, no_update, True, "", True  # (the tab's last job, not this user's)
        out = shown(state)
        return (
            out["result"],
            out["import_disabled"],
            out["poll_disabled"],
            out["progress"],
            out["cancel_hidden"],
        )

    @app.callback(
        Output("up-progress", "children", allow_duplicate=True),
        Input("up-cancel", "n_clicks"),
        State("up-job", "data"),
        prevent_initial_call=True,
    )
    def cancel(_n: int | None, job: Any) -> Any:
        job_id = job.get("id") if isinstance(job, dict) else None
        if jobs.cancel(pool_path(), job_id, current_viewer().username):
            return _("Cancelling…")
        return no_update
