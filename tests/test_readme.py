"""The README's facts that a test can check: it sends readers to nothing outside the
repository, the two commands come first, every command and file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_sends_readers_to_nothing_outside_the_repository():
    for outside in ("spec/", "../shared", "INDICATORS.md", "DATA.md", "STYLE.md"):
        assert outside not in README, outside


def test_the_two_commands_are_the_first_section():
    sections = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)
    assert sections[0] == "The two commands"
    first = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    assert "make run" in first and "make test" in first and "root" in first


def test_every_command_line_in_the_readme_is_a_real_command():
    from dashboard.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)
    used = re.findall(r"\.venv/bin/vsla (\w+)", README)
    assert used and set(used) <= commands
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    assert set(re.findall(r"`make (\w+)`", README)) <= targets


def test_every_file_the_readme_links_exists():
    links = re.findall(r"\]\(((?:docs|assets|scripts|dashboard|queries|tests)/[^)#]+)\)", README)
    assert links
    for link in links:
        assert (ROOT / link).exists(), link
