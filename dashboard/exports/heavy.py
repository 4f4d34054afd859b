"""Heavy work bounded per host and per client: the report (its print page and its PDF), a
page's deck and workbook, and chart images.

Each of these runs a headless Chromium or draws several charts: a few at once fill two
cores. A job takes a place on the host and a place of its client's (`job`):

- at most `VSLA_HEAVY_JOBS` jobs run at once on the host (default: the number of cores,
  from 2 to 4), across every gunicorn worker process and thread;
- at most `VSLA_HEAVY_PER_CLIENT` (default 2) at once per client: the signed-in session, or
  for a visitor who has not signed in, the address Flask sees (`request.remote_addr`);
- a job beyond a bound waits in a short queue (as many places again, host-wide and per
  client) for at most `VSLA_HEAVY_WAIT` seconds (default 6); beyond the queue, or after the
  wait, it is refused (`Busy`: the routes answer 503 with Retry-After, a download in the
  page says so in words);
- a worker process holds at most `VSLA_HEAVY_PER_WORKER` jobs (default 2), running or
  waiting, and refuses more at once: its other threads stay free for pages (gunicorn's
  threads: set more than this);
- a job that runs has $VSLA_HEAVY_SECONDS (default JOB_SECONDS) to finish: the renderers
  read what is left (`time_left`) and stop there, so a request ends well within the
  proxy's timeout (deploy/nginx.conf: 60 s).

The places are files in one folder (`VSLA_HEAVY_DIR`, by default one per pool in the
system's temporary folder), each held with an exclusive `flock`: a lock belongs to the open
file, so it bounds threads and processes alike, and it is let go when the job ends, when the
job raises, and when its process dies.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import hashlib
import os
import random
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.core.config import pool_path
from dashboard.core.i18n import _, ngettext

if TYPE_CHECKING:
    import flask

HOST_ENV = "VSLA_HEAVY_JOBS"
CLIENT_ENV = "VSLA_HEAVY_PER_CLIENT"
WAIT_ENV = "VSLA_HEAVY_WAIT"
DIR_ENV = "VSLA_HEAVY_DIR"
WORKER_ENV = "VSLA_HEAVY_PER_WORKER"

SECONDS_ENV = "VSLA_HEAVY_SECONDS"
JOB_SECONDS = 25.0  # a running job's default budget, well within nginx's proxy_read_timeout
RETRY_AFTER = 15  # seconds, the Retry-After of a refusal
POLL = 0.15  # seconds between a waiting job's tries
BUCKETS = 4096  # clients share a bound only when their keys hash alike (1 in 4,096)


@dataclass(frozen=True)
class Limits:
    host: int  # jobs running at once on the host
    client: int  # jobs running at once per client
    queue: int  # jobs waiting at once on the host
    client_queue: int  # jobs waiting at once per client
    wait: float  # seconds a job waits for its turn at most
    folder: Path
    worker: int = 1_000  # jobs running or waiting at once in one worker process
    seconds: float = JOB_SECONDS  # a running job's budget

    @classmethod
    def from_env(cls) -> Limits:
        cores = os.cpu_count() or 2
        host = _positive(HOST_ENV, min(4, max(2, cores)))
        client = _positive(CLIENT_ENV, 2)
        wait = float(os.environ.get(WAIT_ENV) or 6)
        folder = Path(os.environ.get(DIR_ENV) or default_folder())
        worker = _positive(WORKER_ENV, 2)
        seconds = max(1.0, float(os.environ.get(SECONDS_ENV) or JOB_SECONDS))
        return cls(host, client, host * 2, client, max(0.0, wait), folder, worker, seconds)


def _positive(name: str, default: int) -> int:
    text = os.environ.get(name)
    return max(1, int(text)) if text else default


def default_folder() -> Path:
    """A folder of this user's in the temporary folder, one per pool (the instances serving
    one pool on a host share it)."""
    pool = str(pool_path().resolve())
    return (
        Path(tempfile.gettempdir())
        / f"vsla-heavy-{os.getuid()}"
        / hashlib.sha256(pool.encode()).hexdigest()[:12]
    )


def _ready(folder: Path) -> Path:
    """The folder, made if need be: this user's own, and no one else's to write in."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RuntimeError(f"{folder} is not this user's own folder: set {DIR_ENV}")
    return folder


class Busy(RuntimeError):
    """A job refused: too many at once, on the host or for this client. Its message says so
    in the visitor's language."""

    retry_after = RETRY_AFTER


def _mine(running: int) -> Busy:
    return Busy(
        ngettext(
            "You are already making {n} file. Please wait for it, then try again.",
            "You are already making {n} files. Please wait for them, then try again.",
            running,
        ).format(n=running)
    )


def _busy() -> Busy:
    return Busy(
        _("The server is busy making other files. Please try again in {n} seconds.").format(
            n=RETRY_AFTER
        )
    )


# --- Places: files held with flock ----------------------------------------------------------


def _take(paths: list[Path]) -> int | None:
    """The open file of the first free place among `paths`, locked; None if all are held."""
    for path in paths:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            continue
        return fd
    return None


def _held(paths: list[Path]) -> int:
    """How many of the places are held (tried for an instant; those never made are free)."""
    count = 0
    for path in paths:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            count += 1
        finally:
            os.close(fd)
    return count


def _bucket(client: str) -> int:
    return int.from_bytes(hashlib.sha256(client.encode()).digest()[:4], "big") % BUCKETS


def _places(limits: Limits, client: str) -> dict[str, list[Path]]:
    folder = _ready(limits.folder)
    bucket = _bucket(client)
    return {
        "host": [folder / f"run-{i}" for i in range(limits.host)],
        "queue": [folder / f"wait-{i}" for i in range(limits.queue)],
        "client": [folder / f"client-{bucket}-run-{i}" for i in range(limits.client)],
        "client_queue": [folder / f"client-{bucket}-wait-{i}" for i in range(limits.client_queue)],
    }


# --- Jobs ------------------------------------------------------------------------------------

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "vsla_heavy_deadline", default=None
)


def time_left(default: float) -> float:
    """Seconds a step of the job in progress may take: `default`, or less if the job's
    budget ends sooner (outside a job, `default`)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return min(default, deadline - time.monotonic())


def client_key() -> str:
    """Whose job it is: the signed-in session, else the address Flask sees."""
    import flask

    if not flask.has_request_context():
        return "local"
    sid = flask.session.get("sid")
    if isinstance(sid, str) and sid:
        return "session:" + sid
    return "address:" + (flask.request.remote_addr or "")


@contextlib.contextmanager
def job(client: str | None = None, limits: Limits | None = None) -> Iterator[None]:
    """Run the block as a heavy job: when a place is free, within the job's time budget.
    Raises Busy (before the block runs) when the job is refused. A job inside a job is the
    same job."""
    if _deadline.get() is not None:
        yield
        return
    limits = limits or Limits.from_env()
    places = _places(limits, client if client is not None else client_key())
    if not _in_worker(limits.worker, +1):
        raise _busy()
    held: list[int] = []
    try:
        _enter(limits, places, held)
        token = _deadline.set(time.monotonic() + limits.seconds)
        try:
            yield
        finally:
            _deadline.reset(token)
    finally:
        for fd in held:
            os.close(fd)  # (the lock goes with it)
        _in_worker(limits.worker, -1)


_worker_jobs = {"n": 0}
_worker_lock = threading.Lock()


def _in_worker(limit: int, step: int) -> bool:
    """Count a job in (+1: False if the worker has `limit` already) or out (-1) of this
    process. A worker's threads serve its pages too: jobs (running, or waiting their turn)
    never take more than `limit` of them, so that a page sent to a worker with exports in
    hand still finds a thread."""
    with _worker_lock:
        if step > 0 and _worker_jobs["n"] >= limit:
            return False
        _worker_jobs["n"] += step
        return True


def _enter(limits: Limits, places: dict[str, list[Path]], held: list[int]) -> None:
    """Take a client's place and a host's place, waiting in the queue if need be; every
    place taken is in `held` (let go by the caller), the queue's too until it is left."""
    mine = _take(places["client"])
    host = _take(places["host"]) if mine is not None else None
    held += [fd for fd in (mine, host) if fd is not None]
    if mine is not None and host is not None:
        return
    in_line = _take(places["client_queue"])
    if in_line is None:
        raise _mine(limits.client + limits.client_queue) if mine is None else _busy()
    held.append(in_line)
    queued = _take(places["queue"])
    if queued is None:
        raise _busy()
    held.append(queued)
    deadline = time.monotonic() + limits.wait
    while time.monotonic() < deadline:
        time.sleep(min(POLL * random.uniform(0.7, 1.3), max(0.0, deadline - time.monotonic())))
        if mine is None:
            mine = _take(places["client"])
            if mine is not None:
                held.append(mine)
        if mine is not None and host is None:
            host = _take(places["host"])
            if host is not None:
                held.append(host)
        if mine is not None and host is not None:
            for fd in (in_line, queued):
                held.remove(fd)
                os.close(fd)
            return
    raise _busy()


@dataclass(frozen=True)
class Progress:
    waiting: bool  # the client has a job in the queue
    ahead: int  # the jobs running or waiting on the host, less the client's waiting one


def progress(client: str | None = None, limits: Limits | None = None) -> Progress:
    """Where a client's jobs stand (for the words shown while a file is made)."""
    limits = limits or Limits.from_env()
    places = _places(limits, client if client is not None else client_key())
    waiting = _held(places["client_queue"]) > 0
    others = _held(places["host"]) + _held(places["queue"]) - (1 if waiting else 0)
    return Progress(waiting, max(others, 1) if waiting else max(others, 0))


def progress_words(making: str, client: str | None = None) -> str:
    """`making` (the words of a file being made), or while the client's file waits its
    turn, how many it waits for."""
    where = progress(client)
    if not where.waiting:
        return making
    return ngettext(
        "Waiting for {n} other file…", "Waiting for {n} other files…", where.ahead
    ).format(n=where.ahead)


def refusal(exc: Busy) -> flask.Response:
    """A Flask route's answer to a refused job: 503, Retry-After, the reason in words."""
    import flask

    response = flask.Response(str(exc), status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(exc.retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response
