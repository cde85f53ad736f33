"""«Use my other account»: one person writing from two apps becomes one person, by a code.

The person takes a six-digit code on one app and types it on the other (or has it sent to the
WhatsApp number they gave). The one who took the code remains; this chat then goes on as that
person, in this chat's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import phonenumbers

from conversations.content_schema import LANGUAGES
from conversations.link_codes import parse_code
from conversations.matching import Candidate
from conversations.messages import Conversation, Outgoing
from conversations.nodes.base import Node
from conversations.ports import CodeGiven, CodeTaken
from conversations.turn import Reply, Turn

#: How long a code works, as the person is told (the backend's lifetime).
CODE_MINUTES = 10


async def open_linking(turn: Turn) -> None:
    """Show the linking choices; the WhatsApp one only where it can work."""
    phone = turn.conversation.known.get("phone")
    by_whatsapp = isinstance(phone, str) and await turn.store.codes_by_whatsapp()
    await turn.goto("link", whatsapp=by_whatsapp)


class LinkNode(Node):
    """Take a code, type one, or have one sent to WhatsApp."""

    leads_to = (
        ("link_code", "I have a code"),
        ("menu", "code given, or sent to WhatsApp"),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        options = [
            Candidate("give", _("Get a code")),
            Candidate("have", _("I have a code")),
        ]
        if turn.conversation.params.get("whatsapp"):
            options.append(Candidate("whatsapp", _("Send the code to my WhatsApp")))
        return [*options, Candidate("menu", _("Main menu"))]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext(
                "Do you also write to us from another app (Telegram, WhatsApp or the website)? "
                "Join them: take a code here and type it there, or the other way round."
            ),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            code = parse_code(reply.text)
            if code is not None:
                await use_code(turn, code)
                return
            await turn.not_understood(turn.gettext("Please choose one of the options."))
            return
        turn.understood()
        action = reply.choice.id
        if action == "have":
            await turn.goto("link_code")
        elif action == "give":
            given = await turn.store.issue_link_code()
            if given.code is not None:
                turn.say(_code_text(turn, given.code))
            else:
                turn.say(_refusal(turn, given))
            await turn.goto("menu")
        elif action == "whatsapp":
            await _send_to_whatsapp(turn)
            await turn.goto("menu")
        else:
            await turn.goto("menu")


class LinkCodeNode(Node):
    """Typing the code taken on the other app."""

    leads_to = (
        ("menu", "linked, or the code refused"),
        ("link_code", "a wrong code, try again"),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        return [Candidate("menu", turn.gettext("Main menu"))]

    def numbered(self, turn: Turn) -> bool:
        return False

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext("Type the six-digit code you got on your other app."),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is not None:
            turn.understood()
            await turn.goto("menu")
            return
        code = parse_code(reply.text)
        if code is None:
            await turn.not_understood(
                turn.gettext("A code has six digits, for example 123456. Please type it again.")
            )
            return
        await use_code(turn, code)


async def use_code(turn: Turn, code: str) -> None:
    """Redeem ``code`` and say what happened; every way of typing a code ends here."""
    _ = turn.gettext
    turn.understood()
    taken = await turn.store.redeem_link_code(code=code)
    if taken.outcome == "linked" and taken.person is not None:
        adopt(turn.conversation, taken.person)
        turn.say(
            _(
                "Done: your two accounts are now one. Your answers and applications are "
                "here too, and you can write from either app."
            )
        )
    elif taken.outcome == "wrong":
        turn.say(
            _("That code is not right. You can try {count} more times.").format(
                count=turn.tr.number(taken.attempts_left)
            )
        )
        await turn.goto("link_code")
        return
    elif taken.outcome == "blocked":
        turn.say(_blocked(turn, taken))
    elif taken.outcome == "expired":
        turn.say(
            _(
                "That code is too old: a code works for {minutes} minutes. Take a new one on "
                "your other app."
            ).format(minutes=turn.tr.number(CODE_MINUTES))
        )
    elif taken.outcome == "used":
        turn.say(_("That code was already used. Take a new one on your other app."))
    else:
        turn.say(
            _(
                "That code was made here, for this same account: type it on your other app. "
                "If you already did, your accounts are already joined."
            )
        )
    await turn.goto("menu")


def adopt(conversation: Conversation, person: Conversation) -> None:
    """Go on as the linked person: their answers, consent and case; this chat's language.

    What only this chat had (a form started here, a remembered phone) is kept where the
    linked person has nothing of the kind."""
    conversation.profile = dict(person.profile)
    conversation.consent_version = person.consent_version
    conversation.consent_at = person.consent_at
    conversation.reminders_opt_out = person.reminders_opt_out
    conversation.case_open = person.case_open
    conversation.drafts = {**conversation.drafts, **person.drafts}
    conversation.files = {**conversation.files, **person.files}
    conversation.known = {**conversation.known, **person.known}


def _code_text(turn: Turn, code: str) -> str:
    return turn.gettext(
        "Your code: {code}\n\nOpen your other app and send massar this message: «code {code}». "
        "The code works once, for {minutes} minutes."
    ).format(code=code, minutes=turn.tr.number(CODE_MINUTES))


async def _send_to_whatsapp(turn: Turn) -> None:
    """Send a code to the phone number the person gave, or say why it cannot go there."""
    _ = turn.gettext
    given = await turn.store.issue_link_code()
    if given.code is None:
        turn.say(_refusal(turn, given))
        return
    phone = str(turn.conversation.known.get("phone", ""))
    # In every language: the number's own chat may speak another one than this chat.
    messages = {}
    for lang in LANGUAGES:
        tr = turn.catalogs.get(lang).for_gender(turn.gender)
        text = tr.gettext(
            "massar: someone asked to join this WhatsApp to their massar account. If it was "
            "you, send this message here: «code {code}». It works once, for {minutes} "
            "minutes. If it was not you, do nothing."
        ).format(code=given.code, minutes=tr.number(CODE_MINUTES))
        messages[lang] = Outgoing(text=text, language=lang, direction=tr.direction, kind="link")
    if await turn.store.send_code_by_whatsapp(phone=phone, messages=messages):
        shown = phonenumbers.format_number(
            phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        turn.say(
            _("I sent the code to your WhatsApp, {phone}. Answer that message there.").format(
                phone=shown
            )
        )
        return
    turn.say(
        _(
            "WhatsApp lets us write only to people who wrote to us in the last 24 hours, so I "
            "cannot send it there."
        )
    )
    turn.say(_code_text(turn, given.code))


def _refusal(turn: Turn, given: CodeGiven) -> str:
    if given.refused == "blocked":
        return _blocked(turn, CodeTaken("blocked", until=given.until))
    wait = _wait(turn, given.until)
    return turn.gettext(
        "You asked for many codes in a short time. Please try again in {wait}."
    ).format(wait=wait)


def _blocked(turn: Turn, taken: CodeTaken) -> str:
    return turn.gettext(
        "Too many wrong codes: joining accounts is paused. Please try again in {wait}."
    ).format(wait=_wait(turn, taken.until))


def _wait(turn: Turn, until: datetime | None) -> str:
    """How long until linking works again, rounded up to the minute."""
    left = until - turn.now if until is not None else timedelta(hours=1)
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return turn.tr.duration(timedelta(minutes=minutes))
