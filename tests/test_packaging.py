"""The package builds cleanly: setuptools finds every folder of it (the translation
catalogs included) and warns of nothing left out."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_package_and_its_catalogs_without_warnings(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    output = built.stdout + built.stderr
    assert "absent from the `packages` configuration" not in output
    (wheel,) = tmp_path.glob("vsla_dashboard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "dashboard/ingest/read.py",
        "dashboard/pages/overview.py",
        "dashboard/components/shell.py",
        "dashboard/locale/da/LC_MESSAGES/messages.po",
        "dashboard/locale/fr/LC_MESSAGES/messages.po",
        "dashboard/templates/report.html",  # (the report and the sign-in page: templating.py)
        "dashboard/templates/report.css",
        "dashboard/templates/login.html",
    ):
        assert needed in names
