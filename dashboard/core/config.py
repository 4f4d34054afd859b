"""Settings from the environment: one place that knows the variable names."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# The files the code reads beside itself: queries/ (the SQL), assets/ (served, and read by
# the exports) and data/network.toml. They stay at the top of the repository, where a
# checkout (the source, an editable install) reads them; a built wheel carries copies inside
# the package, in dashboard/_files/ (setup.py), where an installed wheel reads them.
SHIPPED = Path(__file__).resolve().parent.parent / "_files"
IN_CHECKOUT = not SHIPPED.is_dir()
FILES_ROOT = PROJECT_ROOT if IN_CHECKOUT else SHIPPED
# The pool when none is named: the checkout's data/, or data/ in the current folder for an
# installed wheel (never inside the installed package)
DEFAULT_DB = (PROJECT_ROOT / "data" if IN_CHECKOUT else Path("data")) / "pool.duckdb"


def pool_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The pool file: `--db PATH` if given, else $VSLA_DB, else data/pool.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("VSLA_DB")
    return Path(env) if env else DEFAULT_DB


@dataclass(frozen=True)
class Settings:
    db: Path
    threads: int
    memory_limit: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            db=pool_path(),
            threads=int(os.environ.get("VSLA_DB_THREADS", "2")),
            memory_limit=os.environ.get("VSLA_DB_MEMORY", "1GB"),
        )


def trusted_proxies() -> int:
    """$VSLA_TRUSTED_PROXIES: how many reverse proxies stand in front of the app (each adds
    itself to X-Forwarded-For), default 0. With 0 the client is the socket's peer and any
    X-Forwarded-* header is ignored; with n, the address the n-th proxy from the app saw
    and the scheme it was reached by (werkzeug's ProxyFix, applied by the app factory)."""
    text = os.environ.get("VSLA_TRUSTED_PROXIES", "").strip() or "0"
    try:
        count = int(text)
    except ValueError:
        raise ValueError(f"VSLA_TRUSTED_PROXIES must be a whole number, not {text!r}.") from None
    if not 0 <= count <= 10:
        raise ValueError(f"VSLA_TRUSTED_PROXIES must be between 0 and 10, not {count}.")
    return count


def sessions_redis_url() -> str | None:
    """Where sign-in sessions and counts of failed sign-ins are shared by every app host:
    $VSLA_SESSIONS_URL if set, else the shared cache's $VSLA_CACHE_URL; None (neither set):
    each host keeps its own in sessions.sqlite."""
    for name in ("VSLA_SESSIONS_URL", "VSLA_CACHE_URL"):
        url = os.environ.get(name, "").strip()
        if url:
            return url
    return None


def redis_package() -> Any:
    """The redis package, imported only where VSLA_CACHE_URL or VSLA_SESSIONS_URL names a
    Redis: it is an optional extra (`pip install 'vsla-dashboard[redis]'`)."""
    try:
        import redis
    except ImportError as exc:
        raise RuntimeError(
            "VSLA_CACHE_URL or VSLA_SESSIONS_URL names a Redis, but the redis package is not "
            "installed: pip install 'vsla-dashboard[redis]'."
        ) from exc
    return redis


IMPORT_URL_ENV = "VSLA_IMPORT_URL"


def import_url() -> str | None:
    """Where imports are made, when it is not here: $VSLA_IMPORT_URL (the Import page of the
    import host, e.g. https://import.vsla.example.org/import), set on the hosts that serve a
    copy of the pool (README: Beyond one host). Their Import page links there and starts
    nothing: an import into a copy would be overwritten by the next copy. None: imports are
    made on this host."""
    url = os.environ.get(IMPORT_URL_ENV, "").strip()
    if not url:
        return None
    if not url.startswith(("https://", "http://")) or any(c in url for c in " \"'<>"):
        raise ValueError(f"{IMPORT_URL_ENV} must be an http(s) address, not {url!r}.")
    return url


TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


def allow_indexing() -> bool:
    """$VSLA_ALLOW_INDEXING: whether search engines may index the pages (robots.txt and the
    X-Robots-Tag header: dashboard.web.site). Default no: a dashboard of a network's data is
    for its visitors, not for search results. 1, true, yes or on allow; 0, false, no, off
    or unset do not; anything else stops the start (a typo must not open the site)."""
    text = os.environ.get("VSLA_ALLOW_INDEXING", "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(
        "VSLA_ALLOW_INDEXING must be 1, true, yes or on (indexing allowed) or 0, false, no "
        f"or off, not {text!r}."
    )
