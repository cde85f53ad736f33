"""`massar staff create` and `massar staff token`, as a deployer runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from backend.app.main import create_app
from backend.cli import app
from backend.settings import Settings


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MASSAR_DATABASE_URL", url)
    return url


def test_create_then_token_then_call_the_api(cli_db: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["staff", "create", "Amina@Example.org", "--name", "Amina", "--role", "supervisor",
         "--program", "iess", "--program", "utss-cad", "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    issued = runner.invoke(app, ["staff", "token", "amina@example.org"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("mst_") and " " not in token

    async def me() -> httpx.Response:
        api = create_app(Settings(database_url=cli_db, _env_file=None), background=False)  # type: ignore[call-arg]
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    response = asyncio.run(me())
    assert response.status_code == 200
    assert response.json()["programs"] == ["iess", "utss-cad"]
    assert response.json()["email"] == "amina@example.org"
    revoked = runner.invoke(app, ["staff", "revoke", "amina@example.org"])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agent", "--program", "nope"], "unknown program nope"),
        (["--role", "agent"], "needs at least one --program"),
        (["--role", "boss"], "role must be one of"),
    ],
)
def test_create_refuses_mistakes(cli_db: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["staff", "create", "x@example.org", "--name", "X", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_duplicate_email_and_unknown_token_owner(cli_db: str) -> None:
    runner = CliRunner()
    args = ["staff", "create", "x@example.org", "--name", "X", "--role", "admin"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.output
    missing = runner.invoke(app, ["staff", "token", "nobody@example.org"])
    assert missing.exit_code == 1
