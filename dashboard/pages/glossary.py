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


def _protection() -> html.Section:
    """How other organisations' groups are protected (dashboard.disclosure), in words."""
    paragraphs = [
        _(
            "Organisations see their own projects in exact figures, and the projects other "
            "organisations share as aggregates; a visitor who has not signed in sees the "
            "shared projects only. Two rules protect other organisations' groups."
        ),
        _(
            "Small cells: a figure that rests on 1 to 4 groups of other organisations is not "
            'shown ("fewer than 5 groups"), nor a figure that would let it be worked out by '
            "subtraction from the others in the same table."
        ),
        _(
            "Perturbation (the cell-key method of the Australian Bureau of Statistics' "
            "TableBuilder, also used by the UK's Office for National Statistics for the 2021 "
            "census): every count and sum that includes other organisations' groups is moved "
            "by a little noise, and shares and averages are computed from the moved sums. "
            "Without it, two views that differ by one group (a project with and without a "
            "share-of-women bound, say) would give that group's members, women and savings "
            "by subtraction."
        ),
        _(
            "Each group carries a fixed random key; the noise of a figure is drawn from the "
            "keys of the groups it adds up, so the same figure always shows the same value, "
            "and the difference between two figures that differ by one group is never that "
            "group's value. A sum moves by at most 0.7 of its average per group plus 2.5 "
            "people (or 5 US cents), and by at most 5 people where the average is below 3: for "
            "100 groups of 10 members or more, less than 1% of the total. A number of groups "
            "moves by 1 or 2. Zero stays zero, and a share of 0% or 100% stays exact. Project "
            "costs and staff are shown as reported; the members and groups they are divided by "
            "are perturbed too."
        ),
    ]
    return html.Section(
        [
            html.H2(_("How other organisations' groups are protected"), className="chart-title"),
            *[html.P(text, className="mb-2") for text in paragraphs],
        ],
        className="chart-card mb-4",
        id="protection",
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
    sections.append(_protection())
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
