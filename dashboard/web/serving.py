"""gunicorn's threaded worker, made so that a slow client holds no thread.

gunicorn's `gthread` worker hands a connection to one of its threads as soon as a byte of
it arrives; the thread then reads the request's head (and later its body) blocking, with
no deadline. A client that sends its head slowly (a byte every few seconds: "slowloris")
holds a thread for as long as it likes, and a few such clients hold every thread of every
worker, so that nobody else is answered (issue 27: a sign-in page took 42.8 s with two).

`ThreadWorker` (named in gunicorn.conf.py) reads each request's head, and a body of at most
`SMALL_BODY` bytes, in the worker's main loop, without blocking, beside every other
connection; a thread gets the request only once all of that has arrived. A request must
arrive within `GRACE` seconds, plus a second for each `MIN_RATE` bytes received (the
rule of Apache's mod_reqtimeout); a connection past its deadline is closed without an
answer. A larger body (an upload) is read by the thread, under the same rule and never
more than `IDLE` seconds without a byte: a body that stops coming is cut short, which the
application answers with 400, and the connection is closed. A head larger than
`HEAD_LIMIT` is answered 431.

What it does not do: a client that reads its answer slowly still holds a thread while the
answer is written; a proxy in front (deploy/nginx.conf) buffers answers, limits connections
per address and terminates TLS. This relies on gunicorn's gthread internals (pinned to
gunicorn 27 in pyproject.toml; tests/test_serving.py attacks it through real gunicorn).
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers import gthread

GRACE = 10.0  # seconds for a request's head (and a small body) to arrive
MIN_RATE = 1000  # bytes a second a client must keep up after the grace
IDLE = 10.0  # seconds without a byte while a large body is read
HEAD_LIMIT = 64 * 1024  # bytes of a head; gunicorn's own limits are lower (8190 a field)
SMALL_BODY = 1024 * 1024  # bodies up to this size are read before a thread takes them

_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:", re.I | re.M)
_TOO_LARGE_TEXT = b"The request's head is too large.\n"
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_TOO_LARGE_TEXT), _TOO_LARGE_TEXT)
)


def deadline(started: float, received: int) -> float:
    """When a request that began at `started` and has sent `received` bytes must be in."""
    return started + GRACE + received / MIN_RATE


def head_complete(head: bytes | bytearray) -> bool:
    """Whether a thread may take the request: its head is in, and its body too unless it
    is large or chunked (then the thread reads it, paced)."""
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return False
    fields = bytes(head[:end])
    if _CHUNKED.search(fields):
        return True
    lengths = _CONTENT_LENGTH.findall(fields)
    if len(lengths) != 1:  # none: no body; several: gunicorn refuses it (400)
        return True
    length = int(lengths[0])
    return length > SMALL_BODY or len(head) >= end + 4 + length


class PacedSocket:
    """The socket as a thread reads a request from it: each read waits at most `IDLE`
    seconds and never past the request's deadline; past it, the request's bytes end
    (`expired`). Everything else is the socket's own."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.restart()

    def restart(self) -> None:
        self.started = time.monotonic()
        self.received = 0
        self.expired = False

    def recv(self, size: int) -> bytes:
        if self.expired:
            return b""
        prior = self._sock.gettimeout()
        wait = min(IDLE, deadline(self.started, self.received) - time.monotonic())
        if prior is not None:
            wait = min(wait, prior)
        if wait <= 0:
            self.expired = True
            return b""
        self._sock.settimeout(wait)
        try:
            data = self._sock.recv(size)
        except TimeoutError:
            self.expired = True
            return b""
        finally:
            self._sock.settimeout(prior)
        self.received += len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Conn(gthread.TConn):
    """A connection whose request is read in the main loop first (`head`)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.head = bytearray()
        self.started = time.monotonic()
        self.paced: PacedSocket | None = None

    def waiting(self) -> None:
        """A new request is expected: read it in the main loop."""
        self.head.clear()
        self.started = time.monotonic()
        self.data_ready = True  # (gunicorn's own wait for a first byte is not needed)

    def expired(self, now: float) -> bool:
        return now > deadline(self.started, len(self.head))

    def init(self) -> None:
        super().init()
        self.hand_over()

    def hand_over(self) -> None:
        """Give what the main loop read to the parser, and pace what the thread reads."""
        if self.parser is None or self.is_http2:
            return
        unreader = self.parser.unreader
        if self.paced is None:
            self.paced = PacedSocket(unreader.sock)
            unreader.sock = self.paced
        self.paced.restart()
        if self.head:  # read in the main loop: the request's clock ran from its first wait
            unreader.unread(unreader.take_buffered() + bytes(self.head))
            self.head.clear()
            self.paced.started = self.started


class ThreadWorker(gthread.ThreadWorker):
    """gthread whose threads only take requests that have arrived (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: dict[Conn, None] = {}  # connections whose request is being read

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        conn = Conn(self.cfg, client, address, listener.getsockname())  # (non-blocking)
        self._wait_for_request(conn)

    def on_client_socket_readable(self, conn: Conn, client: socket.socket) -> None:
        """A kept-alive connection sends its next request: read it here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        conn.sock.setblocking(False)
        self._wait_for_request(conn)
        self._on_readable(conn, client)

    def _wait_for_request(self, conn: Conn) -> None:
        conn.waiting()
        self.arriving[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: Conn, _client: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._drop(conn)
            return
        conn.head += data
        if head_complete(conn.head):
            self._stop_waiting(conn)
            self.enqueue_req(conn)
        elif len(conn.head) > HEAD_LIMIT:
            with contextlib.suppress(OSError):
                conn.sock.send(_TOO_LARGE)
            self._drop(conn)

    def _stop_waiting(self, conn: Conn) -> None:
        del self.arriving[conn]
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _drop(self, conn: Conn) -> None:
        self._stop_waiting(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Close the connections whose request did not arrive in time (all of them when
        the worker stops)."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.arriving if not self.alive or c.expired(now)]:
            self._drop(conn)

    def handle(self, conn: Conn) -> Any:
        conn.hand_over()  # a kept-alive connection's next request (a new one: in init)
        keep = super().handle(conn)
        if conn.paced is not None and conn.paced.expired:
            return False  # the body stopped coming: where the next request starts is unknown
        return keep
