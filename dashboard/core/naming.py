"""How files are named and where their links point: a file's name from its title and the
view (`file_name`), and the site's address that files may carry (`site_url`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date

# --- Links in files ------------------------------------------------------------------------

BASE_URL_ENV = "VSLA_BASE_URL"
TRUSTED_HOSTS_ENV = "VSLA_TRUSTED_HOSTS"


def site_url() -> str:
    """The site's address for the links that files carry (a deck's title slide, a report's
    line "dashboard view: ..."): $VSLA_BASE_URL (e.g. https://vsla.example.org); without it,
    the request's own scheme and host only when the host is one of $VSLA_TRUSTED_HOSTS
    (comma-separated names, with a port if the address has one); else "" (the links are
    paths on the site). The Host header as a client sent it never reaches a file."""
    base = os.environ.get(BASE_URL_ENV, "").strip()
    if base:
        return base.rstrip("/")
    import flask

    if not flask.has_request_context():
        return ""
    trusted = {
        h.strip().lower() for h in os.environ.get(TRUSTED_HOSTS_ENV, "").split(",") if h.strip()
    }
    host = flask.request.host.lower()
    named = host in trusted or host.rsplit(":", 1)[0] in trusted
    if named and re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", host):
        return f"{flask.request.scheme}://{host}"
    return ""


# Letters that do not decompose into a Latin letter and an accent (a translated title in a
# file name: "Økonomi" -> "Okonomi", "Cœur" -> "Coeur").
_ASCII = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss"})


def slug(text: str, lower: bool = True) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(c for c in plain if not unicodedata.combining(c))  # "Coût" -> "Cout"
    return re.sub(r"[^A-Za-z0-9]+", "-", plain.lower() if lower else plain).strip("-")


def file_name(title: str, parts: list[str], as_of: date | None, extension: str) -> str:
    """e.g. cost-per-member-by-project_UGA_2025-09-30.png (filter values keep their case)."""
    pieces = [slug(title) or "chart", *(slug(p, lower=False) for p in parts if p)]
    if as_of:
        pieces.append(as_of.isoformat())
    return "_".join(pieces) + f".{extension}"
