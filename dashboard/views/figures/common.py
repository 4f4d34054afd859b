"""What every figure shares: its layout (`_base`), numbers and dates on its axes and in its
hovers in the language's format, and the figure drawn in place of one: `empty` (nothing to
draw for these filters) and `not_drawn`.

A figure function never fails its page (`drawn`): a chart that cannot be drawn from its data
says so in its own card, and in its files, while the page's other charts are drawn.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import i18n, theme
from dashboard.core.format import money, number, percent, plotly_format, plotly_separators
from dashboard.core.i18n import N_, _

theme.register()
log = logging.getLogger(__name__)


# Marked for the catalogs; translated where shown (`empty` and its callers).
EMPTY_MESSAGE = N_("No active group matches these filters.")
EMPTY_HINT = N_("Widen or reset the filters.")
NOT_DRAWN = N_("This chart could not be drawn.")
NOT_DRAWN_HINT = N_("The reason is in the server's log.")
NOT_DRAWN_NAME = "not-drawn"  # the name of its message (an annotation): tests find it so


def _currency_first() -> bool:
    """Whether the language writes the currency code before an amount (USD 21.60) or after it
    (21,60 USD), as dashboard.core.format.money does."""
    return money(1, "USD").startswith("USD")


def _with_currency(amount: str, currency: str) -> str:
    """A plotly number template with its currency code, in the language's order."""
    return f"{currency} {amount}" if _currency_first() else f"{amount}\u00a0{currency}"


def _hover_date(axis: str = "x") -> str:
    """A plotly hover template of a date on `axis`, written as dashboard.core.format.date_text
    writes dates (30 Sep 2025, 30.09.2025, 30/09/2025); plotly names the months."""
    locale = i18n.babel_locale()
    fmt = "%d %b %Y" if locale == "en" else "%d.%m.%Y" if locale == "da" else "%d/%m/%Y"
    return "%{" + axis + "|" + fmt + "}"


def _percent(amount: str) -> str:
    """A plotly template of a number of per cent with the language's % sign (45%, 45 %)."""
    return percent(1.0).replace(number(100), amount)


def _label_value(label: str, value: str) -> str:
    """The label, a colon and the value, in the language's punctuation (French: "a : b")."""
    return _("{label}: {value}").format(label=label, value=value)


# Tick formats: as many decimals as the ticks' step needs and no more (a tall file's axis
# steps by 0.5%: "3.5%", not "4%, 4%, 3%, 3%"; whole steps keep "4%", "20 USD").
TICK_FORMATS = {"pct": ".2~%", "usd": ",.2~f", "int": "~s", "decimal": ",.2~f"}


# A count axis (groups, members) whose top is below this steps by one: plotly would step by
# a half, and "~s" writes 0.5 as "500m" (half a group).
WHOLE_STEPS_BELOW = 6


def count_ticks(top: float | None) -> dict[str, object]:
    """A count axis' tick format ("~s": 1.5k, 2M), stepping by whole numbers where the top of
    its values (`top`) is small."""
    axis: dict[str, object] = {"tickformat": TICK_FORMATS["int"]}
    if top is not None and math.isfinite(top) and top < WHOLE_STEPS_BELOW:
        axis.update(tick0=0, dtick=1)
    return axis


def _axis_format(kind: str, currency: str, top: float | None = None) -> dict[str, object]:
    """An axis' number format for an indicator format kind; a count's (`int`) steps by
    whole numbers where `top`, the top of its values, is small (count_ticks)."""
    if kind == "int":
        return count_ticks(top)
    axis: dict[str, object] = {"tickformat": TICK_FORMATS.get(kind, plotly_format(kind))}
    if kind == "usd" and _currency_first():
        axis["tickprefix"] = f"{currency} "
    elif kind == "usd":
        axis["ticksuffix"] = f"\u00a0{currency}"
    return axis


def _hover(kind: str, currency: str) -> str:
    """A hovertemplate number of full precision for an indicator format."""
    if kind == "pct":
        return "%{y:.1%}"
    if kind == "usd":
        return _with_currency("%{y:,.2f}", currency)
    if kind == "int":
        return "%{y:,.0f}"
    return "%{y:,.2f}"


SMALL_CELLS = N_("Not shown: fewer than 5 groups of other organisations")


def _nothing_to_draw(frame: pd.DataFrame, value: str) -> bool:
    """No row, or every value blank (small cells of other organisations)."""
    return frame.empty or value not in frame or frame[value].isna().all()


def empty(message: str | None = None, hint: str | None = None) -> go.Figure:
    """A figure that says why it has nothing to draw: `message` (default EMPTY_MESSAGE) and
    `hint` (default EMPTY_HINT); callers pass them translated."""
    message = _(EMPTY_MESSAGE) if message is None else message
    hint = _(EMPTY_HINT) if hint is None else hint
    fig = go.Figure()
    fig.add_annotation(
        text=f"<b>{message}</b><br>{hint}",
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 15, "color": theme.MUTED},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def not_drawn() -> go.Figure:
    """What a chart shows in place of a figure that could not be drawn (`drawn`)."""
    fig = empty(_(NOT_DRAWN), _(NOT_DRAWN_HINT))
    fig.layout.annotations[0].name = NOT_DRAWN_NAME
    return fig


Drawing = TypeVar("Drawing", bound=Callable[..., go.Figure])


def drawn(function: Drawing) -> Drawing:
    """A figure function that never fails its page: whatever raises while the figure is made
    (data it cannot show: values no axis holds, a pool's absurd figures) is logged with its
    reason, and the figure returned says that the chart could not be drawn (`not_drawn`),
    so that the page's other charts, tiles and tables are drawn, and the chart's slide and
    files say so too. The function's own body is `__wrapped__`, looked up at each call."""

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> go.Figure:
        try:
            return draw.__wrapped__(*args, **kwargs)  # type: ignore[attr-defined]
        except Exception:
            log.exception("A chart could not be drawn (figures.%s)", function.__name__)
            return not_drawn()

    return cast(Drawing, draw)


def _base(fig: go.Figure, **layout: object) -> go.Figure:
    settings: dict[str, object] = {
        "margin": {"l": 10, "r": 20, "t": 20, "b": 10},
        "hovermode": "closest",
        "showlegend": False,
        "separators": plotly_separators(),  # the language's decimal mark and thousands
    }
    fig.update_layout(**(settings | layout))
    return fig
