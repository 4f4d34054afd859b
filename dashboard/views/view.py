"""The view a link asks for, below the pages: reading it from the URL, money in the display
currency, readable names, captions and colours, and the profile of the project or the
organisation a view is about. What the pages, the exports (deck, workbooks, report) and
the frame share; pure helpers, no callbacks, and nothing here imports a page."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from dashboard.analytics import datasource, disclosure
from dashboard.core import naming, theme
from dashboard.core.countries import country_name
from dashboard.core.facts import PoolFacts
from dashboard.core.filters import Filters
from dashboard.core.format import USD, Currency, date_text, format_value, money, number, percent
from dashboard.core.i18n import N_, _, ngettext
from dashboard.core.indicators import COST_IDS, lookup, money_ids
from dashboard.core.urlstate import ViewState, parse_search
from dashboard.views.needs import Asks, Frame, Need, has_place, the_network, when
from dashboard.views.page_model import Kpi, change

SOURCE = N_("Source: pooled savings-group data of the network")  # shown as _(SOURCE)

# Display labels of filter and breakdown values, in English: shown as _(label) (value_label).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "trained_by": {
        "field_officer": N_("Trained by field officers"),
        "village_agent": N_("Trained by village agents"),
        "replicated": N_("Replicated"),
    },
    "setting": {"rural": N_("Rural"), "peri-urban": N_("Peri-urban"), "urban": N_("Urban")},
    "status": {"supervised": N_("Supervised"), "graduated": N_("Graduated")},
    "cycle": {"first": N_("First cycle"), "later": N_("Later cycles (mature)")},
    "women_band": {
        "women_only": N_("Women only"),
        "mostly_women": N_("Mostly women (75-99%)"),
        "mixed": N_("Mixed (under 75% women)"),
    },
    "youth_band": {
        "youth_majority": N_("Mostly youth (50%+)"),
        "youth_minority": N_("Some youth (under 50%)"),
        "not_recorded": N_("Youth not recorded"),
    },
}


@dataclass(frozen=True)
class View:
    """A page's reading of the URL: the state, the filters with the as-of date resolved,
    the pool's facts and the display currency."""

    state: ViewState
    filters: Filters
    facts: PoolFacts
    currency: Currency
    notices: tuple[str, ...]

    @property
    def as_of(self) -> date | None:
        return self.filters.as_of

    @property
    def code(self) -> str:
        return self.currency.code

    @property
    def every_point(self) -> bool:
        """Whether the link asks trends for every quarter (points=all), thin ones included."""
        return self.state.points == "all"

    def money(self, frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """USD columns of an engine frame (default: every indicator in USD, the network's
        amounts included) converted to the display currency (at the year of each row's as_of,
        or of the view's as-of date)."""
        if self.currency.code == "USD" or frame.empty:
            return frame
        columns = money_ids() if columns is None else columns
        out = frame.copy()
        if "as_of" in out.columns:
            years = pd.to_datetime(out["as_of"]).dt.year
            factors = years.map(self.currency.rate).astype(float)
        else:
            factors = self.currency.rate((self.as_of or date.today()).year)
        for column in columns:
            if column in out.columns:
                out[column] = pd.to_numeric(out[column], errors="coerce") * factors
        return out

    @property
    def rate(self) -> float:
        """Units of the display currency per USD at the view's date (1 in USD): what a
        reference value in USD is drawn at (figures.references.savix_cost)."""
        return self.currency.rate((self.as_of or date.today()).year)

    def convert(self, usd: float | None, year: int | None = None) -> float | None:
        return self.currency.convert(usd, year or (self.as_of or date.today()).year)

    def fmt(self, indicator_id: str, value: object) -> str:
        return format_value(value, lookup(indicator_id).format, self.code)


def read_view(search: str | None) -> View:
    facts = datasource.facts()
    state = parse_search(search, facts)
    notices = list(state.notices)
    rounded = datasource.coarse(state.filters)  # (dashboard.analytics.disclosure: bounds on a grid)
    if rounded != state.filters:
        notices.append(
            _(
                "The share of women is bounded in steps of 5 percentage points where other "
                "organisations' groups are shown: {asked} became {used}."
            ).format(asked=women_range(state.filters), used=women_range(rounded))
        )
        state = replace(state, filters=rounded)
    filters = datasource.resolve(state.filters)
    currency = USD
    if state.currency != "USD":
        per_usd = datasource.rates(state.currency)
        if per_usd:
            currency = Currency(state.currency, per_usd)
        else:
            notices.append(
                _("The pool has no {currency} exchange rate: amounts are shown in USD.").format(
                    currency=state.currency
                )
            )
    return View(state, filters, facts, currency, tuple(notices))


def women_range(filters: Filters) -> str:
    """The share-of-women bounds of the filters in words ("70-100 %")."""
    low = filters.min_pct_women if filters.min_pct_women is not None else 0.0
    high = filters.max_pct_women if filters.max_pct_women is not None else 1.0

    def written(x: float) -> str:  # (74.9 %, but 75 %)
        return percent(x, 0 if abs(x * 100 - round(x * 100)) < 1e-9 else 1)

    return _("{low} to {high}").format(low=written(low), high=written(high))


def headline_asks(view: View, then: date | None) -> tuple[datasource.Ask, ...]:
    """What `now_and_then` reads (its fallback, the scope's own row, apart: it is read only
    where the scope has no row as of the date)."""
    if view.as_of is None:
        return ()
    return (datasource.RowsAt(view.filters, (then, view.as_of) if then else (view.as_of,)),)


def _headline(data: Any) -> tuple[datasource.Ask, ...]:
    view = data.view
    return headline_asks(view, datasource.comparison_date(view.as_of) if view.as_of else None)


# what a page's headline tiles read (now_and_then at the comparison date, headline_kpis):
# the view's figures at its date and that date, and the network's beside a selection's
HEADLINE_NEEDS: tuple[Need, ...] = (Asks(_headline), when(has_place, Frame(of=the_network)))


def now_and_then(view: View, then: date | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scope's indicators as of the view's date and as of `then` (the comparison date;
    None: none), read together: the headline of the overview, the presentation and the
    report. Without a row as of the date (a suppressed scope), the scope's own row."""
    as_of = view.as_of
    if as_of is None:
        return {}, {}
    both = datasource.indicators_at(view.filters, (then, as_of) if then else (as_of,))
    now = dict(first_row(both[both["as_of"] == as_of])) if not both.empty else {}
    before = dict(first_row(both[both["as_of"] == then])) if then and not both.empty else {}
    if not now:
        now = dict(first_row(datasource.indicators(view.filters)))
    return now, before


def headline_kpis(
    view: View,
    ids: Iterable[str],
    now: Mapping[str, Any],
    before: Mapping[str, Any],
    prior: date | None,
) -> list[Kpi]:
    """KPI tiles of `ids`: each value (money in the display currency, at the year of each
    date) and its change since `prior`; the suppressed word where the scope is not shown."""
    suppressed = bool(now.get("suppressed"))
    whole_projects = view.filters.has_group_filters  # (a cost is then of whole projects)
    # beside a selection's value, the network's (a view of the network itself has none)
    network = network_values(view, ids) if view.filters.has_place else {}
    out = []
    for ind_id in ids:
        if suppressed:
            out.append(Kpi(ind_id, _(datasource.SUPPRESSED), None, suppressed=True))
            continue
        ind = lookup(ind_id)
        value, old = now.get(ind_id), before.get(ind_id)
        if ind.format == "usd":
            value = view.convert(value, view.as_of.year if view.as_of else None)
            old = view.convert(old, prior.year if prior else None)
        out.append(
            Kpi(
                ind_id,
                view.fmt(ind_id, value),
                change(value, old, ind.format, ind.direction, prior),
                note=_(COST_OF_WHOLE_PROJECTS) if whole_projects and ind_id in COST_IDS else "",
                network=network.get(ind_id, ""),
            )
        )
    return out


def network_values(view: View, indicator_ids: Iterable[str]) -> dict[str, str]:
    """The network's value of each indicator, as the pages write values: the pooled value of
    every group the viewer may see, with the view's theme filters and as-of date (its place
    filters dropped: `Filters.network`), money in the display currency. What a KPI tile
    shows beside a selection's value and the deck's KPI table in its network column; {}
    without a date or where the network itself is too small to be shown."""
    if view.as_of is None:
        return {}
    row = first_row(datasource.indicators(view.filters.network))
    if row.get("suppressed"):
        return {}
    out = {}
    for ind_id in indicator_ids:
        try:
            ind = lookup(ind_id)
        except KeyError:
            continue
        value = row.get(ind_id)
        out[ind_id] = view.fmt(ind_id, view.convert(value) if ind.format == "usd" else value)
    return out


def nice_date(d: date | None) -> str:
    return date_text(d) if d else _("no data yet")


def value_label(dimension: str, value: str) -> str:
    """The display label of a filter or breakdown value (VALUE_LABELS), translated; the value
    itself when it has none."""
    label = VALUE_LABELS.get(dimension, {}).get(value)
    return _(label) if label else value


def entity_name(dimension: str, key: object, facts: PoolFacts) -> str:
    """How a breakdown value is shown: country names, project names, readable bands."""
    text = str(key)
    if dimension == "country":
        return country_name(text) or text
    if dimension == "project":
        return facts.project_labels.get(text, text)
    if dimension == "trainer":
        return text.split("/", 1)[-1]
    return value_label(dimension, text)


def describe(filters: Filters, facts: PoolFacts) -> str:
    """The active filters in words, with names instead of codes."""
    parts: list[str] = []
    if filters.country:
        parts.append(", ".join(entity_name("country", c, facts) for c in filters.country))
    if filters.organisation:
        parts.append(", ".join(filters.organisation))
    if filters.project:
        parts.append(", ".join(entity_name("project", p, facts) for p in filters.project))
    # the group-level filters (themes), in Filters.describe's words
    rest = replace(
        filters, country=(), organisation=(), project=(), as_of=None, notices=(), visible=None
    )
    if rest != Filters():
        parts.append(rest.describe())
    return "; ".join(parts) if parts else _("All groups")


def highlighted(view: View) -> tuple[str, ...]:
    """The organisations a page draws in their colours, the others muted: those the filters
    choose, else a signed-in member's own (their programme against the others at a glance,
    without choosing it)."""
    if view.filters.organisation:
        return view.filters.organisation
    who = datasource.viewer()
    if who.role == "member" and who.organisation in view.facts.organisations:
        return (who.organisation,)
    return ()


def subject_label(view: View) -> str:
    """The name of what the place filters choose, for a legend beside the network: the
    projects, else the organisations, else the countries."""
    f = view.filters
    for dimension, values in (
        ("project", f.project),
        ("organisation", f.organisation),
        ("country", f.country),
    ):
        if values:
            return ", ".join(entity_name(dimension, v, view.facts) for v in values)
    return _("All groups")


def counted(n: object, noun: str, exact: bool = False) -> str:
    """12.3k active groups, 1 project (or 12,345 active groups when `exact`); a count that
    is not shown (fewer than 5 groups of other organisations) says so. `noun`: active group,
    group, project or member (the words of each are in the catalogs)."""
    try:
        value = 0.0 if n is None else float(n)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # pandas' blank: as NaN
        value = math.nan
    if value != value:  # NaN: a suppressed small cell
        hidden = {
            "active group": _("fewer than 5 active groups"),
            "group": _("fewer than 5 groups"),
            "project": _("projects not shown"),
            "member": _("members not shown"),
        }
        if noun in hidden:
            return hidden[noun]
        return f"fewer than 5 {noun}s" if noun.endswith("group") else f"{noun}s not shown"
    text = number(value) if exact else format_value(value, "int")
    count = round(value) if math.isfinite(value) else 0  # (an absurd count reads n/a)
    if noun == "active group":
        return ngettext("{n} active group", "{n} active groups", count).format(n=text)
    if noun == "group":
        return ngettext("{n} group", "{n} groups", count).format(n=text)
    if noun == "project":
        return ngettext("{n} project", "{n} projects", count).format(n=text)
    if noun == "member":
        return ngettext("{n} member", "{n} members", count).format(n=text)
    return f"{text} {noun}{'' if value == 1 else 's'}"


def export_name(view: View, title: str, extension: str) -> str:
    """A file name that says what it holds: title, filter values, as-of date."""
    f = view.filters
    parts = [*f.country, *f.organisation, *f.project, *f.tag]
    return naming.file_name(title, parts, f.as_of, extension)


def exchange_rate(view: View) -> str:
    """The rate money is shown at, in words, for the files of a view in another currency
    than USD ("" in USD): the pool's average rate of the as-of date's year (of the nearest
    year that has one), other years' figures at their own year's rate."""
    currency = view.currency
    if currency.code == "USD" or not currency.per_usd:
        return ""
    year = currency.rate_year((view.as_of or date.today()).year)
    rate = currency.per_usd[year]
    decimals = 4 if abs(rate) < 1 else 2 if abs(rate) < 100 else 0
    return _(
        "{one} = {rate}, the pool's average rate of {year} (its exchange_rates table); "
        "the figures of other years at their own year's rate."
    ).format(
        one=money(1, "USD"),
        rate=money(rate, currency.code, decimals),
        year=year,
    )


def export_about(view: View, page_url: str = "") -> list[tuple[str, str]]:
    """The Filters sheet of an export: what the numbers are of, the currency and its rate,
    and the link back (the page's address and the view's query string)."""
    rate = exchange_rate(view)
    return [
        # the keys stay English (deck.py reads them; exports.py translates them on the sheet)
        ("Filters", describe(view.filters, view.facts)),
        ("As of", view.as_of.isoformat() if view.as_of else ""),
        ("Currency", view.code),
        *([("Exchange rate", rate)] if rate else []),
        (
            "Link",
            page_url + view.state.search()
            if page_url
            else view.state.search() or _("(no filters)"),
        ),
        ("Source", _("Pooled savings-group data of the network")),
    ]


def caption(view: View, groups: object, projects: object, note: str = "") -> str:
    """The footer of every chart: filters, as-of date, N groups and the source."""
    n_groups = counted(groups, "active group")
    n_projects = counted(projects, "project")
    when = nice_date(view.as_of)
    text = _("{filters}. {groups}. {source}, {projects}, as of {date}.").format(
        filters=describe(view.filters, view.facts),
        groups=n_groups,
        source=_(SOURCE),
        projects=n_projects,
        date=when,
    )
    if datasource.perturbed(view.filters):  # (dashboard.analytics.disclosure)
        note = f"{note} {_(disclosure.NOTE)}".strip()
    return f"{text} {note}".strip()


def caption_of(view: View, filters: Filters, note: str = "") -> str:
    """The caption of a chart that shows other groups than the view's own selection (every
    organisation of the network beside the one chosen, a member's own trainers): `filters`
    in words, and their own count of groups and projects."""
    total = first_row(datasource.indicators(filters))
    return caption(replace(view, filters=filters), total.get("groups"), total.get("projects"), note)


def organisation_colours(_facts: PoolFacts | None = None) -> dict[str, str]:
    """Each organisation's colour, the same for every viewer (assigned over all of the
    pool's organisations; the names of those a viewer may not see are never shown)."""
    return theme.organisation_colours(datasource.all_facts().organisations)


def selection_colour(view: View) -> str | None:
    """The colour a view's selection is drawn in beside the network: its organisation's
    when the place filters choose groups of one organisation (it, or projects of it), so
    that an organisation has one colour on every chart; None (the palette's first)
    otherwise."""
    f = view.filters
    if f.project:
        projects = view.facts.project_by_id
        orgs = {projects[p].organisation for p in f.project if p in projects}
    else:
        orgs = set(f.organisation)
    if len(orgs) != 1:
        return None
    return organisation_colours().get(orgs.pop())


def series_colours(dimension: str, keys: Iterable[str], facts: PoolFacts) -> dict[str, str]:
    if dimension == "organisation":
        return organisation_colours(facts)
    ordered = sorted(set(keys))
    return {k: theme.OKABE_ITO[i % len(theme.OKABE_ITO)] for i, k in enumerate(ordered)}


def named(frame: pd.DataFrame, dimension: str, facts: PoolFacts) -> pd.DataFrame:
    """Adds a `label` column with the display name of each `dimension` value."""
    out = frame.copy()
    out["label"] = [entity_name(dimension, v, facts) for v in out[dimension]]
    return out


OTHERS = N_("Others")  # the key of the summed rest of a top_series (translated as a label)


def top_series(
    frame: pd.DataFrame, dimension: str, value: str, keep: int = 7, other: str = OTHERS
) -> pd.DataFrame:
    """Keeps the `keep` largest series (by their latest `value`) and sums the rest (under the
    key `other`, the same in every language: colours follow keys), for additive counts shown
    by country (more countries than distinguishable colours)."""
    latest = frame[frame["as_of"] == frame["as_of"].max()]
    top = latest.nlargest(keep, value)[dimension].tolist()
    if frame[dimension].nunique() <= keep + 1:
        return frame
    head = frame[frame[dimension].isin(top)]
    tail = frame[~frame[dimension].isin(top)].groupby("as_of", as_index=False)[value].sum()
    tail[dimension] = other
    return pd.concat([head, tail], ignore_index=True)


def first_row(frame: pd.DataFrame) -> Mapping[str, object]:
    return frame.iloc[0].to_dict() if not frame.empty else {}


def first_shown(trend: pd.DataFrame, column: str = "members") -> date | None:
    """The first date of a trend with `column` shown (quarters not shown, where others'
    groups are too few or none, come first as empty rows: datasource._as_small)."""
    if trend.empty or column not in trend:
        return None
    shown = trend.loc[trend[column].notna(), "as_of"]
    return pd.Timestamp(shown.min()).date() if not shown.empty else None


# --- The subject of a view: one project or one organisation --------------------------------

COST_OF_WHOLE_PROJECTS = N_("of whole projects: theme filters choose projects, not their cost")

STALE_DAYS = 120  # a mean age of the groups' latest data beyond which data count as old


def subject(view: View) -> tuple[str, str] | None:
    """("project", id) or ("organisation", name) when the filters name exactly one."""
    f = view.filters
    if len(f.project) == 1:
        return ("project", f.project[0])
    if len(f.organisation) == 1 and not f.project:
        return ("organisation", f.organisation[0])
    return None


def profile_items(view: View, kind: str, key: str) -> list[tuple[str, str]]:
    """A project's or an organisation's profile: who, where, since when, with what staff."""
    facts = view.facts
    as_of = view.as_of
    reports = datasource.project_reports(as_of) if as_of else pd.DataFrame()
    if kind == "project":
        p = facts.project_by_id[key]
        rep = reports[reports["project_id"] == key] if not reports.empty else reports
        staff = (
            _("{officers} field officers, {agents} village agents (report of {date})").format(
                officers=int(rep["field_officers"].iloc[0]),
                agents=int(rep["village_agents"].iloc[0]),
                date=nice_date(rep["period_end"].iloc[0].date()),
            )
            if not rep.empty
            else _("no project report yet")
        )
        items = [
            (_("Organisation"), p.organisation),
            (_("Partner"), p.partner or "—"),
            (_("Country"), p.country_name),
            (_("Donor"), p.donor or "—"),
            (
                _("Period"),
                _("{start} to {end}").format(
                    start=nice_date(p.start_date),
                    end=nice_date(p.end_date) if p.end_date else _("ongoing"),
                ),
            ),
            (_("Staff"), staff),
            (_("Currency"), p.currency),
            (_("Shared with the network"), _("yes") if p.shared else _("no")),
            (_("Groups registered"), number(p.groups_registered)),
        ]
    else:
        projects = [p for p in facts.projects if p.organisation == key]
        countries = sorted({p.country_name for p in projects})
        items = [
            (
                _("Projects"),
                f"{len(projects)}: "
                + ", ".join(facts.project_labels[p.project_id] for p in projects),
            ),
            (_("Countries"), ", ".join(countries)),
            (_("Partners"), ", ".join(sorted({p.partner for p in projects if p.partner})) or "—"),
            (_("Donors"), ", ".join(sorted({p.donor for p in projects if p.donor})) or "—"),
        ]
        if not reports.empty:
            mine = reports[reports["project_id"].isin([p.project_id for p in projects])]
            if not mine.empty:
                items.append(
                    (
                        _("Staff"),
                        _(
                            "{officers} field officers, {agents} village agents "
                            "(latest project reports)"
                        ).format(
                            officers=int(mine["field_officers"].sum()),
                            agents=int(mine["village_agents"].sum()),
                        ),
                    )
                )
    return items
