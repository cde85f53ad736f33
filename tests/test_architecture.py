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


# --- One folder per domain in backend/ ---------------------------------------------------

BACKEND = ROOT / "backend"
#: The backend's folders that are not a domain: shared plumbing and the app's composition.
SHARED = {"api", "app", "db", "channels", "web"}
#: The modules that are HTTP routes: thin, they fetch, 404 and delegate.
ROUTE_MODULES = {"api.py", "audit_api.py", "webhook.py", "webchat.py"}


def _from_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for each absolute ``from module import name`` in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
    ]


def _modules_imported(path: Path) -> set[str]:
    """Every module ``path`` imports, including ``from package import module``."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    for module, name in _from_imports(path):
        found |= {module, f"{module}.{name}"}
    return found


def _domains() -> list[Path]:
    return sorted(
        p for p in BACKEND.iterdir() if (p / "__init__.py").exists() and p.name not in SHARED
    )


def test_the_domains_are_folders_of_backend() -> None:
    names = {p.name for p in _domains()}
    assert names >= {
        "people",
        "conversations",
        "cases",
        "applications",
        "loans",
        "trainings",
        "reminders",
        "broadcasts",
        "surveys",
        "staff",
    }
    assert not (BACKEND / "services").exists()


def test_no_module_imports_another_domains_routes() -> None:
    """Routes are leaves: only the router (and the app factory) put them together."""
    wrong = []
    allowed = {BACKEND / "api" / "router.py", BACKEND / "app" / "main.py"}
    for path in sorted(BACKEND.rglob("*.py")):
        if path in allowed:
            continue
        for module in _modules_imported(path):
            parts = module.split(".")
            is_route = parts[0] == "backend" and f"{parts[-1]}.py" in ROUTE_MODULES
            if is_route and not module.startswith(".".join(path.relative_to(ROOT).parts[:-1])):
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_no_sql_in_a_route() -> None:
    """A route fetches, 404s and delegates; its queries live in a service or queries module."""
    wrong = []
    for path in sorted(BACKEND.rglob("*.py")):
        if path.name not in ROUTE_MODULES:
            continue
        for module in _modules_imported(path):
            if module.startswith("sqlalchemy") and not module.startswith("sqlalchemy.ext.asyncio"):
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_models_depend_only_on_the_database_layer() -> None:
    """A domain's models import the shared base and types, never a service."""
    wrong = []
    for domain in _domains():
        models = domain / "models.py"
        if not models.exists():
            continue
        for module in _modules_imported(models):
            if module.startswith("backend") and not module.startswith("backend.db"):
                wrong.append(f"{models.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_private_helpers_stay_private() -> None:
    """Nobody imports another module's ``_name``: what is shared gets a public name."""
    wrong = []
    for package in ("backend", "bot", "conversations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for module, name in _from_imports(path):
                if name.startswith("_") and module.split(".")[0] in {
                    "backend",
                    "bot",
                    "conversations",
                }:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}.{name}")
    assert wrong == []


def _strings_outside_docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_only_the_backend_knows_the_setting_names() -> None:
    """Channels and the engine get plain values; the ``MASSAR_*`` names belong to Settings."""
    wrong = []
    for package in ("bot", "conversations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            wrong += [
                f"{path.relative_to(ROOT)}: {text!r}"
                for text in _strings_outside_docstrings(path)
                if "MASSAR_" in text
            ]
    assert wrong == []


def test_the_readme_names_every_folder_of_backend() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    architecture = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    folders = sorted(
        p.relative_to(ROOT).as_posix()
        for p in BACKEND.rglob("*")
        if p.is_dir() and (p / "__init__.py").exists() and "migrations" not in p.parts
    )
    assert [f for f in folders if f"{f}/" not in architecture] == []
