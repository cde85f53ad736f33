"""A WhatsApp number a family shares: "who is writing?" with a button per person, «Someone
else» for a new person, asked again after a pause only, and each person's data their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from backend.applications.models import Application
from backend.conversations.models import InboundMessage
from backend.people.models import Address, Beneficiary
from backend.runtime import Runtime
from tests.bot.whatsapp.driver import WhatsAppPerson
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock

PAUSE = timedelta(minutes=31)


def texts(payloads: list[dict[str, Any]]) -> str:
    found = []
    for payload in payloads:
        body = payload.get("text") or payload.get("interactive", {}).get("body")
        found.append(body["text" if "text" in body else "body"])
    return "\n".join(found)


async def people_on(runtime: Runtime, wa_id: str) -> list[tuple[Beneficiary, Address]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Beneficiary, Address)
            .join(Address, Address.beneficiary_id == Beneficiary.id)
            .where(Address.channel == "whatsapp", Address.address == wa_id)
            .order_by(Address.slot)
        )
        return [(p, a) for p, a in rows.all()]


async def consented_with_name(runtime: Runtime, person_id: int, name: str) -> None:
    """A person who agreed and gave their name in a form (as "asked once" remembers it)."""
    async with runtime.sessions() as session, session.begin():
        person = await session.get(Beneficiary, person_id)
        assert person is not None
        person.consent_version = "2026-11"
        person.consent_at = runtime.clock()
        person.state = {**person.state, "known": {"name": name}}
        session.add(
            Application(
                reference="IESS-2026-00001",
                program="iess",
                beneficiary_id=person_id,
                answers={"full_name": name},
                attachments=[],
                language="fr",
                status="submitted",
                submitted_at=runtime.clock(),
                updated_at=runtime.clock(),
            )
        )


async def test_a_shared_number_asks_who_is_writing_and_keeps_each_person_apart(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    phone = WhatsAppPerson(wa_client, wa_runtime, graph)
    await phone.say("bonjour")
    [(mother, _)] = await people_on(wa_runtime, phone.wa_id)
    await consented_with_name(wa_runtime, mother.id, "Amira Ben Salah")

    # The daughter takes the phone: the word works from anywhere.
    replies = await phone.say("quelqu'un d'autre")
    assert "Qui écrit" in texts(replies)
    assert [title for _, _, title in phone.options()] == ["Amira", "Quelqu'un d'autre"]
    old_someone_else = phone.options()[-1]
    await phone.press("new")
    (_, first), (daughter, second) = await people_on(wa_runtime, phone.wa_id)
    assert (first.slot, second.slot) == (0, 1)
    assert daughter.id != mother.id
    assert second.chosen_at == clock.now
    assert "massar" in texts(phone.last), "the new person is welcomed like anyone new"

    # Within the pause, she goes on without being asked; her applications are not her mother's.
    await phone.press("mine")
    assert "IESS-2026-00001" not in texts(phone.last)
    assert "encore envoyé aucune candidature" in texts(phone.last)

    # After a pause, a "1" is not read as a menu choice: the number asks first.
    clock.advance(PAUSE)
    replies = await phone.say("1")
    assert "Plusieurs personnes écrivent depuis ce numéro" in texts(replies)
    assert [title for _, _, title in phone.options()] == [
        "Amira",
        "Personne 2",
        "Quelqu'un d'autre",
    ]
    # Forgiving: the name typed with a typo.
    replies = await phone.say("amiraa")
    assert "Merci, Amira." in texts(replies)
    async with wa_runtime.sessions() as session:
        mother_now = await session.get(Beneficiary, mother.id)
    assert mother_now is not None and mother_now.last_inbound_at == clock.now
    await phone.press("mine")
    assert "IESS-2026-00001" in texts(phone.last), "the mother sees her own application"

    # An old «Someone else» tapped again makes no third person.
    await phone.tap(*old_someone_else)
    assert len(await people_on(wa_runtime, phone.wa_id)) == 2
    assert "Qui écrit" not in texts(phone.last)


async def test_an_answer_that_names_nobody_asks_again_and_the_message_is_not_kept(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    phone = WhatsAppPerson(wa_client, wa_runtime, graph)
    await phone.say("bonjour")
    await phone.say("wa7ed ekher")
    await phone.press("new")
    clock.advance(PAUSE)
    await phone.say("mon numéro est le 98 123 456")
    await phone.say("je veux postuler")
    assert "Plusieurs personnes écrivent" in texts(phone.last), "asked again, not guessed"
    async with wa_runtime.sessions() as session:
        kept = list(await session.scalars(select(InboundMessage.text)))
        owners = list(
            await session.scalars(
                select(InboundMessage.beneficiary_id).order_by(InboundMessage.id)
            )
        )
    assert not any("98 123 456" in (text or "") for text in kept)
    assert owners[-2:] == [None, None], "nobody's message until someone is chosen"
    await phone.say("2")
    assert "Merci." in texts(phone.last)
    assert len(await people_on(wa_runtime, phone.wa_id)) == 2


async def test_delete_my_data_on_a_shared_number_erases_only_the_person_writing(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    phone = WhatsAppPerson(wa_client, wa_runtime, graph)
    await phone.say("bonjour")
    [(mother, _)] = await people_on(wa_runtime, phone.wa_id)
    await consented_with_name(wa_runtime, mother.id, "Amira")
    await phone.say("mes données")
    await phone.press("someone_else")
    await phone.press("new")
    await phone.say("supprimer")
    await phone.press("confirm")
    [(left, _)] = await people_on(wa_runtime, phone.wa_id)
    assert left.id == mother.id
    async with wa_runtime.sessions() as session:
        kept = await session.scalar(
            select(Application.reference).where(Application.beneficiary_id == mother.id)
        )
    assert kept == "IESS-2026-00001"
    # The number carried two people: after a pause it still asks, with the mother and
    # «Someone else», so the daughter never lands in her mother's conversation.
    clock.advance(PAUSE)
    await phone.say("salam")
    assert [title for _, _, title in phone.options()] == ["Amira", "Quelqu'un d'autre"]
    await phone.say("1")
    assert "Merci, Amira." in texts(phone.last)


async def test_one_person_alone_on_a_number_is_never_asked(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    phone = WhatsAppPerson(wa_client, wa_runtime, graph)
    await phone.say("bonjour")
    clock.advance(timedelta(days=2))
    replies = await phone.say("bonjour")
    assert "Qui écrit" not in texts(replies)
    assert len(await people_on(wa_runtime, phone.wa_id)) == 1
