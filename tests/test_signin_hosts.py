"""Sign-in behind a proxy and on more than one host, against real gunicorn servers (and a
real redis-server on loopback): one client behind a shared address cannot lock out the
others, a user under attack still signs in, X-Forwarded-For counts only from trusted
proxies, and two hosts on one Redis share sessions and throttles (no sticky sessions)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import redis

from dashboard.access import users
from dashboard.access.sessions import (
    IDLE_MINUTES,
    REDIS_PREFIX,
    RedisState,
    create_session_tables,
)
from dashboard.access.throttle import THROTTLE, throttle_key
from dashboard.access.users import AuthError, UserStore
from tests.conftest import PASSWORD, SECRET, login
from tests.dash_client import request_body
from tests.test_cache import free_port
from tests.test_gunicorn import serving


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server of its own, on loopback, persisting nothing."""
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: scripts/ensure-system.sh installs it"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def account_body(hand_pool_path: Path, hand_users_path: Path) -> bytes:
    """The browser's request for the account corner (it names who is signed in)."""
    from dashboard.pool import db
    from dashboard.web.server import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VSLA_DB", str(hand_pool_path))
        mp.setenv("VSLA_SECRET_KEY", SECRET)
        mp.setenv("VSLA_USERS", str(hand_users_path))
        body = request_body(create_app(), "account.children", {"url.pathname": "/"})
        db.reset()
    return json.dumps(body).encode()


def server_env(hand_users_path: Path, sessions: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VSLA_")}
    return dict(
        env,
        VSLA_SECRET_KEY=SECRET,
        VSLA_USERS=str(hand_users_path),
        VSLA_SESSIONS=str(sessions),  # (this server's own, when no Redis is set)
        **settings,
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # (a 303 is an answer to look at)


class Browser:
    """A browser with its own cookies, behind a proxy that reports it as `forwarded`
    (an X-Forwarded-For header on every request; None: no header)."""

    def __init__(self, url: str, forwarded: str | None = None) -> None:
        self.url = url
        self.forwarded = forwarded
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, path: str, data: bytes | None = None, **headers: str) -> tuple[int, Any, str]:
        if self.forwarded is not None:
            headers["X-Forwarded-For"] = self.forwarded
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def token(self) -> str:
        status, _h, page = self.request("/login")
        assert status == 200
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def sign_in(self, username: str, password: str = PASSWORD, **headers: str) -> tuple[int, Any]:
        form = {"username": username, "password": password, "csrf": self.token(), "next": "/"}
        status, response_headers, _page = self.request(
            "/login", urlencode(form).encode(), **headers
        )
        return status, response_headers

    def sign_out(self) -> None:
        status, _h, _p = self.request("/logout", urlencode({"csrf": self.token()}).encode())
        assert status == 303

    def viewer(self, account_body: bytes) -> str:
        """Who the server says is signed in: a username, or guest."""
        status, _h, body = self.request(
            "/_dash-update-component", account_body, **{"Content-Type": "application/json"}
        )
        assert status == 200, body[:300]
        if "Guest" in body:
            return "guest"
        for name in ("admin", "alpha", "beta"):
            if name in body:
                return name
        raise AssertionError(body[:300])

    def copy(self) -> Browser:
        """Another browser holding copies of this one's cookies (as a thief would)."""
        other = Browser(self.url, self.forwarded)
        for cookie in self.jar:
            other.jar.set_cookie(cookie)
        return other


def refused(status: int, headers: Any) -> bool:
    """A throttled answer: 429 with a Retry-After of whole seconds."""
    return status == 429 and int(headers["Retry-After"]) >= 1


@pytest.fixture(scope="module")
def proxy_server(hand_pool_path, hand_users_path, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """gunicorn told that one proxy stands in front of it (VSLA_TRUSTED_PROXIES=1), and its
    sessions file."""
    sessions = tmp_path_factory.mktemp("proxy") / "sessions.sqlite"
    env = server_env(hand_users_path, sessions, VSLA_TRUSTED_PROXIES="1")
    with serving(hand_pool_path, 2, env) as url:
        yield url, sessions


@pytest.fixture
def behind_proxy(proxy_server) -> str:
    """The server behind a proxy, with no failed sign-ins from the tests before."""
    import sqlite3

    url, sessions = proxy_server
    con = sqlite3.connect(sessions)
    create_session_tables(con)  # (made at the first sign-in otherwise)
    with con:
        con.execute("DELETE FROM throttle")
    con.close()
    return url


def test_thirty_failures_from_one_client_behind_a_proxy_do_not_lock_out_another(
    behind_proxy, account_body
):
    nat = "198.51.100.30"  # a conference's Wi-Fi: everyone comes through this address
    attacker = Browser(behind_proxy, nat)
    free, base = THROTTLE["client"]
    checked = []  # (sent, answered) of each attempt whose password was checked
    for i in range(30):  # one client, keeping its cookies
        sent = time.monotonic()
        status, headers = attacker.sign_in(["beta", f"guess{i}"][i % 2], f"wrong {i}")
        assert status == 401 or refused(status, headers), status
        if status == 401:
            checked.append((sent, time.monotonic()))
    # It is held up itself: beyond its free failures, a password is checked only once the
    # delay since its last failure has passed (doubling each time). On a busy machine the
    # delays pass while requests wait, so the count of refusals is not fixed; the delays are
    # (the server counted the last failure after its request was sent and checks this one
    # before its answer arrives: the time between those bounds what it saw).
    assert len(checked) < 30
    for k in range(free, len(checked)):
        delay = base * 2 ** (k - free)
        assert checked[k][1] - checked[k - 1][0] >= delay - 0.05, (k, delay, checked)
    for i in range(30):  # the same, dropping its cookies each time: each new name checked
        status, _h = Browser(behind_proxy, nat).sign_in(f"other{i}", "wrong")
        assert status == 401
    neighbour = Browser(behind_proxy, nat)  # another visitor behind the same address
    status, _h = neighbour.sign_in("alpha")
    assert status == 303
    assert neighbour.viewer(account_body) == "alpha"


def test_a_user_under_attack_signs_in_from_a_clean_address_and_a_known_device(
    behind_proxy, account_body
):
    attacker_address = "203.0.113.66"
    laptop = Browser(behind_proxy, "192.0.2.51")  # admin signed in here before the attack
    assert laptop.sign_in("admin")[0] == 303
    laptop.sign_out()

    def guess(i: int) -> tuple[int, Any]:  # a new client (no cookies) for every guess
        return Browser(behind_proxy, attacker_address).sign_in("admin", f"guess {i}")

    for i in range(THROTTLE["user"][0]):
        assert guess(i)[0] == 401
    waits = []
    for i in range(2):  # one guess per delay: it waits out each, then guesses again
        status, headers = guess(100 + i)
        assert refused(status, headers)  # the attacker is stopped, the password unchecked
        waits.append(int(headers["Retry-After"]))
        deadline = time.monotonic() + waits[-1] + 30
        while (status := guess(200 + i)[0]) == 429:  # (until the delay has passed)
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert status == 401
    assert waits[1] > waits[0]  # growing
    # admin: from an address with no failures, then from the known laptop carried to the
    # attacker's own address; the attacker's next guess is still refused
    assert Browser(behind_proxy, "192.0.2.77").sign_in("admin")[0] == 303
    laptop.forwarded = attacker_address
    assert laptop.sign_in("admin")[0] == 303
    assert laptop.viewer(account_body) == "admin"
    assert refused(*guess(300))
    # another user's device cookie, or a forged one, does not exempt anyone from admin's
    alpha_device = Browser(behind_proxy, "192.0.2.52")
    assert alpha_device.sign_in("alpha")[0] == 303
    alpha_device.forwarded = attacker_address
    assert refused(*alpha_device.sign_in("admin"))
    forged = Browser(behind_proxy, attacker_address)
    for cookie in laptop.jar:
        if cookie.name == "vsla_device":
            cookie.value = cookie.value[:-3] + "AAA"
            forged.jar.set_cookie(cookie)
    assert refused(*forged.sign_in("admin"))


def test_forwarded_addresses_are_the_trusted_proxy_s_and_spoofing_one_does_not_help(
    behind_proxy,
):
    """The address is the one the (one) trusted proxy appended; an address the client puts
    in front of it is ignored, so rotating it escapes nothing. (alpha: no other test of
    this server fails for it, and its count from anywhere applies at an address that
    failed.)"""
    for i in range(THROTTLE["user-address"][0]):
        client = Browser(behind_proxy, f"10.0.{i}.1, 198.51.100.40")
        assert client.sign_in("alpha", "wrong")[0] == 401
    assert refused(*Browser(behind_proxy, "10.9.9.9, 198.51.100.40").sign_in("alpha"))
    # alpha from another address (the same socket, 127.0.0.1: the proxy's) is checked
    status, headers = Browser(behind_proxy, "198.51.100.41").sign_in(
        "alpha", **{"X-Forwarded-Proto": "https"}
    )
    assert status == 303
    assert all("Secure" in c for c in headers.get_all("Set-Cookie"))  # the proxy's https


def test_x_forwarded_for_is_ignored_without_trusted_proxies(
    hand_pool_path, hand_users_path, tmp_path
):
    env = server_env(hand_users_path, tmp_path / "sessions.sqlite")  # VSLA_TRUSTED_PROXIES=0
    with serving(hand_pool_path, 1, env) as url:
        for i in range(THROTTLE["user-address"][0]):  # a new forged address each time
            assert Browser(url, f"198.51.100.{i + 1}").sign_in("beta", "wrong")[0] == 401
        # all of them came from the socket's address: beta is throttled there
        assert refused(*Browser(url, "192.0.2.200").sign_in("beta"))


def test_two_hosts_on_one_redis_share_sessions_and_throttles(
    hand_pool_path, hand_users_path, tmp_path, redis_url, account_body
):
    shared = redis.Redis.from_url(redis_url)
    shared.flushdb()
    hosts = []
    with (
        serving(hand_pool_path, 1, server_env(
            hand_users_path, tmp_path / "a" / "sessions.sqlite", VSLA_CACHE_URL=redis_url
        )) as a,
        serving(hand_pool_path, 1, server_env(
            hand_users_path, tmp_path / "b" / "sessions.sqlite", VSLA_CACHE_URL=redis_url
        )) as b,
    ):  # fmt: skip
        hosts = [a, b]
        browser = Browser(a)
        assert browser.sign_in("alpha")[0] == 303
        assert browser.viewer(account_body) == "alpha"
        browser.url = b  # the load balancer sends the next request to the other host
        assert browser.viewer(account_body) == "alpha"
        assert shared.keys(REDIS_PREFIX + "session:*")
        saved = browser.copy()  # a copy of the cookie, kept
        browser.sign_out()  # on B
        saved.url = a
        assert saved.viewer(account_body) == "guest"  # the session ended on A too
        # a throttle earned on A holds on B
        for _ in range(THROTTLE["user-address"][0]):
            assert Browser(a).sign_in("beta", "wrong")[0] == 401
        assert refused(*Browser(b).sign_in("beta"))
    assert len(hosts) == 2
    for host in ("a", "b"):  # nothing of it in a host's own file
        assert not (tmp_path / host / "sessions.sqlite").exists()


# --- The shared store itself -----------------------------------------------------------------


@pytest.fixture
def redis_store(redis_url, tmp_path, monkeypatch) -> UserStore:
    monkeypatch.setenv("VSLA_SESSIONS_URL", redis_url)
    redis.Redis.from_url(redis_url).flushdb()
    store = UserStore(tmp_path / "users.sqlite")
    assert isinstance(store.state, RedisState)
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    return store


def test_concurrent_guesses_cannot_slip_past_the_count_in_redis(redis_store):
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> str:
        try:
            redis_store.authenticate("kim", f"wrong {i}", "10.1.1.1", client="one")
        except AuthError as exc:
            return type(exc).__name__
        return "signed in"

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(guess, range(12)))
    assert answers.count("AuthError") == THROTTLE["user-address"][0]
    assert answers.count("Throttled") == 12 - THROTTLE["user-address"][0]
    # a right password elsewhere takes its own attempt back: the counts are as they were
    key = throttle_key("user", "kim")
    before = redis.Redis.from_url(redis_store.state.url).hget(
        REDIS_PREFIX + "throttle:" + key, "failures"
    )
    assert redis_store.authenticate("kim", PASSWORD, "10.2.2.2", client="two")
    after = redis.Redis.from_url(redis_store.state.url).hget(
        REDIS_PREFIX + "throttle:" + key, "failures"
    )
    assert before == after == b"4"


def test_sessions_in_redis_end_as_they_do_in_sqlite(redis_store, monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(users, "_clock", lambda: now[0])
    sid = redis_store.start_session("kim")
    other = redis_store.start_session("kim")
    assert redis_store.session_user(sid).username == "kim"
    now[0] += IDLE_MINUTES * 60 + 1
    assert redis_store.session_user(sid) is None  # idle
    redis_store.end_session(other)
    assert redis_store.session_user(other) is None
    third = redis_store.start_session("kim")
    assert redis_store.sign_out_everywhere("kim") == 1  # (the live one)
    assert redis_store.session_user(third) is None
    ttl = redis.Redis.from_url(redis_store.state.url).ttl(REDIS_PREFIX + "session:x")
    assert ttl == -2  # (none left behind)


def test_without_the_shared_store_signing_in_is_refused_and_pages_serve_guests(
    hand_app, monkeypatch
):
    client = hand_app.server.test_client()
    assert login(client, "alpha").status_code == 303
    monkeypatch.setenv("VSLA_SESSIONS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody
    refused = login(hand_app.server.test_client(), "alpha")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert "not possible just now" in refused.get_data(as_text=True)
    from tests.test_auth import viewer_of

    assert viewer_of(client, hand_app) == "guest"  # served as a guest's, not an error
    monkeypatch.delenv("VSLA_SESSIONS_URL")
    assert viewer_of(client, hand_app) == "signed in"  # the cookie was kept
