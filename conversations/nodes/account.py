"""The person's own settings: language, reminders, erasure, and "welcome back"."""

from __future__ import annotations

from typing import Any

from conversations.content_schema import LANGUAGES
from conversations.i18n import native_name
from conversations.matching import Candidate
from conversations.messages import Conversation
from conversations.nodes.base import Node
from conversations.turn import Reply, Turn

#: Other names people type for each language.
LANGUAGE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ar": ("ar", "arabic", "arabe", "árabe", "عربي", "3arbi", "arbi"),
    "fr": ("fr", "french", "francais", "francês", "فرنسي", "fransi"),
    "en": ("en", "english", "anglais", "inglês", "انجليزي", "engliz"),
    "pt": ("pt", "portuguese", "portugais", "português", "برتغالي"),
}


async def go_back_to(turn: Turn, snapshot: dict[str, Any] | None) -> None:
    """Return to where the person was before a detour (language, erasure).

    While staff have the conversation the place is restored without asking its question again:
    the next message is theirs to answer.
    """
    snapshot = snapshot or {"node": "menu", "params": {}}
    if snapshot.get("node") not in turn.nodes:  # "new": nowhere to go back to but the menu
        snapshot = {"node": "menu", "params": {}}
    if turn.conversation.case_open:
        turn.conversation.node = snapshot.get("node", "menu")
        turn.conversation.params = dict(snapshot.get("params", {}))
        return
    await turn.goto(snapshot.get("node", "menu"), **snapshot.get("params", {}))


def snapshot_of(conversation: Conversation) -> dict[str, Any]:
    """Where the person is now, to come back after a detour."""
    return {"node": conversation.node, "params": dict(conversation.params)}


class LanguageNode(Node):
    """Choosing the language, each shown in its own script."""

    leads_to = (("previous", ""),)

    def choices(self, turn: Turn) -> list[Candidate]:
        return [Candidate(lang, native_name(lang), LANGUAGE_SYNONYMS[lang]) for lang in LANGUAGES]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.gettext("Choose your language:"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose a language from the list."))
            return
        turn.understood()
        turn.conversation.language = reply.choice.id
        turn.say(turn.gettext("Done: I will write to you in English from now on."))
        await go_back_to(turn, turn.conversation.params.get("back"))

    async def back(self, turn: Turn) -> None:
        await go_back_to(turn, turn.conversation.params.get("back"))


class MyDataNode(Node):
    """Reminders on or off, and erasure."""

    leads_to = (
        ("delete", ""),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        toggle = (
            Candidate("resume", _("Receive reminders again"))
            if turn.conversation.reminders_opt_out
            else Candidate("stop", _("Stop reminders"))
        )
        return [
            toggle,
            Candidate("delete", _("Delete my data")),
            Candidate("privacy", _("What do you keep?")),
            Candidate("someone_else", _("Someone else is writing")),
            Candidate("menu", _("Main menu")),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.gettext("Your data and your messages:"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose one of the options."))
            return
        turn.understood()
        action = reply.choice.id
        if action == "stop":
            stop_reminders(turn)
            await turn.reprompt()
        elif action == "resume":
            turn.conversation.reminders_opt_out = False
            turn.say(turn.gettext("Done: you will receive reminders and news again."))
            await turn.reprompt()
        elif action == "delete":
            await turn.goto("delete", back=snapshot_of(turn.conversation))
        elif action == "someone_else":
            await pass_on(turn)
        elif action == "privacy":
            turn.say(turn.text(turn.content.consent.text).rsplit("\n", 1)[0])
            await turn.reprompt()
        else:
            await turn.goto("menu")


def stop_reminders(turn: Turn) -> None:
    """Stop reminders and news at once; they can be turned back on under «My data»."""
    turn.conversation.reminders_opt_out = True
    turn.say(
        turn.gettext(
            "Done: you will not receive reminders or news any more. To receive them again, "
            "choose «My data» in the menu."
        )
    )


async def pass_on(turn: Turn) -> None:
    """Someone else takes the phone: the person's place is kept as it is, and the backend
    asks who is writing (it knows who else writes from this address)."""
    await turn.store.someone_else_writing()
    turn.passed_on = True


class DeleteNode(Node):
    """Confirming erasure: it cannot be undone."""

    leads_to = (
        ("new", "erased"),
        ("previous", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        keywords = turn.content.keywords
        return [
            Candidate("confirm", turn.gettext("Yes, delete everything"), tuple(keywords.yes)),
            Candidate("cancel", turn.gettext("No, keep my data"), tuple(keywords.no)),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext(
                "Do you really want to delete all your data: your answers, applications and "
                "messages? This cannot be undone."
            ),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please answer yes or no."))
            return
        turn.understood()
        if reply.choice.id == "cancel":
            turn.say(turn.gettext("Nothing was deleted."))
            await go_back_to(turn, turn.conversation.params.get("back"))
            return
        await turn.store.erase_person()
        conversation = turn.conversation
        conversation.erased = True
        conversation.profile = {}
        conversation.drafts = {}
        conversation.files = {}
        conversation.known = {}
        conversation.consent_version = conversation.consent_at = None
        conversation.node, conversation.params = "new", {}
        turn.say(
            turn.gettext(
                "All your data has been deleted. If you write to us again, we will start "
                "from the beginning."
            )
        )

    async def back(self, turn: Turn) -> None:
        await go_back_to(turn, turn.conversation.params.get("back"))


class ResumeNode(Node):
    """After a long absence: continue where the person left off, or go to the menu."""

    leads_to = (
        ("saved", "continue"),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        return [
            Candidate("continue", _("Continue"), tuple(turn.content.keywords.yes)),
            Candidate("menu", _("Main menu"), tuple(turn.content.keywords.no)),
        ]

    async def prompt(self, turn: Turn) -> None:
        saved = turn.conversation.params.get("saved", {})
        node = turn.nodes.get(saved.get("node", ""))
        what = ""
        if node is not None:
            current = turn.conversation.node, turn.conversation.params
            turn.conversation.node, turn.conversation.params = saved["node"], saved["params"]
            what = node.describe(turn)
            turn.conversation.node, turn.conversation.params = current
        turn.ask(
            turn.gettext(
                "Welcome back! Last time you were filling in {what}. Your answers are saved. "
                "Do you want to continue?"
            ).format(what=what),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose «Continue» or «Main menu»."))
        elif reply.choice.id == "continue":
            turn.understood()
            await go_back_to(turn, turn.conversation.params.get("saved"))
        else:
            turn.understood()
            await turn.goto("menu")
