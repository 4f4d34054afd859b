"""gunicorn settings read from the project folder (the README's deployment command runs there).

Workers: threads, each request handed to a thread only once it has arrived
(dashboard.web.serving.ThreadWorker), so that clients that send slowly hold no thread and a
long export does not stop a worker from answering; a worker is restarted only when its
main loop stops answering for `timeout` seconds, never because one request is long (heavy
work has its own bounds: dashboard/exports/heavy.py). Each worker, once it has loaded the app and
before it takes requests, opens the pool and computes the landing page's view
(dashboard.web.server.warm_up), so that the first visitor after a start or a restart does not
wait for the first queries and the empty caches.

Command-line options and GUNICORN_CMD_ARGS override these.
"""

from typing import Any

worker_class = "dashboard.web.serving.ThreadWorker"
threads = 4  # per worker: pages' callbacks at once (heavy work takes at most 2 of them)
timeout = 30  # seconds a worker's main loop may be silent before it is restarted
graceful_timeout = 30  # seconds for requests under way to finish on a restart
keepalive = 5  # seconds an idle kept-alive connection stays open
worker_connections = 1000  # connections a worker holds, most of them waiting


def post_worker_init(worker: Any) -> None:
    from dashboard.web.server import warm_up

    warm_up(worker.wsgi)
