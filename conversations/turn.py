"""One turn of a conversation: the person's state, the replies being built, and the tools a
node uses to answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from conversations.content_loader import Content
from conversations.content_schema import Text
from conversations.i18n import Catalogs, Translator
from conversations.matching import Candidate, match_choice
from conversations.messages import Choice, Conversation, Incoming, Outgoing
from conversations.office_hours import OfficeHours
from conversations.paging import MESSAGE_LIMIT, split_message
from conversations.people import PeopleRules
from conversations.ports import Store

if TYPE_CHECKING:
    from conversations.nodes.base import Node

#: Misunderstood inputs in a row before the bot offers a person.
MISUNDERSTOOD_LIMIT = 3
#: The answer to the gender question that chooses each grammatical form of a text.
GENDER_FORMS: dict[str, str] = {"woman": "f", "man": "m"}


@dataclass(frozen=True)
class Reply:
    """The person's input as a node sees it: the raw text and the choice it designates."""

    text: str
    choice: Candidate | None
    stale_button: bool = False


@dataclass
class Turn:
    """The unit of work of one incoming message."""

    conversation: Conversation
    content: Content
    catalogs: Catalogs
    store: Store
    now: datetime
    nodes: dict[str, Node]
    office_hours: OfficeHours | None = None
    zone: tzinfo = UTC
    people: PeopleRules = field(default_factory=PeopleRules)
    handoff_wait: timedelta | None = None
    replies: list[Outgoing] = field(default_factory=list)
    #: The person said someone else is writing: the backend asks who, the engine says nothing.
    passed_on: bool = False

    @property
    def tr(self) -> Translator:
        """Strings and formats in the person's current language, and grammatical gender."""
        return self.catalogs.get(self.conversation.language).for_gender(self.gender)

    @property
    def lang(self) -> str:
        """The person's current language."""
        return self.conversation.language

    @property
    def today(self) -> date:
        """Today's date for validations (the clock is the backend's)."""
        return self.now.date()

    @property
    def node(self) -> Node:
        """The node the person is at."""
        return self.nodes[self.conversation.node]

    @property
    def gender(self) -> str | None:
        """``f`` or ``m`` once the person has said, for languages that mark gender."""
        return GENDER_FORMS.get(str(self.conversation.profile.get("gender", "")))

    def gettext(self, message: str) -> str:
        """An interface string in the person's language, in the person's grammatical gender
        when the catalog has that form (context ``f`` or ``m``)."""
        return self.tr.gettext(message)

    def text(self, text: Text) -> str:
        """A content text in the person's language and grammatical gender."""
        return text.get(self.lang, self.gender)

    def say(self, text: str) -> None:
        """Add a plain message to the replies; a long one becomes several, none over
        :data:`MESSAGE_LIMIT` characters, cut between paragraphs."""
        for part in split_message(text, MESSAGE_LIMIT):
            self.replies.append(
                Outgoing(text=part, language=self.lang, direction=self.tr.direction)
            )

    def ask(self, text: str, candidates: Sequence[Candidate]) -> None:
        """Add a message with buttons for ``candidates`` (ids carry this question's token)."""
        token = self.question_token()
        choices = tuple(Choice(f"{token}.{c.id}", c.label) for c in candidates)
        *before, last = split_message(text, MESSAGE_LIMIT) or [text]
        for part in before:
            self.say(part)
        self.replies.append(
            Outgoing(text=last, language=self.lang, direction=self.tr.direction, choices=choices)
        )

    def question_token(self) -> str:
        """A short stable tag of the current question, so an old button is recognised."""
        state = json.dumps([self.conversation.node, self.conversation.params], sort_keys=True)
        return hashlib.blake2s(state.encode(), digest_size=3).hexdigest()

    async def goto(self, node: str, **params: Any) -> None:
        """Move to ``node`` and ask its question."""
        self.conversation.node = node
        self.conversation.params = params
        await self.nodes[node].prompt(self)

    async def reprompt(self) -> None:
        """Ask the current question again."""
        await self.node.prompt(self)

    def understood(self) -> None:
        """Reset the count of misunderstood inputs."""
        self.conversation.misunderstood = 0

    async def not_understood(self, message: str) -> None:
        """Explain what is expected and ask again; after a few misses, offer a person."""
        self.conversation.misunderstood += 1
        self.say(message)
        if (
            self.conversation.misunderstood >= MISUNDERSTOOD_LIMIT
            and self.conversation.node != "offer_human"
        ):
            self.conversation.misunderstood = 0
            from conversations.nodes.handoff import offer_human

            await offer_human(self)
            return
        await self.reprompt()

    def resolve(
        self, incoming: Incoming, candidates: Sequence[Candidate], *, numbered: bool = True
    ) -> Reply:
        """Which of the current choices the input designates, if any."""
        text = (incoming.text or "").strip()
        if incoming.choice_id:
            token, _, choice_id = incoming.choice_id.partition(".")
            if token == self.question_token():
                chosen = next((c for c in candidates if c.id == choice_id), None)
                if chosen:
                    return Reply(text=chosen.label, choice=chosen)
            return Reply(text=text, choice=None, stale_button=not text)
        chosen = match_choice(text, candidates, numbered=numbered) if text else None
        return Reply(text=text, choice=chosen)
