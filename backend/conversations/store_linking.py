"""The engine's Store methods for «use my other account»: codes, and becoming one person.

A mixin of :class:`~backend.conversations.store.DatabaseStore`. After a code links two people
the person this turn started with is gone (merged into the one who took the code):
:attr:`person` is then the one who remains, and the inbound service saves the turn there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.open import has_open_case
from backend.channels.whatsapp.window import window_open
from backend.conversations.outbox import queue_messages
from backend.conversations.state import load_conversation
from backend.people.linking import issue_code, redeem_code
from backend.people.models import Address, Beneficiary
from conversations.messages import Outgoing
from conversations.ports import CodeGiven, CodeTaken

#: Session info key: ``True`` when WhatsApp is on, so a code can go to a WhatsApp number.
WHATSAPP_CODES_KEY = "massar.whatsapp_codes"


class LinkingStore:
    """Linking codes, for the person being served."""

    _session: AsyncSession
    _beneficiary: Beneficiary
    _now: datetime

    @property
    def person(self) -> Beneficiary:
        """Who the person is now: the one who took the code, once a code linked them."""
        return self._beneficiary

    async def issue_link_code(self) -> CodeGiven:
        issued = await issue_code(self._session, person=self._beneficiary, now=self._now)
        return CodeGiven(code=issued.code, refused=issued.refused, until=issued.until)

    async def redeem_link_code(self, *, code: str) -> CodeTaken:
        result = await redeem_code(
            self._session, person=self._beneficiary, code=code, now=self._now
        )
        if result.survivor_id is None:
            left, until = result.attempts_left, result.until
            return CodeTaken(result.outcome, attempts_left=left, until=until)
        survivor = await self._session.get(Beneficiary, result.survivor_id, populate_existing=True)
        assert survivor is not None  # noqa: S101 - merged into it in this transaction
        self._beneficiary = survivor
        now_as = load_conversation(survivor)
        now_as.case_open = await has_open_case(self._session, survivor.id)
        return CodeTaken("linked", person=now_as)

    async def codes_by_whatsapp(self) -> bool:
        enabled = bool(self._session.info.get(WHATSAPP_CODES_KEY))
        return enabled and self._beneficiary.channel != "whatsapp"

    async def send_code_by_whatsapp(self, *, phone: str, messages: Mapping[str, Outgoing]) -> bool:
        """Queue the code to ``phone`` if it wrote to us within WhatsApp's 24-hour window.

        Outside it WhatsApp accepts only approved templates, and codes belong in Meta's
        "authentication" templates, which massar does not send: the caller shows the code
        here instead. The row belongs to the person on that number, so the window is theirs.
        """
        if not await self.codes_by_whatsapp():
            return False
        wa_id = "".join(ch for ch in phone if ch.isdigit())
        found = (
            await self._session.execute(
                select(Address.beneficiary_id, Address.last_inbound_at, Address.language)
                .where(Address.channel == "whatsapp", Address.address == wa_id)
                .order_by(Address.last_inbound_at.desc().nulls_last())
                .limit(1)
            )
        ).first()
        if found is None or not window_open(found.last_inbound_at, self._now):
            return False
        await queue_messages(
            self._session,
            channel="whatsapp",
            address=wa_id,
            messages=[messages.get(found.language) or messages[self._beneficiary.language]],
            beneficiary_id=found.beneficiary_id,
            now=self._now,
        )
        return True
