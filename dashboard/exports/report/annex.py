"""The HTML of the performance report's trainers' annex (its one job): a page a supervisor
prints, one row per trainer ranked by need, each flag's reason under its row. The trainer
report it shows is computed with the report's content (data.py, from
dashboard/analytics/trainers.py); it lists trainers only for a view whose trainers the
viewer may see (its own organisation's; none for a guest, none for the whole network).
document.py puts the annex in the report."""

from __future__ import annotations

from markupsafe import Markup

from dashboard.analytics import trainers
from dashboard.analytics.trainers import SHORT, rules_text
from dashboard.core.format import format_value
from dashboard.core.i18n import _, ngettext
from dashboard.exports import templating

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


def annex_html(report: trainers.Report, currency: str) -> Markup:
    """The annex's HTML (dashboard/templates/trainer_annex.html: a section starting on a new
    page), money in `currency`, or "" when the report lists no trainer."""
    if not report.rows:
        return Markup("")
    heads = [_("Trainer"), _("Needs a look")]
    for field, _kind in NUMBERS:
        label = _(SHORT[field])
        if field == "savings_per_member":
            label = _("{label} ({currency})").format(label=label, currency=currency)
        heads.append(label)
    heads.append(_("Last four quarters"))
    rows = [
        {
            "trainer": str(row["trainer_id"]),
            "project": str(row["project"]),
            "flags": str(row["flag_labels"]),
            "numbers": [format_value(row.get(f), k, currency) for f, k in NUMBERS],
            "sparks": [
                spark
                for key in ("spark_savings", "spark_attendance")
                if (spark := trainers.sparkline(row[key]))
            ],
            "flagged": bool(row["flags"]),
            "why": str(row["reasons"]),
        }
        for row in report.rows
    ]
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
    return templating.render(
        "trainer_annex.html",
        title=title,
        rules=rules_text(),
        summary=summary,
        # (the number columns right-aligned: all but the first two and the last)
        heads=[(h, 1 < i < len(heads) - 1) for i, h in enumerate(heads)],
        rows=rows,
        why=_("Why: "),
    )
