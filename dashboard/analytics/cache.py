"""Where query results are kept between requests: in the process (the default), or also in
Redis when VSLA_CACHE_URL is set (e.g. redis://cache:6379/0), shared by every worker and
every app host serving the same pool.

Keys are made by the caller (dashboard.analytics.datasource) from the function, the pool's data
version (which every import changes), the viewer's scope and the sorted filters, so an entry
never outlives the data it was computed from: old versions simply stop being asked for, and
Redis forgets them after TTL_SECONDS (or sooner, under its own memory policy).

Redis is an optimisation, never a dependency: when it cannot be reached, a request computes
its result as if nothing were cached, and the failure is logged once a minute.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

log = logging.getLogger(__name__)

LOCAL_SIZE = 512  # entries kept in each process
TTL_SECONDS = 7 * 24 * 3600
PREFIX = "vsla:"
MISSING = object()


class Backend(Protocol):
    def get(self, key: str) -> Any: ...  # MISSING when not cached
    def set(self, key: str, value: Any) -> None: ...
    def clear(self) -> None: ...


class LocalCache:
    """A least-recently-used dictionary in this process, safe across threads."""

    def __init__(self, size: int = LOCAL_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            if key not in self._items:
                return MISSING
            self._items.move_to_end(key)
            return self._items[key]

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisCache:
    """Redis behind a small local cache (hot entries skip the network and the unpickling).
    Values are pickled: the Redis server must be a private one of this deployment."""

    def __init__(self, url: str, local_size: int = 128) -> None:
        from dashboard.core.config import redis_package

        redis = redis_package()

        self.url = url
        self.local = LocalCache(local_size)
        self.client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._error = redis.RedisError
        self._logged = 0.0

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._logged > 60:
            self._logged = now
            log.warning("The cache at %s cannot be used (%s); computing without it.", self.url, exc)

    def get(self, key: str) -> Any:
        value = self.local.get(key)
        if value is not MISSING:
            return value
        try:
            data = self.client.get(PREFIX + key)
        except (self._error, OSError) as exc:
            self._failed(exc)
            return MISSING
        if data is None:
            return MISSING
        value = pickle.loads(data)
        self.local.set(key, value)
        return value

    def set(self, key: str, value: Any) -> None:
        self.local.set(key, value)
        try:
            self.client.set(PREFIX + key, pickle.dumps(value, protocol=5), ex=TTL_SECONDS)
        except (self._error, OSError) as exc:
            self._failed(exc)

    def clear(self) -> None:
        """This process's entries (Redis's are left to expire; tests flush their own)."""
        self.local.clear()


# Each kind of entry has its own local budget: query results are small, rendered responses
# (figures as JSON) can be a few hundred kB each.
SIZES = {"queries": LOCAL_SIZE, "responses": 96}
_backends: dict[str, Any] = {"pid": None, "url": None, "caches": {}}
_lock = threading.Lock()


def backend(kind: str = "queries") -> Backend:
    """This process's cache of `kind`, made at first use (after a gunicorn fork) from
    VSLA_CACHE_URL."""
    url = os.environ.get("VSLA_CACHE_URL", "").strip() or None
    with _lock:
        if _backends["pid"] != os.getpid() or _backends["url"] != url:
            _backends.update(pid=os.getpid(), url=url, caches={})
        caches: dict[str, Backend] = _backends["caches"]
        if kind not in caches:
            size = SIZES.get(kind, LOCAL_SIZE)
            caches[kind] = RedisCache(url, local_size=min(size, 128)) if url else LocalCache(size)
        return caches[kind]


def key_of(parts: tuple[Any, ...]) -> str:
    """A stable text key for `parts` (their repr: dates, tuples, dataclasses), hashed."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def clear_all() -> None:
    """Forget this process's entries of every kind (tests; Redis's expire on their own)."""
    with _lock:
        caches = list(_backends["caches"].values()) if _backends["pid"] == os.getpid() else []
    for store in caches:
        store.clear()
