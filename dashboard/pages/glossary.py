"""/glossary: every indicator's label, unit, definition and direction, from the registry."""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from dashboard.i18n import N_, _
from dashboard.indicators import INDICATORS

PATH = "/glossary"
NAME = N_("Glossary")
ORDER = 9
CATEGORIES = {
    "outreach": N_("Outreach"),
    "participation": N_("Participation"),
    "savings_loans": N_("Savings and loans"),
    "financial": N_("Financial performance"),
    "efficiency": N_("Efficiency of the facilitating agency"),
}
DIRECTION = {
    1: N_("Higher is better"),
    -1: N_("Lower is better"),
    0: N_("Neither higher nor lower is better"),
}


def layout(**_query: Any) -> html.Div:
    sections = []
    for category, title in CATEGORIES.items():
        items = []
        for ind in INDICATORS:
            if ind.category != category:
                continue
            items += [
                html.Dt([ind.label, html.Code(ind.id, className="ms-2 small")], id=f"ind-{ind.id}"),
                html.Dd(
                    [
                        html.P(ind.definition, className="mb-1"),
                        html.P(
                            _("Unit: {unit}. {direction}.").format(
                                unit=ind.unit, direction=_(DIRECTION[ind.direction])
                            )
                            + (
                                " " + _("Computed over whole projects.")
                                if ind.level == "project"
                                else ""
                            ),
                            className="small text-secondary mb-0",
                        ),
                    ]
                ),
            ]
        sections.append(
            html.Section(
                [html.H2(_(title), className="chart-title"), html.Dl(items, className="glossary")],
                className="chart-card mb-4",
            )
        )
    return html.Div(
        [
            html.H1(_("Glossary"), className="page-title"),
            html.P(
                _(
                    "Every indicator the dashboard shows, as computed. Money is converted to USD "
                    "per dataset at the rate of its report year (DKK and EUR are a display "
                    "option). A group is active when its latest dataset up to the as-of date is "
                    "less than 365 days old; each active group counts once, with that dataset. "
                    "Ratios are ratios of sums, so larger groups weigh more; n/a means the ratio "
                    "is undefined."
                ),
                className="page-lead",
            ),
            *sections,
        ]
    )


def register_callbacks(app: Dash) -> None:
    """The glossary is static."""
