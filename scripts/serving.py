"""Starting a dashboard server for the scripts (screenshots, benchmark) and waiting for it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


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
