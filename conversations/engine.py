"""The conversation engine: one incoming message in, the replies out, the state updated.

The engine is pure: no database, no channel, no clock of its own. The backend loads a
:class:`Conversation`, gives the engine a :class:`Store` for the effects, and saves the
conversation and the replies in one transaction.

States and transitions, readable at a glance. The table is generated from each node's
``leads_to`` (``massar content diagram --state-table`` prints it; a test fails when it differs);
``previous`` is where the person was before a detour, ``saved`` the node a pause interrupted.

=============  ==================================================================================
node           leads to
=============  ==================================================================================
new            menu (after the welcome), program (deep link)
menu           learn, programs, consent (programs for me, before consent), profile (programs for
               me), results (programs for me, profile answered), apply_pick (apply), trainings,
               language, mydata, link (use my other account)
learn          article, menu
article        learn, results (via orientation), menu
programs       program, menu
program        form (via start_application), results, programs, menu
consent        profile (agree), results (agree, profile answered), menu (refuse)
profile        profile (next question), results, form (when applying), menu
results        form (apply), profile (change answers), menu
apply_pick     consent, profile, form, menu
form           form (next field), summary, menu
summary        menu (sent, with reference), edit_pick, menu (finish later)
edit_pick      form (editing one field), summary, menu
language       previous
mydata         delete, menu
delete         new (erased), previous
resume         saved (continue), menu
satisfaction   previous (after the score)
trainings      trainings (registered, or another session), menu
survey         survey (next question), previous (done)
info           info (next field), previous (sent to staff)
offer_human    previous (a case opens (talk to a person), or try again), menu
case           previous (keep waiting, or cancel the request)
link           link_code (I have a code), menu (code given, or sent to WhatsApp)
link_code      menu (linked, or the code refused), link_code (a wrong code, try again)
=============  ==================================================================================
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, tzinfo

from conversations.content_loader import Content
from conversations.i18n import Catalogs, pick_language
from conversations.link_codes import code_after_word, parse_code
from conversations.matching import KeywordIndex
from conversations.messages import Conversation, Incoming, Outgoing
from conversations.nodes.account import (
    DeleteNode,
    LanguageNode,
    MyDataNode,
    ResumeNode,
    pass_on,
    snapshot_of,
    stop_reminders,
)
from conversations.nodes.application import ApplyPickNode, EditPickNode, FormNode, SummaryNode
from conversations.nodes.base import Node
from conversations.nodes.consent import ConsentNode
from conversations.nodes.followup import SurveyNode, TrainingsNode, answer_reminder
from conversations.nodes.handoff import CaseNode, OfferHumanNode, during_case
from conversations.nodes.link import LinkCodeNode, LinkNode, open_linking, use_code
from conversations.nodes.menu import (
    ArticleNode,
    LearnNode,
    MenuNode,
    ProgramNode,
    ProgramsNode,
    request_human,
)
from conversations.nodes.orientation import ResultsNode
from conversations.nodes.profile import ProfileNode
from conversations.nodes.staff import InfoNode, SatisfactionNode
from conversations.office_hours import OfficeHours
from conversations.people import PeopleRules
from conversations.ports import Store
from conversations.turn import Turn
from conversations.writers import first_name, says_not_me

logger = logging.getLogger(__name__)

#: Keyword kinds that work at every step; yes/no/skip are only answers to a question.
GLOBAL_KEYWORDS = frozenset(
    {
        "menu",
        "back",
        "human",
        "language",
        "stop",
        "delete",
        "greeting",
        "help",
        "how_much",
        "link",
        "someone_else",
    }
)
#: Words handled as usual while staff have the conversation; the others open the case menu.
CASE_KEYWORDS = frozenset({"human", "language", "stop", "delete", "someone_else"})
#: The detours those words open, whose buttons must keep working during a case.
CASE_DETOURS = frozenset({"language", "delete"})
#: Nodes where a file sent belongs to the application being filled in.
APPLICATION_NODES = frozenset({"form", "summary", "edit_pick"})


def build_nodes() -> dict[str, Node]:
    """The table of states."""
    return {
        "menu": MenuNode(),
        "learn": LearnNode(),
        "article": ArticleNode(),
        "programs": ProgramsNode(),
        "program": ProgramNode(),
        "consent": ConsentNode(),
        "profile": ProfileNode(),
        "results": ResultsNode(),
        "apply_pick": ApplyPickNode(),
        "form": FormNode(),
        "summary": SummaryNode(),
        "edit_pick": EditPickNode(),
        "language": LanguageNode(),
        "mydata": MyDataNode(),
        "delete": DeleteNode(),
        "resume": ResumeNode(),
        "satisfaction": SatisfactionNode(),
        "trainings": TrainingsNode(),
        "survey": SurveyNode(),
        "info": InfoNode(),
        "offer_human": OfferHumanNode(),
        "case": CaseNode(),
        "link": LinkNode(),
        "link_code": LinkCodeNode(),
    }


class Engine:
    """Decides the replies to one message.

    Args:
        content: the checked content.
        catalogs: interface strings for every language.
        default_language: used when the channel gives no usable hint.
        resume_after: an absence after which the person is asked whether to continue.
        office_hours: when staff answer, to tell people when they will hear back.
        zone: the deployment's time zone, for office hours.
        people: the deployer's choices about minors, the data controller and retention.
        handoff_wait: how long staff usually take to answer, told to a waiting person.
        raise_errors: re-raise unexpected errors instead of apologising (tests use it).
    """

    def __init__(
        self,
        *,
        content: Content,
        catalogs: Catalogs,
        default_language: str = "fr",
        resume_after: timedelta = timedelta(hours=12),
        office_hours: OfficeHours | None = None,
        zone: tzinfo = UTC,
        people: PeopleRules | None = None,
        handoff_wait: timedelta | None = None,
        raise_errors: bool = False,
    ) -> None:
        self.content = content
        self.catalogs = catalogs
        self.default_language = default_language
        self.resume_after = resume_after
        self.raise_errors = raise_errors
        self.office_hours = office_hours
        self.zone = zone
        self.people = people or PeopleRules()
        self.handoff_wait = handoff_wait
        self.nodes = build_nodes()
        self.keywords = KeywordIndex(content.keywords.whole_words())

    def new_conversation(self, language_hint: str | None = None) -> Conversation:
        """The state of someone who has never written."""
        return Conversation(language=pick_language(language_hint, self.default_language))

    def _turn(self, conversation: Conversation, store: Store, now: datetime) -> Turn:
        return Turn(
            conversation=conversation,
            content=self.content,
            catalogs=self.catalogs,
            store=store,
            now=now,
            nodes=self.nodes,
            office_hours=self.office_hours,
            zone=self.zone,
            people=self.people,
            handoff_wait=self.handoff_wait,
        )

    async def move(
        self,
        conversation: Conversation,
        *,
        node: str,
        params: dict[str, object],
        store: Store,
        now: datetime,
    ) -> list[Outgoing]:
        """Send the person to ``node`` on staff's initiative and return its question.

        Used when a case closes (the satisfaction question) and when staff ask for more
        information on an application. The place the person was is kept in ``back``.
        """
        turn = self._turn(conversation, store, now)
        await turn.goto(node, back=snapshot_of(conversation), **params)
        return turn.replies

    async def handle(
        self, conversation: Conversation, incoming: Incoming, *, store: Store, now: datetime
    ) -> list[Outgoing]:
        """Answer one message. While staff have the conversation, what the person writes goes
        to them and gets no reply, except the first one out of office hours; every global word
        and every button still gets an answer."""
        turn = self._turn(conversation, store, now)
        if conversation.case_open and conversation.node not in CASE_DETOURS | {"new"}:
            keyword = None if incoming.choice_id else self.keyword_of(conversation, incoming)
            if keyword not in CASE_KEYWORDS:
                await during_case(turn, incoming, keyword)
                conversation.last_active = now.isoformat()
                return turn.replies
        try:
            await self._handle(turn, incoming)
        except Exception:
            if self.raise_errors:
                raise
            logger.exception("engine error at node %s", conversation.node)
            turn.replies.clear()
            turn.say(turn.gettext("Sorry, something went wrong on our side. Let us start again."))
            await turn.goto("menu")
        if not turn.replies and not turn.passed_on:
            if conversation.case_open:
                # Back from a detour while staff have the conversation: never silence.
                await turn.goto("case", back=snapshot_of(conversation))
            else:
                await turn.reprompt()
        conversation.last_active = now.isoformat()
        return turn.replies

    async def _handle(self, turn: Turn, incoming: Incoming) -> None:
        conversation = turn.conversation
        if conversation.node not in self.nodes:
            if conversation.node != "new":
                logger.warning("unknown node %r, back to the menu", conversation.node)
            conversation.language = pick_language(incoming.language_hint, conversation.language)
            turn.say(
                turn.gettext(
                    "Hello! I am massar. I can tell you about programs for jobs and projects, "
                    "find the ones that fit you, and help you apply."
                )
            )
            code = self._typed_code(incoming, bare=True)
            if code is not None:
                await use_code(turn, code)
            elif not await self._open_deep_link(turn, incoming):
                keyword = self.keywords.kind_of(incoming.text or "")
                if keyword in GLOBAL_KEYWORDS - {"menu", "back", "greeting"}:
                    conversation.node, conversation.params = "menu", {}
                    await self._keyword(turn, keyword or "")
                else:
                    await turn.goto("menu")
            return
        if await self._open_deep_link(turn, incoming):
            return
        if incoming.choice_id and await answer_reminder(turn, incoming.choice_id):
            return
        code = self._typed_code(incoming, bare=conversation.node == "menu")
        if code is not None:
            await use_code(turn, code)
            return
        keyword = self.keyword_of(conversation, incoming) if not incoming.choice_id else None
        if keyword in GLOBAL_KEYWORDS and not (
            keyword == "greeting" and self._away_too_long(turn)
        ):
            await self._keyword(turn, keyword or "")
            return
        if self._away_too_long(turn):
            saved = snapshot_of(conversation)
            await turn.goto("resume", saved=saved)
            return
        if incoming.attachments:
            await self._keep_files(turn, incoming)
            if incoming.text is None and incoming.choice_id is None:
                await turn.reprompt()
                return
        node = turn.node
        choices = node.choices(turn)
        reply = turn.resolve(incoming, choices, numbered=node.numbered(turn))
        if reply.choice is None and incoming.text and choices and node.numbered(turn):
            typo = self.keywords.kind_of(incoming.text, typos=True)
            if typo in GLOBAL_KEYWORDS:
                await self._keyword(turn, typo)
                return
        if reply.stale_button:
            turn.say(
                turn.gettext(
                    "That button belongs to an earlier question. Here is the current one:"
                )
            )
            await turn.reprompt()
            return
        if incoming.text is None and reply.choice is None:
            await turn.reprompt()
            return
        await node.receive(turn, reply)

    def keyword_of(self, conversation: Conversation, incoming: Incoming) -> str | None:
        """The global word the message is, if any; "I am not <the person's name>" is
        ``someone_else``."""
        text = incoming.text or ""
        found = self.keywords.kind_of(text)
        if found is None and says_not_me(
            text, self.content.keywords.not_me, first_name(conversation.known.get("name"))
        ):
            return "someone_else"
        return found

    async def greet_writer(
        self, conversation: Conversation, *, store: Store, now: datetime, name: str | None
    ) -> list[Outgoing]:
        """A person just said it is them writing from a shared address: their own place in
        their own conversation, asked again (a new person starts like anyone new)."""
        if conversation.node not in self.nodes:
            return await self.handle(conversation, Incoming(), store=store, now=now)
        turn = self._turn(conversation, store, now)
        if name:
            turn.say(turn.gettext("Thank you, {name}.").format(name=name))
        else:
            turn.say(turn.gettext("Thank you."))
        if conversation.case_open:
            turn.say(
                turn.gettext("Your conversation with our team is open: they will answer you here.")
            )
        elif self._away_too_long(turn):
            await turn.goto("resume", saved=snapshot_of(conversation))
        else:
            await turn.reprompt()
        conversation.last_active = now.isoformat()
        return turn.replies

    async def _keep_files(self, turn: Turn, incoming: Incoming) -> None:
        """Attach files to the application being filled in, else to a handoff request.

        Files are personal data: without consent they are not kept, and the person is told.
        """
        conversation = turn.conversation
        if conversation.consent_version is None:
            turn.say(
                turn.gettext(
                    "I can keep your file only once you agree to how we use your data. "
                    "Choose «Programs for me» in the menu to start."
                )
            )
            return
        files = [a.to_dict() for a in incoming.attachments]
        program = conversation.params.get("program")
        if conversation.node in APPLICATION_NODES and program in self.content.programs:
            conversation.files.setdefault(program, []).extend(files)
            turn.say(turn.gettext("I received your file: it will be sent with your application."))
        else:
            await turn.store.attach_to_case(attachments=files)
            turn.say(turn.gettext("I received your file: a member of our team will look at it."))

    async def _open_deep_link(self, turn: Turn, incoming: Incoming) -> bool:
        code = (incoming.start_payload or "").strip().lower()
        if code in self.content.programs:
            await turn.goto("program", code=code)
            return True
        return False

    def _typed_code(self, incoming: Incoming, *, bare: bool) -> str | None:
        """A linking code: after the linking word at any step ("code 123456"), alone where a
        number means nothing else (``bare``: the main menu, a first message)."""
        text = incoming.text or ""
        if incoming.choice_id or not text:
            return None
        return code_after_word(text, self.keywords, "link") or (parse_code(text) if bare else None)

    def _away_too_long(self, turn: Turn) -> bool:
        conversation = turn.conversation
        if not conversation.last_active or not turn.node.resumable:
            return False
        last = datetime.fromisoformat(conversation.last_active)
        return turn.now - last > self.resume_after

    async def _keyword(self, turn: Turn, keyword: str) -> None:
        conversation = turn.conversation
        turn.understood()
        if keyword == "menu":
            await turn.goto("menu")
        elif keyword == "greeting":
            turn.say(turn.gettext("Hello! Here is what I can do for you."))
            await turn.goto("menu")
        elif keyword == "help":
            turn.say(
                turn.gettext(
                    "Tap one of the buttons, or type its number. At any time you can type "
                    "«menu» for the main menu, «back» to go back one step, or «agent» to "
                    "talk to a member of our team."
                )
            )
            await turn.reprompt()
        elif keyword == "how_much":
            turn.say(
                turn.gettext(
                    "What each program offers, and how much, is on its page under «Our "
                    "programs». When you apply, our team tells you what you can receive."
                )
            )
            await turn.reprompt()
        elif keyword == "back":
            await turn.node.back(turn)
        elif keyword == "human":
            await request_human(turn)
        elif keyword == "stop":
            stop_reminders(turn)
            await turn.reprompt()
        elif keyword == "language":
            back = None if conversation.node == "language" else snapshot_of(conversation)
            await turn.goto("language", back=back or conversation.params.get("back"))
        elif keyword == "link":
            await open_linking(turn)
        elif keyword == "delete":
            back = None if conversation.node == "delete" else snapshot_of(conversation)
            await turn.goto("delete", back=back or conversation.params.get("back"))
        elif keyword == "someone_else":
            await pass_on(turn)
