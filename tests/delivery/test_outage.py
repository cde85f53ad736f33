"""A database that cannot be reached is an outage (try again), never a poison update."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from backend.conversations.outage import is_outage
from backend.runtime import Runtime, _discard_result
from backend.settings import Settings
from bot.base import InboundEnvelope, Unavailable
from conversations.messages import Incoming


def envelope() -> InboundEnvelope:
    return InboundEnvelope(
        channel="test",
        address="person-1",
        external_id=str(uuid.uuid4()),
        incoming=Incoming(text="bonjour", choice_id=None, language_hint="fr"),
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:1/nothing",  # nobody listens on port 1
        "sqlite+aiosqlite:///{missing}/massar.db",  # a directory that does not exist
    ],
)
async def test_an_unreachable_database_is_reported_as_unavailable(
    url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=url.format(missing=tmp_path / "gone"),
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = Runtime.build(settings)
    try:
        with pytest.raises(Exception) as raw:
            await runtime.inbound.receive(envelope())
        assert is_outage(raw.value)
        on_message = _discard_result(runtime.inbound)  # what the channels call
        with pytest.raises(Unavailable):
            await on_message(envelope())
    finally:
        await runtime.close()
        await asyncio.sleep(0.1)  # let aiosqlite's worker thread report its failed connect


def test_an_error_caused_by_the_update_itself_is_not_an_outage() -> None:
    for error in (
        KeyError("from"),
        ValueError("bad date"),
        UnicodeEncodeError("utf-8", "", 0, 1, "x"),
    ):
        assert not is_outage(error)
