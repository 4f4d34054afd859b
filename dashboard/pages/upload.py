"""/import: upload a workbook or CSV files in the browser (admins; members for their own
organisation's projects), checked exactly as `vsla import` checks them.

Two steps: "Check" runs the whole import on a throw-away copy of the pool and lists every
error (file, sheet, row, column) or, if there is none, what would be added and the warnings;
"Import" then does it for real. Uploaded files exist only in a temporary folder while they
are checked or imported (the pool's import record keeps their names, sizes and SHA-256).

On the demo pool, whose accounts and secret are public, the page says so and imports only
when the box stating it is ticked (test data; real data go into a pool of their own).
"""

from __future__ import annotations

import base64
import binascii
import functools
import tempfile
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import datasource, db
from dashboard.config import pool_path
from dashboard.format import number
from dashboard.i18n import N_, _, ngettext
from dashboard.ingest import ImportRejected, import_files, write_template
from dashboard.ingest.read import UPLOADED
from dashboard.login import LOGIN_PATH
from dashboard.pool import PoolError
from dashboard.viewer import current_viewer

PATH = "/import"
NAME = N_("Import")
ORDER = 10
MAX_BYTES = 20 * 1024 * 1024  # per upload, all files together
ALLOWED = (".xlsx", ".csv", ".zip")


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Import data"), className="page-title"),
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
            dcc.Loading(html.Div(id="up-result", role="status"), type="dot", delay_show=200),
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


def _write(folder: Path, contents: list[str], names: list[str]) -> list[Path] | str:
    """The uploaded files in `folder`, or what is wrong with them."""
    paths, total = [], 0
    for content, name in zip(contents, names, strict=True):
        clean = Path(name or "").name
        if not clean.lower().endswith(ALLOWED):
            return _("{file}: only .xlsx, .csv or .zip files can be imported.").format(
                file=clean or _("A file")
            )
        try:
            data = base64.b64decode(content.split(",", 1)[1], validate=True)
        except (IndexError, ValueError, binascii.Error):
            return _("{file}: the upload arrived damaged; please choose the file again.").format(
                file=clean
            )
        total += len(data)
        if total > MAX_BYTES:
            return _("The files are larger than {size} MB together.").format(
                size=MAX_BYTES // (1024 * 1024)
            )
        path = folder / clean
        path.write_bytes(data)
        paths.append(path)
    return paths


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


def _issues(exc: ImportRejected) -> html.Div:
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (_("File"), _("Sheet"), _("Row"), _("Column"), _("Value"), _("Problem"))
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(_private(i.file)),
                html.Td(i.sheet or ""),
                html.Td("" if i.row is None else str(i.row)),
                html.Td(i.column or ""),
                html.Td(i.value or ""),
                html.Td(_private(i.message)),
            ]
        )
        for i in exc.issues[:200]
    ]
    more = exc.total - min(200, len(exc.issues))
    return html.Div(
        [
            dbc.Alert(
                ngettext(
                    "Nothing was imported: {n} problem to fix in the files, then check them again.",
                    "Nothing was imported: {n} problems to fix in the files, then check them "
                    "again.",
                    exc.total,
                ).format(n=number(exc.total)),
                color="danger",
            ),
            dbc.Table([head, html.Tbody(rows)], size="sm", className="import-issues"),
            html.P(_("... and {n} more.").format(n=number(more))) if more > 0 else None,
        ]
    )


def run(
    contents: list[str] | None,
    names: list[str] | None,
    confirm: bool,
    acknowledged: bool = False,
) -> tuple[Any, bool]:
    """Check (or import) the upload; (what to show, whether Import may be pressed).
    `acknowledged`: the demo notice's box is ticked (needed to import into the demo pool)."""
    allowed, organisation, sentence = _who()
    if not allowed:
        return dbc.Alert(sentence, color="warning"), False
    if not contents:
        return dbc.Alert(_("Choose one or more files first."), color="secondary"), False
    demo = _demo_pool()
    if demo and confirm and not acknowledged:
        return dbc.Alert(
            _(
                "Nothing was imported: this is the public demo pool. Tick the box above to "
                "import test data into it; real data go into a pool of their own."
            ),
            color="warning",
        ), True
    with tempfile.TemporaryDirectory(prefix="vsla-upload-") as tmp:
        written = _write(Path(tmp), list(contents), list(names or []))
        if isinstance(written, str):
            return dbc.Alert(written, color="danger"), False
        # DuckDB opens a file with one configuration per process: this worker's read-only
        # connection is closed first (reopened by the next request; a gunicorn worker serves
        # one request at a time).
        db.reset()
        try:
            result = import_files(
                written,
                pool_path(),
                organisation=organisation,
                dry_run=not confirm,
                by=current_viewer().username,
                limits=UPLOADED,
                demo="add" if demo else "refuse",  # (the demo stays a demo)
            )
        except ImportRejected as exc:
            return _issues(exc), False
    result.db = None  # (the summary says where the pool lives only on the command line)
    summary = result.summary().splitlines()
    if confirm:
        db.reset()  # this worker serves the new pool at once; the others at their next request
        datasource.clear_cache()
        head = dbc.Alert(
            _("Imported (import {id}). Every page now shows the new data.").format(
                id=result.import_id
            ),
            color="success",
        )
        return html.Div([head, html.Pre("\n".join(summary[1:]), className="import-summary")]), False
    head = dbc.Alert(
        _(
            "The files are fine. Check the warnings below (those rows are imported and "
            "flagged), then press Import."
        ),
        color="info",
    )
    return html.Div([head, html.Pre("\n".join(summary), className="import-summary")]), True


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
    def chosen(names: list[str] | None) -> Any:
        return (_("Chosen: {files}").format(files=", ".join(names)) if names else ""), True

    @app.callback(
        Output("up-result", "children"),
        Output("up-import", "disabled"),
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
        if ctx.triggered_id not in ("up-check", "up-import"):
            return no_update, no_update
        acknowledged = isinstance(demo_ok, list) and DEMO_OK in demo_ok
        shown, may_import = run(
            contents, names, confirm=ctx.triggered_id == "up-import", acknowledged=acknowledged
        )
        return shown, not may_import
