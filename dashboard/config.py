"""Settings from the environment: one place that knows the variable names."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "pool.duckdb"


def pool_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The pool file: `--db PATH` if given, else $VSLA_DB, else data/pool.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("VSLA_DB")
    return Path(env) if env else DEFAULT_DB


@dataclass(frozen=True)
class Settings:
    db: Path
    threads: int
    memory_limit: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            db=pool_path(),
            threads=int(os.environ.get("VSLA_DB_THREADS", "2")),
            memory_limit=os.environ.get("VSLA_DB_MEMORY", "1GB"),
        )
