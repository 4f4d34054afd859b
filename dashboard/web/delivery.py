"""How the app's files reach the browser (issue 20): compressed when the browser accepts it,
kept by the browser for a year when their address names their version, and plotly.js as the
partial bundle in assets/ (scripts/plotly_bundle.py) instead of the full library.

- **Compression** (Flask-Compress): JavaScript, CSS and every callback's JSON (not the pages) are
  sent zstd-, brotli-, gzip- or deflate-compressed, as the request's Accept-Encoding allows
  (the figures' JSON shrinks to about a tenth), the files in assets/ too. Registered before
  any other `after_request`, so that it runs last: the kept answers (dashboard/web/responses.py)
  keep the plain JSON.
- **Caching**: an asset's address carries its file's modification time (`?m=`) and a
  component's script its version (Dash's fingerprint), so either can be kept for a year
  without asking again; other files (the fonts and the map geometry, fetched by plain
  address) are revalidated, and the page and callbacks are not cached.
- **plotly.js**: dcc.Graph draws with `window.Plotly` when a script has defined it before the
  graph mounts, and fetches Dash's full plotly.min.js (4.8 MB) only otherwise; the partial
  bundle in assets/ (bar, box, choropleth, scattergeo and the core's scatter: 1.4 MB) is
  loaded with the page's other scripts, so the full library is never requested.
"""

from __future__ import annotations

import flask
from dash import Dash
from flask_compress import Compress

YEAR = 365 * 24 * 3600
VERSIONED = "public, max-age=31536000, immutable"
COMPRESSED = [
    "application/javascript",
    "text/javascript",
    "text/css",
    "application/json",
    "image/svg+xml",
]


def _assets_endpoints(server: flask.Flask, assets_path: str) -> list[str]:
    return sorted(
        {
            rule.endpoint
            for rule in server.url_map.iter_rules()
            if rule.rule.startswith(assets_path) and rule.endpoint.endswith("static")
        }
    )


def register(app: Dash) -> None:
    """Compression and cache headers (call right after the app is made, before any other
    `after_request` is registered)."""
    server = app.server
    assets_path = "/" + str(app.config.assets_url_path).strip("/") + "/"
    # Static files are streamed: after compressing them, answer a conditional request
    # (If-None-Match with the compressed file's ETag) with 304 as the plain file would be.
    server.config.setdefault(
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL",
        ["static", *_assets_endpoints(server, assets_path)],
    )
    # Not the pages (text/html): the sign-in page carries the CSRF token beside what the
    # visitor typed, and a compressed length can leak such a secret (BREACH). Pages are
    # small; the scripts, styles and callback answers are what weigh.
    server.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    # Files are streamed, and Flask-Compress streams zstd, brotli and deflate only by default:
    # a client that accepts gzip alone got the plotly bundle plain (1.4 MB instead of 0.5)
    server.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    Compress(server)

    @server.after_request
    def cache_versioned(response: flask.Response) -> flask.Response:
        request = flask.request
        if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
            return response
        path = request.path
        versioned_asset = path.startswith(assets_path) and "m" in request.args
        fingerprinted = "/_dash-component-suites/" in path and (
            response.cache_control.max_age == YEAR
        )
        if versioned_asset or fingerprinted:
            response.headers["Cache-Control"] = VERSIONED
        return response
