"""The one sentence a guest (not signed in) reads at the top of every page: what a guest
sees, why its figures are aggregated and slightly perturbed, and what signing in adds, with
a link to the glossary's section on it.

It is part of the frame drawn for the request (shell.app_layout, a function of the
session), in the flow above the page: it is there before the page's content arrives and
never moves it (no layout shift). A signed-in member or administrator has none."""

from __future__ import annotations

from dash import html

from dashboard.access.viewer import current_viewer
from dashboard.core import i18n
from dashboard.core.i18n import N_, _

ANCHOR = "guests"  # the glossary's section on what a guest sees (pages/glossary.py)
GUEST_NOTE = N_(
    "As a guest you see only the projects that organisations share with the network, as "
    "totals over five or more groups with slightly perturbed figures, so that no single group "
    "can be recognised; signing in adds your own organisation's projects in exact figures, "
    "down to each project and trainer."
)
GUEST_LINK = N_("What a guest sees")
NOTE_ID = "guest-note"


def glossary_href() -> str:
    """The glossary's section, in the language of the page (a link's lang= parameter)."""
    lang = i18n.current()
    query = f"?lang={lang}" if lang != i18n.DEFAULT else ""
    return f"/glossary{query}#{ANCHOR}"


def guest_note() -> list[html.P]:
    """The sentence and its link for a guest; nothing for anyone signed in."""
    if current_viewer().role != "guest":
        return []
    return [
        html.P(
            [
                _(GUEST_NOTE),
                " ",
                html.A(_(GUEST_LINK), href=glossary_href(), id="guest-note-link"),
            ],
            id=NOTE_ID,
            className="guest-note small text-secondary border-bottom px-3 py-2 mb-0",
            role="note",
        )
    ]
