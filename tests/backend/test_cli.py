"""The terminal chat and the database command, run as a deployer would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _massar(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASSAR_")}
    env["MASSAR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return subprocess.run(  # noqa: S603 - our own command line, fixed arguments
        [sys.executable, "-c", "from backend.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_db_upgrade(tmp_path: Path) -> None:
    result = _massar(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").exists()


def test_terminal_chat_completes_an_application_and_remembers_it(tmp_path: Path) -> None:
    answers = [
        "4",
        "essor-biosp",
        "1",  # apply, BIOSP, I agree
        "29",
        "1",
        "3",
        "2",
        "2",  # age, woman, Mozambique, informal, no idea (no disability question outside
        # Kebili and Mahdia, where no programme needs it)
        "Zeineb Ouerghemmi",
        "84 123 4567",
        "Beira, Munhava",
        "1",
        "4",
        "1",
        "1",
        "1",  # skip the optional question, send
    ]
    first = _massar(["chat", "--lang", "pt", "--as", "amina"], tmp_path, "\n".join(answers) + "\n")
    assert first.returncode == 0, first.stderr
    assert "Olá" in first.stdout
    assert "  1. " in first.stdout, "choices are numbered"
    assert "• Nome: Zeineb Ouerghemmi" in first.stdout, "the summary reads the answers back"
    reference = re.search(r"ESSOR-\d{4}-\d{5}", first.stdout)
    assert reference, first.stdout[-2000:]
    second = _massar(["chat", "--as", "amina"], tmp_path, "5\n")
    assert second.returncode == 0, second.stderr
    assert reference.group(0) in second.stdout, "my applications, in a new process"
