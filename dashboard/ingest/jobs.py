"""Checks and imports of the Import page, run in the background: a process of their own
(`python -m dashboard.ingest.jobs FOLDER`), never inside a web request.

A job is a folder beside the pool, `<pool>.jobs/<id>/`: `job.json` (who started it, what it
does, its state and progress in words, its result), `files/` (the uploaded files, removed
when the job ends) and `tmp/` (what the check unpacks, and its copy of the pool). Any
worker process (and any thread of it) reads a job's state from there, so a job started
through one gunicorn worker is followed through another, and after a page reload.

- The id is random (unguessable); `status` and `cancel` answer only the user who started
  the job: to anyone else a job is as absent as one that never existed.
- Bounds, on the host: at most CHECK_SLOTS checks run at once (the others wait their turn,
  saying so) and one import at a time (the others wait for it); at most MAX_UNFINISHED jobs
  wait or run, and one per user; beyond that a new job is refused with a message.
- A check reads the pool only and takes no lock: one member's check never refuses
  another's, nor waits for an import.
- A job that fails says why; an import that fails or is cancelled leaves the pool as it was
  (dashboard.ingest.write swaps a new pool in only when all of it succeeded). A job whose
  process died (killed, out of memory) is reported as failed by whoever reads it next.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.core.i18n import _

log = logging.getLogger(__name__)

CHECK_SLOTS = 2  # checks running at once on the host
MAX_UNFINISHED = 8  # jobs waiting or running on the host
KEEP_SECONDS = 6 * 3600  # a finished job's state is kept this long
MAX_KEPT = 200  # and at most this many finished jobs (the newest)
LOCK_WAIT_SECONDS = 3600  # an import waits this long for another (the command line's)
STALE_SECONDS = 120  # a job whose heartbeat is older has died
BEAT_SECONDS = 2.0
WAIT_SECONDS = 0.25  # how often a waiting job tries for its turn
MAX_ISSUES_SHOWN = 200
ID = re.compile(r"^[A-Za-z0-9_-]{24,64}$")
FINAL = ("done", "failed", "cancelled")


class Refused(Exception):
    """A job that may not start now; the message says why, for the user."""


@dataclass(frozen=True)
class Spec:
    """What a job does, decided by the server (never by the browser)."""

    kind: str  # "check" or "import"
    owner: str  # the username of who started it
    organisation: str | None  # a member's organisation (an import limited to it)
    pool: str  # the pool's path
    lang: str  # the language of its messages
    demo: str  # dashboard.ingest.write.DemoChoice
    total_files: int  # the files it reads (for "file 3 of 12")


def _waiting_import() -> str:
    return _("Waiting: another import is running; this one starts when it ends…")


def jobs_dir(pool: Path) -> Path:
    return Path(pool).with_name(Path(pool).name + ".jobs")


def _now() -> float:
    return time.time()


# --- state files -------------------------------------------------------------------------------


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "job.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(folder: Path, state: dict[str, Any]) -> None:
    """Write the job's state whole (a reader sees the old state or the new one)."""
    state["updated"] = _now()
    temp = folder / f".job-{os.getpid()}-{threading.get_ident()}.json"
    temp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, folder / "job.json")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (processes and threads alike: a new open file each)."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _update(folder: Path, **changes: Any) -> dict[str, Any] | None:
    with _locked(folder / ".lock"):
        state = _read(folder)
        if state is None:
            return None
        if state.get("state") in FINAL and changes.get("state") not in (None, *FINAL):
            return state  # (a finished job stays finished)
        state.update(changes)
        _write(folder, state)
        return state


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (died, not yet reaped) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _is_job_process(pid: int, job_id: str) -> bool:
    """Whether `pid` is this job's process (not another that reused its number)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return job_id.encode() in f.read()
    except OSError:
        return False


def _settle(folder: Path, state: dict[str, Any]) -> dict[str, Any]:
    """A state as it really is: a job not finished whose process is gone has failed."""
    if state.get("state") in FINAL:
        return state
    started = state.get("started") or state.get("created") or 0
    try:
        beat = (folder / "beat").stat().st_mtime
    except OSError:
        beat = started
    pid = state.get("pid")
    young = _now() - state.get("created", 0) < STALE_SECONDS
    dead = (pid is not None and not _alive(pid)) or _now() - max(beat, started) > STALE_SECONDS
    if pid is None and young:
        return state  # (being started)
    if dead:
        settled = _update(
            folder,
            state="failed",
            outcome="failed",
            message=_crashed(state.get("kind", "check"), state.get("exit")),
        )
        _clean(folder)
        return settled or state
    return state


def _crashed(kind: str, code: int | None = None) -> str:
    if kind == "import":
        return _(
            "The import stopped before it finished (the server may have run out of memory or "
            "been restarted). Nothing was imported: the pool is as it was. Try again; if it "
            "happens again, split the files or import them on the command line."
        )
    return _(
        "The check stopped before it finished (the server may have run out of memory or been "
        "restarted). Try again; if it happens again, split the files or check them on the "
        "command line (vsla import --dry-run)."
    )


def _clean(folder: Path) -> None:
    """Remove what a job no longer needs: the uploaded files and its scratch folder."""
    for part in ("files", "tmp"):
        shutil.rmtree(folder / part, ignore_errors=True)


# --- the web process's side --------------------------------------------------------------------


def _unfinished(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The jobs waiting or running on the host; finished ones past KEEP_SECONDS removed."""
    out: list[tuple[Path, dict[str, Any]]] = []
    finished: list[tuple[float, Path]] = []
    if not root.is_dir():
        return out
    for folder in root.iterdir():
        if not folder.is_dir() or not ID.match(folder.name):
            continue
        state = _read(folder)
        if state is None:
            if _now() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)  # (a job that never began)
            continue
        state = _settle(folder, state)
        if state.get("state") in FINAL:
            if _now() - state.get("updated", 0) > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                finished.append((state.get("updated", 0), folder))
            continue
        out.append((folder, state))
    for _updated, folder in sorted(finished)[: max(0, len(finished) - MAX_KEPT)]:
        shutil.rmtree(folder, ignore_errors=True)  # (the oldest, beyond MAX_KEPT)
    return out


def start(spec: Spec, files: list[tuple[str, bytes]]) -> str:
    """Start a job on `files` (name, content); its id. Refused (with the reason) when the
    host runs too many, or the user one already."""
    root = jobs_dir(Path(spec.pool))
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / ".create.lock"):
        unfinished = _unfinished(root)
        if any(s.get("owner") == spec.owner for _f, s in unfinished):
            raise Refused(
                _(
                    "Your earlier check or import is still running; wait for it to finish (its "
                    "progress is shown on this page) or cancel it, then try again."
                )
            )
        if len(unfinished) >= MAX_UNFINISHED:
            raise Refused(
                _(
                    "The server is checking or importing {n} other uploads; try again in a "
                    "few minutes."
                ).format(n=len(unfinished))
            )
        job_id = secrets.token_urlsafe(24)
        folder = root / job_id
        folder.mkdir(mode=0o700)
        for index, (name, data) in enumerate(files):
            place = folder / "files" / str(index)
            place.mkdir(parents=True)
            (place / name).write_bytes(data)
        (folder / "tmp").mkdir()
        state = {
            "id": job_id,
            "spec": spec.__dict__,
            "kind": spec.kind,
            "owner": spec.owner,
            "state": "queued",
            "words": _("Starting…"),
            "created": _now(),
            "pid": None,
        }
        _write(folder, state)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.ingest.jobs", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": str(folder / "tmp")},
            start_new_session=True,  # (a signal to the web worker's group spares it)
            close_fds=True,
        )
    except OSError as exc:
        _update(
            folder,
            state="failed",
            outcome="failed",
            message=_("The server could not start the check ({error}).").format(error=exc),
        )
        _clean(folder)
        return job_id
    _update(folder, pid=process.pid)
    threading.Thread(target=_reap, args=(process, folder), daemon=True).start()
    return job_id


def _reap(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Wait for a job's process (no zombie left); if it died without saying how it ended,
    say that it failed."""
    code = process.wait()
    state = _read(folder)
    if state is not None and state.get("state") not in FINAL:
        log.warning("Import job %s ended with code %s before it finished.", folder.name, code)
        with contextlib.suppress(OSError):
            _update(
                folder,
                state="failed",
                outcome="failed",
                exit=code,
                message=_crashed(state.get("kind", "check"), code),
            )
        _clean(folder)


def _owned(pool: Path, job_id: Any, owner: str | None) -> Path | None:
    """The job's folder if `job_id` is a job of `owner`; None for anything else."""
    if not owner or not isinstance(job_id, str) or not ID.match(job_id):
        return None
    folder = jobs_dir(pool) / job_id
    state = _read(folder)
    if state is None or not secrets.compare_digest(str(state.get("owner")), owner):
        return None
    return folder


def status(pool: Path, job_id: Any, owner: str | None) -> dict[str, Any] | None:
    """The job's state, for its owner only (None for anyone else, or no such job)."""
    folder = _owned(pool, job_id, owner)
    if folder is None:
        return None
    state = _read(folder)
    return None if state is None else _settle(folder, state)


def cancel(pool: Path, job_id: Any, owner: str | None) -> bool:
    """Stop the owner's job if it is still waiting, checking, or importing and not yet
    writing the pool; whether it was asked to stop."""
    folder = _owned(pool, job_id, owner)
    if folder is None:
        return False
    state = _read(folder)
    if state is None or state.get("state") in FINAL or not state.get("cancellable", True):
        return False
    pid = state.get("pid")
    if pid and _alive(pid) and _is_job_process(pid, folder.name):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        return True
    return False


# --- the job's process -------------------------------------------------------------------------


class _Stop(BaseException):
    """Raised in the job's process when it is cancelled."""


class _Runner:
    def __init__(self, folder: Path, state: dict[str, Any]) -> None:
        self.folder = folder
        self.spec = Spec(**state["spec"])
        self.read = 0  # files read so far
        self.last = 0.0
        self.stopping = False

    def say(self, words: str, *, force: bool = False, **extra: Any) -> None:
        if not force and _now() - self.last < 0.2:
            return
        self.last = _now()
        _update(self.folder, words=words, **extra)

    def progress(self, message: str) -> None:
        """The importer's progress (dashboard.ingest: English, for the command line) in
        words for the page."""
        kind = self.spec.kind
        if message.startswith("Reading "):
            self.read += 1
            total = max(self.spec.total_files, self.read)
            text = (
                _("Checking file {n} of {total}…")
                if kind == "check"
                else _("Importing: checking file {n} of {total}…")
            )
            self.say(text.format(n=self.read, total=total), force=True, step=self.read)
        elif message.startswith(("Validating", "Checking keys")):
            self.say(
                _("Checking the rows against the pool…")
                if kind == "check"
                else _("Importing: checking the rows against the pool…"),
                force=True,
            )
        elif message.startswith("Writing"):
            if kind == "import":
                # From here on the new pool is being written: no cancelling halfway.
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                self.say(_("Importing: writing the pool…"), force=True, cancellable=False)
            else:
                self.say(_("Checking: trying the rows on a copy of the pool…"), force=True)
        elif message.startswith("Computing data-quality"):
            self.say(
                _("Checking the data-quality warnings…")
                if kind == "check"
                else _("Importing: the data-quality warnings…"),
                force=True,
            )
        elif message.startswith("Waiting for another import"):
            self.say(_waiting_import(), force=True)
        elif message.startswith("Building rollups"):
            self.say(_("Importing: the summaries the pages draw from…"), force=True)

    def wait_for_turn(self) -> int:
        """Take a place to run (a check slot, or the import's); wait, saying so, while
        there is none. The returned descriptor holds it until the process ends."""
        root = self.folder.parent
        names = [f"check-{i}" for i in range(CHECK_SLOTS)]
        if self.spec.kind == "import":
            names = ["import"]
        said = False
        while True:
            for name in names:
                handle = os.open(root / f".slot-{name}", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(handle)
                    continue
                return handle
            if not said:
                said = True
                self.say(
                    _waiting_import()
                    if self.spec.kind == "import"
                    else _("Waiting: the server is checking other uploads; this check is next…"),
                    force=True,
                    state="queued",
                )
            time.sleep(WAIT_SECONDS)

    def run(self) -> None:
        from dashboard.core import i18n

        with i18n.using(self.spec.lang):
            try:
                self._run()
            except _Stop:
                _update(
                    self.folder,
                    state="cancelled",
                    outcome="cancelled",
                    message=(
                        _("The import was cancelled. Nothing was imported: the pool is as it was.")
                        if self.spec.kind == "import"
                        else _("The check was cancelled.")
                    ),
                )
            except Exception as exc:
                traceback.print_exc()
                _update(
                    self.folder,
                    state="failed",
                    outcome="failed",
                    message=self.private(
                        (
                            _(
                                "The import failed ({error}). Nothing was imported: the pool "
                                "is as it was."
                            )
                            if self.spec.kind == "import"
                            else _("The check failed ({error}).")
                        ).format(error=f"{type(exc).__name__}: {exc}"[:300])
                    ),
                )
            finally:
                # the most memory the job's process held (kilobytes on Linux): kept for the
                # operator (and the tests), never shown on the page
                with contextlib.suppress(OSError):
                    _update(self.folder, peak_rss_mb=round(_peak_rss_kb() / 1024))
                _clean(self.folder)

    def private(self, text: str | None) -> str:
        """A message as a browser may see it: the server's paths named for what they are."""
        if not text:
            return ""
        pool = Path(self.spec.pool)
        for path, words in (
            (str(self.folder / "files"), ""),
            (str(self.folder), _("the server")),
            (str(pool.resolve()), _("the pool")),
            (str(pool), _("the pool")),
            (str(pool.resolve().parent), _("the server")),
            (tempfile.gettempdir(), _("the server")),
        ):
            text = text.replace(path, words)
        return text

    def _run(self) -> None:
        from dashboard.ingest import ImportRejected, import_files
        from dashboard.ingest.read import UPLOADED

        self.wait_for_turn()
        _update(self.folder, state="running", started=_now())
        self.say(_("Starting…"), force=True)
        files = sorted(
            (p for p in (self.folder / "files").glob("*/*") if p.is_file()),
            key=lambda p: int(p.parent.name),
        )
        spec = self.spec
        try:
            result = import_files(
                files,
                Path(spec.pool),
                progress=self.progress,
                organisation=spec.organisation,
                dry_run=spec.kind == "check",
                by=spec.owner,
                limits=UPLOADED,
                demo=spec.demo,  # type: ignore[arg-type]
                scratch=self.folder / "tmp",
                lock_wait=LOCK_WAIT_SECONDS,
            )
        except ImportRejected as exc:
            issues = [
                [
                    self.private(i.file),
                    i.sheet or "",
                    "" if i.row is None else str(i.row),
                    i.column or "",
                    i.value or "",
                    self.private(i.message),
                ]
                for i in exc.issues[:MAX_ISSUES_SHOWN]
            ]
            _update(self.folder, state="done", outcome="rejected", issues=issues, total=exc.total)
            return
        result.db = None  # (the summary says where the pool lives only on the command line)
        _update(
            self.folder,
            state="done",
            outcome="imported" if spec.kind == "import" else "checked",
            import_id=result.import_id,
            summary=[self.private(line) for line in result.summary().splitlines()],
        )


def _peak_rss_kb() -> int:
    """The most memory this process has held, in KiB: Linux's VmHWM (getrusage's maxrss
    would count the web worker's memory too, inherited when the job was spawned)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _beat(folder: Path) -> None:
    while True:
        with contextlib.suppress(OSError):
            (folder / "beat").touch()
        time.sleep(BEAT_SECONDS)


def main(argv: list[str] | None = None) -> int:
    """The job's process: run the job in FOLDER (started by `start`)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0])
    state = _read(folder)
    if state is None:
        return 2
    runner = _Runner(folder, state)

    def stop(_signum: int, _frame: Any) -> None:
        raise _Stop

    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=_beat, args=(folder,), daemon=True).start()
    runner.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
