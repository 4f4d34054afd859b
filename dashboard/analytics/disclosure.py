"""Disclosure control: what others may infer of an organisation's groups from what they see.

The protections below apply to whatever a viewer sees of *other* organisations' groups (a
guest: every group; a member: the projects other organisations share). A viewer's own
organisation and the network's administrators see exact figures. They follow what
statistical offices do for flexible table builders: the Australian Bureau of Statistics'
TableBuilder and the UK's ONS (the cell-key method), and the US Census Bureau's Quarterly
Workforce Indicators (permanent noise of each contributor).

1. **Small cells** (datasource.protect): a figure resting on 1 to 4 of others' groups is
   not shown, with complementary suppression inside a breakdown; where others' groups could
   be in a view, a view with none of them reads the same ("fewer than 5 groups").
2. **Permanent noise of each group** (queries/grouped.sql): each measure of each group
   (members, women, savings, ...) carries a fixed noise of 10 to 20 % of its value, up or
   down, drawn once from the group's seed for that measure. Every cell's sum moves by the sum
   of its groups' noises, so whichever views an analyst sets side by side, subtracts or
   averages, what a single group contributes comes out as its own value moved by 10 to 20 %:
   never closer. Without it, the many pairs of views that differ by one group (a project with
   and without another, at each of a hundred other choices) each give that group's figure
   under independent noise, and their average converges on it.
3. **The cell key** (ABS, ONS): a cell's sum moves further by a small noise drawn from its
   key, a fixed function of the groups in it, so that no difference of two cells is ever a
   group's figure (even moved by its permanent noise: the two noises differ by a class
   modulo 3 units, below). The same cell always shows the same figure, in every worker and
   after every restart, until an import changes its groups; and the same sum is one draw
   wherever it is shown: the members of a table and those behind cost per member, the
   groups of a count and of a chart's bars are the same number.
4. **Coarse bounds** (`coarse_bounds`): the share-of-women bounds of a view holding others'
   groups are rounded to steps of 5 percentage points (and the panel's "under 75 %"), so
   that a sweep of the bounds cannot find one group's share.
5. **Spreads** (datasource.distribution): a box across groups is drawn over 30 or more of
   others' groups, from each group's value moved by its own permanent noise of 10 to 20 %.

How the noise is made (this module; the queries call it as the DuckDB functions that
`define` registers, vsla_perturb, vsla_sum and vsla_groups; the network's own indicators
are perturbed in Python as their rows arrive, by `network`):

- each group has a fixed random number, 128 bits of MD5 of the pool's secret and the
  group's ids (queries/group_hash.sql; the secret is made when the pool is created and lives
  in its pool_meta): 32 bits are its key, the rest the seeds of its permanent noise;
- a group's permanent noise of a measure x is x times FACTORS[v], v four bits of its seed
  (each measure its own bits): +-10.6 % to +-19.4 %; a cell's noise P is the sum over its
  groups, which the rollup cubes hold as one more sum per measure (<measure>_eta);
- a cell's key is the sum of its groups' keys; a sum x of a cell of n groups is shown as
  x + unit (F + 3H): F = +1 for an even n, -1 for an odd one; H = round((P + d x max(mean,
  3 units)) / 3 units), d drawn from the cell's key and the measure (two bytes of a BLAKE2b
  hash) in +-[0.1, 0.2], mean = x / n. The unit is 1 for counts (members, women, ...) and
  USD 0.02 for money. Two cells that differ by exactly one group have n of different parity,
  so their figures differ by the group's x plus or minus 2 units plus a multiple of 3 units:
  never by x. No difference of two cells is ever exactly a group's members, women or
  savings, and no figure is ever exactly its sum. Over many such pairs the +-2 averages out
  (an analyst cannot tell a cell's parity: its number of groups is perturbed too), and the
  cell key's draw, the size of a group's permanent noise, averages out fast, so an average
  converges on the group's value moved by its permanent noise;
- zero stays zero; a part equal to its whole (women = members in a women-only cell) stays
  equal to the shown whole, so shares of 0 % and 100 % stay exact; any other part stays
  between 0 and its shown whole, in its class modulo 3 units where there is room;
- the number of groups moves by F or by -2F (one or two groups; a difference of one group
  never reads 1);
- project costs, staff and the distinct counts (organisations, countries, projects) are
  project facts, not group data, and are not perturbed; the members and groups behind the
  cost indicators are, as the same draws as every other count of those groups.

Size: a cell's permanent noise has a standard deviation of about 15 % of the root of the
sum of its groups' squared values (for n groups of one size, 15 % / sqrt(n) of the total:
1.5 % for 100 groups, 0.15 % for 10,000), and the cell key adds at most 0.2 of the cell's
mean per group plus 2.5 units. `tests/test_disclosure.py` measures both on the demo pool,
and the README gives the figures.

What it does not cover: an analyst learns a single group's figures moved by 10 to 20 % (a
group of 20 members reads as 22 to 24, or 16 to 18), which is what the method allows by
design; the existence of a group with a given attribute where a cell holds a member's own
groups beside fewer than 5 of others' (the own figures are shown exactly).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Mapping
from typing import Any

import duckdb

from dashboard.core.i18n import N_
from dashboard.core.measures import NOISY, SUMMED
from dashboard.pool.files import SECRET_KEY, new_secret

# Where it applies, a caption says so (translated where shown).
NOTE = N_(
    "Figures for other organisations' groups are slightly perturbed to protect individual groups."
)

# Where a spread across groups holds others' groups (the performance page's boxes).
SPREAD_NOTE = N_(
    "A box with other organisations' groups is drawn only over 30 or more of them, each moved "
    "by 10 to 20 %."
)

COUNT, MONEY = 1.0, 0.02  # the units of the noise: people (or days, loans), and USD
LEAST_MEAN = 3  # units: the mean per group the cell key's noise is scaled to, at least
DRAW = (0.1, 0.2)  # the cell key's draw, as a share of that mean (the permanent noise's size)

# The groups' permanent noise (queries/noise_factors.sql computes the same): a draw v of 4
# bits moves a measure by FACTORS[v] of its value, 10.6 % to 19.4 %, up for v < 8.
FACTORS: tuple[float, ...] = tuple(
    (1 - 2 * (v // 8)) * (0.10625 + 0.0125 * (v % 8)) for v in range(16)
)
PERMANENT = (0.10, 0.20)  # the permanent noise's size, as a share of a group's value

# A box across groups (the performance page's spreads) with other organisations' groups is
# drawn over at least this many of them, from their values moved by their permanent noise.
SPREAD_GROUPS = 30

# The share-of-women bounds of a view holding others' groups: steps of 5 percentage points,
# and the filter panel's "under 75 %" (mixed groups) as it is.
BOUND_STEP = 0.05
BOUND_PRESETS: tuple[float, ...] = (0.749,)


# The sums of indicator_tail.sql that are perturbed (dashboard.core.measures.SUMMED, in the order
# they are worked out: a whole before its parts): name, unit, lowest value (None: none, e.g. a
# profit), the whole it is a part of, and whether it carries the groups' permanent noise
# (<name>_eta; not a count of groups: a group is in a cell or not).
MEASURES: tuple[tuple[str, float, float | None, str | None, bool], ...] = tuple(
    (m.name, COUNT if m.count else MONEY, m.lo, m.whole, m.permanent) for m in SUMMED
)


def ensure_secret(con: duckdb.DuckDBPyConnection, secret: str | None = None) -> None:
    """Give the pool open on `con` (writable) its secret if it has none (pools made before
    the cell-key method get one at their next import or `vsla rollups`); with `secret`,
    set that one (the demo pool's comes from its seed)."""
    if secret is not None:
        con.execute("INSERT OR REPLACE INTO pool_meta VALUES (?, ?)", [SECRET_KEY, secret])
        return
    row = con.execute("SELECT 1 FROM pool_meta WHERE key = ?", [SECRET_KEY]).fetchone()
    if row is None:
        con.execute("INSERT INTO pool_meta VALUES (?, ?)", [SECRET_KEY, new_secret()])


# --- Coarse bounds ---------------------------------------------------------------------------


def coarse_bound(value: float | None) -> float | None:
    """A share-of-women bound on the grid of a view holding others' groups: the nearest
    multiple of 5 percentage points, unless it is one of BOUND_PRESETS (the panel's "under
    75 %": no group of 100 members or fewer has a share from 74.9 % to 75 %, so it tells
    no more than the grid)."""
    if value is None or value in BOUND_PRESETS:
        return value
    return round(round(value / BOUND_STEP) * BOUND_STEP, 2)


# --- The noise -------------------------------------------------------------------------------


# The draws a cell may need of a sum or count with a fixed name, each from its own two bytes
# of one hash of the cell's key (those of other names, e.g. a network indicator's, from a
# hash of their own).
DRAWN: tuple[str, ...] = ("groups", *(name for name, *_ in MEASURES))
_POSITION = {name: i for i, name in enumerate(DRAWN)}


class Cell:
    """A cell of n groups with key `key`: its F and its draws (each from -0.2 to -0.1 or
    from 0.1 to 0.2, from two bytes of a BLAKE2b hash of the key, one for each thing
    drawn, so that the same sum of the same groups is the same draw wherever it is
    shown)."""

    def __init__(self, n: int, key: object) -> None:
        self.n = n
        self.f = 1 if n % 2 == 0 else -1
        self._key = str(key)
        self._digest: bytes | None = None

    def _bytes(self, measure: str) -> bytes:
        at = _POSITION.get(measure)
        if at is None:
            return hashlib.blake2b(f"{self._key}/{measure}".encode(), digest_size=2).digest()
        if self._digest is None:
            self._digest = hashlib.blake2b(self._key.encode(), digest_size=64).digest()
        return self._digest[2 * at : 2 * at + 2]

    def draw(self, measure: str) -> float:
        u = int.from_bytes(self._bytes(measure), "big") / 65536
        low, high = DRAW
        if u < 0.5:
            return -(low + (high - low) * 2 * u)
        return low + (high - low) * 2 * (u - 0.5)

    def sum(
        self,
        measure: str,
        x: float | None,
        unit: float = COUNT,
        lo: float | None = 0,
        whole: float | None = None,
        whole_noisy: float | None = None,
        eta: float | None = None,
    ) -> float | None:
        """A sum x of the cell, perturbed (see the module's docstring); `eta`: the sum of
        its groups' permanent noises of this measure. A sum that is not a finite number (a
        pool's books beyond any double, a rate of 1e-300) is shown as it is: no noise can
        move it, and the pages write it n/a."""
        if x is None or x == 0 or not self.n or not math.isfinite(x):
            return x
        if eta is not None and not math.isfinite(eta):
            eta = None
        if whole_noisy is not None and not math.isfinite(whole_noisy):
            whole_noisy = None  # (no bound to keep it under)
        if whole is not None and x == whole:
            return whole_noisy
        f, step = self.f, 3 * unit
        keyed = max(abs(x) / self.n, LEAST_MEAN * unit) * self.draw(measure)
        h = round(((eta or 0.0) + keyed) / step)
        if lo is not None:
            h = max(h, math.ceil((lo - x - unit * f) / step))
        if whole_noisy is not None:
            h = min(h, math.floor((whole_noisy - x - unit * f) / step))
        value = x + unit * (f + 3 * h)
        if lo is not None:
            value = max(value, lo)
        if whole_noisy is not None:
            value = min(value, whole_noisy)
        return value

    def groups(self, n: int | None = None) -> int | None:
        """A number of groups (the cell's own, or `n` of them: those of the cell that record
        something), perturbed: n + F or n - 2F by the draw's sign, at least 1."""
        n = self.n if n is None else n
        if not n:
            return n
        f = 1 if n % 2 == 0 else -1
        return max(1, n + (f if self.draw("groups") < 0 else -2 * f))


def perturb(
    n: int,
    key: object,
    sums: Mapping[str, float | None],
    etas: Mapping[str, float | None] | None = None,
) -> dict[str, float | None]:
    """Every sum of MEASURES of a cell of n groups, and its number of groups, perturbed;
    `etas`: the sums of the groups' permanent noises (by measure)."""
    cell = Cell(n, key)
    etas = etas or {}
    out: dict[str, float | None] = {"groups": cell.groups()}
    true: dict[str, float | None] = {"groups": n}
    for name, unit, lo, whole, _permanent in MEASURES:
        true[name] = sums.get(name)
        out[name] = cell.sum(
            name,
            true[name],
            unit,
            lo,
            true[whole] if whole else None,
            out[whole] if whole else None,
            etas.get(name),
        )
    return out


def network(
    name: str,
    kind: str,
    per: str | None,
    n: int,
    key: object,
    numerator: float | None,
    denominator: float | None,
    numerator_eta: float | None = None,
    denominator_eta: float | None = None,
) -> dict[str, float | None]:
    """The network indicator `name`'s numerator and denominator over the n groups that
    record it (key: theirs), perturbed: the denominator as the same draw as that count
    elsewhere (the groups, or their members, women, men or youth), then the numerator
    (money; or a part of the denominator where it counts the same people or groups)."""
    cell = Cell(n, key)
    if kind in ("yesno", "category") or per == "groups":
        noisy_d = cell.groups(int(denominator)) if denominator else denominator
    else:
        noisy_d = cell.sum(per or "members", denominator, eta=denominator_eta)
    if kind == "amount":
        noisy_n = cell.sum(name, numerator, MONEY, None, eta=numerator_eta)
    elif kind in ("yesno", "category"):
        noisy_n = cell.sum(name, numerator, COUNT, 0, denominator, noisy_d)
    elif per != "groups":
        noisy_n = cell.sum(name, numerator, COUNT, 0, denominator, noisy_d, numerator_eta)
    else:
        noisy_n = cell.sum(name, numerator, eta=numerator_eta)
    return {"numerator": noisy_n, "denominator": noisy_d}


# --- In the queries ------------------------------------------------------------------------

_SUMS = "STRUCT(" + ", ".join(f"{name} DOUBLE" for name, *_ in MEASURES) + ")"
_ETAS = "STRUCT(" + ", ".join(f"{name} DOUBLE" for name in NOISY) + ")"
_PERTURBED = "STRUCT(groups BIGINT, " + _SUMS.removeprefix("STRUCT(")
_defining = threading.Lock()


def _perturb_udf(
    n: int, key: str, sums: Mapping[str, float | None], etas: Mapping[str, float | None]
) -> dict[str, Any]:
    return perturb(n, key, sums, etas)


def _sum_udf(n: int, key: str, name: str, x: float | None, eta: float | None) -> float | None:
    return Cell(n, key).sum(name, x, eta=eta)


def _groups_udf(n: int, key: str) -> int | None:
    return Cell(n, key).groups()


def _functions() -> list[tuple[str, Any, list[str], str]]:
    return [
        # (groups, cell key, {sum: value}, {sum: permanent noise}) -> {groups, sum: value}
        ("vsla_perturb", _perturb_udf, ["BIGINT", "VARCHAR", _SUMS, _ETAS], _PERTURBED),
        # (groups, cell key, measure name, count, its permanent noise) -> the count perturbed
        ("vsla_sum", _sum_udf, ["BIGINT", "VARCHAR", "VARCHAR", "DOUBLE", "DOUBLE"], "DOUBLE"),
        # (groups, cell key) -> the number of groups perturbed
        ("vsla_groups", _groups_udf, ["BIGINT", "VARCHAR"], "BIGINT"),
    ]


PLAIN = ("perturbation=perturbation_none", "measure_etas=measure_etas_none")


def swaps(foreign: tuple[str, ...] | None) -> tuple[str, ...]:
    """The query swaps for a viewer whose others' projects are `foreign`: none (the queries
    perturb the cells that hold those projects' groups), or, when there are none (an
    administrator, the command line), PLAIN: the sums as they are, with no work for it."""
    return () if foreign else PLAIN


def define(con: duckdb.DuckDBPyConnection) -> None:
    """Register the noise as DuckDB functions on the database `con` (a connection or a
    cursor) belongs to: once per database instance, shared by its cursors; later calls
    find them there (cheap)."""
    with _defining:
        for name, function, parameters, result in _functions():
            try:
                con.create_function(
                    name,
                    function,
                    parameters,
                    result,
                    null_handling="special",
                    side_effects=False,
                )
            except duckdb.CatalogException as exc:  # registered already on this database
                if "already exists" not in str(exc):
                    raise
