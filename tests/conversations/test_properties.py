"""Property-based tests: whatever people type, the engine answers and loses nothing; parsers
read back what the bot itself writes."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.content_schema import CURRENCY_DECIMALS, Question, Text
from conversations.engine import Engine
from conversations.fields import Parsed, parse_answer
from conversations.i18n import Catalogs
from conversations.matching import Candidate, match_choice, normalize
from tests.conversations.chat import Chat
from tests.support import ELIGIBLE_PROFILES, autopilot_answer

REFERENCE = re.compile(r"\b[A-Z]{2,6}-\d{4}-\d{5}\b")
WORDS = [
    "menu",
    "0",
    "agent",
    "stop",
    "langue",
    "back",
    "retour",
    "oui",
    "non",
    "1",
    "2",
    "٣",
    "9a2ima",
    "supprimer",
    "🙂",
    "x" * 5000,
    "  ",
    "",
    "عون",
    "sim",
    "não",
]
PROMPT = Text(ar="؟", fr="?", en="?", pt="?")

action = st.one_of(
    st.tuples(st.just("type"), st.text(max_size=60)),
    st.tuples(st.just("type"), st.sampled_from(WORDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("pilot"), st.sampled_from(sorted(ELIGIBLE_PROFILES))),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lang=st.sampled_from(["ar", "fr", "en", "pt"]), actions=st.lists(action, max_size=40))
def test_every_input_gets_a_reply_and_no_application_is_lost(
    engine: Engine, lang: str, actions: list[tuple[str, object]]
) -> None:
    asyncio.run(_random_walk(engine, lang, actions))


async def _random_walk(engine: Engine, lang: str, actions: list[tuple[str, object]]) -> None:
    chat = Chat(engine, lang)
    await chat.send("hello")
    for kind, value in actions:
        submitted = len(chat.store.applications)
        erased = chat.store.erased
        if kind == "type":
            await chat.send(str(value))
        elif kind == "press":
            buttons = [c.id for r in chat.replies for c in r.choices]
            if buttons:
                await chat.send(choice_id=buttons[int(value) % len(buttons)])  # type: ignore[call-overload]
            else:
                await chat.send("?")
        else:
            program = str(value)
            try:
                text, option = autopilot_answer(engine.content, chat.conversation, program, lang)
            except (AssertionError, KeyError, StopIteration):
                await chat.send("menu")
                continue
            buttons = [
                c.id for r in chat.replies for c in r.choices if c.id.endswith(f".{option}")
            ]
            await (
                chat.send(choice_id=buttons[-1])
                if option and buttons
                else chat.send(text or "menu")
            )
        if chat.conversation.case_open:
            assert chat.store.handoffs, "a silent bot means staff have the conversation"
            await chat.staff_close()
        assert chat.replies and all(r.text.strip() for r in chat.replies)
        assert all(r.language == chat.conversation.language for r in chat.replies)
        if chat.store.erased == erased:
            new = len(chat.store.applications) - submitted
            assert new >= 0, "an application disappeared"
            references = set(REFERENCE.findall(chat.text))
            announced = {a["reference"] for a in chat.store.applications[submitted:]}
            assert announced <= references, "every submission is confirmed with its reference"


labels = st.lists(st.text(min_size=1, max_size=25), min_size=1, max_size=12, unique=True)


@given(text=st.text(max_size=300), options=labels)
def test_match_choice_never_fails_and_numbers_pick_in_order(text: str, options: list[str]) -> None:
    candidates = [Candidate(str(i), label) for i, label in enumerate(options)]
    chosen = match_choice(text, candidates)
    assert chosen is None or chosen in candidates
    for index, candidate in enumerate(candidates, 1):
        assert match_choice(str(index), candidates) == candidate
        assert match_choice(str(index), candidates, numbered=False) is None


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@settings(max_examples=300)
@given(
    lang=st.sampled_from(["ar", "fr", "en", "pt"]),
    currency=st.sampled_from(sorted(CURRENCY_DECIMALS)),
    minor=st.integers(min_value=0, max_value=10**10),
)
def test_amounts_the_bot_writes_are_read_back_exactly(
    catalogs: Catalogs, lang: str, currency: str, minor: int
) -> None:
    tr = catalogs.get(lang)
    question = Question(id="amount", type="amount", prompt=PROMPT, currency=currency)
    shown = tr.amount(minor, currency)
    parsed = parse_answer(question, shown, tr, today=date(2026, 11, 23))
    assert parsed == Parsed(minor), shown


@given(
    value=st.integers(min_value=0, max_value=10**6),
    grouping=st.sampled_from(["{:,}", "{:_}", "{}"]),
)
def test_amount_readings_use_the_range_to_settle_ambiguity(
    catalogs: Catalogs, value: int, grouping: str
) -> None:
    """``1.500`` is 1.5 dinars, or 1,500 when 1.5 is below the minimum."""
    tr = catalogs.get("fr")
    question = Question(
        id="amount", type="amount", prompt=PROMPT, currency="TND", min=1000, max=10**6
    )
    typed = grouping.format(value).replace(",", ".").replace("_", " ")
    parsed = parse_answer(question, typed, tr, today=date(2026, 11, 23))
    if value >= 1000:
        assert parsed == Parsed(value * 1000), typed
    else:
        assert not isinstance(parsed, Parsed)


@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 11, 23)),
    pattern=st.sampled_from(["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]),
)
def test_dates_in_common_notations_are_read(catalogs: Catalogs, day: date, pattern: str) -> None:
    question = Question(id="when", type="date", prompt=PROMPT, past_only=True)
    parsed = parse_answer(
        question, day.strftime(pattern), catalogs.get("fr"), today=date(2026, 11, 23)
    )
    if pattern.endswith("%y") and day.year < 1927:
        return  # two-digit years are read as 1927-2026
    assert parsed == Parsed(day.isoformat())


@given(
    country=st.sampled_from(["tn", "td", "mz", "gw"]),
    style=st.sampled_from(
        [
            phonenumbers.PhoneNumberFormat.NATIONAL,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.E164,
        ]
    ),
)
def test_phone_numbers_in_any_usual_form_are_read(
    catalogs: Catalogs, country: str, style: int
) -> None:
    region = country.upper()
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    question = Question(id="phone", type="phone", prompt=PROMPT)
    parsed = parse_answer(
        question,
        phonenumbers.format_number(number, style),
        catalogs.get("fr"),
        today=date(2026, 11, 23),
        country=country,
    )
    assert parsed == Parsed(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )
