"""The README's deployment, whole: gunicorn (gunicorn.conf.py, VSLA_TRUSTED_PROXIES=1)
behind nginx configured by deploy/nginx.conf itself (its ports, upstream and certificate
swapped for a test's). nginx's own checks accept the file; http is sent to https; answers
carry HSTS and do not name gunicorn; the app sees https (Secure cookies) and the visitor's
address as nginx appended it, never one the visitor wrote into X-Forwarded-For; a client
that sends its head slowly waits in nginx while others are served."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.access.throttle import throttle_key
from tests.test_gunicorn import ROOT, _free_port, serving
from tests.test_signin_hosts import Browser, _NoRedirect, server_env

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # (Debian puts it in sbin)


def site_config(upstream: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with a test's ports and certificate; nothing else changed."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server 127.0.0.1:8050;": f"server 127.0.0.1:{upstream};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/vsla.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/vsla.example.org/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, old  # the file still has what the README tells to change
        text = text.replace(old, new)
    # (no IPv6 on every test machine)
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def main_config(folder: Path, site: Path) -> str:
    """A minimal nginx.conf around the site file, as Debian's includes conf.d/ in `http`."""
    temp = folder / "temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\ndaemon off;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {folder / 'access.log'};\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n"
        f"  include {site};\n"
        "}\n"
    )


@pytest.fixture(scope="module")
def deployed(hand_pool_path, hand_users_path, tmp_path_factory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=vsla.example.org",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    sessions = folder / "sessions.sqlite"
    env = server_env(hand_users_path, sessions, VSLA_TRUSTED_PROXIES="1")
    with serving(hand_pool_path, 2, env) as upstream_url:
        http_port, https_port = _free_port(), _free_port()
        site = folder / "vsla.conf"
        upstream = int(upstream_url.rsplit(":", 1)[1])
        site.write_text(site_config(upstream, http_port, https_port, cert, key))
        conf = folder / "nginx.conf"
        conf.write_text(main_config(folder, site))
        check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            yield {
                "https": f"https://127.0.0.1:{https_port}",
                "http": f"http://127.0.0.1:{http_port}",
                "https_port": https_port,
                "sessions": sessions,
            }
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def browser(url: str, forwarded: str | None = None) -> Browser:
    """A browser over https that accepts the test's own certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = Browser(url, forwarded)
    client.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(client.jar),
        _NoRedirect,
        urllib.request.HTTPSHandler(context=context),
    )
    return client


def test_http_goes_to_https(deployed):
    status, headers, _ = Browser(deployed["http"]).request("/login?next=/outreach")
    assert status == 301
    assert headers["Location"].startswith("https://")
    assert headers["Location"].endswith("/login?next=/outreach")


def test_answers_over_https_carry_hsts_and_the_app_s_headers(deployed):
    status, headers, page = browser(deployed["https"]).request("/login")
    assert status == 200
    assert "<form" in page
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "gunicorn" not in (headers.get("Server") or "")
    assert "Content-Security-Policy" in headers  # the app's own, passed through


def test_the_app_sees_https_and_the_visitor_s_address_not_a_forged_one(deployed):
    client = browser(deployed["https"], forwarded="198.51.100.77")  # the visitor's own claim
    status, _h = client.sign_in("gamma", "wrong password")
    assert status == 401
    with sqlite3.connect(deployed["sessions"]) as con:
        keys = [key for (key,) in con.execute("SELECT key FROM throttle")]
    assert keys, "the failure was counted"
    assert throttle_key("address", "198.51.100.77") not in keys
    assert throttle_key("address", "127.0.0.1") in keys  # nginx's view of the visitor
    status, headers = browser(deployed["https"]).sign_in("alpha")
    assert status == 303
    cookies = headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)  # X-Forwarded-Proto: https


def test_a_slow_client_waits_in_nginx_while_others_are_served(deployed):
    """More connections sending their heads slowly than gunicorn has threads: nginx holds
    them (and ends them with its client_header_timeout); pages are served meanwhile."""
    port = deployed["https_port"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    stop = threading.Event()
    ended: list[float] = []

    def slow() -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        with context.wrap_socket(raw, server_hostname="vsla.example.org") as sock:
            sock.settimeout(1.0)
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: vsla.example.org\r\nX-Slow: ")
            started = time.monotonic()
            while not stop.is_set():
                try:
                    if not sock.recv(1024):
                        break
                    break  # (nginx's 408 or a close: the connection ends either way)
                except TimeoutError:
                    sock.sendall(b"x")
                except OSError:
                    break
            ended.append(time.monotonic() - started)

    threads = [threading.Thread(target=slow, daemon=True) for _ in range(12)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    try:
        status, _h, page = browser(deployed["https"]).request("/login")
        assert status == 200 and "<form" in page
        assert ended == []  # every slow client still held, by nginx
    finally:
        for t in threads:
            t.join(timeout=30)
        stop.set()
    assert len(ended) == 12  # each ended by nginx's timeout, not by the test


def test_the_readme_deploys_with_the_file():
    readme = (ROOT / "README.md").read_text()
    assert "deploy/nginx.conf" in readme
    assert "VSLA_TRUSTED_PROXIES=1" in readme
