"""/glossary: every indicator's label, unit, definition and direction, from the registry."""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from dashboard import network
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
    own = network.current().fields
    if own:
        items = []
        for f in own:
            target = " " + _("SDG target {target}.").format(target=f.sdg) if f.sdg else ""
            items += [
                html.Dt(
                    [f.label, html.Code(f.indicator_id, className="ms-2 small")],
                    id=f"ind-{f.indicator_id}",
                ),
                html.Dd(
                    [
                        html.P(f.definition, className="mb-1"),
                        html.P(
                            _("Unit: {unit}. {direction}.").format(
                                unit=f.unit, direction=_(DIRECTION[f.direction])
                            )
                            + target,
                            className="small text-secondary mb-0",
                        ),
                    ]
                ),
            ]
        sections.append(
            html.Section(
                [
                    html.H2(_("The network's own indicators"), className="chart-title"),
                    html.P(
                        _(
                            "Fields the network records beyond SAVIX, declared in its "
                            "configuration; each is a ratio of sums over the active groups "
                            "that record it."
                        ),
                        className="small text-secondary",
                    ),
                    html.Dl(items, className="glossary"),
                ],
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
