"""The message catalogs: extract the strings of the code, merge them into each language's .po,
and check that every one is translated (translators' tooling; `make messages`).

    python -m dashboard.core.catalogs extract   # dashboard/locale/messages.pot from the code
    python -m dashboard.core.catalogs update    # merge it into da and fr (new strings empty)
    python -m dashboard.core.catalogs check     # exit 1 when a string lacks a translation

The .po files are edited with the usual tools (Poedit, Weblate, a text editor); entries marked
fuzzy count as missing. tests/test_i18n.py runs the same check.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dashboard import __version__
from dashboard.core import i18n

SOURCE = Path(__file__).parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
TRANSLATED = tuple(code for code in i18n.LANGUAGES if code != i18n.DEFAULT)
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def extract() -> Catalog:
    """Every string of the code marked with _(), N_(), gettext() or ngettext()."""
    catalog = Catalog(project="vsla-dashboard", version=__version__, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        if not message or (isinstance(message, tuple) and not all(message)):
            continue
        catalog.add(
            message,
            None,
            [(f"dashboard/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def read(lang: str) -> Catalog:
    path = i18n.catalog_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="vsla-dashboard", version=__version__)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def read_template() -> Catalog:
    with (i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True
        )


def write_template(template: Catalog) -> Path:
    path = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
    _write(template, path)
    return path


def update(template: Catalog) -> None:
    """Merge the code's strings into each language (new ones empty, gone ones dropped)."""
    for lang in TRANSLATED:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        _write(catalog, i18n.catalog_path(lang))


def placeholders(text: str) -> set[str]:
    """The str.format fields of a message ({name}, {n:,}); plotly's %{...} are not fields."""
    return {m.group(1) for m in PLACEHOLDER.finditer(text) if not text[: m.start()].endswith("%")}


def problems(template: Catalog | None = None) -> list[str]:
    """What keeps the catalogs from being complete: untranslated or fuzzy strings, and
    translations whose {placeholders} differ from the English."""
    template = template or extract()
    out: list[str] = []
    for lang in TRANSLATED:
        catalog = read(lang)
        for message in template:
            if not message.id:
                continue
            where = message.locations[0][0] if message.locations else "?"
            found = catalog.get(message.id, message.context)
            strings = (
                list(found.string)
                if found is not None and isinstance(found.string, tuple | list)
                else [found.string if found is not None else ""]
            )
            if found is None or found.fuzzy or not all(strings):
                out.append(f"{lang}: no translation of {message.id!r} ({where})")
                continue
            ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
            wanted = set().union(*(placeholders(i) for i in ids))
            for text in strings:
                if placeholders(text) != wanted:
                    out.append(
                        f"{lang}: placeholders of {text!r} differ from {message.id!r} ({where})"
                    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.core.catalogs", description=__doc__)
    parser.add_argument("command", choices=("extract", "update", "check"))
    args = parser.parse_args(argv)
    template = extract()
    if args.command in ("extract", "update"):
        path = write_template(template)
        print(f"{len(template)} strings -> {path}")
    if args.command == "update":
        update(template)
        print("merged into " + ", ".join(str(i18n.catalog_path(lang)) for lang in TRANSLATED))
    found = problems(template)
    for line in found[:50]:
        print(line)
    if len(found) > 50:
        print(f"... and {len(found) - 50} more")
    if args.command == "check":
        print(f"{len(found)} problems")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
