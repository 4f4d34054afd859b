"""What the performance report says, computed from the pool for the view of a link: its one
job is the report's content (figures, words, charts as figures), never its HTML
(document.py) or its printing (pdf.py).

The report is a one-to-two-page annex for a donor report, of one project, one organisation
or the current filters. It holds a profile (country, partner, donor, dates, staff), outreach
by sex and youth, the SAVIX performance ratios and cost efficiency beside the network's
value (the pooled value of every group the viewer may see, with the view's theme filters:
what the pages call the network) and against the median and quartiles of the network's
projects (its peers), trends (a selection's with the network's line), data quality, and the
trainers' annex where the viewer may see them; each figure as of the view's date and
compared with an earlier one (`vs`, by default the same quarter a year earlier). Better and
worse follow the pages' one rule (page_model.verdict: within 2 points for a share, 2%
otherwise, a value is in line).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics import datasource, trainers
from dashboard.core.format import format_change, na, number, percent
from dashboard.core.i18n import N_, _, ngettext
from dashboard.core.indicators import BY_ID, lookup, network_indicators
from dashboard.views import charts
from dashboard.views.figures.trends import MIN_TREND_GROUPS, thin_note
from dashboard.views.page_model import PageSpec, change_tone, verdict
from dashboard.views.view import (
    STALE_DAYS,
    VALUE_LABELS,
    View,
    caption,
    counted,
    describe,
    exchange_rate,
    first_row,
    nice_date,
    now_and_then,
    profile_items,
    read_view,
    subject,
)

REPORT_FIGURES = (
    "groups",
    "members",
    "pct_women",
    "pct_youth",
    "avg_group_size",
    "savings_usd",
    "loans_outstanding_usd",
    "replication_rate",
)
RATIOS = (
    "savings_per_member_usd",
    "annualised_return_on_assets",
    "annualised_return_on_savings",
    "loan_fund_utilisation",
    "pct_members_with_loans",
    "avg_loan_usd",
    "portfolio_at_risk",
    "write_off_ratio",
    "attendance_rate",
    "dropout_rate",
)
COSTS = (
    "cost_per_member_usd",
    "cost_per_group_usd",
    "members_per_field_officer",
    "groups_per_trainer",
)


@dataclass(frozen=True)
class Line:
    """A headline figure now and then."""

    label: str
    now: str
    then: str
    change: str
    tone: str  # good, bad, flat or "" (no direction)


@dataclass(frozen=True)
class Standing:
    """A ratio of the subject beside the network's pooled value, and against the median and
    quartiles of the network's projects (where it stands among them)."""

    indicator: str
    label: str
    value: str
    q1: str
    median: str
    q3: str
    standing: str
    tone: str
    network: str = ""  # the network's pooled value (every group the viewer may see)


@dataclass
class Report:
    title: str
    kind: str  # project, organisation or selection
    as_of: date | None
    vs: date | None
    currency: str
    filters: str
    caption: str
    link: str
    exchange_rate: str = ""  # the rate money is shown at (view.exchange_rate; "" in USD)
    profile: list[tuple[str, str]] = field(default_factory=list)
    headline: list[Line] = field(default_factory=list)
    outreach: list[tuple[str, str, str]] = field(default_factory=list)
    bands: list[tuple[str, str, str, str]] = field(default_factory=list)
    ratios: list[Standing] = field(default_factory=list)
    costs: list[Standing] = field(default_factory=list)
    own: list[Standing] = field(default_factory=list)  # the network's own (data/network.toml)
    network: str = ""
    charts: list[go.Figure] = field(default_factory=list)
    trend_note: str = ""  # which points the trends leave out (THIN_POINTS)
    quality: list[dict[str, Any]] = field(default_factory=list)
    # the trainer report of its annex (None: not computed, the view has no data)
    trainer_report: trainers.Report | None = None


def comparison(view: View) -> date | None:
    """The date the report compares with: the link's `vs`, else a year earlier."""
    if view.as_of is None:
        return None
    vs = view.state.vs
    if vs is not None and vs < view.as_of:
        return vs
    return datasource.comparison_date(view.as_of)


def _standing(
    value: float | None, q1: float, median: float, q3: float, direction: int, kind: str = ""
) -> str:
    """Where a value stands among the network's projects, in words: better or worse where
    the indicator has a direction (a low portfolio at risk is good), else above or below.
    The one rule of the pages (page_model.verdict) decides: a value within the tolerance of
    the median (2 points for a share, `kind` "pct"; 2% otherwise) is in line with it, even
    where the quartiles are closer still; beyond it, the best or weakest quarter outside
    the middle half.

    The words are in English (they also decide the tone): translate them where shown."""
    if value is None or pd.isna(value):
        return N_("no value")
    if math.isclose(value, median, rel_tol=1e-9, abs_tol=1e-12):
        return N_("at the median")
    if direction:
        judged = verdict(value, median, kind, direction)
        if judged == 0:
            return N_("in line with the median")
        if direction < 0:  # lower is better: mirror so that "top" still means best
            value, q1, q3 = -value, -q3, -q1
        if value > q3:
            return N_("best quarter")
        if value < q1:
            return N_("weakest quarter")
        return N_("better than the median") if judged > 0 else N_("worse than the median")
    if value > q3:
        return N_("above the upper quartile")
    if value < q1:
        return N_("below the lower quartile")
    return N_("above the median") if value > median else N_("below the median")


def _standing_tone(text: str) -> str:
    return {"best quarter": "good", "weakest quarter": "bad"}.get(text, "")


def build_report(search: str | None, page_url: str = "") -> Report:
    """Everything the report shows, computed for the view of a link."""
    view = read_view(search)
    f = view.filters
    as_of, vs = view.as_of, comparison(view)
    view = replace(view, state=replace(view.state, vs=vs))
    who = subject(view)
    total = first_row(datasource.indicators(f, network=True)) if as_of else {}
    report = Report(
        title=_title(view, who),
        kind=who[0] if who else "selection",  # a key (render_html words it)
        as_of=as_of,
        vs=vs,
        currency=view.code,
        filters=describe(f, view.facts),
        caption=caption(view, total.get("groups"), total.get("projects")),
        link=page_url + view.state.search(),
        exchange_rate=exchange_rate(view),
    )
    if as_of is None or not total.get("groups"):
        return report
    report.profile = (
        profile_items(view, *who)
        if who
        else [
            (_("Filters"), report.filters),
            (_("Projects"), counted(total.get("projects"), "project", exact=True)),
            (_("Organisations"), number(total.get("organisations") or 0)),
            (_("Countries"), number(total.get("countries") or 0)),
        ]
    )
    report.headline = _headline(view, vs)
    report.outreach, report.bands = _outreach(view, total)
    # The network: every group the viewer may see, with the view's theme filters and date
    # (the pages' network, Filters.network); its value pooled, its projects the peers
    whole = total if not f.has_place else first_row(datasource.indicators(f.network, network=True))
    network = datasource.indicators(f.network, "project", network=True)
    report.network = ngettext(
        "Network: the pooled value (a ratio of sums) of every group the report may show, with "
        "its theme filters but none of its place filters. Median and quartiles: of the "
        "network's {n} project with active groups as of {date}, each project's value pooled "
        "over its groups.",
        "Network: the pooled value (a ratio of sums) of every group the report may show, with "
        "its theme filters but none of its place filters. Median and quartiles: of the "
        "network's {n} projects with active groups as of {date}, each project's value pooled "
        "over its groups.",
        len(network),
    ).format(n=number(len(network)), date=nice_date(as_of))
    # The network itself against its own projects: no better or worse
    itself = not f.has_place
    report.ratios = _standings(view, total, whole, network, RATIOS, marks=not itself)
    report.costs = _standings(view, total, whole, network, COSTS, marks=not itself)
    own = [i.id for i in network_indicators()]
    report.own = [  # (a field the subject's groups leave empty is not recorded there)
        replace(s, label=_own_label(s.indicator, s.label))
        for s in _standings(
            view, total, whole, network, own, missing=N_("not recorded"), marks=not itself
        )
    ]
    report.charts, need = _charts(view)
    report.trend_note = thin_note(need) if report.charts else ""
    report.quality = _quality(view)
    report.trainer_report = trainers.report(view)
    return report


def _own_label(ind_id: str, label: str) -> str:
    """A network indicator's label with its SDG target, if it has one."""
    target = lookup(ind_id).field.sdg  # type: ignore[union-attr]
    return _("{label} (SDG {target})").format(label=label, target=target) if target else label


def _title(view: View, who: tuple[str, str] | None) -> str:
    if who and who[0] == "project":
        return view.facts.project_labels.get(who[1], who[1])
    if who:
        return who[1]
    return _("Savings groups: {filters}").format(filters=describe(view.filters, view.facts))


def _money(view: View, ind_id: str, value: Any, year: int | None) -> Any:
    return view.convert(value, year) if lookup(ind_id).format == "usd" else value


def _headline(view: View, vs: date | None) -> list[Line]:
    as_of = view.as_of
    assert as_of is not None
    now, then = now_and_then(view, vs)
    lines = []
    for ind_id in REPORT_FIGURES:
        ind = BY_ID[ind_id]
        value = _money(view, ind_id, now.get(ind_id), as_of.year)
        old = _money(view, ind_id, then.get(ind_id), vs.year if vs else None)
        if ind.format == "pct":  # the change of a share is that of the figures shown
            value, old = _shown_share(value), _shown_share(old)
        change = format_change(value, old, ind.format)
        lines.append(
            Line(
                ind.label,
                _exact(view, ind_id, value),
                _exact(view, ind_id, old) if then else na(),
                (_("no change") if change[1] == 0 else change[0]) if change else na(),
                change_tone(value, old, ind.format, change[1], ind.direction)
                if change and ind.direction
                else "",
            )
        )
    return lines


def _shown_share(value: Any) -> float | None:
    """A share as the report shows it: rounded to a tenth of a point (as `percent` rounds).
    The change between two shares is taken from these, so that it is the difference of the
    figures printed (78.5% against 78.7% is -0.2 pp, even when the unrounded shares differ
    by 0.15 points; 78.5% against 78.5% is no change)."""
    if value is None or pd.isna(value):
        return None
    return float(f"{float(value) * 100:.1f}") / 100


def _exact(view: View, ind_id: str, value: Any) -> str:
    """Counts in full (a report is read closely: 37,823, not 37.8k) and shares to a tenth of
    a point, the precision of their change (78.4% against 78.5%, -0.1 pp; rounded to whole
    per cents they would read 78% against 79%)."""
    kind = BY_ID[ind_id].format
    if value is not None and not pd.isna(value):
        if kind == "int":
            return number(float(value))
        if kind == "pct":
            return percent(_shown_share(value) or 0.0, 1)
    return view.fmt(ind_id, value)


def _outreach(
    view: View, total: dict[str, Any]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    members = total.get("members") or 0
    women, men = total.get("women") or 0, total.get("men") or 0
    # shares as the headline figures show them (to a tenth of a point)
    rows = [
        (_("All"), number(members), _("in active groups")),
        (
            _("Women"),
            number(women),
            _("{share} of members").format(share=_exact(view, "pct_women", total.get("pct_women"))),
        ),
        (_("Men"), number(men), _exact(view, "pct_women", men / members if members else None)),
        (
            _("Youth"),
            _exact(view, "pct_youth", total.get("pct_youth")),
            _("of members, in groups that record youth"),
        ),
    ]
    bands: list[tuple[str, str, str, str]] = []
    for breakdown in ("women_band", "youth_band"):
        frame = datasource.indicators(view.filters, breakdown)
        labels = VALUE_LABELS[breakdown]
        for key in labels:
            hit = frame[frame[breakdown] == key] if not frame.empty else frame
            if hit.empty:
                continue
            row = hit.iloc[0]
            share = row["groups"] / total["groups"] if total.get("groups") else None
            bands.append(
                (
                    _(labels[key]),
                    number(row["groups"]),
                    number(row["members"]),
                    view.fmt("pct_women", share),
                )
            )
    return rows, bands


def _standings(
    view: View,
    total: dict[str, Any],
    whole: Mapping[str, Any],
    network: pd.DataFrame,
    ids: Sequence[str],
    missing: str = N_("no value"),
    marks: bool = True,
) -> list[Standing]:
    """Each indicator of `ids` beside the network's pooled value (`whole`) and against the
    network's projects (`network`, one row each); `missing`: the words for a subject without
    a value (English, translated where shown). Without `marks` (the network itself, set
    against its own projects), no standing is told or coloured."""
    year = view.as_of.year if view.as_of else None
    out = []
    for ind_id in ids:
        ind = lookup(ind_id)
        column = pd.to_numeric(network.get(ind_id), errors="coerce").dropna()
        value = total.get(ind_id)
        if column.empty:
            q1 = median = q3 = None
            where = N_("no network value")
        else:
            q1, median, q3 = (float(column.quantile(q)) for q in (0.25, 0.5, 0.75))
            where = _standing(value, q1, median, q3, ind.direction, ind.format)
            if value is None or pd.isna(value):
                where = missing
            elif view.fmt(ind_id, value) == view.fmt(ind_id, median):
                where = N_("at the median")  # as far as the figures shown tell
            elif not marks:
                where = N_("the network's pooled value")
        out.append(
            Standing(
                ind_id,
                ind.label,
                view.fmt(ind_id, _money(view, ind_id, value, year)),
                view.fmt(ind_id, _money(view, ind_id, q1, year)),
                view.fmt(ind_id, _money(view, ind_id, median, year)),
                view.fmt(ind_id, _money(view, ind_id, q3, year)),
                _(where),
                _standing_tone(where),
                view.fmt(ind_id, _money(view, ind_id, whole.get(ind_id), year)),
            )
        )
    return out


# The report's trends: a project's own two, and two more of a selection's ratios
# (dashboard/views/charts.py). A selection's ratios are drawn against the network's, in grey
# (as /performance's "Performance over time"), in its organisation's colour.
TRENDS = PageSpec(
    charts=(
        charts.MEMBERS_AND_GROUPS,
        charts.SAVINGS_OVER_TIME,
        charts.WOMEN_OVER_TIME,
        charts.COST_OVER_TIME,
    )
)


def _charts(view: View) -> tuple[list[go.Figure], int]:
    """The four trends (TRENDS), and how many active groups a ratio's point needs: as on
    the pages, a quarter resting on fewer (a project's first groups) is left out of the
    ratios."""
    data = charts.Data(view)
    if data.trend.empty:
        return [], MIN_TREND_GROUPS
    drawn = TRENDS.draw(data)
    return [chart.figure for chart in drawn.values()], data.subject_trends[2]


def _quality(view: View) -> list[dict[str, Any]]:
    """Per project: groups reporting, the newest data, the mean age of the active groups'
    latest data (as the trainer view flags it), the latest project report, warnings."""
    frame = datasource.project_quality(view.filters)
    by_project = datasource.indicators(view.filters, "project")
    ages = (
        dict(zip(by_project["project"], by_project["data_age_days"], strict=True))
        if not by_project.empty
        else {}
    )
    rows = []
    none = _("none")
    for r in frame.to_dict("records"):
        age = ages.get(r["project_id"])
        if r["project_id"] not in ages and r["groups_reporting"] == 0:
            continue  # a project with nothing reported by then is not part of the report
        latest = r.get("latest_dataset")
        report = r.get("latest_project_report")
        groups = r["groups_reporting"]
        if groups is None or pd.isna(groups):  # another organisation's small project
            rows.append(
                {
                    "project": view.facts.project_labels.get(r["project_id"], r["project_name"]),
                    "groups": _(datasource.SUPPRESSED),
                    "latest": "",
                    "age": "",
                    "stale": False,
                    "age_days": None,
                    "report": "",
                    "warnings": "",
                }
            )
            continue
        rows.append(
            {
                "project": view.facts.project_labels.get(r["project_id"], r["project_name"]),
                "groups": number(int(groups)),
                "latest": nice_date(pd.Timestamp(latest).date()) if pd.notna(latest) else none,
                "age": na() if age is None or pd.isna(age) else _days(int(age)),
                "stale": age is None or pd.isna(age) or age > STALE_DAYS,
                "age_days": None if age is None or pd.isna(age) else float(age),
                "report": nice_date(pd.Timestamp(report).date()) if pd.notna(report) else none,
                "warnings": _first_rules(r["warning_rules"]),
            }
        )
    # The oldest data first; a long list is cut to the projects that need a look.
    rows.sort(key=lambda q: (not q["stale"], -(q["age_days"] or 0)))
    return rows


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=number(n))


def _first_rules(rules: str, keep: int = 3) -> str:
    """The most frequent warning rules of a project ("ageing data (52), ..., 2 more")."""
    parts = [p.strip() for p in (rules or "").split(", ") if p.strip()]
    if not parts:
        return _("none")
    rest = len(parts) - keep
    shown = ", ".join(parts[:keep])
    if rest <= 0:
        return shown
    return _("{rules}, {n} more").format(rules=shown, n=number(rest))
