"""Users, passwords and sign-in: the user store, the CLI, throttling, server-side sessions
and the session cookie, and the secret key (gunicorn refuses to start without one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.access import users
from dashboard.access.demo_accounts import demo_username
from dashboard.access.sessions import IDLE_MINUTES, SESSION_HOURS
from dashboard.access.throttle import FORGET, MAX_DELAY, THROTTLE
from dashboard.access.users import AuthError, Throttled, User, UserStore
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path):
    return UserStore(tmp_path / "users.sqlite")


def test_users_are_added_listed_and_removed_with_hashed_passwords(store):
    store.add("kirsten", "a long password", "member", "Alpha Aid")
    store.add("root", "another password", "admin", "ignored for admins")
    assert store.users() == [
        User("root", "admin", None),
        User("kirsten", "member", "Alpha Aid"),
    ]
    import sqlite3

    stored = sqlite3.connect(store.path).execute("SELECT password_hash FROM users").fetchall()
    assert all(h.startswith("$argon2id$") for (h,) in stored)  # never the password itself
    assert store.authenticate("KIRSTEN", "a long password").username == "kirsten"
    store.set_password("kirsten", "a newer password")
    with pytest.raises(AuthError):
        store.authenticate("kirsten", "a long password")
    store.remove("kirsten")
    assert store.get("kirsten") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "organisation", "message"),
    [
        ("x", "long enough", "member", "A", "cannot be a username"),
        ("bad name", "long enough", "member", "A", "cannot be a username"),
        ("kim", "short", "member", "A", "at least 8 characters"),
        ("kim", "long enough", "member", None, "belongs to an organisation"),
        ("kim", "long enough", "owner", "A", "Role 'owner' is not known"),
    ],
)
def test_bad_users_are_refused_with_a_reason(
    store, username, password, role, organisation, message
):
    with pytest.raises(AuthError, match=message):
        store.add(username, password, role, organisation)


class Clock:
    """The user store's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(users, "_clock", clock)

    def no_sleep(_seconds: float) -> None:
        raise AssertionError("a sign-in slept, holding its worker")

    monkeypatch.setattr(users.time, "sleep", no_sleep)
    return clock


def test_failures_are_throttled_with_growing_delays_and_never_lock(store, clock):
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    free, base = THROTTLE["user-address"]
    for _ in range(free):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "wrong password", "10.0.0.1")
    delays = []
    for _ in range(4):
        with pytest.raises(Throttled) as throttled:  # even the right password waits
            store.authenticate("kim", PASSWORD, "10.0.0.1")
        delays.append(throttled.value.seconds)
        clock.now += throttled.value.seconds  # wait it out, then fail again
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "wrong again", "10.0.0.1")
    assert delays == [base * 1, base * 2, base * 4, base * 8]  # growing
    for _ in range(20):  # never more than MAX_DELAY: nobody can lock an account for long
        clock.now += MAX_DELAY
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "still wrong", "10.0.0.1")
    with pytest.raises(Throttled) as throttled:
        store.authenticate("kim", PASSWORD, "10.0.0.1")
    assert throttled.value.seconds == MAX_DELAY
    # meanwhile, the right password from an address that has not failed is checked
    assert store.authenticate("kim", PASSWORD, "10.0.0.2").username == "kim"
    clock.now += MAX_DELAY
    assert store.authenticate("kim", PASSWORD, "10.0.0.1").username == "kim"


def test_unknown_and_known_names_get_the_same_answers(store, clock):
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    answers = {}
    for name in ("kim", "nobody"):
        seen = []
        for _ in range(THROTTLE["user-address"][0] + 1):
            with pytest.raises(AuthError) as failed:
                store.authenticate(name, "wrong password", f"10.0.0.{len(answers) + 1}")
            seen.append((type(failed.value).__name__, str(failed.value)))
        answers[name] = seen
    assert answers["kim"] == answers["nobody"]
    assert answers["kim"][-1][0] == "Throttled"


def test_an_address_that_fails_for_many_names_is_throttled_but_not_for_known_devices(store, clock):
    """The address-wide count is a high backstop against clients that drop their cookies
    (a new client id each time) and try a new name each time."""
    free, _base = THROTTLE["address"]
    assert free >= 50  # high: one client behind a shared address does not lock out others
    for i in range(free):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate(f"guess{i}", "wrong password", "10.0.0.9", client=f"c{i}")
    with pytest.raises(Throttled):
        store.authenticate("another-name", "wrong password", "10.0.0.9", client="fresh")
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    with pytest.raises(Throttled):  # no device cookie: the backstop holds
        store.authenticate("kim", PASSWORD, "10.0.0.9", client="kim's")
    assert store.authenticate("kim", PASSWORD, "10.0.0.9", "kim's", device="d1").username == "kim"
    assert store.authenticate("kim", PASSWORD, "10.0.0.10").username == "kim"  # elsewhere


def test_one_client_behind_a_shared_address_does_not_lock_out_the_others(store, clock):
    """A conference's NAT: one client fails 30 times (keeping its cookie, then dropping
    it each time); another client behind the same address signs in at once."""
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    answers = []
    for i in range(30):
        with pytest.raises(AuthError) as failed:
            store.authenticate(["admin", f"guess{i}"][i % 2], "wrong", "192.0.2.1", "attacker")
        answers.append(type(failed.value))
    assert answers.count(Throttled) >= 30 - THROTTLE["client"][0]  # it is held up
    for i in range(30):  # a new client id each time: each new name is checked
        with pytest.raises(AuthError, match="not right"):
            store.authenticate(f"other{i}", "wrong", "192.0.2.1", client=f"dropped{i}")
    assert store.authenticate("kim", PASSWORD, "192.0.2.1", client="kim's").username == "kim"


def test_a_user_kept_under_attack_signs_in_from_a_clean_address_or_a_known_device(store, clock):
    """One guess per delay at admin from the attacker's addresses (a new client id each
    time) keeps admin's counts high; the attacker stays held up, while admin's right
    password from an address with no failures, or from a browser with admin's device
    cookie (even at the attacker's address), is checked and accepted."""
    store.add("root", PASSWORD, "admin", None)
    clients = iter(range(1000))  # the attacker's: a new client id for every guess
    for i in range(THROTTLE["user"][0]):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("root", f"guess {i}", "198.51.100.7", f"a{next(clients)}")
    with pytest.raises(AuthError, match="not right"):  # another of its addresses fails
        store.authenticate("someone", "guess", "198.51.100.8", f"a{next(clients)}")
    delays = []
    for i in range(9):
        # the attacker's next guess at once, from either address: refused, unchecked
        for address in ("198.51.100.8", "198.51.100.7"):
            with pytest.raises(Throttled) as throttled:
                store.authenticate("root", PASSWORD, address, f"a{next(clients)}")
        delays.append(throttled.value.seconds)
        # admin, meanwhile: from an address with no failures, and with the device cookie
        # of a browser admin signed in with before, even at the attacker's address
        assert store.authenticate("root", PASSWORD, f"192.0.2.{i + 1}", "laptop")
        assert store.authenticate("root", PASSWORD, "198.51.100.7", "phone", device="d1")
        clock.now += throttled.value.seconds  # the attacker waits out the delay
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("root", f"guess {i}", "198.51.100.7", f"a{next(clients)}")
    assert delays == sorted(delays) and delays[-1] == MAX_DELAY  # growing, to 5 minutes


def test_a_device_cookie_is_throttled_by_its_own_failures(store, clock):
    """A stolen device cookie gets no more than a few guesses, with growing delays."""
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    free, base = THROTTLE["device"]
    for i in range(free):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "wrong", f"203.0.113.{i}", client=f"x{i}", device="d")
    with pytest.raises(Throttled) as throttled:
        store.authenticate("kim", PASSWORD, "203.0.113.99", client="y", device="d")
    assert throttled.value.seconds == base


def test_concurrent_guesses_cannot_slip_past_the_count(store, clock):
    """Twelve guesses at once from one client: each is counted before its password is
    checked, in one transaction with the check, so only the free ones are checked."""
    from concurrent.futures import ThreadPoolExecutor

    store.add("kim", PASSWORD, "member", "Alpha Aid")

    def guess(i: int) -> str:
        try:
            store.authenticate("kim", f"wrong {i}", "10.1.1.1", client="one")
        except AuthError as exc:
            return type(exc).__name__
        return "signed in"

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(guess, range(12)))
    assert answers.count("AuthError") == THROTTLE["user-address"][0]
    assert answers.count("Throttled") == 12 - THROTTLE["user-address"][0]


def test_an_ipv6_client_is_counted_by_its_64(store, clock):
    for i in range(THROTTLE["user-address"][0]):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "wrong", f"2001:db8:1:2::{i + 1}")
    with pytest.raises(Throttled):  # another address of the same /64
        store.authenticate("kim", "wrong", "2001:db8:1:2:ffff::9")
    with pytest.raises(AuthError, match="not right"):  # another /64
        store.authenticate("kim", "wrong", "2001:db8:1:3::1")


def test_an_unknown_name_costs_what_a_wrong_password_costs(store, monkeypatch):
    """A wrong password for a real name used to take 80-190 ms and for an unknown name 18
    ms (the dummy hash was never verified). Now both verify exactly one Argon2 hash of the
    same parameters: the same work, so the same time (checked as work, not as a stopwatch,
    which a busy machine makes noisy; make bench can time it)."""
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    verified: list[str] = []
    real = users._verify

    def counting(stored: str, password: str) -> bool:
        verified.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users, "_verify", counting)
    for i, name in enumerate(("kim", "nobody-here", "Kim ", "x" * 200)):
        verified.clear()
        with pytest.raises(AuthError, match="not right"):
            store.authenticate(name, "wrong password", f"10.9.0.{i + 1}")
        assert len(verified) == 1, name
        params = verified[0].rsplit("$", 2)[0]  # $argon2id$v=19$m=19456,t=2,p=1
        assert params == "$argon2id$v=19$m=19456,t=2,p=1", name


def test_failures_are_forgotten_after_an_hour(store, clock):
    for _ in range(THROTTLE["user-address"][0]):
        with pytest.raises(AuthError, match="not right"):
            store.authenticate("kim", "wrong password", "10.0.0.1")
    clock.now += FORGET + 1
    with pytest.raises(AuthError, match="not right"):  # not throttled
        store.authenticate("kim", "wrong password", "10.0.0.1")


def test_the_command_line_manages_users(tmp_path, hand_pool_path):
    env = dict(os.environ, VSLA_USERS=str(tmp_path / "u.sqlite"), VSLA_DB=str(hand_pool_path))
    vsla = [str(Path(sys.executable).with_name("vsla")), "user"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*vsla, *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
        )

    added = run("add", "kim", "--organisation", "Alpha Aid", stdin="a long password\n")
    assert added.returncode == 0 and "Added kim (member, Alpha Aid)" in added.stdout
    typo = run("add", "lee", "--organisation", "Alfa Aid", stdin="a long password\n")
    assert typo.returncode == 1 and "No organisation 'Alfa Aid'" in typo.stderr
    assert "kim" in run("list").stdout
    assert run("passwd", "kim", stdin="another password\n").returncode == 0
    assert UserStore(tmp_path / "u.sqlite").authenticate("kim", "another password")
    role = run("role", "kim", "--role", "admin")
    assert role.returncode == 0 and "kim is now admin; their sessions ended." in role.stdout
    assert UserStore(tmp_path / "u.sqlite").get("kim").role == "admin"
    assert "Ended 0 sessions of kim." in run("signout", "kim").stdout
    assert run("remove", "kim").returncode == 0
    gone = run("remove", "kim")
    assert gone.returncode == 1 and "There is no user 'kim'" in gone.stderr


def test_the_session_cookie_is_http_only_and_same_site(hand_app):
    client = hand_app.server.test_client()
    response = login(client, "alpha")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    cookie = cookies["vsla_session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    device = cookies["vsla_device"]  # only for the sign-in form, never sent cross-site
    assert "HttpOnly" in device and "SameSite=Strict" in device and "Path=/login" in device
    secure = hand_app.server.test_client()
    page = secure.get("/login", base_url="https://dash.example.org").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = secure.post(
        "/login",
        data={"username": "alpha", "password": PASSWORD, "csrf": token},
        base_url="https://dash.example.org",
    )
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))  # over HTTPS


def test_sign_in_needs_the_form_token_and_a_right_password(hand_app):
    client = hand_app.server.test_client()
    forged = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert forged.status_code == 400  # no token from our own form
    wrong = login(client, "admin", "not the password")
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    away = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert 'name="next" value="/"' in away  # only paths of this site


def test_gunicorn_refuses_to_start_without_a_secret_key(hand_pool_path):
    env = {k: v for k, v in os.environ.items() if k != "VSLA_SECRET_KEY"}
    env["VSLA_DB"] = str(hand_pool_path)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "app:server", "-w", "1", "-b", "127.0.0.1:0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Cannot serve the dashboard: VSLA_SECRET_KEY is not set" in result.stderr


def test_the_demo_pool_lists_its_accounts_and_they_sign_in(tmp_path, monkeypatch):
    from dashboard.analytics import datasource
    from dashboard.demo.build import build_demo
    from dashboard.pool import db
    from dashboard.web.server import create_app

    pool = build_demo(tmp_path / "pool.duckdb", seed=5, groups=300).path
    monkeypatch.setenv("VSLA_DB", str(pool))
    monkeypatch.delenv("VSLA_USERS")  # the store beside the pool
    db.reset()
    datasource.clear_cache()
    try:
        app = create_app()
        page = app.server.test_client().get("/login").get_data(as_text=True)
        assert "Demo accounts" in page and "demo-admin" in page
        organisations = datasource.all_facts().organisations
        name = demo_username(organisations[0])
        client = app.server.test_client()
        assert login(client, name, f"demo-{name}").status_code == 303
        assert (tmp_path / "users.sqlite").exists()
    finally:
        db.reset()


def test_a_pool_that_is_not_the_demo_lists_no_accounts(hand_app):
    page = hand_app.server.test_client().get("/login").get_data(as_text=True)
    assert "Demo accounts" not in page and "demo-admin" not in page


def test_guessing_passwords_over_http_is_throttled_with_the_same_page(hand_app, hand_users_path):
    import re

    store = UserStore(hand_users_path)
    store.add("target", PASSWORD, "member", "Alpha Aid")
    try:
        pages = {}
        for name in ("target", "no-such-user"):
            for _ in range(THROTTLE["user-address"][0]):
                assert login(hand_app.server.test_client(), name, "guess-guess").status_code == 401
            throttled = login(hand_app.server.test_client(), name, PASSWORD)
            assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
            text = throttled.get_data(as_text=True)
            pages[name] = re.sub(r'name="csrf" value="[^"]+"', "", text.replace(name, "NAME"))
            assert "Too many failed sign-ins; try again in" in text
        assert pages["target"] == pages["no-such-user"]  # nothing tells names apart
        assert "locked" not in pages["target"]
    finally:
        store.remove("target")


# --- Sessions that end ---------------------------------------------------------------------


def signed_in_client(app, username="alpha"):
    client = app.server.test_client()
    assert login(client, username).status_code == 303
    return client


def viewer_of(client, app) -> str:
    """The role the server gives the client's cookie (guest, member or admin)."""
    from tests.dash_client import call

    result = call(client, app, "account.children", {"url.pathname": "/"})
    return "guest" if "Guest" in str(result) else "signed in"


def copy_cookie(client, app):
    """A second client holding a copy of `client`'s session cookie (as a thief would)."""
    copy = app.server.test_client()
    cookie = client.get_cookie("vsla_session")
    copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
    return copy


def sign_out(client) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf": token}).status_code == 303


def test_a_cookie_saved_before_signing_out_no_longer_signs_in(hand_app):
    client = signed_in_client(hand_app)
    saved = copy_cookie(client, hand_app)
    assert viewer_of(saved, hand_app) == "signed in"
    sign_out(client)
    assert viewer_of(client, hand_app) == "guest"
    assert viewer_of(saved, hand_app) == "guest"  # the copy ended with the session


@pytest.mark.parametrize("change", ["passwd", "remove", "role", "signout"])
def test_changing_a_user_ends_their_sessions(hand_app, hand_users_path, change):
    store = UserStore(hand_users_path)
    store.add("temp", PASSWORD, "member", "Alpha Aid")
    try:
        client = signed_in_client(hand_app, "temp")
        assert viewer_of(client, hand_app) == "signed in"
        if change == "passwd":
            store.set_password("temp", "a new long password")
        elif change == "remove":
            store.remove("temp")
        elif change == "role":
            store.set_role("temp", "admin", None)
        else:
            assert store.sign_out_everywhere("temp") == 1
        assert viewer_of(client, hand_app) == "guest"
    finally:
        if store.get("temp"):
            store.remove("temp")


def test_a_session_ends_after_its_lifetime_however_busy(hand_app, clock):
    client = signed_in_client(hand_app)
    for _ in range(SESSION_HOURS * 2 - 1):  # a request every half hour: never idle
        clock.now += 1800
        assert viewer_of(client, hand_app) == "signed in"
    clock.now += 1801  # 12 hours and a second since signing in
    assert viewer_of(client, hand_app) == "guest"


def test_a_session_ends_when_idle(hand_app, clock):
    client = signed_in_client(hand_app)
    clock.now += IDLE_MINUTES * 60 - 5
    assert viewer_of(client, hand_app) == "signed in"  # and noted as used now
    clock.now += IDLE_MINUTES * 60 - 5
    assert viewer_of(client, hand_app) == "signed in"
    clock.now += IDLE_MINUTES * 60 + 5
    assert viewer_of(client, hand_app) == "guest"


def test_requests_do_not_extend_the_cookie(hand_app):
    client = signed_in_client(hand_app)
    response = client.get("/")
    assert "vsla_session" not in (response.headers.get("Set-Cookie") or "")


@pytest.mark.parametrize("change", ["passwd", "role", "signout", "remove"])
def test_a_user_store_copied_from_elsewhere_ends_the_changed_user_s_sessions(tmp_path, change):
    """Several hosts, users managed in one place: each host keeps its own sessions
    (sessions.sqlite) and receives the user store as a copy. When the copy brings a user's
    new password, role or session version, or no longer has the user, that user's sessions
    on the host end; other users' go on."""
    import shutil

    host = UserStore(tmp_path / "host" / "users.sqlite")
    host.add("kim", PASSWORD, "member", "Alpha Aid")
    host.add("lee", PASSWORD, "member", "Beta Relief")
    kim, lee = host.start_session("kim"), host.start_session("lee")
    assert host.session_user(kim).username == "kim"
    (tmp_path / "office").mkdir()
    shutil.copyfile(host.path, tmp_path / "office" / "users.sqlite")  # where users are managed
    office = UserStore(tmp_path / "office" / "users.sqlite")
    if change == "passwd":
        office.set_password("kim", "a brand new password")
    elif change == "role":
        office.set_role("kim", "admin", None)
    elif change == "signout":
        office.sign_out_everywhere("kim")
    else:
        office.remove("kim")
    shutil.copyfile(office.path, host.path)  # the copy arrives at the host
    assert host.session_user(kim) is None
    assert host.session_user(lee).username == "lee"
