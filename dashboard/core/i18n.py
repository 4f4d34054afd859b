"""The dashboard's languages: English, Danish and French (issue 7).

Every user-facing string is written in English in the code and passed through `_()` (or
`ngettext()`); translations live in standard gettext catalogs, `dashboard/locale/<lang>/
LC_MESSAGES/messages.po`, which translators edit with the usual tools (Poedit, Weblate,
`pybabel update`). Strings defined at import time (module constants) are marked with `N_()` and
translated where they are shown, with `_(constant)`.

The language of a request is, in order: the link's `lang=` parameter (the page's own, or the
one in a callback's url.search, or the page that sent the request), then the browser's
Accept-Language, then English. Outside a request (the command line, exports made by scripts)
it is English unless a block runs `with using("da"):`.

`lang=qps` is a pseudo-language for tests: every string of the catalogs' template comes back
wrapped in ⟦ ⟧, so a page rendered in it shows at once any text that does not pass through a
catalog (or passes through `_()` as a variable the extraction cannot see).
"""

from __future__ import annotations

import contextvars
import functools
import gettext as gettext_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask
from babel import Locale
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"en": "English", "da": "Dansk", "fr": "Français"}
DEFAULT = "en"
PSEUDO = "qps"  # tests only: every translation wrapped in ⟦ ⟧, never offered in the switch
LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"
# Babel locales of the numbers and dates of each language (the pseudo-language formats as English)
BABEL_LOCALE = {"en": "en", "da": "da", "fr": "fr", PSEUDO: "en"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("vsla_lang", default=DEFAULT)


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it now (module constants)."""
    return message


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def _catalog(lang: str) -> dict[Any, Any]:
    """msgid (or (singular, plural)) -> translation, without fuzzy or empty entries."""
    return _load(lang)[0]


@functools.cache
def _plural(lang: str) -> Callable[[int], int]:
    """The index of a plural form for n, from the catalog's own Plural-Forms header (French
    has three forms in CLDR: one, many, other)."""
    return _load(lang)[1]


@functools.cache
def _load(lang: str) -> tuple[dict[Any, Any], Callable[[int], int]]:
    path = catalog_path(lang)
    if not path.exists():
        return {}, lambda n: int(n != 1)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    out: dict[Any, Any] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(message.string or ())
            if forms and all(forms):
                out[tuple(message.id)] = forms
        elif message.string:
            out[message.id] = message.string
    return out, gettext_module.c2py(catalog.plural_expr)


@functools.cache
def _pseudo() -> frozenset[Any]:
    """The msgids of the template (dashboard/locale/messages.pot): the pseudo-language wraps
    only these, so a string the extraction cannot see (`_(variable)`) shows up unwrapped."""
    path = LOCALE_DIR / f"{DOMAIN}.pot"
    if not path.exists():
        return frozenset()
    with path.open("rb") as handle:
        return frozenset(
            tuple(m.id) if isinstance(m.id, tuple | list) else m.id for m in read_po(handle) if m.id
        )


def reload() -> None:
    """Forget the loaded catalogs (tests that write one)."""
    _catalog.cache_clear()
    _plural.cache_clear()
    _load.cache_clear()
    _pseudo.cache_clear()


def normal(value: Any) -> str | None:
    """A supported language code from a parameter value ('da', 'DA', 'da-DK'), else None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    if code in LANGUAGES or code == PSEUDO:
        return code
    return None


def from_search(search: str | None) -> str | None:
    """The `lang=` of a query string, if it names a language."""
    if not search or "lang=" not in search:
        return None
    values = parse_qs(search.lstrip("?")).get("lang", [])
    return normal(values[-1]) if values else None


def _callback_search(request: flask.Request) -> str | None:
    """The url.search a Dash callback request carries among its inputs or states."""
    if b"lang=" not in request.get_data(cache=True):
        return None  # (no need to parse the body: uploads come this way too)
    body = request.get_json(silent=True, cache=True)
    if not isinstance(body, dict):
        return None
    for part in ("inputs", "state"):
        items = body.get(part)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("property") == "search":
                value = item.get("value")
                if isinstance(value, str):
                    return value
    return None


def explicit(request: flask.Request) -> str | None:
    """The language the request's own link names (`?lang=`, the last one), if any."""
    values = request.args.getlist("lang")
    return normal(values[-1]) if values else None


def negotiate(request: flask.Request) -> str:
    """The language of a request (see the module's description). The page that sent a
    request counts only for the page's own requests (its layout, its callbacks), from this
    site, not for a page load."""
    lang = explicit(request)
    if lang:
        return lang
    if request.method == "POST" and request.path.endswith("_dash-update-component"):
        lang = from_search(_callback_search(request))
        if lang:
            return lang
    if request.referrer and (request.path.startswith("/_dash-") or request.method == "POST"):
        try:
            sender = urlsplit(request.referrer)
        except ValueError:
            sender = None
        if sender is not None and sender.netloc == request.host:
            lang = from_search(sender.query)
            if lang:
                return lang
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or DEFAULT


_overridden: contextvars.ContextVar[bool] = contextvars.ContextVar("vsla_lang_set", default=False)


def current() -> str:
    """The language in force: that of the enclosing `using` block, else the request's."""
    if _overridden.get():
        return _current.get()
    if flask.has_request_context():
        lang = flask.g.get("lang")
        if lang is None:
            lang = flask.g.lang = negotiate(flask.request)
        return lang
    return _current.get()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Run a block in `lang` (a supported code; None keeps the current language)."""
    code = normal(lang) or current()
    token = _current.set(code)
    flag = _overridden.set(True)
    try:
        yield code
    finally:
        _current.reset(token)
        _overridden.reset(flag)


def gettext(message: str) -> str:
    lang = current()
    if lang == DEFAULT or not message:
        return message
    if lang == PSEUDO:
        return f"⟦{message}⟧" if message in _pseudo() else message
    return _catalog(lang).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = current()
    if lang == PSEUDO:
        text = singular if n == 1 else plural
        return f"⟦{text}⟧" if (singular, plural) in _pseudo() else text
    if lang != DEFAULT:
        forms = _catalog(lang).get((singular, plural))
        if forms:
            return forms[min(len(forms) - 1, _plural(lang)(abs(int(n))))]
    return singular if n == 1 else plural


_ = gettext


def babel_locale() -> str:
    """The Babel locale whose conventions format numbers and dates now."""
    return BABEL_LOCALE.get(current(), "en")


def install(server: flask.Flask) -> None:
    """Decide each request's language once, before anything renders."""

    @server.before_request
    def _language() -> None:
        flask.g.lang = negotiate(flask.request)


# plotly.js's own strings (its modebar and notifications), translated through our catalogs
PLOTLY_STRINGS = (
    N_("Autoscale"),
    N_("Box Select"),
    N_("Click to enter Colorscale title"),
    N_("Click to enter Component A title"),
    N_("Click to enter Plot title"),
    N_("Click to enter X axis title"),
    N_("Click to enter Y axis title"),
    N_("Compare data on hover"),
    N_("Double-click on legend to isolate one trace"),
    N_("Double-click to zoom back out"),
    N_("Download plot"),
    N_("Download plot as a png"),
    N_("Edit in Chart Studio"),
    N_("Lasso Select"),
    N_("Orbital rotation"),
    N_("Pan"),
    N_("Produced with Plotly.js"),
    N_("Reset"),
    N_("Reset axes"),
    N_("Reset camera to default"),
    N_("Reset camera to last save"),
    N_("Reset view"),
    N_("Reset views"),
    N_("Show closest data on hover"),
    N_("Snapshot succeeded"),
    N_("Sorry, there was a problem downloading your snapshot!"),
    N_("Taking snapshot - this may take a few seconds"),
    N_("Toggle Spike Lines"),
    N_("Toggle show closest data on hover"),
    N_("Turntable rotation"),
    N_("Zoom"),
    N_("Zoom in"),
    N_("Zoom out"),
)


def plotly_config() -> dict[str, Any]:
    """dcc.Graph config keys that make plotly.js speak the language in force: its modebar
    strings, month and day names and separators (registered with the graph, nothing to load)."""
    lang = current()
    if lang == DEFAULT:
        return {}
    locale = Locale.parse(babel_locale())
    symbols = locale.number_symbols["latn"]
    fmt = {
        "days": [locale.days["format"]["wide"][i] for i in (6, 0, 1, 2, 3, 4, 5)],
        "shortDays": [locale.days["format"]["abbreviated"][i] for i in (6, 0, 1, 2, 3, 4, 5)],
        "months": [locale.months["stand-alone"]["wide"][i] for i in range(1, 13)],
        "shortMonths": [locale.months["stand-alone"]["abbreviated"][i] for i in range(1, 13)],
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "date": "%d.%m.%Y" if babel_locale() == "da" else "%d/%m/%Y",
    }
    dictionary = {text: gettext(text) for text in PLOTLY_STRINGS}
    return {"locale": lang, "locales": {lang: {"dictionary": dictionary, "format": fmt}}}
