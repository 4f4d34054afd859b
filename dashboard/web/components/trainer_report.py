"""The trainer report on screen (dashboard/analytics/trainers.py has its rules and rows): a table of
one row per trainer, ranked by need, its flags' reasons in a line under the row, a sparkline
of the last four quarters; on a phone one card per trainer in the same order; a trainer's
groups one click from its id (a dialog the server fills from the link and the trainer's
id, for what the viewer may see in detail only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.analytics import trainers
from dashboard.analytics.trainers import COLUMNS, SHORT, Report, rules_text
from dashboard.core.format import date_text, format_value, number
from dashboard.core.i18n import N_, _
from dashboard.exports import tables

TABLE_ID = "pj-trainers"
OPEN = "pj-trainer-open"  # the pattern id of a trainer's button (its groups)
MODAL = "pj-trainer-groups"


def section() -> html.Section:
    """The card of the report on /projects: its title, Export menu, rules, the table (the
    page's part `pj-trainers.children`), its caption and the dialog of a trainer's groups."""
    from dashboard.web.components.tables import table_export_menu

    return html.Section(
        [
            html.Div(
                [html.H2(_("Trainers"), className="chart-title"), table_export_menu(TABLE_ID)],
                className="chart-head",
            ),
            html.P(rules_text(), className="chart-subtitle"),
            html.Div(id=TABLE_ID, className="trainer-report"),
            html.P(id=f"{TABLE_ID}-caption", className="chart-caption"),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(id=f"{MODAL}-title")),
                    dbc.ModalBody(id=f"{MODAL}-body"),
                ],
                id=MODAL,
                size="xl",
                scrollable=True,
                is_open=False,
            ),
        ],
        className="chart-card mb-4",
        id=f"{TABLE_ID}-card",
    )


def _cell(value: Any, kind: str, currency: str) -> str:
    return format_value(value, kind, currency)


def _spark_alt(label: str, values: Sequence[float | None], kind: str, currency: str) -> str:
    return "{label}: {values}".format(
        label=label, values=", ".join(_cell(v, kind, currency) for v in values)
    )


def _sparks(row: dict[str, Any], rep: Report, currency: str) -> html.Div:
    quarters = trainers.spark_caption(rep.spark_dates)
    parts = []
    for key, label, kind, colour in (
        ("spark_savings", _("Savings per member"), "usd", "#1f5f8b"),
        ("spark_attendance", _("Attendance"), "pct", "#7a4b9a"),
    ):
        values = row.get(key) or []
        uri = trainers.sparkline(values, colour)
        if not uri:
            continue
        words = _spark_alt(f"{label}, {quarters}", values, kind, currency)
        parts.append(html.Img(src=uri, alt=words, title=words, className="trainer-spark"))
    return html.Div(parts, className="trainer-sparks")


def _flag_badges(row: dict[str, Any]) -> Any:
    if not row["flags"]:
        return html.Span("—", className="text-muted")
    return [html.Span(f.label, className="trainer-flag") for f in row["flags"]]


def _trainer_head(row: dict[str, Any], tag: Any) -> list[Any]:
    """A trainer's id (opening its groups) over its project: a row's head (`tag` html.Div)
    and a card's (html.Span)."""
    return [_trainer_button(row), tag(row["project"], className="trainer-project")]


def _num(kind: str) -> str | None:
    return "num" if kind not in ("", "date") else None


def _trainer_button(row: dict[str, Any]) -> html.Button:
    return html.Button(
        row["trainer_id"],
        id={"type": OPEN, "index": row["trainer"]},
        className="btn btn-link p-0 trainer-id",
        title=_("The groups of {trainer}").format(trainer=row["trainer_id"]),
        n_clicks=0,
    )


NUMBERS = (
    "groups",
    "members",
    "pct_women",
    "savings_per_member",
    "attendance_rate",
    "dropout_rate",
    "loan_fund_utilisation",
    "portfolio_at_risk",
    "pct_graduated",
    "newest_data_days",
)


def table(rep: Report, currency: str) -> html.Div:
    """The report as a table (wide screens) and as cards (phones), in the same order."""
    if not rep.listed:
        return html.P(
            _(
                "Choose a project or one organisation to list its trainers "
                "(shown to the organisation's own members and to admins)."
            ),
            className="text-muted mb-0",
        )
    if not rep.rows:
        return html.P(
            _("No trainer to list: trainers are shown to their own organisation only."),
            className="text-muted mb-0",
        )
    kinds = {field: kind for field, _h, kind in COLUMNS}
    head = html.Thead(
        html.Tr(
            [
                html.Th(_("Trainer"), scope="col"),
                html.Th(_("Needs a look"), scope="col"),
                *[
                    html.Th(
                        _("{label} ({currency})").format(label=_(SHORT[f]), currency=currency)
                        if f == "savings_per_member"
                        else _(SHORT[f]),
                        scope="col",
                        className="num",
                    )
                    for f in NUMBERS
                ],
                html.Th(
                    [_("Last four quarters"), html.Br(), html.Small(_("savings, attendance"))],
                    scope="col",
                ),
            ]
        )
    )
    body = []
    width = 3 + len(NUMBERS)
    for row in rep.rows:
        flagged = bool(row["flags"])
        body.append(
            html.Tr(
                [
                    html.Th(_trainer_head(row, html.Div), scope="row"),
                    html.Td(_flag_badges(row), className="trainer-flags"),
                    *[
                        html.Td(_cell(row.get(f), kinds[f], currency), className="num")
                        for f in NUMBERS
                    ],
                    html.Td(_sparks(row, rep, currency)),
                ],
                className="trainer-row flagged" if flagged else "trainer-row",
            )
        )
        if flagged:
            body.append(
                html.Tr(
                    html.Td(
                        [html.Strong(_("Why: ")), row["reasons"]],
                        colSpan=width,
                        className="trainer-reasons",
                    ),
                    className="trainer-reasons-row",
                )
            )
    wide = html.Div(
        html.Table([head, html.Tbody(body)], className="table table-sm trainer-table mb-0"),
        className="trainer-wide",
    )
    return html.Div([wide, cards(rep, currency)])


def cards(rep: Report, currency: str) -> html.Div:
    """One card per trainer (a phone): its id, its flags and reasons, two key numbers."""
    items = []
    for row in rep.rows:
        items.append(
            html.Li(
                [
                    html.Div(_trainer_head(row, html.Span), className="trainer-card-head"),
                    html.Div(_flag_badges(row), className="trainer-flags"),
                    html.P(row["reasons"], className="trainer-reasons mb-1")
                    if row["flags"]
                    else None,
                    html.Dl(
                        [
                            html.Dt(_("Savings per member")),
                            html.Dd(_cell(row.get("savings_per_member"), "usd", currency)),
                            html.Dt(_("Attendance")),
                            html.Dd(_cell(row.get("attendance_rate"), "pct", currency)),
                        ],
                        className="trainer-keys mb-0",
                    ),
                ],
                className="trainer-card" + (" flagged" if row["flags"] else ""),
            )
        )
    return html.Ol(items, className="trainer-cards list-unstyled mb-0")


# --- A trainer's groups --------------------------------------------------------------------

GROUP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("group_id", N_("Group"), ""),
    ("group_name", N_("Name"), ""),
    ("status", N_("Status"), ""),
    ("cycle_number", N_("Cycle"), "int"),
    ("report_date", N_("Latest data"), "date"),
    ("members", N_("Members"), "int"),
    ("pct_women", N_("Women"), "pct"),
    ("savings_per_member", N_("Savings per member ({currency})"), "usd"),
    ("attendance_rate", N_("Attendance"), "pct"),
    ("dropout_rate", N_("Dropout"), "pct"),
    ("loan_fund_utilisation", N_("Loan fund used"), "pct"),
    ("portfolio_at_risk", N_("Portfolio at risk"), "pct"),
)


def group_table(rows: list[dict[str, Any]], currency: str) -> Any:
    if not rows:
        return html.P(_("No group to show."), className="text-muted")

    def text(value: Any, kind: str) -> str:
        if kind == "date":
            return date_text(value)
        if kind == "":
            return _(str(value)) if value in ("supervised", "graduated") else str(value)
        return format_value(value, kind, currency)

    return html.Div(
        html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(
                                _(h),
                                scope="col",
                                className="num" if k not in ("", "date") else None,
                            )
                            for _f, h, k in GROUP_COLUMNS
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(
                                    text(r.get(f), k),
                                    className="num" if k not in ("", "date") else None,
                                )
                                for f, _h, k in GROUP_COLUMNS
                            ]
                        )
                        for r in rows
                    ]
                ),
            ],
            className="table table-sm trainer-groups mb-0",
        ),
        className="table-responsive",
    )


def register(app: Dash) -> None:
    """A trainer's button opens the dialog of its groups, built on the server from the link
    (the view, its viewer's scope) and the trainer's id."""
    from dashboard.views.view import read_view

    @app.callback(
        Output(MODAL, "is_open"),
        Output(f"{MODAL}-title", "children"),
        Output(f"{MODAL}-body", "children"),
        Input({"type": OPEN, "index": ALL}, "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def open_groups(clicks: list[int | None], search: str | None) -> Any:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            return no_update, no_update, no_update
        trainer = trigger.get("index")
        if not isinstance(trainer, str) or "/" not in trainer or len(trainer) > 300:
            raise BadRequest("A trainer is named by its project and id.")
        view = read_view(search)
        rows = trainers.trainer_group_rows(view, trainer)
        trainer_id = trainer.partition("/")[2]
        title = _("Groups of {trainer}: {n}").format(trainer=trainer_id, n=number(len(rows)))
        return True, title, group_table(rows, view.code)


# --- As a file -------------------------------------------------------------------------------

SUBTITLE = N_(
    "Per field officer or village agent: the active groups they trained, who needs a look and why"
)


def export_table(rep: Report, currency: str, caption: str) -> tables.Table:
    """The report as a file's table: every column, the flags and their reasons in words."""
    columns = [
        (f, _(h).format(currency=currency) if "{currency}" in h else _(h), k) for f, h, k in COLUMNS
    ]
    return tables.Table(_("Trainers"), _(SUBTITLE), caption, columns, list(rep.rows))
