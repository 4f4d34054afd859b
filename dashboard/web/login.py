"""Logging in and out on the web: the session, the login page and the current viewer.

The session lives on the server (dashboard.access.sessions: a session table beside the user
store, or Redis; dashboard.access.users decides whether it is alive); Flask's signed cookie
(HttpOnly, SameSite=Lax, Secure when the request came over HTTPS) holds only its random id.
Each request looks the session up, so a session ends for every copy of the cookie at
sign-out, at its absolute lifetime or idle timeout, and when its user is removed or changed.
The secret key comes from $VSLA_SECRET_KEY; serving with gunicorn refuses to start without
one, `vsla serve` (local use) makes one up.

Sign-in throttling (dashboard.access.throttle) knows each browser by two things this module
gives it: a random client id, made with the sign-in form's CSRF token and kept in the
session cookie, and a device cookie (`vsla_device`: the username and a random id, signed
with the secret key, HttpOnly, SameSite=Strict, for the sign-in path only, DEVICE_DAYS
long), given at each successful sign-in; with it, that browser is held up only by its own
failures for that username, not by anyone else's guesses. The client's address is
request.remote_addr: the socket's peer, or the client's as the trusted proxies report it
(VSLA_TRUSTED_PROXIES, applied by dashboard.web.server).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadData, URLSafeTimedSerializer

from dashboard.access.demo_accounts import DEMO_ADMIN_WHO, demo_accounts, public_demo_password
from dashboard.access.sessions import SESSION_HOURS, StoreUnavailable
from dashboard.access.users import AuthError, Throttled, User, UserStore
from dashboard.core import i18n
from dashboard.core.i18n import _
from dashboard.exports import templating
from dashboard.web import site

SECRET_ENV = "VSLA_SECRET_KEY"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
DEVICE_COOKIE = "vsla_device"
DEVICE_DAYS = 90

log = logging.getLogger(__name__)


class MissingSecretKey(RuntimeError):
    pass


def secret_key(allow_generated: bool) -> str:
    key = os.environ.get(SECRET_ENV, "").strip()
    if key:
        if len(key) < 32:
            raise MissingSecretKey(
                f"{SECRET_ENV} is too short: use at least 32 random characters, e.g. the "
                'output of: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return key
    if allow_generated:
        return secrets.token_urlsafe(48)  # sessions end when the process does
    raise MissingSecretKey(
        f"{SECRET_ENV} is not set. The dashboard signs its login sessions with it: set it to a "
        'long random value (python -c "import secrets; print(secrets.token_urlsafe(48))") '
        "in the environment of every gunicorn worker, the same for all of them."
    )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure when the request came over HTTPS."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or flask.request.is_secure


def configure(server: flask.Flask, allow_generated_key: bool) -> None:
    server.secret_key = secret_key(allow_generated_key)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="vsla_session",
        # the cookie lasts as long as a session can; requests do not extend it (the server
        # ends the session itself: dashboard.access.users)
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.session_interface = SessionInterface()
    _routes(server)


def csrf_token() -> str:
    token = flask.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        flask.session["csrf"] = token
    client_id()  # (made with the form's token: the sign-in that follows has one)
    return token


def client_id() -> str:
    """This browser's random client id (in its session cookie; made when missing)."""
    client = flask.session.get("client")
    if not isinstance(client, str):
        client = secrets.token_urlsafe(18)
        flask.session["client"] = client
    return client


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(flask.current_app.secret_key or "", salt="vsla-device")


def _device_for(username: str) -> str:
    """The id of the browser's device cookie if it is valid (signed by us, not older than
    DEVICE_DAYS) and names `username`, else ''."""
    token = flask.request.cookies.get(DEVICE_COOKIE)
    if not token:
        return ""
    try:
        name, device = _devices().loads(token, max_age=DEVICE_DAYS * 86400)
    except (BadData, TypeError, ValueError):
        return ""
    if not (isinstance(name, str) and isinstance(device, str)):
        return ""
    return device if name == username.strip().lower() else ""


def _give_device_cookie(response: flask.Response, username: str) -> None:
    """A new device cookie for the user who has just signed in (a new id each time)."""
    token = _devices().dumps([username.lower(), secrets.token_urlsafe(18)])
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_DAYS * 86400,
        path=LOGIN_PATH,
        secure=bool(flask.current_app.config.get("SESSION_COOKIE_SECURE"))
        or flask.request.is_secure,
        httponly=True,
        samesite="Strict",
    )


def _not_now(username: str, next_path: str) -> flask.Response:
    """The answer while the shared session store cannot be reached (503: nothing was
    checked)."""
    message = _("Signing in is not possible just now; please try again in a minute.")
    page = flask.make_response(_login_form(message, username, next_path), 503)
    page.headers["Retry-After"] = "60"
    return page


def _csrf_ok(form_token: str | None) -> bool:
    token = flask.session.get("csrf")
    return (
        isinstance(token, str)
        and isinstance(form_token, str)
        and hmac.compare_digest(token, form_token)
    )


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no other host, no scheme-relative //)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _demo_accounts() -> dict[str, Any] | None:
    """The demo pool's accounts, for the sign-in page to list (None for any other pool)."""
    from dashboard.analytics import datasource

    try:
        facts = datasource.all_facts()
    except Exception:  # no pool yet: nothing to list
        return None
    if facts.kind != "demo":
        return None
    return {
        "heading": _("Demo accounts"),
        "intro": _(
            "This is the demo pool (fictional organisations). Try each view: the admin sees "
            "everything; an organisation sees its own projects in full and the others' shared "
            "projects."
        ),
        "sees_as": _("Sees as"),
        # the admin's "network admin" is words; an organisation's name is data
        "accounts": [
            (u, p, _(who) if who == DEMO_ADMIN_WHO else who)
            for u, p, who in demo_accounts(facts.organisations)
        ],
    }


def _public_demo_sign_in(store: UserStore, user: User, password: str) -> bool:
    """A demo account signing in with its public password when the pool is not the demo:
    refused, and the account removed (an import of real data, or the server's start,
    removes such accounts; one may come back in a user store shared with a demo)."""
    public = public_demo_password(user)
    if public is None or not hmac.compare_digest(public.encode(), password.encode()):
        return False
    from dashboard.analytics import datasource

    try:
        if datasource.all_facts().kind == "demo":
            return False
    except Exception:  # no pool: nothing to show, and no demo either
        pass
    with contextlib.suppress(AuthError):
        store.remove(user.username)
    return True


def _login_form(error: str = "", username: str = "", next_path: str = "/") -> str:
    """The sign-in page (dashboard/templates/login.html), with `error` said above the form
    and the `username` typed kept in it."""
    lang = i18n.current()
    return templating.render(
        "login.html",
        lang=i18n.DEFAULT if lang == i18n.PSEUDO else lang,  # as the dashboard's pages
        description=site.description(),
        words={
            "sign_in": _("Sign in"),
            "network": _("Savings groups network"),
            "lead": _(
                "Organisations see their own projects in full and the projects others share. "
                "Without signing in you see the shared data only, as aggregates."
            ),
            "username": _("Username"),
            "password": _("Password"),
            "guest": _("Continue as guest"),
        },
        error=error,
        action=f"{LOGIN_PATH}?lang={lang}",
        csrf=csrf_token(),
        next_path=next_path,
        username=username,
        home=_home(),
        demo=_demo_accounts(),
    )


def _home() -> str:
    """The overview, in the language the request's link named (if it named one)."""
    lang = i18n.explicit(flask.request)
    return f"/?lang={lang}" if lang else "/"


def _routes(server: flask.Flask) -> None:
    @server.route(LOGIN_PATH, methods=["GET", "POST"])
    def login() -> Any:
        if flask.request.method == "GET":
            next_path = _safe_next(flask.request.args.get("next"))
            return _login_form(next_path=next_path)
        form = flask.request.form
        next_path = _safe_next(form.get("next"))
        username = (form.get("username") or "").strip()
        if not _csrf_ok(form.get("csrf")):
            return _login_form(_("The form had expired: please sign in again."), username), 400
        store = UserStore()
        client = client_id()
        try:
            user = store.authenticate(
                username,
                form.get("password") or "",
                address=flask.request.remote_addr or "",
                client=client,
                device=_device_for(username),
            )
        except StoreUnavailable as exc:
            log.warning("Sign-in refused: %s", exc)
            return _not_now(username, next_path)
        except Throttled as exc:
            page = flask.make_response(_login_form(str(exc), username, next_path), 429)
            page.headers["Retry-After"] = str(exc.seconds)
            return page
        except AuthError as exc:
            return _login_form(str(exc), username, next_path), 401
        if _public_demo_sign_in(store, user, form.get("password") or ""):
            return _login_form(
                _("The username or password is not right."), username, next_path
            ), 401
        try:
            sid = store.start_session(user.username)
        except StoreUnavailable as exc:
            log.warning("Sign-in refused: %s", exc)
            return _not_now(username, next_path)
        flask.session.clear()  # a new session for the new user (no fixation)
        flask.session.permanent = True
        flask.session["sid"] = sid
        flask.session["client"] = client
        # The sign-out form's token, made now: made later, concurrent callbacks of the first
        # page could each make one and the cookie would keep only the last.
        flask.session["csrf"] = secrets.token_urlsafe(24)
        response = flask.redirect(next_path, code=303)
        _give_device_cookie(response, user.username)
        return response

    @server.route(LOGOUT_PATH, methods=["POST"])
    def logout() -> Any:
        if not _csrf_ok(flask.request.form.get("csrf")):
            return flask.redirect(_home(), code=303)
        sid = flask.session.get("sid")
        if isinstance(sid, str):
            try:
                UserStore().end_session(sid)  # every copy of the cookie ends with it
            except StoreUnavailable as exc:  # (this cookie is cleared all the same)
                log.warning("A session could not be ended: %s", exc)
        flask.session.clear()
        return flask.redirect(_home(), code=303)
