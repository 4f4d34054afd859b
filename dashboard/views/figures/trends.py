"""Which quarters of a trend are steady enough to draw: a ratio's point resting on too few
active groups is left out (`steady`), and the caption's sentence says so (`thin_note`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.core.i18n import N_, _

MIN_TREND_GROUPS = 30  # a ratio's point over time resting on fewer groups is left out
THIN_POINTS = N_("Points resting on fewer than {n} active groups are left out.")


def thin_threshold(groups: pd.Series) -> int:
    """How many active groups a trend's point needs: MIN_TREND_GROUPS, or half the most a
    small selection ever had (a project of 20 groups keeps its own trend)."""
    peak = pd.to_numeric(groups, errors="coerce").max()
    if peak is None or pd.isna(peak):
        return MIN_TREND_GROUPS
    return int(min(MIN_TREND_GROUPS, max(2, peak // 2)))


ALL_POINTS = N_(
    "Every quarter is shown, those resting on few active groups included (they may swing widely)."
)


def thin_note(need: int) -> str:
    """The caption's sentence on a trend's quarters: which are left out (`need` groups at
    the least), or that all are shown (`need` 0: the link's points=all)."""
    return _(THIN_POINTS).format(n=need) if need else _(ALL_POINTS)


def steady(
    frame: pd.DataFrame, columns: Sequence[str], series: str | None = None, every: bool = False
) -> tuple[pd.DataFrame, int]:
    """A trend's rows with the ratios in `columns` blanked where they rest on too few active
    groups (thin_threshold, per `series` when given): a rate of a handful of groups in a
    project's first quarters swings wildly and squashes the years that matter. Returns the
    frame and the threshold of the whole (for the caption). With `every` (the link asks
    for every quarter), the frame as it is and a threshold of 0."""
    if every:
        return frame, 0
    if frame.empty or "groups" not in frame:
        return frame, MIN_TREND_GROUPS
    out = frame.copy()
    groups = pd.to_numeric(out["groups"], errors="coerce").fillna(0)
    if series is None:
        need = pd.Series(thin_threshold(groups), index=out.index)
    else:
        need = groups.groupby(out[series]).transform(thin_threshold)
    thin = groups < need
    for column in columns:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").mask(thin)
    return out, thin_threshold(groups)
