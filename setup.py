"""The wheel carries the files the code reads beside itself. queries/ (the SQL), assets/ and
data/network.toml stay at the top of the repository (docs/ARCHITECTURE.md), where a checkout
reads them; building the wheel copies them into the package as dashboard/_files/, where an
installed wheel reads them (dashboard/core/config.py: FILES_ROOT). Nothing else of data/ is
shipped: the pools (*.duckdb) and user stores (*.sqlite) stay where they were made.
Everything else about the package is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder -> the files of it that the wheel ships
SHIPPED = {"queries": "*.sql", "assets": "**/*", "data": "network.toml"}
TARGET = Path("dashboard", "_files")


def shipped_files() -> list[Path]:
    """The files copied into dashboard/_files/, relative to the repository."""
    files: list[Path] = []
    for folder, pattern in SHIPPED.items():
        files += [p.relative_to(ROOT) for p in (ROOT / folder).glob(pattern) if p.is_file()]
    return sorted(files)


class BuildWithFiles(build_py):
    """setuptools' build_py, then the top-level files into the package (not for an editable
    install, which reads them in the checkout)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        # (a build in the checkout reuses build/lib: no file deleted since may stay in it)
        shutil.rmtree(Path(self.build_lib, TARGET), ignore_errors=True)
        for relative in shipped_files():
            target = Path(self.build_lib, TARGET, relative)
            self.mkpath(str(target.parent))
            self.copy_file(str(ROOT / relative), str(target))


setup(cmdclass={"build_py": BuildWithFiles})
