"""Imports point one way: backend -> bot -> conversations."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "conversations": {
        "backend",
        "bot",
        "fastapi",
        "sqlalchemy",
        "aiogram",
        "telegram",
        "httpx",
        "pywa",
        "apscheduler",
        "starlette",
        "uvicorn",
        "aiohttp",
        "alembic",
    },
    "bot": {"backend", "sqlalchemy", "fastapi", "alembic"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_point_one_way() -> None:
    wrong = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _imports(path) & banned:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_the_check_itself_catches_a_wrong_arrow(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from backend.db import models\nimport sqlalchemy.orm\n")
    assert _imports(module) == {"backend", "sqlalchemy"}


def test_channel_types_stay_in_their_folder() -> None:
    leaks = []
    for path in sorted((ROOT / "backend").rglob("*.py")):
        for name in _imports(path) & {"aiogram", "telegram", "pywa"}:
            leaks.append(f"{path.relative_to(ROOT)} imports {name}")
    assert leaks == []
