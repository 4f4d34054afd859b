"""/glossary: every indicator's label, unit, definition and direction, from the registry."""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from dashboard.i18n import N_, _
from dashboard.indicators import INDICATORS, network_indicators

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


def _entry(
    label: str, code: str, definition: str, unit: str, direction: int, note: str = ""
) -> list[Any]:
    """One indicator of the glossary: its name and id, definition, unit and direction."""
    facts = _("Unit: {unit}. {direction}.").format(unit=unit, direction=_(DIRECTION[direction]))
    return [
        html.Dt([label, html.Code(code, className="ms-2 small")], id=f"ind-{code}"),
        html.Dd(
            [
                html.P(definition, className="mb-1"),
                html.P(f"{facts} {note}".strip(), className="small text-secondary mb-0"),
            ]
        ),
    ]


def _section(title: str, items: list[Any], lead: str = "") -> html.Section:
    return html.Section(
        [
            html.H2(title, className="chart-title"),
            *([html.P(lead, className="small text-secondary")] if lead else []),
            html.Dl(items, className="glossary"),
        ],
        className="chart-card mb-4",
    )


def layout(**_query: Any) -> html.Div:
    sections = []
    for category, title in CATEGORIES.items():
        items: list[Any] = []
        for ind in INDICATORS:
            if ind.category == category:
                whole = _("Computed over whole projects.") if ind.level == "project" else ""
                items += _entry(ind.label, ind.id, ind.definition, ind.unit, ind.direction, whole)
        sections.append(_section(_(title), items))
    own = network_indicators()  # (a category field gives one per category)
    if own:
        items = []
        for ind in own:
            target = _("SDG target {target}.").format(target=ind.sdg) if ind.sdg else ""
            items += _entry(ind.label, ind.id, ind.definition, ind.unit, ind.direction, target)
        lead = _(
            "Fields the network records beyond SAVIX, declared in its configuration; each is "
            "a ratio of sums over the active groups that record it."
        )
        sections.append(_section(_("The network's own indicators"), items, lead))
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
