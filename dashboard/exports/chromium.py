"""The headless Chromium that the server starts (Kaleido's renderer for chart images, the
printer of PDF reports): where it is, and the switches that cut it off from the network.

What the server draws may hold names that came from imported files; whatever they hold, the
server's browser must not reach any host, this machine's own services included. Every
Chromium the server starts runs with OFFLINE_FLAGS: every host name and address, loopback
included, resolves to nothing, and every request that would still go out is sent to a proxy
that does not exist (with loopback's usual exemption from the proxy removed). It reads only
the page it is given, and what that page names from the file system: the renderer's own
plotly.js and the map geometry in assets/, the report's self-contained document.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

OFFLINE_FLAGS: tuple[str, ...] = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://0.0.0.0:0",
    "--proxy-bypass-list=<-loopback>",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--no-pings",
)

# Switches of choreographer's command line (Kaleido's browser) that the renderer does not
# need: it draws figures that the server built, from plotly.js on disk.
_DROPPED = ("--disable-web-security",)


def path() -> str:
    """The Chromium to start: $BROWSER_PATH, $CHROME_BIN, else Debian's."""
    return os.environ.get("BROWSER_PATH") or os.environ.get("CHROME_BIN") or "/usr/bin/chromium"


def offline_browser_class() -> type[Any]:
    """choreographer's Chromium (Kaleido's browser) with OFFLINE_FLAGS on its command line."""
    from choreographer.browsers.chromium import Chromium

    class OfflineChromium(Chromium):  # type: ignore[misc]
        def get_cli(self) -> Sequence[str]:
            cli = [arg for arg in super().get_cli() if arg not in _DROPPED]
            return [*cli, *OFFLINE_FLAGS]

    return OfflineChromium
