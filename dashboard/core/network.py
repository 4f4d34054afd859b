"""The network's own fields (issue 8): what the network records beyond SAVIX's 24 group items,
declared in a configuration file and validated when the software starts.

The file is TOML, `data/network.toml` by default ($VSLA_NETWORK names another; the example
shipped with the project declares six fields). Each `[[field]]`:

    id = "formal_account"          # a-z, 0-9 and _, starting with a letter; the import column
    level = "dataset"              # group (a group's attribute) or dataset (each quarterly visit)
    type = "count"                 # count (of members), yesno, amount, category
    denominator = "members"        # count: members, women, men, youth or groups;
                                   # amount: members or groups; yesno, category: groups
    sdg = "8.10"                   # optional: the SDG target the field reports against
    direction = 1                  # 1 higher is better, -1 lower is better, 0 neither
    categories = ["a", "b"]        # category only: the values allowed
    [field.label]                  # en is required; da and fr fall back to en
    en = "Members with a formal account"
    [field.definition]
    en = "Members with an account at a bank, a microfinance institution or a mobile-money provider."

Every field becomes an indicator `ndf_<id>`: a share (count over its denominator, yes/no over
groups; ratio of sums over the active groups in scope), or an amount per member or group.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from dashboard.core import i18n
from dashboard.core.config import FILES_ROOT

Level = Literal["group", "dataset"]
FieldType = Literal["count", "yesno", "amount", "category"]
LEVELS: tuple[Level, ...] = ("group", "dataset")
TYPES: tuple[FieldType, ...] = ("count", "yesno", "amount", "category")
# what each type may be divided by (the first is the default)
DENOMINATORS: dict[str, tuple[str, ...]] = {
    "count": ("members", "women", "men", "youth", "groups"),
    "yesno": ("groups",),
    "amount": ("members", "groups"),
    "category": ("groups",),
}
# counts of people are at most their denominator (the import checks it, per dataset)
PEOPLE = ("members", "women", "men", "youth")
PREFIX = "ndf_"
ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SDG = re.compile(r"^(1[0-7]|[1-9])\.([0-9]{1,2}|[a-c])$")
KEYS = {"id", "level", "type", "denominator", "sdg", "direction", "categories", "label",
        "definition"}  # fmt: skip


UNITS = {
    "members": i18n.N_("share of members"),
    "women": i18n.N_("share of women"),
    "men": i18n.N_("share of men"),
    "youth": i18n.N_("share of youth"),
    "groups": i18n.N_("per group"),
    "groups_share": i18n.N_("share of groups"),
    "usd_members": i18n.N_("USD per member"),
    "usd_groups": i18n.N_("USD per group"),
}


class NetworkConfigError(ValueError):
    """The configuration file cannot be used; the message says where and what to change."""


@dataclass(frozen=True)
class NetworkField:
    id: str
    level: Level
    type: FieldType
    denominator: str
    labels: dict[str, str]
    definitions: dict[str, str]
    sdg: str | None = None
    direction: int = 1
    categories: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        """The column in the pool's groups or datasets table (ndf_<id>)."""
        return PREFIX + self.id

    @property
    def indicator_id(self) -> str:
        return PREFIX + self.id

    @property
    def table(self) -> str:
        return "groups" if self.level == "group" else "datasets"

    @property
    def label(self) -> str:
        """The label in the language in force (English where the file has none)."""
        return self.labels.get(i18n.babel_locale(), self.labels["en"])

    @property
    def definition(self) -> str:
        return self.definitions.get(i18n.babel_locale(), self.definitions.get("en", ""))

    @property
    def format(self) -> str:
        """How its indicator reads (dashboard.core.format kinds): a share, a number per group, or
        USD per member or group."""
        if self.type == "amount":
            return "usd"
        if self.type == "count" and self.denominator == "groups":
            return "decimal"
        return "pct"

    @property
    def unit(self) -> str:
        """What its indicator is a share of, or per what, in words of the language in force."""
        if self.type in ("yesno", "category"):
            return i18n.gettext(UNITS["groups_share"])
        if self.type == "amount":
            return i18n.gettext(UNITS[f"usd_{self.denominator}"])
        return i18n.gettext(UNITS[self.denominator])

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """A category field's indicators: (indicator id ndf_<id>__<category slug>, category)
        for each of its categories; the share of recording groups in that category."""
        return tuple((f"{self.indicator_id}__{slug(c)}", c) for c in self.categories)

    @property
    def sdg_goal(self) -> int | None:
        return int(self.sdg.split(".")[0]) if self.sdg else None


@dataclass(frozen=True)
class Network:
    path: Path | None
    fields: tuple[NetworkField, ...] = field(default=())

    def field(self, field_id: str) -> NetworkField:
        for f in self.fields:
            if f.id == field_id or f.indicator_id == field_id:
                return f
        raise KeyError(field_id)

    def of_table(self, table: str) -> tuple[NetworkField, ...]:
        return tuple(f for f in self.fields if f.table == table)

    @property
    def yesno(self) -> tuple[NetworkField, ...]:
        """The yes/no fields: the theme filters and comparisons the network adds."""
        return tuple(f for f in self.fields if f.type == "yesno")

    def yes_fields_sql(self, present: set[str]) -> str:
        """The SQL of a group's `yes_fields` in active.sql (the ids of the yes/no fields its
        group row `g` or latest dataset `l` answers yes, ';'-separated, as tags are), for
        the fields whose column the pool has (`present`). Ids are checked names (ID), so the
        text is safe to put into a query."""
        parts = [
            f"CASE WHEN {'g' if f.level == 'group' else 'l'}.{f.column}::VARCHAR = 'true' "
            f"THEN '{f.id}' END"
            for f in self.yesno
            if f.column in present and ID.match(f.id)
        ]
        return f"concat_ws(';', {', '.join(parts)})" if parts else "NULL::VARCHAR"


def field_id(text: str) -> str:
    """A field's id as a link, a flag or a file may write it: any case, ndf_ or not."""
    return text.strip().lower().removeprefix(PREFIX)


def slug(text: str) -> str:
    """A category as part of an indicator id: lower case, runs of other characters as _."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def config_path() -> Path:
    configured = os.environ.get("VSLA_NETWORK")
    return Path(configured) if configured else FILES_ROOT / "data" / "network.toml"


def load(path: Path | None = None) -> Network:
    """The network's fields from `path` (default: config_path()); no file, no fields."""
    path = path or config_path()
    if not path.exists():
        if os.environ.get("VSLA_NETWORK"):
            raise NetworkConfigError(
                f"{path}: no such file ($VSLA_NETWORK names it); create it or unset "
                "VSLA_NETWORK to use data/network.toml."
            )
        return Network(None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NetworkConfigError(f"{path}: not valid TOML ({exc}).") from exc
    unknown = set(data) - {"field"}
    if unknown:
        raise NetworkConfigError(
            f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
            "declare each field as a [[field]] table."
        )
    entries = data.get("field", [])
    if not isinstance(entries, list):
        raise NetworkConfigError(f"{path}: write each field as [[field]], not [field].")
    fields = [_field(path, i, entry) for i, entry in enumerate(entries, start=1)]
    seen: dict[str, int] = {}
    for i, f in enumerate(fields, start=1):
        if f.id in seen:
            raise NetworkConfigError(
                f"{path}, field {i} ({f.id}): the id is already used by field {seen[f.id]}; "
                "give each field its own id."
            )
        seen[f.id] = i
    return Network(path, tuple(fields))


@cache
def _cached(path: str, mtime: float) -> Network:
    return load(Path(path))


def current() -> Network:
    """The configured network, read again when its file changes."""
    path = config_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    if not path.exists():
        return load(path)
    return _cached(str(path), mtime)


def _field(path: Path, index: int, entry: Any) -> NetworkField:
    where = f"{path}, field {index}"
    if not isinstance(entry, dict):
        raise NetworkConfigError(f"{where}: expected a [[field]] table.")
    field_id = entry.get("id")
    if not isinstance(field_id, str) or not ID.match(field_id):
        raise NetworkConfigError(
            f"{where}: id must be a name of a-z, 0-9 and _ starting with a letter "
            f"(at most 40 characters), e.g. formal_account; found {field_id!r}."
        )
    where = f"{where} ({field_id})"
    if "__" in field_id:
        raise NetworkConfigError(
            f"{where}: the id may not hold two _ in a row (ndf_<id>__<category> names a "
            "category field's indicators); e.g. formal_account."
        )
    extra = set(entry) - KEYS
    if extra:
        raise NetworkConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(extra))}; "
            f"the keys are {', '.join(sorted(KEYS))}."
        )

    def one_of(key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = entry.get(key, default)
        if value not in allowed:
            raise NetworkConfigError(
                f"{where}: {key} must be one of {', '.join(allowed)}; found {value!r}."
            )
        return str(value)

    level = one_of("level", LEVELS)
    kind = one_of("type", TYPES)
    denominator = one_of("denominator", DENOMINATORS[kind], DENOMINATORS[kind][0])
    labels = _texts(where, entry, "label", required=True)
    definitions = _texts(where, entry, "definition", required=False)
    sdg = entry.get("sdg")
    if sdg is not None and (not isinstance(sdg, str) or not SDG.match(sdg)):
        raise NetworkConfigError(
            f"{where}: sdg must be an SDG target written as a string, goal.target "
            f'(e.g. "5.5", "8.10", "16.7", "13.1"); found {sdg!r}.'
        )
    direction = entry.get("direction", 1)
    if direction not in (-1, 0, 1) or isinstance(direction, bool):
        raise NetworkConfigError(
            f"{where}: direction must be 1 (higher is better), -1 (lower is better) or 0; "
            f"found {direction!r}."
        )
    categories: tuple[str, ...] = ()
    if kind == "category":
        raw = entry.get("categories")
        if (
            not isinstance(raw, list)
            or len(raw) < 2
            or not all(isinstance(c, str) and c.strip() for c in raw)
        ):
            raise NetworkConfigError(
                f'{where}: a category field needs categories = ["...", "..."], two or more.'
            )
        categories = tuple(c.strip() for c in raw)
        slugs = [slug(c) for c in categories]
        if not all(slugs) or len(set(slugs)) < len(slugs):
            raise NetworkConfigError(
                f"{where}: each category needs a letter or digit, and no two may differ only "
                f"in case or punctuation (their indicators are named by them); found {raw!r}."
            )
    elif "categories" in entry:
        raise NetworkConfigError(f"{where}: categories are for fields of type category only.")
    if kind == "count" and level == "group" and denominator != "groups":
        raise NetworkConfigError(
            f"{where}: a count of {denominator} changes at each visit: declare it with "
            'level = "dataset" (or count per group with denominator = "groups").'
        )
    return NetworkField(
        field_id,
        level,  # type: ignore[arg-type]
        kind,  # type: ignore[arg-type]
        denominator,
        labels,
        definitions,
        sdg,
        int(direction),
        categories,
    )


def _texts(where: str, entry: dict[str, Any], key: str, required: bool) -> dict[str, str]:
    value = entry.get(key)
    if value is None and not required:
        return {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or not isinstance(value.get("en"), str) or not value["en"]:
        raise NetworkConfigError(
            f'{where}: {key} needs an English text: [field.{key}] en = "..." '
            "(and da, fr for Danish and French)."
        )
    unknown = set(value) - set(i18n.LANGUAGES)
    if unknown:
        raise NetworkConfigError(
            f"{where}: {key} has text in {', '.join(sorted(unknown))}; "
            f"the languages are {', '.join(i18n.LANGUAGES)}."
        )
    return {lang: str(text) for lang, text in value.items() if str(text).strip()}
