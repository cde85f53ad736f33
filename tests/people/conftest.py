"""The people's side: settings with a private data folder, and the raw database files."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings import Settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, data_dir=tmp_path / "data", _env_file=None
    )


def sqlite_files(database_url: str) -> list[Path]:
    """The database file and its WAL, as a forensic reader would open them."""
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


def raw_hits(database_url: str, needles: list[str]) -> list[str]:
    """Which needles appear, byte for byte, in the SQLite files (free pages and WAL too)."""
    hits = []
    for path in sqlite_files(database_url):
        data = path.read_bytes()
        hits += [f"{path.name}: {n!r}" for n in needles if n.encode() in data]
    return hits
