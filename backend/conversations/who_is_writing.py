"""Which person a message on a shared address is from, before the engine sees it.

A number a family shares carries one address row per person. When more than one person writes
from it (or did once), and nobody wrote for ``ask_after``, the bot asks "who is writing?" with
one button per person and «Someone else»; the message that came is not answered (it belongs to
nobody yet, so it is not kept either) and the question says to send it again. Within the pause
the person chosen last goes on writing, without being asked on every message. The choice sets
``chosen_at``; «Someone else» adds a person in the next slot, who starts like anyone new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.addresses import Writers, add_writer
from backend.people.models import Address, Beneficiary
from conversations.engine import Engine
from conversations.messages import Incoming, Outgoing
from conversations.writers import NEW, Writer, answer, first_name, question


@dataclass(frozen=True)
class Pick:
    """The person writing, or the question to ask first.

    ``chosen`` is set when this message was the answer: the engine then greets the person
    with their own place instead of reading the message as an answer of theirs.
    """

    person: Beneficiary | None = None
    address: Address | None = None
    chosen: bool = False
    name: str | None = None
    ask: Outgoing | None = None


def writers_of(writers: Writers) -> list[Writer]:
    """The people on the address as the question shows them: first names the bot remembers
    (asked in a form, kept only with consent), never their answers."""
    return [
        Writer(key=row.id, name=first_name((person.state or {}).get("known", {}).get("name")))
        for person, row in _by_slot(writers)
    ]


async def pick(
    session: AsyncSession,
    writers: Writers,
    incoming: Incoming,
    *,
    engine: Engine,
    ask_after: timedelta,
    now: datetime,
) -> Pick:
    """Who writes this message, or the question to ask (its asking is recorded)."""
    person, row = writers.rows[0]
    if not _must_choose(writers, ask_after, now):
        return Pick(person=person, address=row)
    tr = engine.catalogs.get(row.language)
    words = engine.content.keywords.someone_else
    people = writers_of(writers)
    asked = max((a.asked_at for _, a in writers.rows if a.asked_at), default=None)
    pending = asked is not None and now - asked < ask_after
    chosen = answer(incoming, tr, people, words, typed=pending)
    if chosen is None:
        await mark_asked(session, writers, now=now)
        return Pick(ask=question(tr, people, words, unread=True))
    await _clear_asked(session, writers)
    if chosen == NEW:
        before = now - timedelta(seconds=1)  # whoever chose before, the newcomer is first
        for _, other in writers.rows:
            # Who wrote alone until now counts as chosen when they last wrote: the number
            # keeps asking after a pause, even once the new person is gone (erased).
            if other.chosen_at is None:
                other.chosen_at = min(other.last_inbound_at or other.created_at, before)
        person, row = await add_writer(
            session, channel=row.channel, address=row.address, language=row.language, now=now
        )
        row.chosen_at = now
        return Pick(person=person, address=row, chosen=True)
    person, row = next((p, a) for p, a in writers.rows if a.id == chosen)
    if writers.shared or row.chosen_at is not None:
        row.chosen_at = now  # alone on the number and never shared: nothing to remember
    name = next(w.name for w in people if w.key == chosen)
    return Pick(person=person, address=row, chosen=True, name=name)


def ask_now(engine: Engine, writers: Writers) -> Outgoing:
    """The question, for a person who just said someone else is writing."""
    tr = engine.catalogs.get(writers.rows[0][1].language)
    return question(tr, writers_of(writers), engine.content.keywords.someone_else, unread=False)


async def mark_asked(session: AsyncSession, writers: Writers, *, now: datetime) -> None:
    """Remember on every row of the address that the question waits for an answer."""
    for _, row in writers.rows:
        row.asked_at = now
    await session.flush()


def _must_choose(writers: Writers, ask_after: timedelta, now: datetime) -> bool:
    """Ask when the question waits for its answer, or when a number that carries (or once
    carried) several people has been silent for ``ask_after``."""
    rows = [row for _, row in writers.rows]
    if any(r.asked_at and now - r.asked_at < ask_after for r in rows):
        return True
    if not writers.shared and rows[0].chosen_at is None:
        return False
    last = max((r.last_inbound_at for r in rows if r.last_inbound_at), default=None)
    return last is None or now - last >= ask_after


async def _clear_asked(session: AsyncSession, writers: Writers) -> None:
    row = writers.rows[0][1]
    await session.execute(
        update(Address)
        .where(Address.channel == row.channel, Address.address == row.address)
        .values(asked_at=None)
        .execution_options(synchronize_session="fetch")
    )


def _by_slot(writers: Writers) -> list[tuple[Beneficiary, Address]]:
    """The people in a stable order (their slot), so "1" always means the same person."""
    return sorted(writers.rows, key=lambda pair: pair[1].slot)
