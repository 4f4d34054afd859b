"""The trainer report (SAVIX's field-officer report): per trainer (field officer or village
agent) of an organisation, its groups' figures, the last four quarters, and flags that say in
words why a supervisor should look: who needs support, ranked.

The rules (README, "The trainer report"):

- against the organisation's own groups: at least half of the trainer's groups (and at least
  MIN_TRAINER_GROUPS of them) lie in the organisation's bottom quarter of groups on attendance
  or on savings-per-member growth (below the first quartile), or in its top quarter on
  dropout or portfolio at risk (above the third quartile). A trainer whose groups are like
  the organisation's has about a quarter of them there; half or more is a pattern, not one
  group's bad visit. Quartiles need at least MIN_GROUPS groups of the organisation;
- against fixed reference values (REFERENCES), the network's, for the figures where a level
  is bad whatever the organisation: attendance, dropout, portfolio at risk, loan fund
  utilisation;
- data older than two quarters: the trainer's newest dataset is more than STALE_DAYS old.

One flag per figure (the reference value's when both rules fire). Trainers are sorted by
the number of flags, then by size (groups, then members).

The pure functions (`quartiles`, `flags_of`, `ranked`) work on plain values and frames; the
report (`report`) reads the pool through the query layer, scoped to what the viewer may see
in detail: its own organisation's trainers (an admin: any), a guest none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd

from dashboard.analytics import datasource
from dashboard.core.format import number, percent
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import comparison_date, quarter_end, quarter_text

# --- The rules ---------------------------------------------------------------------------

STALE_DAYS = 183  # two quarters: the newest data of a trainer's groups older than this
MIN_GROUPS = 8  # the organisation's groups with a value needed for its quartiles
MIN_TRAINER_GROUPS = 5  # a trainer's groups with a value needed for a quartile flag
HALF = 0.5  # the share of a trainer's groups in the bad quarter that flags it
QUARTERS = 4  # the sparklines: the last four quarters


@dataclass(frozen=True)
class Rule:
    """A figure the flags watch: its id (a column of the trainer's row), the side that is
    bad (-1: low is bad, +1: high is bad), and the words of its flags."""

    measure: str
    bad: int
    label: str  # the flag's short name (N_)
    quartile: str  # the reason against the quartile (N_, {value} {limit})
    reference: str = ""  # the reason against the reference value (N_, {value} {limit})
    signed: bool = False  # a change: its value is written with its sign


RULES: tuple[Rule, ...] = (
    Rule(
        "attendance_rate",
        -1,
        N_("Low attendance"),
        N_(
            "attendance {value}: {count} of {of} groups in the organisation's bottom quarter "
            "(below {limit})"
        ),
        N_("attendance {value}, below the reference of {limit}"),
    ),
    Rule(
        "savings_per_member_growth",
        -1,
        N_("Savings falling behind"),
        N_(
            "savings per member {value} on a year earlier: {count} of {of} groups in the "
            "organisation's bottom quarter (below {limit})"
        ),
        signed=True,
    ),
    Rule(
        "dropout_rate",
        1,
        N_("High dropout"),
        N_(
            "dropout {value}: {count} of {of} groups in the organisation's top quarter "
            "(above {limit})"
        ),
        N_("dropout {value}, above the reference of {limit}"),
    ),
    Rule(
        "portfolio_at_risk",
        1,
        N_("Loans at risk"),
        N_(
            "portfolio at risk {value}: {count} of {of} groups in the organisation's top "
            "quarter (above {limit})"
        ),
        N_("portfolio at risk {value}, above the reference of {limit}"),
    ),
    Rule(
        "loan_fund_utilisation",
        -1,
        N_("Idle loan fund"),
        "",  # (no quartile rule: a low use is a choice of the groups as often as a problem)
        N_("loan fund utilisation {value}, below the reference of {limit}"),
    ),
)
RULE_BY_MEASURE = {r.measure: r for r in RULES}
QUARTILE_MEASURES = tuple(r.measure for r in RULES if r.quartile)

# The network's fixed reference values: a level that needs a look whatever the organisation
# (VSLA programme practice; SAVIX publishes no per-trainer thresholds). One place to change.
REFERENCES: dict[str, float] = {
    "attendance_rate": 0.80,  # fewer than 4 in 5 members at the meeting
    "dropout_rate": 0.10,  # more than 1 in 10 members gone since the start of the cycle
    "portfolio_at_risk": 0.10,  # more than a tenth of the loans' value late
    "loan_fund_utilisation": 0.50,  # less than half of the loan fund lent out
}

STALE = N_("Old data")
STALE_REASON = N_("newest data {days} days old, older than two quarters ({limit} days)")

Kind = Literal["quartile", "reference", "stale"]


@dataclass(frozen=True)
class Flag:
    """Why a trainer needs a look: one rule, the trainer's value and the limit it passed."""

    kind: Kind
    measure: str  # a RULES measure, or "data_age_days"
    value: float
    limit: float
    count: int = 0  # (quartile flags) the trainer's groups in the bad quarter
    of: int = 0  # (quartile flags) the trainer's groups with a value

    @property
    def label(self) -> str:
        if self.kind == "stale":
            return _(STALE)
        return _(RULE_BY_MEASURE[self.measure].label)

    @property
    def reason(self) -> str:
        """The flag in words, in the language in force: "attendance 61.0%: 14 of 25 groups
        in the organisation's bottom quarter (below 74.0%)"."""
        if self.kind == "stale":
            return _(STALE_REASON).format(days=number(self.value), limit=number(self.limit))
        rule = RULE_BY_MEASURE[self.measure]
        text = rule.reference if self.kind == "reference" else rule.quartile
        return _(text).format(
            value=percent(self.value, 1, sign=rule.signed),
            limit=percent(self.limit, 1, sign=rule.signed),
            count=number(self.count),
            of=number(self.of),
        )


def _value(x: Any) -> float | None:
    """A finite number, else None (pandas' blanks, None, NaN)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def quartiles(groups: pd.DataFrame, least: int = MIN_GROUPS) -> dict[str, tuple[float, float]]:
    """The first and third quartiles across `groups` (one row per group, a column per
    measure of QUARTILE_MEASURES) of each measure with at least `least` values (linear
    interpolation between the closest ranks, as pandas' quantile)."""
    out: dict[str, tuple[float, float]] = {}
    for measure in QUARTILE_MEASURES:
        if measure not in groups:
            continue
        values = pd.to_numeric(groups[measure], errors="coerce").dropna()
        if len(values) >= least:
            out[measure] = (float(values.quantile(0.25)), float(values.quantile(0.75)))
    return out


def in_bad_quarter(
    groups: pd.DataFrame, bounds: Mapping[str, tuple[float, float]]
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per trainer (`groups`' trainer column), per measure with bounds: how many of its
    groups lie in the organisation's bad quarter of that measure (below q1 where low is bad,
    above q3 where high is bad), of how many with a value."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    if groups.empty:
        return out
    for measure, (q1, q3) in bounds.items():
        values = pd.to_numeric(groups[measure], errors="coerce")
        bad = values < q1 if RULE_BY_MEASURE[measure].bad < 0 else values > q3
        counts = (
            pd.DataFrame(
                {"trainer": groups["trainer"], "bad": bad & values.notna(), "n": values.notna()}
            )
            .groupby("trainer")[["bad", "n"]]
            .sum()
        )
        for trainer, bad_n, n in zip(counts.index, counts["bad"], counts["n"], strict=True):
            out.setdefault(str(trainer), {})[measure] = (int(bad_n), int(n))
    return out


def flags_of(
    row: Mapping[str, Any],
    bounds: Mapping[str, tuple[float, float]],
    counts: Mapping[str, tuple[int, int]],
    references: Mapping[str, float] = REFERENCES,
    stale_days: int = STALE_DAYS,
    least: int = MIN_TRAINER_GROUPS,
) -> list[Flag]:
    """The flags of a trainer's `row` (its pooled figures and `newest_data_days`): against
    the reference values, and against its organisation's quartiles of groups (`bounds`:
    measure -> (q1, q3); `counts`: measure -> (its groups in the bad quarter, its groups
    with a value)); one per figure, the reference value's first, in the order of RULES, old
    data last."""
    out: list[Flag] = []
    for rule in RULES:
        value = _value(row.get(rule.measure))
        if value is None:
            continue
        ref = references.get(rule.measure)
        if ref is not None and (value < ref if rule.bad < 0 else value > ref):
            out.append(Flag("reference", rule.measure, value, ref))
            continue
        if rule.measure in bounds and rule.measure in counts:
            bad, n = counts[rule.measure]
            if n >= least and bad >= HALF * n:
                q1, q3 = bounds[rule.measure]
                limit = q1 if rule.bad < 0 else q3
                out.append(Flag("quartile", rule.measure, value, limit, bad, n))
    age = _value(row.get("newest_data_days"))
    if age is not None and age > stale_days:
        out.append(Flag("stale", "data_age_days", age, stale_days))
    return out


def ranked(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows by need (the number of flags, most first), then by size (groups, then members,
    most first), then by trainer id."""
    return sorted(
        rows,
        key=lambda r: (
            -len(r.get("flags") or ()),
            -(r.get("groups") or 0),
            -(r.get("members") or 0),
            str(r.get("trainer_id")),
        ),
    )


# --- The last four quarters --------------------------------------------------------------


def _previous_quarter_end(d: date) -> date:
    q = quarter_end(d)
    return date(q.year, q.month - 2, 1) - timedelta(days=1)


def last_quarters(as_of: date, n: int = QUARTERS) -> tuple[date, ...]:
    """The as-of date and the n - 1 quarter ends before it, oldest first."""
    dates = [as_of]
    while len(dates) < n:
        dates.insert(0, _previous_quarter_end(dates[0]))
    return tuple(dates)


SPARK_W, SPARK_H = 72, 22


def sparkline(values: Sequence[float | None], colour: str = "#1f5f8b") -> str:
    """A tiny line of `values` (None: a gap) as an SVG data URI: no axes, the last point
    marked; its scale the values' own range."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (SPARK_W - 6) / max(len(values) - 1, 1)
    points = [
        (
            3 + i * step,
            SPARK_H - 3 - (v - low) / span * (SPARK_H - 6) if high > low else SPARK_H / 2,
        )
        for i, v in enumerate(values)
        if v is not None
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_W}" height="{SPARK_H}" '
        f'viewBox="0 0 {SPARK_W} {SPARK_H}"><polyline fill="none" stroke="{colour}" '
        f'stroke-width="1.6" points="{line}"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" '
        f'fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


# --- The report of a view ----------------------------------------------------------------

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (field, header (N_), kind): the table's columns and the files'
    ("trainer_id", N_("Trainer"), ""),
    ("project", N_("Project"), ""),
    ("flag_labels", N_("Needs a look"), ""),
    ("reasons", N_("Why"), ""),
    ("groups", N_("Groups"), "int"),
    ("members", N_("Members"), "int"),
    ("pct_women", N_("Women"), "pct"),
    ("savings_per_member", N_("Savings per member ({currency})"), "usd"),
    ("savings_per_member_growth", N_("Savings per member, change on a year earlier"), "pct"),
    ("attendance_rate", N_("Attendance"), "pct"),
    ("dropout_rate", N_("Dropout"), "pct"),
    ("loan_fund_utilisation", N_("Loan fund utilisation"), "pct"),
    ("portfolio_at_risk", N_("Portfolio at risk"), "pct"),
    ("pct_graduated", N_("Groups graduated"), "pct"),
    ("newest_data_days", N_("Newest data (days old)"), "int"),
)


SHORT = {  # the table's headers (the files' are COLUMNS')
    "groups": N_("Groups"),
    "members": N_("Members"),
    "pct_women": N_("Women"),
    "savings_per_member": N_("Savings per member"),
    "attendance_rate": N_("Attendance"),
    "dropout_rate": N_("Dropout"),
    "loan_fund_utilisation": N_("Loan fund used"),
    "portfolio_at_risk": N_("Portfolio at risk"),
    "pct_graduated": N_("Graduated"),
    "newest_data_days": N_("Newest data (days)"),
}


RULES_TEXT = N_(
    "One row per field officer or village agent, those who need a look first, then by size. "
    "Flags: half or more of the trainer's groups in the organisation's worst quarter of "
    "groups on attendance, savings per member growth, dropout or portfolio at risk; "
    "attendance under {attendance}, dropout over {dropout}, portfolio at risk over {par} or "
    "loan fund utilisation under {use}; or no new data for two quarters ({days} days)."
)


def rules_text() -> str:
    r = REFERENCES
    return _(RULES_TEXT).format(
        attendance=percent(r["attendance_rate"]),
        dropout=percent(r["dropout_rate"]),
        par=percent(r["portfolio_at_risk"]),
        use=percent(r["loan_fund_utilisation"]),
        days=STALE_DAYS,
    )


@dataclass
class Report:
    """The trainer report of a view: its rows (ranked), the organisations' quartiles of
    groups, and whether the viewer may see trainers at all."""

    rows: list[dict[str, Any]]
    bounds: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    organisations: tuple[str, ...] = ()
    listed: bool = True  # False: the view names nothing to list (an admin chooses first)
    as_of: date | None = None
    spark_dates: tuple[date, ...] = ()

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r["flags"])


def lists_trainers(filters: Any) -> bool:
    """Trainers are listed for one project or one organisation: a member's own (all it may
    see in detail) without choosing, or the one the filters name; the whole network's
    (thousands at SAVIX scale) is not a list anyone reads: the admin chooses first."""
    one = len(filters.project) == 1 or (len(filters.organisation) == 1 and not filters.project)
    return one or not datasource.viewer().is_admin


def _organisation_filters(filters: Any, organisations: tuple[str, ...]) -> Any:
    """The view's filters over the whole of `organisations` (its groups' filters and date
    kept, its places not): the groups a trainer is compared with."""
    return replace(filters, country=(), project=(), organisation=organisations)


def _trainers(view: Any) -> pd.DataFrame | None:
    """The trainers in scope with active groups, their indicators; None without any."""
    frame = datasource.indicators(view.filters, "trainer")
    if frame.empty or "trainer" not in frame:
        return None
    return frame[frame["groups"].fillna(0) > 0]


def _organisations(view: Any, frame: pd.DataFrame) -> tuple[str, ...]:
    """The organisations of the trainers of `frame`."""
    by_id = view.facts.project_by_id
    projects = {str(t).partition("/")[0] for t in frame["trainer"]}
    return tuple(sorted({by_id[p].organisation for p in projects if p in by_id}))


def _later(view: Any, organisations: tuple[str, ...]) -> tuple[datasource.Ask, ...]:
    """What the report reads once it knows its trainers' organisations: their groups, and
    the trainers' figures at the comparison date and at the last quarter ends."""
    f, as_of = view.filters, view.as_of
    asks: list[datasource.Ask] = [datasource.TrainerGroups(_organisation_filters(f, organisations))]
    if as_of:
        dates = (comparison_date(as_of), *last_quarters(as_of))
        asks.append(datasource.RowsAt(f, dates, "trainer"))
    return tuple(asks)


def asks(view: Any) -> tuple[datasource.Ask, ...]:
    """What `report` reads first: the trainers' indicators, where trainers are listed."""
    return (datasource.Rows(view.filters, "trainer"),) if lists_trainers(view.filters) else ()


def follow_ups(view: Any) -> tuple[datasource.Ask, ...]:
    """What `report` reads after that (from the trainers it found: read from the cache once
    `asks` are fetched)."""
    if not lists_trainers(view.filters):
        return ()
    frame = _trainers(view)
    return () if frame is None else _later(view, _organisations(view, frame))


def report(view: Any, currency_rate: Any = None) -> Report:
    """The trainer report of a view (dashboard.views.view.View): each trainer of the projects in
    scope that the viewer may see in detail, with its flags, ranked."""
    f = view.filters
    if not lists_trainers(f):
        return Report([], listed=False, as_of=view.as_of)
    frame = _trainers(view)
    if frame is None:
        return Report([], as_of=view.as_of)
    by_id = view.facts.project_by_id
    organisations = _organisations(view, frame)
    org_filters = _organisation_filters(f, organisations)
    as_of = view.as_of
    spark_dates = last_quarters(as_of) if as_of else ()
    datasource.fetch(_later(view, organisations))  # (a page has usually fetched them)
    groups = datasource.trainer_groups(org_filters)
    bounds: dict[str, dict[str, tuple[float, float]]] = {}
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    if not groups.empty:
        for org, part in groups.groupby("organisation"):
            bounds[str(org)] = quartiles(part)
            counts |= in_bad_quarter(part, bounds[str(org)])
    per_trainer = _group_summary(groups)
    history = (
        datasource.indicators_at(f, (comparison_date(as_of), *spark_dates), "trainer")
        if as_of
        else pd.DataFrame()
    )
    series = _series(history, spark_dates, view)
    then = _spm_at(history, comparison_date(as_of)) if as_of else {}
    rate = view.currency.rate(as_of.year) if as_of else 1.0
    labels = view.facts.project_labels
    rows = []
    for r in frame.to_dict("records"):
        key = str(r["trainer"])
        project, _sep, trainer_id = key.partition("/")
        org = by_id[project].organisation if project in by_id else ""
        summary = per_trainer.get(key, {})
        spm = _value(r.get("savings_per_member_usd"))
        before = then.get(key)
        growth = spm / before - 1 if spm is not None and before else None
        row: dict[str, Any] = {
            "trainer": key,
            "trainer_id": trainer_id or _("(none)"),
            "project_id": project,
            "project": labels.get(project, project),
            "organisation": org,
            "groups": int(r["groups"] or 0),
            "members": int(r["members"] or 0),
            "pct_women": _value(r.get("pct_women")),
            "savings_per_member": None if spm is None else spm * rate,
            "savings_per_member_growth": growth,
            "attendance_rate": _value(r.get("attendance_rate")),
            "dropout_rate": _value(r.get("dropout_rate")),
            "loan_fund_utilisation": _value(r.get("loan_fund_utilisation")),
            "portfolio_at_risk": _value(r.get("portfolio_at_risk")),
            "pct_graduated": summary.get("pct_graduated"),
            "newest_data_days": summary.get("newest_data_days"),
            "spark_savings": series.get(key, {}).get("savings", []),
            "spark_attendance": series.get(key, {}).get("attendance", []),
        }
        flags = flags_of(row, bounds.get(org, {}), counts.get(key, {}))
        row["flags"] = flags
        row["flag_labels"] = ", ".join(fl.label for fl in flags)
        row["reasons"] = "; ".join(fl.reason for fl in flags)
        rows.append(row)
    return Report(ranked(rows), bounds, organisations, True, as_of, spark_dates)


def _group_summary(groups: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per trainer: the share of its groups graduated, the age of its newest data."""
    if groups.empty:
        return {}
    summary = (
        groups.assign(graduated=groups["status"] == "graduated")
        .groupby("trainer")
        .agg(pct_graduated=("graduated", "mean"), newest_data_days=("data_age_days", "min"))
    )
    return {
        str(key): {"pct_graduated": float(share), "newest_data_days": int(age)}
        for key, share, age in zip(
            summary.index, summary["pct_graduated"], summary["newest_data_days"], strict=True
        )
    }


def _spm_at(history: pd.DataFrame, when: date) -> dict[str, float]:
    if history.empty or "as_of" not in history:
        return {}
    at = history[pd.to_datetime(history["as_of"]).dt.date == when]
    return {
        str(t): v
        for t, v in zip(at["trainer"], at["savings_per_member_usd"], strict=True)
        if _value(v) is not None
    }


def _series(history: pd.DataFrame, dates: tuple[date, ...], view: Any) -> dict[str, dict]:
    """Per trainer, savings per member (display currency) and attendance at each of `dates`
    (None where the trainer had no active group)."""
    if history.empty or "as_of" not in history:
        return {}
    days = pd.to_datetime(history["as_of"]).dt.date
    found: dict[tuple[str, date], tuple[float | None, float | None]] = {
        (str(t), d): (_value(spm), _value(att))
        for t, d, spm, att in zip(
            history["trainer"],
            days,
            history["savings_per_member_usd"],
            history["attendance_rate"],
            strict=True,
        )
    }
    out: dict[str, dict[str, list[float | None]]] = {}
    for key in dict.fromkeys(str(t) for t in history["trainer"]):
        at = [found.get((key, d), (None, None)) for d in dates]
        out[key] = {
            "savings": [
                None if spm is None else spm * view.currency.rate(d.year)
                for (spm, _att), d in zip(at, dates, strict=True)
            ],
            "attendance": [att for _spm, att in at],
        }
    return out


def trainer_group_rows(view: Any, trainer: str) -> list[dict[str, Any]]:
    """The groups of one trainer ("project/trainer_id") of the view, if the viewer may see it
    in detail (else none): the group-level table, one click from the trainer's row."""
    f = view.filters
    project = trainer.partition("/")[0]
    if not lists_trainers(f) or project not in view.facts.project_by_id:
        return []
    org = view.facts.project_by_id[project].organisation
    groups = datasource.trainer_groups(_organisation_filters(f, (org,)))
    if groups.empty:
        return []
    part = groups[groups["trainer"] == trainer]
    rate = view.currency.rate(view.as_of.year) if view.as_of else 1.0
    rows = []
    for r in part.sort_values(["data_age_days", "group_id"]).to_dict("records"):
        spm = _value(r.get("savings_per_member_usd"))
        rows.append(
            {
                "group_id": r["group_id"],
                "group_name": r.get("group_name") or "",
                "status": r.get("status") or "",
                "cycle_number": r.get("cycle_number"),
                "report_date": pd.Timestamp(r["report_date"]).date(),
                "data_age_days": int(r["data_age_days"]),
                "members": int(r["members"]),
                "pct_women": _value(r.get("pct_women")),
                "savings_per_member": None if spm is None else spm * rate,
                "attendance_rate": _value(r.get("attendance_rate")),
                "dropout_rate": _value(r.get("dropout_rate")),
                "loan_fund_utilisation": _value(r.get("loan_fund_utilisation")),
                "portfolio_at_risk": _value(r.get("portfolio_at_risk")),
            }
        )
    return rows


def spark_caption(dates: Sequence[date]) -> str:
    """The quarters of the sparklines in words: "2025Q4 to 2026Q3"."""
    if not dates:
        return ""
    return _("{first} to {last}").format(first=quarter_text(dates[0]), last=quarter_text(dates[-1]))
