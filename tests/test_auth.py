"""Users, passwords and sign-in: the user store, the CLI, lockout, the session cookie and
the secret key (gunicorn refuses to start without one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import auth
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path):
    return auth.UserStore(tmp_path / "users.sqlite")


def test_users_are_added_listed_and_removed_with_hashed_passwords(store):
    store.add("kirsten", "a long password", "member", "Alpha Aid")
    store.add("root", "another password", "admin", "ignored for admins")
    assert store.users() == [
        auth.User("root", "admin", None),
        auth.User("kirsten", "member", "Alpha Aid"),
    ]
    import sqlite3

    stored = sqlite3.connect(store.path).execute("SELECT password_hash FROM users").fetchall()
    assert all(h.startswith("$argon2id$") for (h,) in stored)  # never the password itself
    assert store.authenticate("KIRSTEN", "a long password").username == "kirsten"
    store.set_password("kirsten", "a newer password")
    with pytest.raises(auth.AuthError):
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
    with pytest.raises(auth.AuthError, match=message):
        store.add(username, password, role, organisation)


def test_repeated_failures_lock_the_account_for_a_while(store, monkeypatch):
    store.add("kim", PASSWORD, "member", "Alpha Aid")
    waits: list[float] = []
    monkeypatch.setattr(auth.time, "sleep", waits.append)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="not right"):
            store.authenticate("kim", "wrong password")
    assert len(waits) == auth.MAX_FAILURES  # every failure was slowed
    with pytest.raises(auth.AuthError, match="locked"):
        store.authenticate("kim", PASSWORD)  # even the right password, while locked
    # An unknown name gets the same answer as a wrong password.
    with pytest.raises(auth.AuthError, match="The username or password is not right"):
        store.authenticate("nobody", PASSWORD)
    store.set_password("kim", "a fresh password")  # an admin's reset unlocks
    assert store.authenticate("kim", "a fresh password").username == "kim"


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
    assert auth.UserStore(tmp_path / "u.sqlite").authenticate("kim", "another password")
    assert run("remove", "kim").returncode == 0
    gone = run("remove", "kim")
    assert gone.returncode == 1 and "There is no user 'kim'" in gone.stderr


def test_the_session_cookie_is_http_only_and_same_site(hand_app):
    client = hand_app.server.test_client()
    response = login(client, "alpha")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = hand_app.server.test_client()
    page = secure.get("/login", base_url="https://dash.example.org").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = secure.post(
        "/login",
        data={"username": "alpha", "password": PASSWORD, "csrf": token},
        base_url="https://dash.example.org",
    )
    assert "Secure" in response.headers["Set-Cookie"]  # over HTTPS, Secure too


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
    from dashboard import datasource, db
    from dashboard.demo import build_demo
    from dashboard.server import create_app

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
        name = auth.demo_username(organisations[0])
        client = app.server.test_client()
        assert login(client, name, f"demo-{name}").status_code == 303
        assert (tmp_path / "users.sqlite").exists()
    finally:
        db.reset()


def test_a_pool_that_is_not_the_demo_lists_no_accounts(hand_app):
    page = hand_app.server.test_client().get("/login").get_data(as_text=True)
    assert "Demo accounts" not in page and "demo-admin" not in page


def test_guessing_passwords_over_http_locks_the_account(hand_app, hand_users_path):
    store = auth.UserStore(hand_users_path)
    store.add("target", PASSWORD, "member", "Alpha Aid")
    try:
        client = hand_app.server.test_client()
        for _ in range(auth.MAX_FAILURES):
            assert login(client, "target", "guess-guess").status_code == 401
        locked = login(client, "target", PASSWORD)
        assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    finally:
        store.remove("target")
