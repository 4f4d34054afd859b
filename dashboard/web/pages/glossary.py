"""/glossary: every indicator's label, unit, definition and direction, from the registry."""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from dashboard.core.i18n import N_, _
from dashboard.core.indicators import CATEGORIES, INDICATORS, NETWORK_CATEGORY, network_indicators
from dashboard.web.components import guest

PATH = "/glossary"
NAME = N_("Glossary")
ORDER = 9
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
    """How other organisations' groups are protected (dashboard.analytics.disclosure), in words."""
    paragraphs = [
        _(
            "Organisations see their own projects in exact figures, and the projects other "
            "organisations share as aggregates; a visitor who has not signed in sees the "
            "shared projects only. Four rules protect other organisations' groups."
        ),
        _(
            "Small cells: a figure that rests on 1 to 4 groups of other organisations is not "
            'shown ("fewer than 5 groups"), nor a figure that would let it be worked out by '
            "subtraction from the others in the same table. Where other organisations' groups "
            "could be, a figure resting on none of them reads the same."
        ),
        _(
            "Perturbation, as statistical offices do for their table builders (the US Census "
            "Bureau's permanent noise of each contributor; the cell-key method of the "
            "Australian Bureau of Statistics and the UK's Office for National Statistics): "
            "each group's members, women, savings and every other measure carry a fixed "
            "noise of 10 to 20 % of their value, up or down, and every count and sum that "
            "includes other organisations' groups moves further by a little noise drawn from "
            "the groups it adds up; shares and averages are computed from the moved sums. "
            "The same figure always shows the same value. Whatever views are set side by "
            "side, subtracted or averaged, a single group's figure comes out 10 to 20 % away "
            "from its own, never exactly."
        ),
        _(
            "Filters and spreads: where other organisations' groups are shown, the share of "
            "women is bounded in steps of 5 percentage points, and a spread across groups "
            "(the boxes of the performance page) is drawn only over 30 or more of them, each "
            "moved by its own noise. Project costs and staff are shown as reported; the "
            "members and groups they are divided by are perturbed, as the same figures as "
            "anywhere else. For 100 groups of one size a total moves by about 1.5 %; for the "
            "network's thousands, by a few hundredths of a percent."
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


def _guests() -> html.Section:
    """What a guest sees and what signing in adds: the section the guest's sentence at the
    top of every page links to (dashboard.web.components.guest)."""
    paragraphs = [
        _(
            "A visitor who has not signed in is a guest. A guest sees the projects that "
            "organisations share with the network, and no others, as totals over five or more "
            "groups: a figure resting on fewer is not shown. Every figure that includes other "
            "organisations' groups is slightly perturbed (the rules below), so that it stays "
            "useful for the network's picture while no single group can be recognised in it."
        ),
        _(
            "Signing in as a member of an organisation adds that organisation's own projects, "
            "shared or not, in exact figures, down to each project and its trainers; other "
            "organisations' shared projects stay aggregated and perturbed as for a guest. "
            "Member accounts are given by the network's administrator."
        ),
    ]
    return html.Section(
        [
            html.H2(_("What a guest sees, and what signing in adds"), className="chart-title"),
            *[html.P(text, className="mb-2") for text in paragraphs],
        ],
        className="chart-card mb-4",
        id=guest.ANCHOR,
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
        sections.append(_section(_(NETWORK_CATEGORY), items, lead))
    sections.append(_guests())
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
