"""Slow clients against real gunicorn as deployed (gunicorn.conf.py: dashboard.web.serving's
threaded worker, two workers of four threads). Issue 27: two connections that sent their
headers slowly made the sync server unavailable; with plain gthread, as many as it has
threads do. Here more slow connections than the server has threads, of every kind (a head
sent a byte at a time, a small body that stops, a large body that stops, a kept-alive
connection whose next request crawls), and a visitor is answered while they are all still
open; each is then closed (or its body cut short with a 400), and no worker dies."""

from __future__ import annotations

import http.client
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard.web import serving as srv
from tests.conftest import SECRET
from tests.test_gunicorn import serving

THREADS = 2 * 4  # two workers, four threads each (gunicorn.conf.py)
ANSWER_BOUND = 8.0  # seconds: "answered at all" while the attacks hold, below their grace


@dataclass
class Slow:
    """A connection sending its request a little at a time (every 0.5 s), what came back,
    and when it ended."""

    first: bytes
    trickle: bytes = b"X"
    answer: bytes = b""
    ended: float | None = None
    started: float = field(default_factory=time.monotonic)
    sock: socket.socket | None = None

    def run(self, port: int, stop: threading.Event) -> None:
        """Connect, send `first`, then trickle (unless connected already: `sock`)."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", port))
            self.sock.sendall(self.first)
            self.started = time.monotonic()
        self.sock.settimeout(0.5)
        while not stop.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                try:
                    self.sock.sendall(self.trickle)
                except OSError:
                    break
                continue
            except OSError:
                break
            if not data:
                break
            self.answer += data
        self.ended = time.monotonic() - self.started
        self.sock.close()


def keep_alive_then_crawl(port: int) -> Slow:
    """A kept-alive connection: one whole request answered, then the next one crawls."""
    slow = Slow(first=b"", trickle=b"s")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(10)
    first = sock.recv(65536)
    while b"\r\n\r\n" not in first:
        first += sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first[:80]
    head, _, body = first.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:  # the whole answer, so that what comes later is the next one's
        body += sock.recv(65536)
    sock.sendall(b"GET /login HTTP/1.1\r\nHo")
    slow.sock = sock
    return slow


def attacks() -> list[Slow]:
    head = b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: "
    small = (
        b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n{"
    )
    large = (
        b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (2 * srv.SMALL_BODY)
    ) + b"{" * 1000
    return (
        [Slow(first=head) for _ in range(THREADS + 2)]
        + [Slow(first=small, trickle=b" ") for _ in range(3)]
        # a large body that stops: read by a thread, which gives up after IDLE seconds
        + [Slow(first=large, trickle=b"") for _ in range(3)]
    )


@pytest.fixture(scope="module")
def server(hand_pool_path, hand_users_path):
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env |= {"VSLA_SECRET_KEY": SECRET, "VSLA_USERS": str(hand_users_path)}
    with serving(hand_pool_path, 2, env) as url:
        yield url


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def worker_pids(port: int) -> set[int]:
    """The worker processes of the gunicorn listening on `port` (children of its master)."""
    processes: dict[int, tuple[int, bytes]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        processes[int(entry.name)] = (parent, cmdline)
    address = f"127.0.0.1:{port}".encode()
    masters = {pid for pid, (_, cmd) in processes.items() if address in cmd and b"gunicorn" in cmd}
    return {pid for pid, (parent, _) in processes.items() if parent in masters}


@pytest.fixture(scope="module")
def workers_at_start(server) -> set[int]:
    return worker_pids(port_of(server))


def test_slow_clients_hold_no_thread_and_are_closed(server, workers_at_start):
    port = port_of(server)
    stop = threading.Event()
    slows = attacks()
    threads = [threading.Thread(target=s.run, args=(port, stop), daemon=True) for s in slows]
    crawled = [keep_alive_then_crawl(port) for _ in range(2)]
    threads += [threading.Thread(target=c.run, args=(port, stop), daemon=True) for c in crawled]
    for t in threads:
        t.start()
    time.sleep(1.5)  # every attack under way
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_BOUND)
        conn.request("GET", "/login")
        login = conn.getresponse()
        assert login.status == 200
        assert b"<form" in login.read()
        # answered while every attack was still holding its connection
        still_open = [s for s in (*slows, *crawled) if s.ended is None]
        assert len(still_open) == len(slows) + len(crawled)
        for t in threads:
            t.join(timeout=srv.GRACE + 15)
    finally:
        stop.set()
    heads = slows[: THREADS + 2]
    smalls = slows[THREADS + 2 : THREADS + 5]
    larges = slows[THREADS + 5 :]
    for s in (*heads, *smalls, *crawled):
        # closed by the server, without an answer, once past their time
        assert s.ended is not None and s.answer == b"", s.answer[:80]
        assert s.ended >= srv.GRACE - 1
    for s in larges:
        # its body cut short after IDLE seconds without a byte: the app says 400, and closes
        assert s.answer.startswith(b"HTTP/1.1 400"), s.answer[:80]
        assert s.ended is not None


def test_requests_still_served_whole(server):
    """What the worker reads in its main loop reaches the app unchanged: a kept-alive
    connection's requests, pipelined requests, a body sent in pieces, a callback's JSON."""
    port = port_of(server)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in ("/robots.txt", "/login", "/robots.txt"):  # one connection, kept alive
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /login HTTP/1.1\r\nHost: x\r\n"
        b"Connection: close\r\n\r\n"
    )
    answers = b""
    while chunk := sock.recv(65536):
        answers += chunk
    assert answers.count(b"HTTP/1.1 200") == 2
    # a body in three pieces, the last after a pause: a callback with hostile JSON is
    # answered by the guard (400), which proves the app saw the body whole
    body = b'{"output": "x.children", "outputs": {"id": "x", "property": "children"}, "inputs": []}'
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10]
    )
    time.sleep(0.3)
    sock.sendall(body[10:40])
    time.sleep(1.0)
    sock.sendall(body[40:])
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"callback" in answer.lower()


def test_a_huge_head_is_refused(server):
    port = port_of(server)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    # more than HEAD_LIMIT without the end of the head, in pieces: refused by the main loop
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")
    for _ in range(srv.HEAD_LIMIT // 8000 + 2):
        sock.sendall(b"X-Filler: " + b"a" * 7990 + b"\r\n")
    answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:80]


def test_no_worker_was_killed(server, workers_at_start):
    """After the attacks (the tests above, in this module's one server), the same two
    workers answer: none was killed and replaced (a new process id)."""
    port = port_of(server)
    for _ in range(20):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/robots.txt")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        conn.close()
    assert worker_pids(port) == workers_at_start
    assert len(workers_at_start) == 2


@pytest.mark.parametrize(
    ("head", "whole"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", False),
        (b"POST / HTTP/1.1\r\ncontent-length:5\r\n\r\nabcde", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nHost: x\r\n\r\nabc", False),  # not last
        (b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", True),  # large: paced
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", True),  # paced
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", True),  # 400
    ],
)
def test_when_a_request_has_arrived(head, whole):
    assert srv.head_complete(head) is whole


def test_the_deadline_grows_with_what_arrives():
    assert srv.deadline(100.0, 0) == 100.0 + srv.GRACE
    assert srv.deadline(100.0, 5 * srv.MIN_RATE) == 100.0 + srv.GRACE + 5
