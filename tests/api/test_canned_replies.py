"""The canned replies file is content: `massar content check` validates it like the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.cases.canned_replies import CannedRepliesError, load_canned_replies
from backend.cli import app
from conversations.content_loader import DEFAULT_CONTENT_DIR


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_replies_have_every_language() -> None:
    replies = load_canned_replies(DEFAULT_CONTENT_DIR)
    assert len(replies.root) >= 3
    assert replies.get("greeting") is not None and replies.get("nope") is None


def test_a_missing_language_is_named(content_copy: Path) -> None:
    _edit(
        content_copy / "canned_replies.yaml",
        '    pt: "Olá, fala um membro da equipa do programa. '
        'Li a sua mensagem e vou responder já."\n',
        "",
    )
    with pytest.raises(CannedRepliesError) as caught:
        load_canned_replies(content_copy)
    assert caught.value.problems == ["canned_replies.yaml: [0] (greeting).text.pt: Field required"]
    result = CliRunner().invoke(app, ["content", "check", "--directory", str(content_copy)])
    assert result.exit_code == 1
    assert "canned_replies.yaml: [0] (greeting).text.pt: Field required" in result.output


def test_duplicate_ids_unknown_keys_and_a_missing_file(content_copy: Path) -> None:
    path = content_copy / "canned_replies.yaml"
    _edit(path, "- id: documents", "- id: greeting")
    _edit(path, "  title:\n", "  tilte: x\n  title:\n")
    with pytest.raises(CannedRepliesError) as caught:
        load_canned_replies(content_copy)
    assert any("tilte: Extra inputs are not permitted" in p for p in caught.value.problems)
    _edit(path, "  tilte: x\n", "")
    with pytest.raises(CannedRepliesError, match="the id 'greeting' is used twice"):
        load_canned_replies(content_copy)
    path.unlink()
    with pytest.raises(CannedRepliesError, match=r"canned_replies\.yaml: the file is missing"):
        load_canned_replies(content_copy)


def test_content_check_counts_them() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "canned replies" in result.output
