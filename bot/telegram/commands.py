"""The bot's command menu (the "/" button in Telegram), in every language the bot speaks.

Each command is also a word the engine already understands at every step
(``conversations/content/keywords.yaml``), so ``/agent`` and typing ``agent`` do the same thing.
Descriptions are English msgids translated through the Babel catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.content_schema import LANGUAGES
from conversations.i18n import Catalogs


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, per language."""
    return message


@dataclass(frozen=True)
class Command:
    """One command: what the person taps, the keyword it stands for, and its description."""

    name: str
    word: str
    description: str


COMMANDS: tuple[Command, ...] = (
    Command("start", "menu", N_("Start again")),
    Command("menu", "menu", N_("Main menu")),
    Command("agent", "agent", N_("Talk to a person")),
    Command("language", "language", N_("Change language")),
    Command("stop", "stop", N_("Stop reminders")),
    Command("delete", "delete", N_("Delete my data")),
)
#: Command -> the text the engine receives. ``/help`` is not listed but common: the menu.
COMMAND_WORDS: dict[str, str] = {c.name: c.word for c in COMMANDS} | {"help": "menu"}


def command_menus(catalogs: Catalogs, default_language: str) -> dict[str | None, list[Command]]:
    """The menu per Telegram ``language_code``; ``None`` is the default for other languages."""
    menus: dict[str | None, list[Command]] = {}
    for lang in (None, *LANGUAGES):
        tr = catalogs.get(lang or default_language)
        menus[lang] = [Command(c.name, c.word, tr.gettext(c.description)) for c in COMMANDS]
    return menus
