"""The network's own fields (issue 8): the configuration file, validated with messages that say
where and what to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core import i18n, network
from dashboard.core.network import NetworkConfigError

GOOD = """
[[field]]
id = "formal_account"
level = "dataset"
type = "count"
denominator = "members"
sdg = "8.10"
[field.label]
en = "Members with a formal account"
da = "Medlemmer med en formel konto"

[[field]]
id = "peacebuilding"
level = "group"
type = "yesno"
sdg = "16.7"
label = "Takes part in peacebuilding"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "network.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_declares_the_issues_six_fields():
    shipped = network.load(network.config_path())
    assert [f.id for f in shipped.fields] == [
        "women_leaders",
        "peacebuilding",
        "formal_account",
        "bank_linked",
        "disability",
        "climate_adaptation",
    ]
    assert {f.sdg for f in shipped.fields} == {"5.5", "16.7", "8.10", "10.2", "13.1"}
    for f in shipped.fields:  # every label and definition in the three languages
        assert set(f.labels) == set(f.definitions) == set(i18n.LANGUAGES)


def test_a_field_has_its_column_indicator_label_and_defaults(tmp_path):
    config = network.load(write(tmp_path, GOOD))
    account, peace = config.fields
    assert (account.column, account.indicator_id, account.table) == (
        "ndf_formal_account",
        "ndf_formal_account",
        "datasets",
    )
    assert (peace.table, peace.denominator, peace.direction, peace.sdg_goal) == (
        "groups",
        "groups",
        1,
        16,
    )
    with i18n.using("da"):
        assert account.label == "Medlemmer med en formel konto"
    with i18n.using("fr"):  # no French label: the English one
        assert account.label == "Members with a formal account"
    assert config.field("ndf_peacebuilding") is peace
    assert config.of_table("groups") == (peace,)


def test_no_file_means_no_fields(tmp_path, monkeypatch):
    monkeypatch.delenv("VSLA_NETWORK", raising=False)
    assert network.load(tmp_path / "absent.toml").fields == ()


def test_a_named_file_that_is_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("VSLA_NETWORK", str(tmp_path / "absent.toml"))
    with pytest.raises(NetworkConfigError, match=r"absent\.toml: no such file"):
        network.load()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('id = "formal_account"', None),
        ('id = "Formal account"', r"field 1: id must be a name of a-z.*'Formal account'"),
        ('level = "dataset"', None),
        ('level = "visit"', r"field 1 \(formal_account\): level must be one of group, dataset"),
        ('type = "count"', None),
        ('type = "percent"', r"type must be one of count, yesno, amount, category"),
        ('denominator = "members"', None),
        ('denominator = "households"', r"denominator must be one of members, women, men"),
        ('sdg = "8.10"', None),
        ('sdg = "8"', r'sdg must be an SDG target .* \(e.g. "5.5"'),
        ("sdg = 8.1", r"sdg must be an SDG target"),
        ('id = "formal__account"', r"the id may not hold two _ in a row"),
    ],
)
def test_each_mistake_is_named_with_its_place(tmp_path, change, message):
    key = change.split(" = ")[0]
    first = next(line for line in GOOD.splitlines() if line.startswith(f"{key} = "))
    text = GOOD.replace(first, change, 1)  # the first field's line of that key
    path = write(tmp_path, text)
    if message is None:
        assert len(network.load(path).fields) == 2
    else:
        with pytest.raises(NetworkConfigError, match=message) as info:
            network.load(path)
        assert str(path) in str(info.value)


def test_other_mistakes(tmp_path):
    cases = {
        GOOD + GOOD: r"field 3 \(formal_account\): the id is already used by field 1",
        GOOD.replace('en = "Members with a formal account"\n', ""): r"label needs an English",
        GOOD.replace(
            '[[field]]\nid = "peacebuilding"', '[[field]]\nid = "peacebuilding"\ncolour = "red"'
        ): r"unknown key\(s\) colour",
        GOOD + '\n[[field]]\nid = "x"\nlevel = "group"\ntype = "category"\nlabel = "X"\n': (
            r"a category field needs categories"
        ),
        GOOD.replace('sdg = "16.7"', 'sdg = "16.7"\ndirection = 2'): r"direction must be 1",
        GOOD
        + '\n[[field]]\nid = "x"\nlevel = "group"\ntype = "category"\nlabel = "X"\n'
        + 'categories = ["One key", "one-key"]\n': r"no two may differ only in case",
        GOOD.replace('level = "dataset"', 'level = "group"', 1): (
            r'a count of members changes at each visit: declare it with level = "dataset"'
        ),
        "[field]\nid = 1": r"write each field as \[\[field\]\]",
        "fields = 3": r"unknown section\(s\) fields",
        "[[field]\n": r"not valid TOML",
    }
    for text, message in cases.items():
        with pytest.raises(NetworkConfigError, match=message):
            network.load(write(tmp_path, text))
