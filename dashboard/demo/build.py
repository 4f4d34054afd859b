"""The demo pool: a deterministic, realistic-looking network of savings-group projects.

`build_demo` writes a complete pool (exchange rates, projects, project reports, groups,
datasets, warnings, provenance) that satisfies every rule of DATA.md and whose pooled
indicators land in the published reference ranges of INDICATORS.md. The world it draws
from (countries, rates, fictional organisations) lives in `dashboard.demo.world`.

Generation is vectorised with numpy and done in batches of at most CHUNK_GROUPS groups of
one project, each with its own random stream derived from (seed, project, batch): the same
seed and number of groups give the same pool, and memory stays flat however many groups.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from time import perf_counter

import duckdb
import numpy as np
import pandas as pd

from dashboard.analytics import disclosure, rollups
from dashboard.core import network
from dashboard.demo.world import (
    FIRST_YEAR,
    FORMATION_CUTOFF,
    LAST_YEAR,
    LATEST,
    PER_USD,
    SPREAD_DEGREES,
    TAGS,
    Project,
    day_number,
    make_projects,
    money_unit,
    quarter_ends,
    rates_of,
)
from dashboard.pool.files import DATA_TABLES, PoolError, connect, create_pool, meta, open_pool
from dashboard.pool.quality import next_import_id, record_import, refresh_warnings
from dashboard.pool.sqlfiles import sql

CHUNK_GROUPS = 25_000  # groups generated and inserted at a time
MAX_CYCLES = 13  # more cycles than a group formed in 2017 can complete by LATEST
ACTIVE_DAYS = 365  # INDICATORS.md: a group is active if its latest dataset is this recent
BUILD_MEMORY_LIMIT = "1GB"

LATEST_DAY = day_number(LATEST)
CUTOFF_DAY = day_number(FORMATION_CUTOFF)
_QUARTER_ENDS = quarter_ends(date(FIRST_YEAR, 1, 1), LATEST)
Q_END = np.array([day_number(q) for q in _QUARTER_ENDS], dtype=np.int64)
Q_START = np.concatenate(([day_number(date(FIRST_YEAR, 1, 1))], Q_END[:-1] + 1))

TRAINED_BY = ("field_officer", "village_agent", "replicated")
SETTINGS = ("rural", "peri-urban", "urban")
STATUSES = ("supervised", "graduated")
# Every combination of tags, normalised as the schema says (sorted, ';'-separated);
# position m - 1 holds the combination whose bit mask is m.
TAG_COMBINATIONS = tuple(
    ";".join(tag for bit, tag in enumerate(TAGS) if mask >> bit & 1)
    for mask in range(1, 2 ** len(TAGS))
)


@dataclass
class DemoResult:
    path: Path
    seed: int
    groups: int
    rows: dict[str, int]
    seconds: float
    warnings: dict[str, int] = field(default_factory=dict)  # flags per rule

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in self.rows.items())
        flags = sum(self.warnings.values())
        return (
            f"Built the demo pool {self.path} (seed {self.seed}, {self.groups:,} groups) "
            f"in {self.seconds:.1f} s: {counts}; {flags:,} data-quality warnings."
        )


def build_demo(
    db: Path,
    *,
    seed: int = 1,
    groups: int = 20_000,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Write a demo pool to db (atomically: built next to it, then swapped in)."""
    db = Path(db)
    if groups < 1:
        raise ValueError(f"The demo needs at least 1 group, not {groups}.")
    if seed < 0:
        raise ValueError(f"The seed must be a whole number of 0 or more, not {seed}.")
    if db.exists() and not replace:
        raise FileExistsError(
            f"{db} already exists: pass --force to replace it, or choose another path with --db."
        )
    if db.exists() and _real_pool(db):
        raise FileExistsError(
            f"{db} is a pool of real data, not the demo: the demo is never built over it "
            "(--force replaces only a demo pool); choose another path with --db."
        )
    say = progress or (lambda message: None)
    started = perf_counter()
    tmp = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        create_pool(tmp, kind="demo")
        con = connect(tmp, read_only=False, memory_limit=BUILD_MEMORY_LIMIT)
        try:
            # a deterministic secret (the same seed, the same pool, the same perturbed figures:
            # the demo's data are fictional, its secret need not be one)
            disclosure.ensure_secret(con, secret=f"demo-{seed}")
            _fill(con, seed=seed, groups=groups, say=say)
            _network_fields(con, network.current(), seed, say)
            say("Computing data-quality warnings")
            import_id = next_import_id(con)
            warnings = refresh_warnings(con, import_id)
            rows = {table: _count(con, table) for table in DATA_TABLES}
            record_import(
                con,
                import_id,
                files=[{"name": f"demo seed={seed} groups={groups}", "sha256": "", "bytes": 0}],
                rows_added=rows,
                rows_replaced=dict.fromkeys(DATA_TABLES, 0),
                warnings=sum(warnings.values()),
                seconds=round(perf_counter() - started, 3),
            )
            rollups.build(con, say)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db)
    except BaseException:
        _remove(tmp)
        raise
    seconds = perf_counter() - started
    say(f"Done in {seconds:.1f} s")
    return DemoResult(db, seed, groups, rows, seconds, warnings)


def _real_pool(db: Path) -> bool:
    """Whether `db` is a readable pool that is not a demo (its kind in pool_meta)."""
    try:
        con = open_pool(db, read_only=True)
    except PoolError:
        return False  # (not a pool at all: --force may replace it)
    try:
        return meta(con).get("kind") != "demo"
    finally:
        con.close()


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # table from DATA_TABLES
    assert row is not None
    return int(row[0])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame whose columns are the table's, in the table's order."""
    con.register("demo_batch", frame)
    try:
        con.execute(f'INSERT INTO "{table}" SELECT * FROM demo_batch')  # table: a constant
    finally:
        con.unregister("demo_batch")


def _insert_query(
    con: duckdb.DuckDBPyConnection, query: str, frame: pd.DataFrame, params: dict[str, object]
) -> None:
    con.register("demo_batch", frame)
    try:
        con.execute(sql(query), params)
    finally:
        con.unregister("demo_batch")


def _fill(
    con: duckdb.DuckDBPyConnection, *, seed: int, groups: int, say: Callable[[str], None]
) -> None:
    projects = make_projects(np.random.default_rng([seed, 1]), groups)
    _insert(con, "exchange_rates", exchange_rates_frame())
    _insert(con, "projects", projects_frame(projects))
    active_members = np.zeros(len(projects), dtype=np.int64)
    done = 0
    for project in projects:
        for chunk, first in enumerate(range(0, project.n_groups, CHUNK_GROUPS)):
            n = min(CHUNK_GROUPS, project.n_groups - first)
            rng = np.random.default_rng([seed, 2, project.index, chunk])
            group_frame, dataset_frame, members = simulate_groups(
                project, rng, first, n, weak_trainers(project, seed)
            )
            _insert_query(con, "demo_groups", group_frame, {"project_id": project.project_id})
            _insert_query(
                con,
                "demo_datasets",
                dataset_frame,
                {"project_id": project.project_id, "youth_recorded": project.youth_recorded},
            )
            active_members[project.index] += members
            done += n
        say(f"Generated {project.project_id}: {done:,} of {groups:,} groups")
    reports = [
        project_reports_frame(p, np.random.default_rng([seed, 3, p.index]), int(m))
        for p, m in zip(projects, active_members, strict=True)
    ]
    _insert(con, "project_reports", pd.concat(reports, ignore_index=True))


# Typical levels of the shipped example fields across the demo's projects (a share of members
# or of groups); other fields get 0.25.
TYPICAL = {
    "formal_account": 0.25,
    "disability": 0.07,
    "peacebuilding": 0.3,
    "bank_linked": 0.35,
    "climate_adaptation": 0.3,
}


def _network_fields(
    con: duckdb.DuckDBPyConnection, config: network.Network, seed: int, say: Callable[[str], None]
) -> None:
    """The network's own fields (data/network.toml) with plausible values: about 7 projects in
    10 record each field; a project's level is its own, each group varies around it, and
    shares grow with the group's cycle (members open accounts as their group matures)."""
    for f in config.fields:
        say(f"Generating the network's field {f.id}")
        column = f.column  # ndf_ + an id of [a-z0-9_] (dashboard.core.network checks it)
        kind = {"count": "INTEGER", "yesno": "BOOLEAN", "amount": "DOUBLE"}.get(f.type, "VARCHAR")
        con.execute(f'ALTER TABLE {f.table} ADD COLUMN IF NOT EXISTS "{column}" {kind}')
        salt = f"{seed}/{f.id}"

        def draw(key: str, salt: str = salt) -> str:  # a number in [0, 1) from the key
            return f"(md5_number({key} || '{salt}') % 1000)::DOUBLE / 1000"

        typical = TYPICAL.get(f.id, 0.25)
        level = f"({typical} * (0.5 + {draw('project_id')}))"  # the project's own level
        group = draw("group_id || project_id")
        ramp = "least(1.0, 0.55 + 0.15 * cycle_number)" if f.level == "dataset" else "1.0"
        if f.type == "count" and f.denominator == "groups" and f.level == "group":
            value = f"CAST(round(4 * {group}) AS INTEGER)"
        elif f.type == "count" and f.denominator == "groups":  # e.g. women leaders, of 5
            value = (
                f"CAST(round(least(5.0, 5 * women / members * (0.4 + 0.8 * {group}))) AS INTEGER)"
            )
        elif f.type == "count":
            value = (
                f"CAST(round({f.denominator} * least(1.0, {level} * (0.6 + 0.8 * {group}) "
                f"* {ramp})) AS INTEGER)"
            )
        elif f.type == "yesno":
            value = f"{group} < least(0.95, 1.2 * {level} * {ramp})"
        elif f.type == "amount":
            value = f"round(members * 20 * {group}, 2)"
        else:
            choices = ", ".join("'" + c.replace("'", "''") + "'" for c in f.categories)
            value = f"[{choices}][1 + CAST(floor({group} * {len(f.categories)}) AS INTEGER)]"
        recorded = f"{draw('project_id', salt + '/recorded')} < 0.7"
        con.execute(f'UPDATE {f.table} SET "{column}" = CASE WHEN {recorded} THEN {value} END')


def exchange_rates_frame() -> pd.DataFrame:
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    return pd.DataFrame(
        [
            (currency, year, rate)
            for currency, rates in PER_USD.items()
            for year, rate in zip(years, rates, strict=True)
        ],
        columns=["currency", "year", "per_usd"],
    )


def projects_frame(projects: list[Project]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": [p.project_id for p in projects],
            "project_name": [p.project_name for p in projects],
            "organisation": [p.organisation.name for p in projects],
            "partner": [p.partner for p in projects],
            "country": [p.country.code for p in projects],
            "currency": [p.currency for p in projects],
            "start_date": [p.start_date for p in projects],
            "end_date": [p.end_date for p in projects],
            "donor": [p.donor for p in projects],
            "shared": [p.shared for p in projects],
        }
    )


def project_reports_frame(
    project: Project, rng: np.random.Generator, active_members: int
) -> pd.DataFrame:
    """Quarterly reports from the project's start to its end (or LATEST): cumulative cost
    that ends at the project's cost per member times its active members, and staff that
    grows in the first year; village agents come in as the project matures."""
    periods = quarter_ends(project.start_date, min(project.end_date or LATEST, LATEST))
    rates = rates_of(project.currency)
    members = active_members if active_members > 0 else max(project.n_groups, 1) * 22
    final = project.cost_per_member_usd * members * rates[periods[-1].year - FIRST_YEAR]
    years = np.array([(q - project.start_date).days / 365.25 for q in periods])
    spend = rng.uniform(0.7, 1.3, len(periods)) * np.clip(0.5 + years, 0.5, 1.5)
    unit = money_unit(project.currency)
    cost = np.round(final * np.cumsum(spend) / spend.sum() / unit) * unit
    officers = np.maximum(1, np.round(project.field_officers * np.minimum(1, 0.35 + 0.65 * years)))
    officers = np.where(years > 4, np.maximum(1, np.round(officers * 0.7)), officers)
    agents = np.round(project.village_agents * np.clip((years - 0.75) / 2, 0, 1))
    return pd.DataFrame(
        {
            "project_id": project.project_id,
            "period_end": periods,
            "cost_to_date": cost,
            "field_officers": officers.astype(np.int32),
            "village_agents": agents.astype(np.int32),
        }
    )


def _year_index(days: np.ndarray) -> np.ndarray:
    """Index into a PER_USD tuple of the year of each day number."""
    years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.clip(years - FIRST_YEAR, 0, LAST_YEAR - FIRST_YEAR)


def _mean_one(rng: np.random.Generator, sigma: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Log-normal factors with mean 1."""
    return rng.lognormal(-sigma * sigma / 2, sigma, size)


def _spread(rng: np.random.Generator, n: int) -> np.ndarray:
    """Degrees between a group and its project's centre (at most SPREAD_DEGREES)."""
    return np.clip(rng.normal(0.0, SPREAD_DEGREES / 2.5, n), -SPREAD_DEGREES, SPREAD_DEGREES)


# Trainers who need support (the trainer report, dashboard/analytics/trainers.py): about one in six
# of
# each project's field officers and village agents, each with one or two weaknesses that
# all its groups share, so that the report's flags fire as they would in a real programme.
WEAK_SHARE = 1 / 6
WEAKNESSES = ("attendance", "dropout", "arrears", "savings", "visits")
STALE_FROM = 330  # a trainer who stopped visiting trained its groups at least this long ago


def weak_trainers(project: Project, seed: int) -> dict[tuple[int, int], tuple[str, ...]]:
    """The project's trainers who need support, (0 field officer / 1 village agent, number)
    -> their weaknesses: drawn from a stream of their own (seed, 4, project), so that the
    rest of the pool is drawn as before."""
    rng = np.random.default_rng([seed, 4, project.index])
    every = [(0, i) for i in range(1, project.field_officers + 1)]
    every += [(1, i) for i in range(1, project.village_agents + 1)]
    n = round(len(every) * WEAK_SHARE)
    chosen = sorted(rng.choice(len(every), size=n, replace=False)) if n else []
    # a trainer who stopped visiting: only where the project is old enough to have formed
    # all that trainer's groups before (no group is formed before its project started)
    kinds = WEAKNESSES
    if day_number(project.start_date) + 30 > LATEST_DAY - STALE_FROM:
        kinds = tuple(k for k in WEAKNESSES if k != "visits")
    out = {}
    for i in chosen:
        count = 1 + int(rng.random() < 0.4)
        picked = rng.choice(len(kinds), size=count, replace=False)
        out[every[i]] = tuple(kinds[k] for k in sorted(picked))
    return out


def simulate_groups(
    project: Project,
    rng: np.random.Generator,
    first: int,
    n: int,
    weak: dict[tuple[int, int], tuple[str, ...]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """n groups of the project (numbered first + 1 ..), all their datasets, and the members
    of those groups that are active at LATEST (project reports are costed against them).
    The groups of `weak` trainers (weak_trainers) share their trainer's weaknesses; these
    change no random draw, so that every other group is as without them."""
    p = project
    start = day_number(p.start_date)
    end = day_number(p.end_date) if p.end_date else CUTOFF_DAY
    trained_until = min(end, CUTOFF_DAY)

    # --- static data -------------------------------------------------------------------
    kind = rng.choice(3, size=n, p=p.trained_share)
    span_fo = max(60, min(4 * 365, trained_until - start - 30))
    span_va = max(60, min(5 * 365, trained_until - start - 300))
    span_rep = max(60, CUTOFF_DAY - start - 500)
    formation = np.select(
        [kind == 0, kind == 1],
        [
            start + 30 + rng.beta(1.3, 2.2, n) * span_fo,
            start + 300 + rng.beta(1.5, 1.5, n) * span_va,
        ],
        start + 500 + rng.beta(1.8, 1.2, n) * span_rep,
    ).astype(np.int64)
    formation = np.minimum(formation, CUTOFF_DAY)
    order = np.argsort(formation, kind="stable")  # groups are numbered as they formed
    kind, formation = kind[order], formation[order]

    monitored_by_va = (kind == 1) | ((kind == 2) & (p.village_agents > 0))
    trainer_no = np.where(
        monitored_by_va,
        rng.integers(1, max(p.village_agents, 1) + 1, n),
        rng.integers(1, p.field_officers + 1, n),
    )
    weak = weak or {}

    def weak_in(kind_of_weakness: str) -> np.ndarray:
        """Whether each group's trainer has this weakness."""
        keys = {k for k, found in weak.items() if kind_of_weakness in found}
        return np.array(
            [
                (int(va), int(no)) in keys
                for va, no in zip(monitored_by_va, trainer_no, strict=True)
            ],
            dtype=bool,
        ).reshape(n)

    w_attendance, w_dropout, w_arrears, w_savings, w_visits = (weak_in(k) for k in WEAKNESSES)
    # a trainer who stopped visiting trained its groups before (STALE_FROM days ago)
    formation = np.where(w_visits, np.minimum(formation, LATEST_DAY - STALE_FROM), formation)
    bits = rng.random((n, len(TAGS))) < np.asarray(p.organisation.tag_probability)
    bits[:, TAGS.index("humanitarian")] |= bits[:, TAGS.index("refugee")]
    tag_mask = (bits * (1 << np.arange(len(TAGS)))).sum(axis=1)
    words = p.country.group_words
    group_frame = pd.DataFrame(
        {
            "group_no": (first + 1 + np.arange(n)).astype(np.int32),
            "name_word": pd.Categorical.from_codes(rng.integers(0, len(words), n), words),
            "name_no": rng.integers(1, 60, n).astype(np.int32),
            "formation_day": formation.astype(np.int32),
            "trained_by": pd.Categorical.from_codes(kind, TRAINED_BY),
            "trainer_kind": pd.Categorical.from_codes(
                monitored_by_va.astype(np.int8), ("FO", "VA")
            ),
            "trainer_no": trainer_no.astype(np.int32),
            "region": pd.Categorical.from_codes(rng.integers(0, len(p.regions), n), p.regions),
            "setting": pd.Categorical.from_codes(
                rng.choice(3, size=n, p=p.setting_probability), SETTINGS
            ),
            "tags": pd.Categorical.from_codes(tag_mask - 1, TAG_COMBINATIONS),
            "latitude": np.round(p.center[0] + _spread(rng, n), 4),
            "longitude": np.round(p.center[1] + _spread(rng, n), 4),
        }
    )

    # --- cycles: ~12 months each, the next starting at the share-out ---------------------
    first_cycle = formation + rng.integers(7, 43, n)
    length = rng.integers(335, 396, (n, MAX_CYCLES))
    overdue = rng.random((n, MAX_CYCLES)) < 0.003  # a few groups delay the share-out
    length[overdue] = rng.integers(560, 620, int(overdue.sum()))
    cycle_starts = first_cycle[:, None] + np.concatenate(
        [np.zeros((n, 1), dtype=np.int64), np.cumsum(length[:, :-1], axis=1)], axis=1
    )

    # some groups stop being visited (project handover, groups dissolving, lost contact)
    stops = rng.random(n) < p.stop_probability
    stop_day = formation + 200 + rng.random(n) * (LATEST_DAY + 730 - formation - 200)
    last_day = np.where(stops, np.minimum(stop_day, LATEST_DAY), LATEST_DAY).astype(np.int64)
    # ... and has not visited them for 190 to 240 days (still active: newer than 365 days)
    last_day = np.where(w_visits, np.minimum(last_day, LATEST_DAY - 190 - formation % 50), last_day)

    # --- visits: one per quarter, on a day inside it, from the first cycle on ------------
    q_first = np.searchsorted(Q_START, first_cycle, side="right") - 1
    q_last = np.searchsorted(Q_START, last_day, side="right") - 1
    visits = q_last - q_first + 1
    g = np.repeat(np.arange(n), visits)
    position = np.arange(g.size) - np.repeat(np.cumsum(visits) - visits, visits)
    quarter = q_first[g] + position
    habit = rng.integers(5, 80, n)  # each group is visited around the same week
    offset = np.clip(habit[g] + rng.integers(-8, 9, g.size), 0, Q_END[quarter] - Q_START[quarter])
    day = Q_START[quarter] + offset
    day = np.where(position == 0, np.maximum(day, first_cycle[g] + 7), day)
    keep = day <= Q_END[quarter]
    g, quarter, day = g[keep], quarter[keep], day[keep]
    in_last_quarter = np.flatnonzero(quarter == len(Q_END) - 1)
    if in_last_quarter.size:  # the pool's latest report date is LATEST exactly
        day[in_last_quarter[np.argmax(day[in_last_quarter])]] = LATEST_DAY
    m = g.size

    cycle = (cycle_starts[g] <= day[:, None]).sum(axis=1) - 1
    cycle_start = cycle_starts[g, cycle]
    days = day - cycle_start
    progress = np.minimum(days / length[g, cycle], 1.0)

    # --- membership ----------------------------------------------------------------------
    size0 = np.clip(np.rint(rng.normal(p.group_size, 4.5, n)), 10, 35)
    leave = rng.poisson(0.07 * size0[:, None], (n, MAX_CYCLES))
    crisis = rng.random((n, MAX_CYCLES)) < 0.002  # questionable: over half the group leaves
    crisis_share = rng.uniform(0.55, 0.7, (n, MAX_CYCLES))
    join = rng.poisson(0.4, (n, MAX_CYCLES))
    recruit = rng.integers(-1, 4, (n, MAX_CYCLES))  # new members join at the share-out
    at_start = np.empty((n, MAX_CYCLES), dtype=np.int64)
    at_start[:, 0] = size0
    for c in range(MAX_CYCLES):  # over cycles, vectorised over groups
        if c:
            at_start[:, c] = np.clip(
                at_start[:, c - 1] - leave[:, c - 1] + join[:, c - 1] + recruit[:, c], 8, 35
            )
        leave[:, c] = np.where(
            crisis[:, c],
            np.ceil(at_start[:, c] * crisis_share[:, c]),
            np.minimum(leave[:, c], at_start[:, c] // 2),
        )
    members_at_start = at_start[g, cycle]
    dropouts = np.floor(leave[g, cycle] * progress + rng.random((n, MAX_CYCLES))[g, cycle]).astype(
        np.int64
    )
    dropouts = np.minimum(dropouts, leave[g, cycle])
    # a weak trainer's groups lose about a fifth of their members over a cycle (at most half)
    dropouts = np.where(
        w_dropout[g],
        np.minimum(
            np.ceil(dropouts * 2 + progress * 0.16 * members_at_start), members_at_start // 2
        ),
        dropouts,
    ).astype(np.int64)
    joiners = np.minimum(
        np.floor(join[g, cycle] * progress + rng.random((n, MAX_CYCLES))[g, cycle]), join[g, cycle]
    ).astype(np.int64)
    members = np.maximum(members_at_start - dropouts + joiners, 1)

    group_type = rng.choice(4, size=n, p=p.country.women_profile)
    women_share = np.select(
        [group_type == 0, group_type == 1, group_type == 2],
        [np.ones(n), rng.uniform(0.65, 0.9, n), rng.uniform(0.4, 0.6, n)],
        rng.uniform(0.1, 0.35, n),
    )
    wobble = rng.uniform(-0.5, 0.5, (n, MAX_CYCLES)) * (women_share < 1)[:, None]
    women = np.clip(np.rint(members * women_share[g] + wobble[g, cycle]), 0, members).astype(
        np.int64
    )
    youth_share = rng.beta(4, 6, n)
    youth = np.minimum(np.rint(members * youth_share[g]), members).astype(np.int64)
    attendance = rng.beta(25 * p.attendance, 25 * (1 - p.attendance), n)
    attending = rng.binomial(members, attendance[g])
    absent = rng.random(m) < 0.0015  # questionable: very low attendance
    attending[absent] = np.floor(members[absent] * rng.uniform(0.05, 0.25, int(absent.sum())))
    # a weak trainer's groups meet with about a quarter of their members missing
    attending = np.where(w_attendance[g], np.floor(attending * 0.8), attending)

    # --- money: built in USD, recorded in local currency at the cycle's starting year ------
    rates = rates_of(p.currency)
    unit = money_unit(p.currency)
    fx = rates[_year_index(cycle_start)]

    def local(usd: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        return np.rint(usd * (fx if at is None else at) / unit) * unit

    pace = p.savings_usd_per_member_day * _mean_one(rng, 0.35, n)
    savings_usd = members * pace[g] * 1.04 ** np.minimum(cycle, 8) * days
    savings_usd *= np.clip(rng.normal(1, 0.05, m), 0.8, 1.2)
    outlier = rng.random(m) < 0.001  # questionable: savings far above the project's norm
    savings_usd[outlier] *= rng.uniform(12, 20, int(outlier.sum()))
    # a weak trainer's groups save less in the cycle they are in than in the one before
    savings_usd = np.where(
        w_savings[g] & (cycle_start > LATEST_DAY - 400), savings_usd * 0.6, savings_usd
    )

    earning = p.annual_return_on_savings * _mean_one(rng, 0.3, n)
    written_off = rng.random((n, MAX_CYCLES)) < 0.03
    write_off_usd = written_off * rng.uniform(3, 25, (n, MAX_CYCLES))
    write_off_when = rng.uniform(0.2, 0.9, (n, MAX_CYCLES))
    write_offs_usd = write_off_usd[g, cycle] * (progress >= write_off_when[g, cycle])
    profit_usd = savings_usd * earning[g] * days / 365 * np.clip(rng.normal(1, 0.08, m), 0.7, 1.3)
    profit_usd -= write_offs_usd

    social = rng.uniform(0.5, 3.0, n)
    other_funds_usd = members * social[g] * (0.5 + progress)

    # property carries from one cycle to the next, in local currency
    cycle_fx = rates[_year_index(cycle_starts)]
    owned = rng.random(n) < 0.3
    initial = np.rint(owned * rng.uniform(5, 40, n) * cycle_fx[:, 0] / unit) * unit
    bought = rng.random((n, MAX_CYCLES)) < 0.15
    purchase = np.rint(bought * rng.uniform(5, 60, (n, MAX_CYCLES)) * cycle_fx / unit) * unit
    property_start = initial[:, None] + np.concatenate(
        [np.zeros((n, 1)), np.cumsum(purchase[:, :-1], axis=1)], axis=1
    )
    bought_when = rng.uniform(0.3, 0.8, (n, MAX_CYCLES))
    property_at_start = property_start[g, cycle]
    property_now = property_at_start + purchase[g, cycle] * (progress >= bought_when[g, cycle])

    indebted = rng.random(m) < 0.03
    debts = local(indebted * rng.uniform(5, 40, m))
    savings = local(savings_usd)
    profit = local(profit_usd)
    fund = np.maximum(savings + profit + property_at_start + debts - property_now, 0)

    start_up = np.minimum(1.0, 0.4 + 6 * progress)  # first loans go out in the first weeks
    utilisation = rng.beta(12 * p.loan_fund_utilisation, 12 * (1 - p.loan_fund_utilisation), n)
    used = np.clip(utilisation[g] * rng.normal(1, 0.08, m) * start_up, 0, 0.97)
    loans_value = np.minimum(np.rint(fund * used / unit) * unit, fund)
    loan_fund_cash = fund - loans_value
    borrowers = rng.uniform(p.members_with_loans - 0.05, p.members_with_loans + 0.05, n)
    loans_count = rng.binomial(members, np.clip(borrowers[g] * start_up, 0, 1))
    loans_count = np.where(loans_value > 0, np.maximum(loans_count, 1), 0)
    late_often = rng.uniform(0.5, 1.5, n) * p.late_loan_frequency
    late_share = (rng.random(m) < late_often[g]) * rng.beta(1.2, 14, m)
    at_risk = (rng.random(m) < 0.0015) & (loans_value > 0)  # questionable: PAR over 50%
    late_share[at_risk] = rng.uniform(0.55, 0.95, int(at_risk.sum()))
    late = np.minimum(np.rint(loans_value * late_share / unit) * unit, loans_value)
    # a weak trainer's groups have 15 to 25% of their loans' value late
    behind = 0.15 + 0.1 * (day % 7) / 6
    late = np.where(
        w_arrears[g], np.minimum(np.rint(loans_value * behind / unit) * unit, loans_value), late
    )

    graduates_after = np.where(rng.random(n) < 0.7, rng.integers(1, 3, n), MAX_CYCLES)
    status = (cycle + 1 > graduates_after[g]).astype(np.int8)

    latest = np.append(g[1:] != g[:-1], True)
    active_members = int(members[latest & (day > LATEST_DAY - ACTIVE_DAYS)].sum())

    dataset_frame = pd.DataFrame(
        {
            "group_no": (first + 1 + g).astype(np.int32),
            "report_day": day.astype(np.int32),
            "cycle_number": (cycle + 1).astype(np.int32),
            "cycle_start_day": cycle_start.astype(np.int32),
            "members_at_start": members_at_start.astype(np.int32),
            "members": members.astype(np.int32),
            "women": women.astype(np.int32),
            "men": (members - women).astype(np.int32),
            "youth": youth.astype(np.int32),
            "members_attending": attending.astype(np.int32),
            "dropouts": dropouts.astype(np.int32),
            "savings": savings,
            "loans_outstanding_count": loans_count.astype(np.int32),
            "loans_outstanding_value": loans_value,
            "late_loans_balance": late,
            "write_offs": local(write_offs_usd),
            "loan_fund_cash": loan_fund_cash,
            "other_funds_cash": local(other_funds_usd),
            "property_at_start": property_at_start,
            "property_now": property_now,
            "debts": debts,
            "status": pd.Categorical.from_codes(status, STATUSES),
        }
    )
    return group_frame, dataset_frame, active_members
