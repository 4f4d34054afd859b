"""Text as the importer stores and compares it: one normalisation for the checks and the write.

Every text cell is trimmed of Unicode white space at its ends and put in Unicode's NFKC form
(full-width ＵＧＡ becomes UGA, a no-break or em space an ordinary space). Beyond that:

- an **organisation**'s name has every run of white space inside it made one ASCII space,
  so that "Fjord Partners", "Fjord  Partners" and "Fjord Partners" followed by an em space
  are one organisation, not three that look the same;
- an **id** (project_id, group_id) may not hold control characters, format characters
  (zero-width spaces, byte-order marks, direction overrides) or spaces other than the ASCII
  space: they are invisible, or look like a space. A project id is moreover made of ASCII
  letters, digits, spaces and - _ . / ( ) only (SAVIX ids are codes such as BDI-DUT-01, and a
  Cyrillic А looks exactly like a Latin A); a group id may hold letters of any one script
  (groups are often known by a local name) but not of two (a Cyrillic а in a Latin id).

Two ids, or two organisation names, are **look-alikes** when their skeletons are equal but the
texts are not: the skeleton is the NFKC case-folded text without format characters, with
the Cyrillic and Greek letters that look like Latin ones (the common ones of Unicode's
confusables, UTS #39) read as those Latin letters. The validator refuses a look-alike of an
id or organisation the pool (or an earlier row of the import) already has, naming it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dashboard.core.i18n import _

# Characters allowed in a project id (after NFKC): ASCII letters, digits, space, - _ . / ( ).
PROJECT_ID_RE = r"[A-Za-z0-9 ._/()-]+"
# Joiners that some scripts (Persian, the Indic scripts) need inside words: allowed in names.
JOINERS = {"\u200c", "\u200d"}

# Cyrillic and Greek letters that look like Latin ones (upper and lower case drawn alike);
# from Unicode's confusables.txt, the letters of the two scripts that are confusable with a
# Latin letter on their own.
CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I", "Ѵ": "V", "Ԁ": "D",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ѵ": "v",
    "ү": "y", "к": "k",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Greek small letters
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "χ": "x",
    # Latin letters that look like others
    "ı": "i", "ȷ": "j",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(CONFUSABLES)


def normalise_text(text: str) -> str:
    """A text cell as stored: trimmed, NFKC."""
    return unicodedata.normalize("NFKC", text.strip()).strip()


def normalise_name(text: str) -> str:
    """An organisation's name as stored: NFKC, each run of white space one ASCII space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def skeleton(text: str) -> str:
    """What a text looks like: NFKC case-folded, without format characters, look-alike
    Cyrillic and Greek letters read as Latin, white space runs as one space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_CONFUSABLE_TABLE)
    return " ".join(unicodedata.normalize("NFKC", text.casefold()).split())


def describe(ch: str) -> str:
    """A character as a person can look it up: U+200B ZERO WIDTH SPACE."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".strip()


def _script(ch: str) -> str | None:
    """The script of a letter, by the first word of its Unicode name (LATIN, CYRILLIC,
    GREEK, ARABIC, ...); None for anything but a letter."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else None


def invisible(text: str, *, joiners: bool = False) -> str | None:
    """The first control, format or non-ASCII space character inside `text` (described),
    or None. `joiners`: the zero-width (non-)joiners some scripts need are allowed."""
    for ch in text:
        category = unicodedata.category(ch)
        if joiners and ch in JOINERS:
            continue
        if category in ("Cc", "Cf", "Zl", "Zp") or (
            ch != " " and (category == "Zs" or ch.isspace())
        ):
            return describe(ch)
    return None


@dataclass(frozen=True)
class Problem:
    """What is wrong with an id or name as written (code, and the character in words)."""

    code: str  # invisible, project_id_chars, scripts
    detail: str


def id_problem(column: str, written: str) -> Problem | None:
    """Why an id cannot be used as written (trimmed, before NFKC), or None."""
    found = invisible(written)
    if found:
        return Problem("invisible", found)
    value = normalise_text(written)
    if column == "project_id":
        for ch in value:
            if not re.fullmatch(PROJECT_ID_RE, ch):
                return Problem("project_id_chars", describe(ch))
        return None
    scripts: dict[str, str] = {}
    for ch in value:
        script = _script(ch)
        if script and script not in scripts:
            scripts[script] = ch
    if len(scripts) > 1:
        shown = ", ".join(f"{script.title()} ({describe(ch)})" for script, ch in scripts.items())
        return Problem("scripts", shown)
    return None


def name_problem(written: str) -> Problem | None:
    """Why an organisation's name cannot be used as written, or None."""
    found = invisible(" ".join(written.split()), joiners=True)
    return Problem("invisible", found) if found else None


def how_they_differ(value: str, existing: str) -> str:
    """Why two look-alikes are not the same text, in words: the letter case, or the
    characters of `value` that are not plain ASCII."""
    odd = []
    for ch in value:
        if (ord(ch) > 0x7E or ord(ch) < 0x20) and ch not in existing:
            text = describe(ch)
            if text not in odd:
                odd.append(text)
    if odd:
        return _("it holds {characters}").format(characters=", ".join(odd))
    if value.casefold() == existing.casefold():
        return _("they differ only in upper and lower case")
    return _("they differ only in spaces or in characters that look alike")
