"""Filters: the one description of "which data" shared by the CLI, the dashboard and exports.

A filter selects projects (country, organisation, project), groups (themes) and an as-of date.
Values repeated in one dimension are OR; dimensions are AND (INDICATORS.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from dashboard.core import network
from dashboard.core.format import percent
from dashboard.core.i18n import N_, _

TRAINED_BY = ("field_officer", "village_agent", "replicated")
SETTINGS = ("rural", "peri-urban", "urban")
STATUSES = ("supervised", "graduated")
CYCLES = ("first", "later")
KNOWN_TAGS = ("humanitarian", "refugee", "climate", "peacebuilding", "disability")
# The filters whose values come from a fixed list.
CHOICES: dict[str, tuple[str, ...]] = {
    "trained_by": TRAINED_BY,
    "setting": SETTINGS,
    "status": STATUSES,
    "cycle": CYCLES,
}

# The words of the fixed filter values in a description of the filters (Filters.describe).
VALUE_WORDS: dict[str, str] = {
    "field_officer": N_("field officer"),
    "village_agent": N_("village agent"),
    "replicated": N_("replicated"),
    "rural": N_("rural"),
    "peri-urban": N_("peri-urban"),
    "urban": N_("urban"),
    "supervised": N_("supervised"),
    "graduated": N_("graduated"),
    "first": N_("first"),
    "later": N_("later"),
}

# Breakdowns of `vsla indicators --by` and the dashboard tables. Group-level breakdowns split
# projects, so cost indicators (whole projects) are not given for them. Besides these,
# "tag:<name>" compares the groups carrying a tag ("yes") with all others ("no"), and
# "yes:<id>" the groups answering yes to the network's yes/no field <id> (data/network.toml)
# with all others (no, or not recorded).
PROJECT_LEVEL_BY = ("country", "organisation", "project")
GROUP_LEVEL_BY = (
    "trained_by",
    "trainer",
    "setting",
    "status",
    "cycle",
    "women_band",
    "youth_band",
)
BREAKDOWNS = (*PROJECT_LEVEL_BY, *GROUP_LEVEL_BY, "quarter")
# Values of the banded breakdowns, in display order.
BANDS: dict[str, tuple[str, ...]] = {
    "women_band": ("women_only", "mostly_women", "mixed"),
    "youth_band": ("youth_majority", "youth_minority", "not_recorded"),
    "cycle": CYCLES,
    "status": STATUSES,
    "setting": SETTINGS,
    "trained_by": TRAINED_BY,
}


def is_group_level(by: str | None) -> bool:
    return by is not None and (by in GROUP_LEVEL_BY or by.startswith(("tag:", "yes:")))


def check_breakdown(by: str | None) -> None:
    """Raise FilterError unless `by` is None, a known breakdown, tag:<name> or yes:<id> (a
    yes/no field of the network's)."""
    if by is None or by in BREAKDOWNS or (by.startswith("tag:") and len(by) > 4):
        return
    yesno = [f.id for f in network.current().yesno]
    if by.startswith("yes:") and by[4:] in yesno:
        return
    raise FilterError(
        f"Cannot break down by {by!r}: expected one of {', '.join(BREAKDOWNS)}, tag:<name> "
        f"or yes:<id> ({', '.join(yesno) or 'no yes/no field is declared'})."
    )


LIST_FIELDS = (
    "country",
    "organisation",
    "project",
    "trained_by",
    "setting",
    "tag",
    "yes",
    "status",
    "cycle",
)
GROUP_LEVEL_FIELDS = (
    "trained_by",
    "setting",
    "tag",
    "yes",
    "status",
    "cycle",
    "min_pct_women",
    "max_pct_women",
    "youth_recorded",
)


class FilterError(ValueError):
    """A filter value that cannot be used; the message says which and what is expected."""


def visibility_params(visible: Sequence[str] | None) -> dict[str, Any]:
    """The bound parameters of the visibility rule (queries/visible.sql, included by every
    query that keeps to the projects a viewer may see): `visible` the project ids it may
    see, None for no restriction (an administrator, the command line)."""
    return {"restricted": visible is not None, "visible": list(visible or ())}


@dataclass(frozen=True)
class Filters:
    country: tuple[str, ...] = ()  # ISO 3166-1 alpha-3
    organisation: tuple[str, ...] = ()
    project: tuple[str, ...] = ()  # project_id
    trained_by: tuple[str, ...] = ()
    setting: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    # the network's yes/no fields (data/network.toml ids): groups answering yes to any
    yes: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    cycle: tuple[str, ...] = ()  # "first" (cycle_number = 1) and/or "later" (> 1)
    min_pct_women: float | None = None  # share of women in the group, 0..1, inclusive
    max_pct_women: float | None = None
    youth_recorded: bool | None = None  # only groups whose dataset records youth (or not)
    as_of: date | None = None  # None: the latest report_date in the pool
    notices: tuple[str, ...] = field(default=(), compare=False)
    # The projects the viewer may see (set by the server from the session, never from a
    # link or flag); None: no restriction (an admin, the command line).
    visible: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            cleaned = tuple(dict.fromkeys(v.strip() for v in value if v and v.strip()))
            object.__setattr__(self, name, cleaned)
        object.__setattr__(self, "country", tuple(c.upper() for c in self.country))
        object.__setattr__(self, "tag", tuple(t.lower() for t in self.tag))
        yes = tuple(dict.fromkeys(network.field_id(y) for y in self.yes))
        object.__setattr__(self, "yes", yes)
        for name, allowed in CHOICES.items():
            for value in getattr(self, name):
                if value not in allowed:
                    raise FilterError(
                        f"{name} {value!r} is not known: expected one of {', '.join(allowed)}."
                    )
        for name in ("min_pct_women", "max_pct_women"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise FilterError(
                    f"{name} must be a share between 0 and 1 (e.g. 0.75), not {value}."
                )
        if (
            self.min_pct_women is not None
            and self.max_pct_women is not None
            and self.min_pct_women > self.max_pct_women
        ):
            raise FilterError(
                f"min_pct_women ({self.min_pct_women}) is above "
                f"max_pct_women ({self.max_pct_women})."
            )

    @property
    def has_group_filters(self) -> bool:
        """True when a theme filter selects groups inside projects.

        Cost indicators then still use whole projects (INDICATORS.md)."""
        return any(getattr(self, name) not in ((), None) for name in GROUP_LEVEL_FIELDS)

    def with_as_of(self, as_of: date | None) -> Filters:
        return replace(self, as_of=as_of)

    @property
    def has_place(self) -> bool:
        """True when the filters choose countries, organisations or projects (a selection
        that can be set against the network)."""
        return bool(self.country or self.organisation or self.project)

    @property
    def network(self) -> Filters:
        """The network these filters are compared with: every group the viewer may see, with
        the same theme filters and as-of date (the country, organisation and project filters
        dropped)."""
        return replace(self, country=(), organisation=(), project=())

    def sql_params(self) -> dict[str, Any]:
        """Bound parameters of the indicator queries (never formatted into SQL)."""
        params: dict[str, Any] = {name: list(getattr(self, name)) for name in LIST_FIELDS}
        params["min_pct_women"] = self.min_pct_women
        params["max_pct_women"] = self.max_pct_women
        params["youth_recorded"] = self.youth_recorded
        return params | visibility_params(self.visible)

    def as_query(self) -> dict[str, list[str]]:
        """The filter as URL query / CLI flag values (same names as `vsla indicators`)."""
        out: dict[str, list[str]] = {}
        for f in fields(self):
            if f.name in ("notices", "visible"):
                continue
            value = getattr(self, f.name)
            if value in ((), None):
                continue
            if isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, bool):
                out[f.name] = ["yes" if value else "no"]
            elif isinstance(value, date):
                out[f.name] = [value.isoformat()]
            else:
                out[f.name] = [f"{value:g}"]
        return out

    def describe(self) -> str:
        """A short plain-language summary of the active filters, for captions (in the
        language in force)."""
        parts: list[str] = []
        labels = {
            "country": _("country"),
            "organisation": _("organisation"),
            "project": _("project"),
            "trained_by": _("trained by"),
            "setting": _("setting"),
            "tag": _("theme"),
            "yes": _("answering yes to"),
            "status": _("status"),
            "cycle": _("cycle"),
        }
        for name, label in labels.items():
            values = getattr(self, name)
            if values:
                words = ", ".join(
                    _(VALUE_WORDS[v])
                    if name in CHOICES and v in VALUE_WORDS
                    else yes_label(v)
                    if name == "yes"
                    else v.replace("_", " ")
                    for v in values
                )
                parts.append(_("{label}: {values}").format(label=label, values=words))
        bounds = (self.min_pct_women, self.max_pct_women)
        if bounds != (None, None):
            lo = percent(self.min_pct_women if self.min_pct_women is not None else 0.0)
            hi = percent(self.max_pct_women if self.max_pct_women is not None else 1.0)
            if bounds in ((1.0, None), (1.0, 1.0)):
                parts.append(_("women-only groups"))
            elif bounds == (None, 0.749):  # the "mixed" choice of the panel
                parts.append(_("mixed groups (under 75% women)"))
            elif self.max_pct_women in (None, 1.0):
                parts.append(_("groups of {low} women or more").format(low=lo))
            elif self.min_pct_women in (None, 0.0):
                parts.append(_("groups of at most {high} women").format(high=hi))
            else:
                parts.append(_("women {low}-{high} of members").format(low=lo, high=hi))
        if self.youth_recorded is not None:
            parts.append(_("youth recorded") if self.youth_recorded else _("youth not recorded"))
        return "; ".join(parts) if parts else _("all groups")

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str] | str]) -> Filters:
        """Parse URL/CLI values leniently: a value that cannot be used is dropped with a notice."""
        notices: list[str] = []
        kwargs: dict[str, Any] = {}

        def values(name: str) -> list[str]:
            raw = query.get(name, ())
            return [raw] if isinstance(raw, str) else list(raw)

        for name in LIST_FIELDS:
            vals = [v.strip() for v in values(name) if v.strip()]
            if name in CHOICES:
                allowed = CHOICES[name]
                notices += [
                    _("Ignored {name}={value}: expected one of {allowed}.").format(
                        name=name, value=repr(v), allowed=", ".join(allowed)
                    )
                    for v in vals
                    if v not in allowed
                ]
                vals = [v for v in vals if v in allowed]
            elif name == "yes":
                allowed = tuple(f.id for f in network.current().yesno)
                vals = [network.field_id(v) for v in vals]
                notices += [
                    _("Ignored yes={value}: expected one of {allowed}.").format(
                        value=repr(v),
                        allowed=", ".join(allowed) or _("(no yes/no field is declared)"),
                    )
                    for v in vals
                    if v not in allowed
                ]
                vals = [v for v in vals if v in allowed]
            kwargs[name] = tuple(vals)
        for name in ("min_pct_women", "max_pct_women"):
            vals = values(name)
            if vals:
                try:
                    value = float(vals[-1])
                    if not 0.0 <= value <= 1.0:
                        raise ValueError
                    kwargs[name] = value
                except ValueError:
                    notices.append(
                        _("Ignored {name}={value}: expected a share between 0 and 1.").format(
                            name=name, value=repr(vals[-1])
                        )
                    )
        lo, hi = kwargs.get("min_pct_women"), kwargs.get("max_pct_women")
        if lo is not None and hi is not None and lo > hi:
            notices.append(
                _("Ignored min_pct_women and max_pct_women: the minimum is above the maximum.")
            )
            kwargs["min_pct_women"] = kwargs["max_pct_women"] = None
        vals = values("youth_recorded")
        if vals:
            parsed = parse_bool(vals[-1])
            if parsed is None:
                notices.append(
                    _("Ignored youth_recorded={value}: expected yes or no.").format(
                        value=repr(vals[-1])
                    )
                )
            kwargs["youth_recorded"] = parsed
        vals = values("as_of")
        if vals:
            try:
                kwargs["as_of"] = date.fromisoformat(vals[-1])
            except ValueError:
                notices.append(
                    _("Ignored as_of={value}: expected a date as YYYY-MM-DD.").format(
                        value=repr(vals[-1])
                    )
                )
        return cls(**kwargs, notices=tuple(notices))


def yes_label(field_id: str) -> str:
    """A yes/no field's label in the language in force (its id if no longer declared)."""
    try:
        return network.current().field(field_id).label
    except KeyError:
        return field_id.replace("_", " ")


def parse_bool(text: str) -> bool | None:
    t = text.strip().lower()
    if t in ("1", "yes", "y", "true"):
        return True
    if t in ("0", "no", "n", "false"):
        return False
    return None
