"""Interface strings that have a form for a woman and for a man, as catalog contexts.

:meth:`conversations.turn.Turn.gettext` looks a string up in context ``f`` or ``m`` once the
person has answered the gender question, and falls back to the neutral entry. This module only
marks which strings have such forms, so that ``make i18n`` extracts the ``msgctxt "f"`` and
``msgctxt "m"`` entries; translators then write each form (where a language does not mark
gender, both forms are the neutral translation). To give another string gendered forms, add it
here in both contexts and run ``make i18n``.
"""

from __future__ import annotations


def pgettext(context: str, message: str) -> str:
    """A marker for extraction; the lookup happens in :class:`~conversations.i18n.Translator`."""
    return message


GENDERED_STRINGS: tuple[str, ...] = (
    pgettext("f", "What would you like to do? Tap a button or type its number."),
    pgettext("m", "What would you like to do? Tap a button or type its number."),
    pgettext("f", "Choose your language:"),
    pgettext("m", "Choose your language:"),
    pgettext("f", "Please choose one of the options."),
    pgettext("m", "Please choose one of the options."),
    pgettext("f", "Please choose one of the options: tap a button or type its number."),
    pgettext("m", "Please choose one of the options: tap a button or type its number."),
    pgettext("f", "Please type your answer."),
    pgettext("m", "Please type your answer."),
    pgettext("f", "You are registered for:"),
    pgettext("m", "You are registered for:"),
    pgettext("f", "You are registered: {session}. We will remind you the day before."),
    pgettext("m", "You are registered: {session}. We will remind you the day before."),
    pgettext(
        "f",
        "Do you want to keep waiting, or cancel your request and go back to where you were?",
    ),
    pgettext(
        "m",
        "Do you want to keep waiting, or cancel your request and go back to where you were?",
    ),
)
