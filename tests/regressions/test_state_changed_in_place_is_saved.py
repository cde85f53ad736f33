"""Regression: a turn that only added a file to the draft lost it.

``load_conversation`` handed the engine the row's own JSON dicts; the engine appended the file
to them in place, so when the new state was assigned it compared equal to the "old" one and
SQLAlchemy wrote nothing. Found by the WhatsApp end-to-end test sending a photo alone during a
form.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from backend.conversations.state import load_conversation, save_conversation
from backend.people.models import Beneficiary
from backend.runtime import Runtime


async def test_a_file_added_in_place_is_saved(runtime: Runtime) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with runtime.sessions() as session, session.begin():
        session.add(
            Beneficiary(
                channel="whatsapp",
                address="21698123456",
                language="fr",
                profile={},
                state={
                    "node": "form",
                    "params": {"program": "iess"},
                    "drafts": {},
                    "files": {},
                    "misunderstood": 0,
                },
                consent_version="v1",
                consent_at=now,
                created_at=now,
            )
        )
    async with runtime.sessions() as session, session.begin():
        person = await session.scalar(select(Beneficiary))
        assert person is not None
        conversation = load_conversation(person)
        conversation.files.setdefault("iess", []).append({"kind": "image", "reference": "1003"})
        save_conversation(person, conversation)
    async with runtime.sessions() as session:
        person = await session.scalar(select(Beneficiary))
    assert person is not None
    assert person.state["files"] == {"iess": [{"kind": "image", "reference": "1003"}]}
