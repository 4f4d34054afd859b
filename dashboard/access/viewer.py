"""Who is looking: the viewer of the current request, from its server-side session
(dashboard.web.login keeps the session; dashboard.access.users the users), or, outside a request,
the viewer a caller names on purpose (acting_as), else a guest. What each viewer may see is
dashboard.access.policy's.

Below the query layer and the pages alike: it imports neither.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import flask

from dashboard.access.policy import GUEST, Viewer
from dashboard.access.sessions import StoreUnavailable
from dashboard.access.users import UserStore

log = logging.getLogger(__name__)

# Who is looking outside a web request: nobody, unless a caller says so on purpose
# (acting_as). Fail closed: code that runs without a request and without a viewer sees what
# a guest sees.
_acting: ContextVar[Viewer | None] = ContextVar("vsla_acting", default=None)


@contextmanager
def acting_as(viewer: Viewer) -> Iterator[Viewer]:
    """Run the block, outside a web request, as `viewer` (the command line and the scripts
    pass the administrator; a warm-up, a guest). Inside a request the session decides."""
    token = _acting.set(viewer)
    try:
        yield viewer
    finally:
        _acting.reset(token)


def current_viewer() -> Viewer:
    """The viewer of the current request, from the server-side session; outside a request,
    the viewer a caller set with acting_as, else a guest (never more than a guest by
    default)."""
    if not flask.has_request_context():
        return _acting.get() or GUEST
    cached = flask.g.get("vsla_viewer")
    if cached is not None:
        return cached
    viewer = GUEST
    sid = flask.session.get("sid")
    if isinstance(sid, str):
        try:
            user = UserStore().session_user(sid)
        except StoreUnavailable as exc:  # a guest for now; the cookie is kept
            log.warning("%s: the request is served as a guest's", exc)
            flask.g.vsla_viewer = GUEST
            return GUEST
        if user is not None:
            viewer = Viewer(user.role, user.organisation, user.username)
        else:
            flask.session.pop("sid", None)  # ended: signed out, expired, or the user changed
    elif "user" in flask.session:  # a cookie of the sessions before server-side ones
        flask.session.pop("user", None)
    flask.g.vsla_viewer = viewer
    return viewer
