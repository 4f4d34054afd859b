"""Starting a dashboard server for the scripts (screenshots, benchmark) and waiting for it."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    command: Sequence[str],
    url: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 60,
    failure: str = "The dashboard did not start.",
) -> subprocess.Popen[bytes]:
    """Run `command` and return once `url` answers (or stop it and exit with `failure`)."""
    proc = subprocess.Popen(
        list(command), cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(failure)


def serve(pool: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return start(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "app:server",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "-t",
            "300",
        ],
        f"http://127.0.0.1:{port}/login",
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        timeout=120,
        failure="gunicorn did not start",
    )


def changes(n: int, seed: int = 7) -> list[str]:
    """A fixed, seeded list of filter changes (country, organisation, themes, as-of)."""
    from dashboard.analytics import datasource

    facts = datasource.all_facts()
    rng = random.Random(seed)
    quarters = list(facts.quarters[:8])
    out = []
    for _ in range(n):
        query: list[tuple[str, str]] = []
        if rng.random() < 0.5:
            query.append(("country", rng.choice(facts.countries)))
        if rng.random() < 0.4:
            query.append(("organisation", rng.choice(facts.organisations)))
        if rng.random() < 0.25 and facts.tags:
            query.append(("tag", rng.choice(facts.tags)))
        if rng.random() < 0.2:
            query.append(("min_pct_women", "0.75"))
        if rng.random() < 0.3:
            query.append(("as_of", rng.choice(quarters).isoformat()))
        out.append("?" + urlencode(query) if query else "")
    return out
