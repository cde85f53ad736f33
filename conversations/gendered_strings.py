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
    pgettext(
        "f",
        "A member of our team has your conversation now, so that button no longer works. "
        "Write your message here, or type «menu» to see your options.",
    ),
    pgettext(
        "m",
        "A member of our team has your conversation now, so that button no longer works. "
        "Write your message here, or type «menu» to see your options.",
    ),
    pgettext("f", "Application to {program}. Type «back» to go back one question."),
    pgettext("m", "Application to {program}. Type «back» to go back one question."),
    pgettext("f", "Choose"),
    pgettext("m", "Choose"),
    pgettext("f", "Choose your language:"),
    pgettext("m", "Choose your language:"),
    pgettext(
        "f",
        "Do you really want to delete all your data: your answers, applications and "
        "messages? This cannot be undone.",
    ),
    pgettext(
        "m",
        "Do you really want to delete all your data: your answers, applications and "
        "messages? This cannot be undone.",
    ),
    pgettext(
        "f",
        "Do you want to keep waiting, or cancel your request and go back to where you were?",
    ),
    pgettext(
        "m",
        "Do you want to keep waiting, or cancel your request and go back to where you were?",
    ),
    pgettext(
        "f",
        "Done: you will not receive reminders or news any more. To receive them again, "
        "choose «My data» in the menu.",
    ),
    pgettext(
        "m",
        "Done: you will not receive reminders or news any more. To receive them again, "
        "choose «My data» in the menu.",
    ),
    pgettext(
        "f",
        "I am having trouble understanding you. Would you like to talk to a member of our team?",
    ),
    pgettext(
        "m",
        "I am having trouble understanding you. Would you like to talk to a member of our team?",
    ),
    pgettext(
        "f",
        "I can keep your file only once you agree to how we use your data. Choose "
        "«Programs for me» in the menu to start.",
    ),
    pgettext(
        "m",
        "I can keep your file only once you agree to how we use your data. Choose "
        "«Programs for me» in the menu to start.",
    ),
    pgettext(
        "f",
        "No problem: nothing about you has been kept. You can still read about the "
        "programs and your rights.",
    ),
    pgettext(
        "m",
        "No problem: nothing about you has been kept. You can still read about the "
        "programs and your rights.",
    ),
    pgettext("f", "No, keep my data"),
    pgettext("m", "No, keep my data"),
    pgettext(
        "f",
        "Our team has closed your conversation. How satisfied are you with the help you "
        "received? 1 = not at all, 5 = very satisfied.",
    ),
    pgettext(
        "m",
        "Our team has closed your conversation. How satisfied are you with the help you "
        "received? 1 = not at all, 5 = very satisfied.",
    ),
    pgettext("f", "Please answer yes or no."),
    pgettext("m", "Please answer yes or no."),
    pgettext("f", "Please answer «I agree» or «I do not agree»."),
    pgettext("m", "Please answer «I agree» or «I do not agree»."),
    pgettext("f", "Please choose a language from the list."),
    pgettext("m", "Please choose a language from the list."),
    pgettext("f", "Please choose a number from 1 to 5."),
    pgettext("m", "Please choose a number from 1 to 5."),
    pgettext("f", "Please choose a program from the list."),
    pgettext("m", "Please choose a program from the list."),
    pgettext("f", "Please choose a session from the list."),
    pgettext("m", "Please choose a session from the list."),
    pgettext("f", "Please choose a topic from the list."),
    pgettext("m", "Please choose a topic from the list."),
    pgettext("f", "Please choose an answer from the list."),
    pgettext("m", "Please choose an answer from the list."),
    pgettext("f", "Please choose one of the options."),
    pgettext("m", "Please choose one of the options."),
    pgettext("f", "Please choose one of the options: tap a button or type its number."),
    pgettext("m", "Please choose one of the options: tap a button or type its number."),
    pgettext("f", "Please choose «Continue» or «Main menu»."),
    pgettext("m", "Please choose «Continue» or «Main menu»."),
    pgettext("f", "Please choose «Send», «Change an answer» or «Finish later»."),
    pgettext("m", "Please choose «Send», «Change an answer» or «Finish later»."),
    pgettext("f", "Please type a date after {earliest}."),
    pgettext("m", "Please type a date after {earliest}."),
    pgettext("f", "Please type a number between {low} and {high}."),
    pgettext("m", "Please type a number between {low} and {high}."),
    pgettext("f", "Please type a number of at least {low}."),
    pgettext("m", "Please type a number of at least {low}."),
    pgettext("f", "Please type a number of at most {high}."),
    pgettext("m", "Please type a number of at most {high}."),
    pgettext("f", "Please type a number with digits, for example {example}."),
    pgettext("m", "Please type a number with digits, for example {example}."),
    pgettext("f", "Please type an amount between {low} and {high}."),
    pgettext("m", "Please type an amount between {low} and {high}."),
    pgettext("f", "Please type an amount of at least {low}."),
    pgettext("m", "Please type an amount of at least {low}."),
    pgettext("f", "Please type an amount with digits, for example {example}."),
    pgettext("m", "Please type an amount with digits, for example {example}."),
    pgettext("f", "Please type the date as day/month/year, for example {example}."),
    pgettext("m", "Please type the date as day/month/year, for example {example}."),
    pgettext("f", "Please type your answer in words."),
    pgettext("m", "Please type your answer in words."),
    pgettext("f", "Please type your answer."),
    pgettext("m", "Please type your answer."),
    pgettext(
        "f",
        "Tap one of the buttons, or type its number. At any time you can type «menu» for "
        "the main menu, «back» to go back one step, or «agent» to talk to a member of our "
        "team.",
    ),
    pgettext(
        "m",
        "Tap one of the buttons, or type its number. At any time you can type «menu» for "
        "the main menu, «back» to go back one step, or «agent» to talk to a member of our "
        "team.",
    ),
    pgettext("f", "That date has passed. Please type a date from today on."),
    pgettext("m", "That date has passed. Please type a date from today on."),
    pgettext("f", "That date is in the future. Please type a date that has passed."),
    pgettext("m", "That date is in the future. Please type a date that has passed."),
    pgettext(
        "f",
        "Welcome back! Last time you were filling in {what}. Your answers are saved. Do "
        "you want to continue?",
    ),
    pgettext(
        "m",
        "Welcome back! Last time you were filling in {what}. Your answers are saved. Do "
        "you want to continue?",
    ),
    pgettext("f", "What would you like to do?"),
    pgettext("m", "What would you like to do?"),
    pgettext("f", "What would you like to do? Tap a button or type its number."),
    pgettext("m", "What would you like to do? Tap a button or type its number."),
    pgettext("f", "What would you like to read about?"),
    pgettext("m", "What would you like to read about?"),
    pgettext("f", "Which answer do you want to change?"),
    pgettext("m", "Which answer do you want to change?"),
    pgettext("f", "Which one do you want to register for?"),
    pgettext("m", "Which one do you want to register for?"),
    pgettext("f", "Which one would you like to know more about?"),
    pgettext("m", "Which one would you like to know more about?"),
    pgettext("f", "Which program do you want to apply to?"),
    pgettext("m", "Which program do you want to apply to?"),
    pgettext("f", "You are registered for:"),
    pgettext("m", "You are registered for:"),
    pgettext("f", "You are registered: {session}. We will remind you the day before."),
    pgettext("m", "You are registered: {session}. We will remind you the day before."),
    pgettext(
        "f",
        "Your application has been sent. Your reference is {reference}: keep it to follow "
        "your application under «My applications».",
    ),
    pgettext(
        "m",
        "Your application has been sent. Your reference is {reference}: keep it to follow "
        "your application under «My applications».",
    ),
    pgettext(
        "f",
        "Your application {reference} to {program} has not been accepted. Type «agent» if "
        "you want to talk about it.",
    ),
    pgettext(
        "m",
        "Your application {reference} to {program} has not been accepted. Type «agent» if "
        "you want to talk about it.",
    ),
    pgettext(
        "f",
        "Your request is cancelled. You can ask for a person again at any time: type «agent».",
    ),
    pgettext(
        "m",
        "Your request is cancelled. You can ask for a person again at any time: type «agent».",
    ),
    pgettext(
        "f",
        "Type the six-digit code you got on your other app.",
    ),
    pgettext(
        "m",
        "Type the six-digit code you got on your other app.",
    ),
    pgettext(
        "f",
        "A code has six digits, for example 123456. Please type it again.",
    ),
    pgettext(
        "m",
        "A code has six digits, for example 123456. Please type it again.",
    ),
    pgettext(
        "f",
        "That code is too old: a code works for {minutes} minutes. Take a new one "
        "on your other app.",
    ),
    pgettext(
        "m",
        "That code is too old: a code works for {minutes} minutes. Take a new one "
        "on your other app.",
    ),
    pgettext(
        "f",
        "That code was already used. Take a new one on your other app.",
    ),
    pgettext(
        "m",
        "That code was already used. Take a new one on your other app.",
    ),
    pgettext(
        "f",
        "That code was made here, for this same account: type it on your other "
        "app. If you already did, your accounts are already joined.",
    ),
    pgettext(
        "m",
        "That code was made here, for this same account: type it on your other "
        "app. If you already did, your accounts are already joined.",
    ),
    pgettext(
        "f",
        "Your code: {code}\n\nOpen your other app and send massar this message: "
        "«code {code}». The code works once, for {minutes} minutes.",
    ),
    pgettext(
        "m",
        "Your code: {code}\n\nOpen your other app and send massar this message: "
        "«code {code}». The code works once, for {minutes} minutes.",
    ),
    pgettext(
        "f",
        "I sent the code to your WhatsApp, {phone}. Answer that message there.",
    ),
    pgettext(
        "m",
        "I sent the code to your WhatsApp, {phone}. Answer that message there.",
    ),
    pgettext(
        "f",
        "Do you also write to us from another app (Telegram, WhatsApp or the "
        "website)? Join them: take a code here and type it there, or the other "
        "way round.",
    ),
    pgettext(
        "m",
        "Do you also write to us from another app (Telegram, WhatsApp or the "
        "website)? Join them: take a code here and type it there, or the other "
        "way round.",
    ),
    pgettext(
        "f",
        "You asked for many codes in a short time. Please try again in {wait}.",
    ),
    pgettext(
        "m",
        "You asked for many codes in a short time. Please try again in {wait}.",
    ),
    pgettext(
        "f",
        "Too many wrong codes: joining accounts is paused. Please try again in {wait}.",
    ),
    pgettext(
        "m",
        "Too many wrong codes: joining accounts is paused. Please try again in {wait}.",
    ),
)
