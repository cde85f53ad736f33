"""Typed answers: parse what a person typed into a value, or explain in their language why not.

Values are kept JSON-ready: ``int`` for numbers, minor units (``int``) for amounts, ISO strings
for dates, E.164 strings for phone numbers, ``bool`` for yes/no and option ids for choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

from conversations.content_schema import CURRENCY_DECIMALS, Option, Program, Question
from conversations.i18n import Translator
from conversations.matching import normalize, to_ascii_digits

#: The region phonenumbers uses to read a number typed without its country code.
PHONE_REGIONS: dict[str, str] = {"tn": "TN", "td": "TD", "mz": "MZ", "gw": "GW"}
_NUMBER_TOKEN = re.compile(r"-?\d[\d\s.,'\u00a0\u202f\u066b\u066c]*")
_INTEGER = re.compile(r"-?\d+")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})$")
CHOICE_TYPES = frozenset({"choice", "yesno", "sector", "value_chain"})


@dataclass(frozen=True)
class Parsed:
    """A valid answer."""

    value: Any


@dataclass(frozen=True)
class Invalid:
    """An answer that cannot be used, with the sentence that says how to fix it."""

    message: str


def currency_of(question: Question, program: Program | None, country: str | None = None) -> str:
    """The currency of an amount field: its own, else its program's where the person lives,
    else TND."""
    return question.currency or (program.currency_for(country) if program else "TND")


def parse_answer(
    question: Question,
    text: str,
    tr: Translator,
    *,
    today: date,
    program: Program | None = None,
    country: str | None = None,
) -> Parsed | Invalid:
    """Read a typed answer to a free-form question (text, number, amount, date, phone)."""
    _ = tr.gettext
    text = text.strip()
    if question.type == "text":
        return _parse_text(question, text, tr)
    if question.type == "number":
        return _parse_number(question, text, tr)
    if question.type == "amount":
        return _parse_amount(question, text, tr, currency_of(question, program, country))
    if question.type == "date":
        return _parse_date(question, text, tr, today)
    if question.type == "phone":
        return _parse_phone(text, tr, country)
    return Invalid(_("Please choose one of the options: tap a button or type its number."))


def _parse_text(question: Question, text: str, tr: Translator) -> Parsed | Invalid:
    _ = tr.gettext
    if not normalize(text):
        return Invalid(_("Please type your answer in words."))
    if len(text) > question.max_length:
        return Invalid(
            _("That is too long: please keep it under {limit} characters.").format(
                limit=tr.number(question.max_length)
            )
        )
    return Parsed(" ".join(text.split()))


def _parse_number(question: Question, text: str, tr: Translator) -> Parsed | Invalid:
    _ = tr.gettext
    numbers = _INTEGER.findall(to_ascii_digits(text).replace(" ", ""))
    if len(numbers) != 1 or len(numbers[0]) > 9:
        return Invalid(
            _("Please type a number with digits, for example {example}.").format(
                example=tr.number(int(question.min or 0) + 1 if question.min else 3)
            )
        )
    value = int(numbers[0])
    return _in_range(question, value, tr) or Parsed(value)


def _in_range(question: Question, value: float, tr: Translator) -> Invalid | None:
    _ = tr.gettext
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return Invalid(
                _("Please type a number between {low} and {high}.").format(
                    low=tr.number(Decimal(str(low)).normalize()),
                    high=tr.number(Decimal(str(high)).normalize()),
                )
            )
        if low is not None:
            return Invalid(
                _("Please type a number of at least {low}.").format(
                    low=tr.number(Decimal(str(low)).normalize())
                )
            )
        return Invalid(
            _("Please type a number of at most {high}.").format(
                high=tr.number(Decimal(str(high)).normalize())
            )
        )
    return None


def amount_readings(text: str, decimals: int) -> list[Decimal]:
    """Every plausible reading of a typed amount, most likely first.

    ``1.500`` is 1.5 dinars on a Tunisian price tag but 1,500 in French thousands notation;
    both readings are returned and the form's range decides.
    """
    tokens = _NUMBER_TOKEN.findall(to_ascii_digits(text))
    tokens = [t.strip(" .,'\u00a0\u202f\u066b\u066c") for t in tokens]
    tokens = [t for t in tokens if t]
    if len(tokens) != 1 or tokens[0].startswith("-"):
        return []
    token = tokens[0].replace("\u066b", ".").replace("\u066c", " ").replace("'", " ")
    token = re.sub(r"[\s\u00a0\u202f]+", " ", token)
    marks = [m for m in (".", ",") if m in token]
    readings: list[str] = []
    if len(marks) == 2:
        decimal_mark = max(marks, key=token.rindex)
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = token.rpartition(decimal_mark)
        readings.append(_ungroup(whole, (group_mark, " ")) + "." + fraction)
    elif marks:
        mark = marks[0]
        head, _, tail = token.rpartition(mark)
        if token.count(mark) > 1:
            readings.append(_ungroup(token, (mark, " ")))
        else:
            as_decimal = _ungroup(head, (" ",)) + "." + tail.replace(" ", "")
            as_groups = _ungroup(token, (mark, " "))
            pair = [as_decimal, as_groups] if len(tail) <= decimals else [as_groups, as_decimal]
            readings.extend(pair)
    else:
        readings.append(_ungroup(token, (" ",)))
    found: list[Decimal] = []
    for reading in readings:
        if "?" in reading:
            continue
        try:
            found.append(Decimal(reading))
        except InvalidOperation:
            continue
    return found


def _ungroup(text: str, separators: tuple[str, ...]) -> str:
    """Remove thousands separators, only where they separate groups of three digits."""
    pattern = "|".join(re.escape(s) for s in separators)
    groups = re.split(pattern, text.strip())
    if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
        return "?"
    return "".join(groups)


def _parse_amount(
    question: Question, text: str, tr: Translator, currency: str
) -> Parsed | Invalid:
    _ = tr.gettext
    decimals = CURRENCY_DECIMALS[currency]
    readings = amount_readings(text, decimals)
    example = tr.amount(1500 * 10**decimals, currency)
    if not readings:
        return Invalid(
            _("Please type an amount with digits, for example {example}.").format(example=example)
        )
    fitting = [r for r in readings if -r.as_tuple().exponent <= decimals]  # type: ignore[operator]
    if not fitting:
        return Invalid(
            _("Amounts in {currency} have at most {decimals} decimals.").format(
                currency=currency, decimals=tr.number(decimals)
            )
        )
    in_range = [r for r in fitting if _in_range(question, float(r), tr) is None]
    chosen = in_range[0] if in_range else fitting[0]
    if not in_range:
        low = int(Decimal(str(question.min or 0)).scaleb(decimals))
        high = int(Decimal(str(question.max or 0)).scaleb(decimals))
        if question.max is None:
            return Invalid(
                _("Please type an amount of at least {low}.").format(low=tr.amount(low, currency))
            )
        return Invalid(
            _("Please type an amount between {low} and {high}.").format(
                low=tr.amount(low, currency), high=tr.amount(high, currency)
            )
        )
    return Parsed(int(chosen.scaleb(decimals)))


def _parse_date(question: Question, text: str, tr: Translator, today: date) -> Parsed | Invalid:
    _ = tr.gettext
    cleaned = to_ascii_digits(text).strip()
    value: date | None = None
    try:
        if match := _DATE_YMD.match(cleaned):
            year, month, day = (int(g) for g in match.groups())
            value = date(year, month, day)
        elif match := _DATE_DMY.match(cleaned):
            day, month, year = (int(g) for g in match.groups())
            if year < 100:
                year += 2000 if year <= today.year % 100 else 1900
            value = date(year, month, day)
    except ValueError:
        value = None
    if value is None:
        return Invalid(
            _("Please type the date as day/month/year, for example {example}.").format(
                example=today.replace(day=1).strftime("%d/%m/%Y")
            )
        )
    if question.past_only and value > today:
        return Invalid(_("That date is in the future. Please type a date that has passed."))
    if question.future_only and value < today:
        return Invalid(_("That date has passed. Please type a date from today on."))
    if question.earliest and value < question.earliest:
        return Invalid(
            _("Please type a date after {earliest}.").format(earliest=tr.date(question.earliest))
        )
    return Parsed(value.isoformat())


def _parse_phone(text: str, tr: Translator, country: str | None) -> Parsed | Invalid:
    _ = tr.gettext
    region = PHONE_REGIONS.get(country or "", "TN")
    digits = to_ascii_digits(text)
    try:
        number = phonenumbers.parse(digits, region)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        shown = (
            phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            if example is not None
            else "+216 98 123 456"
        )
        return Invalid(
            _(
                "That does not look like a phone number. Please type it, for example {example}."
            ).format(example=shown)
        )
    return Parsed(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def options_of(question: Question, sectors: list[Option], program: Program | None) -> list[Option]:
    """The options of a choice-like question (``yesno`` has none: the engine adds yes and no)."""
    if question.type == "choice":
        return list(question.options)
    if question.type == "sector":
        return list(sectors)
    if question.type == "value_chain" and program is not None:
        return list(program.value_chains)
    return []


def display_value(
    question: Question,
    value: Any,
    tr: Translator,
    *,
    sectors: list[Option],
    program: Program | None = None,
    country: str | None = None,
) -> str:
    """An answer as the person should read it back in the summary."""
    _ = tr.gettext
    if value is None:
        return _("(skipped)")
    if question.type == "yesno":
        return _("Yes") if value else _("No")
    if question.type in CHOICE_TYPES:
        for option in options_of(question, sectors, program):
            if option.id == value:
                return option.label.get(tr.lang)
        return str(value)
    if question.type == "number":
        return tr.number(int(value))
    if question.type == "amount":
        return tr.amount(int(value), currency_of(question, program, country))
    if question.type == "date":
        return tr.date(date.fromisoformat(str(value)))
    if question.type == "phone":
        return phonenumbers.format_number(
            phonenumbers.parse(str(value)), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    return str(value)
