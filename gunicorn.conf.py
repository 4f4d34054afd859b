"""gunicorn settings read from the project folder (the README's deployment command runs there).

Each worker, once it has loaded the app and before it takes requests, opens the pool and
computes the landing page's view (dashboard.server.warm_up), so that the first visitor after
a start or a restart does not wait for the first queries and the empty caches.
"""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from dashboard.server import warm_up

    warm_up(worker.wsgi)
