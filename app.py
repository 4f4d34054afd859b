"""Entry point: gunicorn serves `app:server`; `python app.py` serves on http://127.0.0.1:8050.

Serving needs $VSLA_SECRET_KEY (login sessions are signed with it): without it, this module
refuses to load, so gunicorn does not start."""

import sys

from dashboard.web.login import MissingSecretKey
from dashboard.web.server import create_app

try:
    app = create_app()
except MissingSecretKey as exc:
    print(f"Cannot serve the dashboard: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(3) from None
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
