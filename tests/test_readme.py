"""The README's facts that a test can check: it sends readers to nothing outside the
repository, the two commands come first, every command, make target, flag and file it names
exists, and its counts (pages, tests) and the Makefile's settings are the real ones."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
]
NUMBERS += ["fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def code() -> list[str]:
    """The README's code: inline spans (which may run over a line end) and block lines."""
    fence = r"^ *```[a-z]*\n(.*?)^ *```"
    blocks = re.findall(fence, README, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(fence, "", README, flags=re.MULTILINE | re.DOTALL)
    spans = [
        " ".join(s.split())
        for paragraph in prose.split("\n\n")
        for s in re.findall(r"`([^`]+)`", paragraph)
    ]
    return spans + [line for block in blocks for line in block.splitlines()]


def vsla_options() -> dict[str, set[str]]:
    """Each `vsla` subcommand (and `user` action, as "user add") -> its options."""
    from dashboard.cli import build_parser

    def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    found: dict[str, set[str]] = {}
    for name, parser in subparsers(build_parser()).items():
        found[name] = {o for a in parser._actions for o in a.option_strings}
        for action, sub in subparsers(parser).items():
            found[f"{name} {action}"] = found[name] | {
                o for a in sub._actions for o in a.option_strings
            }
    return found


def test_the_readme_sends_readers_to_nothing_outside_the_repository():
    for outside in ("spec/", "../shared", "INDICATORS.md", "DATA.md", "STYLE.md"):
        assert outside not in README, outside


def test_the_command_line_sends_readers_to_nothing_outside_the_repository():
    """(`vsla indicators --help` named an INDICATORS.md that is not there.)"""
    from dashboard.cli import build_parser

    parser = build_parser()
    texts = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            texts += [sub.format_help() for sub in action.choices.values()]
    named = set(re.findall(r"[\w./-]+\.(?:md|toml|sql|py|txt)\b", " ".join(texts)))
    assert named
    for name in named:
        assert (ROOT / name).exists(), f"the command line names {name}"
    help_text = " ".join(texts)
    assert "Indicators from the command line" in help_text
    assert "\n## Indicators from the command line\n" in README


def test_the_two_commands_are_the_first_section():
    sections = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)
    assert sections[0] == "The two commands"
    first = section("The two commands")
    assert "make run" in first and "make test" in first and "root" in first


def test_the_port_and_address_of_make_run_are_the_makefiles():
    first = section("The two commands")
    settings = dict(re.findall(r"^(HOST|PORT)\s*\?=\s*(\S+)$", MAKEFILE, flags=re.MULTILINE))
    assert set(settings) == {"HOST", "PORT"}
    assert f"http://{settings['HOST']}:{settings['PORT']}" in first  # the default
    assert "`make run PORT=8080`" in first and "`make run HOST=0.0.0.0`" in first
    assert "--host $(HOST) --port $(PORT)" in MAKEFILE  # what they change


def test_every_command_line_in_the_readme_is_a_real_command():
    options = vsla_options()
    used = re.findall(r"(?<![\w-])vsla (\w+)", README)
    assert used and set(used) <= set(options), set(used) - set(options)


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z]+):", MAKEFILE, re.MULTILINE))
    named = {m for line in code() for m in re.findall(r"(?:^|\s)make ([a-z]+)\b", line)}
    assert {"run", "test", "check", "lock", "unit"} <= named
    assert named <= targets, named - targets


def test_every_flag_the_readme_gives_vsla_exists():
    """In a `vsla <command>` line, each flag is that command's; a flag on its own (`--by`)
    is one of some `vsla` command's, unless it is one of the other programs named here."""
    options = vsla_options()
    every = set().union(*options.values())
    others = {"--forwarded-allow-ips", "--durations"}  # gunicorn's (Deploying), pytest's
    checked = 0
    for line in code():
        line = line.split("#", 1)[0]
        for match in re.finditer(r"(?<![\w-])vsla ((?:user )?\w+)(.*)", line):
            command, rest = match.groups()
            command = command if command in options else command.split()[0]
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
                assert flag in options[command], f"vsla {command} has no {flag}"
                checked += 1
        if line.startswith("--"):
            flag = line.split()[0].split("=")[0]
            assert flag in every or flag in others, f"no vsla command has {flag}"
            checked += 1
    assert checked > 30


def test_every_file_the_readme_names_exists():
    links = re.findall(r"\]\(((?:docs|assets|scripts|dashboard|queries|tests)/[^)#]+)\)", README)
    assert links
    for link in links:
        assert (ROOT / link).exists(), link
    named = re.findall(
        r"(?<![\w./-])((?:dashboard|queries|assets|scripts|tests|docs|deploy|data)/[\w./{},-]*)",
        README,
    )
    named += re.findall(
        r"`((?:setup|app|gunicorn\.conf)\.py|pyproject\.toml|requirements\.lock|Makefile)`",
        README,
    )
    assert len(named) > 50
    for name in {n.rstrip(".,") for n in named}:
        if name.startswith("data/") and name.endswith(".duckdb"):
            continue  # a pool the commands make
        if name.startswith("dashboard/_files"):  # the wheel's copies (setup.py makes them)
            assert 'TARGET = Path("dashboard", "_files")' in (ROOT / "setup.py").read_text()
            continue
        for alternative in re.findall(r"\{([^}]*)\}", name)[:1] or [""]:
            paths = (
                [re.sub(r"\{[^}]*\}", a, name, count=1) for a in alternative.split(",")]
                if alternative
                else [name]
            )
            for path in paths:
                assert (ROOT / path).exists(), path


def test_the_number_of_pages_is_the_apps(hand_app):
    """Every page registered (the menu's and the presentation mode) and the sign-in page, in
    the first lines and in the table of pages."""
    import dash

    from dashboard.web.login import LOGIN_PATH
    from dashboard.web.server import PAGES

    registered = {page["path"] for page in dash.page_registry.values()}
    intro = README.split("\n## ", 1)[0]
    assert f"{NUMBERS[len(registered)]} pages" in intro
    assert f"({NUMBERS[len(PAGES)]} in its menu, a **presentation mode**" in intro
    assert "a\n  sign-in page" in intro or "a sign-in page" in intro
    table = section("The dashboard").strip().split("\n\n", 1)[0]
    listed = set(re.findall(r"^\| `(/[a-z]*)`", table, flags=re.MULTILINE))
    assert listed == registered | {LOGIN_PATH}


def test_the_number_of_tests_is_about_right():
    """ "About N tests": the number collected, rounded down to a hundred."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    count = int(re.search(r"^(\d+) tests? collected", collected.stdout, re.MULTILINE).group(1))
    said = re.findall(r"about ([\d,]+) tests", README)
    assert said, "the README says how many tests there are, as about N"
    rounded = count // 100 * 100
    for text in said:
        assert int(text.replace(",", "")) == rounded, (
            f"the README says about {text} tests; there are {count}: write about {rounded:,}"
        )


def test_make_run_builds_the_demo_pool_when_there_is_none(tmp_path):
    """The README's first command sets up, builds the demo pool if none exists and serves:
    `make run` on a fresh clone (no data/pool.duckdb) has a rule that builds it (a Makefile
    edit once dropped that rule, and a fresh clone's `make run` stopped at "No rule to make
    target 'data/pool.duckdb'")."""
    pool = tmp_path / "pool.duckdb"
    done = subprocess.run(
        ["make", "-n", "run", f"DEMO_DB={pool}", f"DB={pool}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"vsla demo --db {pool}" in done.stdout
    assert "vsla serve" in done.stdout
