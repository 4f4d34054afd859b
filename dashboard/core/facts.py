"""What a pool holds, as the filter panel offers it and captions name it: its projects (with
their organisation, country and currency) and its tags, first and latest dates. Plain data:
dashboard.analytics.datasource reads it from the pool for the viewer; the URL state, the
panel and the view model only read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from dashboard.core.countries import country_name
from dashboard.core.indicators import trend_dates


@dataclass(frozen=True)
class Project:
    project_id: str
    project_name: str
    organisation: str
    country: str
    partner: str | None
    donor: str | None
    currency: str
    start_date: date
    end_date: date | None
    shared: bool
    groups_registered: int  # (perturbed where the viewer is another organisation: facts())
    groups_key: int = 0  # the sum of its groups' keys (dashboard.analytics.disclosure), never shown

    @property
    def country_name(self) -> str:
        return country_name(self.country) or self.country


@dataclass(frozen=True)
class PoolFacts:
    """The pool's vocabulary: what the filter panel offers and captions name."""

    projects: tuple[Project, ...]
    tags: tuple[str, ...]
    first_date: date | None
    latest_date: date | None
    kind: str  # "demo" for the generated demo pool

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(sorted({p.organisation for p in self.projects}))

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({p.country for p in self.projects}))

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        return {p.project_id: p for p in self.projects}

    @cached_property
    def project_labels(self) -> dict[str, str]:
        """How each project is named on screen: its name, with its id where two projects
        share a name (so that they are never merged or confused)."""
        counts: dict[str, int] = {}
        for p in self.projects:
            counts[p.project_name] = counts.get(p.project_name, 0) + 1
        return {
            p.project_id: p.project_name
            if counts[p.project_name] == 1
            else f"{p.project_name} · {p.project_id}"
            for p in self.projects
        }

    @property
    def quarters(self) -> tuple[date, ...]:
        """As-of choices, newest first: the latest date, then each earlier quarter end."""
        if self.first_date is None or self.latest_date is None:
            return ()
        return tuple(reversed(trend_dates(self.first_date, self.latest_date)))
