"""A page's data calls run at the same time (dashboard.analytics.datasource.together, issue 20):
each in
the caller's request, so with the caller's viewer, scope and language, never a guest's or
another's; a failure reaches the caller; calls inside calls do not wait on each other."""

from __future__ import annotations

import threading
import time

import flask
import pandas as pd
import pytest

from dashboard.access.policy import GUEST, Viewer
from dashboard.access.viewer import acting_as
from dashboard.analytics import datasource
from dashboard.core import i18n
from dashboard.core.filters import Filters

MEMBER = Viewer("member", "North Aid", "north")


def test_every_call_sees_the_request_s_viewer_and_language(sharing_app):
    seen: list[tuple[object, str, str]] = []
    lock = threading.Lock()

    def look() -> None:
        time.sleep(0.05)  # (so that the calls overlap)
        with lock:
            seen.append((datasource.viewer(), i18n.current(), threading.current_thread().name))

    with sharing_app.server.test_request_context("/?lang=da"):
        flask.g.vsla_viewer = MEMBER  # (as the session would have it)
        flask.g.lang = "da"
        datasource.together(look, look, look, look)
    assert len(seen) == 4
    assert {(who, lang) for who, lang, _thread in seen} == {(MEMBER, "da")}
    assert len({thread for *_rest, thread in seen}) > 1  # not one after another in one thread


def test_a_member_s_figures_are_the_same_together_as_one_after_another(sharing_app):
    """The member's scope (its own and the shared projects, others' groups perturbed) holds
    in the threads: the rows computed together are those computed in the request alone."""
    wide = Filters()
    with sharing_app.server.test_request_context("/"):
        flask.g.vsla_viewer = MEMBER
        datasource.clear_cache()
        datasource.together(
            lambda: datasource.indicators(wide, "organisation"),
            lambda: datasource.indicators(wide, over_time=True),
        )
        together = (
            datasource.indicators(wide, "organisation"),
            datasource.indicators(wide, over_time=True),
        )
        datasource.clear_cache()
        alone = (
            datasource.indicators(wide, "organisation"),
            datasource.indicators(wide, over_time=True),
        )
    for a, b in zip(together, alone, strict=True):
        pd.testing.assert_frame_equal(a, b)
    by_org = together[0].set_index("organisation")
    assert by_org.loc["North Aid", "members"] > 0  # its own: shown
    assert pd.isna(by_org.loc["East Fund", "members"])  # another's small cell: suppressed


def test_outside_a_request_the_calls_act_as_the_caller(sharing_app):
    seen = []
    with acting_as(MEMBER):
        datasource.together(lambda: seen.append(datasource.viewer()), lambda: seen.append(
            datasource.viewer()))  # fmt: skip
    assert seen == [MEMBER, MEMBER]
    seen.clear()
    datasource.together(lambda: seen.append(datasource.viewer()), lambda: seen.append(
        datasource.viewer()))  # fmt: skip
    assert seen == [GUEST, GUEST]  # nobody set: a guest, never more


def test_a_failing_call_fails_the_caller_after_the_others_are_done(sharing_app):
    done = []

    def slow() -> None:
        time.sleep(0.1)
        done.append("slow")

    def broken() -> None:
        raise ValueError("no such view")

    with pytest.raises(ValueError, match="no such view"):
        datasource.together(slow, broken, slow)
    assert done == ["slow", "slow"]


def test_calls_within_calls_do_not_wait_for_each_other():
    """Every thread busy with a call that itself asks for calls together: those run one
    after another in its thread (had they waited for a free thread, none would come)."""
    count = []
    lock = threading.Lock()

    def inner() -> None:
        with lock:
            count.append(1)

    def outer() -> None:
        time.sleep(0.02)
        datasource.together(inner, inner, inner)

    worker = threading.Thread(target=lambda: datasource.together(*[outer] * 8), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert len(count) == 24
