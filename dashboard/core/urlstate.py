"""The whole view state lives in the URL query string (shareable links, reload, back/forward).

Filter parameters have the names of the `vsla indicators` flags (country, organisation, project,
as_of, trained_by, setting, tag, status, cycle, min_pct_women, max_pct_women, youth_recorded);
display parameters are currency, by (organisation|country breakdown of a page), compare and pick
(the compare page), table (the data page's breakdown), theme (the themes page's comparison),
points (a trend's quarters: steady, or all of them), vs (the report's comparison date),
and the indicator explorer's indicator, tab (chart, map or table), show (values or the change
since the first quarter) and network (its grey line on or off).
Anything that cannot be used is dropped with a notice in plain words, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import parse_qs, urlencode

from dashboard.core import i18n, network
from dashboard.core.countries import country_code, country_name
from dashboard.core.facts import PoolFacts
from dashboard.core.filters import KNOWN_TAGS, LIST_FIELDS, Filters
from dashboard.core.format import CURRENCIES
from dashboard.core.i18n import _
from dashboard.core.indicators import every

FILTER_PARAMS = (*LIST_FIELDS, "min_pct_women", "max_pct_women", "youth_recorded", "as_of")
VIEW_BY = ("organisation", "country")
COMPARE_BY = ("organisation", "project", "country")
TABLE_BY = ("organisation", "country", "project", "trained_by", "setting", "quarter")
DISPLAY_PARAMS = (
    "currency",
    "by",
    "compare",
    "pick",
    "table",
    "theme",
    "points",
    "vs",
    "indicator",
    "tab",
    "show",
    "network",
    "lang",
)
# trends: "steady" leaves out a ratio's quarters resting on too few groups, "all" keeps them
POINTS = ("steady", "all")
DEFAULT_THEME = "women_band"
# the indicator explorer (/explore): its indicator, its tabs, what its lines show, and
# whether the network's grey line is drawn
EXPLORE_PATH = "/explore"  # where the place parameters name lines, not a filter
DEFAULT_INDICATOR = "savings_per_member_usd"
TABS = ("chart", "map", "table")
SHOW = ("value", "change")
NETWORK_LINE = ("on", "off")


def theme_keys() -> tuple[str, ...]:
    """The themes page's comparisons, in its order: the bands of women and youth, each known
    tag, setting, trainer, cycle, then each yes/no field of the network's own."""
    own = tuple(f"yes:{f.id}" for f in network.current().yesno)
    tags = tuple(f"tag:{t}" for t in KNOWN_TAGS)
    return ("women_band", "youth_band", *tags, "setting", "trained_by", "cycle", *own)


# The order of parameters in a generated link (stable, so equal views have equal links).
PARAM_ORDER = (*FILTER_PARAMS, *DISPLAY_PARAMS)


@dataclass(frozen=True)
class ViewState:
    filters: Filters
    currency: str = "USD"
    by: str = "organisation"
    compare: str = "organisation"
    pick: tuple[str, ...] = ()
    table: str = "organisation"
    theme: str = DEFAULT_THEME  # the themes page's comparison (a key of theme_keys)
    points: str = "steady"  # a trend's quarters (POINTS)
    vs: date | None = None  # the report compares the as-of date with this one
    indicator: str = DEFAULT_INDICATOR  # the explorer's (an id of indicators.every())
    tab: str = "chart"  # the explorer's tab (TABS)
    show: str = "value"  # the explorer's lines: values, or the change since the first quarter
    network: str = "on"  # the explorer's grey line of the network (NETWORK_LINE)
    lang: str | None = None  # the language the link asks for (None: the browser's)
    notices: tuple[str, ...] = ()

    def search(self) -> str:
        """The query string of this state ('' or '?...'), defaults left out."""
        query = self.filters.as_query()
        defaults = ViewState(Filters())
        for name in ("currency", "by", "compare", "table", "theme", "points"):
            value = getattr(self, name)
            if value != getattr(defaults, name):
                query[name] = [value]
        if self.pick:
            query["pick"] = list(self.pick)
        if self.vs:
            query["vs"] = [self.vs.isoformat()]
        for name in ("indicator", "tab", "show", "network"):
            value = getattr(self, name)
            if value != getattr(defaults, name):
                query[name] = [value]
        if self.lang:
            query["lang"] = [self.lang]
        pairs = [(k, v) for k in PARAM_ORDER for v in query.get(k, [])]
        return "?" + urlencode(pairs) if pairs else ""

    def with_filters(self, **changes: object) -> ViewState:
        return replace(self, filters=replace(self.filters, **changes), notices=())


def _values(query: dict[str, list[str]], name: str) -> list[str]:
    return [v.strip() for v in query.get(name, []) if v.strip()]


def parse_search(search: str | None, facts: PoolFacts | None = None) -> ViewState:
    """Parse a query string leniently; `facts` checks names against the pool."""
    text = (search or "").lstrip("?")
    try:
        query = parse_qs(text, keep_blank_values=False, max_num_fields=500)
    except ValueError:
        return ViewState(Filters(), notices=(_("Ignored the link's parameters: too many values."),))
    notices: list[str] = []
    for name in query:
        if name not in PARAM_ORDER:
            notices.append(_("Ignored the unknown parameter {name}.").format(name=repr(name)))
    filter_query = {k: v for k, v in query.items() if k in FILTER_PARAMS}
    if facts is not None:
        filter_query, more = _check_names(filter_query, facts)
        notices += more
    filters = Filters.from_query(filter_query)
    notices += filters.notices

    def one_of(name: str, allowed: tuple[str, ...], default: str) -> str:
        vals = _values(query, name)
        if not vals:
            return default
        value = vals[-1]
        for option in allowed:
            if value.lower() == option.lower():
                return option
        notices.append(
            _("Ignored {name}={value}: expected one of {allowed}.").format(
                name=name, value=repr(value), allowed=", ".join(allowed)
            )
        )
        return default

    state = ViewState(
        filters=filters,
        currency=one_of("currency", CURRENCIES, "USD"),
        by=one_of("by", VIEW_BY, "organisation"),
        compare=one_of("compare", COMPARE_BY, "organisation"),
        pick=tuple(dict.fromkeys(_values(query, "pick"))),
        table=one_of("table", TABLE_BY, "organisation"),
        theme=one_of("theme", theme_keys(), DEFAULT_THEME),
        points=one_of("points", POINTS, "steady"),
        vs=_comparison_date(_values(query, "vs"), filters.as_of, notices),
        indicator=_indicator(_values(query, "indicator"), notices),
        tab=one_of("tab", TABS, "chart"),
        show=one_of("show", SHOW, "value"),
        network=one_of("network", NETWORK_LINE, "on"),
        lang=_language(_values(query, "lang"), notices),
    )
    return replace(state, notices=tuple(notices))


def _indicator(values: list[str], notices: list[str]) -> str:
    """indicator=<id>: an indicator of the registry, the network's own included (dropped,
    with a notice, otherwise)."""
    if not values:
        return DEFAULT_INDICATOR
    known = {i.id.casefold(): i.id for i in every()}
    found = known.get(values[-1].casefold())
    if found is None:
        notices.append(
            _(
                "Ignored indicator={value}: there is no such indicator (the Glossary lists them)."
            ).format(value=repr(values[-1][:60]))
        )
        return DEFAULT_INDICATOR
    return found


def _language(values: list[str], notices: list[str]) -> str | None:
    """lang=da|en|fr: the language of the link (dropped, with a notice, otherwise)."""
    if not values:
        return None
    lang = i18n.normal(values[-1])
    if lang is None:
        notices.append(
            _("Ignored lang={value}: expected one of {allowed}.").format(
                value=repr(values[-1]), allowed=", ".join(i18n.LANGUAGES)
            )
        )
    return lang


def _comparison_date(values: list[str], as_of: date | None, notices: list[str]) -> date | None:
    """vs=YYYY-MM-DD: an earlier date to compare with (dropped, with a notice, otherwise)."""
    if not values:
        return None
    try:
        vs = date.fromisoformat(values[-1])
    except ValueError:
        notices.append(
            _("Ignored vs={value}: expected a date such as 2024-09-30.").format(
                value=repr(values[-1])
            )
        )
        return None
    if as_of is not None and vs >= as_of:
        notices.append(
            _("Ignored vs={value}: the comparison must be before the as-of date.").format(
                value=vs.isoformat()
            )
        )
        return None
    return vs


def _check_names(
    query: dict[str, list[str]], facts: PoolFacts
) -> tuple[dict[str, list[str]], list[str]]:
    """Keep the countries, organisations, projects and dates the pool knows; notice the rest."""
    notices: list[str] = []
    out = dict(query)
    known_countries = set(facts.countries)
    countries: list[str] = []
    for value in _values(query, "country"):
        code = country_code(value)
        if code in known_countries:
            countries.append(code)
        elif code:
            name = country_name(code) or code
            notices.append(
                _("Ignored country={value}: the pool has no project in {country}.").format(
                    value=repr(value), country=name
                )
            )
        else:
            notices.append(
                _("Ignored country={value}: not a country code such as UGA.").format(
                    value=repr(value)
                )
            )
    out["country"] = countries
    orgs = {o.casefold(): o for o in facts.organisations}
    kept: list[str] = []
    for value in _values(query, "organisation"):
        if value.casefold() in orgs:
            kept.append(orgs[value.casefold()])
        else:
            notices.append(
                _("Ignored organisation={value}: no such organisation in the pool.").format(
                    value=repr(value)
                )
            )
    out["organisation"] = kept
    projects = {p.project_id.casefold(): p.project_id for p in facts.projects}
    kept = []
    for value in _values(query, "project"):
        if value.casefold() in projects:
            kept.append(projects[value.casefold()])
        else:
            notices.append(
                _("Ignored project={value}: no such project in the pool.").format(value=repr(value))
            )
    out["project"] = kept
    as_of = _values(query, "as_of")
    if as_of and facts.first_date is not None:
        try:
            day = date.fromisoformat(as_of[-1])
        except ValueError:
            pass  # Filters.from_query gives the notice
        else:
            if day < facts.first_date:
                notices.append(
                    _("Ignored as_of={value}: the pool's data begin on {first}.").format(
                        value=as_of[-1], first=facts.first_date.isoformat()
                    )
                )
                out.pop("as_of")
            elif facts.latest_date is not None and day > facts.latest_date:
                notices.append(
                    _(
                        "Ignored as_of={value}: the pool's latest data are of {latest}, "
                        "shown instead."
                    ).format(value=as_of[-1], latest=facts.latest_date.isoformat())
                )
                out.pop("as_of")
    return out, notices
