"""Between a database row and the engine's :class:`Conversation`."""

from __future__ import annotations

from datetime import datetime

from backend.people.models import Beneficiary
from conversations import json_codec
from conversations.messages import Conversation


def load_conversation(beneficiary: Beneficiary) -> Conversation:
    """The conversation as the engine sees it.

    The state is copied: the engine changes it in place, and a change made to the loaded JSON
    itself would look like no change at all when the row is saved (a file sent was lost so).
    """
    state = json_codec.copied(beneficiary.state or {})
    return Conversation(
        language=beneficiary.language,
        node=state.get("node", "new"),
        params=state.get("params", {}),
        drafts=state.get("drafts", {}),
        files=state.get("files", {}),
        misunderstood=state.get("misunderstood", 0),
        away_notice=state.get("away_notice"),
        known=state.get("known", {}),
        profile=dict(beneficiary.profile or {}),
        consent_version=beneficiary.consent_version,
        consent_at=beneficiary.consent_at.isoformat() if beneficiary.consent_at else None,
        reminders_opt_out=beneficiary.reminders_opt_out,
        last_active=beneficiary.last_inbound_at.isoformat()
        if beneficiary.last_inbound_at
        else None,
    )


def save_conversation(beneficiary: Beneficiary, conversation: Conversation) -> None:
    """Write the conversation back. Without consent, nothing personal is written."""
    consented = conversation.consent_version is not None
    beneficiary.language = conversation.language
    state = conversation.state_json()
    if not consented:
        state["drafts"] = {}
        state["files"] = {}
        state["known"] = {}
    beneficiary.state = state
    beneficiary.profile = conversation.profile if consented else {}
    beneficiary.consent_version = conversation.consent_version
    beneficiary.consent_at = (
        datetime.fromisoformat(conversation.consent_at) if conversation.consent_at else None
    )
    beneficiary.reminders_opt_out = conversation.reminders_opt_out
    if conversation.last_active:
        beneficiary.last_inbound_at = datetime.fromisoformat(conversation.last_active)
