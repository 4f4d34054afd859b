"""The trainer report as an annex of the performance report (dashboard/report_document.py):
a page a supervisor prints, one row per trainer ranked by need, each flag's reason under its
row; only for a view whose trainers the viewer may see (its own organisation's; none for a
guest, none for the whole network)."""

from __future__ import annotations

import html
from typing import Any

from dashboard import trainers
from dashboard.format import format_value
from dashboard.i18n import _, ngettext
from dashboard.trainers import SHORT, rules_text

# (field, kind) of the annex's number columns; their headers are the screen's
NUMBERS = (
    ("groups", "int"),
    ("members", "int"),
    ("pct_women", "pct"),
    ("savings_per_member", "usd"),
    ("attendance_rate", "pct"),
    ("dropout_rate", "pct"),
    ("loan_fund_utilisation", "pct"),
    ("portfolio_at_risk", "pct"),
    ("pct_graduated", "pct"),
    ("newest_data_days", "int"),
)
STYLE = (
    ".annex table{font-size:8pt}.annex td.why{color:#5a2400;padding-top:0;border-top:0}"
    ".annex tr.flagged td{border-bottom:0}.annex .flag{font-weight:600;color:#7a3000}"
    ".annex img{display:block;width:54px;height:16px}.annex .id{white-space:nowrap}"
    ".annex .proj{font-size:7pt;color:#555}"
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def annex_html(view: Any) -> str:
    """The annex's HTML (a section starting on a new page), or "" when the view lists no
    trainer for its viewer."""
    report = trainers.report(view)
    if not report.rows:
        return ""
    currency = view.code
    heads = [_("Trainer"), _("Needs a look")]
    for field, _kind in NUMBERS:
        label = _(SHORT[field])
        if field == "savings_per_member":
            label = _("{label} ({currency})").format(label=label, currency=currency)
        heads.append(label)
    heads.append(_("Last four quarters"))
    head = "".join(
        f'<th class="num">{_e(h)}</th>' if 1 < i < len(heads) - 1 else f"<th>{_e(h)}</th>"
        for i, h in enumerate(heads)
    )
    body = []
    for row in report.rows:
        flagged = bool(row["flags"])
        cells = [
            f'<td><b class="id">{_e(row["trainer_id"])}</b><br>'
            f'<span class="proj">{_e(row["project"])}</span></td>',
            f'<td class="flag">{_e(row["flag_labels"]) or "—"}</td>',
            *(
                f'<td class="num">{_e(format_value(row.get(f), k, currency))}</td>'
                for f, k in NUMBERS
            ),
            "<td>"
            + "".join(
                f'<img src="{_e(trainers.sparkline(row[key]))}" alt="">'
                for key in ("spark_savings", "spark_attendance")
                if trainers.sparkline(row[key])
            )
            + "</td>",
        ]
        body.append(f'<tr class="{"flagged" if flagged else ""}">{"".join(cells)}</tr>')
        if flagged:
            why = _e(_("Why: ")) + _e(row["reasons"])
            body.append(f'<tr><td class="why" colspan="{len(heads)}">{why}</td></tr>')
    title = _("Annex: trainers of {organisations}").format(
        organisations=", ".join(report.organisations)
    )
    summary = ngettext(
        "{n} trainer, {flagged} flagged; sparklines: {quarters}.",
        "{n} trainers, {flagged} flagged; sparklines: {quarters}.",
        len(report.rows),
    ).format(
        n=len(report.rows),
        flagged=report.flagged,
        quarters=trainers.spark_caption(report.spark_dates),
    )
    return (
        f'<style>{STYLE}</style><section class="page-break annex"><h2>{_e(title)}</h2>'
        f'<p class="note">{_e(rules_text())} {_e(summary)}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )
