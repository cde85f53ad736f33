"""Canned replies: frequent answers staff send in one click, in the person's language.

They live in ``conversations/content/canned_replies.yaml`` beside the other content, so program
staff edit them without Python, and ``massar content check`` validates them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import RootModel, ValidationError, model_validator

from conversations.content_schema import Identifier, Strict, Text

FILE_NAME = "canned_replies.yaml"


class CannedReply(Strict):
    """One canned reply: a title for staff, a text for the person."""

    id: Identifier
    title: Text
    text: Text


class CannedReplies(RootModel[list[CannedReply]]):
    """The file: a list of replies with distinct ids."""

    @model_validator(mode="after")
    def _unique_ids(self) -> CannedReplies:
        ids = [reply.id for reply in self.root]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"the id '{twice[0]}' is used twice")
        return self

    def get(self, reply_id: str) -> CannedReply | None:
        """The reply with this id, if any."""
        return next((reply for reply in self.root if reply.id == reply_id), None)


class CannedRepliesError(Exception):
    """The file cannot be used; ``problems`` names each mistake."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    """``[2] (greeting).text.pt`` from pydantic's location, naming list items by id."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            name = f" ({node['id']})" if isinstance(node, dict) and "id" in node else ""
            parts.append(f"[{step}]{name}")
        else:
            parts.append(f".{step}" if parts else step)
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def load_canned_replies(content_dir: Path) -> CannedReplies:
    """Read and check the file; raise :class:`CannedRepliesError` naming every problem."""
    path = content_dir / FILE_NAME
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CannedRepliesError([f"{FILE_NAME}: the file is missing"]) from exc
    except yaml.YAMLError as exc:
        raise CannedRepliesError([f"{FILE_NAME}: not valid YAML: {exc}"]) from exc
    try:
        return CannedReplies.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{FILE_NAME}: {_where(raw, e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise CannedRepliesError(problems) from exc


@lru_cache(maxsize=4)
def cached_canned_replies(content_dir: Path) -> CannedReplies:
    """The replies, read once per process (content changes with a restart, like the rest)."""
    return load_canned_replies(content_dir)
