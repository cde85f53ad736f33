"""Consent first, nothing kept without it, and erasure that leaves nothing personal."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.cases.models import Case
from backend.conversations.models import InboundMessage
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser
from tests.support import PERSONAL_NAME, TYPED_ANSWERS, find_values

PRIVATE_WORDS = "Je m'appelle Zeineb et j'habite à Kasserine"


async def test_refused_consent_stores_nothing_personal(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.say(PRIVATE_WORDS)
    await user.press("orient")
    assert "2 ans" in user.text, "the consent says how long data is kept"
    await user.press("refuse")
    await user.say("27")
    assert await find_values(runtime.db, [PRIVATE_WORDS, "Zeineb"]) == []
    person = await user.beneficiary()
    assert person is not None
    assert person.profile == {} and person.consent_version is None
    assert person.state.get("drafts") == {}


async def test_consent_version_and_time_are_recorded(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "ar")
    await user.say(None)
    await user.press("orient")
    await user.press("agree")
    person = await user.beneficiary()
    assert person is not None
    assert person.consent_version == runtime.content.consent.version
    assert person.consent_at == runtime.inbound._clock()


async def test_delete_my_data_leaves_no_personal_data_in_any_table(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    reference = await user.apply("iess")
    await user.say("agent")
    await user.say("supprimer")
    await user.press("confirm")
    assert "supprimées" in user.text or "supprim" in user.text
    needles = [
        PERSONAL_NAME,
        "+21698123456",
        "98 123 456",
        TYPED_ANSWERS["text"]["default"],
        user.session,
        "kasserine",
    ]
    assert await find_values(runtime.db, needles) == []
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Beneficiary)) == 0
        application = await session.scalar(select(Application))
        case = await session.scalar(select(Case))
        inbound = await session.scalar(select(func.count()).select_from(InboundMessage))
    assert application is not None, "the anonymous count survives"
    assert (application.reference, application.program, application.answers) == (
        reference,
        "iess",
        {},
    )
    assert application.erased_at is not None and application.beneficiary_id is None
    assert case is not None and case.beneficiary_id is None
    assert inbound, "dedupe keys stay, without text"


async def test_after_erasure_the_person_starts_afresh(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "en")
    await user.say(None)
    await user.apply("essor-biosp")
    await user.say("delete")
    await user.press("confirm")
    await user.say("hello")
    await user.press("mine")
    assert "not sent any application" in user.text
